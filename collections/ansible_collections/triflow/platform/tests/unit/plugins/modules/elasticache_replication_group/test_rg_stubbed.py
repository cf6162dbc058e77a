"""What the emulator cannot show, with botocore's Stubber: exact request shapes, call order, waits, retries."""

from __future__ import annotations

from typing import Any

import pytest
from rg_helpers import AUTH_TOKEN, CREDENTIALS, Stubbed

GROUP_ID = "triflow-acme-prod-redis"
ARN = f"arn:aws:elasticache:ap-northeast-2:123456789012:replicationgroup:{GROUP_ID}"
NEW_TOKEN = "Rotated-token-0123456789-abc"


def described_group(status: str = "available", replicas: int = 1, failover: bool = True, **fields: Any) -> dict:
    members = [
        {
            "CacheClusterId": f"{GROUP_ID}-{n:03d}",
            "CacheNodeId": "0001",
            "CurrentRole": "primary" if n == 1 else "replica",
        }
        for n in range(1, replicas + 2)
    ]
    group = {
        "ReplicationGroupId": GROUP_ID,
        "Description": "cache",
        "Status": status,
        "MemberClusters": [m["CacheClusterId"] for m in members],
        "NodeGroups": [
            {
                "NodeGroupId": "0001",
                "Status": status,
                "PrimaryEndpoint": {"Address": f"master.{GROUP_ID}.abc123.apne2.cache.amazonaws.com", "Port": 6379},
                "NodeGroupMembers": members,
            }
        ],
        "AutomaticFailover": "enabled" if failover else "disabled",
        "MultiAZ": "enabled" if failover else "disabled",
        "SnapshotRetentionLimit": 5,
        "SnapshotWindow": "17:00-18:00",
        "ClusterEnabled": False,
        "CacheNodeType": "cache.t4g.small",
        "AuthTokenEnabled": True,
        "TransitEncryptionEnabled": True,
        "AtRestEncryptionEnabled": True,
        "ARN": ARN,
        "LogDeliveryConfigurations": [
            {
                "LogType": "slow-log",
                "DestinationType": "cloudwatch-logs",
                "DestinationDetails": {"CloudWatchLogsDetails": {"LogGroup": "/triflow/slow"}},
                "LogFormat": "json",
                "Status": "active",
            }
        ],
        "Engine": "redis",
    }
    group.update(fields)
    return group


def described_cluster(**fields: Any) -> dict:
    cluster = {
        "CacheClusterId": f"{GROUP_ID}-001",
        "Engine": "redis",
        "EngineVersion": "7.1.0",
        "CacheParameterGroup": {"CacheParameterGroupName": "triflow-redis7", "ParameterApplyStatus": "in-sync"},
        "CacheSubnetGroupName": "triflow-subnets",
        "SecurityGroups": [{"SecurityGroupId": "sg-1", "Status": "active"}],
        "PreferredMaintenanceWindow": "sun:19:00-sun:20:00",
        "ReplicationGroupId": GROUP_ID,
    }
    cluster.update(fields)
    return cluster


def expect_read(stubbed: Stubbed, group: dict, cluster: dict | None = None, tags: dict | None = None) -> None:
    stubbed.add("describe_replication_groups", {"ReplicationGroups": [group]}, {"ReplicationGroupId": GROUP_ID})
    stubbed.add(
        "describe_cache_clusters",
        {"CacheClusters": [cluster or described_cluster()]},
        {"CacheClusterId": f"{GROUP_ID}-001"},
    )
    tag_list = [{"Key": key, "Value": value} for key, value in (tags or {}).items()]
    stubbed.add("list_tags_for_resource", {"TagList": tag_list}, {"ResourceName": ARN})


def expect_status(stubbed: Stubbed, *statuses: str, **fields: Any) -> None:
    """One DescribeReplicationGroups answer per waiter poll."""
    for status in statuses:
        stubbed.add(
            "describe_replication_groups",
            {"ReplicationGroups": [described_group(status=status, **fields)]},
            {"ReplicationGroupId": GROUP_ID},
        )


def args(**options: Any) -> dict[str, Any]:
    return dict(CREDENTIALS, replication_group_id=GROUP_ID, wait_timeout=60, **options)


def test_auth_token_rotation_request_and_modifying_wait(stubbed: Stubbed, run_module) -> None:
    expect_read(stubbed, described_group())
    stubbed.add(
        "modify_replication_group",
        {"ReplicationGroup": described_group(status="modifying")},
        {
            "ReplicationGroupId": GROUP_ID,
            "ApplyImmediately": True,
            "AuthToken": NEW_TOKEN,
            "AuthTokenUpdateStrategy": "ROTATE",
        },
    )
    expect_status(stubbed, "modifying", "modifying", "available")
    expect_read(stubbed, described_group())

    result = run_module(args(auth_token=NEW_TOKEN, auth_token_update_strategy="ROTATE"), diff=True)

    assert not result.failed, result.msg
    assert result.changed
    assert NEW_TOKEN not in result.stdout
    assert result.result["diff"]["before"]["auth_token_enabled"] is True
    assert result.result["diff"]["after"]["auth_token_enabled"] is True
    assert stubbed.sleeps == [1, 1]  # wait_timeout 60: one poll a second until available


def test_check_mode_rotation_reports_a_change_without_calling_modify(stubbed: Stubbed, run_module) -> None:
    expect_read(stubbed, described_group())

    result = run_module(args(auth_token=NEW_TOKEN, auth_token_update_strategy="SET"), check_mode=True)

    assert result.changed
    assert not result.failed


def test_create_request_shape(stubbed: Stubbed, run_module) -> None:
    stubbed.add_error("describe_replication_groups", "ReplicationGroupNotFoundFault", 404)
    stubbed.add(
        "create_replication_group",
        {"ReplicationGroup": described_group(status="creating")},
        {
            "ReplicationGroupId": GROUP_ID,
            "NumCacheClusters": 2,
            "ReplicationGroupDescription": "cache",
            "CacheNodeType": "cache.t4g.small",
            "EngineVersion": "7.1",
            "AutomaticFailoverEnabled": True,
            "MultiAZEnabled": True,
            "SnapshotRetentionLimit": 5,
            "SnapshotWindow": "17:00-18:00",
            "PreferredMaintenanceWindow": "sun:19:00-sun:20:00",
            "SecurityGroupIds": ["sg-1"],
            "CacheParameterGroupName": "triflow-redis7",
            "TransitEncryptionEnabled": True,
            "Engine": "redis",
            "AtRestEncryptionEnabled": True,
            "CacheSubnetGroupName": "triflow-subnets",
            "Port": 6379,
            "AuthToken": AUTH_TOKEN,
            "LogDeliveryConfigurations": [
                {
                    "LogType": "slow-log",
                    "Enabled": True,
                    "DestinationType": "cloudwatch-logs",
                    "DestinationDetails": {"CloudWatchLogsDetails": {"LogGroup": "/triflow/slow"}},
                    "LogFormat": "json",
                },
                {
                    "LogType": "engine-log",
                    "Enabled": True,
                    "DestinationType": "kinesis-firehose",
                    "DestinationDetails": {"KinesisFirehoseDetails": {"DeliveryStream": "redis-engine"}},
                    "LogFormat": "text",
                },
            ],
            "Tags": [{"Key": "Customer", "Value": "acme"}, {"Key": "Project", "Value": "triflow"}],
        },
    )
    expect_status(stubbed, "creating", "available")
    expect_read(stubbed, described_group(), tags={"Customer": "acme", "Project": "triflow"})

    result = run_module(
        args(
            description="cache",
            engine_version="7.1",
            cache_node_type="cache.t4g.small",
            replicas_per_node_group=1,
            automatic_failover=True,
            multi_az=True,
            at_rest_encryption=True,
            transit_encryption=True,
            auth_token=AUTH_TOKEN,
            cache_subnet_group_name="triflow-subnets",
            cache_parameter_group_name="triflow-redis7",
            security_group_ids=["sg-1"],
            snapshot_retention_limit=5,
            snapshot_window="17:00-18:00",
            preferred_maintenance_window="sun:19:00-sun:20:00",
            log_delivery_configurations=[
                {"log_type": "slow-log", "destination": "/triflow/slow"},
                {
                    "log_type": "engine-log",
                    "destination_type": "kinesis-firehose",
                    "destination": "redis-engine",
                    "log_format": "text",
                },
            ],
            tags={"Project": "triflow", "Customer": "acme"},
        )
    )

    assert not result.failed, result.msg
    assert result.changed
    assert AUTH_TOKEN not in result.stdout
    assert result.group["engine_version"] == "7.1.0"
    assert result.group["tags"] == {"Customer": "acme", "Project": "triflow"}


def test_replicas_are_added_before_failover_is_enabled(stubbed: Stubbed, run_module) -> None:
    expect_read(stubbed, described_group(replicas=0, failover=False))
    stubbed.add(
        "increase_replica_count",
        {"ReplicationGroup": described_group(status="modifying", replicas=0, failover=False)},
        {"ReplicationGroupId": GROUP_ID, "NewReplicaCount": 1, "ApplyImmediately": True},
    )
    expect_status(stubbed, "modifying", "available", failover=False)
    stubbed.add(
        "modify_replication_group",
        {"ReplicationGroup": described_group(status="modifying")},
        {
            "ReplicationGroupId": GROUP_ID,
            "ApplyImmediately": True,
            "AutomaticFailoverEnabled": True,
            "MultiAZEnabled": True,
        },
    )
    expect_status(stubbed, "available")
    expect_read(stubbed, described_group())

    result = run_module(args(replicas_per_node_group=1, automatic_failover=True, multi_az=True))

    assert not result.failed, result.msg
    assert result.changed


def test_failover_is_disabled_before_replicas_are_removed(stubbed: Stubbed, run_module) -> None:
    expect_read(stubbed, described_group())
    stubbed.add(
        "modify_replication_group",
        {"ReplicationGroup": described_group(status="modifying")},
        {
            "ReplicationGroupId": GROUP_ID,
            "ApplyImmediately": False,
            "AutomaticFailoverEnabled": False,
            "MultiAZEnabled": False,
        },
    )
    expect_status(stubbed, "available", failover=False)
    stubbed.add(
        "decrease_replica_count",
        {"ReplicationGroup": described_group(status="modifying", failover=False)},
        {"ReplicationGroupId": GROUP_ID, "NewReplicaCount": 0, "ApplyImmediately": False},
    )
    expect_read(stubbed, described_group(status="modifying", replicas=0, failover=False))

    result = run_module(
        args(replicas_per_node_group=0, automatic_failover=False, multi_az=False, apply_immediately=False, wait=False)
    )

    assert not result.failed, result.msg
    assert result.changed


def test_log_delivery_changes_enable_new_and_disable_dropped(stubbed: Stubbed, run_module) -> None:
    expect_read(stubbed, described_group())
    stubbed.add(
        "modify_replication_group",
        {"ReplicationGroup": described_group()},
        {
            "ReplicationGroupId": GROUP_ID,
            "ApplyImmediately": True,
            "LogDeliveryConfigurations": [
                {
                    "LogType": "engine-log",
                    "Enabled": True,
                    "DestinationType": "cloudwatch-logs",
                    "DestinationDetails": {"CloudWatchLogsDetails": {"LogGroup": "/triflow/engine"}},
                    "LogFormat": "json",
                },
                {"LogType": "slow-log", "Enabled": False},
            ],
        },
    )
    expect_read(stubbed, described_group(status="modifying"))

    result = run_module(
        args(log_delivery_configurations=[{"log_type": "engine-log", "destination": "/triflow/engine"}], wait=False)
    )

    assert not result.failed, result.msg
    assert result.changed


def test_pending_changes_count_as_done(stubbed: Stubbed, run_module) -> None:
    """With apply_immediately false AWS keeps node type / engine version changes pending: no second request."""
    cluster = described_cluster(PendingModifiedValues={"CacheNodeType": "cache.t4g.medium", "EngineVersion": "7.2.0"})
    expect_read(stubbed, described_group(), cluster=cluster)

    result = run_module(args(cache_node_type="cache.t4g.medium", engine_version="7.2", apply_immediately=False))

    assert not result.failed, result.msg
    assert not result.changed


def test_throttling_is_retried(stubbed: Stubbed, run_module) -> None:
    stubbed.add_error("describe_replication_groups", "Throttling", 400, {"ReplicationGroupId": GROUP_ID})
    expect_read(stubbed, described_group())

    result = run_module(args(cache_node_type="cache.t4g.small"))

    assert not result.failed, result.msg
    assert not result.changed
    assert len(stubbed.sleeps) == 1


REFUSED = {
    "subnet group": ({"cache_subnet_group_name": "other-subnets"}, "cache_subnet_group_name cannot change in place"),
    "at-rest encryption": ({"at_rest_encryption": False}, "at_rest_encryption cannot change in place"),
    "engine": ({"engine": "valkey"}, "engine cannot change in place"),
    "port": ({"port": 6380}, "port cannot change in place"),
    "failover without replicas": (
        {"replicas_per_node_group": 0},
        "automatic_failover needs replicas_per_node_group of at least 1",
    ),
    "token on a group without TLS": (
        {"auth_token": NEW_TOKEN, "auth_token_update_strategy": "SET", "transit_encryption": None},
        "auth_token requires transit_encryption: true",
    ),
}


@pytest.mark.parametrize("case", REFUSED.values(), ids=REFUSED.keys())
def test_refused_changes_make_no_write(stubbed: Stubbed, run_module, case: tuple[dict[str, Any], str]) -> None:
    options, message = case
    group = described_group()
    if "auth_token" in options:
        group = described_group(TransitEncryptionEnabled=False)
    expect_read(stubbed, group)

    result = run_module(args(**{key: value for key, value in options.items() if value is not None}))

    assert result.failed
    assert message in result.msg


def test_a_group_being_deleted_is_not_recreated(stubbed: Stubbed, run_module) -> None:
    expect_read(stubbed, described_group(status="deleting"))

    result = run_module(args(description="cache", cache_node_type="cache.t4g.small"))

    assert result.failed
    assert f"Replication group {GROUP_ID} is being deleted" in result.msg


def test_cluster_mode_enabled_groups_are_refused(stubbed: Stubbed, run_module) -> None:
    expect_read(stubbed, described_group(ClusterEnabled=True))

    result = run_module(args())

    assert result.failed
    assert "cluster mode enabled" in result.msg


def test_delete_waits_for_an_unfinished_change_then_deletes(stubbed: Stubbed, run_module) -> None:
    expect_read(stubbed, described_group(status="modifying"))
    expect_status(stubbed, "available")
    stubbed.add(
        "delete_replication_group",
        {"ReplicationGroup": described_group(status="deleting")},
        {"ReplicationGroupId": GROUP_ID, "FinalSnapshotIdentifier": "final"},
    )
    expect_status(stubbed, "deleting")
    stubbed.add_error("describe_replication_groups", "ReplicationGroupNotFoundFault", 404)

    result = run_module(args(state="absent", final_snapshot_identifier="final"))

    assert not result.failed, result.msg
    assert result.changed
    assert result.group == {}
