"""Gap 4: CacheNodes / SecurityGroups in DescribeCacheClusters (patch elasticache_cache_nodes)."""

from datetime import datetime
from typing import Any

from support.aws import Endpoint, unique
from support.emulator import gap_message

PATCH = "elasticache_cache_nodes"


def create_cluster(aws_target: Endpoint) -> tuple[str, str]:
    ec2 = aws_target.client("ec2")
    group_id = ec2.create_security_group(GroupName=unique("redis"), Description="redis")["GroupId"]
    cluster_id = unique("redis")
    aws_target.client("elasticache").create_cache_cluster(
        CacheClusterId=cluster_id,
        Engine="redis",
        CacheNodeType="cache.t4g.micro",
        NumCacheNodes=1,
        SecurityGroupIds=[group_id],
    )
    return cluster_id, group_id


def describe(elasticache: Any, cluster_id: str, show_node_info: bool) -> dict[str, Any]:
    clusters = elasticache.describe_cache_clusters(CacheClusterId=cluster_id, ShowCacheNodeInfo=show_node_info)
    (cluster,) = clusters["CacheClusters"]
    return dict(cluster)


def test_cache_cluster_nodes_and_security_groups(aws_target: Endpoint) -> None:
    cluster_id, group_id = create_cluster(aws_target)
    elasticache = aws_target.client("elasticache")
    with_nodes = describe(elasticache, cluster_id, show_node_info=True)
    without_nodes = describe(elasticache, cluster_id, show_node_info=False)

    if not aws_target.patched:
        assert "CacheNodes" not in with_nodes, gap_message(4, PATCH)
        assert "SecurityGroups" not in with_nodes, gap_message(4, PATCH)
        return

    assert with_nodes["SecurityGroups"] == [{"SecurityGroupId": group_id, "Status": "active"}]
    assert without_nodes["SecurityGroups"] == with_nodes["SecurityGroups"]
    assert "CacheNodes" not in without_nodes
    (node,) = with_nodes["CacheNodes"]
    assert isinstance(node.pop("CacheNodeCreateTime"), datetime)
    address = node["Endpoint"].pop("Address")
    assert address.startswith(f"{cluster_id}.")
    assert address.endswith(".0001.apne2.cache.amazonaws.com")
    assert node == {
        "CacheNodeId": "0001",
        "CacheNodeStatus": "available",
        "Endpoint": {"Port": 6379},
        "ParameterGroupStatus": "in-sync",
        "CustomerAvailabilityZone": "ap-northeast-2a",
    }
