"""Read one stack's network back from AWS with boto3, as plain data the tests compare with SPEC.md."""

from __future__ import annotations

from typing import Any


def tags_of(resource: dict[str, Any]) -> dict[str, str]:
    return {tag["Key"]: tag["Value"] for tag in resource.get("Tags", [])}


def vpc_by_name(ec2, name: str) -> dict[str, Any] | None:
    vpcs = ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": [name]}])["Vpcs"]
    assert len(vpcs) <= 1, f"{len(vpcs)} VPCs are named {name}"
    return vpcs[0] if vpcs else None


def rule_set(permissions: list[dict[str, Any]], group_names: dict[str, str]) -> set[tuple]:
    """Security group permissions as (protocol, from, to, peer) tuples; peers are CIDRs or group names."""
    rules = set()
    for permission in permissions:
        key = (permission["IpProtocol"], permission.get("FromPort"), permission.get("ToPort"))
        for ip_range in permission.get("IpRanges", []):
            rules.add((*key, ip_range["CidrIp"]))
        for ip_range in permission.get("Ipv6Ranges", []):
            rules.add((*key, ip_range["CidrIpv6"]))
        for pair in permission.get("UserIdGroupPairs", []):
            rules.add((*key, group_names.get(pair["GroupId"], pair["GroupId"])))
    return rules


def network_of(ec2, prefix: str) -> dict[str, Any]:
    """Everything the network role manages for one stack prefix."""
    vpc = vpc_by_name(ec2, f"{prefix}-vpc")
    assert vpc is not None, f"no VPC named {prefix}-vpc"
    vpc_filter = [{"Name": "vpc-id", "Values": [vpc["VpcId"]]}]
    subnets = ec2.describe_subnets(Filters=vpc_filter)["Subnets"]
    groups = ec2.describe_security_groups(Filters=vpc_filter)["SecurityGroups"]
    groups = [group for group in groups if group["GroupName"] != "default"]
    tables = ec2.describe_route_tables(Filters=vpc_filter)["RouteTables"]
    nats = [
        nat
        for nat in ec2.describe_nat_gateways(Filters=vpc_filter)["NatGateways"]
        if nat["State"] in ("pending", "available")
    ]
    allocation_ids = [address["AllocationId"] for nat in nats for address in nat["NatGatewayAddresses"]]
    return {
        "vpc": vpc,
        "dns_support": ec2.describe_vpc_attribute(VpcId=vpc["VpcId"], Attribute="enableDnsSupport")["EnableDnsSupport"][
            "Value"
        ],
        "dns_hostnames": ec2.describe_vpc_attribute(VpcId=vpc["VpcId"], Attribute="enableDnsHostnames")[
            "EnableDnsHostnames"
        ]["Value"],
        "subnets": {tags_of(s).get("Name"): s for s in subnets},
        "internet_gateways": ec2.describe_internet_gateways(
            Filters=[{"Name": "attachment.vpc-id", "Values": [vpc["VpcId"]]}]
        )["InternetGateways"],
        "nat_gateways": nats,
        "eips": ec2.describe_addresses(AllocationIds=allocation_ids)["Addresses"] if allocation_ids else [],
        "route_tables": {tags_of(table).get("Name", table["RouteTableId"]): table for table in tables},
        "endpoints": ec2.describe_vpc_endpoints(Filters=vpc_filter)["VpcEndpoints"],
        "security_groups": {g["GroupName"]: g for g in groups},
    }
