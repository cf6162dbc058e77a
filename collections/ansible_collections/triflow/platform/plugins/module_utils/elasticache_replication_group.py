# -*- coding: utf-8 -*-
# Copyright: TriFlow AI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""ElastiCache replication groups (cluster mode disabled): checks, reads, comparison, requests and waiters.

Small functions on plain values and a boto3 client, used by the ``elasticache_replication_group`` module. The
settings are compared in one normalised shape, keyed by the module's option names::

    {"description": "...", "cache_node_type": "cache.t4g.small", "replicas_per_node_group": 1,
     "security_group_ids": ["sg-1"], "log_delivery_configurations": [{"log_type": "slow-log", ...}], ...}

``current_settings`` builds it from what AWS describes (the group and its primary member cluster: AWS reports the
engine version, parameter group, subnet group, security groups and maintenance window per member only),
``desired_settings`` from the module's parameters (options left unset are not managed and are left out).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.amazon.aws.plugins.module_utils.waiter import BaseWaiterFactory
from ansible_collections.triflow.platform.plugins.module_utils.rules import (
    ELASTICACHE_WINDOW_MINUTES,
    failover_errors,
    window_errors,
)

MAX_ID_LENGTH = 40
ID_PATTERN = re.compile(r"^[a-z][a-z0-9-]*$")
MAX_REPLICAS = 5
AUTH_TOKEN_MIN = 16
AUTH_TOKEN_MAX = 128
# AWS: printable ASCII; the only non-alphanumeric characters allowed are ! & # $ ^ < > -
AUTH_TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9!&#$^<>-]+$")
MAX_WAIT_PAUSE = 15

# Settings that ModifyReplicationGroup cannot change: a different value needs a new replication group.
IMMUTABLE = ("engine", "at_rest_encryption", "cache_subnet_group_name", "port")

# Option name -> ModifyReplicationGroup parameter, for the settings that map one to one.
MODIFY_PARAMETERS = (
    ("description", "ReplicationGroupDescription"),
    ("cache_node_type", "CacheNodeType"),
    ("engine_version", "EngineVersion"),
    ("automatic_failover", "AutomaticFailoverEnabled"),
    ("multi_az", "MultiAZEnabled"),
    ("snapshot_retention_limit", "SnapshotRetentionLimit"),
    ("auto_minor_version_upgrade", "AutoMinorVersionUpgrade"),
    ("snapshot_window", "SnapshotWindow"),
    ("preferred_maintenance_window", "PreferredMaintenanceWindow"),
    ("security_group_ids", "SecurityGroupIds"),
    ("cache_parameter_group_name", "CacheParameterGroupName"),
    ("transit_encryption", "TransitEncryptionEnabled"),
    ("transit_encryption_mode", "TransitEncryptionMode"),
)

# Option name -> CreateReplicationGroup parameter (replicas, tags, log delivery and AZs are built apart).
CREATE_PARAMETERS = MODIFY_PARAMETERS + (
    ("engine", "Engine"),
    ("at_rest_encryption", "AtRestEncryptionEnabled"),
    ("cache_subnet_group_name", "CacheSubnetGroupName"),
    ("port", "Port"),
    ("auth_token", "AuthToken"),
    ("preferred_cache_cluster_azs", "PreferredCacheClusterAZs"),
)

DESTINATION_KEYS = {
    "cloudwatch-logs": ("CloudWatchLogsDetails", "LogGroup"),
    "kinesis-firehose": ("KinesisFirehoseDetails", "DeliveryStream"),
}


# --- checks ---------------------------------------------------------------------------------------------------


def replication_group_id_errors(group_id):
    if not group_id:
        return ["replication_group_id must not be empty"]
    errors = []
    if len(group_id) > MAX_ID_LENGTH:
        errors.append(
            "replication_group_id '%s' is %d characters long; AWS allows at most %d"
            % (group_id, len(group_id), MAX_ID_LENGTH)
        )
    if not ID_PATTERN.match(group_id):
        errors.append(
            "replication_group_id '%s' must start with a lowercase letter and contain only lowercase letters, digits "
            "and hyphens" % group_id
        )
    if "--" in group_id or group_id.endswith("-"):
        errors.append(
            "replication_group_id '%s' must not contain two consecutive hyphens or end with a hyphen" % group_id
        )
    return errors


def auth_token_errors(token):
    """Problems of an AUTH token, never quoting the token itself."""
    if token is None:
        return []
    errors = []
    if not AUTH_TOKEN_MIN <= len(token) <= AUTH_TOKEN_MAX:
        errors.append(
            "auth_token must be %d to %d characters long, got %d" % (AUTH_TOKEN_MIN, AUTH_TOKEN_MAX, len(token))
        )
    if not AUTH_TOKEN_PATTERN.match(token):
        errors.append(
            'auth_token may contain only letters, digits and the characters ! & # $ ^ < > - (no @, ", / or spaces)'
        )
    return errors


# Module options named in the failover rule's messages.
FAILOVER_OPTIONS = {
    "replicas": "replicas_per_node_group",
    "automatic_failover": "automatic_failover",
    "multi_az": "multi_az",
}


def _window_errors(snapshot_window, maintenance_window):
    """Format, length and overlap problems of the two windows (either may be None: not checked)."""
    return window_errors(
        "snapshot_window",
        snapshot_window,
        "preferred_maintenance_window",
        maintenance_window,
        ELASTICACHE_WINDOW_MINUTES,
    )


def _failover_errors(replicas, automatic_failover, multi_az):
    return failover_errors(FAILOVER_OPTIONS, replicas, automatic_failover, multi_az)


def input_errors(params):
    """Every problem of the module's parameters that needs no AWS call, each naming its option."""
    errors = replication_group_id_errors(params.get("replication_group_id"))
    if params.get("state") == "absent":
        return errors
    replicas = params.get("replicas_per_node_group")
    if replicas is not None and not 0 <= replicas <= MAX_REPLICAS:
        errors.append("replicas_per_node_group must be 0 to %d, got %d" % (MAX_REPLICAS, replicas))
    errors.extend(_failover_errors(replicas, params.get("automatic_failover"), params.get("multi_az")))
    errors.extend(_window_errors(params.get("snapshot_window"), params.get("preferred_maintenance_window")))
    errors.extend(auth_token_errors(params.get("auth_token")))
    if params.get("auth_token") is not None and params.get("transit_encryption") is False:
        errors.append("auth_token requires transit_encryption: true")
    strategy = params.get("auth_token_update_strategy")
    if strategy in ("ROTATE", "SET") and params.get("auth_token") is None:
        errors.append("auth_token_update_strategy %s requires auth_token" % strategy)
    if strategy == "DELETE" and params.get("auth_token") is not None:
        errors.append("auth_token_update_strategy DELETE removes the token; do not give auth_token with it")
    port = params.get("port")
    if port is not None and not 1 <= port <= 65535:
        errors.append("port must be 1 to 65535, got %d" % port)
    for index, config in enumerate(params.get("log_delivery_configurations") or []):
        if not config.get("destination"):
            errors.append("log_delivery_configurations[%d].destination must not be empty" % index)
    log_types = [config.get("log_type") for config in params.get("log_delivery_configurations") or []]
    if len(log_types) != len(set(log_types)):
        errors.append("log_delivery_configurations lists a log_type twice")
    return errors


def create_errors(params):
    """Problems that only matter when the group does not exist yet (what CreateReplicationGroup requires)."""
    errors = []
    for option in ("description", "cache_node_type"):
        if not params.get(option):
            errors.append("%s is required to create replication group %s" % (option, params["replication_group_id"]))
    errors.extend(
        _failover_errors(
            params.get("replicas_per_node_group") or 0, bool(params.get("automatic_failover")), params.get("multi_az")
        )
    )
    if params.get("auth_token") is not None and not params.get("transit_encryption"):
        errors.append("auth_token requires transit_encryption: true")
    return sorted(set(errors), key=errors.index)


def effective_errors(current, desired, params):
    """Problems of the combination of current and wanted settings of an existing group."""
    merged = dict(current)
    merged.update(desired)
    errors = _failover_errors(
        merged.get("replicas_per_node_group"), merged.get("automatic_failover"), merged.get("multi_az")
    )
    if params.get("preferred_maintenance_window") is None or params.get("snapshot_window") is None:
        # One window is given and the other is the group's: they must still be apart.
        errors.extend(
            error
            for error in _window_errors(merged.get("snapshot_window"), merged.get("preferred_maintenance_window"))
            if "overlaps" in error
        )
    if params.get("auth_token_update_strategy") in ("ROTATE", "SET") and not merged.get("transit_encryption"):
        errors.append("auth_token requires transit_encryption: true")
    return errors


# --- reading --------------------------------------------------------------------------------------------------


def describe_replication_group(client, group_id):
    """The described group, or None when there is none."""
    try:
        groups = client.describe_replication_groups(aws_retry=True, ReplicationGroupId=group_id)["ReplicationGroups"]
    except is_boto3_error_code("ReplicationGroupNotFoundFault"):
        return None
    return groups[0] if groups else None


def primary_cluster_id(group):
    for node_group in group.get("NodeGroups") or []:
        for member in node_group.get("NodeGroupMembers") or []:
            if member.get("CurrentRole") == "primary":
                return member["CacheClusterId"]
    members = group.get("MemberClusters") or []
    return members[0] if members else None


def describe_primary_cluster(client, group):
    """The primary member cluster as DescribeCacheClusters reports it, or None (e.g. while it is created)."""
    cluster_id = primary_cluster_id(group)
    if not cluster_id:
        return None
    try:
        clusters = client.describe_cache_clusters(aws_retry=True, CacheClusterId=cluster_id)["CacheClusters"]
    except is_boto3_error_code("CacheClusterNotFound"):
        return None
    return clusters[0] if clusters else None


def get_tags(client, arn):
    tags = client.list_tags_for_resource(aws_retry=True, ResourceName=arn)["TagList"]
    return boto3_tag_list_to_ansible_dict(tags)


# --- normalising and comparing --------------------------------------------------------------------------------


def _enabled(value):
    return value in ("enabled", "enabling")


def normalise_log_delivery(configs):
    """AWS's LogDeliveryConfigurations (active ones) as a sorted list of the module's option dicts."""
    result = []
    for config in configs or []:
        if config.get("Status") in ("disabling", "disabled", "error"):
            continue
        section, key = DESTINATION_KEYS.get(config.get("DestinationType"), ("", ""))
        result.append(
            {
                "log_type": config.get("LogType"),
                "destination_type": config.get("DestinationType"),
                "destination": (config.get("DestinationDetails") or {}).get(section, {}).get(key),
                "log_format": config.get("LogFormat"),
            }
        )
    return sorted(result, key=lambda item: item["log_type"] or "")


def current_settings(group, cluster):
    """The compared settings of a described group and its primary member cluster (None: not known)."""
    cluster = cluster or {}
    pending = cluster.get("PendingModifiedValues") or {}
    group_pending = group.get("PendingModifiedValues") or {}
    node_groups = group.get("NodeGroups") or [{}]
    members = node_groups[0].get("NodeGroupMembers") or []
    failover = group_pending.get("AutomaticFailoverStatus") or group.get("AutomaticFailover")
    security_groups = cluster.get("SecurityGroups")
    window = cluster.get("PreferredMaintenanceWindow")
    return {
        "description": group.get("Description"),
        "engine": group.get("Engine") or cluster.get("Engine"),
        "engine_version": pending.get("EngineVersion") or cluster.get("EngineVersion"),
        "cache_node_type": pending.get("CacheNodeType") or group.get("CacheNodeType"),
        "replicas_per_node_group": max(len(members) - 1, 0),
        "automatic_failover": _enabled(failover),
        "multi_az": _enabled(group.get("MultiAZ")),
        "at_rest_encryption": bool(group.get("AtRestEncryptionEnabled")),
        "transit_encryption": bool(group.get("TransitEncryptionEnabled")),
        "transit_encryption_mode": group.get("TransitEncryptionMode"),
        "cache_parameter_group_name": (cluster.get("CacheParameterGroup") or {}).get("CacheParameterGroupName"),
        "cache_subnet_group_name": cluster.get("CacheSubnetGroupName"),
        "security_group_ids": None
        if security_groups is None
        else sorted(g["SecurityGroupId"] for g in security_groups),
        "snapshot_retention_limit": group.get("SnapshotRetentionLimit"),
        "auto_minor_version_upgrade": group.get("AutoMinorVersionUpgrade"),
        "snapshot_window": group.get("SnapshotWindow"),
        "preferred_maintenance_window": window.lower() if window else window,
        "port": (node_groups[0].get("PrimaryEndpoint") or {}).get("Port"),
        "log_delivery_configurations": normalise_log_delivery(group.get("LogDeliveryConfigurations")),
        "auth_token_enabled": bool(group.get("AuthTokenEnabled")),
    }


def desired_settings(params):
    """The settings the module's parameters ask for; options left unset are not managed (left out)."""
    names = [
        name for name, _parameter in CREATE_PARAMETERS if name not in ("auth_token", "preferred_cache_cluster_azs")
    ]
    desired = {name: params.get(name) for name in names + ["replicas_per_node_group"]}
    if desired["security_group_ids"] is not None:
        desired["security_group_ids"] = sorted(set(desired["security_group_ids"]))
    if desired["preferred_maintenance_window"] is not None:
        desired["preferred_maintenance_window"] = desired["preferred_maintenance_window"].lower()
    if params.get("log_delivery_configurations") is not None:
        desired["log_delivery_configurations"] = sorted(
            (dict(config) for config in params["log_delivery_configurations"]), key=lambda item: item["log_type"]
        )
    strategy = params.get("auth_token_update_strategy")
    if strategy:
        desired["auth_token_enabled"] = strategy != "DELETE"
    return dict((name, value) for name, value in desired.items() if value is not None)


def engine_version_matches(current, wanted):
    """``7.1`` is met by ``7.1`` and ``7.1.0``: AWS reports the full version of a ``major.minor`` request."""
    if current is None:
        return False
    return current == wanted or current.startswith(wanted + ".")


def differences(current, desired, auth_token_update_strategy=None):
    """``{option: (current value, wanted value)}`` for every managed setting that differs.

    An AUTH token update (``auth_token_update_strategy``) always counts: AWS never returns the token.
    """
    result = {}
    for name, wanted in desired.items():
        have = current.get(name)
        if name == "engine_version" and engine_version_matches(have, wanted):
            continue
        if name == "auth_token_enabled":
            if auth_token_update_strategy:
                result[name] = (have, wanted)
            continue
        if have != wanted:
            result[name] = (have, wanted)
    return result


def immutable_errors(changes):
    return [
        "%s cannot change in place (it is %r, wanted %r): it needs a new replication group"
        % (name, changes[name][0], changes[name][1])
        for name in IMMUTABLE
        if name in changes
    ]


def diff_of(current, desired, changes):
    """Before/after of the compared settings (the AUTH token never appears, only whether one is enabled)."""
    before = dict((name, current.get(name)) for name in desired) if current else {}
    after = dict(before)
    after.update(dict((name, wanted) for name, (_have, wanted) in changes.items()))
    if not current:
        after = dict(desired)
    return {"before": before, "after": after}


# --- requests -------------------------------------------------------------------------------------------------


def log_delivery_request(config, enabled=True):
    request = {"LogType": config["log_type"], "Enabled": enabled}
    if enabled:
        section, key = DESTINATION_KEYS[config["destination_type"]]
        request.update(
            {
                "DestinationType": config["destination_type"],
                "DestinationDetails": {section: {key: config["destination"]}},
                "LogFormat": config["log_format"],
            }
        )
    return request


def log_delivery_changes(current, wanted):
    """LogDeliveryConfigurations for ModifyReplicationGroup: new or changed ones enabled, dropped ones disabled."""
    have = dict((config["log_type"], config) for config in current or [])
    want = dict((config["log_type"], config) for config in wanted or [])
    requests = [
        log_delivery_request(config) for log_type, config in sorted(want.items()) if have.get(log_type) != config
    ]
    requests.extend(log_delivery_request(have[log_type], enabled=False) for log_type in sorted(set(have) - set(want)))
    return requests


def build_create_request(params, tags):
    request = {
        "ReplicationGroupId": params["replication_group_id"],
        "NumCacheClusters": (params.get("replicas_per_node_group") or 0) + 1,
    }
    for name, parameter in CREATE_PARAMETERS:
        if params.get(name) is not None:
            request[parameter] = params[name]
    if params.get("log_delivery_configurations"):
        request["LogDeliveryConfigurations"] = [
            log_delivery_request(config) for config in params["log_delivery_configurations"]
        ]
    if tags:
        request["Tags"] = [{"Key": key, "Value": value} for key, value in sorted(tags.items())]
    return request


def build_modify_request(group_id, changes, params):
    """ModifyReplicationGroup parameters for the changed settings, or None when none is for Modify."""
    request = {}
    for name, parameter in MODIFY_PARAMETERS:
        if name in changes:
            request[parameter] = changes[name][1]
    if "log_delivery_configurations" in changes:
        current, wanted = changes["log_delivery_configurations"]
        request["LogDeliveryConfigurations"] = log_delivery_changes(current, wanted)
    if "auth_token_enabled" in changes:
        request["AuthTokenUpdateStrategy"] = params["auth_token_update_strategy"]
        if params.get("auth_token") is not None:
            request["AuthToken"] = params["auth_token"]
    if not request:
        return None
    request.update({"ReplicationGroupId": group_id, "ApplyImmediately": params.get("apply_immediately", True)})
    return request


def replica_count_request(group_id, changes, apply_immediately=True):
    """``(client method name, parameters)`` for a replica count change, or None."""
    if "replicas_per_node_group" not in changes:
        return None
    have, wanted = changes["replicas_per_node_group"]
    method = "increase_replica_count" if wanted > have else "decrease_replica_count"
    return method, {"ReplicationGroupId": group_id, "NewReplicaCount": wanted, "ApplyImmediately": apply_immediately}


# --- waiting --------------------------------------------------------------------------------------------------


class ElastiCacheWaiterFactory(BaseWaiterFactory):
    """Waiters on DescribeReplicationGroups; throttling and transient errors are retried by the base class."""

    @property
    def _waiter_model_data(self):
        return dict(
            replication_group_available=dict(
                operation="DescribeReplicationGroups",
                delay=15,
                maxAttempts=120,
                acceptors=[
                    dict(
                        state="success", matcher="pathAll", argument="ReplicationGroups[].Status", expected="available"
                    ),
                    dict(
                        state="failure", matcher="pathAny", argument="ReplicationGroups[].Status", expected="deleting"
                    ),
                    dict(
                        state="failure",
                        matcher="pathAny",
                        argument="ReplicationGroups[].Status",
                        expected="create-failed",
                    ),
                    dict(state="retry", matcher="error", expected="ReplicationGroupNotFoundFault"),
                ],
            ),
            replication_group_deleted=dict(
                operation="DescribeReplicationGroups",
                delay=15,
                maxAttempts=120,
                acceptors=[
                    dict(state="success", matcher="error", expected="ReplicationGroupNotFoundFault"),
                    dict(state="retry", matcher="pathAll", argument="ReplicationGroups[].Status", expected="deleting"),
                ],
            ),
        )


def waiter_config(timeout):
    """Poll about 60 times over ``timeout`` seconds, every 1 to 15 seconds, for at least ``timeout`` seconds."""
    pause = max(1, min(MAX_WAIT_PAUSE, timeout // 60))
    attempts = 1 + -(-timeout // pause)
    return {"Delay": pause, "MaxAttempts": max(attempts, 2)}


def wait_for(client, group_id, waiter_name, timeout):
    """Wait until the group is available / deleted; raises botocore's WaiterError after ``timeout`` seconds."""
    raw_client = getattr(client, "client", client)  # the waiter calls the boto3 client, not AWSRetry's wrapper
    waiter = ElastiCacheWaiterFactory().get_waiter(raw_client, waiter_name)
    waiter.wait(ReplicationGroupId=group_id, WaiterConfig=waiter_config(timeout))
