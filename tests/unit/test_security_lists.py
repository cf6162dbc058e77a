"""tools/security: the checked-in Prowler check lists and how `make security` judges a run."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from support.emulator import REPO

SPEC = importlib.util.spec_from_file_location("security_run", REPO / "tools" / "security" / "run.py")
run = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(run)

HARDENING = {
    "ec2_securitygroup_default_restrict_traffic",
    "elbv2_alb_drop_invalid_header_fields_enabled",
    "iam_role_cross_service_confused_deputy_prevention",
    "ecs_task_definitions_logging_block_mode",
    "ecs_task_definitions_containers_readonly_access",
    "elasticache_redis_cluster_auto_minor_version_upgrades",
    "secretsmanager_has_restrictive_resource_policy",
}


def test_the_checked_in_lists_are_valid_and_commit_to_the_hardening_checks():
    committed, excused = run.lists()
    assert set(committed) >= HARDENING
    assert all(reason for reason in excused.values())
    assert not set(committed) & set(excused)


def test_the_pinned_prowler_is_the_one_the_lists_were_made_with():
    pins = (REPO / "tools" / "security" / "requirements.txt").read_text().splitlines()
    assert "prowler==5.46.0" in pins
    assert all("==" in line for line in pins if line and not line.startswith("#"))


def test_an_excused_check_without_a_reason_is_refused_naming_the_line(tmp_path: Path):
    listing = tmp_path / "excused.txt"
    listing.write_text("# comment\nvpc_flow_logs_enabled: off for local\nelbv2_logging_enabled:\n")
    with pytest.raises(run.ListError, match=r"excused.txt:3: 'elbv2_logging_enabled:' needs the form"):
        run.excused_checks(listing)


def row(check: str, status: str, resource: str = "arn:aws:s3:::b") -> dict[str, str]:
    return {"CHECK_ID": check, "STATUS": status, "RESOURCE_UID": resource, "STATUS_EXTENDED": status.lower()}


def test_a_committed_check_fails_the_run_on_any_failed_finding_or_no_finding():
    rows = [row("a", "PASS"), row("a", "FAIL", "arn:2"), row("x", "FAIL")]
    failures, lines = run.judge(rows, ["a", "b"], {"x": "account-wide"})
    assert failures == ["a: FAIL arn:2: fail", "b: no finding (nothing was checked)"]
    assert lines == [
        "| a | committed | 1 | 1 | |",
        "| b | committed | 0 | 0 | |",
        "| x | excused | 0 | 1 | account-wide |",
    ]


def test_excused_failures_alone_pass_the_run():
    failures, _ = run.judge([row("a", "PASS"), row("x", "FAIL")], ["a"], {"x": "reason"})
    assert failures == []
