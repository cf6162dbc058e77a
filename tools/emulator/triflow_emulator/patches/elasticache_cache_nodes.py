"""Gap 4 -- ElastiCache DescribeCacheClusters without CacheNodes / SecurityGroups (measured on moto 5.2.5).

Stock moto's CacheCluster has no ``CacheNodes`` (even with ``ShowCacheNodeInfo=True``), so there is no node
endpoint to read, and no ``SecurityGroups`` although it stores the ``SecurityGroupIds`` given at creation.

Patch: ``CacheCluster`` gains
  * ``SecurityGroups``: ``[{"SecurityGroupId": id, "Status": "active"}]`` for each id given at creation;
  * ``CacheNodes``: one entry per node (``0001``, ``0002``, ...) with ``CacheNodeStatus: available``,
    ``Endpoint {Address, Port}`` (``<cluster>.<hash>.<node>.<region code>.cache.amazonaws.com``),
    ``ParameterGroupStatus: in-sync``, ``CustomerAvailabilityZone`` and ``CacheNodeCreateTime``;
and, as on AWS, ``CacheNodes`` is only in the DescribeCacheClusters answer when ``ShowCacheNodeInfo=true``
(never in Create/Modify/Delete answers).
"""

import hashlib
from typing import Any

NAME = "elasticache_cache_nodes"
SUMMARY = "CacheClusters report SecurityGroups, and CacheNodes (with endpoints) when ShowCacheNodeInfo=true"
MEASURED_ON = "5.2.5"

CACHE_NODES_KEY_PATH = "CacheCluster.CacheNodes"
REGION_WORDS = {"north": "n", "south": "s", "east": "e", "west": "w", "central": "c"}


def region_code(region: str) -> str:
    """``ap-northeast-2`` -> ``apne2``, ``us-east-1`` -> ``use1`` (the form used in ElastiCache hostnames)."""
    prefix, *middle, number = region.split("-")
    words = "".join(middle)
    for word, letter in REGION_WORDS.items():
        words = words.replace(word, letter)
    return f"{prefix}{words}{number}"


def region_of(arn: str) -> str:
    return arn.split(":")[3]


def node_address(cluster_id: str, node_id: str, region: str) -> str:
    digest = hashlib.sha256(f"{cluster_id}:{region}".encode()).hexdigest()[:6]
    return f"{cluster_id}.{digest}.{node_id}.{region_code(region)}.cache.amazonaws.com"


def availability_zone(cluster: Any, region: str) -> str:
    return cluster.preferred_availability_zone or f"{region}a"


def cache_nodes(cluster: Any) -> list[dict[str, Any]]:
    region = region_of(cluster.arn)
    count = int(getattr(cluster, "num_cache_nodes", 1) or 1)
    node_ids = [f"{index:04d}" for index in range(1, count + 1)]
    return [
        {
            "CacheNodeId": node_id,
            "CacheNodeStatus": "available",
            "CacheNodeCreateTime": cluster.cache_cluster_create_time,
            "Endpoint": {"Address": node_address(cluster.cache_cluster_id, node_id, region), "Port": cluster.port},
            "ParameterGroupStatus": "in-sync",
            "CustomerAvailabilityZone": availability_zone(cluster, region),
        }
        for node_id in node_ids
    ]


def security_groups(cluster: Any) -> list[dict[str, str]]:
    return [{"SecurityGroupId": group_id, "Status": "active"} for group_id in cluster.security_group_ids]


def apply() -> None:
    from moto.core.serialize import never_return
    from moto.elasticache.models import CacheCluster
    from moto.elasticache.responses import ElastiCacheResponse

    CacheCluster.cache_nodes = property(cache_nodes)  # type: ignore[attr-defined]
    CacheCluster.security_groups = property(security_groups)  # type: ignore[attr-defined]

    # Hidden by default (class level); DescribeCacheClusters with ShowCacheNodeInfo=true un-hides it for its
    # own response object only (instance level), so concurrent requests do not interfere.
    transformers = dict(getattr(ElastiCacheResponse, "RESPONSE_KEY_PATH_TO_TRANSFORMER", {}))
    hidden = {**transformers, CACHE_NODES_KEY_PATH: never_return}
    ElastiCacheResponse.RESPONSE_KEY_PATH_TO_TRANSFORMER = hidden  # type: ignore[attr-defined]

    stock_describe = ElastiCacheResponse.describe_cache_clusters

    def describe_cache_clusters(self: Any) -> Any:
        if self._get_bool_param("ShowCacheNodeInfo", False):
            self.RESPONSE_KEY_PATH_TO_TRANSFORMER = transformers
        return stock_describe(self)

    ElastiCacheResponse.describe_cache_clusters = describe_cache_clusters  # type: ignore[method-assign]
