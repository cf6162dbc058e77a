"""A converge of customer_a killed (SIGKILL, with every process under it: a lost CI runner) at five points of a first
run, each time run again from where the last one left the stack: then it completes, the run after it changes
nothing, and the stack holds one of each resource and no Elastic IP that no gateway holds.

The emulator keeps new DB instances and replication groups "creating" for CREATION_DELAY seconds, so the third kill
lands while the run waits for them.
"""

from __future__ import annotations

import re
import signal
from collections.abc import Iterator
from typing import Any

import pytest
from support.playbook import PlaybookRun, assert_ok, kill_at, run_playbook
from support.stack_resources import EXPECTED_COUNTS, resources_of, unattached_elastic_ips

ACME = "triflow-acme-prod"
CUSTOMER_A = "inventories/customer_a"
CREATION_DELAY = 20
# (where in the run, the call that sets the kill off, or what the run printed, the seconds after it; the output's
# proof that the run was killed there: a task header it printed, and the header of the task after that part of the
# run, which it did not print after it. The checks before any AWS call print every role's desired-state tasks first.)
KILLS = (
    ("network", "ec2.AllocateAddress", None, 0.0, r"TASK \[network : Allocate the Elastic IP", "TASK [secrets : "),
    ("data tier", "rds.CreateDBInstance", None, 0.0, r"TASK \[rds : Ensure the PostgreSQL", "TASK [rds : Wait for"),
    ("waits", None, r"^TASK \[rds : Wait for", 2.0, r"TASK \[rds : Wait for", "TASK [ecr : "),
    (
        "app tier",
        "elasticloadbalancing.CreateLoadBalancer",
        None,
        0.0,
        r"TASK \[ecs_service : Ensure the internet-facing load balancer",
        "TASK [alarms : ",
    ),
    ("alarms", "monitoring.PutMetricAlarm", None, 0.0, r"TASK \[alarms : Ensure the metric alarms", "PLAY RECAP"),
)

TASK = re.compile(r"^TASK \[(?P<task>[^\]]+)\]", re.M)


def last_task(run: PlaybookRun) -> str:
    tasks = TASK.findall(run.output)
    return tasks[-1] if tasks else ""


@pytest.fixture(scope="module")
def interrupted(emulator_factory: Any) -> Iterator[dict[str, Any]]:
    """customer_a's first converge killed at each of KILLS in turn, then run to the end, then run once more."""
    with emulator_factory("interrupted", TRIFLOW_EMULATOR_CREATION_DELAY=str(CREATION_DELAY)) as emulator:
        killed = [
            (where, kill_at(emulator, call, "site.yml", CUSTOMER_A, printed=printed, delay=delay), began, ended)
            for where, call, printed, delay, began, ended in KILLS
        ]
        completed = assert_ok(run_playbook(emulator, "site.yml", CUSTOMER_A))
        again = assert_ok(run_playbook(emulator, "site.yml", CUSTOMER_A))
        yield {
            "emulator": emulator,
            "killed": killed,
            "completed": completed,
            "again": again,
            "resources": resources_of(emulator, ACME),
            "unattached": unattached_elastic_ips(emulator),
        }


def test_each_run_was_killed_where_it_was_meant_to_be(interrupted: dict[str, Any]) -> None:
    for where, run, began, ended in interrupted["killed"]:
        assert run.rc == -signal.SIGKILL, f"{where}: the run ended (rc {run.rc}) before it was killed\n{run.tail()}"
        assert run.recap == {}, where
        starts = [match.start() for match in re.finditer(began, run.output)]
        assert starts, f"{where}: killed before it began, in {last_task(run)!r}"
        assert ended not in run.output[starts[-1] :], f"{where}: killed after it ended, in {last_task(run)!r}"


def test_the_run_after_the_kills_completes_and_the_next_changes_nothing(interrupted: dict[str, Any]) -> None:
    assert interrupted["completed"].recap[ACME]["failed"] == 0
    assert interrupted["again"].changed(ACME) == 0, interrupted["again"].tail()


def test_the_stack_holds_one_of_each_resource(interrupted: dict[str, Any]) -> None:
    counted = {kind: len(ids) for kind, ids in interrupted["resources"].items()}
    assert counted == EXPECTED_COUNTS[ACME]


def test_no_elastic_ip_is_left_unattached(interrupted: dict[str, Any]) -> None:
    assert interrupted["unattached"] == []


def test_the_database_is_reachable_with_pgvector(interrupted: dict[str, Any]) -> None:
    """The kill in the waits came before pgvector was installed: the completing run installed it."""
    output = interrupted["completed"].output
    assert re.search(r"PostgreSQL: 127\.0\.0\.1:\d+ \(pgvector \d+\.\d+\.\d+\)", output), output[-3000:]
