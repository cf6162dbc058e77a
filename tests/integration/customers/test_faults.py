"""The folder's first converge runs under injected faults (conftest.FAULTS: 10 % throttling, 2 % server errors, and
a server error after the first call of each write action): every call AWS refused was retried until it went
through, and the stacks hold one of each resource, no more."""

from __future__ import annotations

import re
from typing import Any

from .conftest import ACME, AFTER_WRITE, GLOBEX

WRITE = re.compile(r"\.(Create|Put|Modify|Update|Delete|Register|Attach|Authorize|Revoke|Tag|Allocate|Associate|Set)")
# What a first converge deletes: the leftovers of creates retried under the faults (a second VPC, gateway, endpoint)
CLEANUP = re.compile(r"\.(Delete|Release|Deregister)")

# One of each, except what the stacks have several of by design: two zones with a public and a private subnet each
# and a route table per private subnet beside the public one; the load balancer's, app's, database's and cache's
# security groups; 7 secrets, 15 alarms; the app's log group and Redis' two; the two ECS roles and the RDS
# monitoring role. ACME adds a NAT gateway (and its Elastic IP) per zone, VPC flow logs (their log group and role);
# Globex has a single NAT gateway.
ONE_EACH = {
    "vpcs": 1,
    "subnets": 4,
    "security_groups": 4,
    "internet_gateways": 1,
    "vpc_endpoints": 1,
    "ecs_clusters": 1,
    "ecs_services": 1,
    "task_definitions": 1,
    "scalable_targets": 1,
    "load_balancers": 1,
    "target_groups": 1,
    "ecr_repositories": 1,
    "db_instances": 1,
    "db_subnet_groups": 1,
    "db_parameter_groups": 1,
    "replication_groups": 1,
    "cache_subnet_groups": 1,
    "cache_parameter_groups": 1,
    "route_tables": 3,
    "secrets": 7,
    "log_groups": 3,
    "alarms": 15,
    "dashboards": 1,
    "topics": 1,
    "iam_roles": 3,
    "buckets": 1,
}
EXPECTED = {
    ACME: {**ONE_EACH, "nat_gateways": 2, "elastic_ips": 2, "log_groups": 4, "iam_roles": 4},
    GLOBEX: {**ONE_EACH, "nat_gateways": 1, "elastic_ips": 1},
}


def test_faults_were_injected_into_reads_and_writes_of_every_kind(customers: dict[str, Any]) -> None:
    calls = customers["first_calls"]
    faulted = calls["faults"]["calls"]
    kinds = {kind for counted in faulted.values() for kind in counted}
    assert kinds == {"throttle", "error_before", "error_after"}, faulted
    assert calls["faults"]["total"] >= 0.05 * calls["total"], (calls["faults"]["total"], calls["total"])
    writes = sorted(name for name in faulted if WRITE.search(name))
    assert len(writes) >= 5, faulted
    services = {name.split(".", 1)[0] for name in faulted}
    assert {"ec2", "iam", "monitoring", "secretsmanager"} <= services, services


def test_every_write_action_was_answered_with_an_error_after_it_went_through(customers: dict[str, Any]) -> None:
    """A write action the stacks make that is not in conftest.AFTER_WRITE (a new one) fails here: add it there."""
    faulted = customers["first_calls"]["faults"]["calls"]
    writes = {entry["call"] for entry in customers["first_calls"]["log"]}
    writes = {call for call in writes if (WRITE.search(call) or call == "s3.PUT") and not CLEANUP.search(call)}
    assert sorted(writes - set(AFTER_WRITE)) == []
    assert sorted(call for call in AFTER_WRITE if faulted.get(call, {}).get("error_after") != 1) == []


def test_every_faulted_call_was_retried_until_it_went_through(customers: dict[str, Any]) -> None:
    log = customers["first_calls"]["log"]
    assert len(log) == customers["first_calls"]["total"]
    unanswered = []
    for index, entry in enumerate(log):
        if "fault" in entry and not any(
            later["call"] == entry["call"] and "fault" not in later for later in log[index + 1 :]
        ):
            unanswered.append(entry)
    assert unanswered == []


def test_the_converge_under_faults_left_one_of_each_resource(customers: dict[str, Any]) -> None:
    for prefix, expected in EXPECTED.items():
        counted = {kind: len(ids) for kind, ids in customers["built"][prefix].items()}
        assert counted == expected, prefix


def test_no_elastic_ip_was_left_unattached(customers: dict[str, Any]) -> None:
    assert customers["unattached_eips"] == []
