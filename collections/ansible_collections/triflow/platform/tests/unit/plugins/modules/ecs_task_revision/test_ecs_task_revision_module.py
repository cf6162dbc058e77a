"""triflow.platform.ecs_task_revision run as Ansible runs it, against the project's emulator."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from ansible_collections.triflow.platform.plugins.module_utils.ecs_task_revision import prune_plan, registerable
from ansible_collections.triflow.platform.plugins.modules import ecs_task_revision
from support.aws import unique
from support.emulator import Emulator

TAGS = [{"key": "Project", "value": "triflow"}, {"key": "Customer", "value": "acme"}]


def register(emulator: Emulator, family: str, image: str = "repo/backend:v1") -> str:
    answer = emulator.client("ecs").register_task_definition(
        family=family,
        networkMode="awsvpc",
        requiresCompatibilities=["FARGATE"],
        cpu="1024",
        memory="2048",
        executionRoleArn="arn:aws:iam::123456789012:role/exec",
        taskRoleArn="arn:aws:iam::123456789012:role/task",
        runtimePlatform={"operatingSystemFamily": "LINUX", "cpuArchitecture": "X86_64"},
        containerDefinitions=[
            {
                "name": "backend",
                "image": image,
                "essential": True,
                "environment": [{"name": "ENVIRONMENT", "value": "prod"}],
                "secrets": [{"name": "DATABASE_URL", "valueFrom": "arn:aws:secretsmanager:ap-northeast-2:1:secret:x"}],
                "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "/aws/ecs/x"}},
            },
            {"name": "sidecar", "image": "repo/sidecar:1", "essential": False},
        ],
        tags=TAGS,
    )
    return answer["taskDefinition"]["taskDefinitionArn"]


def described(emulator: Emulator, arn: str) -> dict[str, Any]:
    return emulator.client("ecs").describe_task_definition(taskDefinition=arn, include=["TAGS"])


@pytest.fixture
def revision(emulator: Emulator, run_main: Callable[..., Any]) -> Callable[..., Any]:
    def run(check_mode: bool = False, diff: bool = False, **options: Any):
        return run_main(ecs_task_revision.main, emulator.module_args(**options), check_mode, diff)

    return run


def test_only_the_image_changes(emulator: Emulator, revision) -> None:
    base = register(emulator, unique("family"))
    run = revision(base=base, container_name="backend", image="repo/backend:v2", diff=True)
    assert not run.failed, run.result
    assert run.changed and run.result["registered"] and run.result["image_before"] == "repo/backend:v1"
    assert run.result["diff"] == {"before": {"image": "repo/backend:v1"}, "after": {"image": "repo/backend:v2"}}
    new = described(emulator, run.result["task_definition_arn"])
    old = described(emulator, base)
    assert new["taskDefinition"]["revision"] == old["taskDefinition"]["revision"] + 1
    expected = registerable(old["taskDefinition"])
    expected["containerDefinitions"][0]["image"] = "repo/backend:v2"
    assert registerable(new["taskDefinition"]) == expected
    assert new["tags"] == TAGS


def test_the_running_image_registers_nothing_and_a_tried_release_is_reused(emulator: Emulator, revision) -> None:
    base = register(emulator, unique("family"))
    same = revision(base=base, container_name="backend", image="repo/backend:v1")
    assert not same.changed and same.result["task_definition_arn"] == base
    first = revision(base=base, container_name="backend", image="repo/backend:v3")
    again = revision(base=base, container_name="backend", image="repo/backend:v3")
    assert first.changed and not again.changed
    assert again.result["task_definition_arn"] == first.result["task_definition_arn"]


def test_check_mode_registers_nothing(emulator: Emulator, revision) -> None:
    family = unique("family")
    base = register(emulator, family)
    checked = revision(base=base, container_name="backend", image="repo/backend:v9", check_mode=True)
    assert checked.changed and checked.result["registered"]
    arns = emulator.client("ecs").list_task_definitions(familyPrefix=family)["taskDefinitionArns"]
    assert arns == [base]


def test_an_unknown_container_is_named(emulator: Emulator, revision) -> None:
    base = register(emulator, unique("family"))
    failed = revision(base=base, container_name="web", image="repo/web:v2")
    assert failed.failed and "no container named web" in failed.msg and "backend, sidecar" in failed.msg


def test_pruning_keeps_the_newest_and_the_protected(emulator: Emulator, revision) -> None:
    family = unique("family")
    arns = [register(emulator, family, f"repo/backend:v{n}") for n in range(1, 7)]
    checked = revision(base=arns[-1], keep_revisions=3, keep=[arns[0]], check_mode=True)
    assert checked.changed and checked.result["deregistered"] == arns[1:3]
    pruned = revision(base=arns[-1], keep_revisions=3, keep=[arns[0]])
    assert pruned.result["deregistered"] == arns[1:3]
    active = emulator.client("ecs").list_task_definitions(familyPrefix=family, status="ACTIVE")["taskDefinitionArns"]
    assert sorted(active) == sorted([arns[0], *arns[3:]])
    assert not revision(base=arns[-1], keep_revisions=3, keep=[arns[0]]).changed


def test_prune_plan_orders_by_revision_number() -> None:
    arns = [f"arn:aws:ecs:r:1:task-definition/f:{n}" for n in (10, 9, 2, 11, 1)]
    assert prune_plan(arns, 2, ["arn:aws:ecs:r:1:task-definition/f:1"]) == [
        "arn:aws:ecs:r:1:task-definition/f:2",
        "arn:aws:ecs:r:1:task-definition/f:9",
    ]
