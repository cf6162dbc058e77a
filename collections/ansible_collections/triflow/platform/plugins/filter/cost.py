# -*- coding: utf-8 -*-
# Copyright: TriFlow AI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the cost role: a stack's bill of quantities priced with a region's table, and the report as Markdown."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError
from ansible_collections.triflow.platform.plugins.module_utils.cost import PriceError, estimate, markdown


def _estimate(bill, prices):
    try:
        return estimate(bill, prices, bill.get("currency"))
    except PriceError as error:
        raise AnsibleFilterError(str(error)) from None


class FilterModule:
    """Cost filters."""

    def filters(self):
        return {"cost_estimate": _estimate, "cost_markdown": markdown}
