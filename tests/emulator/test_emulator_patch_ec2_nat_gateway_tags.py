"""Gap 1: NAT gateway tags (patch ec2_nat_gateway_tags)."""

from typing import Any

from support.aws import Endpoint, unique
from support.emulator import gap_message

PATCH = "ec2_nat_gateway_tags"


def create_nat_gateway(ec2: Any, name: str) -> str:
    vpc_id = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    subnet_id = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.20.1.0/24")["Subnet"]["SubnetId"]
    allocation_id = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(
        SubnetId=subnet_id,
        AllocationId=allocation_id,
        TagSpecifications=[{"ResourceType": "natgateway", "Tags": [{"Key": "Name", "Value": name}]}],
    )["NatGateway"]
    return str(nat["NatGatewayId"])


def nat_ids(ec2: Any, filters: list[dict[str, Any]], among: set[str]) -> list[str]:
    gateways = ec2.describe_nat_gateways(Filters=filters)["NatGateways"]
    return sorted(gateway["NatGatewayId"] for gateway in gateways if gateway["NatGatewayId"] in among)


def tag_map(tags: list[dict[str, str]]) -> dict[str, str]:
    return {tag["Key"]: tag["Value"] for tag in tags}


def test_nat_gateway_tags(aws_target: Endpoint) -> None:
    ec2 = aws_target.client("ec2")
    name = unique("nat")
    nat_id = create_nat_gateway(ec2, name)
    other_id = create_nat_gateway(ec2, unique("other"))
    ours = {nat_id, other_id}

    by_id = ec2.describe_tags(Filters=[{"Name": "resource-id", "Values": [nat_id]}])["Tags"]
    by_type = ec2.describe_tags(
        Filters=[{"Name": "resource-type", "Values": ["natgateway"]}, {"Name": "resource-id", "Values": [nat_id]}]
    )["Tags"]
    by_tag_name = nat_ids(ec2, [{"Name": "tag:Name", "Values": [name]}], ours)

    if not aws_target.patched:
        assert {tag["ResourceType"] for tag in by_id} == {"nat-gateway"}, gap_message(1, PATCH)
        assert by_type == [], gap_message(1, PATCH)
        assert by_tag_name == sorted(ours), gap_message(1, PATCH)
        return

    assert by_id == [{"Key": "Name", "ResourceId": nat_id, "ResourceType": "natgateway", "Value": name}]
    assert by_type == by_id
    assert by_tag_name == [nat_id]
    assert nat_ids(ec2, [{"Name": "tag-key", "Values": ["Name"]}], ours) == sorted(ours)

    ec2.create_tags(Resources=[nat_id], Tags=[{"Key": "env", "Value": "dev"}])
    (described,) = ec2.describe_nat_gateways(NatGatewayIds=[nat_id])["NatGateways"]
    assert tag_map(described["Tags"]) == {"Name": name, "env": "dev"}
    assert nat_ids(ec2, [{"Name": "tag:env", "Values": ["dev"]}], ours) == [nat_id]

    ec2.delete_tags(Resources=[nat_id], Tags=[{"Key": "env"}])
    (described,) = ec2.describe_nat_gateways(NatGatewayIds=[nat_id])["NatGateways"]
    assert tag_map(described["Tags"]) == {"Name": name}
    assert nat_ids(ec2, [{"Name": "tag:env", "Values": ["dev"]}], ours) == []
