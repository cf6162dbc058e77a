"""Verify the molecule stack's network through the AWS API that AWS_ENDPOINT_URL names."""

from __future__ import annotations

import os

import boto3
import pytest

PREFIX = "triflow-molecule-test"
REGION = "ap-northeast-2"


@pytest.fixture(scope="module")
def ec2():
    return boto3.client("ec2", region_name=os.environ.get("AWS_DEFAULT_REGION", REGION))


@pytest.fixture(scope="module")
def vpc(ec2):
    vpcs = ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": [f"{PREFIX}-vpc"]}])["Vpcs"]
    assert len(vpcs) == 1
    return vpcs[0]


def _in_vpc(vpc):
    return [{"Name": "vpc-id", "Values": [vpc["VpcId"]]}]


def test_vpc_is_tagged_for_the_stack(vpc):
    tags = {tag["Key"]: tag["Value"] for tag in vpc["Tags"]}
    assert vpc["CidrBlock"] == "10.0.0.0/16"
    assert tags["Customer"] == "molecule"
    assert tags["Environment"] == "test"
    assert tags["ManagedBy"] == "ansible"


def test_subnets_one_public_one_private_per_zone(ec2, vpc):
    subnets = ec2.describe_subnets(Filters=_in_vpc(vpc))["Subnets"]
    placed = sorted((subnet["AvailabilityZone"], subnet["CidrBlock"]) for subnet in subnets)
    assert placed == [
        ("ap-northeast-2a", "10.0.1.0/24"),
        ("ap-northeast-2a", "10.0.11.0/24"),
        ("ap-northeast-2c", "10.0.12.0/24"),
        ("ap-northeast-2c", "10.0.2.0/24"),
    ]


def test_database_group_only_reachable_from_the_app(ec2, vpc):
    groups = {g["GroupName"]: g for g in ec2.describe_security_groups(Filters=_in_vpc(vpc))["SecurityGroups"]}
    db = groups[f"{PREFIX}-db"]
    app_id = groups[f"{PREFIX}-app"]["GroupId"]
    ingress = [
        (p["FromPort"], [pair["GroupId"] for pair in p["UserIdGroupPairs"]], p["IpRanges"]) for p in db["IpPermissions"]
    ]
    assert ingress == [(5432, [app_id], [])]
    assert db["IpPermissionsEgress"] == []


def test_private_subnets_route_through_the_nat_gateway(ec2, vpc):
    nats = [n for n in ec2.describe_nat_gateways(Filters=_in_vpc(vpc))["NatGateways"] if n["State"] == "available"]
    assert len(nats) == 1
    tables = ec2.describe_route_tables(Filters=_in_vpc(vpc))["RouteTables"]
    private = [t for t in tables if any(tag["Value"].startswith(f"{PREFIX}-private-rt-") for tag in t.get("Tags", []))]
    assert len(private) == 2
    for table in private:
        assert {r.get("NatGatewayId") for r in table["Routes"] if r.get("DestinationCidrBlock") == "0.0.0.0/0"} == {
            nats[0]["NatGatewayId"]
        }
