"""The destroy role's model (module_utils/roles/destroy.py) on the real desired states of every other role."""

from __future__ import annotations

import pytest
from ansible_collections.triflow.platform.plugins.module_utils.roles.destroy import STEPS
from support import roles

PREFIX = "triflow-acme-prod"


def names(state, kind):
    return [item["name"] for item in state["resources"] if item["kind"] == kind]


def test_nothing_is_confirmed_by_default_and_the_switches_keep_everything():
    state = roles.desired_state("destroy")
    assert state["stack"] == PREFIX and state["confirmed"] is False and state["confirm"] == []
    assert state["identity_tags"] == {"Project": "triflow", "Customer": "acme", "Environment": "prod"}
    assert (state["destroy_bucket"], state["destroy_images"], state["lift_deletion_protection"]) == (
        False,
        False,
        False,
    )
    assert state["secrets_recovery_days"] == 7


@pytest.mark.parametrize(
    ("confirm", "confirmed"),
    [(PREFIX, True), (f"triflow-globex-staging, {PREFIX}", True), ("triflow-acme", False), (f"{PREFIX}-x", False)],
)
def test_only_the_exact_prefix_confirms(confirm, confirmed):
    assert roles.desired_state("destroy", confirm=confirm)["confirmed"] is confirmed


def test_every_resource_comes_from_the_roles_desired_states():
    facts = roles.published_facts("destroy")
    state = roles.desired_state("destroy")
    network, ecs = facts["network_desired_state"], facts["ecs_service_desired_state"]
    assert names(state, "subnet") == [subnet["name"] for subnet in network["subnets"]]
    assert names(state, "nat_gateway") == [nat["name"] for nat in network["nat_gateways"]]
    assert names(state, "eip") == [nat["eip_name"] for nat in network["nat_gateways"]]
    assert names(state, "security_group") == names(state, "security_group_rules")
    assert names(state, "ecs_service") == [ecs["service"]["name"]]
    assert names(state, "db_instance") == [facts["rds_desired_state"]["identifier"]]
    storage = facts["storage_desired_state"]
    assert names(state, "s3_bucket") == [storage["bucket"], storage["alb_logs"]["bucket"]]
    # Flow logs and their group and role are looked for whether flow logs are on or not.
    assert names(state, "flow_log") == [network["flow_logs"]["name"]]
    assert network["flow_logs"]["log_group"]["name"] in names(state, "log_group")
    assert network["flow_logs"]["role"]["name"] in names(state, "iam_role")
    secrets = [secret["name"] for secret in facts["secrets_desired_state"]]
    secrets += [url["name"] for url in ecs["url_secrets"].values()]
    secrets.append(facts["rds_desired_state"]["app_database"]["credentials_secret"]["name"])
    assert sorted(names(state, "secret")) == sorted(secrets)
    alarms = facts["alarms_desired_state"]
    assert set(names(state, "alarm")) == {alarm["name"] for alarm in alarms["alarms"]} | set(
        alarms["alb_alarms_waiting"]
    ) | {alarms["billing"]["alarm_name"]}
    # The billing alarm and its topic are looked for in us-east-1, where they live.
    assert [item.get("region") for item in state["resources"] if item["kind"] == "sns_topic"] == [None, "us-east-1"]
    # Names AWS gives: the log groups RDS exports to.
    assert f"/aws/rds/instance/{PREFIX}-db/postgresql" in names(state, "log_group")
    assert all(name.startswith(PREFIX) or PREFIX in name for item in state["resources"] for name in [item["name"]])


def test_resources_are_in_dependency_order():
    kinds = [item["kind"] for item in roles.desired_state("destroy")["resources"]]
    order = [kind for step in STEPS for kind in step]
    assert kinds == sorted(kinds, key=order.index)
    position = {kind: kinds.index(kind) for kind in set(kinds)}
    assert position["ecs_service"] < position["load_balancer"] < position["target_group"] < position["ecs_cluster"]
    assert position["db_instance"] < position["db_subnet_group"] < position["subnet"] < position["vpc"]
    assert position["security_group_rules"] < position["security_group"] < position["vpc"]
    steps = {item["kind"]: item["step"] for item in roles.desired_state("destroy")["resources"]}
    # The long deletions start side by side.
    assert steps["db_instance"] == steps["replication_group"] == steps["nat_gateway"]


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("destroy_secrets_recovery_days", 0, "destroy_secrets_recovery_days 0 is invalid: a whole number from 7 to 30"),
        ("destroy_wait_timeout", 5, "destroy_wait_timeout 5 is invalid"),
        ("destroy_poll_interval", 0, "destroy_poll_interval must be a number of seconds from 0.1 to 300"),
        ("confirm", "Triflow_Acme", "confirm names 'Triflow_Acme', which is not a stack prefix"),
        ("destroy_tags", {"Project": "triflow"}, "destroy_tags lacks Customer, Environment"),
        ("destroy_kinds", ["vpc", "database"], "destroy_kinds must be a non-empty list of resource kinds from alarm, "),
        ("destroy_kinds", [], "destroy_kinds must be a non-empty list of resource kinds from"),
    ],
)
def test_bad_inputs_are_named(variable, value, expected):
    (error,) = roles.errors("destroy", **{variable: value})
    assert error.startswith(expected)


def test_destroy_kinds_narrows_the_teardown_to_those_kinds_and_says_which_are_left_alone():
    everything = roles.desired_state("destroy")
    assert everything["kinds_left_alone"] == []
    narrowed = roles.desired_state("destroy", destroy_kinds=["vpc", "subnet", "secret"])
    assert {item["kind"] for item in narrowed["resources"]} == {"vpc", "subnet", "secret"}
    # The same entries, in the same order, as the full teardown's.
    assert narrowed["resources"] == [
        item for item in everything["resources"] if item["kind"] in ("vpc", "subnet", "secret")
    ]
    assert "db_instance" in narrowed["kinds_left_alone"] and "vpc" not in narrowed["kinds_left_alone"]
    assert len(narrowed["kinds_left_alone"]) == len({kind for step in STEPS for kind in step}) - 3
