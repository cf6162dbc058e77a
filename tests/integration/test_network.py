"""The network role against the emulator: converge, idempotence, check mode, and every SPEC.md network property."""

from __future__ import annotations

import pytest

from .network_state import network_of, rule_set, tags_of

# The network alone (site.yml's network tag): the data tier has its own tests (test_data_tier.py).
NETWORK_ONLY = ("--tags", "network")
LOCAL = "inventories/local"
PREFIX = "triflow-demo-dev"
ZONES = ["ap-northeast-2a", "ap-northeast-2c"]
BASE_TAGS = {"Project": "triflow", "Customer": "demo", "Environment": "dev", "ManagedBy": "ansible"}


@pytest.fixture(scope="module")
def local_stack(emulator, playbook):
    """inventories/local converged once in a fresh emulator; yields the three runs (converge, re-run, check)."""
    emulator.reset()
    first = playbook("site.yml", LOCAL, extra_args=NETWORK_ONLY)
    assert first.rc == 0, first.output[-6000:]
    second = playbook("site.yml", LOCAL, extra_args=NETWORK_ONLY)
    assert second.rc == 0, second.output[-6000:]
    check = playbook("site.yml", LOCAL, check=True, extra_args=NETWORK_ONLY)
    assert check.rc == 0, check.output[-6000:]
    return {"first": first, "second": second, "check": check}


@pytest.fixture
def network(emulator, local_stack):
    return network_of(emulator.client("ec2"), PREFIX)


def test_converge_then_rerun_and_check_change_nothing(local_stack):
    assert local_stack["first"].changed(PREFIX) > 0
    assert local_stack["second"].changed(PREFIX) == 0, local_stack["second"].output[-4000:]
    assert local_stack["check"].changed(PREFIX) == 0, local_stack["check"].output[-4000:]


def test_vpc_cidr_dns_and_tags(network):
    assert network["vpc"]["CidrBlock"] == "10.0.0.0/16"
    assert network["dns_support"] is True
    assert network["dns_hostnames"] is True
    assert tags_of(network["vpc"]) == {**BASE_TAGS, "Name": f"{PREFIX}-vpc"}


@pytest.mark.parametrize(
    ("tier", "zone", "cidr"),
    [
        ("public", ZONES[0], "10.0.1.0/24"),
        ("public", ZONES[1], "10.0.2.0/24"),
        ("private", ZONES[0], "10.0.11.0/24"),
        ("private", ZONES[1], "10.0.12.0/24"),
    ],
)
def test_subnet_cidr_zone_and_tags(network, tier, zone, cidr):
    name = f"{PREFIX}-{tier}-{zone}"
    subnet = network["subnets"][name]
    assert subnet["CidrBlock"] == cidr
    assert subnet["AvailabilityZone"] == zone
    assert subnet["MapPublicIpOnLaunch"] is False
    assert tags_of(subnet) == {**BASE_TAGS, "Name": name}


def test_exactly_four_subnets(network):
    assert sorted(network["subnets"]) == sorted(f"{PREFIX}-{t}-{z}" for t in ("public", "private") for z in ZONES)


def test_internet_gateway_attached_and_tagged(network):
    assert len(network["internet_gateways"]) == 1
    igw = network["internet_gateways"][0]
    assert [a["State"] for a in igw["Attachments"]] == ["available"]
    assert tags_of(igw) == {**BASE_TAGS, "Name": f"{PREFIX}-igw"}


def test_single_nat_gateway_in_first_public_subnet_with_tagged_eip(network):
    assert len(network["nat_gateways"]) == 1
    nat = network["nat_gateways"][0]
    assert nat["SubnetId"] == network["subnets"][f"{PREFIX}-public-{ZONES[0]}"]["SubnetId"]
    assert tags_of(nat) == {**BASE_TAGS, "Name": f"{PREFIX}-nat-{ZONES[0]}"}
    assert len(network["eips"]) == 1
    eip = network["eips"][0]
    assert eip["AllocationId"] == nat["NatGatewayAddresses"][0]["AllocationId"]
    assert eip["Domain"] == "vpc"
    assert tags_of(eip) == {**BASE_TAGS, "Name": f"{PREFIX}-nat-eip-{ZONES[0]}"}


def _default_route(table):
    routes = [r for r in table["Routes"] if r.get("DestinationCidrBlock") == "0.0.0.0/0"]
    assert len(routes) == 1, table["Routes"]
    return routes[0]


def _associated_subnets(table):
    return sorted(a["SubnetId"] for a in table["Associations"] if a.get("SubnetId"))


def test_public_route_table_routes_to_igw_for_both_public_subnets(network):
    table = network["route_tables"][f"{PREFIX}-public-rt"]
    assert _default_route(table)["GatewayId"] == network["internet_gateways"][0]["InternetGatewayId"]
    assert _associated_subnets(table) == sorted(
        network["subnets"][f"{PREFIX}-public-{zone}"]["SubnetId"] for zone in ZONES
    )
    assert tags_of(table) == {**BASE_TAGS, "Name": f"{PREFIX}-public-rt"}


@pytest.mark.parametrize("zone", ZONES)
def test_private_route_table_routes_to_nat(network, zone):
    table = network["route_tables"][f"{PREFIX}-private-rt-{zone}"]
    assert _default_route(table)["NatGatewayId"] == network["nat_gateways"][0]["NatGatewayId"]
    assert _associated_subnets(table) == [network["subnets"][f"{PREFIX}-private-{zone}"]["SubnetId"]]
    assert tags_of(table) == {**BASE_TAGS, "Name": f"{PREFIX}-private-rt-{zone}"}


def test_no_other_route_tables_than_main_and_the_stacks(network):
    named = {name for name in network["route_tables"] if name.startswith(PREFIX)}
    assert named == {f"{PREFIX}-public-rt", *(f"{PREFIX}-private-rt-{zone}" for zone in ZONES)}
    others = [t for name, t in network["route_tables"].items() if name not in named]
    assert all(any(a.get("Main") for a in t["Associations"]) for t in others), others


def test_s3_gateway_endpoint_on_every_route_table(network):
    assert len(network["endpoints"]) == 1
    endpoint = network["endpoints"][0]
    assert endpoint["ServiceName"] == "com.amazonaws.ap-northeast-2.s3"
    assert endpoint["VpcEndpointType"] == "Gateway"
    stack_tables = {t["RouteTableId"] for name, t in network["route_tables"].items() if name.startswith(PREFIX)}
    assert set(endpoint["RouteTableIds"]) == stack_tables
    assert tags_of(endpoint) == {**BASE_TAGS, "Name": f"{PREFIX}-s3"}


EXPECTED_RULES = {
    "alb": {
        "ingress": {("tcp", 443, 443, "0.0.0.0/0"), ("tcp", 80, 80, "0.0.0.0/0")},
        "egress": {("tcp", 8000, 8000, "app")},
    },
    "app": {
        "ingress": {("tcp", 8000, 8000, "alb")},
        "egress": {
            ("tcp", 443, 443, "0.0.0.0/0"),
            ("tcp", 80, 80, "0.0.0.0/0"),
            ("tcp", 5432, 5432, "db"),
            ("tcp", 6379, 6379, "cache"),
        },
    },
    "db": {"ingress": {("tcp", 5432, 5432, "app")}, "egress": set()},
    "cache": {"ingress": {("tcp", 6379, 6379, "app")}, "egress": set()},
}


def _short_names(network):
    return {g["GroupId"]: name.removeprefix(f"{PREFIX}-") for name, g in network["security_groups"].items()}


@pytest.mark.parametrize("key", sorted(EXPECTED_RULES))
def test_security_group_has_exactly_the_spec_rules(network, key):
    group = network["security_groups"][f"{PREFIX}-{key}"]
    names = _short_names(network)
    assert rule_set(group["IpPermissions"], names) == EXPECTED_RULES[key]["ingress"]
    assert rule_set(group["IpPermissionsEgress"], names) == EXPECTED_RULES[key]["egress"]
    assert tags_of(group) == {**BASE_TAGS, "Name": f"{PREFIX}-{key}"}


def test_only_the_four_stack_security_groups(network):
    assert sorted(network["security_groups"]) == sorted(f"{PREFIX}-{key}" for key in EXPECTED_RULES)


def test_out_of_band_rule_on_db_group_is_removed_by_next_run(emulator, playbook, network):
    ec2 = emulator.client("ec2")
    db = network["security_groups"][f"{PREFIX}-db"]
    ec2.authorize_security_group_ingress(
        GroupId=db["GroupId"],
        IpPermissions=[{"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
    )
    opened = ec2.describe_security_groups(GroupIds=[db["GroupId"]])["SecurityGroups"][0]
    assert ("tcp", 5432, 5432, "0.0.0.0/0") in rule_set(opened["IpPermissions"], {})

    run = playbook("site.yml", LOCAL, extra_args=NETWORK_ONLY)
    assert run.rc == 0, run.output[-6000:]
    assert run.changed(PREFIX) == 1, run.output[-4000:]
    after = ec2.describe_security_groups(GroupIds=[db["GroupId"]])["SecurityGroups"][0]
    assert rule_set(after["IpPermissions"], _short_names(network)) == EXPECTED_RULES["db"]["ingress"]
