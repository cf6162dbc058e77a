"""The folder's first converge runs under injected faults (conftest.FAULTS: 10 % throttling, 2 % server errors, and
a server error after the first call of each write action): every call AWS refused was retried until it went
through, and the stacks hold one of each resource, no more."""

from __future__ import annotations

import re
from typing import Any

from support.stack_resources import EXPECTED_COUNTS

from .conftest import AFTER_WRITE

WRITE = re.compile(r"\.(Create|Put|Modify|Update|Delete|Register|Attach|Authorize|Revoke|Tag|Allocate|Associate|Set)")
# What a first converge deletes: the leftovers of creates retried under the faults (a second VPC, gateway, endpoint)
CLEANUP = re.compile(r"\.(Delete|Release|Deregister)")


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
    for prefix, expected in EXPECTED_COUNTS.items():
        counted = {kind: len(ids) for kind, ids in customers["built"][prefix].items()}
        assert counted == expected, prefix


def test_no_elastic_ip_was_left_unattached(customers: dict[str, Any]) -> None:
    assert customers["unattached_eips"] == []
