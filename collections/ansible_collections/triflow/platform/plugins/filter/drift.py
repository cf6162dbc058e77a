# -*- coding: utf-8 -*-
# Copyright: TriFlow AI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the drift check: a stack's report and the run's summary as Markdown, the summary across stacks."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.triflow.platform.plugins.module_utils.drift import markdown, summary, summary_markdown

STOPPED = "the check stopped before this stack's report (see the run's output for the failed task)"


def drift_summary(pairs):
    """The summary of ``[(report or None, stack)]``: a stack without a report counts as one that could not run."""
    reports = []
    for report, stack in pairs:
        reports.append(report if report else {"stack": stack, "error": STOPPED, "findings": [], "counts": {}})
    return summary(reports)


class FilterModule:
    """Drift check filters."""

    def filters(self):
        return {
            "drift_markdown": markdown,
            "drift_summary": drift_summary,
            "drift_summary_markdown": summary_markdown,
        }
