# -*- coding: utf-8 -*-
# Copyright: TriFlow AI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""S3 lifecycle configurations compared by meaning: rule order and AWS's defaults do not count as differences."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy


def _normalize_filter(rule):
    """AWS answers ``Filter: {}`` or ``{Prefix: ''}`` for a rule that matches every object; make both the same."""
    rule_filter = rule.get("Filter")
    if rule_filter is None and "Prefix" in rule:
        rule_filter = {"Prefix": rule.pop("Prefix")}
    rule_filter = dict(rule_filter or {})
    if rule_filter.get("Prefix") == "":
        del rule_filter["Prefix"]
    and_filter = rule_filter.get("And")
    if and_filter is not None:
        and_filter = dict(and_filter)
        if "Tags" in and_filter:
            and_filter["Tags"] = sorted(and_filter["Tags"], key=lambda tag: (tag["Key"], tag["Value"]))
        rule_filter["And"] = and_filter
    rule["Filter"] = rule_filter
    return rule


def normalize_rules(rules):
    """Rules sorted by ID, with empty parts and AWS's defaults removed, so two equal configurations compare equal."""
    normalized = []
    for rule in rules or []:
        rule = copy.deepcopy(rule)
        _normalize_filter(rule)
        for key in list(rule):
            if rule[key] in (None, [], {}) and key != "Filter":
                del rule[key]
        if "Transitions" in rule:
            rule["Transitions"] = sorted(
                rule["Transitions"],
                key=lambda transition: (transition.get("Days", 0), transition.get("StorageClass", "")),
            )
        normalized.append(rule)
    return sorted(normalized, key=lambda rule: rule.get("ID", ""))


def rule_ids_missing(rules):
    """Positions of rules without an ID (every rule needs one, so changes can be compared rule by rule)."""
    return [index for index, rule in enumerate(rules or []) if not rule.get("ID")]
