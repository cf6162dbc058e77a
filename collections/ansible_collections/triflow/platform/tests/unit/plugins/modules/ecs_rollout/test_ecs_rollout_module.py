"""triflow.platform.ecs_rollout run as Ansible runs it, against the project's emulator with fast deployments."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from ansible_collections.triflow.platform.plugins.modules import ecs_rollout
from support.ecs import Service, make_service, wait_for
from support.emulator import Emulator, running_emulator

DELAY = 0.5


@pytest.fixture(scope="module")
def fast_emulator() -> Iterator[Emulator]:
    with running_emulator("rollout-module", TRIFLOW_EMULATOR_DEPLOY_DELAY=str(DELAY)) as running:
        yield running


@pytest.fixture
def service(fast_emulator: Emulator) -> Service:
    return make_service(fast_emulator)


@pytest.fixture
def rollout(fast_emulator: Emulator, run_main: Callable[..., Any]) -> Callable[..., Any]:
    def run(service: Service, task_definition: str, check_mode: bool = False, diff: bool = False, **options: Any):
        args = fast_emulator.module_args(
            cluster=service.cluster,
            service=service.name,
            task_definition=task_definition,
            poll_interval=0.2,
            health_interval=0.1,
            **options,
        )
        return run_main(ecs_rollout.main, args, check_mode, diff)

    return run


def health_url(emulator: Emulator, service: Service) -> str:
    return f"{emulator.url}/_triflow/app/{service.cluster}/{service.name}/health"


def test_a_good_release_succeeds_and_a_rerun_changes_nothing(
    fast_emulator: Emulator, service: Service, rollout
) -> None:
    old = service.describe()["taskDefinition"]
    new = service.revision("v2.0.0")
    first = rollout(
        service, new, previous_task_definition=old, health_url=health_url(fast_emulator, service), diff=True
    )
    assert not first.failed, first.result
    assert first.changed and first.result["result"] == "succeeded"
    assert first.result["deployment_id"].startswith("ecs-svc/")
    assert first.result["service_deployment_arn"].startswith("arn:aws:ecs:")
    assert first.result["diff"] == {"before": {"task_definition": old}, "after": {"task_definition": new}}
    assert first.result["health_check"].startswith("3 consecutive healthy answers")
    assert any("deployment completed" in event for event in first.result["events"])
    assert first.result["observations"][-1]["health"][0]["body_status"] == "healthy"
    assert service.describe()["taskDefinition"] == new

    again = rollout(service, new, previous_task_definition=old)
    assert not again.failed and not again.changed and again.result["result"] == "succeeded"
    assert again.result["health_check"].startswith("skipped: health_url is empty")


def test_check_mode_updates_nothing(service: Service, rollout) -> None:
    old = service.describe()["taskDefinition"]
    new = service.revision("v2.1.0")
    checked = rollout(service, new, previous_task_definition=old, check_mode=True, diff=True)
    assert checked.changed and checked.result["result"] == "would_update"
    assert checked.result["diff"]["after"] == {"task_definition": new}
    assert service.describe()["taskDefinition"] == old and len(service.describe()["deployments"]) == 1


def test_the_breakers_rollback_fails_the_release(service: Service, rollout) -> None:
    old = service.describe()["taskDefinition"]
    broken = service.revision("broken-2.2.0")
    failed = rollout(service, broken, previous_task_definition=old)
    assert failed.failed and failed.result["result"] == "rolled_back"
    assert failed.result["rolled_back_by"] == "ecs" and failed.result["rolled_back_to"] == old
    assert failed.result["reason"]["kind"] in ("circuit_breaker", "rolled_back_by_ecs", "deployment_replaced")
    assert (
        f"rolled back to {old}" in failed.msg and failed.result["deployment_id"] in failed.result["reason"]["message"]
    )
    assert service.describe()["taskDefinition"] == old


def test_a_degraded_release_is_rolled_back_by_the_module(fast_emulator: Emulator, service: Service, rollout) -> None:
    old = service.describe()["taskDefinition"]
    degraded = service.revision("degraded-2.3.0")
    failed = rollout(service, degraded, previous_task_definition=old, health_url=health_url(fast_emulator, service))
    assert (
        failed.failed and failed.result["result"] == "rolled_back" and failed.result["rolled_back_by"] == "ecs_rollout"
    )
    assert failed.result["reason"]["kind"] == "health_check" and "degraded" in failed.msg
    settled = wait_for(service.settled, what="the rollback")
    assert settled["taskDefinition"] == old


def test_a_slow_release_times_out_and_is_rolled_back(service: Service, rollout) -> None:
    old = service.describe()["taskDefinition"]
    slow = service.revision("slow-2.4.0")
    failed = rollout(service, slow, previous_task_definition=old, timeout=1)
    assert failed.failed and failed.result["result"] == "rolled_back"
    assert failed.result["reason"]["kind"] == "timeout" and "within 1 s" in failed.msg
    assert failed.result["deployment_id"] in failed.msg
    assert service.describe()["taskDefinition"] == old


def test_without_an_earlier_release_it_says_so(service: Service, rollout) -> None:
    broken = service.revision("broken-2.5.0")
    failed = rollout(service, broken, rollback=True)
    assert failed.failed and failed.result["result"] == "failed_without_rollback"
    assert "no earlier release" in failed.msg


def test_bad_timeouts_are_refused(service: Service, rollout) -> None:
    refused = rollout(service, service.describe()["taskDefinition"], timeout=0)
    assert refused.failed and "timeout must be at least 1" in refused.msg


def test_force_new_deployment_rolls_the_running_revision_and_verifies_it(
    fast_emulator: Emulator, service: Service, rollout
) -> None:
    running = service.describe()["taskDefinition"]
    before = service.describe()["deployments"][0]["id"]
    rolled = rollout(service, running, force_new_deployment=True, health_url=health_url(fast_emulator, service))
    assert not rolled.failed, rolled.result
    assert rolled.changed and rolled.result["result"] == "succeeded"
    assert rolled.result["deployment_id"] != before
    deployments = service.describe()["deployments"]
    assert [(item["id"], item["taskDefinition"]) for item in deployments] == [(rolled.result["deployment_id"], running)]


def test_force_new_deployment_in_check_mode_starts_nothing(service: Service, rollout) -> None:
    running = service.describe()
    checked = rollout(service, running["taskDefinition"], force_new_deployment=True, check_mode=True)
    assert checked.changed and checked.result["result"] == "would_update"
    assert service.describe()["deployments"][0]["id"] == running["deployments"][0]["id"]
