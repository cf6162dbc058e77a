"""The AWS side of the tests: region, dummy credentials, and boto3 clients for an endpoint."""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config

REGION = "ap-northeast-2"
# The emulator takes any credentials; these keep the tests away from a developer's real ones.
DUMMY_AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
}
# Module options of the collection's AWS modules against an emulator (plus endpoint_url).
MODULE_CREDENTIALS = {"access_key": "testing", "secret_key": "testing", "region": REGION}


def unique(prefix: str) -> str:
    """A name no other test uses: ``<prefix>-<8 hex digits>``."""
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@dataclass(frozen=True)
class Endpoint:
    """An AWS API endpoint: ``url`` an emulator's, or None for what the environment names (AWS_ENDPOINT_URL, AWS)."""

    url: str | None
    name: str = "aws"

    @property
    def endpoint(self) -> str | None:
        return self.url

    @property
    def patched(self) -> bool:
        """Whether this is the project's emulator (moto with the patches), not stock moto or AWS."""
        return self.name == "patched"

    def client(self, service: str, region: str = REGION, **config: Any) -> Any:
        """A boto3 client that does not retry (a test sees the first answer); dummy keys for an emulator."""
        options: dict[str, Any] = {"region_name": region, "config": Config(retries={"max_attempts": 1}, **config)}
        if self.url:
            options.update(endpoint_url=self.url, aws_access_key_id="testing", aws_secret_access_key="testing")
        return boto3.client(service, **options)

    def module_args(self, **options: Any) -> dict[str, Any]:
        """Options of an AWS module of the collection pointed at this endpoint."""
        return dict(MODULE_CREDENTIALS, endpoint_url=self.url, **options)

    def account_id(self) -> str:
        return self.client("sts").get_caller_identity()["Account"]


def resource_counts(endpoint: Endpoint) -> dict[str, int]:
    """How many resources of each kind a stack has the account holds (the default VPC's included): equal counts
    before and after a run mean it created nothing."""
    ec2 = endpoint.client("ec2")
    rds = endpoint.client("rds")
    return {
        "vpcs": len(ec2.describe_vpcs()["Vpcs"]),
        "subnets": len(ec2.describe_subnets()["Subnets"]),
        "internet gateways": len(ec2.describe_internet_gateways()["InternetGateways"]),
        "elastic ips": len(ec2.describe_addresses()["Addresses"]),
        "nat gateways": len(ec2.describe_nat_gateways()["NatGateways"]),
        "route tables": len(ec2.describe_route_tables()["RouteTables"]),
        "security groups": len(ec2.describe_security_groups()["SecurityGroups"]),
        "endpoints": len(ec2.describe_vpc_endpoints()["VpcEndpoints"]),
        "secrets": len(endpoint.client("secretsmanager").list_secrets()["SecretList"]),
        "buckets": len(endpoint.client("s3").list_buckets()["Buckets"]),
        "db instances": len(rds.describe_db_instances()["DBInstances"]),
        "db subnet groups": len(rds.describe_db_subnet_groups()["DBSubnetGroups"]),
        "replication groups": len(endpoint.client("elasticache").describe_replication_groups()["ReplicationGroups"]),
        "iam roles": len(endpoint.client("iam").list_roles()["Roles"]),
        "repositories": len(endpoint.client("ecr").describe_repositories()["repositories"]),
        "clusters": len(endpoint.client("ecs").list_clusters()["clusterArns"]),
        "load balancers": len(endpoint.client("elbv2").describe_load_balancers()["LoadBalancers"]),
        "log groups": len(endpoint.client("logs").describe_log_groups()["logGroups"]),
        "topics": len(endpoint.client("sns").list_topics()["Topics"]),
        "alarms": len(endpoint.client("cloudwatch").describe_alarms()["MetricAlarms"]),
    }
