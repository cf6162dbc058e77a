"""The elasticache role's model on its real defaults: checks (after argument_specs) and desired state."""

from __future__ import annotations

import pytest
from support import roles


def test_defaults_build_the_spec_replication_group():
    state = roles.desired_state("elasticache")
    assert state["replication_group"]["id"] == "triflow-acme-prod-redis"
    assert state["parameter_group"]["parameters"] == {"timeout": "300", "maxmemory-policy": "allkeys-lru"}
    assert state["replication_group"]["replicas"] == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"elasticache_replicas": 0}, "elasticache_automatic_failover needs elasticache_replicas of at least 1"),
        ({"elasticache_automatic_failover": False}, "elasticache_multi_az needs elasticache_automatic_failover"),
        ({"elasticache_name_prefix": "triflow-" + "x" * 30}, "ElastiCache allows 40"),
        (
            {"elasticache_log_retention_days": 15},
            "elasticache_log_retention_days 15 is not a CloudWatch Logs retention",
        ),
        ({"elasticache_snapshot_window": "17:00-17:30"}, "is shorter than 60 minutes"),
        (
            {"elasticache_snapshot_window": "19:00-20:00", "elasticache_maintenance_window": "sun:19:30-sun:20:30"},
            "elasticache_snapshot_window '19:00-20:00' overlaps elasticache_maintenance_window",
        ),
        ({"elasticache_engine_version": "6.2"}, "elasticache_engine_version '6.2' is not a Redis 7.x version"),
        (
            {"elasticache_parameter_group_family": "redis6.x"},
            "elasticache_parameter_group_family must be one of: redis7",
        ),
        ({"elasticache_maxmemory_policy": "lru"}, "elasticache_maxmemory_policy must be one of"),
    ],
)
def test_bad_input_is_named(changes, message):
    errors = roles.errors("elasticache", **changes)
    assert any(message in error for error in errors), errors
