"""Gap 15: EC2 ClientToken idempotency (patch ec2_client_token)."""

from typing import Any

import pytest
from botocore.exceptions import ClientError
from support.aws import Endpoint, unique
from support.emulator import gap_message

PATCH = "ec2_client_token"


def subnet_with_address(ec2: Any, cidr: str) -> tuple[str, str, str]:
    vpc_id = ec2.create_vpc(CidrBlock=f"{cidr}.0.0/16")["Vpc"]["VpcId"]
    subnet_id = ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"{cidr}.1.0/24")["Subnet"]["SubnetId"]
    return vpc_id, subnet_id, ec2.allocate_address(Domain="vpc")["AllocationId"]


def test_a_nat_gateway_call_repeated_with_its_token_makes_one_gateway(aws_target: Endpoint) -> None:
    ec2 = aws_target.client("ec2")
    vpc_id, subnet_id, allocation_id = subnet_with_address(ec2, "10.31")
    token = unique("nat-token")
    first = ec2.create_nat_gateway(SubnetId=subnet_id, AllocationId=allocation_id, ClientToken=token)["NatGateway"]

    if not aws_target.patched:
        with pytest.raises(ClientError) as raised:
            ec2.create_nat_gateway(SubnetId=subnet_id, AllocationId=allocation_id, ClientToken=token)
        assert raised.value.response["Error"]["Code"] == "Resource.AlreadyAssociated", gap_message(15, PATCH)
        return

    again = ec2.create_nat_gateway(SubnetId=subnet_id, AllocationId=allocation_id, ClientToken=token)
    assert again["NatGateway"]["NatGatewayId"] == first["NatGatewayId"]
    assert again["ClientToken"] == token
    gateways = ec2.describe_nat_gateways(Filters=[{"Name": "subnet-id", "Values": [subnet_id]}])["NatGateways"]
    assert [gateway["NatGatewayId"] for gateway in gateways] == [first["NatGatewayId"]]

    other_subnet = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.31.2.0/24")["Subnet"]["SubnetId"]
    with pytest.raises(ClientError) as raised:
        ec2.create_nat_gateway(SubnetId=other_subnet, AllocationId=allocation_id, ClientToken=token)
    assert raised.value.response["Error"]["Code"] == "IdempotentParameterMismatch"


def test_a_route_table_call_repeated_with_its_token_makes_one_table(aws_target: Endpoint) -> None:
    ec2 = aws_target.client("ec2")
    vpc_id = ec2.create_vpc(CidrBlock="10.32.0.0/16")["Vpc"]["VpcId"]
    token = unique("rtb-token")
    first = ec2.create_route_table(VpcId=vpc_id, ClientToken=token)["RouteTable"]["RouteTableId"]
    again = ec2.create_route_table(VpcId=vpc_id, ClientToken=token)["RouteTable"]["RouteTableId"]
    tables = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["RouteTables"]
    made = sorted(table["RouteTableId"] for table in tables if not any(a.get("Main") for a in table["Associations"]))

    if not aws_target.patched:
        assert again != first and made == sorted([first, again]), gap_message(15, PATCH)
        return

    assert again == first
    assert made == [first]
    # Without a token each call makes a table, as in AWS.
    other = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
    assert other != first


def test_a_vpc_endpoint_call_repeated_with_its_token_makes_one_endpoint(aws_target: Endpoint) -> None:
    ec2 = aws_target.client("ec2")
    vpc_id = ec2.create_vpc(CidrBlock="10.33.0.0/16")["Vpc"]["VpcId"]
    table = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
    call = {
        "VpcId": vpc_id,
        "ServiceName": "com.amazonaws.ap-northeast-2.s3",
        "VpcEndpointType": "Gateway",
        "RouteTableIds": [table],
        "ClientToken": unique("vpce-token"),
    }
    first = ec2.create_vpc_endpoint(**call)["VpcEndpoint"]["VpcEndpointId"]
    again = ec2.create_vpc_endpoint(**call)["VpcEndpoint"]["VpcEndpointId"]
    endpoints = ec2.describe_vpc_endpoints(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["VpcEndpoints"]

    if not aws_target.patched:
        assert again != first and len(endpoints) == 2, gap_message(15, PATCH)
        return

    assert again == first
    assert [endpoint["VpcEndpointId"] for endpoint in endpoints] == [first]
