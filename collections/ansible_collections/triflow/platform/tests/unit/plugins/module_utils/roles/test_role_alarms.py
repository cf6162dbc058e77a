"""The alarms role's model (module_utils/roles/alarms.py) on its real defaults: the SPEC alarms, the dashboard, bad
input."""

from __future__ import annotations

import pytest
from support import roles
from support.spec_rows import DASHBOARD_METRICS

ALB = "app/triflow-acme-prod-alb/50dc6c495c0c9188"
TARGET_GROUP = "targetgroup/triflow-acme-prod-tg/73e2d6bc24d8a067"
SUBSCRIPTIONS = [
    {"protocol": "email", "endpoint": "ops@acme.example"},
    {"protocol": "https", "endpoint": "https://hooks.slack.com/services/T0/B0/x"},
]
# The role's defaults once the app tier exists (the ecs_service role publishes the ALB's ARN suffixes), with the
# subscriptions of an inventory.
BASE = {
    "alarms_alb_arn_suffix": ALB,
    "alarms_target_group_arn_suffix": TARGET_GROUP,
    "alarms_subscriptions": SUBSCRIPTIONS,
}

RDS = {"DBInstanceIdentifier": "triflow-acme-prod-db"}
SERVICE = {"ClusterName": "triflow-acme-prod", "ServiceName": "triflow-acme-prod-backend"}
TARGET = {"LoadBalancer": ALB, "TargetGroup": TARGET_GROUP}
NODE_1 = {"CacheClusterId": "triflow-acme-prod-redis-001"}
NODE_2 = {"CacheClusterId": "triflow-acme-prod-redis-002"}
GT = "GreaterThanThreshold"
LT = "LessThanThreshold"

# SPEC "Observability": alarm, namespace, metric, statistic, comparison, threshold, period, evaluations, missing
# data, dimensions. Redis alarms exist once per member node.
SPEC_ALARMS = [
    ("rds-cpu-high", "AWS/RDS", "CPUUtilization", "Average", GT, 80, 300, 2, "missing", RDS),
    ("rds-storage-low", "AWS/RDS", "FreeStorageSpace", "Average", LT, 10 * 1024**3, 300, 1, "missing", RDS),
    ("rds-connections-high", "AWS/RDS", "DatabaseConnections", "Average", GT, 92, 300, 2, "missing", RDS),
    ("redis-cpu-high-001", "AWS/ElastiCache", "EngineCPUUtilization", "Average", GT, 75, 300, 2, "missing", NODE_1),
    ("redis-cpu-high-002", "AWS/ElastiCache", "EngineCPUUtilization", "Average", GT, 75, 300, 2, "missing", NODE_2),
    (
        "redis-memory-high-001",
        "AWS/ElastiCache",
        "DatabaseMemoryUsagePercentage",
        "Average",
        GT,
        90,
        300,
        2,
        "missing",
        NODE_1,
    ),
    (
        "redis-memory-high-002",
        "AWS/ElastiCache",
        "DatabaseMemoryUsagePercentage",
        "Average",
        GT,
        90,
        300,
        2,
        "missing",
        NODE_2,
    ),
    ("redis-evictions-001", "AWS/ElastiCache", "Evictions", "Sum", GT, 100, 300, 1, "missing", NODE_1),
    ("redis-evictions-002", "AWS/ElastiCache", "Evictions", "Sum", GT, 100, 300, 1, "missing", NODE_2),
    ("ecs-cpu-high", "AWS/ECS", "CPUUtilization", "Average", GT, 85, 300, 2, "missing", SERVICE),
    ("ecs-memory-high", "AWS/ECS", "MemoryUtilization", "Average", GT, 90, 180, 2, "missing", SERVICE),
    ("alb-5xx-high", "AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", "Sum", GT, 10, 60, 1, "notBreaching", TARGET),
    ("alb-latency-high", "AWS/ApplicationELB", "TargetResponseTime", "p95", GT, 2, 300, 2, "missing", TARGET),
    ("alb-unhealthy-hosts", "AWS/ApplicationELB", "HealthyHostCount", "Minimum", LT, 1, 60, 1, "missing", TARGET),
    ("app-errors", "TriFlow/triflow-acme-prod", "AppErrors", "Sum", GT, 5, 60, 1, "notBreaching", {}),
]


def _state(**changes):
    return roles.desired_state("alarms", **{**BASE, **changes})


def _errors(**changes):
    return roles.errors("alarms", **{**BASE, **changes})


def test_baseline_is_valid_and_builds_every_spec_alarm_once():
    names = [alarm["name"] for alarm in _state()["alarms"]]
    assert sorted(names) == sorted("triflow-acme-prod-" + spec[0] for spec in SPEC_ALARMS)
    assert len(names) == len(set(names))


@pytest.mark.parametrize("spec", SPEC_ALARMS, ids=[spec[0] for spec in SPEC_ALARMS])
def test_each_alarm_matches_the_spec(spec):
    name, namespace, metric, statistic, comparison, threshold, period, evaluations, missing, dimensions = spec
    alarm = {alarm["name"]: alarm for alarm in _state()["alarms"]}["triflow-acme-prod-" + name]
    assert alarm["namespace"] == namespace
    assert alarm["metric_name"] == metric
    if statistic.startswith("p"):
        assert (alarm["statistic"], alarm["extended_statistic"]) == (None, statistic)
    else:
        assert (alarm["statistic"], alarm["extended_statistic"]) == (statistic, None)
    assert alarm["comparison"] == comparison
    assert alarm["threshold"] == threshold
    assert (alarm["period"], alarm["evaluation_periods"]) == (period, evaluations)
    assert alarm["treat_missing_data"] == missing
    assert alarm["dimensions"] == dimensions
    assert alarm["description"]


def test_storage_threshold_is_in_bytes_and_connections_threshold_rounds_down():
    state = _state(alarms_rds_max_connections=101)
    prefix = state["topic"]["name"].removesuffix("alarms")
    alarms = {alarm["name"].removeprefix(prefix): alarm for alarm in state["alarms"]}
    assert alarms["rds-storage-low"]["threshold"] == 10737418240
    # 80 % of 101 is 80.8: the alarm fires above 80 connections.
    assert alarms["rds-connections-high"]["threshold"] == 80
    assert _state(alarms_rds_connections_high_percent=50)["alarms"][2]["threshold"] == 57


def test_redis_alarms_watch_every_member_node():
    state = _state(alarms_cache_node_count=3)
    assert state["redis_members"] == [
        "triflow-acme-prod-redis-001",
        "triflow-acme-prod-redis-002",
        "triflow-acme-prod-redis-003",
    ]
    watched = {
        alarm["dimensions"]["CacheClusterId"] for alarm in state["alarms"] if alarm["namespace"] == "AWS/ElastiCache"
    }
    assert watched == set(state["redis_members"])


def test_alb_alarms_wait_for_the_alb_and_everything_else_is_built():
    state = _state(alarms_alb_arn_suffix="", alarms_target_group_arn_suffix="")
    names = [alarm["name"] for alarm in state["alarms"]]
    assert not [name for name in names if "-alb-" in name]
    assert state["alb_alarms_waiting"] == [
        "triflow-acme-prod-alb-5xx-high",
        "triflow-acme-prod-alb-latency-high",
        "triflow-acme-prod-alb-unhealthy-hosts",
    ]
    assert len(names) == len(SPEC_ALARMS) - 3
    # Only one of the two known is still waiting (HealthyHostCount needs both).
    assert _state(alarms_target_group_arn_suffix="")["alb_alarms_waiting"]
    assert _state()["alb_alarms_waiting"] == []


def test_topic_subscriptions_and_tags():
    topic = _state()["topic"]
    assert topic["name"] == "triflow-acme-prod-alarms"
    assert topic["subscriptions"] == SUBSCRIPTIONS
    assert topic["tags"] == {**roles.values("alarms")["alarms_tags"], "Name": "triflow-acme-prod-alarms"}
    assert topic["arn"] == "arn:aws:sns:ap-northeast-2:123456789012:triflow-acme-prod-alarms"


def test_app_errors_metric_filter_feeds_the_app_errors_alarm():
    state = _state()
    metric_filter = state["log_metric_filter"]
    assert metric_filter == {
        "log_group_name": "/aws/ecs/triflow-acme-prod-backend",
        "filter_name": "triflow-acme-prod-app-errors",
        "filter_pattern": '{ $.level = "ERROR" }',
        "metric_transformation": {
            "metric_name": "AppErrors",
            "metric_namespace": "TriFlow/triflow-acme-prod",
            "metric_value": "1",
        },
    }
    alarm = state["alarms"][-1]
    assert (alarm["namespace"], alarm["metric_name"]) == ("TriFlow/triflow-acme-prod", "AppErrors")


def test_billing_alarm_only_when_enabled_and_always_in_us_east_1():
    assert _state()["billing"]["alarm"] is None
    billing = _state(alarms_billing_enabled=True, alarms_billing_threshold_usd=300)["billing"]
    alarm = billing["alarm"]
    assert billing["region"] == alarm["region"] == "us-east-1"
    assert billing["topic_separate"] is True
    assert (alarm["name"], alarm["namespace"], alarm["metric_name"]) == (
        "triflow-acme-prod-billing-high",
        "AWS/Billing",
        "EstimatedCharges",
    )
    assert (alarm["statistic"], alarm["comparison"], alarm["threshold"]) == ("Maximum", GT, 300)
    assert (alarm["period"], alarm["evaluation_periods"], alarm["dimensions"]) == (21600, 1, {"Currency": "USD"})
    # A stack in us-east-1 uses its own topic for the billing alarm.
    assert not _state(alarms_region="us-east-1", alarms_billing_enabled=True, alarms_billing_threshold_usd=1)[
        "billing"
    ]["topic_separate"]


def _metrics(widget):
    return widget["properties"]["metrics"]


def test_dashboard_widgets_each_carry_dimensions_and_the_region():
    dashboard = _state()["dashboard"]
    assert dashboard["name"] == "triflow-acme-prod"
    widgets = dashboard["body"]["widgets"]
    titles = [widget["properties"]["title"] for widget in widgets]
    assert len(widgets) == 10, titles
    for widget in widgets:
        assert widget["properties"]["region"] == "ap-northeast-2"
        for line in _metrics(widget):
            names = [item for item in line if isinstance(item, str)]
            # namespace, metric, then at least one dimension name/value pair, none empty
            assert len(names) >= 4 and len(names) % 2 == 0, line
            assert all(names), line
    by_metric = {(line[0], line[1]): line for widget in widgets for line in _metrics(widget)}
    assert set(by_metric) >= DASHBOARD_METRICS
    assert by_metric[("AWS/ECS", "CPUUtilization")][2:6] == [
        "ClusterName",
        "triflow-acme-prod",
        "ServiceName",
        "triflow-acme-prod-backend",
    ]
    assert by_metric[("AWS/ApplicationELB", "RequestCount")][2:6] == ["LoadBalancer", ALB, "TargetGroup", TARGET_GROUP]
    latency = next(widget for widget in widgets if _metrics(widget)[0][1] == "TargetResponseTime")
    assert latency["properties"]["stat"] == "p95"


def test_dashboard_redis_widgets_show_every_node():
    widgets = _state(alarms_cache_node_count=3)["dashboard"]["body"]["widgets"]
    redis = [widget for widget in widgets if _metrics(widget)[0][0] == "AWS/ElastiCache"]
    assert len(redis) == 2
    for widget in redis:
        assert [line[3] for line in _metrics(widget)] == [
            "triflow-acme-prod-redis-001",
            "triflow-acme-prod-redis-002",
            "triflow-acme-prod-redis-003",
        ]


def test_dashboard_leaves_out_alb_widgets_until_the_alb_exists():
    widgets = _state(alarms_alb_arn_suffix="", alarms_target_group_arn_suffix="")["dashboard"]["body"]["widgets"]
    assert len(widgets) == 7
    assert all(_metrics(widget)[0][0] != "AWS/ApplicationELB" for widget in widgets)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"alarms_subscriptions": [{"protocol": "sms", "endpoint": "+821012345678"}]},
            "alarms_subscriptions[0].protocol 'sms' is invalid; allowed values: email, https",
        ),
        (
            {
                "alarms_subscriptions": [
                    {"protocol": "email", "endpoint": "a@b.co"},
                    {"protocol": "http", "endpoint": "x"},
                ]
            },
            "alarms_subscriptions[1].protocol 'http' is invalid; allowed values: email, https",
        ),
        (
            {"alarms_subscriptions": [{"protocol": "email", "endpoint": "ops.example.com"}]},
            "alarms_subscriptions[0].endpoint 'ops.example.com' is not an email address",
        ),
        (
            {"alarms_subscriptions": [{"protocol": "https", "endpoint": "http://hooks.slack.com/services/x"}]},
            "alarms_subscriptions[0].endpoint 'http://hooks.slack.com/services/x' is invalid: an https:// URL",
        ),
        (
            {"alarms_subscriptions": [{"protocol": "https", "endpoint": "https:///no-host"}]},
            "alarms_subscriptions[0].endpoint 'https:///no-host' is invalid: an https:// URL with a host",
        ),
        (
            {"alarms_billing_enabled": True, "alarms_billing_threshold_usd": 0},
            "alarms_billing_threshold_usd 0 is invalid: alarms_billing_enabled needs",
        ),
        (
            {"alarms_rds_cpu_high_threshold": -5},
            "alarms_rds_cpu_high_threshold -5 is invalid: a percentage from 0 to 100",
        ),
        ({"alarms_redis_memory_high_threshold": 120}, "alarms_redis_memory_high_threshold 120 is invalid"),
        (
            {"alarms_redis_evictions_threshold": -1},
            "alarms_redis_evictions_threshold -1 is invalid: a number, at least 0",
        ),
        ({"alarms_alb_5xx_high_threshold": -10}, "alarms_alb_5xx_high_threshold -10 is invalid"),
        ({"alarms_app_errors_threshold": -1}, "alarms_app_errors_threshold -1 is invalid"),
        ({"alarms_rds_storage_low_threshold_gib": -10}, "alarms_rds_storage_low_threshold_gib -10 is invalid"),
        ({"alarms_alb_latency_high_threshold_seconds": 0}, "alarms_alb_latency_high_threshold_seconds 0 is invalid"),
        (
            {"alarms_rds_connections_high_percent": 0},
            "alarms_rds_connections_high_percent 0 is invalid: a whole number from 1 to 100",
        ),
        (
            {"alarms_rds_connections_high_percent": 101},
            "alarms_rds_connections_high_percent 101 is invalid: a whole number from 1 to 100",
        ),
        (
            {"alarms_ecs_memory_high_period": 90},
            "alarms_ecs_memory_high_period 90 is invalid: seconds, a multiple of 60",
        ),
        ({"alarms_rds_cpu_high_evaluation_periods": 0}, "alarms_rds_cpu_high_evaluation_periods 0 is invalid"),
        (
            {"alarms_rds_cpu_high_period": 3600, "alarms_rds_cpu_high_evaluation_periods": 25},
            "alarms_rds_cpu_high_period x alarms_rds_cpu_high_evaluation_periods is 90000 seconds",
        ),
        ({"alarms_cache_node_count": 7}, "alarms_cache_node_count 7 is invalid: a whole number from 1 to 6"),
        ({"alarms_rds_max_connections": 0}, "alarms_rds_max_connections 0 is invalid"),
        (
            {"alarms_alb_arn_suffix": "arn:aws:elasticloadbalancing:x"},
            "alarms_alb_arn_suffix 'arn:aws:elasticloadbalancing:x'",
        ),
        ({"alarms_target_group_arn_suffix": "tg-1"}, "alarms_target_group_arn_suffix 'tg-1' is invalid"),
        ({"alarms_metrics_namespace": "AWS/TriFlow"}, "alarms_metrics_namespace 'AWS/TriFlow' is invalid"),
        ({"alarms_rds_instance_id": ""}, "alarms_rds_instance_id must be a non-empty string"),
        ({"alarms_billing_enabled": "maybe"}, "argument 'alarms_billing_enabled' is of type str and we were unable"),
        ({"alarms_rds_cpu_high_period": "5m"}, "argument 'alarms_rds_cpu_high_period' is of type str and we were"),
    ],
)
def test_each_bad_input_is_named(changes, message):
    errors = _errors(**changes)
    assert any(message in error for error in errors), errors


def test_every_bad_subscription_is_reported_at_once():
    errors = _errors(
        alarms_subscriptions=[
            {"protocol": "sms", "endpoint": "+8210"},
            {"protocol": "email", "endpoint": "nobody"},
            {"protocol": "https", "endpoint": "ftp://x"},
        ]
    )
    assert [error.split(" ", 1)[0] for error in errors] == [
        "alarms_subscriptions[0].protocol",
        "alarms_subscriptions[1].endpoint",
        "alarms_subscriptions[2].endpoint",
    ]


def test_empty_alb_suffixes_are_accepted_before_the_app_tier_exists():
    assert roles.errors("alarms") == [], "the defaults before the app tier: no ALB yet"
