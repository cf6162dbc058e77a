"""The AWS rules roles and modules share (module_utils/rules.py): windows, failover, whole numbers."""

from __future__ import annotations

import pytest
from ansible_collections.triflow.platform.plugins.module_utils.rules import (
    ELASTICACHE_WINDOW_MINUTES,
    RDS_WINDOW_MINUTES,
    failover_errors,
    int_in_range,
    window_errors,
)

NAMES = {"replicas": "r", "automatic_failover": "f", "multi_az": "m"}


def _overlap(daily: str, weekly: str) -> bool:
    return any("overlaps" in error for error in window_errors("daily", daily, "weekly", weekly, RDS_WINDOW_MINUTES))


@pytest.mark.parametrize(
    ("daily", "weekly", "overlaps"),
    [
        ("18:00-19:00", "mon:19:00-mon:20:00", False),  # touching: AWS accepts it
        ("18:30-19:30", "mon:19:00-mon:20:00", True),
        ("23:30-00:30", "tue:00:00-tue:01:00", True),  # across midnight
        ("23:00-23:30", "sun:23:45-mon:00:45", False),  # across the week's end, apart
        ("00:00-00:30", "sun:23:45-mon:00:45", True),
    ],
)
def test_daily_and_weekly_windows_overlap(daily, weekly, overlaps):
    assert _overlap(daily, weekly) is overlaps


def test_window_format_length_and_overlap_name_their_variables():
    assert window_errors("b", "25:00-26:00", "m", "mon:19:00-mon:20:00", RDS_WINDOW_MINUTES) == [
        "b '25:00-26:00' is not a daily UTC window hh24:mi-hh24:mi (e.g. 18:00-19:00)"
    ]
    assert window_errors("b", "18:00-18:15", "m", "mon:19:00-mon:20:00", RDS_WINDOW_MINUTES) == [
        "b '18:00-18:15' is shorter than 30 minutes"
    ]
    assert window_errors("s", "17:00-18:00", "m", "sun:19:00-sun:19:30", ELASTICACHE_WINDOW_MINUTES) == [
        "m 'sun:19:00-sun:19:30' is shorter than 60 minutes"
    ]
    assert window_errors("s", "19:00-20:00", "m", "SUN:19:30-SUN:20:30", ELASTICACHE_WINDOW_MINUTES) == [
        "s '19:00-20:00' overlaps m 'SUN:19:30-SUN:20:30': AWS requires them apart"
    ]


def test_a_window_left_out_is_not_checked():
    assert window_errors("s", None, "m", "sun:19:00-sun:20:00", ELASTICACHE_WINDOW_MINUTES) == []
    assert window_errors("s", "17:00-18:00", "m", None, ELASTICACHE_WINDOW_MINUTES) == []


@pytest.mark.parametrize(
    ("replicas", "failover", "multi_az", "expected"),
    [
        (1, True, True, []),
        (0, True, False, ["f needs r of at least 1, a replica to fail over to (it is 0)"]),
        (1, False, True, ["m needs f"]),
        (None, True, None, []),  # unknown values are not judged (a module leaves unset options alone)
        (0, False, False, []),
    ],
)
def test_failover_needs_a_replica_and_multi_az_needs_failover(replicas, failover, multi_az, expected):
    assert failover_errors(NAMES, replicas, failover, multi_az) == expected


@pytest.mark.parametrize(("value", "valid"), [(5, True), (0, False), (11, False), (True, False), ("5", False)])
def test_whole_numbers_in_range(value, valid):
    errors: list[str] = []
    assert int_in_range("v", value, 1, 10, errors) is valid
    assert errors == ([] if valid else ["v %r is invalid: a whole number from 1 to 10" % (value,)])
