"""The comparison and request helpers of module_utils/elasticache_replication_group.py."""

from __future__ import annotations

import pytest
from ansible_collections.triflow.platform.plugins.module_utils import elasticache_replication_group as ec


@pytest.mark.parametrize(
    ("maintenance", "snapshot", "overlaps"),
    [
        ("sun:19:00-sun:20:00", "17:00-18:00", False),  # the SPEC's windows
        ("sun:17:30-sun:18:30", "17:00-18:00", True),
        ("sun:18:00-sun:19:00", "17:00-18:00", False),  # touching is not overlapping
        ("sat:23:30-sun:00:30", "00:00-01:00", True),  # across the week's end
        ("mon:23:00-tue:00:00", "23:30-00:30", True),  # snapshot window across midnight
        ("tue:01:00-tue:02:00", "23:30-00:30", False),
        ("SUN:17:00-SUN:18:00", "17:00-18:00", True),  # day names in any case
    ],
)
def test_window_overlap(maintenance: str, snapshot: str, overlaps: bool) -> None:
    errors = ec.input_errors(
        {
            "replication_group_id": "triflow-redis",
            "preferred_maintenance_window": maintenance,
            "snapshot_window": snapshot,
        }
    )
    assert any("overlaps" in error for error in errors) is overlaps


@pytest.mark.parametrize(
    ("current", "wanted", "matches"),
    [
        ("7.1.0", "7.1", True),
        ("7.1", "7.1", True),
        ("7.10.0", "7.1", False),
        ("6.2.6", "7.1", False),
        (None, "7", False),
    ],
)
def test_engine_version_matches(current: str | None, wanted: str, matches: bool) -> None:
    assert ec.engine_version_matches(current, wanted) is matches


@pytest.mark.parametrize(
    ("timeout", "config"),
    [
        (1800, {"Delay": 15, "MaxAttempts": 121}),
        (60, {"Delay": 1, "MaxAttempts": 61}),
        (1, {"Delay": 1, "MaxAttempts": 2}),
    ],
)
def test_waiter_config_covers_the_timeout(timeout: int, config: dict[str, int]) -> None:
    assert ec.waiter_config(timeout) == config
    assert (config["MaxAttempts"] - 1) * config["Delay"] >= timeout


def test_log_delivery_changes() -> None:
    slow = {"log_type": "slow-log", "destination_type": "cloudwatch-logs", "destination": "/a", "log_format": "json"}
    engine = dict(slow, log_type="engine-log")
    assert ec.log_delivery_changes([slow, engine], [slow, engine]) == []
    assert ec.log_delivery_changes([slow], [dict(slow, log_format="text")]) == [
        {
            "LogType": "slow-log",
            "Enabled": True,
            "DestinationType": "cloudwatch-logs",
            "DestinationDetails": {"CloudWatchLogsDetails": {"LogGroup": "/a"}},
            "LogFormat": "text",
        }
    ]
    assert ec.log_delivery_changes([slow, engine], []) == [
        {"LogType": "engine-log", "Enabled": False},
        {"LogType": "slow-log", "Enabled": False},
    ]


def test_differences_ignore_unmanaged_options_and_count_token_updates() -> None:
    current = {"cache_node_type": "cache.t4g.small", "snapshot_window": "17:00-18:00", "auth_token_enabled": True}
    desired = ec.desired_settings({"cache_node_type": "cache.t4g.small", "auth_token_update_strategy": "ROTATE"})
    assert "snapshot_window" not in desired
    assert ec.differences(current, desired, None) == {}
    assert ec.differences(current, desired, "ROTATE") == {"auth_token_enabled": (True, True)}
