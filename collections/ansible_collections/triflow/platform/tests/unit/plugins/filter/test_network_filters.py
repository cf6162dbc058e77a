"""The network filters that resolve desired names to AWS ids (plugins/filter/network.py)."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.triflow.platform.plugins.filter.network import FilterModule

FILTERS = FilterModule().filters()


def test_routes_take_gateway_ids():
    routes = [{"dest": "0.0.0.0/0", "gateway": "triflow-a-b-nat-ap-northeast-2a"}]
    resolved = FILTERS["network_routes"](routes, {"triflow-a-b-nat-ap-northeast-2a": "nat-123"})
    assert resolved == [{"dest": "0.0.0.0/0", "gateway_id": "nat-123"}]


def test_unknown_gateway_fails_clearly():
    with pytest.raises(AnsibleFilterError, match="no id known for gateway"):
        FILTERS["network_routes"]([{"dest": "0.0.0.0/0", "gateway": "igw-name"}], {"igw-name": ""})


def test_security_group_rules_take_group_ids_and_keep_cidr_rules():
    rules = [
        {"proto": "tcp", "from_port": 5432, "to_port": 5432, "group": "app", "rule_desc": "app"},
        {"proto": "tcp", "from_port": 443, "to_port": 443, "cidr_ip": "0.0.0.0/0", "rule_desc": "https"},
    ]
    resolved = FILTERS["network_security_group_rules"](rules, {"app": "sg-1"})
    assert resolved[0]["group_id"] == "sg-1" and "group" not in resolved[0]
    assert resolved[1] == rules[1]
    assert rules[0]["group"] == "app", "the desired state must not be modified"
