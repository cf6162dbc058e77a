"""The network role's model (module_utils/roles/network.py) on its real defaults: checks and desired state."""

from __future__ import annotations

import pytest
from support import roles


def test_the_spec_baseline_is_valid():
    assert roles.errors("network") == []


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"network_vpc_cidr": "10.0.0.0/33"}, "network_vpc_cidr '10.0.0.0/33' is not a valid IPv4 CIDR block"),
        ({"network_vpc_cidr": "10.0.0.1/16"}, "network_vpc_cidr '10.0.0.1/16' is not a valid IPv4 CIDR block"),
        ({"network_vpc_cidr": "10.0.0.0/8"}, "network_vpc_cidr '10.0.0.0/8' has a /8 netmask; AWS allows /16 to /28"),
        (
            {"network_public_subnet_cidrs": ["10.0.1.0/24", "192.168.2.0/24"]},
            "network_public_subnet_cidrs[1] '192.168.2.0/24' is outside network_vpc_cidr '10.0.0.0/16'",
        ),
        (
            {"network_private_subnet_cidrs": ["10.0.11.0/24", "10.0.11.128/25"]},
            "network_private_subnet_cidrs[0] '10.0.11.0/24' overlaps network_private_subnet_cidrs[1] '10.0.11.128/25'",
        ),
        (
            {"network_private_subnet_cidrs": ["10.0.11.0/24"]},
            "network_private_subnet_cidrs has 1 entries but network_availability_zones has 2",
        ),
        (
            {"network_availability_zones": ["ap-northeast-2a"]},
            "network_availability_zones needs at least 2 zones",
        ),
        (
            {"network_availability_zones": ["ap-northeast-2a", "ap-northeast-2a"]},
            "network_availability_zones lists a zone twice",
        ),
        (
            {"network_availability_zones": ["ap-northeast-2a", "eu-west-1b"]},
            "network_availability_zones entry 'eu-west-1b' is not a zone of network_region 'ap-northeast-2'",
        ),
        ({"network_name_prefix": "Triflow-acme-prod"}, "network_name_prefix 'Triflow-acme-prod' is invalid"),
        ({"network_name_prefix": "triflow_acme_prod"}, "network_name_prefix 'triflow_acme_prod' is invalid"),
        ({"network_name_prefix": "triflow-" + "a" * 30}, "at most 28 are allowed"),
        ({"network_nat_mode": "double"}, "value of network_nat_mode must be one of: single, per_az, got: double"),
        ({"network_app_port": "eighty"}, "argument 'network_app_port' is of type str and we were unable to convert"),
        ({"network_alb_ingress_ports": [443, 70000]}, "network_alb_ingress_ports contains 70000"),
        ({"network_alb_ingress_cidrs": ["0.0.0.0/0", "nowhere"]}, "network_alb_ingress_cidrs[1] 'nowhere'"),
    ],
)
def test_each_bad_input_is_named(changes, message):
    errors = roles.errors("network", **changes)
    assert any(message in error for error in errors), errors


def test_desired_state_names_every_resource_after_the_prefix():
    state = roles.desired_state("network")
    names = [state["vpc"]["name"], state["internet_gateway"]["name"], state["s3_endpoint"]["name"]]
    for kind in ("subnets", "nat_gateways", "route_tables", "security_groups"):
        names += [item["name"] for item in state[kind]]
    assert all(name.startswith("triflow-acme-prod-") for name in names)
    assert len(names) == len(set(names))


def test_every_resource_carries_the_stack_tags_and_its_name():
    state = roles.desired_state("network")
    tagged = [state["vpc"], state["internet_gateway"], state["s3_endpoint"]]
    for kind in ("subnets", "nat_gateways", "route_tables", "security_groups"):
        tagged += state[kind]
    for resource in tagged:
        assert resource["tags"] == {**roles.values("network")["network_tags"], "Name": resource["name"]}


@pytest.mark.parametrize(("mode", "count"), [("single", 1), ("per_az", 2)])
def test_nat_mode_sets_nat_count_and_each_private_table_uses_its_zone_nat(mode, count):
    state = roles.desired_state("network", network_nat_mode=mode)
    assert len(state["nat_gateways"]) == count
    nat_az = {nat["name"]: nat["az"] for nat in state["nat_gateways"]}
    for table in (t for t in state["route_tables"] if t["tier"] == "private"):
        gateway = table["routes"][0]["gateway"]
        expected_az = table["name"].rsplit("private-rt-", 1)[1] if mode == "per_az" else "ap-northeast-2a"
        assert nat_az[gateway] == expected_az


def test_security_groups_hold_no_rule_wider_than_the_spec():
    groups = {g["key"]: g for g in roles.desired_state("network")["security_groups"]}
    open_rules = [
        (key, direction, rule["from_port"])
        for key, group in groups.items()
        for direction in ("ingress", "egress")
        for rule in group[direction]
        if rule.get("cidr_ip") == "0.0.0.0/0"
    ]
    assert sorted(open_rules) == [
        ("alb", "ingress", 80),
        ("alb", "ingress", 443),
        ("app", "egress", 80),
        ("app", "egress", 443),
    ]
    assert groups["db"]["egress"] == [] and groups["cache"]["egress"] == []
    assert [(r["from_port"], r["group"]) for r in groups["db"]["ingress"]] == [(5432, "app")]


def test_s3_endpoint_covers_every_route_table():
    state = roles.desired_state("network")
    assert state["s3_endpoint"]["service"] == "com.amazonaws.ap-northeast-2.s3"
    assert state["s3_endpoint"]["route_tables"] == [table["name"] for table in state["route_tables"]]
