"""Bad parameters are refused before any AWS call (the stubbed client has no answer for any call)."""

from __future__ import annotations

from typing import Any

import pytest
from rg_helpers import CREDENTIALS, Stubbed

VALID = {
    "replication_group_id": "triflow-acme-prod-redis",
    "description": "cache",
    "cache_node_type": "cache.t4g.small",
    "replicas_per_node_group": 1,
    "automatic_failover": True,
    "multi_az": True,
    "transit_encryption": True,
    "auth_token": "Valid-token-0123456789",
    "snapshot_window": "17:00-18:00",
    "preferred_maintenance_window": "sun:19:00-sun:20:00",
}

INVALID = {
    "id too long": ({"replication_group_id": "a" * 41}, "replication_group_id 'aaaa"),
    "id with capitals": ({"replication_group_id": "Triflow-redis"}, "must start with a lowercase letter"),
    "id starting with a digit": ({"replication_group_id": "1redis"}, "must start with a lowercase letter"),
    "id with two hyphens": ({"replication_group_id": "triflow--redis"}, "two consecutive hyphens"),
    "id ending with a hyphen": ({"replication_group_id": "triflow-redis-"}, "end with a hyphen"),
    "too many replicas": ({"replicas_per_node_group": 6}, "replicas_per_node_group must be 0 to 5, got 6"),
    "failover without replica": (
        {"replicas_per_node_group": 0},
        "automatic_failover needs replicas_per_node_group of at least 1",
    ),
    "multi-az without failover": ({"automatic_failover": False}, "multi_az needs automatic_failover"),
    "overlapping windows": (
        {"preferred_maintenance_window": "sun:17:30-sun:18:30"},
        "snapshot_window '17:00-18:00' overlaps preferred_maintenance_window 'sun:17:30-sun:18:30'",
    ),
    "windows overlapping across midnight": (
        {"snapshot_window": "23:30-00:30", "preferred_maintenance_window": "sat:23:45-sun:00:45"},
        "snapshot_window '23:30-00:30' overlaps preferred_maintenance_window",
    ),
    "malformed snapshot window": (
        {"snapshot_window": "5pm-6pm"},
        "snapshot_window '5pm-6pm' is not a daily UTC window",
    ),
    "malformed maintenance window": (
        {"preferred_maintenance_window": "sunday:19:00-sunday:20:00"},
        "preferred_maintenance_window 'sunday:19:00-sunday:20:00' is not a weekly UTC window",
    ),
    "short snapshot window": (
        {"snapshot_window": "17:00-17:30"},
        "snapshot_window '17:00-17:30' is shorter than 60 minutes",
    ),
    "short token": ({"auth_token": "too-short"}, "auth_token must be 16 to 128 characters long, got 9"),
    "token with @": ({"auth_token": "has-an-@-in-it-0123456789"}, "auth_token may contain only letters, digits"),
    "token with a slash": ({"auth_token": "has-a-/-in-it-0123456789"}, "auth_token may contain only letters, digits"),
    "token without TLS": ({"transit_encryption": False, "multi_az": False}, "auth_token requires transit_encryption"),
    "rotation without token": (
        {"auth_token": None, "auth_token_update_strategy": "ROTATE"},
        "ROTATE requires auth_token",
    ),
    "delete with a token": ({"auth_token_update_strategy": "DELETE"}, "DELETE removes the token"),
    "bad port": ({"port": 70000}, "port must be 1 to 65535"),
    "log type twice": (
        {
            "log_delivery_configurations": [
                {"log_type": "slow-log", "destination": "a"},
                {"log_type": "slow-log", "destination": "b"},
            ]
        },
        "log_delivery_configurations lists a log_type twice",
    ),
}


@pytest.mark.parametrize("case", INVALID.values(), ids=INVALID.keys())
def test_invalid_parameters_fail_before_any_call(
    stubbed: Stubbed, run_module, case: tuple[dict[str, Any], str]
) -> None:
    overrides, message = case
    params = dict(VALID, **overrides)
    params = {key: value for key, value in params.items() if value is not None}

    result = run_module(dict(CREDENTIALS, **params))

    assert result.failed
    assert message in result.msg
    assert "Valid-token" not in result.stdout


def test_every_problem_is_reported_at_once(stubbed: Stubbed, run_module) -> None:
    params = dict(VALID, replication_group_id="Bad--id", replicas_per_node_group=9, snapshot_window="x")

    result = run_module(dict(CREDENTIALS, **params))

    assert result.failed
    named = [error.split(" ")[0] for error in result.result["errors"]]
    assert named == ["replication_group_id", "replication_group_id", "replicas_per_node_group", "snapshot_window"]


def test_absent_checks_only_the_id(stubbed: Stubbed, run_module) -> None:
    result = run_module(dict(CREDENTIALS, replication_group_id="x" * 41, state="absent", snapshot_window="bad"))

    assert result.failed
    assert result.result["errors"] == [
        "replication_group_id '%s' is 41 characters long; AWS allows at most 40" % ("x" * 41)
    ]
