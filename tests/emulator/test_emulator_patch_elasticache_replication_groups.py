"""Gap 6: ElastiCache replication groups (patch elasticache_replication_groups).

Each test runs one boto3 scenario against stock moto (asserting the gap) and the patched emulator (asserting
AWS's behaviour); the creation delay tests start emulators of their own with TRIFLOW_EMULATOR_CREATION_DELAY.
"""

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from botocore.exceptions import ClientError
from botocore.parsers import ResponseParserError
from support.aws import Endpoint, unique
from support.emulator import gap_message, running_emulator

PATCH = "elasticache_replication_groups"
GAP = gap_message(6, PATCH)
DELAY_ENV = "TRIFLOW_EMULATOR_CREATION_DELAY"
# Long enough that the reads right after a create see it "creating" on a busy machine (make test runs suites
# side by side on two cores).
CREATION_DELAY = 5.0
ZONES = ("ap-northeast-2a", "ap-northeast-2c")
LOG_GROUP = "/triflow/redis"


@dataclass(frozen=True)
class Network:
    subnet_group: str
    security_group: str


def network(aws_target: Endpoint) -> Network:
    ec2 = aws_target.client("ec2")
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet_ids = [
        ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"10.0.{index}.0/24", AvailabilityZone=zone)["Subnet"]["SubnetId"]
        for index, zone in enumerate(ZONES, start=1)
    ]
    subnet_group = unique("redis-subnets")
    aws_target.client("elasticache").create_cache_subnet_group(
        CacheSubnetGroupName=subnet_group, CacheSubnetGroupDescription="redis", SubnetIds=subnet_ids
    )
    group_id = ec2.create_security_group(GroupName=unique("redis"), Description="redis", VpcId=vpc_id)["GroupId"]
    return Network(subnet_group=subnet_group, security_group=group_id)


def log_delivery(log_type: str, log_group: str = LOG_GROUP, log_format: str = "json") -> dict[str, Any]:
    return {
        "LogType": log_type,
        "DestinationType": "cloudwatch-logs",
        "DestinationDetails": {"CloudWatchLogsDetails": {"LogGroup": log_group}},
        "LogFormat": log_format,
        "Enabled": True,
    }


def create_group(aws_target: Endpoint, net: Network | None = None, **overrides: Any) -> str:
    group_id = unique("rg")
    params: dict[str, Any] = {
        "ReplicationGroupId": group_id,
        "ReplicationGroupDescription": "cache",
        "Engine": "redis",
        "EngineVersion": "7.1",
        "CacheNodeType": "cache.t4g.small",
        "NumCacheClusters": 2,
        "AutomaticFailoverEnabled": True,
        "MultiAZEnabled": True,
        "AtRestEncryptionEnabled": True,
        "TransitEncryptionEnabled": True,
        "AuthToken": "a-very-secret-token-0123",
        "SnapshotRetentionLimit": 5,
        "SnapshotWindow": "17:00-18:00",
        "PreferredMaintenanceWindow": "sun:19:00-sun:20:00",
        "LogDeliveryConfigurations": [log_delivery("slow-log"), log_delivery("engine-log")],
        "Tags": [{"Key": "Customer", "Value": "acme"}],
    }
    if net is not None:
        params.update(CacheSubnetGroupName=net.subnet_group, SecurityGroupIds=[net.security_group])
    params.update(overrides)
    params = {key: value for key, value in params.items() if value is not None}
    aws_target.client("elasticache").create_replication_group(**params)
    return str(params["ReplicationGroupId"])


def describe(elasticache: Any, group_id: str) -> dict[str, Any]:
    (group,) = elasticache.describe_replication_groups(ReplicationGroupId=group_id)["ReplicationGroups"]
    return dict(group)


def members(group: dict[str, Any]) -> list[dict[str, Any]]:
    (node_group,) = group["NodeGroups"]
    return list(node_group["NodeGroupMembers"])


def error_code(call: Callable[[], Any]) -> str | None:
    """The error code of a call, ``not-implemented`` for moto's HTTP 500 answer, None when it succeeds."""
    try:
        call()
    except ResponseParserError:
        return "not-implemented"
    except ClientError as error:
        if error.response["ResponseMetadata"]["HTTPStatusCode"] == 500:
            return "not-implemented"
        return str(error.response["Error"]["Code"])
    return None


def test_num_cache_clusters_regional_endpoints_and_zones(aws_target: Endpoint) -> None:
    net = network(aws_target)
    group_id = create_group(aws_target, net)
    group = describe(aws_target.client("elasticache"), group_id)
    primary_endpoint = group["NodeGroups"][0]["PrimaryEndpoint"]["Address"]

    if not aws_target.patched:
        assert group["MemberClusters"] == [f"{group_id}-001"], GAP
        assert primary_endpoint.endswith(".use1.cache.amazonaws.com"), GAP
        assert members(group)[0]["PreferredAvailabilityZone"] == "us-east-1a", GAP
        return

    assert group["MemberClusters"] == [f"{group_id}-001", f"{group_id}-002"]
    assert [member["CurrentRole"] for member in members(group)] == ["primary", "replica"]
    assert [member["PreferredAvailabilityZone"] for member in members(group)] == list(ZONES)
    assert primary_endpoint.startswith(f"master.{group_id}.")
    assert primary_endpoint.endswith(".apne2.cache.amazonaws.com")
    domain = primary_endpoint.removeprefix("master.")
    assert group["NodeGroups"][0]["ReaderEndpoint"] == {"Address": f"replica.{domain}", "Port": 6379}
    assert [member["ReadEndpoint"]["Address"] for member in members(group)] == [
        f"{group_id}-001.{domain}",
        f"{group_id}-002.{domain}",
    ]


def test_preferred_zones_are_kept(aws_target: Endpoint) -> None:
    zones = ["ap-northeast-2c", "ap-northeast-2b"]
    group_id = create_group(aws_target, PreferredCacheClusterAZs=zones, ReplicasPerNodeGroup=1)
    group = describe(aws_target.client("elasticache"), group_id)
    # Stock moto keeps explicitly preferred zones too: this is a guard for the patch, not a gap.
    assert [member["PreferredAvailabilityZone"] for member in members(group)] == zones


def test_member_clusters_report_the_group_settings(aws_target: Endpoint) -> None:
    net = network(aws_target)
    elasticache = aws_target.client("elasticache")
    parameter_group = None
    if aws_target.patched:
        parameter_group = unique("redis7")
        elasticache.create_cache_parameter_group(
            CacheParameterGroupName=parameter_group, CacheParameterGroupFamily="redis7", Description="redis"
        )
    group_id = create_group(aws_target, net, CacheParameterGroupName=parameter_group)
    group = describe(elasticache, group_id)

    # What stock moto already gets right at creation (a guard for the patch).
    assert group["AtRestEncryptionEnabled"] is True
    assert group["TransitEncryptionEnabled"] is True
    assert group["AuthTokenEnabled"] is True
    assert group["SnapshotWindow"] == "17:00-18:00"
    assert group["SnapshotRetentionLimit"] == 5
    assert [(config["LogType"], config["Status"]) for config in group["LogDeliveryConfigurations"]] == [
        ("slow-log", "active"),
        ("engine-log", "active"),
    ]
    tags = elasticache.list_tags_for_resource(ResourceName=group["ARN"])["TagList"]
    assert tags == [{"Key": "Customer", "Value": "acme"}]

    lookup = error_code(lambda: elasticache.describe_cache_clusters(CacheClusterId=f"{group_id}-002"))
    if not aws_target.patched:
        assert "TransitEncryptionMode" not in group, GAP
        assert lookup == "CacheClusterNotFound", GAP
        return

    assert lookup is None
    assert group["TransitEncryptionMode"] == "required"
    assert group["SnapshottingClusterId"] == f"{group_id}-002"
    clusters = elasticache.describe_cache_clusters(ShowCacheNodeInfo=True)["CacheClusters"]
    mine = {cluster["CacheClusterId"]: cluster for cluster in clusters if cluster.get("ReplicationGroupId") == group_id}
    assert sorted(mine) == group["MemberClusters"]
    replica = mine[f"{group_id}-002"]
    assert replica["CacheClusterStatus"] == "available"
    assert replica["EngineVersion"] == "7.1"
    assert replica["PreferredAvailabilityZone"] == "ap-northeast-2c"
    assert replica["CacheParameterGroup"]["CacheParameterGroupName"] == parameter_group
    assert replica["CacheSubnetGroupName"] == net.subnet_group
    assert replica["SecurityGroups"] == [{"SecurityGroupId": net.security_group, "Status": "active"}]
    assert replica["PreferredMaintenanceWindow"] == "sun:19:00-sun:20:00"
    assert replica["AtRestEncryptionEnabled"] is True
    assert replica["ReplicationGroupLogDeliveryEnabled"] is True


def test_defaults_of_a_minimal_group(aws_target: Endpoint) -> None:
    group_id = unique("rg")
    elasticache = aws_target.client("elasticache")
    elasticache.create_replication_group(
        ReplicationGroupId=group_id, ReplicationGroupDescription="minimal", CacheNodeType="cache.t4g.micro"
    )
    group = describe(elasticache, group_id)
    if not aws_target.patched:
        assert group["SnapshotWindow"] == "05:00-6:00", GAP
        return
    assert group["SnapshotWindow"] == "05:00-06:00"
    (primary,) = elasticache.describe_cache_clusters(CacheClusterId=f"{group_id}-001")["CacheClusters"]
    assert primary["EngineVersion"] == "7.1"
    assert primary["CacheParameterGroup"]["CacheParameterGroupName"] == "default.redis7"


INVALID_CREATES = {
    "auth token without transit encryption": (
        {"TransitEncryptionEnabled": False, "MultiAZEnabled": False},
        "InvalidParameterValue",
        "TransitEncryptionEnabled",
    ),
    "failover without a replica": ({"NumCacheClusters": 1}, "InvalidParameterCombination", "AutomaticFailoverEnabled"),
    "multi-az without failover": ({"AutomaticFailoverEnabled": False}, "InvalidParameterCombination", "MultiAZEnabled"),
    "missing subnet group": ({"CacheSubnetGroupName": "nope"}, "CacheSubnetGroupNotFoundFault", "nope"),
    "missing parameter group": ({"CacheParameterGroupName": "nope"}, "CacheParameterGroupNotFound", "nope"),
}


@pytest.mark.parametrize("case", INVALID_CREATES.values(), ids=INVALID_CREATES.keys())
def test_invalid_create_is_rejected(aws_target: Endpoint, case: tuple[dict[str, Any], str, str]) -> None:
    overrides, code, named = case
    try:
        create_group(aws_target, **overrides)
    except ClientError as error:
        assert aws_target.patched, f"stock moto rejected it ({error}): {GAP}"
        assert error.response["Error"]["Code"] == code
        assert named in error.response["Error"]["Message"]
        return
    assert not aws_target.patched, f"the emulator accepted an invalid CreateReplicationGroup, expected {code}"


def test_modify_applies_every_field(aws_target: Endpoint) -> None:
    net = network(aws_target)
    elasticache = aws_target.client("elasticache")
    group_id = create_group(aws_target, net)
    before = describe(elasticache, group_id)
    time.sleep(0.01)  # AuthTokenLastModifiedDate must move
    other_group = aws_target.client("ec2").create_security_group(GroupName=unique("redis"), Description="r")["GroupId"]
    parameter_group = "default.redis7"
    elasticache.modify_replication_group(
        ReplicationGroupId=group_id,
        ApplyImmediately=True,
        ReplicationGroupDescription="changed",
        CacheNodeType="cache.t4g.medium",
        SnapshotRetentionLimit=7,
        SnapshotWindow="16:00-17:00",
        PreferredMaintenanceWindow="mon:19:00-mon:20:00",
        SecurityGroupIds=[other_group],
        CacheParameterGroupName=parameter_group,
        EngineVersion="7.1.1",
        AuthToken="another-secret-token-4567",
        AuthTokenUpdateStrategy="ROTATE",
        LogDeliveryConfigurations=[
            {"LogType": "slow-log", "Enabled": False},
            log_delivery("engine-log", log_group="/triflow/other", log_format="text"),
        ],
    )
    after = describe(elasticache, group_id)
    assert after["Description"] == "changed"
    assert after["CacheNodeType"] == "cache.t4g.medium"
    assert after["SnapshotRetentionLimit"] == 7

    if not aws_target.patched:
        assert after["SnapshotWindow"] == "17:00-18:00", GAP
        assert after["AuthTokenLastModifiedDate"] == before["AuthTokenLastModifiedDate"], GAP
        assert len(after["LogDeliveryConfigurations"]) == 2, GAP
        return

    assert after["SnapshotWindow"] == "16:00-17:00"
    assert after["AuthTokenEnabled"] is True
    assert after["AuthTokenLastModifiedDate"] > before["AuthTokenLastModifiedDate"]
    (engine_log,) = after["LogDeliveryConfigurations"]
    assert engine_log["LogType"] == "engine-log"
    assert engine_log["LogFormat"] == "text"
    assert engine_log["DestinationDetails"] == {"CloudWatchLogsDetails": {"LogGroup": "/triflow/other"}}
    for cluster_id in after["MemberClusters"]:
        (cluster,) = elasticache.describe_cache_clusters(CacheClusterId=cluster_id)["CacheClusters"]
        assert cluster["CacheNodeType"] == "cache.t4g.medium"
        assert cluster["EngineVersion"] == "7.1.1"
        assert cluster["PreferredMaintenanceWindow"] == "mon:19:00-mon:20:00"
        assert cluster["SecurityGroups"] == [{"SecurityGroupId": other_group, "Status": "active"}]
        assert cluster["CacheParameterGroup"]["CacheParameterGroupName"] == parameter_group


def test_auth_token_strategies(aws_target: Endpoint) -> None:
    elasticache = aws_target.client("elasticache")
    group_id = create_group(aws_target)
    elasticache.modify_replication_group(
        ReplicationGroupId=group_id, ApplyImmediately=True, AuthTokenUpdateStrategy="DELETE"
    )
    deleted = describe(elasticache, group_id)["AuthTokenEnabled"]
    if not aws_target.patched:
        assert deleted is True, GAP
        return
    assert deleted is False
    without_transit = create_group(aws_target, TransitEncryptionEnabled=False, AuthToken=None)
    rotate = error_code(
        lambda: elasticache.modify_replication_group(
            ReplicationGroupId=without_transit,
            ApplyImmediately=True,
            AuthToken="another-secret-token-4567",
            AuthTokenUpdateStrategy="ROTATE",
        )
    )
    assert rotate == "InvalidParameterValue"


def test_modify_keeps_failover_rules(aws_target: Endpoint) -> None:
    elasticache = aws_target.client("elasticache")
    group_id = create_group(aws_target, AutomaticFailoverEnabled=False, MultiAZEnabled=False)
    code = error_code(
        lambda: elasticache.modify_replication_group(
            ReplicationGroupId=group_id, ApplyImmediately=True, MultiAZEnabled=True
        )
    )
    if not aws_target.patched:
        assert code is None, GAP
        return
    assert code == "InvalidParameterCombination"
    assert describe(elasticache, group_id)["MultiAZ"] == "disabled"


def test_replica_count_and_failover(aws_target: Endpoint) -> None:
    elasticache = aws_target.client("elasticache")
    group_id = create_group(aws_target)

    def increase() -> Any:
        return elasticache.increase_replica_count(ReplicationGroupId=group_id, NewReplicaCount=3, ApplyImmediately=True)

    if not aws_target.patched:
        assert error_code(increase) == "not-implemented", GAP
        assert error_code(lambda: elasticache.test_failover(ReplicationGroupId=group_id, NodeGroupId="0001")) == (
            "not-implemented"
        ), GAP
        return

    assert increase()["ReplicationGroup"]["MemberClusters"] == [f"{group_id}-00{n}" for n in range(1, 5)]
    assert len(elasticache.describe_cache_clusters(CacheClusterId=f"{group_id}-004")["CacheClusters"]) == 1
    decreased = elasticache.decrease_replica_count(
        ReplicationGroupId=group_id, NewReplicaCount=1, ApplyImmediately=True
    )["ReplicationGroup"]
    assert decreased["MemberClusters"] == [f"{group_id}-001", f"{group_id}-002"]
    assert error_code(lambda: elasticache.describe_cache_clusters(CacheClusterId=f"{group_id}-004")) == (
        "CacheClusterNotFound"
    )
    too_few = error_code(
        lambda: elasticache.decrease_replica_count(
            ReplicationGroupId=group_id, NewReplicaCount=0, ApplyImmediately=True
        )
    )
    assert too_few == "InvalidParameterValue"

    failed_over = elasticache.test_failover(ReplicationGroupId=group_id, NodeGroupId="0001")["ReplicationGroup"]
    assert [(m["CacheClusterId"], m["CurrentRole"]) for m in members(failed_over)] == [
        (f"{group_id}-001", "replica"),
        (f"{group_id}-002", "primary"),
    ]


def test_cache_parameter_groups(aws_target: Endpoint) -> None:
    elasticache = aws_target.client("elasticache")
    name = unique("redis7")

    def create() -> Any:
        return elasticache.create_cache_parameter_group(
            CacheParameterGroupName=name, CacheParameterGroupFamily="redis7", Description="cache"
        )

    if not aws_target.patched:
        assert error_code(create) == "not-implemented", GAP
        return

    assert create()["CacheParameterGroup"]["CacheParameterGroupFamily"] == "redis7"
    assert error_code(create) == "CacheParameterGroupAlreadyExists"
    elasticache.modify_cache_parameter_group(
        CacheParameterGroupName=name,
        ParameterNameValues=[
            {"ParameterName": "timeout", "ParameterValue": "300"},
            {"ParameterName": "maxmemory-policy", "ParameterValue": "allkeys-lru"},
        ],
    )
    user = elasticache.describe_cache_parameters(CacheParameterGroupName=name, Source="user")["Parameters"]
    assert {p["ParameterName"]: p["ParameterValue"] for p in user} == {
        "timeout": "300",
        "maxmemory-policy": "allkeys-lru",
    }
    every = elasticache.describe_cache_parameters(CacheParameterGroupName=name)["Parameters"]
    assert {p["ParameterName"]: p["Source"] for p in every}["tcp-keepalive"] == "system"
    unknown = error_code(
        lambda: elasticache.modify_cache_parameter_group(
            CacheParameterGroupName=name, ParameterNameValues=[{"ParameterName": "nope", "ParameterValue": "1"}]
        )
    )
    assert unknown == "InvalidParameterValue"
    elasticache.reset_cache_parameter_group(
        CacheParameterGroupName=name, ParameterNameValues=[{"ParameterName": "timeout"}]
    )
    user = elasticache.describe_cache_parameters(CacheParameterGroupName=name, Source="user")["Parameters"]
    assert [p["ParameterName"] for p in user] == ["maxmemory-policy"]
    (default,) = elasticache.describe_cache_parameter_groups(CacheParameterGroupName="default.redis7")[
        "CacheParameterGroups"
    ]
    assert default["CacheParameterGroupFamily"] == "redis7"

    group_id = create_group(aws_target, CacheParameterGroupName=name)
    in_use = error_code(lambda: elasticache.delete_cache_parameter_group(CacheParameterGroupName=name))
    assert in_use == "InvalidCacheParameterGroupState"
    elasticache.delete_replication_group(ReplicationGroupId=group_id)
    elasticache.delete_cache_parameter_group(CacheParameterGroupName=name)
    missing = error_code(lambda: elasticache.describe_cache_parameter_groups(CacheParameterGroupName=name))
    assert missing == "CacheParameterGroupNotFound"


def test_delete_completes_with_final_snapshot(aws_target: Endpoint) -> None:
    elasticache = aws_target.client("elasticache")
    group_id = create_group(aws_target)
    snapshot = unique("final")
    deleted = elasticache.delete_replication_group(ReplicationGroupId=group_id, FinalSnapshotIdentifier=snapshot)
    assert deleted["ReplicationGroup"]["Status"] == "deleting"
    lookup = error_code(lambda: describe(elasticache, group_id))
    snapshots = elasticache.describe_snapshots()["Snapshots"]

    if not aws_target.patched:
        assert lookup is None, GAP
        assert describe(elasticache, group_id)["Status"] == "deleting", GAP
        assert snapshot not in [s["SnapshotName"] for s in snapshots], GAP
        return

    assert lookup == "ReplicationGroupNotFoundFault"
    (final,) = [s for s in snapshots if s["SnapshotName"] == snapshot]
    assert final["ReplicationGroupId"] == group_id
    assert final["SnapshotStatus"] == "available"
    clusters = elasticache.describe_cache_clusters()["CacheClusters"]
    assert [c["CacheClusterId"] for c in clusters if c["CacheClusterId"].startswith(group_id)] == []
    # The id can be used again at once.
    assert create_group(aws_target, ReplicationGroupId=group_id) == group_id


def test_delete_retaining_the_primary(patched_emulator: Endpoint) -> None:
    """Stock moto has no member clusters at all (see above); the patched emulator keeps the primary."""
    elasticache = patched_emulator.client("elasticache")
    group_id = create_group(patched_emulator, AutomaticFailoverEnabled=False, MultiAZEnabled=False)
    elasticache.delete_replication_group(ReplicationGroupId=group_id, RetainPrimaryCluster=True)
    clusters = elasticache.describe_cache_clusters()["CacheClusters"]
    kept = [c for c in clusters if c["CacheClusterId"].startswith(group_id)]
    assert [c["CacheClusterId"] for c in kept] == [f"{group_id}-001"]
    assert "ReplicationGroupId" not in kept[0]


@pytest.fixture(scope="module")
def slow_emulator(tmp_path_factory: pytest.TempPathFactory, dummy_aws_env: None) -> Iterator[Endpoint]:
    """An emulator whose replication groups take CREATION_DELAY seconds to create and to delete."""
    with running_emulator("slow-emulator", **{DELAY_ENV: str(CREATION_DELAY)}) as slow:
        yield slow


def wait_for(elasticache: Any, group_id: str, status: str | None, timeout: float) -> float:
    """Seconds until the group reports ``status`` (None: until it is gone); polls every 0.1 s."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        try:
            current: str | None = describe(elasticache, group_id)["Status"]
        except ClientError:
            current = None
        if current == status:
            return time.monotonic() - start
        time.sleep(0.1)
    raise AssertionError(f"{group_id} did not reach {status} within {timeout} s")


def test_creation_delay(stock_moto: Endpoint, slow_emulator: Endpoint) -> None:
    stock_group = create_group(stock_moto)
    assert describe(stock_moto.client("elasticache"), stock_group)["Status"] == "available", GAP

    elasticache = slow_emulator.client("elasticache")
    created_at = time.monotonic()
    group_id = create_group(slow_emulator)
    group = describe(elasticache, group_id)
    assert group["Status"] == "creating"
    (member,) = elasticache.describe_cache_clusters(CacheClusterId=f"{group_id}-001")["CacheClusters"]
    assert member["CacheClusterStatus"] == "creating"
    modify = error_code(
        lambda: elasticache.modify_replication_group(
            ReplicationGroupId=group_id, ApplyImmediately=True, SnapshotRetentionLimit=1
        )
    )
    assert modify == "InvalidReplicationGroupState"
    wait_for(elasticache, group_id, "available", timeout=CREATION_DELAY + 5)
    assert time.monotonic() - created_at >= CREATION_DELAY

    elasticache.delete_replication_group(ReplicationGroupId=group_id)
    assert describe(elasticache, group_id)["Status"] == "deleting"
    assert wait_for(elasticache, group_id, None, timeout=CREATION_DELAY + 5) >= CREATION_DELAY - 0.2
