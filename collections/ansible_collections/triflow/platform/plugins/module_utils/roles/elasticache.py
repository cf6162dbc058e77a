# -*- coding: utf-8 -*-
# Copyright: TriFlow AI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The model of the ``elasticache`` role: the stack's Redis replication group, its checks and its desired state.

meta/argument_specs.yml checks each input's type and choices; ``input_errors`` checks what it cannot (versions, the
group id's length, ranges, failover and windows) and ``desired_state`` builds every name and setting the role
applies (the ``elasticache_replication_group`` module's own helpers are in module_utils/elasticache_replication_group).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.triflow.platform.plugins.module_utils.naming import named_tags
from ansible_collections.triflow.platform.plugins.module_utils.rules import (
    ELASTICACHE_WINDOW_MINUTES,
    failover_errors,
    int_in_range,
    log_retention_in_range,
    window_errors,
)

NODE_TYPE = re.compile(r"^cache\.[a-z0-9]+\.[a-z0-9]+$")
ENGINE_VERSION = re.compile(r"^7\.\d+$")
GROUP_ID_MAX = 40
FAILOVER_VARIABLES = {
    "replicas": "elasticache_replicas",
    "automatic_failover": "elasticache_automatic_failover",
    "multi_az": "elasticache_multi_az",
}


def input_errors(inputs):
    """Every problem of the elasticache role's inputs that argument_specs cannot see, each naming its variable."""
    errors = []
    group_id = "%s-redis" % inputs.get("elasticache_name_prefix")
    if len(group_id) > GROUP_ID_MAX:
        errors.append(
            "elasticache_name_prefix makes the replication group id '%s' (%d characters); ElastiCache allows %d"
            % (group_id, len(group_id), GROUP_ID_MAX)
        )
    if not ENGINE_VERSION.match(str(inputs.get("elasticache_engine_version"))):
        errors.append(
            "elasticache_engine_version '%s' is not a Redis 7.x version such as 7.1"
            % inputs.get("elasticache_engine_version")
        )
    if not NODE_TYPE.match(str(inputs.get("elasticache_node_type"))):
        errors.append(
            "elasticache_node_type '%s' is not a node type such as cache.t4g.small"
            % inputs.get("elasticache_node_type")
        )
    if int_in_range("elasticache_replicas", inputs.get("elasticache_replicas"), 0, 5, errors):
        errors.extend(
            failover_errors(
                FAILOVER_VARIABLES,
                inputs["elasticache_replicas"],
                inputs["elasticache_automatic_failover"],
                inputs["elasticache_multi_az"],
            )
        )
    int_in_range("elasticache_timeout", inputs.get("elasticache_timeout"), 0, 86400, errors)
    int_in_range(
        "elasticache_snapshot_retention_days", inputs.get("elasticache_snapshot_retention_days"), 0, 35, errors
    )
    errors.extend(
        window_errors(
            "elasticache_snapshot_window",
            inputs["elasticache_snapshot_window"],
            "elasticache_maintenance_window",
            inputs["elasticache_maintenance_window"],
            ELASTICACHE_WINDOW_MINUTES,
        )
    )
    log_retention_in_range("elasticache_log_retention_days", inputs.get("elasticache_log_retention_days"), errors)
    return errors


def desired_state(inputs, context):
    """The stack's cache: subnet group, parameter group, log groups and replication group settings."""
    prefix = inputs["elasticache_name_prefix"]
    tags = inputs.get("elasticache_tags") or {}
    group_id = "%s-redis" % prefix
    family = inputs["elasticache_parameter_group_family"]
    return {
        # The subnets and security groups are the network role's (empty until it has run).
        "subnet_group": {
            "name": group_id,
            "description": "Private subnets of %s's cache" % prefix,
            "subnet_ids": list(inputs.get("elasticache_subnet_ids") or []),
        },
        "parameter_group": {
            "name": "%s-%s" % (prefix, family),
            "family": family,
            "description": "Redis settings of %s" % prefix,
            "parameters": {
                "timeout": str(inputs["elasticache_timeout"]),
                "maxmemory-policy": inputs["elasticache_maxmemory_policy"],
            },
        },
        "log_retention_days": inputs["elasticache_log_retention_days"],
        "tags": dict(tags),
        "auth_token_secret": "%s/redis-auth-token" % prefix,
        "replication_group": {
            "id": group_id,
            "description": "Redis cache of %s" % prefix,
            "engine": "redis",
            "engine_version": inputs["elasticache_engine_version"],
            "node_type": inputs["elasticache_node_type"],
            "replicas": inputs["elasticache_replicas"],
            "automatic_failover": inputs["elasticache_automatic_failover"],
            "multi_az": inputs["elasticache_multi_az"],
            "security_group_ids": list(inputs.get("elasticache_security_group_ids") or []),
            "at_rest_encryption": True,
            "transit_encryption": True,
            "snapshot_retention_days": inputs["elasticache_snapshot_retention_days"],
            # Minor engine versions (security fixes) are applied in the maintenance window.
            "auto_minor_version_upgrade": True,
            "snapshot_window": inputs["elasticache_snapshot_window"],
            "maintenance_window": inputs["elasticache_maintenance_window"],
            "log_delivery_configurations": [
                {
                    "log_type": log_type,
                    "destination_type": "cloudwatch-logs",
                    "destination": "/aws/elasticache/%s/%s" % (group_id, log_type),
                    "log_format": "json",
                }
                for log_type in ("slow-log", "engine-log")
            ],
            "tags": named_tags(tags, group_id),
        },
    }
