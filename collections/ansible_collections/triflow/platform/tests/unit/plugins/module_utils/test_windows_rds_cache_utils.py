"""Time windows, and the rds and elasticache roles' checks and desired states."""

from __future__ import annotations

import pytest
from ansible_collections.triflow.platform.plugins.module_utils.cache import (
    elasticache_desired_state,
    elasticache_input_errors,
)
from ansible_collections.triflow.platform.plugins.module_utils.rds import rds_desired_state, rds_input_errors
from ansible_collections.triflow.platform.plugins.module_utils.windows import (
    daily_overlaps_weekly,
    daily_window_errors,
    weekly_window_errors,
)


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
    assert daily_overlaps_weekly(daily, weekly) is overlaps


def test_window_format_and_length_are_named():
    assert "is not a daily UTC window" in daily_window_errors("w", "25:00-26:00")[0]
    assert "is shorter than 30 minutes" in daily_window_errors("w", "18:00-18:15")[0]
    assert "is shorter than 60 minutes" in weekly_window_errors("w", "sun:19:00-sun:19:30", 60)[0]
    assert weekly_window_errors("w", "SUN:19:00-SUN:20:00", 60) == []


RDS = {
    "rds_name_prefix": "triflow-acme-prod",
    "rds_tags": {"Customer": "acme"},
    "rds_engine_version": "16.6",
    "rds_instance_class": "db.t4g.medium",
    "rds_multi_az": True,
    "rds_storage_type": "gp3",
    "rds_allocated_storage": 100,
    "rds_max_allocated_storage": 200,
    "rds_iops": 0,
    "rds_backup_retention_days": 7,
    "rds_backup_window": "18:00-19:00",
    "rds_maintenance_window": "mon:19:00-mon:20:00",
    "rds_cloudwatch_logs_exports": ["postgresql", "upgrade"],
    "rds_performance_insights_retention_days": 7,
    "rds_monitoring_interval": 60,
    "rds_deletion_protection": True,
    "rds_master_username": "triflow_admin",
    "rds_db_name": "triflow",
    "rds_app_pool_size": 20,
    "rds_app_max_tasks": 5,
    "rds_reserved_connections": 15,
}


def test_rds_baseline_is_valid_and_splits_static_from_dynamic_parameters():
    assert rds_input_errors(RDS) == []
    group = rds_desired_state(RDS)["parameter_group"]
    assert group["family"] == "postgres16"
    assert group["static"] == {"shared_preload_libraries": "pg_stat_statements", "max_connections": "115"}
    assert group["dynamic"] == {"log_statement": "mod", "log_min_duration_statement": "1000", "rds.force_ssl": "1"}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"rds_engine_version": "16.3"}, "rds_engine_version '16.3' has no RDS build with pgvector 0.8"),
        ({"rds_engine_version": "17.1"}, None),
        ({"rds_engine_version": "12.20"}, "rds_engine_version '12.20' has no RDS build"),
        ({"rds_max_allocated_storage": 50}, "rds_max_allocated_storage 50 is below rds_allocated_storage 100"),
        ({"rds_iops": 3000}, "rds_iops is set but rds_allocated_storage is 100 GiB"),
        ({"rds_iops": 12000, "rds_allocated_storage": 400, "rds_max_allocated_storage": 800}, None),
        ({"rds_backup_window": "19:30-20:30"}, "rds_backup_window '19:30-20:30' overlaps rds_maintenance_window"),
        ({"rds_monitoring_interval": 45}, "rds_monitoring_interval 45 is invalid"),
        ({"rds_performance_insights_retention_days": 30}, "rds_performance_insights_retention_days 30 is invalid"),
        ({"rds_master_username": "postgres"}, "rds_master_username 'postgres' is invalid"),
    ],
)
def test_rds_bad_input_is_named(changes, message):
    errors = rds_input_errors({**RDS, **changes})
    if message is None:
        assert errors == []
    else:
        assert any(message in error for error in errors), errors


CACHE = {
    "elasticache_name_prefix": "triflow-acme-prod",
    "elasticache_tags": {"Customer": "acme"},
    "elasticache_engine_version": "7.1",
    "elasticache_parameter_group_family": "redis7",
    "elasticache_node_type": "cache.t4g.small",
    "elasticache_replicas": 1,
    "elasticache_automatic_failover": True,
    "elasticache_multi_az": True,
    "elasticache_timeout": 300,
    "elasticache_maxmemory_policy": "allkeys-lru",
    "elasticache_snapshot_retention_days": 5,
    "elasticache_snapshot_window": "17:00-18:00",
    "elasticache_maintenance_window": "sun:19:00-sun:20:00",
    "elasticache_log_retention_days": 14,
}


def test_cache_baseline_is_valid():
    assert elasticache_input_errors(CACHE) == []
    state = elasticache_desired_state(CACHE)
    assert state["replication_group"]["id"] == "triflow-acme-prod-redis"
    assert state["parameter_group"]["parameters"] == {"timeout": "300", "maxmemory-policy": "allkeys-lru"}


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
        ({"elasticache_engine_version": "6.2"}, "elasticache_engine_version '6.2' is not a Redis 7.x version"),
    ],
)
def test_cache_bad_input_is_named(changes, message):
    errors = elasticache_input_errors({**CACHE, **changes})
    assert any(message in error for error in errors), errors
