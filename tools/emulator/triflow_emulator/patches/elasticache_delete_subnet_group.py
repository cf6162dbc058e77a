"""ElastiCache DeleteCacheSubnetGroup (measured on moto 5.2.5).

Stock moto does not implement DeleteCacheSubnetGroup: the call answers HTTP 500 ("The delete_cache_subnet_group
action has not been implemented"), so no teardown can remove a cache subnet group.

Patch, as the ElastiCache API reference describes DeleteCacheSubnetGroup: the group and its tags are deleted; a
group a cache cluster or replication group still uses answers ``CacheSubnetGroupInUse`` ("cannot delete a cache
subnet group that is associated with any clusters"), a missing one ``CacheSubnetGroupNotFoundFault``, and the
``default`` group cannot be deleted (``InvalidParameterValue``).
"""

from typing import Any

NAME = "elasticache_delete_subnet_group"
SUMMARY = "DeleteCacheSubnetGroup: deletes an unused group; in use, missing and default groups answer AWS's errors"
MEASURED_ON = "5.2.5"


def in_use(backend: Any, name: str) -> bool:
    holders = list(backend.cache_clusters.values()) + list(backend.replication_groups.values())
    return any(getattr(holder, "cache_subnet_group_name", None) == name for holder in holders)


def apply() -> None:
    from moto.core.responses import EmptyResult
    from moto.elasticache.exceptions import CacheSubnetGroupNotFound, ElastiCacheException
    from moto.elasticache.responses import ElastiCacheResponse

    class CacheSubnetGroupInUse(ElastiCacheException):
        code = "CacheSubnetGroupInUse"

    class InvalidParameterValue(ElastiCacheException):
        code = "InvalidParameterValue"

    def delete_cache_subnet_group(self: Any) -> Any:
        backend = self.elasticache_backend
        name = self._get_param("CacheSubnetGroupName")
        if name == "default":
            raise InvalidParameterValue("Cannot delete default cache subnet group.")
        if name not in backend.cache_subnet_groups:
            raise CacheSubnetGroupNotFound(name)
        if in_use(backend, name):
            raise CacheSubnetGroupInUse(f"Cache subnet group {name} is currently in use by a cache cluster.")
        group = backend.cache_subnet_groups.pop(name)
        backend.tagging_service.delete_all_tags_for_resource(group.arn)
        return EmptyResult()

    ElastiCacheResponse.delete_cache_subnet_group = delete_cache_subnet_group  # type: ignore[attr-defined]
