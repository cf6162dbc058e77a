"""Lifecycle rules compared by meaning (module_utils/s3_lifecycle_configuration.py)."""

from __future__ import annotations

from ansible_collections.triflow.platform.plugins.module_utils.s3_lifecycle_configuration import (
    normalize_rules,
    rule_ids_missing,
)

RULE_A = {"ID": "a", "Status": "Enabled", "Filter": {"Prefix": "logs/"}, "Expiration": {"Days": 365}}
RULE_B = {"ID": "b", "Status": "Enabled", "Filter": {}, "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7}}


def test_rule_order_does_not_count():
    assert normalize_rules([RULE_A, RULE_B]) == normalize_rules([RULE_B, RULE_A])


def test_empty_prefix_filter_equals_empty_filter_and_legacy_prefix():
    legacy = {
        "ID": "b",
        "Status": "Enabled",
        "Prefix": "",
        "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
    }
    with_empty_prefix = {**RULE_B, "Filter": {"Prefix": ""}}
    assert normalize_rules([legacy]) == normalize_rules([RULE_B]) == normalize_rules([with_empty_prefix])


def test_tag_order_does_not_count_but_values_do():
    tags = [{"Key": "x", "Value": "1"}, {"Key": "a", "Value": "2"}]
    first = {"ID": "t", "Status": "Enabled", "Filter": {"And": {"Prefix": "p/", "Tags": tags}}}
    second = {"ID": "t", "Status": "Enabled", "Filter": {"And": {"Prefix": "p/", "Tags": list(reversed(tags))}}}
    assert normalize_rules([first]) == normalize_rules([second])
    changed = {"ID": "t", "Status": "Enabled", "Filter": {"And": {"Prefix": "p/", "Tags": [tags[0]]}}}
    assert normalize_rules([first]) != normalize_rules([changed])


def test_a_changed_day_count_is_a_difference():
    assert normalize_rules([RULE_A]) != normalize_rules([{**RULE_A, "Expiration": {"Days": 30}}])


def test_rules_without_id_are_found():
    assert rule_ids_missing([RULE_A, {"Status": "Enabled"}]) == [1]


def test_normalizing_does_not_modify_the_input():
    rules = [{"ID": "b", "Status": "Enabled", "Prefix": "", "Expiration": {"Days": 1}}]
    normalize_rules(rules)
    assert rules == [{"ID": "b", "Status": "Enabled", "Prefix": "", "Expiration": {"Days": 1}}]
