"""triflow.platform.ecr_repository_tags run as Ansible runs it, against the project's emulator (moto's ECR).

The emulator counts API calls, so each test also shows which writes the module made (none when nothing differs,
none in check mode).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from ansible_collections.triflow.platform.plugins.modules import ecr_repository_tags
from support.emulator import Emulator

TAGS = {"Project": "triflow", "Customer": "acme", "Environment": "test"}
READ_ONLY = {"ecr.DescribeRepositories", "ecr.GetLifecyclePolicy", "ecr.ListTagsForResource"}


def make_repository(emulator: Emulator, tags: dict[str, str]) -> tuple[str, str]:
    """A new repository with ``tags``, made directly on the emulator: its name and ARN."""
    name = f"triflow-acme-{uuid.uuid4().hex[:8]}-backend"
    request: dict[str, Any] = dict(repositoryName=name)
    if tags:
        request["tags"] = [{"Key": key, "Value": value} for key, value in tags.items()]
    return name, emulator.client("ecr").create_repository(**request)["repository"]["repositoryArn"]


def repository_tags(emulator: Emulator, arn: str) -> dict[str, str]:
    tags = emulator.client("ecr").list_tags_for_resource(resourceArn=arn)["tags"]
    return {tag["Key"]: tag["Value"] for tag in tags}


@pytest.fixture
def run_module(run_main: Callable[..., Any]) -> Callable[..., dict[str, Any]]:
    """Run main() as Ansible does (args in, JSON out, sys.exit) and return the result."""

    def run(args: dict[str, Any], check_mode: bool = False, diff: bool = False) -> dict[str, Any]:
        return run_main(ecr_repository_tags.main, args, check_mode, diff).result

    return run


@pytest.fixture
def tagged(emulator: Emulator) -> tuple[str, str]:
    """A repository carrying TAGS: its name and ARN."""
    return make_repository(emulator, TAGS)


def test_tags_an_untagged_repository(emulator: Emulator, run_module) -> None:
    name, arn = make_repository(emulator, {})
    emulator.clear_calls()

    result = run_module(emulator.module_args(name=name, tags=TAGS))

    assert not result.get("failed"), result
    assert result["changed"]
    assert emulator.call_names() - READ_ONLY == {"ecr.TagResource"}
    assert repository_tags(emulator, arn) == TAGS
    assert result["tags"] == TAGS
    assert result["repository_arn"] == arn


def test_rerun_changes_nothing(emulator: Emulator, tagged: tuple[str, str], run_module) -> None:
    name, arn = tagged
    emulator.clear_calls()

    result = run_module(emulator.module_args(name=name, tags=TAGS), diff=True)

    assert not result.get("failed"), result
    assert not result["changed"]
    assert emulator.call_names() == READ_ONLY
    assert result["tags"] == TAGS
    assert result["repository_arn"] == arn
    assert result["diff"] == {"before": {"tags": TAGS}, "after": {"tags": TAGS}}


@pytest.mark.parametrize(
    ("tags", "purge_tags", "expected", "writes"),
    [
        pytest.param(
            dict(TAGS, Owner="platform"),
            True,
            dict(TAGS, Owner="platform"),
            {"ecr.TagResource"},
            id="tag-added",
        ),
        pytest.param(
            dict(TAGS, Environment="prod"),
            True,
            dict(TAGS, Environment="prod"),
            {"ecr.TagResource"},
            id="value-changed",
        ),
        pytest.param({"Project": "triflow"}, True, {"Project": "triflow"}, {"ecr.UntagResource"}, id="purged"),
        pytest.param({"Project": "triflow"}, False, TAGS, set(), id="no-purge-keeps-others"),
        pytest.param(
            {"Owner": "ops"},
            False,
            dict(TAGS, Owner="ops"),
            {"ecr.TagResource"},
            id="no-purge-adds",
        ),
        pytest.param(
            {"Project": "triflow", "Owner": "ops"},
            True,
            {"Project": "triflow", "Owner": "ops"},
            {"ecr.TagResource", "ecr.UntagResource"},
            id="purge-and-add",
        ),
    ],
)
def test_tags(
    emulator: Emulator,
    tagged: tuple[str, str],
    run_module,
    tags: dict[str, str],
    purge_tags: bool,
    expected: dict[str, str],
    writes: set[str],
) -> None:
    name, arn = tagged
    emulator.clear_calls()

    result = run_module(emulator.module_args(name=name, tags=tags, purge_tags=purge_tags))

    assert not result.get("failed"), result
    assert result["changed"] == bool(writes)
    assert emulator.call_names() - READ_ONLY == writes
    assert repository_tags(emulator, arn) == expected
    assert result["tags"] == expected
    assert not run_module(emulator.module_args(name=name, tags=tags, purge_tags=purge_tags))["changed"]


def test_aws_tags_are_never_purged(emulator: Emulator, run_module) -> None:
    reserved = {"aws:cloudformation:stack-name": "triflow-acme"}
    name, arn = make_repository(emulator, dict(TAGS, **reserved))

    result = run_module(emulator.module_args(name=name, tags={"Project": "triflow"}), diff=True)

    assert result["changed"]
    assert repository_tags(emulator, arn) == dict({"Project": "triflow"}, **reserved)
    assert result["diff"]["after"]["tags"] == dict({"Project": "triflow"}, **reserved)
    assert not run_module(emulator.module_args(name=name, tags={"Project": "triflow"}))["changed"]


def test_non_string_values_compare_as_text(emulator: Emulator, run_module) -> None:
    name, arn = make_repository(emulator, {"Generation": "2"})

    result = run_module(emulator.module_args(name=name, tags={"Generation": 2}))

    assert not result["changed"]
    assert repository_tags(emulator, arn) == {"Generation": "2"}


def test_registry_id(emulator: Emulator, tagged: tuple[str, str], run_module) -> None:
    name, arn = tagged
    account = arn.split(":")[4]

    result = run_module(emulator.module_args(name=name, registry_id=account, tags=TAGS))

    assert not result.get("failed"), result
    assert not result["changed"]
    assert result["repository_arn"] == arn


def test_check_mode_writes_nothing(emulator: Emulator, tagged: tuple[str, str], run_module) -> None:
    name, arn = tagged
    emulator.clear_calls()

    result = run_module(emulator.module_args(name=name, tags={"Project": "triflow", "Owner": "ops"}), check_mode=True)

    assert result["changed"]
    assert emulator.call_names() == READ_ONLY
    assert repository_tags(emulator, arn) == TAGS
    # the tags the run would leave
    assert result["tags"] == {"Project": "triflow", "Owner": "ops"}
    assert result["repository_arn"] == arn


def test_missing_repository_fails(emulator: Emulator, run_module) -> None:
    name = f"triflow-acme-{uuid.uuid4().hex[:8]}-backend"
    emulator.clear_calls()

    result = run_module(emulator.module_args(name=name, tags=TAGS))

    assert result["failed"]
    assert result["msg"] == f"ECR repository {name} does not exist; create it first (community.aws.ecs_ecr)"
    assert emulator.call_names() == {"ecr.DescribeRepositories"}


def test_missing_repository_names_the_registry(emulator: Emulator, run_module) -> None:
    name = f"triflow-acme-{uuid.uuid4().hex[:8]}-backend"

    result = run_module(emulator.module_args(name=name, registry_id="123456789012", tags=TAGS))

    assert result["failed"]
    assert f"ECR repository {name} does not exist in registry 123456789012" in result["msg"]


@pytest.mark.parametrize("tags", [TAGS, {}], ids=["tags", "no-tags"])
def test_missing_repository_is_a_change_in_check_mode(emulator: Emulator, run_module, tags: dict[str, str]) -> None:
    name = f"triflow-acme-{uuid.uuid4().hex[:8]}-backend"
    emulator.clear_calls()

    result = run_module(emulator.module_args(name=name, tags=tags), check_mode=True, diff=True)

    assert not result.get("failed"), result
    assert result["changed"]
    assert emulator.call_names() == {"ecr.DescribeRepositories"}
    assert result["tags"] == tags
    assert result["repository_arn"] == ""
    assert result["diff"] == {"before": {"tags": {}}, "after": {"tags": tags}}


def test_diff_content(emulator: Emulator, tagged: tuple[str, str], run_module) -> None:
    name, arn = tagged

    result = run_module(
        emulator.module_args(name=name, tags={"Project": "triflow", "Environment": "prod", "Owner": "ops"}),
        diff=True,
    )

    assert result["diff"] == {
        "before": {"tags": TAGS},
        "after": {"tags": {"Project": "triflow", "Environment": "prod", "Owner": "ops"}},
    }
    assert repository_tags(emulator, arn) == result["diff"]["after"]["tags"]


def test_no_diff_unless_asked(emulator: Emulator, tagged: tuple[str, str], run_module) -> None:
    name, _arn = tagged

    assert "diff" not in run_module(emulator.module_args(name=name, tags={"Owner": "ops"}))


def test_returns_the_repository_settings_and_lifecycle_policy_for_check_mode_to_compare(
    emulator: Emulator, tagged: tuple[str, str], run_module
) -> None:
    name, _arn = tagged
    assert run_module(emulator.module_args(name=name, tags=TAGS))["lifecycle_policy"] is None
    policy = {
        "rules": [
            {
                "rulePriority": 1,
                "selection": {
                    "tagStatus": "untagged",
                    "countType": "sinceImagePushed",
                    "countUnit": "days",
                    "countNumber": 7,
                },
                "action": {"type": "expire"},
            }
        ]
    }
    emulator.client("ecr").put_lifecycle_policy(repositoryName=name, lifecyclePolicyText=json.dumps(policy))
    emulator.client("ecr").put_image_scanning_configuration(
        repositoryName=name, imageScanningConfiguration={"scanOnPush": True}
    )

    result = run_module(emulator.module_args(name=name, tags=TAGS), check_mode=True)

    assert result["lifecycle_policy"] == policy
    assert result["repository"]["repository_name"] == name
    assert result["repository"]["image_scanning_configuration"] == {"scan_on_push": True}


def test_a_missing_repository_in_check_mode_returns_no_settings(emulator: Emulator, run_module) -> None:
    result = run_module(emulator.module_args(name="triflow-acme-never-made-backend", tags=TAGS), check_mode=True)

    assert result["changed"] and result["repository"] == {} and result["lifecycle_policy"] is None
