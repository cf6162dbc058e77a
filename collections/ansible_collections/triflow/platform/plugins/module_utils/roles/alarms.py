# -*- coding: utf-8 -*-
# Copyright: TriFlow AI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The model of the ``alarms`` role: the stack's observability (SNS topic, alarms, app-errors metric filter,
dashboard), its checks and its desired state. meta/argument_specs.yml checks each input's type first.

Redis alarms watch every member cluster of the replication group (``<group id>-001``, ``-002``, ...), one alarm
per member and metric: the primary moves after a failover, and amazon.aws.cloudwatch_metric_alarm reports a change
on every run for metric-math alarms (it leaves ``Metrics`` out of its comparison of the alarm AWS describes), so a
single MAX-over-members alarm could not be applied idempotently.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
from urllib.parse import urlparse

from ansible_collections.triflow.platform.plugins.module_utils.arns import arn
from ansible_collections.triflow.platform.plugins.module_utils.naming import named_tags
from ansible_collections.triflow.platform.plugins.module_utils.rules import int_in_range

PROTOCOLS = ("email", "https")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
ALB_ARN_SUFFIX = re.compile(r"^app/[A-Za-z0-9-]{1,32}/[0-9a-f]+$")
TARGET_GROUP_ARN_SUFFIX = re.compile(r"^targetgroup/[A-Za-z0-9-]{1,32}/[0-9a-f]+$")
BILLING_REGION = "us-east-1"
GIB = 1024**3
# ElastiCache: a primary and at most 5 replicas per node group (cluster mode disabled).
CACHE_NODES_MAX = 6
# EstimatedCharges is published a few times a day: one 6-hour period is the usual billing alarm.
BILLING_PERIOD = 21600
# CloudWatch evaluates at most one day of periods (for periods under one hour).
EVALUATION_SECONDS_MAX = 86400
DASHBOARD_WIDGET_WIDTH = 12
DASHBOARD_WIDGET_HEIGHT = 6

# Alarm settings taken from the inputs: (alarm, variable stem, kind of threshold). Each alarm has the variables
# alarms_<stem>_threshold (or _threshold_gib / _threshold_seconds / _percent), alarms_<stem>_period and
# alarms_<stem>_evaluation_periods.
PERCENT_THRESHOLDS = (
    "alarms_rds_cpu_high_threshold",
    "alarms_redis_cpu_high_threshold",
    "alarms_redis_memory_high_threshold",
    "alarms_ecs_cpu_high_threshold",
    "alarms_ecs_memory_high_threshold",
)
COUNT_THRESHOLDS = (
    "alarms_redis_evictions_threshold",
    "alarms_alb_5xx_high_threshold",
    "alarms_app_errors_threshold",
)
POSITIVE_THRESHOLDS = (
    "alarms_rds_storage_low_threshold_gib",
    "alarms_alb_latency_high_threshold_seconds",
    "alarms_alb_unhealthy_hosts_threshold",
)
PERIOD_STEMS = (
    "rds_cpu_high",
    "rds_storage_low",
    "rds_connections_high",
    "redis_cpu_high",
    "redis_memory_high",
    "redis_evictions",
    "ecs_cpu_high",
    "ecs_memory_high",
    "alb_5xx_high",
    "alb_latency_high",
    "alb_unhealthy_hosts",
    "app_errors",
)
REQUIRED_STRINGS = (
    "alarms_name_prefix",
    "alarms_region",
    "alarms_rds_instance_id",
    "alarms_cache_replication_group_id",
    "alarms_ecs_cluster_name",
    "alarms_ecs_service_name",
    "alarms_log_group_name",
    "alarms_metrics_namespace",
    "alarms_app_errors_filter_pattern",
)


def _num(value):
    """A threshold as people write it: 80, 2.5 (not 80.0)."""
    return "%g" % value


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def subscription_errors(subscriptions):
    """Problems of ``alarms_subscriptions``: email addresses and https:// URLs with a host only."""
    if not isinstance(subscriptions, list):
        return ["alarms_subscriptions must be a list of {protocol, endpoint}"]
    errors = []
    for index, subscription in enumerate(subscriptions):
        variable = "alarms_subscriptions[%d]" % index
        if not isinstance(subscription, dict):
            errors.append("%s must be a dict with protocol and endpoint" % variable)
            continue
        protocol = subscription.get("protocol")
        endpoint = subscription.get("endpoint")
        if protocol not in PROTOCOLS:
            errors.append("%s.protocol %r is invalid; allowed values: %s" % (variable, protocol, ", ".join(PROTOCOLS)))
        elif not isinstance(endpoint, str) or not endpoint:
            errors.append("%s.endpoint must be a non-empty string" % variable)
        elif protocol == "email" and not EMAIL.match(endpoint):
            errors.append("%s.endpoint %r is not an email address such as ops@example.com" % (variable, endpoint))
        elif protocol == "https":
            parsed = urlparse(endpoint)
            if parsed.scheme != "https" or not parsed.hostname:
                errors.append(
                    "%s.endpoint %r is invalid: an https:// URL with a host, such as "
                    "https://hooks.slack.com/services/... (plain http is refused)" % (variable, endpoint)
                )
        unknown = sorted(set(subscription) - {"protocol", "endpoint"})
        if unknown:
            errors.append("%s has unknown keys %s; allowed keys: protocol, endpoint" % (variable, ", ".join(unknown)))
    return errors


def _shown(value):
    """A value as the operator wrote it: 80 and 2.5, not 80.0 (argument_specs makes thresholds floats)."""
    return _num(value) if _is_number(value) else repr(value)


def _threshold_errors(inputs, errors):
    rules = (
        (PERCENT_THRESHOLDS, lambda value: 0 <= value <= 100, "a percentage from 0 to 100"),
        (COUNT_THRESHOLDS, lambda value: value >= 0, "a number, at least 0"),
        (POSITIVE_THRESHOLDS, lambda value: value > 0, "a number above 0"),
    )
    for variables, valid, allowed in rules:
        for variable in variables:
            value = inputs.get(variable)
            if not _is_number(value) or not valid(value):
                errors.append("%s %s is invalid: %s" % (variable, _shown(value), allowed))
    percent = inputs.get("alarms_rds_connections_high_percent")
    if not _is_int(percent) or not 1 <= percent <= 100:
        errors.append("alarms_rds_connections_high_percent %r is invalid: a whole number from 1 to 100" % (percent,))


def _period_errors(inputs, errors):
    for stem in PERIOD_STEMS:
        period_variable = "alarms_%s_period" % stem
        evaluations_variable = "alarms_%s_evaluation_periods" % stem
        period = inputs.get(period_variable)
        evaluations = inputs.get(evaluations_variable)
        period_ok = _is_int(period) and period >= 60 and period % 60 == 0
        if not period_ok:
            errors.append("%s %r is invalid: seconds, a multiple of 60 (60, 120, 300...)" % (period_variable, period))
        if not _is_int(evaluations) or evaluations < 1:
            errors.append("%s %r is invalid: a whole number, at least 1" % (evaluations_variable, evaluations))
        elif period_ok and period * evaluations > EVALUATION_SECONDS_MAX:
            errors.append(
                "%s x %s is %d seconds; CloudWatch evaluates at most %d (one day)"
                % (period_variable, evaluations_variable, period * evaluations, EVALUATION_SECONDS_MAX)
            )


def input_errors(inputs):
    """Every problem of the alarms role's inputs, each naming its variable. The ALB ARN suffixes may be empty: the
    ALB does not exist before the app tier, and its alarms wait for it."""
    errors = []
    for variable in REQUIRED_STRINGS:
        if not inputs.get(variable):
            errors.append("%s must be a non-empty string" % variable)
    namespace = inputs.get("alarms_metrics_namespace") or ""
    if namespace.startswith("AWS/"):
        errors.append("alarms_metrics_namespace '%s' is invalid: the AWS/ prefix is reserved by AWS" % namespace)
    errors.extend(subscription_errors(inputs.get("alarms_subscriptions")))
    int_in_range("alarms_rds_max_connections", inputs.get("alarms_rds_max_connections"), 1, 100000, errors)
    int_in_range("alarms_cache_node_count", inputs.get("alarms_cache_node_count"), 1, CACHE_NODES_MAX, errors)
    alb = inputs.get("alarms_alb_arn_suffix")
    if alb and not (isinstance(alb, str) and ALB_ARN_SUFFIX.match(alb)):
        errors.append(
            "alarms_alb_arn_suffix %r is invalid: empty (no ALB yet) or app/<name>/<id>, the end of the ALB's ARN"
            % (alb,)
        )
    target_group = inputs.get("alarms_target_group_arn_suffix")
    if target_group and not (isinstance(target_group, str) and TARGET_GROUP_ARN_SUFFIX.match(target_group)):
        errors.append(
            "alarms_target_group_arn_suffix %r is invalid: empty (no ALB yet) or targetgroup/<name>/<id>, the end of "
            "the target group's ARN" % (target_group,)
        )
    _threshold_errors(inputs, errors)
    _period_errors(inputs, errors)
    threshold = inputs.get("alarms_billing_threshold_usd")
    if inputs.get("alarms_billing_enabled") and (not _is_int(threshold) or threshold < 1):
        errors.append(
            "alarms_billing_threshold_usd %r is invalid: alarms_billing_enabled needs a whole number of US dollars, "
            "at least 1" % (threshold,)
        )
    return errors


def redis_members(group_id, node_count):
    """Member cluster ids of a replication group with cluster mode disabled: ``<group id>-001``, ``-002``, ..."""
    return ["%s-%03d" % (group_id, number) for number in range(1, node_count + 1)]


def alb_known(inputs):
    """Whether the ALB and its target group exist (both ARN suffixes known)."""
    return bool(inputs.get("alarms_alb_arn_suffix")) and bool(inputs.get("alarms_target_group_arn_suffix"))


def _alarm(inputs, alarm, stem, metric, threshold, comparison, dimensions, description, **extra):
    namespace, metric_name, statistic = metric
    result = {
        "name": "%s-%s" % (inputs["alarms_name_prefix"], alarm),
        "description": description,
        "namespace": namespace,
        "metric_name": metric_name,
        "statistic": None if statistic.startswith("p") else statistic,
        "extended_statistic": statistic if statistic.startswith("p") else None,
        "comparison": comparison,
        "threshold": threshold,
        "period": inputs["alarms_%s_period" % stem],
        "evaluation_periods": inputs["alarms_%s_evaluation_periods" % stem],
        "treat_missing_data": "missing",
        "dimensions": dimensions,
    }
    result.update(extra)
    return result


def connections_threshold(inputs):
    """``alarms_rds_connections_high_percent`` of max_connections, rounded down."""
    return inputs["alarms_rds_max_connections"] * inputs["alarms_rds_connections_high_percent"] // 100


def _rds_alarms(inputs):
    rds = {"DBInstanceIdentifier": inputs["alarms_rds_instance_id"]}
    db = inputs["alarms_rds_instance_id"]
    storage_gib = inputs["alarms_rds_storage_low_threshold_gib"]
    connections = connections_threshold(inputs)
    return [
        _alarm(
            inputs,
            "rds-cpu-high",
            "rds_cpu_high",
            ("AWS/RDS", "CPUUtilization", "Average"),
            inputs["alarms_rds_cpu_high_threshold"],
            "GreaterThanThreshold",
            rds,
            "CPU of the database %s above %s %%. Look at Performance Insights' top SQL and pg_stat_statements, then "
            "at the app's query load; a larger instance class if the load is legitimate."
            % (db, _num(inputs["alarms_rds_cpu_high_threshold"])),
        ),
        _alarm(
            inputs,
            "rds-storage-low",
            "rds_storage_low",
            ("AWS/RDS", "FreeStorageSpace", "Average"),
            int(storage_gib * GIB),
            "LessThanThreshold",
            rds,
            "Free storage of the database %s below %s GiB. Look at table and index growth (pgvector indexes, "
            "dead tuples, logs) and at the storage autoscaling ceiling (max allocated storage)."
            % (db, _num(storage_gib)),
        ),
        _alarm(
            inputs,
            "rds-connections-high",
            "rds_connections_high",
            ("AWS/RDS", "DatabaseConnections", "Average"),
            connections,
            "GreaterThanThreshold",
            rds,
            "Connections to the database %s above %d (%d %% of max_connections %d). Look at the app's pool size x "
            "running tasks (autoscaling), idle connections in pg_stat_activity, and leaks."
            % (db, connections, inputs["alarms_rds_connections_high_percent"], inputs["alarms_rds_max_connections"]),
        ),
    ]


def _redis_alarms(inputs):
    alarms = []
    for member in redis_members(inputs["alarms_cache_replication_group_id"], inputs["alarms_cache_node_count"]):
        suffix = member.rsplit("-", 1)[1]
        node = {"CacheClusterId": member}
        alarms.extend(
            [
                _alarm(
                    inputs,
                    "redis-cpu-high-%s" % suffix,
                    "redis_cpu_high",
                    ("AWS/ElastiCache", "EngineCPUUtilization", "Average"),
                    inputs["alarms_redis_cpu_high_threshold"],
                    "GreaterThanThreshold",
                    node,
                    "Redis engine CPU of %s above %s %%. Look at SLOWLOG (the slow-log group), big keys and O(N) "
                    "commands; a larger node type if the load is legitimate."
                    % (member, _num(inputs["alarms_redis_cpu_high_threshold"])),
                ),
                _alarm(
                    inputs,
                    "redis-memory-high-%s" % suffix,
                    "redis_memory_high",
                    ("AWS/ElastiCache", "DatabaseMemoryUsagePercentage", "Average"),
                    inputs["alarms_redis_memory_high_threshold"],
                    "GreaterThanThreshold",
                    node,
                    "Redis memory of %s above %s %% of maxmemory. Look at keys without TTL and big keys; evictions "
                    "follow (allkeys-lru)." % (member, _num(inputs["alarms_redis_memory_high_threshold"])),
                ),
                _alarm(
                    inputs,
                    "redis-evictions-%s" % suffix,
                    "redis_evictions",
                    ("AWS/ElastiCache", "Evictions", "Sum"),
                    inputs["alarms_redis_evictions_threshold"],
                    "GreaterThanThreshold",
                    node,
                    "More than %s keys evicted from %s in %d s: the cache is too small for its working set. "
                    "Look at memory usage and TTLs; a larger node type."
                    % (
                        _num(inputs["alarms_redis_evictions_threshold"]),
                        member,
                        inputs["alarms_redis_evictions_period"],
                    ),
                ),
            ]
        )
    return alarms


def _ecs_alarms(inputs):
    service = {"ClusterName": inputs["alarms_ecs_cluster_name"], "ServiceName": inputs["alarms_ecs_service_name"]}
    name = "%s/%s" % (inputs["alarms_ecs_cluster_name"], inputs["alarms_ecs_service_name"])
    return [
        _alarm(
            inputs,
            "ecs-cpu-high",
            "ecs_cpu_high",
            ("AWS/ECS", "CPUUtilization", "Average"),
            inputs["alarms_ecs_cpu_high_threshold"],
            "GreaterThanThreshold",
            service,
            "CPU of the ECS service %s above %s %%: autoscaling is at its maximum or lagging. Look at the task "
            "count, the app's logs and the request rate on the ALB."
            % (name, _num(inputs["alarms_ecs_cpu_high_threshold"])),
        ),
        _alarm(
            inputs,
            "ecs-memory-high",
            "ecs_memory_high",
            ("AWS/ECS", "MemoryUtilization", "Average"),
            inputs["alarms_ecs_memory_high_threshold"],
            "GreaterThanThreshold",
            service,
            "Memory of the ECS service %s above %s %%: tasks risk being killed (OOM). Look at the app's memory "
            "growth (leaks, large payloads) and the task size."
            % (name, _num(inputs["alarms_ecs_memory_high_threshold"])),
        ),
    ]


def _alb_alarms(inputs):
    # LoadBalancer + TargetGroup on every ALB alarm: HealthyHostCount exists only per target group, and scoping the
    # 5xx count and the latency to the backend's target group keeps them about this service even if the ALB later
    # routes to other target groups; the three alarms and the dashboard watch the same series.
    target = {
        "LoadBalancer": inputs["alarms_alb_arn_suffix"],
        "TargetGroup": inputs["alarms_target_group_arn_suffix"],
    }
    return [
        _alarm(
            inputs,
            "alb-5xx-high",
            "alb_5xx_high",
            ("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", "Sum"),
            inputs["alarms_alb_5xx_high_threshold"],
            "GreaterThanThreshold",
            target,
            "More than %s 5xx answers from the backend's targets in %d s. Look at the app's log group for "
            "errors and at recent deployments (roll back if a release caused it)."
            % (_num(inputs["alarms_alb_5xx_high_threshold"]), inputs["alarms_alb_5xx_high_period"]),
            treat_missing_data="notBreaching",
        ),
        _alarm(
            inputs,
            "alb-latency-high",
            "alb_latency_high",
            ("AWS/ApplicationELB", "TargetResponseTime", "p95"),
            inputs["alarms_alb_latency_high_threshold_seconds"],
            "GreaterThanThreshold",
            target,
            "95th percentile of the backend's response time above %s s. Look at database and Redis latency, slow "
            "queries, LLM API calls, and the ECS CPU." % _num(inputs["alarms_alb_latency_high_threshold_seconds"]),
        ),
        _alarm(
            inputs,
            "alb-unhealthy-hosts",
            "alb_unhealthy_hosts",
            ("AWS/ApplicationELB", "HealthyHostCount", "Minimum"),
            inputs["alarms_alb_unhealthy_hosts_threshold"],
            "LessThanThreshold",
            target,
            "Fewer than %s healthy targets behind the ALB: the site is down. Look at the ECS service's events, "
            "stopped tasks' reasons and /health (database, Redis)."
            % _num(inputs["alarms_alb_unhealthy_hosts_threshold"]),
        ),
    ]


def _app_errors_alarm(inputs):
    return _alarm(
        inputs,
        "app-errors",
        "app_errors",
        (inputs["alarms_metrics_namespace"], "AppErrors", "Sum"),
        inputs["alarms_app_errors_threshold"],
        "GreaterThanThreshold",
        {},
        "More than %s ERROR lines in the app's log group %s in %d s. Look at the log group (Logs Insights: "
        "filter level = 'ERROR')."
        % (
            _num(inputs["alarms_app_errors_threshold"]),
            inputs["alarms_log_group_name"],
            inputs["alarms_app_errors_period"],
        ),
        treat_missing_data="notBreaching",
    )


def billing_alarm(inputs):
    """The estimated-charges alarm; AWS publishes AWS/Billing metrics in us-east-1 only."""
    return {
        "name": "%s-billing-high" % inputs["alarms_name_prefix"],
        "alarm": "billing-high",
        "description": "Estimated charges of the AWS account above %s USD this month. Look at Cost Explorer by "
        "service and by the Customer tag." % _num(inputs["alarms_billing_threshold_usd"]),
        "namespace": "AWS/Billing",
        "metric_name": "EstimatedCharges",
        "statistic": "Maximum",
        "extended_statistic": None,
        "comparison": "GreaterThanThreshold",
        "threshold": inputs["alarms_billing_threshold_usd"],
        "period": BILLING_PERIOD,
        "evaluation_periods": 1,
        "treat_missing_data": "missing",
        "dimensions": {"Currency": "USD"},
        "region": BILLING_REGION,
    }


def _metric_widget(title, region, metrics, stat, period, y_index, x_index, unit_label=None):
    properties = {
        "title": title,
        "region": region,
        "view": "timeSeries",
        "stacked": False,
        "stat": stat,
        "period": period,
        "metrics": metrics,
    }
    if unit_label:
        properties["yAxis"] = {"left": {"label": unit_label, "showUnits": False}}
    return {
        "type": "metric",
        "x": x_index * DASHBOARD_WIDGET_WIDTH,
        "y": y_index * DASHBOARD_WIDGET_HEIGHT,
        "width": DASHBOARD_WIDGET_WIDTH,
        "height": DASHBOARD_WIDGET_HEIGHT,
        "properties": properties,
    }


def _line(namespace, metric_name, dimensions, **options):
    """One dashboard metric: [namespace, metric, dimension name, value, ..., {options}]."""
    line = [namespace, metric_name]
    for key, value in dimensions.items():
        line.extend([key, value])
    if options:
        line.append(options)
    return line


def dashboard_body(inputs):
    """The dashboard's widgets, each metric with its dimensions and every widget with its region."""
    region = inputs["alarms_region"]
    service = {"ClusterName": inputs["alarms_ecs_cluster_name"], "ServiceName": inputs["alarms_ecs_service_name"]}
    rds = {"DBInstanceIdentifier": inputs["alarms_rds_instance_id"]}
    members = redis_members(inputs["alarms_cache_replication_group_id"], inputs["alarms_cache_node_count"])
    specs = [
        ("ECS CPU (%)", [_line("AWS/ECS", "CPUUtilization", service)], "Average", 300),
        ("ECS memory (%)", [_line("AWS/ECS", "MemoryUtilization", service)], "Average", 300),
        ("RDS CPU (%)", [_line("AWS/RDS", "CPUUtilization", rds)], "Average", 300),
        ("RDS connections", [_line("AWS/RDS", "DatabaseConnections", rds)], "Average", 300),
        ("RDS free storage (bytes)", [_line("AWS/RDS", "FreeStorageSpace", rds)], "Average", 300),
        (
            "Redis engine CPU (%), every node",
            [_line("AWS/ElastiCache", "EngineCPUUtilization", {"CacheClusterId": m}, label=m) for m in members],
            "Average",
            300,
        ),
        (
            "Redis memory (% of maxmemory), every node",
            [
                _line("AWS/ElastiCache", "DatabaseMemoryUsagePercentage", {"CacheClusterId": m}, label=m)
                for m in members
            ],
            "Average",
            300,
        ),
    ]
    if alb_known(inputs):
        target = {
            "LoadBalancer": inputs["alarms_alb_arn_suffix"],
            "TargetGroup": inputs["alarms_target_group_arn_suffix"],
        }
        specs.extend(
            [
                ("ALB requests", [_line("AWS/ApplicationELB", "RequestCount", target)], "Sum", 60),
                ("ALB target 5xx", [_line("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", target)], "Sum", 60),
                ("ALB response time p95 (s)", [_line("AWS/ApplicationELB", "TargetResponseTime", target)], "p95", 60),
            ]
        )
    widgets = [
        _metric_widget(title, region, metrics, stat, period, index // 2, index % 2)
        for index, (title, metrics, stat, period) in enumerate(specs)
    ]
    return {"widgets": widgets}


def _topic_arn(region, name, account_id):
    """The topic's ARN once the account is known (check mode previews alarms with it before the topic exists)."""
    return arn(region, "sns", name, account_id) if account_id else None


def desired_state(inputs, context):
    """The stack's observability: topic, alarms (ALB ones once the ALB exists), metric filter, dashboard.

    ``context``: the ``account_id`` (None before it is known), for the topics' ARNs."""
    prefix = inputs["alarms_name_prefix"]
    topic_name = "%s-alarms" % prefix
    subscriptions = [
        {"protocol": subscription["protocol"], "endpoint": subscription["endpoint"]}
        for subscription in inputs.get("alarms_subscriptions") or []
    ]
    alarms = _rds_alarms(inputs) + _redis_alarms(inputs) + _ecs_alarms(inputs)
    waiting = []
    if alb_known(inputs):
        alarms.extend(_alb_alarms(inputs))
    else:
        waiting = ["%s-%s" % (prefix, alarm) for alarm in ("alb-5xx-high", "alb-latency-high", "alb-unhealthy-hosts")]
    alarms.append(_app_errors_alarm(inputs))
    billing = inputs["alarms_billing_enabled"]
    return {
        "region": inputs["alarms_region"],
        "topic": {
            "name": topic_name,
            "arn": _topic_arn(inputs["alarms_region"], topic_name, context.get("account_id")),
            "display_name": "%s alarms" % prefix,
            "subscriptions": subscriptions,
            "tags": named_tags(inputs.get("alarms_tags") or {}, topic_name),
        },
        "alarms": alarms,
        "alb_alarms_waiting": waiting,
        "redis_members": redis_members(inputs["alarms_cache_replication_group_id"], inputs["alarms_cache_node_count"]),
        # Member alarms of nodes the group no longer has are removed: names under the prefix matching the pattern,
        # not in "alarms".
        "redis_member_alarm_prefix": "%s-redis-" % prefix,
        "redis_member_alarm_pattern": "^%s-redis-(cpu-high|memory-high|evictions)-[0-9]{3}$" % re.escape(prefix),
        "log_metric_filter": {
            "log_group_name": inputs["alarms_log_group_name"],
            "filter_name": "%s-app-errors" % prefix,
            "filter_pattern": inputs["alarms_app_errors_filter_pattern"],
            "metric_transformation": {
                "metric_name": "AppErrors",
                "metric_namespace": inputs["alarms_metrics_namespace"],
                "metric_value": "1",
            },
        },
        "billing": {
            "enabled": billing,
            "region": BILLING_REGION,
            "alarm_name": "%s-billing-high" % prefix,
            # Alarm actions must be in the alarm's region: a topic of the same name and subscriptions in us-east-1,
            # unless the stack's own topic is there already.
            "topic_separate": inputs["alarms_region"] != BILLING_REGION,
            "topic_arn": _topic_arn(BILLING_REGION, topic_name, context.get("account_id")),
            "alarm": billing_alarm(inputs) if billing else None,
        },
        "dashboard": {"name": prefix, "body": dashboard_body(inputs)},
    }
