"""Gap 6 -- ElastiCache replication groups (measured on moto 5.2.5).

Stock moto's replication groups:
  * ignore ``NumCacheClusters`` (only ``ReplicasPerNodeGroup`` adds replicas): ``NumCacheClusters=2`` gives one member;
  * put every endpoint in ``us-east-1`` (``master.<id>.<rand>.use1.cache.amazonaws.com``) and every member in
    ``us-east-1a`` / ``us-east-1b``, whatever the region;
  * have no member cache clusters: DescribeCacheClusters of ``<id>-001`` answers CacheClusterNotFound, so the
    settings AWS reports only per member (engine version, parameter group, security groups, subnet group,
    maintenance window) cannot be read back;
  * report no ``TransitEncryptionMode`` for a group created with transit encryption, and a malformed default
    snapshot window (``05:00-6:00``);
  * accept an auth token without transit encryption, automatic failover without a replica, Multi-AZ without
    automatic failover, a missing subnet group or parameter group;
  * ModifyReplicationGroup changes only description, engine, node type, failover, Multi-AZ and snapshot
    retention: snapshot window, maintenance window, security groups, parameter group, engine version, auth token
    rotation, log delivery and transit encryption are silently ignored;
  * IncreaseReplicaCount, DecreaseReplicaCount, TestFailover and the cache parameter group API
    (Create/Describe/Modify/Reset/DeleteCacheParameterGroup, DescribeCacheParameters) answer HTTP 500
    (not implemented);
  * DeleteReplicationGroup leaves the group ``deleting`` forever and ignores ``FinalSnapshotIdentifier``.

Patch (cluster mode disabled is the modelled case; cluster mode enabled groups get the region fixes only):
  * ``NumCacheClusters`` honoured; endpoints ``<prefix>.<id>.<rand>.<region code>.cache.amazonaws.com``; members
    placed round-robin over the subnet group's AZs (else the region's AZs) unless ``PreferredCacheClusterAZs``;
  * one member cache cluster per member (DescribeCacheClusters), kept in step with the group: engine version
    (default ``7.1`` redis / ``8.0`` valkey), ``CacheParameterGroup`` (default ``default.<engine><major>``),
    ``SecurityGroups``, subnet group, maintenance window, encryption flags, log delivery;
  * AWS's validation of those combinations (InvalidParameterValue / InvalidParameterCombination /
    CacheSubnetGroupNotFoundFault / CacheParameterGroupNotFound);
  * ModifyReplicationGroup applies every field above (``AuthToken`` + ``AuthTokenUpdateStrategy``
    ROTATE / SET / DELETE update ``AuthTokenEnabled`` and ``AuthTokenLastModifiedDate``; log delivery
    configurations are merged by log type, ``Enabled: false`` removes one);
  * IncreaseReplicaCount / DecreaseReplicaCount (``NewReplicaCount`` or ``ReplicasToRemove``), TestFailover
    (promotes the first replica);
  * cache parameter groups with a small catalogue of redis / valkey parameters (``default.<family>`` groups exist
    on demand);
  * DeleteReplicationGroup: a final snapshot when ``FinalSnapshotIdentifier`` is given, ``deleting`` for the
    creation delay, then the group, its members (but a retained primary) and its tags are gone;
  * creation delay: with ``TRIFLOW_EMULATOR_CREATION_DELAY`` (seconds, default 0, read at server start through
    ``triflow_emulator.config.creation_delay``) a new group and its members report ``creating`` until that long
    after CreateReplicationGroup, then ``available``.
"""

import copy
import itertools
import re
import time
from collections.abc import Iterable
from typing import Any

from triflow_emulator.config import creation_delay
from triflow_emulator.patches.elasticache_cache_nodes import region_code

NAME = "elasticache_replication_groups"
SUMMARY = (
    "Replication groups: NumCacheClusters, regional endpoints/AZs, member clusters, full Modify, replica count, "
    "TestFailover, parameter groups, deletion that completes, final snapshot, creation delay"
)
MEASURED_ON = "5.2.5"

MAX_REPLICAS = 5
STOCK_DOMAIN_SUFFIX = ".use1.cache.amazonaws.com"
DEFAULT_ENGINE_VERSIONS = {"redis": "7.1", "valkey": "8.0"}
DEFAULT_MAINTENANCE_WINDOW = "sun:23:00-mon:00:00"
DEFAULT_SNAPSHOT_WINDOW = "05:00-06:00"
AUTH_TOKEN_STRATEGIES = ("ROTATE", "SET", "DELETE")
FAMILY_PATTERN = re.compile(r"^(?P<engine>redis|valkey|memcached)(?P<version>\d+(\.\d+|\.x)*)$")

# Parameter catalogue of redis / valkey families: name -> (default, data type, allowed values, description).
REDIS_PARAMETERS: dict[str, tuple[str, str, str, str]] = {
    "maxmemory-policy": (
        "volatile-lru",
        "string",
        "volatile-lru,allkeys-lru,volatile-lfu,allkeys-lfu,volatile-random,allkeys-random,volatile-ttl,noeviction",
        "Max memory policy.",
    ),
    "maxmemory-samples": ("3", "integer", "1-", "Max memory samples."),
    "timeout": ("0", "integer", "0,20-", "Close connection if client is idle for a given number of seconds."),
    "tcp-keepalive": ("300", "integer", "0-", "Keepalive interval in seconds."),
    "notify-keyspace-events": ("", "string", None, "The keyspace events for Redis to notify Pub/Sub clients about."),
    "slowlog-log-slower-than": ("10000", "integer", "-", "Microseconds before a command is logged as slow."),
    "slowlog-max-len": ("128", "integer", "0-", "Length of the slow log."),
    "reserved-memory-percent": ("25", "integer", "0-100", "Percent of memory reserved for non-cache use."),
}


# Read once at server start by apply() (triflow_emulator.config.creation_delay, shared with the RDS patch).
SETTINGS: dict[str, float] = {"creation_delay": 0.0}


# --- errors -------------------------------------------------------------------------------------------------


def _errors() -> dict[str, type[Exception]]:
    from moto.elasticache.exceptions import ElastiCacheException

    def error(code: str) -> type[Exception]:
        return type(code, (ElastiCacheException,), {"code": code})

    return {
        code: error(code)
        for code in (
            "InvalidParameterValue",
            "InvalidParameterCombination",
            "InvalidReplicationGroupState",
            "CacheParameterGroupNotFound",
            "CacheParameterGroupAlreadyExists",
            "InvalidCacheParameterGroupState",
            "CacheSubnetGroupNotFoundFault",
        )
    }


ERRORS: dict[str, type[Exception]] = {}


def fail(code: str, message: str) -> Exception:
    return ERRORS[code](message)


# --- group state: transitions, members, endpoints -------------------------------------------------------------


def group_status(group: Any) -> str:
    until = group.__dict__.get("_triflow_creating_until", 0.0)
    status = group.__dict__.get("_triflow_status", "available")
    if status == "available" and time.monotonic() < until:
        return "creating"
    return str(status)


def set_group_status(group: Any, value: str) -> None:
    group.__dict__["_triflow_status"] = value


def replica_count(group: Any) -> int:
    return max(len(group.node_groups[0]["node_group_members"]) - 1, 0) if group.node_groups else 0


def region_of(arn: str) -> str:
    return arn.split(":")[3]


def zones_for(backend: Any, subnet_group_name: str | None) -> list[str]:
    """AZs for members: the subnet group's (in order, without repeats), else the region's."""
    subnet_group = backend.cache_subnet_groups.get(subnet_group_name or "")
    zones: list[str] = []
    if subnet_group is not None:
        for subnet in subnet_group.subnets:
            zone = subnet.get("subnet_availability_zone")
            if isinstance(zone, str) and zone.startswith(backend.region_name) and zone not in zones:
                zones.append(zone)
    if zones:
        return zones
    from moto.ec2.models import ec2_backends

    region_zones = ec2_backends[backend.account_id][backend.region_name].describe_availability_zones()
    return [zone.name for zone in region_zones] or [f"{backend.region_name}a"]


def regionalise_endpoints(group: Any, region: str) -> None:
    suffix = f".{region_code(region)}.cache.amazonaws.com"

    def fix(address: str) -> str:
        return address[: -len(STOCK_DOMAIN_SUFFIX)] + suffix if address.endswith(STOCK_DOMAIN_SUFFIX) else address

    endpoint = getattr(group, "configuration_endpoint", None)
    if endpoint:
        endpoint["address"] = fix(endpoint["address"])
    for node_group in group.node_groups:
        for key in ("primary_endpoint_address", "reader_endpoint_address"):
            if key in node_group:
                node_group[key] = fix(node_group[key])
        if "primary_endpoint" in node_group:
            node_group["primary_endpoint"]["address"] = fix(node_group["primary_endpoint"]["address"])
        if "reader_endpoint_address" in node_group:
            node_group["reader_endpoint"] = {"address": node_group["reader_endpoint_address"], "port": group.port}
        for member in node_group["node_group_members"]:
            if "read_endpoint" in member:
                member["read_endpoint"]["address"] = fix(member["read_endpoint"]["address"])


def group_domain(group: Any) -> str:
    """``<id>.<rand>.<region code>.cache.amazonaws.com`` of a cluster-mode-disabled group."""
    return str(group.node_groups[0]["primary_endpoint_address"]).removeprefix("master.")


def place_members(group: Any, zones: list[str], preferred: list[str]) -> None:
    members = [member for node_group in group.node_groups for member in node_group["node_group_members"]]
    for index, member in enumerate(members):
        member["preferred_availability_zone"] = (
            preferred[index] if index < len(preferred) else zones[index % len(zones)]
        )


def new_member(group: Any, cluster_id: str, zone: str, role: str) -> dict[str, Any]:
    return {
        "cache_cluster_id": cluster_id,
        "cache_node_id": "0001",
        "read_endpoint": {"address": f"{cluster_id}.{group_domain(group)}", "port": group.port},
        "preferred_availability_zone": zone,
        "current_role": role,
    }


def parameter_group_status(cluster: Any) -> dict[str, Any] | None:
    name = cluster.cache_parameter_group_name
    if not name:
        return None
    return {"CacheParameterGroupName": name, "ParameterApplyStatus": "in-sync", "CacheNodeIdsToReboot": []}


def member_class() -> type:
    """A CacheCluster that belongs to a replication group: its status follows the group's."""
    from moto.elasticache.models import CacheCluster

    def get_status(self: Any) -> str:
        group = self.__dict__.get("_triflow_group")
        if group is not None and group_status(group) in ("creating", "deleting"):
            return group_status(group)
        return str(self.__dict__.get("_triflow_cluster_status", "available"))

    def set_status(self: Any, value: str) -> None:
        self.__dict__["_triflow_cluster_status"] = value

    return type(
        "CacheCluster",
        (CacheCluster,),
        {
            "cache_cluster_status": property(get_status, set_status),
            "cache_parameter_group": property(parameter_group_status),
        },
    )


MEMBER_CLASS: list[type] = []


def build_member(backend: Any, group: Any, member: dict[str, Any]) -> Any:
    cluster = MEMBER_CLASS[0](
        account_id=backend.account_id,
        region_name=backend.region_name,
        cache_cluster_id=member["cache_cluster_id"],
        cache_node_type=group.cache_node_type,
        replication_group_id=group.replication_group_id,
        az_mode="single-az",
        preferred_availability_zone=member["preferred_availability_zone"],
        num_cache_nodes=1,
        engine=group.engine,
        engine_version=group.engine_version,
        cache_parameter_group_name=group.cache_parameter_group_name,
        cache_subnet_group_name=group.cache_subnet_group_name,
        transit_encryption_enabled=group.transit_encryption_enabled,
        network_type=group.network_type,
        ip_discovery=group.ip_discovery,
        snapshot_name=None,
        preferred_maintenance_window=group.preferred_maintenance_window,
        port=group.port,
        notification_topic_arn=None,
        auto_minor_version_upgrade=True,
        snapshot_retention_limit=0,
        snapshot_window=None,
        auth_token=None,
        outpost_mode=None,
        preferred_outpost_arn=None,
        preferred_availability_zones=None,
        cache_security_group_names=None,
        security_group_ids=None,
        tags=None,
        snapshot_arns=None,
        preferred_outpost_arns=None,
        log_delivery_configurations=[],
        cache_node_ids_to_remove=None,
        cache_node_ids_to_reboot=None,
    )
    cluster.__dict__["_triflow_group"] = group
    return cluster


def sync_members(backend: Any, group: Any) -> None:
    """Create, update or drop the member cache clusters so they report the group's settings."""
    members = {m["cache_cluster_id"]: m for ng in group.node_groups for m in ng["node_group_members"]}
    group.member_clusters = list(members)
    for cluster_id, cluster in list(backend.cache_clusters.items()):
        if cluster.__dict__.get("_triflow_group") is group and cluster_id not in members:
            del backend.cache_clusters[cluster_id]
    for cluster_id, member in members.items():
        cluster = backend.cache_clusters.get(cluster_id)
        if cluster is None or cluster.__dict__.get("_triflow_group") is not group:
            cluster = build_member(backend, group, member)
            backend.cache_clusters[cluster_id] = cluster
        snapshotting = cluster_id == group.snapshotting_cluster_id
        cluster.num_cache_nodes = 1
        cluster.replication_group_id = group.replication_group_id
        cluster.preferred_availability_zone = member["preferred_availability_zone"]
        cluster.cache_node_type = group.cache_node_type
        cluster.engine = group.engine
        cluster.engine_version = group.engine_version
        cluster.cache_parameter_group_name = group.cache_parameter_group_name
        cluster.cache_subnet_group_name = group.cache_subnet_group_name
        cluster.security_group_ids = list(group.security_group_ids or [])
        cluster.preferred_maintenance_window = group.preferred_maintenance_window
        cluster.snapshot_retention_limit = group.snapshot_retention_limit if snapshotting else 0
        cluster.snapshot_window = group.snapshot_window
        cluster.port = group.port
        cluster.auth_token_enabled = group.auth_token_enabled
        cluster.auth_token_last_modified_date = group.auth_token_last_modified_date
        cluster.transit_encryption_enabled = group.transit_encryption_enabled
        cluster.transit_encryption_mode = group.transit_encryption_mode
        cluster.at_rest_encryption_enabled = group.at_rest_encryption_enabled
        cluster.log_delivery_configurations = copy.deepcopy(group.log_delivery_configurations)
        cluster.replication_group_log_delivery_enabled = bool(group.log_delivery_configurations)


def update_snapshotting_cluster(group: Any) -> None:
    if group.snapshot_retention_limit > 0 and group.member_clusters:
        replicas = group.member_clusters[1:]
        group.snapshotting_cluster_id = replicas[0] if replicas else group.member_clusters[0]
    else:
        group.snapshotting_cluster_id = None


def purge_deleted(backend: Any) -> None:
    """Drop the groups whose deletion has completed, with their member clusters and tags."""
    now = time.monotonic()
    for group_id, group in list(backend.replication_groups.items()):
        gone_at = group.__dict__.get("_triflow_gone_at")
        if gone_at is None or now < gone_at:
            continue
        del backend.replication_groups[group_id]
        for cluster_id, cluster in list(backend.cache_clusters.items()):
            if cluster.__dict__.get("_triflow_group") is group:
                del backend.cache_clusters[cluster_id]
        backend.tagging_service.delete_all_tags_for_resource(group.arn)


# --- validation -----------------------------------------------------------------------------------------------


def check_auth_token(token: str | None, transit_encryption: bool) -> None:
    if token is None:
        return
    if not transit_encryption:
        raise fail(
            "InvalidParameterValue",
            "The AUTH token is only supported when encryption-in-transit is enabled (TransitEncryptionEnabled).",
        )
    if not 16 <= len(token) <= 128:
        raise fail("InvalidParameterValue", "The AUTH token must be between 16 and 128 characters long.")


def check_failover(replicas: int, failover: bool, multi_az: bool) -> None:
    if failover and replicas < 1:
        raise fail(
            "InvalidParameterCombination",
            "Automatic failover (AutomaticFailoverEnabled) requires at least one read replica.",
        )
    if multi_az and not failover:
        raise fail("InvalidParameterCombination", "Multi-AZ (MultiAZEnabled) requires automatic failover.")


def find_parameter_group(backend: Any, name: str) -> dict[str, Any]:
    groups = parameter_groups(backend)
    if name in groups:
        return groups[name]
    family = name.removeprefix("default.")
    if name.startswith("default.") and FAMILY_PATTERN.match(family.removesuffix(".cluster.on")):
        return new_parameter_group(backend, name, family.removesuffix(".cluster.on"), f"Default for {family}")
    raise fail("CacheParameterGroupNotFound", f"CacheParameterGroup {name} not found.")


def check_references(backend: Any, subnet_group: str | None, parameter_group: str | None) -> None:
    if subnet_group and subnet_group not in backend.cache_subnet_groups:
        raise fail("CacheSubnetGroupNotFoundFault", f"CacheSubnetGroup {subnet_group} not found.")
    if parameter_group:
        find_parameter_group(backend, parameter_group)


# --- create ---------------------------------------------------------------------------------------------------


def wanted_replicas(kwargs: dict[str, Any]) -> int:
    if kwargs.get("replicas_per_node_group") is not None:
        return int(kwargs["replicas_per_node_group"])
    if kwargs.get("num_cache_clusters"):
        return int(kwargs["num_cache_clusters"]) - 1
    return 0


def validate_create(backend: Any, kwargs: dict[str, Any]) -> None:
    check_auth_token(kwargs.get("auth_token"), bool(kwargs.get("transit_encryption_enabled")))
    if (kwargs.get("cluster_mode") or "disabled") != "enabled":
        replicas = wanted_replicas(kwargs)
        if not 0 <= replicas <= MAX_REPLICAS:
            raise fail("InvalidParameterValue", f"A replication group has 0 to {MAX_REPLICAS} replicas.")
        check_failover(replicas, bool(kwargs.get("automatic_failover_enabled")), bool(kwargs.get("multi_az_enabled")))
    check_references(backend, kwargs.get("cache_subnet_group_name"), kwargs.get("cache_parameter_group_name"))


def default_parameter_group(engine: str, version: str) -> str:
    return f"default.{engine}{version.split('.')[0]}"


def finish_create(backend: Any, group: Any, preferred_azs: list[str]) -> None:
    group.engine_version = group.engine_version or DEFAULT_ENGINE_VERSIONS.get(group.engine, "7.1")
    group.cache_parameter_group_name = group.cache_parameter_group_name or default_parameter_group(
        group.engine, group.engine_version
    )
    group.preferred_maintenance_window = group.preferred_maintenance_window or DEFAULT_MAINTENANCE_WINDOW
    if group.snapshot_window == "05:00-6:00":
        group.snapshot_window = DEFAULT_SNAPSHOT_WINDOW
    group.security_group_ids = list(group.security_group_ids or [])
    if group.transit_encryption_enabled and not group.transit_encryption_mode:
        group.transit_encryption_mode = "required"
    regionalise_endpoints(group, region_of(group.arn))
    place_members(group, zones_for(backend, group.cache_subnet_group_name), preferred_azs)
    update_snapshotting_cluster(group)
    group.__dict__["_triflow_creating_until"] = time.monotonic() + SETTINGS["creation_delay"]
    sync_members(backend, group)


# --- modify ---------------------------------------------------------------------------------------------------


def merge_log_delivery(current: list[dict[str, Any]], requested: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    by_type = {config["LogType"]: config for config in current}
    for request in requested:
        log_type = request.get("LogType")
        if not log_type:
            raise fail("InvalidParameterValue", "LogDeliveryConfigurations: LogType is required.")
        if str(request.get("Enabled", True)).lower() == "false":
            by_type.pop(log_type, None)
            continue
        config = {
            key: copy.deepcopy(request[key])
            for key in ("LogType", "DestinationType", "DestinationDetails", "LogFormat")
            if key in request
        }
        config.update({"Status": "active", "Message": "Log delivery configuration is active."})
        by_type[log_type] = {**by_type.get(log_type, {}), **config}
    return list(by_type.values())


def auth_token_update(group: Any, token: str | None, strategy: str | None, transit: bool) -> tuple[bool, Any]:
    """``(AuthTokenEnabled, AuthTokenLastModifiedDate)`` after a ModifyReplicationGroup with these parameters."""
    if token is None and strategy is None:
        return group.auth_token_enabled, group.auth_token_last_modified_date
    from moto.core.utils import utcnow

    strategy = (strategy or "ROTATE").upper()
    if strategy not in AUTH_TOKEN_STRATEGIES:
        choices = ", ".join(AUTH_TOKEN_STRATEGIES)
        raise fail("InvalidParameterValue", f"AuthTokenUpdateStrategy must be one of {choices}.")
    if strategy == "DELETE":
        if token is not None:
            raise fail(
                "InvalidParameterCombination", "AuthToken must not be given with AuthTokenUpdateStrategy DELETE."
            )
        return False, utcnow()
    if token is None:
        raise fail("InvalidParameterCombination", f"AuthTokenUpdateStrategy {strategy} requires AuthToken.")
    check_auth_token(token, transit)
    return True, utcnow()


def modify_group(backend: Any, params: dict[str, Any]) -> Any:
    group_id = params.get("ReplicationGroupId")
    purge_deleted(backend)
    group = backend.describe_replication_groups(group_id)[0]
    if group_status(group) != "available":
        raise fail(
            "InvalidReplicationGroupState", f"Replication group {group_id} is {group_status(group)}, not available."
        )

    transit = params.get("TransitEncryptionEnabled", group.transit_encryption_enabled)
    transit = str(transit).lower() == "true"
    failover = params.get("AutomaticFailoverEnabled")
    failover = group.automatic_failover == "enabled" if failover is None else str(failover).lower() == "true"
    multi_az = params.get("MultiAZEnabled")
    multi_az = group.multi_az == "enabled" if multi_az is None else str(multi_az).lower() == "true"
    check_failover(replica_count(group), failover, multi_az)
    check_references(backend, None, params.get("CacheParameterGroupName"))
    auth_token = auth_token_update(group, params.get("AuthToken"), params.get("AuthTokenUpdateStrategy"), transit)
    log_delivery = merge_log_delivery(group.log_delivery_configurations, params.get("LogDeliveryConfigurations") or [])

    # Everything is valid: apply.
    simple = {
        "ReplicationGroupDescription": "description",
        "Engine": "engine",
        "EngineVersion": "engine_version",
        "CacheNodeType": "cache_node_type",
        "SnapshotWindow": "snapshot_window",
        "PreferredMaintenanceWindow": "preferred_maintenance_window",
        "CacheParameterGroupName": "cache_parameter_group_name",
        "TransitEncryptionMode": "transit_encryption_mode",
    }
    for param, attribute in simple.items():
        if params.get(param) is not None:
            setattr(group, attribute, params[param])
    if params.get("SecurityGroupIds") is not None:
        group.security_group_ids = list(params["SecurityGroupIds"])
    if params.get("SnapshotRetentionLimit") is not None:
        group.snapshot_retention_limit = int(params["SnapshotRetentionLimit"])
    if params.get("AutoMinorVersionUpgrade") is not None:
        group.auto_minor_version_upgrade = str(params["AutoMinorVersionUpgrade"]).lower() == "true"
    group.transit_encryption_enabled = transit
    if transit and not group.transit_encryption_mode:
        group.transit_encryption_mode = "required"
    group.automatic_failover = "enabled" if failover else "disabled"
    group.multi_az = "enabled" if multi_az else "disabled"
    group.auth_token_enabled, group.auth_token_last_modified_date = auth_token
    group.log_delivery_configurations = log_delivery
    update_snapshotting_cluster(group)
    sync_members(backend, group)
    return group


# --- replica count, failover, delete -------------------------------------------------------------------------


def disabled_mode_group(backend: Any, group_id: str) -> Any:
    purge_deleted(backend)
    group = backend.describe_replication_groups(group_id)[0]
    if group.cluster_enabled:
        raise fail("InvalidParameterCombination", "The emulator models replica changes for cluster mode disabled only.")
    if group_status(group) != "available":
        raise fail(
            "InvalidReplicationGroupState", f"Replication group {group_id} is {group_status(group)}, not available."
        )
    return group


def next_member_id(group: Any) -> str:
    taken = set(group.member_clusters)
    for number in itertools.count(1):
        candidate = f"{group.replication_group_id}-{number:03d}"
        if candidate not in taken:
            return candidate
    raise AssertionError("unreachable")


def increase_replicas(backend: Any, group_id: str, new_count: int | None) -> Any:
    group = disabled_mode_group(backend, group_id)
    current = replica_count(group)
    if new_count is None or not current < new_count <= MAX_REPLICAS:
        raise fail(
            "InvalidParameterValue",
            f"NewReplicaCount must be greater than the current {current} replicas and at most {MAX_REPLICAS}.",
        )
    zones = zones_for(backend, group.cache_subnet_group_name)
    members = group.node_groups[0]["node_group_members"]
    while len(members) - 1 < new_count:
        cluster_id = next_member_id(group)
        members.append(new_member(group, cluster_id, zones[len(members) % len(zones)], "replica"))
        group.member_clusters.append(cluster_id)
    update_snapshotting_cluster(group)
    sync_members(backend, group)
    return group


def decrease_replicas(backend: Any, group_id: str, new_count: int | None, to_remove: list[str]) -> Any:
    group = disabled_mode_group(backend, group_id)
    members = group.node_groups[0]["node_group_members"]
    replicas = [member for member in members if member["current_role"] != "primary"]
    if to_remove:
        unknown = [
            cluster_id for cluster_id in to_remove if cluster_id not in {m["cache_cluster_id"] for m in replicas}
        ]
        if unknown:
            raise fail(
                "InvalidParameterValue", f"ReplicasToRemove: {', '.join(unknown)} are not replicas of {group_id}."
            )
        remaining = len(replicas) - len(to_remove)
    elif new_count is not None and 0 <= new_count < len(replicas):
        remaining = new_count
        to_remove = [member["cache_cluster_id"] for member in replicas[new_count:]]
    else:
        raise fail("InvalidParameterValue", f"NewReplicaCount must be lower than the current {len(replicas)} replicas.")
    if remaining < 1 and group.automatic_failover == "enabled":
        raise fail(
            "InvalidParameterValue",
            "A replication group with automatic failover enabled must keep at least one replica.",
        )
    group.node_groups[0]["node_group_members"] = [m for m in members if m["cache_cluster_id"] not in to_remove]
    group.member_clusters = [cluster_id for cluster_id in group.member_clusters if cluster_id not in to_remove]
    update_snapshotting_cluster(group)
    sync_members(backend, group)
    return group


def promote_replica(backend: Any, group_id: str, node_group_id: str | None) -> Any:
    group = disabled_mode_group(backend, group_id)
    if group.automatic_failover != "enabled":
        raise fail("InvalidReplicationGroupState", f"Replication group {group_id} has automatic failover disabled.")
    node_group = next((ng for ng in group.node_groups if ng["node_group_id"] == (node_group_id or "0001")), None)
    if node_group is None:
        raise fail("InvalidParameterValue", f"Node group {node_group_id} not found in {group_id}.")
    members = node_group["node_group_members"]
    primary = next(member for member in members if member["current_role"] == "primary")
    replica = next(member for member in members if member["current_role"] != "primary")
    primary["current_role"], replica["current_role"] = "replica", "primary"
    return group


def delete_group(backend: Any, group_id: str, retain_primary: bool, final_snapshot: str | None) -> Any:
    purge_deleted(backend)
    group = backend.describe_replication_groups(group_id)[0]
    if group_status(group) == "deleting":
        raise fail("InvalidReplicationGroupState", f"Replication group {group_id} is already being deleted.")
    if final_snapshot:
        backend.create_snapshot(
            snapshot_name=final_snapshot,
            replication_group_id=group_id,
            cache_cluster_id=None,
            kms_key_id=None,
            tags=None,
        )
    if retain_primary:
        primary = next(
            m for ng in group.node_groups for m in ng["node_group_members"] if m["current_role"] == "primary"
        )
        cluster = backend.cache_clusters[primary["cache_cluster_id"]]
        cluster.__dict__.pop("_triflow_group", None)
        cluster.replication_group_id = None
    set_group_status(group, "deleting")
    group.__dict__["_triflow_gone_at"] = time.monotonic() + SETTINGS["creation_delay"]
    return group


# --- cache parameter groups -----------------------------------------------------------------------------------


def parameter_groups(backend: Any) -> dict[str, dict[str, Any]]:
    groups = backend.__dict__.get("_triflow_parameter_groups")
    if groups is None:
        groups = backend.__dict__["_triflow_parameter_groups"] = {}
    return groups


def new_parameter_group(backend: Any, name: str, family: str, description: str) -> dict[str, Any]:
    group = {
        "CacheParameterGroupName": name,
        "CacheParameterGroupFamily": family,
        "Description": description,
        "IsGlobal": False,
        "ARN": f"arn:aws:elasticache:{backend.region_name}:{backend.account_id}:parametergroup:{name}",
        "Values": {},
    }
    parameter_groups(backend)[name] = group
    return group


def public(group: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in group.items() if key != "Values"}


def catalogue(family: str) -> dict[str, tuple[str, str, str, str]]:
    return {} if family.startswith("memcached") else REDIS_PARAMETERS


def parameters_of(group: dict[str, Any], source: str | None) -> list[dict[str, Any]]:
    result = []
    for name, (default, data_type, allowed, description) in catalogue(group["CacheParameterGroupFamily"]).items():
        user = name in group["Values"]
        if source and source != ("user" if user else "system"):
            continue
        parameter = {
            "ParameterName": name,
            "ParameterValue": group["Values"].get(name, default),
            "Description": description,
            "Source": "user" if user else "system",
            "DataType": data_type,
            "IsModifiable": True,
            "MinimumEngineVersion": "2.6.13",
            "ChangeType": "immediate",
        }
        if allowed:
            parameter["AllowedValues"] = allowed
        result.append(parameter)
    return result


def set_parameters(group: dict[str, Any], values: list[dict[str, Any]], reset: bool) -> None:
    known = catalogue(group["CacheParameterGroupFamily"])
    for item in values:
        name = item.get("ParameterName")
        if name not in known:
            raise fail("InvalidParameterValue", f"Unknown parameter: {name}")
    for item in values:
        if reset:
            group["Values"].pop(item["ParameterName"], None)
        else:
            group["Values"][item["ParameterName"]] = str(item.get("ParameterValue", ""))


def parameter_group_in_use(backend: Any, name: str) -> bool:
    purge_deleted(backend)
    return any(group.cache_parameter_group_name == name for group in backend.replication_groups.values())


# --- wiring ---------------------------------------------------------------------------------------------------


def patch_models() -> None:
    from moto.elasticache.models import ElastiCacheBackend, ReplicationGroup

    ReplicationGroup.status = property(group_status, set_group_status)  # type: ignore[attr-defined]
    MEMBER_CLASS.append(member_class())

    stock_create = ElastiCacheBackend.create_replication_group
    stock_describe_groups = ElastiCacheBackend.describe_replication_groups
    stock_describe_clusters = ElastiCacheBackend.describe_cache_clusters

    def create_replication_group(self: Any, **kwargs: Any) -> Any:
        purge_deleted(self)
        validate_create(self, kwargs)
        if kwargs.get("replicas_per_node_group") is None and kwargs.get("num_cache_clusters"):
            kwargs["replicas_per_node_group"] = int(kwargs["num_cache_clusters"]) - 1
        group = stock_create(self, **kwargs)
        finish_create(self, group, list(kwargs.get("preferred_cache_cluster_azs") or []))
        return group

    def describe_replication_groups(self: Any, replication_group_id: str | None = None) -> Any:
        purge_deleted(self)
        return stock_describe_groups(self, replication_group_id=replication_group_id)

    def describe_cache_clusters(self: Any, cache_cluster_id: str | None = None) -> Any:
        purge_deleted(self)
        return stock_describe_clusters(self, cache_cluster_id=cache_cluster_id)

    ElastiCacheBackend.create_replication_group = create_replication_group  # type: ignore[method-assign]
    ElastiCacheBackend.describe_replication_groups = describe_replication_groups  # type: ignore[method-assign]
    ElastiCacheBackend.describe_cache_clusters = describe_cache_clusters  # type: ignore[method-assign]


def patch_responses() -> None:
    from moto.core.responses import ActionResult, EmptyResult
    from moto.elasticache.responses import ElastiCacheResponse

    def group_result(group: Any) -> Any:
        return ActionResult({"ReplicationGroup": group})

    def modify_replication_group(self: Any) -> Any:
        return group_result(modify_group(self.elasticache_backend, self._get_params()))

    def increase_replica_count(self: Any) -> Any:
        group_id = self._get_param("ReplicationGroupId")
        return group_result(
            increase_replicas(self.elasticache_backend, group_id, self._get_int_param("NewReplicaCount"))
        )

    def decrease_replica_count(self: Any) -> Any:
        group = decrease_replicas(
            self.elasticache_backend,
            self._get_param("ReplicationGroupId"),
            self._get_int_param("NewReplicaCount"),
            list(self._get_param("ReplicasToRemove") or []),
        )
        return group_result(group)

    def test_failover_action(self: Any) -> Any:
        group_id = self._get_param("ReplicationGroupId")
        return group_result(promote_replica(self.elasticache_backend, group_id, self._get_param("NodeGroupId")))

    def delete_replication_group(self: Any) -> Any:
        group = delete_group(
            self.elasticache_backend,
            self._get_param("ReplicationGroupId"),
            bool(self._get_bool_param("RetainPrimaryCluster", False)),
            self._get_param("FinalSnapshotIdentifier"),
        )
        return group_result(group)

    def create_cache_parameter_group(self: Any) -> Any:
        backend = self.elasticache_backend
        name = self._get_param("CacheParameterGroupName")
        family = self._get_param("CacheParameterGroupFamily") or ""
        if name in parameter_groups(backend) or name.startswith("default."):
            raise fail("CacheParameterGroupAlreadyExists", f"Parameter group {name} already exists.")
        if not FAMILY_PATTERN.match(family):
            raise fail("InvalidParameterValue", f"The parameter CacheParameterGroupFamily {family!r} is not valid.")
        group = new_parameter_group(backend, name, family, self._get_param("Description") or "")
        return ActionResult({"CacheParameterGroup": public(group)})

    def describe_cache_parameter_groups(self: Any) -> Any:
        backend = self.elasticache_backend
        name = self._get_param("CacheParameterGroupName")
        groups = [find_parameter_group(backend, name)] if name else list(parameter_groups(backend).values())
        return ActionResult({"CacheParameterGroups": [public(group) for group in groups]})

    def describe_cache_parameters(self: Any) -> Any:
        group = find_parameter_group(self.elasticache_backend, self._get_param("CacheParameterGroupName"))
        parameters = parameters_of(group, self._get_param("Source"))
        return ActionResult({"Parameters": parameters, "CacheNodeTypeSpecificParameters": []})

    def modify_cache_parameter_group(self: Any) -> Any:
        name = self._get_param("CacheParameterGroupName")
        group = find_parameter_group(self.elasticache_backend, name)
        if name.startswith("default."):
            raise fail("InvalidCacheParameterGroupState", f"Default parameter group {name} cannot be modified.")
        set_parameters(group, list(self._get_param("ParameterNameValues") or []), reset=False)
        return ActionResult({"CacheParameterGroupName": name})

    def reset_cache_parameter_group(self: Any) -> Any:
        name = self._get_param("CacheParameterGroupName")
        group = find_parameter_group(self.elasticache_backend, name)
        if self._get_bool_param("ResetAllParameters", False):
            group["Values"].clear()
        else:
            set_parameters(group, list(self._get_param("ParameterNameValues") or []), reset=True)
        return ActionResult({"CacheParameterGroupName": name})

    def delete_cache_parameter_group(self: Any) -> Any:
        backend = self.elasticache_backend
        name = self._get_param("CacheParameterGroupName")
        find_parameter_group(backend, name)
        if name.startswith("default.") or parameter_group_in_use(backend, name):
            raise fail("InvalidCacheParameterGroupState", f"Parameter group {name} is a default group or in use.")
        del parameter_groups(backend)[name]
        return EmptyResult()

    handlers = {
        "modify_replication_group": modify_replication_group,
        "increase_replica_count": increase_replica_count,
        "decrease_replica_count": decrease_replica_count,
        "test_failover": test_failover_action,
        "delete_replication_group": delete_replication_group,
        "create_cache_parameter_group": create_cache_parameter_group,
        "describe_cache_parameter_groups": describe_cache_parameter_groups,
        "describe_cache_parameters": describe_cache_parameters,
        "modify_cache_parameter_group": modify_cache_parameter_group,
        "reset_cache_parameter_group": reset_cache_parameter_group,
        "delete_cache_parameter_group": delete_cache_parameter_group,
    }
    for name, handler in handlers.items():
        setattr(ElastiCacheResponse, name, handler)


def apply() -> None:
    # A bad TRIFLOW_EMULATOR_CREATION_DELAY stops the server at start (ConfigError), not on the first request.
    SETTINGS["creation_delay"] = creation_delay()
    ERRORS.update(_errors())
    patch_models()
    patch_responses()
