"""The drift check's comparisons, accepted drift and reports (module_utils/drift.py): each normalisation rule once."""

from __future__ import annotations

import datetime

import pytest
from ansible_collections.triflow.platform.plugins.module_utils import drift
from ansible_collections.triflow.platform.plugins.module_utils.roles.storage import tls_only_policy

TODAY = datetime.date(2026, 12, 7)
TLS_ONLY = tls_only_policy("b", "ap-northeast-2")


@pytest.mark.parametrize(
    ("desired", "actual"),
    [
        (5, 5.0),
        (["a", "b"], ["b", "a"]),
        ([{"Days": 1}, {"Days": 2}], [{"Days": 2.0}, {"Days": 1}]),
        ({"a": [1, 2]}, {"a": [2, 1]}),
    ],
)
def test_numbers_by_value_and_lists_as_sets_are_the_same(desired, actual):
    assert drift.same(desired, actual)


@pytest.mark.parametrize(
    ("desired", "actual"),
    [(True, 1), (5, "5"), (["a"], ["a", "a"]), ({"a": 1}, {"a": 1, "b": 2}), ("x", None), (False, None)],
)
def test_a_different_type_count_or_key_is_not_the_same(desired, actual):
    assert not drift.same(desired, actual)


def test_policies_are_compared_by_meaning_json_text_included():
    text = '{"Version": "2012-10-17", "Statement": [{"Sid": "DenyInsecureTransport", "Effect": "Deny", ' + (
        '"Principal": "*", "Action": ["s3:*"], "Resource": ["arn:aws:s3:::b/*", "arn:aws:s3:::b"], '
        '"Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}'
    )
    assert drift.same_policy(TLS_ONLY, text)
    wider = dict(TLS_ONLY, Statement=[dict(TLS_ONLY["Statement"][0], Effect="Allow")])
    assert not drift.same_policy(TLS_ONLY, wider)
    assert not drift.same_policy(TLS_ONLY, None)
    assert drift.same_policy(None, None)


@pytest.mark.parametrize(
    ("desired", "actual", "ok"),
    [("16.6", "16.8", True), ("16.6", "16.4", False), (100, 120, True), (100, 80, False), ("16.6", None, False)],
)
def test_values_aws_raises_itself_are_lower_bounds(desired, actual, ok):
    assert drift.at_least(desired, actual) is ok


def test_compare_names_each_differing_field_and_skips_fields_left_to_aws():
    findings = []
    drift.compare(
        findings,
        "db_instance",
        "db",
        {"multi_az": True, "iops": None, "engine_version": "16.6", "port": 5432},
        {"multi_az": False, "iops": 3000, "engine_version": "16.8", "port": 5432},
        {"engine_version": drift.at_least},
    )
    assert findings == [
        {
            "kind": "changed",
            "resource_type": "db_instance",
            "resource": "db",
            "field": "multi_az",
            "desired": True,
            "actual": False,
        }
    ]


def test_tags_others_add_are_not_drift_but_a_changed_or_removed_one_is():
    findings = []
    drift.compare_tags(
        findings,
        "vpc",
        "v",
        {"Project": "triflow", "Customer": "acme"},
        {"Project": "other", "aws:cloudformation:stack-name": "x"},
    )
    assert [(item["field"], item["desired"], item["actual"]) for item in findings] == [
        ("tags.Customer", "acme", None),
        ("tags.Project", "triflow", "other"),
    ]


def test_accepted_drift_holds_until_its_last_day_then_is_drift_again():
    findings = [
        drift.finding("changed", "db_instance", "db", "multi_az", True, False),
        drift.finding("changed", "db_instance", "db", "instance_class", "a", "b"),
        drift.finding("missing", "vpc", "v"),
    ]
    entries = [
        {"resource": "db", "field": "multi_az", "reason": "test", "until": "2026-12-07"},
        {"resource": "v", "reason": "rebuilt on Monday", "until": "2026-12-06"},
    ]
    drift.apply_accepted(findings, entries, TODAY)
    assert [item["accepted"] for item in findings] == [True, False, False]
    assert findings[0]["accepted_until"] == "2026-12-07" and findings[0]["accepted_reason"] == "test"
    assert "expired" in findings[2]["accepted_expired"]
    assert drift.counts(findings) == {"missing": 1, "changed": 1, "extra": 0, "accepted": 1, "drift": 2}
    drift.apply_accepted(findings, entries, TODAY + datetime.timedelta(days=1))
    assert not any(item["accepted"] for item in findings)


def test_an_entry_without_field_accepts_every_field_of_its_resource():
    findings = [drift.finding("changed", "sg", "g", "ingress", "a", None), drift.finding("extra", "sg", "g", "egress")]
    drift.apply_accepted(findings, [{"resource": "g", "reason": "r", "until": "2027-01-01"}], TODAY)
    assert all(item["accepted"] for item in findings)


@pytest.mark.parametrize(
    ("entries", "named"),
    [
        ("x", "drift_accept must be a list"),
        ([{"field": "multi_az", "reason": "r", "until": "2026-12-31"}], "drift_accept[0].resource"),
        ([{"resource": "db", "until": "2026-12-31"}], "drift_accept[0].reason"),
        ([{"resource": "db", "reason": "r", "until": "31/12/2026"}], "drift_accept[0].until"),
        ([{"resource": "db", "reason": "r", "until": "2026-02-30"}], "drift_accept[0].until"),
        ([{"resource": "db", "reason": "r", "until": "2026-12-31", "fields": "x"}], "unknown keys ['fields']"),
        (["db"], "drift_accept[0] must be a dict"),
    ],
)
def test_a_bad_accept_entry_is_named(entries, named):
    errors = drift.accept_errors(entries)
    assert len(errors) == 1 and named in errors[0], errors


def test_a_date_yaml_parsed_is_a_valid_until():
    assert drift.accept_errors([{"resource": "db", "reason": "r", "until": datetime.date(2026, 12, 31)}]) == []


def report(stack, findings=(), error=None):
    findings = list(findings)
    return {
        "stack": stack,
        "checked_at": "2026-12-07T00:00:00Z",
        "findings": findings,
        "duration": 1.5,
        "api_calls": 60,
        "counts": drift.counts(findings),
        "error": error,
    }


def test_the_markdown_report_has_a_row_per_finding_and_escapes_cells():
    item = drift.finding("changed", "target_group", "tg", "health_check_path", "/health", "/a|b")
    text = drift.markdown(report("s", drift.apply_accepted([item], [], TODAY)))
    assert text.startswith("# Drift of s: drift\n")
    assert "| changed | target_group | tg | health_check_path | /health | /a\\|b |  |" in text
    assert "No drift" in drift.markdown(report("s"))


def test_the_summary_is_error_before_drift_before_clean():
    clean, drifted = report("a"), report("b", [dict(drift.finding("missing", "vpc", "v"), accepted=False)])
    broken = {"stack": "c", "error": "could not connect", "findings": [], "counts": {}}
    assert drift.summary([clean])["status"] == "clean"
    assert drift.summary([clean, drifted])["status"] == "drift"
    summary = drift.summary([drifted, broken, clean])
    assert summary["status"] == "error"
    assert [item["stack"] for item in summary["stacks"]] == ["a", "b", "c"]
    text = drift.summary_markdown(summary)
    assert "| c | error: could not connect |" in text and "| b | drift | 1 | 0 | 0 | 0 | 1.5 | 60 |" in text
