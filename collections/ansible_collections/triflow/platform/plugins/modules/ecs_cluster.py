#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: TriFlow AI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: ecs_cluster
short_description: Manage an ECS cluster with Container Insights, capacity providers and tags
version_added: 1.0.0
description:
  - Creates, updates or deletes an ECS cluster.
  - Sets the C(containerInsights) cluster setting, the capacity providers with the default capacity provider
    strategy, and the tags, and changes only what differs.
  - C(community.aws.ecs_cluster) sets neither cluster settings nor tags, and reports a change on every run unless
    I(capacity_providers) is given; this module does both and stays idempotent.
  - A cluster in status C(INACTIVE) (deleted, still listed by AWS for a while) counts as absent and is created anew.
author: TriFlow AI platform team (@triflow-ai)
options:
  name:
    description: Name of the cluster.
    type: str
    required: true
  container_insights:
    description:
      - Value of the cluster setting C(containerInsights).
      - C(enhanced) is Container Insights with enhanced observability.
    type: str
    choices: [enabled, disabled, enhanced]
    default: enabled
  capacity_providers:
    description:
      - Capacity providers of the cluster, compared without regard to order.
      - An empty list removes them all.
    type: list
    elements: str
    default: [FARGATE, FARGATE_SPOT]
  default_capacity_provider_strategy:
    description:
      - Default capacity provider strategy of the cluster, compared without regard to order.
      - Each provider named must be in I(capacity_providers).
    type: list
    elements: dict
    default: []
    suboptions:
      capacity_provider:
        description: Name of the capacity provider.
        type: str
        required: true
      weight:
        description: Relative share of the tasks this provider runs.
        type: int
        default: 0
      base:
        description: Minimum number of tasks this provider runs.
        type: int
        default: 0
  tags:
    description:
      - Tags of the cluster.
      - When not given, the tags are left as they are.
    type: dict
  purge_tags:
    description:
      - Remove tags not named in I(tags).
      - Tags whose key starts with C(aws:) are never removed.
      - Ignored when I(tags) is not given.
    type: bool
    default: true
  state:
    description:
      - C(present) creates or updates the cluster; C(absent) deletes it.
      - The deletion fails, naming the reason, while the cluster still has services, tasks or container instances.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
attributes:
  check_mode:
    support: full
    description: Reports what would change without changing it.
  diff_mode:
    support: full
    description: Returns Container Insights, capacity providers, strategy and tags before and after.
notes:
  - "IAM actions used: ecs:DescribeClusters, ecs:CreateCluster, ecs:UpdateCluster, ecs:PutClusterCapacityProviders,
    ecs:TagResource, ecs:UntagResource, ecs:DeleteCluster."
  - Container Insights is set with UpdateCluster, which takes the same settings as UpdateClusterSettings.
"""

EXAMPLES = r"""
- name: Cluster of a stack, on Fargate, with Container Insights
  triflow.platform.ecs_cluster:
    name: triflow-acme-prod
    container_insights: enabled
    capacity_providers: [FARGATE, FARGATE_SPOT]
    default_capacity_provider_strategy:
      - capacity_provider: FARGATE
        weight: 1
        base: 1
    tags:
      Project: triflow
      Customer: acme
      Environment: prod

- name: Delete the cluster once its services are gone
  triflow.platform.ecs_cluster:
    name: triflow-acme-prod
    state: absent
"""

RETURN = r"""
cluster:
  description:
    - The cluster as DescribeClusters answers it after the run, keys in snake case, tags as a dict.
    - In check mode, the cluster as it was before the run; empty when it would be created.
  returned: when state is present
  type: dict
  contains:
    cluster_arn:
      description: ARN of the cluster.
      type: str
      sample: arn:aws:ecs:ap-northeast-2:123456789012:cluster/triflow-acme-prod
    cluster_name:
      description: Name of the cluster.
      type: str
      sample: triflow-acme-prod
    status:
      description: Status of the cluster.
      type: str
      sample: ACTIVE
    settings:
      description: Cluster settings.
      type: list
      elements: dict
      sample: [{"name": "containerInsights", "value": "enabled"}]
    capacity_providers:
      description: Capacity providers of the cluster.
      type: list
      elements: str
      sample: ["FARGATE", "FARGATE_SPOT"]
    default_capacity_provider_strategy:
      description: Default capacity provider strategy.
      type: list
      elements: dict
      sample: [{"capacity_provider": "FARGATE", "weight": 1, "base": 1}]
    tags:
      description: Tags of the cluster.
      type: dict
      sample: {"Project": "triflow"}
    active_services_count:
      description: Number of active services.
      type: int
      sample: 0
"""

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict
from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.triflow.platform.plugins.module_utils.ecs_cluster import (
    NOT_EMPTY_ERRORS,
    cluster_state,
    create_cluster,
    delete_cluster,
    describe_cluster,
    has_changes,
    plan_changes,
    put_capacity_providers,
    update_insights,
    update_tags,
    wanted_state,
)

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule


def snake_cluster(cluster):
    """The described cluster in snake case, tags as a dict."""
    if not cluster:
        return {}
    cluster = dict(cluster, tags=boto3_tag_list_to_ansible_dict(cluster.get("tags") or [], "key", "value"))
    return camel_dict_to_snake_dict(cluster, ignore_list=["tags"])


def ensure_absent(module, client, name, cluster):
    changed = cluster is not None
    if changed and not module.check_mode:
        try:
            delete_cluster(client, name)
        except is_boto3_error_code(NOT_EMPTY_ERRORS) as error:
            module.fail_json_aws(
                error,
                msg="cannot delete ECS cluster %s: it still has services, tasks or container instances;"
                " delete its services first" % name,
            )
        except is_boto3_error_code("ClusterNotFoundException"):
            pass
    result = dict(changed=changed)
    if module._diff:
        result["diff"] = dict(before=cluster_state(cluster) if cluster else {}, after={})
    module.exit_json(**result)


def ensure_present(module, client, name, cluster):
    params = module.params
    before = cluster_state(cluster) if cluster else None
    after = wanted_state(
        before,
        name,
        params["container_insights"],
        params["capacity_providers"],
        params["default_capacity_provider_strategy"],
        params["tags"],
        params["purge_tags"],
    )
    if cluster is None:
        changed = True
        if not module.check_mode:
            create_cluster(
                client,
                name,
                params["container_insights"],
                params["capacity_providers"],
                params["default_capacity_provider_strategy"],
                params["tags"],
            )
    else:
        plan = plan_changes(before, after)
        changed = has_changes(plan)
        if changed and not module.check_mode:
            if plan["container_insights"]:
                update_insights(client, name, plan["container_insights"])
            if plan["capacity_providers"]:
                put_capacity_providers(
                    client, name, params["capacity_providers"], params["default_capacity_provider_strategy"]
                )
            update_tags(client, cluster["clusterArn"], plan["tags_to_set"], plan["tags_to_remove"])
    if changed and not module.check_mode:
        cluster = describe_cluster(client, name)
    result = dict(changed=changed, cluster=snake_cluster(cluster))
    if module._diff:
        result["diff"] = dict(before=before or {}, after=after)
    module.exit_json(**result)


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            container_insights=dict(type="str", choices=["enabled", "disabled", "enhanced"], default="enabled"),
            capacity_providers=dict(type="list", elements="str", default=["FARGATE", "FARGATE_SPOT"]),
            default_capacity_provider_strategy=dict(
                type="list",
                elements="dict",
                default=[],
                options=dict(
                    capacity_provider=dict(type="str", required=True),
                    weight=dict(type="int", default=0),
                    base=dict(type="int", default=0),
                ),
            ),
            tags=dict(type="dict"),
            purge_tags=dict(type="bool", default=True),
            state=dict(type="str", choices=["present", "absent"], default="present"),
        ),
        supports_check_mode=True,
    )
    name = module.params["name"]
    client = module.client("ecs", retry_decorator=AWSRetry.jittered_backoff())
    try:
        cluster = describe_cluster(client, name)
        if module.params["state"] == "absent":
            ensure_absent(module, client, name, cluster)
        ensure_present(module, client, name, cluster)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as error:
        module.fail_json_aws(error, msg="could not manage ECS cluster %s" % name)


if __name__ == "__main__":
    main()
