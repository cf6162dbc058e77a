# -*- coding: utf-8 -*-
# Copyright: TriFlow AI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""ECS clusters: reads, comparison and requests, used by the ``ecs_cluster`` module.

Settings are compared in one normalised shape, keyed by the module's option names::

    {"name": "triflow-acme-prod", "container_insights": "enabled", "capacity_providers": ["FARGATE"],
     "default_capacity_provider_strategy": [{"capacity_provider": "FARGATE", "weight": 1, "base": 0}],
     "tags": {"Project": "triflow"}}

``cluster_state`` builds it from what DescribeClusters answers, ``wanted_state`` from the module's parameters and
the current state. Capacity providers and strategy items compare without regard to order; a strategy item without
``weight`` or ``base`` counts as 0, AWS's default.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.amazon.aws.plugins.module_utils.tagging import (
    ansible_dict_to_boto3_tag_list,
    boto3_tag_list_to_ansible_dict,
)
from ansible_collections.triflow.platform.plugins.module_utils.tags import plan_tags

INSIGHTS_SETTING = "containerInsights"
# AWS keeps a deleted cluster INACTIVE for a while; such a cluster is gone for the module, and CreateCluster with
# the same name makes a new one.
GONE_STATUSES = ("INACTIVE",)
# DeleteCluster refuses a cluster that still holds these.
NOT_EMPTY_ERRORS = (
    "ClusterContainsServicesException",
    "ClusterContainsTasksException",
    "ClusterContainsContainerInstancesException",
    "ClusterContainsCapacityProviderException",
)


def describe_cluster(client, name):
    """The cluster as DescribeClusters answers it (with tags and settings), or None if missing or INACTIVE."""
    clusters = client.describe_clusters(aws_retry=True, clusters=[name], include=["TAGS", "SETTINGS"])["clusters"]
    for cluster in clusters:
        if cluster.get("clusterName") == name and cluster.get("status") not in GONE_STATUSES:
            return cluster
    return None


def insights_value(settings):
    """Value of the containerInsights setting; AWS's default, disabled, when the setting is not reported."""
    for setting in settings or []:
        if setting.get("name") == INSIGHTS_SETTING:
            return setting.get("value") or "disabled"
    return "disabled"


def strategy_from_aws(items):
    """A capacity provider strategy as the module's options spell it, sorted by provider, defaults filled in."""
    strategy = [
        dict(
            capacity_provider=item["capacityProvider"],
            weight=int(item.get("weight") or 0),
            base=int(item.get("base") or 0),
        )
        for item in items or []
    ]
    return sorted(strategy, key=lambda item: item["capacity_provider"])


def strategy_from_options(items):
    """The module's strategy option in the same shape as ``strategy_from_aws``."""
    return strategy_from_aws(strategy_to_aws(items))


def strategy_to_aws(items):
    """The module's strategy option as the API's defaultCapacityProviderStrategy."""
    strategy = []
    for item in items or []:
        entry = dict(capacityProvider=item["capacity_provider"])
        if item.get("weight") is not None:
            entry["weight"] = int(item["weight"])
        if item.get("base") is not None:
            entry["base"] = int(item["base"])
        strategy.append(entry)
    return strategy


def cluster_state(cluster):
    """The normalised state of a described cluster."""
    return dict(
        name=cluster["clusterName"],
        container_insights=insights_value(cluster.get("settings")),
        capacity_providers=list(cluster.get("capacityProviders") or []),
        default_capacity_provider_strategy=strategy_from_aws(cluster.get("defaultCapacityProviderStrategy")),
        tags=boto3_tag_list_to_ansible_dict(cluster.get("tags") or [], "key", "value"),
    )


def same_providers(current, wanted):
    return sorted(set(current)) == sorted(set(wanted))


def wanted_state(current, name, container_insights, capacity_providers, strategy, tags, purge_tags):
    """The state after the run: ``current`` is None for a cluster to create; ``tags`` None leaves tags alone."""
    current = current or dict(capacity_providers=[], tags={})
    providers = list(capacity_providers or [])
    if same_providers(current["capacity_providers"], providers):
        providers = list(current["capacity_providers"])
    after_tags = plan_tags(current["tags"], tags, purge_tags)[2]
    return dict(
        name=name,
        container_insights=container_insights,
        capacity_providers=providers,
        default_capacity_provider_strategy=strategy_from_options(strategy),
        tags=after_tags,
    )


def plan_changes(current, wanted):
    """What differs between two normalised states of an existing cluster.

    Returns a dict: ``container_insights`` (the new value or None), ``capacity_providers`` (True when
    PutClusterCapacityProviders is needed), ``tags_to_set`` (dict) and ``tags_to_remove`` (sorted list).
    """
    to_set, to_remove, _after = plan_tags(current["tags"], wanted["tags"], purge_tags=True)
    insights = wanted["container_insights"]
    return dict(
        container_insights=insights if insights != current["container_insights"] else None,
        capacity_providers=(
            not same_providers(current["capacity_providers"], wanted["capacity_providers"])
            or current["default_capacity_provider_strategy"] != wanted["default_capacity_provider_strategy"]
        ),
        tags_to_set=to_set,
        tags_to_remove=to_remove,
    )


def has_changes(plan):
    return bool(
        plan["container_insights"] or plan["capacity_providers"] or plan["tags_to_set"] or plan["tags_to_remove"]
    )


def create_cluster(client, name, container_insights, capacity_providers, strategy, tags):
    """CreateCluster with settings, capacity providers, strategy and tags in one call; the new cluster."""
    request = dict(
        clusterName=name,
        settings=[dict(name=INSIGHTS_SETTING, value=container_insights)],
        capacityProviders=list(capacity_providers or []),
        defaultCapacityProviderStrategy=strategy_to_aws(strategy),
    )
    if tags:
        request["tags"] = ansible_dict_to_boto3_tag_list(tags, "key", "value")
    return client.create_cluster(aws_retry=True, **request)["cluster"]


def update_insights(client, name, container_insights):
    """Set containerInsights with UpdateCluster (same effect as UpdateClusterSettings, and moto serves it)."""
    client.update_cluster(
        aws_retry=True, cluster=name, settings=[dict(name=INSIGHTS_SETTING, value=container_insights)]
    )


def put_capacity_providers(client, name, capacity_providers, strategy):
    """PutClusterCapacityProviders: the call replaces both lists, so both are always sent."""
    client.put_cluster_capacity_providers(
        aws_retry=True,
        cluster=name,
        capacityProviders=list(capacity_providers or []),
        defaultCapacityProviderStrategy=strategy_to_aws(strategy),
    )


def update_tags(client, arn, tags_to_set, tags_to_remove):
    if tags_to_remove:
        client.untag_resource(aws_retry=True, resourceArn=arn, tagKeys=list(tags_to_remove))
    if tags_to_set:
        client.tag_resource(
            aws_retry=True, resourceArn=arn, tags=ansible_dict_to_boto3_tag_list(tags_to_set, "key", "value")
        )


def delete_cluster(client, name):
    client.delete_cluster(aws_retry=True, cluster=name)
