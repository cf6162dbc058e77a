# -*- coding: utf-8 -*-
# Copyright: TriFlow AI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a drift check finds and how it compares: findings, the normalisation rules, accepted drift, the reports.

A finding is ``{kind, resource_type, resource, field, desired, actual}``:

* ``missing``: the resource is not there (``field`` is None);
* ``changed``: the resource is there and ``field`` holds ``actual`` where the desired state holds ``desired``;
* ``extra``: something that matters for safety and that nothing declares (a security-group rule, a listener, an
  IAM policy on the stack's role, a second NAT gateway): ``actual`` says what it is, ``desired`` is None.

The normalisation rules are written once, here, and each has its unit test
(tests/unit/plugins/module_utils/test_drift_utils.py):

* ``same``: numbers by value (5 and 5.0), lists as sets (AWS lists have no meaningful order for every field the
  check compares), dicts key by key;
* ``same_policy``: IAM and resource policy documents by meaning (amazon.aws's ``compare_policies``: statement order,
  one-item lists and strings, a JSON string or a dict);
* fields AWS or the deploy own are not compared at all (the running image, the autoscaled desired count), and the
  ones AWS moves within what the desired state allows are compared as bounds: see ``at_least``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import json
import re

try:
    from ansible_collections.amazon.aws.plugins.module_utils.policy import compare_policies
except ImportError:  # pragma: no cover - amazon.aws ships with the ansible package
    compare_policies = None

MISSING = "missing"
CHANGED = "changed"
EXTRA = "extra"
KINDS = (MISSING, CHANGED, EXTRA)
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def finding(kind, resource_type, resource, field=None, desired=None, actual=None):
    return {
        "kind": kind,
        "resource_type": resource_type,
        "resource": resource,
        "field": field,
        "desired": desired,
        "actual": actual,
    }


def _canonical(value):
    """A value in a form where two values of the same meaning are equal (numbers as floats, lists sorted)."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, dict):
        return dict((str(key), _canonical(item)) for key, item in value.items())
    if isinstance(value, (list, tuple, set)):
        items = [_canonical(item) for item in value]
        return sorted(items, key=lambda item: json.dumps(item, sort_keys=True, default=str))
    return value


def same(desired, actual):
    """Whether ``actual`` holds what ``desired`` says: numbers by value, lists as sets, dicts key by key."""
    # As JSON text: in Python True == 1, for AWS a flag and a count differ.
    return json.dumps(_canonical(desired), sort_keys=True, default=str) == json.dumps(
        _canonical(actual), sort_keys=True, default=str
    )


def _policy(document):
    if isinstance(document, str):
        try:
            return json.loads(document)
        except ValueError:
            return document
    return document


def same_policy(desired, actual):
    """Whether two policy documents mean the same (a JSON string or a dict; None only equals None)."""
    desired, actual = _policy(desired), _policy(actual)
    if not desired or not actual:
        return not desired and not actual
    return not compare_policies(desired, actual)


def at_least(desired, actual):
    """For values AWS raises by itself within what the desired state allows (storage autoscaling, a minor version
    upgrade when automatic minor upgrades are on): ``actual`` is drift only below ``desired``."""
    try:
        return _version(actual) >= _version(desired)
    except (TypeError, ValueError):
        return same(desired, actual)


def _version(value):
    return tuple(int(part) for part in str(value).split("."))


def compare(findings, resource_type, resource, desired, actual, rules=None):
    """Append a ``changed`` finding for each field of ``desired`` that ``actual`` holds otherwise.

    ``rules`` maps a field to the comparison it needs (``same_policy``, ``at_least``); ``same`` otherwise. A
    desired value of None is not compared: the desired state leaves that field to AWS's default."""
    rules = rules or {}
    for field in sorted(desired):
        wanted = desired[field]
        if wanted is None:
            continue
        got = actual.get(field)
        if not rules.get(field, same)(wanted, got):
            findings.append(finding(CHANGED, resource_type, resource, field, wanted, got))


def compare_tags(findings, resource_type, resource, desired_tags, actual_tags):
    """The desired tags, each a field ``tags.<key>``; tags the desired state does not hold are not drift (AWS and
    other tools add their own, e.g. ``aws:cloudformation:*``)."""
    actual_tags = actual_tags or {}
    for key in sorted(desired_tags or {}):
        if actual_tags.get(key) != desired_tags[key]:
            findings.append(
                finding(CHANGED, resource_type, resource, "tags.%s" % key, desired_tags[key], actual_tags.get(key))
            )


# -- accepted drift --------------------------------------------------------------------------------------------------
def accept_errors(entries, variable="drift_accept"):
    """What is wrong with the accepted-drift list, each naming its entry (an empty list when nothing is)."""
    errors = []
    if not isinstance(entries, list):
        return ["%s must be a list of {resource, field, reason, until}, got %r" % (variable, entries)]
    for index, entry in enumerate(entries):
        where = "%s[%d]" % (variable, index)
        if not isinstance(entry, dict):
            errors.append("%s must be a dict {resource, field, reason, until}, got %r" % (where, entry))
            continue
        unknown = sorted(set(entry) - set(("resource", "field", "reason", "until")))
        if unknown:
            errors.append("%s has unknown keys %s: allowed are resource, field, reason, until" % (where, unknown))
        if not isinstance(entry.get("resource"), str) or not entry.get("resource"):
            errors.append("%s.resource must name the resource of the finding (e.g. triflow-acme-prod-db)" % where)
        if entry.get("field") is not None and not isinstance(entry.get("field"), str):
            errors.append("%s.field must be the finding's field (e.g. multi_az), or left out for every field" % where)
        if not isinstance(entry.get("reason"), str) or not entry.get("reason").strip():
            errors.append("%s.reason must say why the drift is accepted" % where)
        if _date(entry.get("until")) is None:
            errors.append(
                "%s.until must be a date YYYY-MM-DD (the last day the drift is accepted), got %r"
                % (where, entry.get("until"))
            )
    return errors


def _date(value):
    if isinstance(value, datetime.date):
        return value
    if not isinstance(value, str) or not DATE.match(value):
        return None
    try:
        return datetime.datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        return None


def apply_accepted(findings, entries, today):
    """Mark each finding an entry accepts (same resource, same field or no field given, ``today`` on or before
    ``until``) as ``accepted``; a matching entry whose date has passed leaves the finding drift and says so."""
    for item in findings:
        item["accepted"] = False
        for entry in entries or []:
            if entry["resource"] != item["resource"] or entry.get("field") not in (None, item["field"]):
                continue
            until = _date(entry["until"])
            if today <= until:
                item.update(accepted=True, accepted_reason=entry["reason"], accepted_until=str(until))
                break
            item["accepted_expired"] = "accepted until %s (%s): expired" % (until, entry["reason"])
    return findings


def counts(findings):
    """How many findings of each kind are drift (not accepted), and how many are accepted."""
    drift = [item for item in findings if not item.get("accepted")]
    result = dict((kind, len([item for item in drift if item["kind"] == kind])) for kind in KINDS)
    result["accepted"] = len(findings) - len(drift)
    result["drift"] = len(drift)
    return result


# -- reports ---------------------------------------------------------------------------------------------------------
def _cell(value):
    if value is None:
        return ""
    if not isinstance(value, str):
        value = json.dumps(value, sort_keys=True)
    if len(value) > 120:
        value = value[:117] + "..."
    return value.replace("|", "\\|").replace("\n", " ")


def status(report):
    """``error`` (the check could not run), ``drift`` or ``clean`` (accepted drift included)."""
    if report.get("error"):
        return "error"
    return "drift" if report["counts"]["drift"] else "clean"


def markdown(report):
    """One stack's drift report as Markdown: a line of counts, then a table of the findings."""
    lines = ["# Drift of %s: %s" % (report["stack"], status(report)), ""]
    if report.get("error"):
        lines += ["The check could not run: %s" % report["error"], ""]
        return "\n".join(lines)
    found = report["counts"]
    lines.append(
        "Checked %s in %.1f s (%d API calls): %d missing, %d changed, %d extra, %d accepted."
        % (
            report["checked_at"],
            report["duration"],
            report["api_calls"],
            found["missing"],
            found["changed"],
            found["extra"],
            found["accepted"],
        )
    )
    lines.append("")
    for note in report.get("notes") or []:
        lines += ["Not checked: %s" % note, ""]
    if not report["findings"]:
        lines.append("No drift: every managed resource matches its desired state.")
        return "\n".join(lines) + "\n"
    lines += [
        "| kind | resource type | resource | field | desired | actual | accepted |",
        "|---|---|---|---|---|---|---|",
    ]
    for item in report["findings"]:
        accepted = "until %s: %s" % (item["accepted_until"], item["accepted_reason"]) if item.get("accepted") else ""
        lines.append(
            "| %s |"
            % " | ".join(
                _cell(value)
                for value in (
                    item["kind"],
                    item["resource_type"],
                    item["resource"],
                    item["field"],
                    item["desired"],
                    item["actual"],
                    accepted or item.get("accepted_expired", ""),
                )
            )
        )
    return "\n".join(lines) + "\n"


def summary(reports):
    """Every stack of the run: its status and counts, and the run's status (error before drift before clean)."""
    stacks = []
    for report in sorted(reports, key=lambda item: item["stack"]):
        stacks.append(
            {
                "stack": report["stack"],
                "status": status(report),
                "counts": report.get("counts") or {},
                "error": report.get("error"),
                "duration": report.get("duration"),
                "api_calls": report.get("api_calls"),
            }
        )
    statuses = set(item["status"] for item in stacks)
    overall = "error" if "error" in statuses else "drift" if "drift" in statuses else "clean"
    return {"status": overall, "stacks": stacks}


def summary_markdown(run_summary):
    lines = [
        "# Drift check: %s" % run_summary["status"],
        "",
        "| stack | status | missing | changed | extra | accepted | seconds | API calls |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for item in run_summary["stacks"]:
        found = item["counts"]
        lines.append(
            "| %s | %s | %s | %s | %s | %s | %s | %s |"
            % (
                item["stack"],
                item["status"] if not item["error"] else "error: %s" % _cell(item["error"]),
                found.get("missing", ""),
                found.get("changed", ""),
                found.get("extra", ""),
                found.get("accepted", ""),
                "" if item["duration"] is None else "%.1f" % item["duration"],
                "" if item["api_calls"] is None else item["api_calls"],
            )
        )
    return "\n".join(lines) + "\n"
