"""Helpers of the elasticache_replication_group tests (a unique module name: pytest runs in prepend mode)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from support.aws import MODULE_CREDENTIALS as CREDENTIALS
from support.aws import REGION, unique
from support.emulator import REPO
from support.modules import ModuleRun, Stubbed

ZONES = ("ap-northeast-2a", "ap-northeast-2c")
# What modules/conftest.py's slow_emulator keeps a new group "creating" (and a deleted one "deleting").
CREATION_DELAY = 3.0
AUTH_TOKEN = "Triflow-auth-token-0123456789"
__all__ = ["CREDENTIALS", "REGION", "REPO", "Emulator", "GroupRun", "ModuleRun", "Stack", "Stubbed", "unique"]


@dataclass(frozen=True)
class Emulator:
    """A shared emulator (modules/conftest.py), seen through its replication groups."""

    aws: Any

    @property
    def endpoint(self) -> str:
        return str(self.aws.url)

    def client(self, service: str) -> Any:
        return self.aws.client(service)

    def module_args(self, **args: Any) -> dict[str, Any]:
        return self.aws.module_args(**args)

    def group(self, group_id: str) -> dict[str, Any] | None:
        elasticache = self.client("elasticache")
        try:
            (group,) = elasticache.describe_replication_groups(ReplicationGroupId=group_id)["ReplicationGroups"]
        except elasticache.exceptions.ReplicationGroupNotFoundFault:
            return None
        return dict(group)

    def primary(self, group_id: str) -> dict[str, Any]:
        (cluster,) = self.client("elasticache").describe_cache_clusters(CacheClusterId=f"{group_id}-001")[
            "CacheClusters"
        ]
        return dict(cluster)


@dataclass(frozen=True)
class Stack:
    """The prerequisites of a replication group and the module arguments of the SPEC's group."""

    subnet_group: str
    security_group: str
    parameter_group: str
    log_groups: tuple[str, str]

    def group_args(self, group_id: str, **overrides: Any) -> dict[str, Any]:
        args: dict[str, Any] = {
            "replication_group_id": group_id,
            "description": "TriFlow cache of acme test",
            "engine": "redis",
            "engine_version": "7.1",
            "cache_node_type": "cache.t4g.small",
            "replicas_per_node_group": 1,
            "automatic_failover": True,
            "multi_az": True,
            "at_rest_encryption": True,
            "transit_encryption": True,
            "auth_token": AUTH_TOKEN,
            "cache_subnet_group_name": self.subnet_group,
            "cache_parameter_group_name": self.parameter_group,
            "security_group_ids": [self.security_group],
            "snapshot_retention_limit": 5,
            "snapshot_window": "17:00-18:00",
            "preferred_maintenance_window": "sun:19:00-sun:20:00",
            "log_delivery_configurations": [
                {"log_type": "slow-log", "destination": self.log_groups[0], "log_format": "json"},
                {"log_type": "engine-log", "destination": self.log_groups[1], "log_format": "json"},
            ],
            "tags": {"Project": "triflow", "Customer": "acme", "Environment": "test", "ManagedBy": "ansible"},
            "wait_timeout": 60,
        }
        args.update(overrides)
        return args


def make_stack(target: Emulator) -> Stack:
    ec2 = target.client("ec2")
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet_ids = [
        ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"10.0.{index}.0/24", AvailabilityZone=zone)["Subnet"]["SubnetId"]
        for index, zone in enumerate(ZONES, start=11)
    ]
    elasticache = target.client("elasticache")
    subnet_group = unique("redis-subnets")
    elasticache.create_cache_subnet_group(
        CacheSubnetGroupName=subnet_group, CacheSubnetGroupDescription="private subnets", SubnetIds=subnet_ids
    )
    security_group = ec2.create_security_group(GroupName=unique("redis"), Description="redis", VpcId=vpc_id)["GroupId"]
    parameter_group = unique("redis7")
    elasticache.create_cache_parameter_group(
        CacheParameterGroupName=parameter_group, CacheParameterGroupFamily="redis7", Description="TriFlow redis7"
    )
    elasticache.modify_cache_parameter_group(
        CacheParameterGroupName=parameter_group,
        ParameterNameValues=[
            {"ParameterName": "timeout", "ParameterValue": "300"},
            {"ParameterName": "maxmemory-policy", "ParameterValue": "allkeys-lru"},
        ],
    )
    logs = target.client("logs")
    log_groups = (f"/triflow/{subnet_group}/slow-log", f"/triflow/{subnet_group}/engine-log")
    for name in log_groups:
        logs.create_log_group(logGroupName=name)
    return Stack(subnet_group, security_group, parameter_group, log_groups)


class GroupRun(ModuleRun):
    """A run of the module, with the group it returned."""

    @property
    def group(self) -> dict[str, Any]:
        return dict(self.result.get("replication_group") or {})
