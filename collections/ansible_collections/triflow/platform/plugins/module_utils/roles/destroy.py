# -*- coding: utf-8 -*-
# Copyright: TriFlow AI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The model of the ``destroy`` role: which resources are the stack's, in the order they are deleted.

Every name comes from the other roles' desired states (the same structures ``site.yml`` applies), none is typed
here; the only names built here are the ones AWS itself gives (the log groups RDS exports to:
``/aws/rds/instance/<id>/<log type>``, per the RDS User Guide, "Publishing database logs to Amazon CloudWatch Logs").

Each resource is ``{step, kind, name, ...}``. triflow.platform.stack_teardown deletes the steps in order; within a
step it starts every deletion, then waits for all of them (the database, the cache and the NAT gateways go side by
side: the long waits of a teardown).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.triflow.platform.plugins.module_utils.rules import int_in_range
from ansible_collections.triflow.platform.plugins.module_utils.tags import IDENTITY_TAGS

# Secrets Manager: a recovery window of 7 to 30 days (DeleteSecret RecoveryWindowInDays).
RECOVERY_DAYS = (7, 30)
WAIT_TIMEOUT = (60, 14400)
POLL_INTERVAL = (0.1, 300.0)
# The kinds in deletion order: a resource of a step is deleted once every resource of the steps before it is gone.
STEPS = (
    ("scalable_target",),
    ("ecs_service",),
    ("load_balancer",),
    ("target_group",),
    ("ecs_cluster", "task_definitions"),
    ("replication_group", "db_instance", "nat_gateway", "flow_log"),
    ("eip", "vpc_endpoint", "db_subnet_group", "db_parameter_group", "cache_subnet_group", "cache_parameter_group"),
    ("subnet",),
    ("route_table",),
    ("security_group_rules",),
    ("security_group",),
    ("internet_gateway",),
    ("vpc",),
    ("log_group", "alarm", "dashboard", "sns_topic", "ecr_repository", "iam_role", "secret", "s3_bucket"),
)
STEP_OF = dict((kind, index + 1) for index, kinds in enumerate(STEPS) for kind in kinds)


def confirmed_prefixes(confirm):
    """The stack prefixes ``-e confirm=a,b`` names (spaces around commas ignored)."""
    return [part.strip() for part in str(confirm or "").split(",") if part.strip()]


def input_errors(inputs):
    """Every problem of the destroy role's inputs that argument_specs cannot see, each naming its variable."""
    errors = []
    int_in_range(
        "destroy_secrets_recovery_days", inputs.get("destroy_secrets_recovery_days"), *RECOVERY_DAYS, errors=errors
    )
    int_in_range("destroy_wait_timeout", inputs.get("destroy_wait_timeout"), *WAIT_TIMEOUT, errors=errors)
    interval = inputs.get("destroy_poll_interval")
    if not isinstance(interval, (int, float)) or not POLL_INTERVAL[0] <= interval <= POLL_INTERVAL[1]:
        errors.append(
            "destroy_poll_interval must be a number of seconds from %g to %g, got %r" % (POLL_INTERVAL + (interval,))
        )
    for prefix in confirmed_prefixes(inputs.get("confirm")):
        if not re.match(r"^[a-z0-9][a-z0-9-]*$", prefix):
            errors.append("confirm names %r, which is not a stack prefix (e.g. triflow-acme-prod)" % prefix)
    kinds = inputs.get("destroy_kinds")
    if kinds is not None:
        unknown = [kind for kind in kinds if kind not in STEP_OF] if isinstance(kinds, list) else [kinds]
        if unknown or not kinds:
            errors.append(
                "destroy_kinds must be a non-empty list of resource kinds from %s, got %r"
                % (", ".join(sorted(STEP_OF)), kinds)
            )
    tags = inputs.get("destroy_tags") or {}
    missing = [key for key in IDENTITY_TAGS if not tags.get(key)]
    if missing:
        errors.append(
            "destroy_tags lacks %s: without them no resource can be told to be this stack's" % (", ".join(missing))
        )
    return errors


def resource(kind, name, **extra):
    entry = {"step": STEP_OF[kind], "kind": kind, "name": name}
    entry.update(extra)
    return entry


def network_resources(network):
    vpc = network["vpc"]["name"]
    found = [resource("vpc", vpc, cidr=network["vpc"]["cidr"])]
    found.append(resource("internet_gateway", network["internet_gateway"]["name"], vpc=vpc))
    for nat in network["nat_gateways"]:
        found.append(resource("nat_gateway", nat["name"], vpc=vpc))
        found.append(resource("eip", nat["eip_name"]))
    found.append(resource("vpc_endpoint", network["s3_endpoint"]["name"], vpc=vpc))
    # Looked for whether flow logs are on or not, so a stack that turned them off leaves nothing behind.
    flow_logs = network["flow_logs"]
    found.append(resource("flow_log", flow_logs["name"], vpc=vpc))
    found.append(resource("log_group", flow_logs["log_group"]["name"]))
    found.append(resource("iam_role", flow_logs["role"]["name"]))
    found.extend(resource("subnet", subnet["name"], vpc=vpc) for subnet in network["subnets"])
    found.extend(resource("route_table", table["name"], vpc=vpc) for table in network["route_tables"])
    for group in network["security_groups"]:
        found.append(resource("security_group_rules", group["name"], vpc=vpc))
        found.append(resource("security_group", group["name"], vpc=vpc))
    return found


def app_resources(ecs, ecr):
    cluster = ecs["cluster"]["name"]
    return [
        resource("scalable_target", ecs["autoscaling"]["resource_id"], policy=ecs["autoscaling"]["policy_name"]),
        resource("ecs_service", ecs["service"]["name"], cluster=cluster),
        resource("load_balancer", ecs["alb"]["name"]),
        resource("target_group", ecs["target_group"]["name"]),
        resource("ecs_cluster", cluster),
        resource("task_definitions", ecs["task"]["family"]),
        resource("log_group", ecs["log_group"]["name"]),
        resource("iam_role", ecs["execution_role"]["name"]),
        resource("iam_role", ecs["task_role"]["name"]),
        resource("ecr_repository", ecr["name"]),
    ] + [resource("secret", url["name"]) for url in ecs["url_secrets"].values()]


def data_resources(rds, cache, storage, secrets):
    group = cache["replication_group"]
    found = [
        resource("db_instance", rds["identifier"]),
        resource("db_subnet_group", rds["subnet_group"]["name"]),
        resource("db_parameter_group", rds["parameter_group"]["name"]),
        resource("iam_role", rds["monitoring_role"]["name"]),
        resource("replication_group", group["id"]),
        resource("cache_subnet_group", cache["subnet_group"]["name"]),
        resource("cache_parameter_group", cache["parameter_group"]["name"]),
        resource("s3_bucket", storage["bucket"]),
        resource("s3_bucket", storage["alb_logs"]["bucket"]),
    ]
    found.extend(
        resource("log_group", "/aws/rds/instance/%s/%s" % (rds["identifier"], log))
        for log in rds["instance"]["cloudwatch_logs_exports"]
    )
    found.extend(
        resource("log_group", log["destination"])
        for log in group["log_delivery_configurations"]
        if log["destination_type"] == "cloudwatch-logs"
    )
    found.extend(resource("secret", secret["name"]) for secret in secrets)
    found.append(resource("secret", rds["app_database"]["credentials_secret"]["name"]))
    return found


def alarm_resources(alarms):
    names = [alarm["name"] for alarm in alarms["alarms"]] + list(alarms["alb_alarms_waiting"])
    billing = alarms["billing"]
    # The billing alarm and its topic live in us-east-1 (AWS/Billing metrics exist there only); looked for whether
    # billing alarms are on or not, so a stack that turned them off leaves nothing behind.
    return [resource("alarm", name) for name in names] + [
        resource("alarm", billing["alarm_name"], region=billing["region"]),
        resource("dashboard", alarms["dashboard"]["name"]),
        resource("sns_topic", alarms["topic"]["name"]),
        resource("sns_topic", alarms["topic"]["name"], region=billing["region"]),
    ]


def desired_state(inputs, context):
    """The stack's identity, whether this run may delete it, the switches, and its resources in deletion order."""
    del context
    prefix = inputs["destroy_name_prefix"]
    resources = (
        network_resources(inputs["destroy_network"])
        + app_resources(inputs["destroy_ecs_service"], inputs["destroy_ecr"])
        + data_resources(
            inputs["destroy_rds"], inputs["destroy_elasticache"], inputs["destroy_storage"], inputs["destroy_secrets"]
        )
        + alarm_resources(inputs["destroy_alarms"])
    )
    only_kinds = inputs.get("destroy_kinds")
    if only_kinds is not None:
        resources = [entry for entry in resources if entry["kind"] in only_kinds]
    order = dict((kind, index) for index, kind in enumerate(kind for kinds in STEPS for kind in kinds))
    resources.sort(key=lambda entry: (entry["step"], order[entry["kind"]]))
    return {
        "stack": prefix,
        "confirmed": prefix in confirmed_prefixes(inputs.get("confirm")),
        "confirm": confirmed_prefixes(inputs.get("confirm")),
        "identity_tags": dict((key, inputs["destroy_tags"][key]) for key in IDENTITY_TAGS),
        "destroy_bucket": inputs["destroy_bucket"],
        "destroy_images": inputs["destroy_images"],
        "lift_deletion_protection": bool(inputs.get("lift_deletion_protection")),
        "secrets_recovery_days": inputs["destroy_secrets_recovery_days"],
        "wait_timeout": inputs["destroy_wait_timeout"],
        "poll_interval": inputs["destroy_poll_interval"],
        "resources": resources,
        # The kinds not looked for when destroy_kinds narrows the teardown (sorted), else [].
        "kinds_left_alone": sorted(kind for kind in STEP_OF if only_kinds is not None and kind not in only_kinds),
    }
