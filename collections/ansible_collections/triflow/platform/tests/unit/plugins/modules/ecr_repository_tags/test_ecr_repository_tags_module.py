"""triflow.platform.ecr_repository_tags run as Ansible runs it, against the project's emulator (moto's ECR).

The emulator counts API calls, so each test also shows which writes the module made (none when nothing differs,
none in check mode).
"""

from __future__ import annotations

import json
import urllib.request
import uuid
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from ansible_collections.triflow.platform.plugins.module_utils.ecr_tags import plan_tags, tags_after
from ansible_collections.triflow.platform.plugins.modules import ecr_repository_tags
from botocore.config import Config

REGION = "ap-northeast-2"
CREDENTIALS = {"access_key": "testing", "secret_key": "testing", "region": REGION}
TAGS = {"Project": "triflow", "Customer": "acme", "Environment": "test"}
READ_ONLY = {"ecr.DescribeRepositories", "ecr.ListTagsForResource"}


class Emulator:
    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint
        self.ecr = boto3.client(
            "ecr",
            endpoint_url=endpoint,
            region_name=REGION,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            config=Config(retries={"max_attempts": 1}),
        )

    def args(self, **options: Any) -> dict[str, Any]:
        return dict(CREDENTIALS, endpoint_url=self.endpoint, **options)

    def repository(self, tags: dict[str, str]) -> tuple[str, str]:
        """A new repository with ``tags``, made directly on the emulator: its name and ARN."""
        name = f"triflow-acme-{uuid.uuid4().hex[:8]}-backend"
        request: dict[str, Any] = dict(repositoryName=name)
        if tags:
            request["tags"] = [{"Key": key, "Value": value} for key, value in tags.items()]
        return name, self.ecr.create_repository(**request)["repository"]["repositoryArn"]

    def tags(self, arn: str) -> dict[str, str]:
        return {tag["Key"]: tag["Value"] for tag in self.ecr.list_tags_for_resource(resourceArn=arn)["tags"]}

    def reset_calls(self) -> None:
        urllib.request.urlopen(urllib.request.Request(f"{self.endpoint}/_triflow/calls", method="DELETE"), timeout=5)

    def calls(self) -> set[str]:
        with urllib.request.urlopen(f"{self.endpoint}/_triflow/calls", timeout=5) as answer:
            return set(json.load(answer)["calls"])


@pytest.fixture(scope="module")
def emulator(emulator_endpoint: str) -> Emulator:
    return Emulator(emulator_endpoint)


@pytest.fixture
def run_module(run_main: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    """Run main() as Ansible does (args in, JSON out, sys.exit) and return the result."""

    def run(args: dict[str, Any], check_mode: bool = False, diff: bool = False) -> dict[str, Any]:
        return run_main(ecr_repository_tags.main, args, check_mode, diff)

    return run


@pytest.fixture
def tagged(emulator: Emulator) -> tuple[str, str]:
    """A repository carrying TAGS: its name and ARN."""
    return emulator.repository(TAGS)


def test_tags_an_untagged_repository(emulator: Emulator, run_module) -> None:
    name, arn = emulator.repository({})
    emulator.reset_calls()

    result = run_module(emulator.args(name=name, tags=TAGS))

    assert not result.get("failed"), result
    assert result["changed"]
    assert emulator.calls() - READ_ONLY == {"ecr.TagResource"}
    assert emulator.tags(arn) == TAGS
    assert result["tags"] == TAGS
    assert result["repository_arn"] == arn


def test_rerun_changes_nothing(emulator: Emulator, tagged: tuple[str, str], run_module) -> None:
    name, arn = tagged
    emulator.reset_calls()

    result = run_module(emulator.args(name=name, tags=TAGS), diff=True)

    assert not result.get("failed"), result
    assert not result["changed"]
    assert emulator.calls() == READ_ONLY
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
    emulator.reset_calls()

    result = run_module(emulator.args(name=name, tags=tags, purge_tags=purge_tags))

    assert not result.get("failed"), result
    assert result["changed"] == bool(writes)
    assert emulator.calls() - READ_ONLY == writes
    assert emulator.tags(arn) == expected
    assert result["tags"] == expected
    assert not run_module(emulator.args(name=name, tags=tags, purge_tags=purge_tags))["changed"]


def test_aws_tags_are_never_purged(emulator: Emulator, run_module) -> None:
    reserved = {"aws:cloudformation:stack-name": "triflow-acme"}
    name, arn = emulator.repository(dict(TAGS, **reserved))

    result = run_module(emulator.args(name=name, tags={"Project": "triflow"}), diff=True)

    assert result["changed"]
    assert emulator.tags(arn) == dict({"Project": "triflow"}, **reserved)
    assert result["diff"]["after"]["tags"] == dict({"Project": "triflow"}, **reserved)
    assert not run_module(emulator.args(name=name, tags={"Project": "triflow"}))["changed"]


def test_non_string_values_compare_as_text(emulator: Emulator, run_module) -> None:
    name, arn = emulator.repository({"Generation": "2"})

    result = run_module(emulator.args(name=name, tags={"Generation": 2}))

    assert not result["changed"]
    assert emulator.tags(arn) == {"Generation": "2"}


def test_registry_id(emulator: Emulator, tagged: tuple[str, str], run_module) -> None:
    name, arn = tagged
    account = arn.split(":")[4]

    result = run_module(emulator.args(name=name, registry_id=account, tags=TAGS))

    assert not result.get("failed"), result
    assert not result["changed"]
    assert result["repository_arn"] == arn


def test_check_mode_writes_nothing(emulator: Emulator, tagged: tuple[str, str], run_module) -> None:
    name, arn = tagged
    emulator.reset_calls()

    result = run_module(emulator.args(name=name, tags={"Project": "triflow", "Owner": "ops"}), check_mode=True)

    assert result["changed"]
    assert emulator.calls() == READ_ONLY
    assert emulator.tags(arn) == TAGS
    # the tags the run would leave
    assert result["tags"] == {"Project": "triflow", "Owner": "ops"}
    assert result["repository_arn"] == arn


def test_missing_repository_fails(emulator: Emulator, run_module) -> None:
    name = f"triflow-acme-{uuid.uuid4().hex[:8]}-backend"
    emulator.reset_calls()

    result = run_module(emulator.args(name=name, tags=TAGS))

    assert result["failed"]
    assert result["msg"] == f"ECR repository {name} does not exist; create it first (community.aws.ecs_ecr)"
    assert emulator.calls() == {"ecr.DescribeRepositories"}


def test_missing_repository_names_the_registry(emulator: Emulator, run_module) -> None:
    name = f"triflow-acme-{uuid.uuid4().hex[:8]}-backend"

    result = run_module(emulator.args(name=name, registry_id="123456789012", tags=TAGS))

    assert result["failed"]
    assert f"ECR repository {name} does not exist in registry 123456789012" in result["msg"]


@pytest.mark.parametrize("tags", [TAGS, {}], ids=["tags", "no-tags"])
def test_missing_repository_is_a_change_in_check_mode(emulator: Emulator, run_module, tags: dict[str, str]) -> None:
    name = f"triflow-acme-{uuid.uuid4().hex[:8]}-backend"
    emulator.reset_calls()

    result = run_module(emulator.args(name=name, tags=tags), check_mode=True, diff=True)

    assert not result.get("failed"), result
    assert result["changed"]
    assert emulator.calls() == {"ecr.DescribeRepositories"}
    assert result["tags"] == tags
    assert result["repository_arn"] == ""
    assert result["diff"] == {"before": {"tags": {}}, "after": {"tags": tags}}


def test_diff_content(emulator: Emulator, tagged: tuple[str, str], run_module) -> None:
    name, arn = tagged

    result = run_module(
        emulator.args(name=name, tags={"Project": "triflow", "Environment": "prod", "Owner": "ops"}),
        diff=True,
    )

    assert result["diff"] == {
        "before": {"tags": TAGS},
        "after": {"tags": {"Project": "triflow", "Environment": "prod", "Owner": "ops"}},
    }
    assert emulator.tags(arn) == result["diff"]["after"]["tags"]


def test_no_diff_unless_asked(emulator: Emulator, tagged: tuple[str, str], run_module) -> None:
    name, _arn = tagged

    assert "diff" not in run_module(emulator.args(name=name, tags={"Owner": "ops"}))


@pytest.mark.parametrize(
    ("current", "wanted", "purge_tags", "to_set", "to_remove"),
    [
        pytest.param({"A": "1"}, {"A": "1"}, True, {}, [], id="same"),
        pytest.param({"A": "1"}, {"A": 1}, True, {}, [], id="int-as-text"),
        pytest.param({"A": "1"}, {"A": True}, True, {"A": "True"}, [], id="bool-as-text"),
        pytest.param({"B": "1", "A": "1"}, {}, True, {}, ["A", "B"], id="purge-sorted"),
        pytest.param({"aws:x": "1", "A": "1"}, {}, True, {}, ["A"], id="aws-kept"),
        pytest.param({"A": "1"}, {"B": "2"}, False, {"B": "2"}, [], id="no-purge"),
    ],
)
def test_plan_tags(
    current: dict[str, str], wanted: dict[str, Any], purge_tags: bool, to_set: dict[str, str], to_remove: list[str]
) -> None:
    assert plan_tags(current, wanted, purge_tags) == (to_set, to_remove)


def test_tags_after() -> None:
    assert tags_after({"A": "1", "B": "2", "aws:x": "y"}, {"A": "3", "C": "4"}, ["B"]) == {
        "A": "3",
        "C": "4",
        "aws:x": "y",
    }
