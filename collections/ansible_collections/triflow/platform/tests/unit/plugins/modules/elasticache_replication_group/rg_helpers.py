"""Helpers of the elasticache_replication_group tests (a unique module name: pytest runs in prepend mode)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from botocore.stub import Stubber

REPO = Path(__file__).resolve().parents[9]
REGION = "ap-northeast-2"
ZONES = ("ap-northeast-2a", "ap-northeast-2c")
CREATION_DELAY = 2.0
AUTH_TOKEN = "Triflow-auth-token-0123456789"
CREDENTIALS = {"access_key": "testing", "secret_key": "testing", "region": REGION}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@dataclass(frozen=True)
class Emulator:
    endpoint: str

    def client(self, service: str) -> Any:
        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            config=Config(retries={"max_attempts": 1}),
        )

    def module_args(self, **args: Any) -> dict[str, Any]:
        return dict(CREDENTIALS, endpoint_url=self.endpoint, **args)

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


def launch(state_dir: Path, delay: float) -> Iterator[Emulator]:
    port = free_port()
    env = dict(
        os.environ,
        PYTHONPATH=str(REPO / "tools" / "emulator"),
        TRIFLOW_EMULATOR_STATE_DIR=str(state_dir),
        TRIFLOW_EMULATOR_PORT=str(port),
        TRIFLOW_EMULATOR_CREATION_DELAY=str(delay),
    )

    def launcher(command: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "triflow_emulator", command],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    started = launcher("start")
    try:
        assert started.returncode == 0, f"emulator did not start:\n{started.stdout}\n{started.stderr}"
        yield Emulator(endpoint=f"http://127.0.0.1:{port}")
    finally:
        launcher("stop")


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


@dataclass
class ModuleRun:
    result: dict[str, Any]
    stdout: str

    @property
    def failed(self) -> bool:
        return bool(self.result.get("failed"))

    @property
    def changed(self) -> bool:
        return bool(self.result.get("changed"))

    @property
    def msg(self) -> str:
        return str(self.result.get("msg", ""))

    @property
    def group(self) -> dict[str, Any]:
        return dict(self.result.get("replication_group") or {})


@dataclass
class Stubbed:
    stubber: Stubber
    sleeps: list[float]

    def add(self, method: str, response: dict[str, Any], params: dict[str, Any] | None = None) -> None:
        self.stubber.add_response(method, response, params)

    def add_error(self, method: str, code: str, status: int = 400, params: dict[str, Any] | None = None) -> None:
        self.stubber.add_client_error(method, service_error_code=code, http_status_code=status, expected_params=params)
