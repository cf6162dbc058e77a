#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: TriFlow AI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: elasticache_replication_group
short_description: Manage an ElastiCache (Redis OSS / Valkey) replication group with cluster mode disabled
version_added: 0.1.0
description:
  - Creates, updates and deletes an ElastiCache replication group with one node group (a primary and 0 to 5
    replicas), encryption at rest and in transit, an AUTH token, snapshots, maintenance window and log delivery.
  - Reads the group first (C(DescribeReplicationGroups), the tags of its ARN and its primary member cluster, where
    AWS reports the engine version, parameter group, subnet group, security groups and maintenance window), compares
    every option given with what AWS reports, and changes only what differs. Options left unset are not managed.
  - Changes go through C(ModifyReplicationGroup); replica count changes through C(IncreaseReplicaCount) /
    C(DecreaseReplicaCount). What AWS cannot change in place (O(engine), O(at_rest_encryption),
    O(cache_subnet_group_name), O(port)) makes the module fail with a message naming the option, before any change.
  - C(community.aws.elasticache) manages single cache clusters only, without check mode, encryption or AUTH token.
author:
  - TriFlow AI platform team (@triflow-ai)
options:
  replication_group_id:
    description:
      - The replication group identifier, at most 40 characters. Lowercase letters, digits and hyphens, starting
        with a letter, no two consecutive hyphens, not ending with a hyphen.
    type: str
    required: true
  state:
    description:
      - V(present) creates or updates the group; V(absent) deletes it (and its member clusters).
    type: str
    choices: [present, absent]
    default: present
  description:
    description:
      - The group's description. Required to create a group.
    type: str
  engine:
    description:
      - The engine. Cannot change in place.
    type: str
    choices: [redis, valkey]
    default: redis
  engine_version:
    description:
      - The engine version, for example V(7.1). V(7.1) is met by a group that reports V(7.1.0).
      - AWS upgrades in place; downgrades fail on the AWS side.
    type: str
  cache_node_type:
    description:
      - The node type, for example V(cache.t4g.small). Required to create a group.
    type: str
  replicas_per_node_group:
    description:
      - Number of read replicas besides the primary, 0 to 5. Created as C(NumCacheClusters) = replicas + 1.
      - Defaults to 0 when the group is created.
    type: int
  automatic_failover:
    description:
      - Whether a replica is promoted automatically when the primary fails. Needs at least one replica.
    type: bool
  multi_az:
    description:
      - Whether Multi-AZ is enabled. Needs O(automatic_failover=true).
    type: bool
  at_rest_encryption:
    description:
      - Whether data at rest is encrypted. Cannot change in place. AWS's default at creation is V(false).
    type: bool
  transit_encryption:
    description:
      - Whether connections use TLS (clients connect with C(rediss://)). Required by O(auth_token).
    type: bool
  transit_encryption_mode:
    description:
      - V(required) accepts TLS connections only; V(preferred) accepts both (the step AWS needs when TLS is turned on
        for an existing group).
    type: str
    choices: [preferred, required]
  auth_token:
    description:
      - The AUTH token (password) clients must send. 16 to 128 characters; letters, digits and C(!&#$^<>-)
        only. Needs O(transit_encryption=true).
      - AWS never returns the token, so the module cannot compare it. It is set when the group is created; on an
        existing group it is changed only when O(auth_token_update_strategy) is given, and then the module always
        reports a change. Give O(auth_token_update_strategy) only on the run that should rotate the token.
      - The token is never logged or returned.
    type: str
  auth_token_update_strategy:
    description:
      - Changes the AUTH token of an existing group with C(ModifyReplicationGroup).
      - V(ROTATE) adds O(auth_token) and keeps the old token valid, so clients can switch; V(SET) then makes
        O(auth_token) the only valid token; V(DELETE) removes the token (give no O(auth_token)).
      - Ignored when the group is created (O(auth_token) is set then).
    type: str
    choices: [ROTATE, SET, DELETE]
  cache_parameter_group_name:
    description:
      - The cache parameter group of the group's nodes, for example a C(redis7) family group.
    type: str
  cache_subnet_group_name:
    description:
      - The cache subnet group (the private subnets). Cannot change in place.
    type: str
  security_group_ids:
    description:
      - VPC security group ids of the group. Compared as a set.
    type: list
    elements: str
  preferred_cache_cluster_azs:
    description:
      - Availability zones of the primary and the replicas, in that order, used when the group is created.
      - Not compared afterwards, because AWS moves the primary role between zones on failover and places added
        replicas itself.
    type: list
    elements: str
  snapshot_retention_limit:
    description:
      - Days of automatic snapshots kept; V(0) turns automatic snapshots off.
    type: int
  auto_minor_version_upgrade:
    description:
      - Whether AWS applies new minor engine versions in the maintenance window (Redis OSS 6.0 and later).
      - Not given, the group keeps what it has (AWS's default when it is created).
    type: bool
  snapshot_window:
    description:
      - Daily UTC window for automatic snapshots, C(hh24:mi-hh24:mi), at least 60 minutes, for example
        V(17:00-18:00). Must not overlap O(preferred_maintenance_window).
    type: str
  preferred_maintenance_window:
    description:
      - Weekly UTC maintenance window, C(ddd:hh24:mi-ddd:hh24:mi), at least 60 minutes, for example
        V(sun:19:00-sun:20:00). Compared case-insensitively.
    type: str
  log_delivery_configurations:
    description:
      - Where the slow log and the engine log go. Log types not listed are turned off; V([]) turns both off.
    type: list
    elements: dict
    suboptions:
      log_type:
        description: Which log.
        type: str
        required: true
        choices: [slow-log, engine-log]
      destination_type:
        description: Where it goes.
        type: str
        choices: [cloudwatch-logs, kinesis-firehose]
        default: cloudwatch-logs
      destination:
        description: The CloudWatch Logs log group name, or the Kinesis Data Firehose delivery stream name.
        type: str
        required: true
      log_format:
        description: The format of the log entries.
        type: str
        choices: [json, text]
        default: json
  port:
    description:
      - The port the nodes listen on. Cannot change in place.
    type: int
    default: 6379
  apply_immediately:
    description:
      - Apply changes now rather than in the next maintenance window. With V(false), changes AWS defers (node type,
        engine version) are compared with their pending values.
    type: bool
    default: true
  wait:
    description:
      - Wait until the group is C(available) after a create or change, or gone after a delete.
      - Between two changes of one run (replica count, then the other settings) the module always waits, because
        AWS accepts one change of a group at a time.
    type: bool
    default: true
  wait_timeout:
    description:
      - How many seconds to wait. The module polls every O(wait_timeout) / 60 seconds (1 to 15 seconds).
    type: int
    default: 1800
  final_snapshot_identifier:
    description:
      - With O(state=absent), the name of a snapshot AWS takes before it deletes the group.
    type: str
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
attributes:
  check_mode:
    support: full
    description: Reads the group and reports what would change, without changing it.
  diff_mode:
    support: full
    description: Returns the compared settings before and after (never the AUTH token).
notes:
  - Cluster mode is always disabled (one node group); the module fails on a group with cluster mode enabled.
  - The IAM actions it needs are C(elasticache:DescribeReplicationGroups), C(elasticache:DescribeCacheClusters),
    C(elasticache:ListTagsForResource), C(elasticache:CreateReplicationGroup), C(elasticache:ModifyReplicationGroup),
    C(elasticache:IncreaseReplicaCount), C(elasticache:DecreaseReplicaCount), C(elasticache:AddTagsToResource),
    C(elasticache:RemoveTagsFromResource), C(elasticache:DeleteReplicationGroup) and, with
    O(final_snapshot_identifier), C(elasticache:CreateSnapshot).
"""

EXAMPLES = r"""
- name: Create the stack's Redis replication group (primary + 1 replica, encrypted, AUTH token)
  triflow.platform.elasticache_replication_group:
    replication_group_id: triflow-acme-prod-redis
    description: TriFlow cache of acme prod
    engine: redis
    engine_version: "7.1"
    cache_node_type: cache.t4g.small
    replicas_per_node_group: 1
    automatic_failover: true
    multi_az: true
    at_rest_encryption: true
    transit_encryption: true
    auth_token: "{{ redis_auth_token }}"
    cache_subnet_group_name: triflow-acme-prod-redis
    cache_parameter_group_name: triflow-acme-prod-redis7
    security_group_ids:
      - "{{ redis_security_group_id }}"
    snapshot_retention_limit: 5
    snapshot_window: "17:00-18:00"
    preferred_maintenance_window: sun:19:00-sun:20:00
    log_delivery_configurations:
      - log_type: slow-log
        destination: /triflow/acme-prod/redis/slow-log
      - log_type: engine-log
        destination: /triflow/acme-prod/redis/engine-log
    tags:
      Project: triflow
      Customer: acme
      Environment: prod
      ManagedBy: ansible
  register: redis

- name: Show the TLS URL of the primary endpoint
  ansible.builtin.debug:
    msg: "rediss://{{ redis.replication_group.node_groups[0].primary_endpoint.address }}:6379"

- name: Start a create without waiting (wait later, e.g. after starting the database too)
  triflow.platform.elasticache_replication_group:
    replication_group_id: triflow-acme-prod-redis
    description: TriFlow cache of acme prod
    cache_node_type: cache.t4g.small
    wait: false

- name: Rotate the AUTH token (old and new token valid until the next SET)
  triflow.platform.elasticache_replication_group:
    replication_group_id: triflow-acme-prod-redis
    auth_token: "{{ new_redis_auth_token }}"
    auth_token_update_strategy: ROTATE

- name: Delete the group, keeping a final snapshot
  triflow.platform.elasticache_replication_group:
    replication_group_id: triflow-acme-prod-redis
    state: absent
    final_snapshot_identifier: triflow-acme-prod-redis-final
"""

RETURN = r"""
replication_group:
  description:
    - The group as C(DescribeReplicationGroups) reports it (snake_case), with its tags and the settings AWS reports
      on its primary member cluster. Empty when the group does not exist (or would be created in check mode).
  returned: always
  type: dict
  contains:
    replication_group_id:
      description: The group's id.
      type: str
      returned: when the group exists
      sample: triflow-acme-prod-redis
    arn:
      description: The group's ARN.
      type: str
      returned: when the group exists
      sample: arn:aws:elasticache:ap-northeast-2:123456789012:replicationgroup:triflow-acme-prod-redis
    status:
      description: The group's status (C(creating), C(available), C(modifying), C(deleting)...).
      type: str
      returned: when the group exists
      sample: available
    member_clusters:
      description: The ids of the member cache clusters.
      type: list
      elements: str
      returned: when the group exists
      sample: [triflow-acme-prod-redis-001, triflow-acme-prod-redis-002]
    node_groups:
      description: The node group with its C(primary_endpoint), C(reader_endpoint) and members.
      type: list
      elements: dict
      returned: when the group exists
      sample:
        - node_group_id: "0001"
          primary_endpoint:
            address: master.triflow-acme-prod-redis.abc123.apne2.cache.amazonaws.com
            port: 6379
    automatic_failover:
      description: C(enabled) or C(disabled).
      type: str
      returned: when the group exists
      sample: enabled
    multi_az:
      description: C(enabled) or C(disabled).
      type: str
      returned: when the group exists
      sample: enabled
    cache_node_type:
      description: The node type.
      type: str
      returned: when the group exists
      sample: cache.t4g.small
    auth_token_enabled:
      description: Whether an AUTH token is set (the token itself is never returned).
      type: bool
      returned: when the group exists
      sample: true
    log_delivery_configurations:
      description: The log delivery configurations as AWS reports them.
      type: list
      elements: dict
      returned: when the group exists
      sample: []
    engine_version:
      description: The engine version of the primary member cluster.
      type: str
      returned: when the group exists
      sample: 7.1.0
    cache_parameter_group_name:
      description: The parameter group of the primary member cluster.
      type: str
      returned: when the group exists
      sample: triflow-acme-prod-redis7
    cache_subnet_group_name:
      description: The subnet group of the primary member cluster.
      type: str
      returned: when the group exists
      sample: triflow-acme-prod-redis
    security_group_ids:
      description: The security group ids of the primary member cluster.
      type: list
      elements: str
      returned: when the group exists
      sample: [sg-0123456789abcdef0]
    preferred_maintenance_window:
      description: The maintenance window of the primary member cluster.
      type: str
      returned: when the group exists
      sample: sun:19:00-sun:20:00
    tags:
      description: The group's tags.
      type: dict
      returned: when the group exists
      sample: {"Customer": "acme"}
diff:
  description: The compared settings before and after (with C(--diff)); the AUTH token never appears.
  returned: when diff mode is on
  type: dict
  sample: {"before": {"cache_node_type": "cache.t4g.small"}, "after": {"cache_node_type": "cache.t4g.medium"}}
"""

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.triflow.platform.plugins.module_utils import elasticache_replication_group as ec
from ansible_collections.triflow.platform.plugins.module_utils.tags import plan_tags

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

MEMBER_FIELDS = (
    "engine_version",
    "cache_parameter_group_name",
    "cache_subnet_group_name",
    "security_group_ids",
    "preferred_maintenance_window",
)


class ReplicationGroup(object):
    """One run of the module: read, compare, then (outside check mode) write."""

    def __init__(self, module, client):
        self.module = module
        self.client = client
        self.params = module.params
        self.group_id = module.params["replication_group_id"]
        self.changed = False
        self.diff = {"before": {}, "after": {}}

    # -- reading

    def describe(self):
        """``(group, primary cluster, tags)``; ``(None, None, {})`` when there is no group."""
        try:
            group = ec.describe_replication_group(self.client, self.group_id)
            if group is None:
                return None, None, {}
            cluster = ec.describe_primary_cluster(self.client, group)
            tags = ec.get_tags(self.client, group["ARN"])
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
            self.module.fail_json_aws(e, msg="Failed to describe replication group %s" % self.group_id)
        return group, cluster, tags

    def result(self, group, cluster, tags):
        if group is None:
            return {}
        described = camel_dict_to_snake_dict(group)
        settings = ec.current_settings(group, cluster)
        for name in MEMBER_FIELDS:
            described[name] = settings[name]
        described["tags"] = tags
        return described

    # -- writing

    def call(self, method, message, **params):
        try:
            return getattr(self.client, method)(aws_retry=True, **params)
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
            self.module.fail_json_aws(e, msg=message % self.group_id)

    def wait(self, waiter_name):
        timeout = self.params["wait_timeout"]
        try:
            ec.wait_for(self.client, self.group_id, waiter_name, timeout)
        except botocore.exceptions.WaiterError as e:
            state = "available" if waiter_name == "replication_group_available" else "deleted"
            self.module.fail_json_aws(
                e, msg="Replication group %s was not %s within wait_timeout (%d s)" % (self.group_id, state, timeout)
            )
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
            self.module.fail_json_aws(e, msg="Failed while waiting for replication group %s" % self.group_id)

    def fail_on(self, errors):
        if errors:
            self.module.fail_json(msg="; ".join(errors), errors=errors)

    # -- states

    def present(self):
        group, cluster, tags = self.describe()
        if group is None:
            return self.create()
        if group.get("Status") == "deleting":
            self.module.fail_json(
                msg="Replication group %s is being deleted; run again once it is gone" % self.group_id
            )
        if group.get("ClusterEnabled"):
            self.module.fail_json(
                msg="Replication group %s has cluster mode enabled; this module manages cluster mode disabled groups"
                % self.group_id
            )
        if group.get("Status") != "available" and self.params["wait"] and not self.module.check_mode:
            self.wait("replication_group_available")
            group, cluster, tags = self.describe()
        return self.update(group, cluster, tags)

    def create(self):
        self.fail_on(ec.create_errors(self.params))
        desired = ec.desired_settings(self.params)
        desired.pop("auth_token_enabled", None)
        if self.params.get("auth_token") is not None:
            desired["auth_token_enabled"] = True
        self.diff = ec.diff_of({}, desired, {})
        self.changed = True
        if self.module.check_mode:
            return None, None, {}
        tags = self.params.get("tags") or {}
        request = ec.build_create_request(self.params, tags)
        self.call("create_replication_group", "Failed to create replication group %s", **request)
        if self.params["wait"]:
            self.wait("replication_group_available")
        return self.describe()

    def update(self, group, cluster, tags):
        current = ec.current_settings(group, cluster)
        desired = ec.desired_settings(self.params)
        strategy = self.params.get("auth_token_update_strategy")
        changes = ec.differences(current, desired, strategy)
        self.fail_on(ec.immutable_errors(changes) + ec.effective_errors(current, desired, self.params))
        tags_to_set, tags_to_remove, tags_after = plan_tags(tags, self.params.get("tags"), self.params["purge_tags"])
        if self.params.get("tags") is not None:
            current["tags"], desired["tags"] = tags, tags_after
            if tags_to_set or tags_to_remove:
                changes["tags"] = (tags, tags_after)
        self.diff = ec.diff_of(current, desired, changes)
        if not changes:
            return group, cluster, tags
        self.changed = True
        if self.module.check_mode:
            return group, cluster, tags
        self.apply(group, changes, tags_to_set, tags_to_remove)
        return self.describe()

    def apply(self, group, changes, tags_to_set, tags_to_remove):
        apply_now = self.params["apply_immediately"]
        replicas = ec.replica_count_request(self.group_id, changes, apply_now)
        modify = ec.build_modify_request(self.group_id, changes, self.params)
        steps = []
        if replicas and replicas[0] == "increase_replica_count":
            steps.append(replicas)  # replicas first: failover / Multi-AZ may need them
        if modify:
            steps.append(("modify_replication_group", modify))
        if replicas and replicas[0] == "decrease_replica_count":
            steps.append(replicas)  # after failover / Multi-AZ were turned off
        for index, (method, request) in enumerate(steps):
            if index:
                self.wait("replication_group_available")  # AWS takes one change of a group at a time
            self.call(method, "Failed to update replication group %s (" + method + ")", **request)
        if tags_to_set:
            self.call(
                "add_tags_to_resource",
                "Failed to tag replication group %s",
                ResourceName=group["ARN"],
                Tags=ansible_dict_to_boto3_tag_list(tags_to_set),
            )
        if tags_to_remove:
            self.call(
                "remove_tags_from_resource",
                "Failed to untag replication group %s",
                ResourceName=group["ARN"],
                TagKeys=tags_to_remove,
            )
        if steps and self.params["wait"]:
            self.wait("replication_group_available")

    def absent(self):
        group, cluster, tags = self.describe()
        if group is None:
            return None, None, {}
        self.diff = {"before": {"replication_group_id": self.group_id, "status": group.get("Status")}, "after": {}}
        self.changed = True
        if self.module.check_mode:
            return group, cluster, tags
        if group.get("Status") != "deleting":
            if group.get("Status") != "available":
                self.wait("replication_group_available")  # AWS deletes only an available group
            request = {"ReplicationGroupId": self.group_id}
            if self.params.get("final_snapshot_identifier"):
                request["FinalSnapshotIdentifier"] = self.params["final_snapshot_identifier"]
            self.call("delete_replication_group", "Failed to delete replication group %s", **request)
        if self.params["wait"]:
            self.wait("replication_group_deleted")
            return None, None, {}
        return self.describe()


def argument_spec():
    log_delivery = dict(
        log_type=dict(type="str", required=True, choices=["slow-log", "engine-log"]),
        destination_type=dict(type="str", default="cloudwatch-logs", choices=["cloudwatch-logs", "kinesis-firehose"]),
        destination=dict(type="str", required=True),
        log_format=dict(type="str", default="json", choices=["json", "text"]),
    )
    return dict(
        replication_group_id=dict(type="str", required=True),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        description=dict(type="str"),
        engine=dict(type="str", default="redis", choices=["redis", "valkey"]),
        engine_version=dict(type="str"),
        cache_node_type=dict(type="str"),
        replicas_per_node_group=dict(type="int"),
        automatic_failover=dict(type="bool"),
        multi_az=dict(type="bool"),
        at_rest_encryption=dict(type="bool"),
        transit_encryption=dict(type="bool"),
        transit_encryption_mode=dict(type="str", choices=["preferred", "required"]),
        auth_token=dict(type="str", no_log=True),
        auth_token_update_strategy=dict(type="str", choices=["ROTATE", "SET", "DELETE"]),
        cache_parameter_group_name=dict(type="str"),
        cache_subnet_group_name=dict(type="str"),
        security_group_ids=dict(type="list", elements="str"),
        preferred_cache_cluster_azs=dict(type="list", elements="str"),
        snapshot_retention_limit=dict(type="int"),
        auto_minor_version_upgrade=dict(type="bool"),
        snapshot_window=dict(type="str"),
        preferred_maintenance_window=dict(type="str"),
        log_delivery_configurations=dict(type="list", elements="dict", options=log_delivery),
        port=dict(type="int", default=6379),
        apply_immediately=dict(type="bool", default=True),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=1800),
        final_snapshot_identifier=dict(type="str"),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )


def main():
    module = AnsibleAWSModule(argument_spec=argument_spec(), supports_check_mode=True)
    errors = ec.input_errors(module.params)
    if errors:
        module.fail_json(msg="; ".join(errors), errors=errors)

    try:
        client = module.client("elasticache", retry_decorator=AWSRetry.jittered_backoff())
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
        module.fail_json_aws(e, msg="Failed to connect to AWS")

    run = ReplicationGroup(module, client)
    if module.params["state"] == "present":
        group, cluster, tags = run.present()
    else:
        group, cluster, tags = run.absent()

    result = dict(changed=run.changed, replication_group=run.result(group, cluster, tags))
    if module._diff:
        result["diff"] = run.diff
    module.exit_json(**result)


if __name__ == "__main__":
    main()
