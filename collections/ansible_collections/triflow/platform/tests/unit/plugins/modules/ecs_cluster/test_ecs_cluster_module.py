"""triflow.platform.ecs_cluster run as Ansible runs it, against the project's emulator (moto's ECS) on a free port.

What moto cannot show (DeleteCluster refused while services remain: moto 5.2.5 deletes anyway) uses botocore's
Stubber on the module's client.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from ansible_collections.triflow.platform.plugins.modules import ecs_cluster
from support.aws import MODULE_CREDENTIALS, REGION
from support.emulator import Emulator

TAGS = {"Project": "triflow", "Customer": "acme", "Environment": "test"}
READ_ONLY = {"ecs.DescribeClusters"}


def cluster_of(emulator: Emulator, name: str) -> dict[str, Any] | None:
    clusters = emulator.client("ecs").describe_clusters(clusters=[name], include=["TAGS", "SETTINGS"])["clusters"]
    return clusters[0] if clusters else None


def tags_of(emulator: Emulator, name: str) -> dict[str, str]:
    cluster = cluster_of(emulator, name) or {}
    return {tag["key"]: tag["value"] for tag in cluster.get("tags", [])}


def unique() -> str:
    return f"triflow-acme-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def run_module(run_main: Callable[..., Any]) -> Callable[..., dict[str, Any]]:
    """Run main() as Ansible does (args in, JSON out, sys.exit) and return the result."""

    def run(args: dict[str, Any], check_mode: bool = False, diff: bool = False) -> dict[str, Any]:
        return run_main(ecs_cluster.main, args, check_mode, diff).result

    return run


@pytest.fixture
def created(emulator: Emulator, run_module) -> str:
    """A cluster made by the module with Container Insights, both Fargate providers and TAGS."""
    name = unique()
    result = run_module(emulator.module_args(name=name, tags=TAGS))
    assert not result.get("failed"), result
    return name


def insights(cluster: dict[str, Any] | None) -> str:
    (setting,) = [s for s in (cluster or {}).get("settings", []) if s["name"] == "containerInsights"]
    return str(setting["value"])


def test_create_sets_everything_in_one_call(emulator: Emulator, run_module) -> None:
    name = unique()
    strategy = [{"capacity_provider": "FARGATE", "weight": 1, "base": 1}]
    emulator.clear_calls()

    result = run_module(emulator.module_args(name=name, tags=TAGS, default_capacity_provider_strategy=strategy))

    assert not result.get("failed"), result
    assert result["changed"]
    assert emulator.call_names() - READ_ONLY == {"ecs.CreateCluster"}
    cluster = cluster_of(emulator, name)
    assert cluster["status"] == "ACTIVE"
    assert insights(cluster) == "enabled"
    assert cluster["capacityProviders"] == ["FARGATE", "FARGATE_SPOT"]
    assert cluster["defaultCapacityProviderStrategy"] == [{"capacityProvider": "FARGATE", "weight": 1, "base": 1}]
    assert tags_of(emulator, name) == TAGS
    returned = result["cluster"]
    assert returned["cluster_name"] == name
    assert returned["cluster_arn"] == cluster["clusterArn"]
    assert returned["tags"] == TAGS
    assert returned["capacity_providers"] == ["FARGATE", "FARGATE_SPOT"]
    assert returned["default_capacity_provider_strategy"] == [{"capacity_provider": "FARGATE", "weight": 1, "base": 1}]


def test_rerun_changes_nothing(emulator: Emulator, created: str, run_module) -> None:
    emulator.clear_calls()

    result = run_module(emulator.module_args(name=created, tags=TAGS), diff=True)

    assert not result.get("failed"), result
    assert not result["changed"]
    assert emulator.call_names() == READ_ONLY
    assert result["diff"]["before"] == result["diff"]["after"]
    assert result["cluster"]["tags"] == TAGS


def test_provider_order_is_not_a_change(emulator: Emulator, created: str, run_module) -> None:
    result = run_module(emulator.module_args(name=created, tags=TAGS, capacity_providers=["FARGATE_SPOT", "FARGATE"]))

    assert not result["changed"]


def test_insights_disabled_to_enabled(emulator: Emulator, run_module) -> None:
    name = unique()
    emulator.client("ecs").create_cluster(
        clusterName=name, settings=[{"name": "containerInsights", "value": "disabled"}]
    )
    emulator.client("ecs").put_cluster_capacity_providers(
        cluster=name, capacityProviders=["FARGATE", "FARGATE_SPOT"], defaultCapacityProviderStrategy=[]
    )
    emulator.clear_calls()

    result = run_module(emulator.module_args(name=name, container_insights="enabled"), diff=True)

    assert result["changed"]
    assert emulator.call_names() - READ_ONLY == {"ecs.UpdateCluster"}
    assert insights(cluster_of(emulator, name)) == "enabled"
    assert result["diff"]["before"]["container_insights"] == "disabled"
    assert result["diff"]["after"]["container_insights"] == "enabled"
    assert not run_module(emulator.module_args(name=name, container_insights="enabled"))["changed"]


@pytest.mark.parametrize(
    ("tags", "purge_tags", "expected"),
    [
        pytest.param(dict(TAGS, Owner="platform"), True, dict(TAGS, Owner="platform"), id="tag-added"),
        pytest.param({"Project": "triflow"}, True, {"Project": "triflow"}, id="tags-purged"),
        pytest.param({"Project": "triflow", "Owner": "x"}, False, dict(TAGS, Owner="x"), id="no-purge-keeps-others"),
        pytest.param({"Environment": "prod"}, False, dict(TAGS, Environment="prod"), id="value-changed"),
    ],
)
def test_tags(
    emulator: Emulator, created: str, run_module, tags: dict[str, str], purge_tags: bool, expected: dict[str, str]
) -> None:
    result = run_module(emulator.module_args(name=created, tags=tags, purge_tags=purge_tags))

    assert result["changed"]
    assert tags_of(emulator, created) == expected
    assert result["cluster"]["tags"] == expected
    assert not run_module(emulator.module_args(name=created, tags=tags, purge_tags=purge_tags))["changed"]


def test_tags_not_given_are_left_alone(emulator: Emulator, created: str, run_module) -> None:
    result = run_module(emulator.module_args(name=created))

    assert not result["changed"]
    assert tags_of(emulator, created) == TAGS


def test_capacity_providers_and_strategy_changed(emulator: Emulator, created: str, run_module) -> None:
    args = emulator.module_args(
        name=created,
        tags=TAGS,
        capacity_providers=["FARGATE"],
        default_capacity_provider_strategy=[{"capacity_provider": "FARGATE", "weight": 2}],
    )
    emulator.clear_calls()

    result = run_module(args, diff=True)

    assert result["changed"]
    assert emulator.call_names() - READ_ONLY == {"ecs.PutClusterCapacityProviders"}
    cluster = cluster_of(emulator, created)
    assert cluster["capacityProviders"] == ["FARGATE"]
    assert cluster["defaultCapacityProviderStrategy"] == [{"capacityProvider": "FARGATE", "weight": 2, "base": 0}]
    assert result["diff"]["before"]["capacity_providers"] == ["FARGATE", "FARGATE_SPOT"]
    assert result["diff"]["after"]["capacity_providers"] == ["FARGATE"]
    assert result["diff"]["after"]["default_capacity_provider_strategy"] == [
        {"capacity_provider": "FARGATE", "weight": 2, "base": 0}
    ]
    assert not run_module(args)["changed"]


@pytest.mark.parametrize("existing", [False, True], ids=["create", "update"])
def test_check_mode_writes_nothing(emulator: Emulator, run_module, existing: bool) -> None:
    name = unique()
    if existing:
        assert not run_module(emulator.module_args(name=name, tags=TAGS)).get("failed")
    before = cluster_of(emulator, name)
    emulator.clear_calls()

    result = run_module(
        emulator.module_args(name=name, container_insights="disabled", capacity_providers=["FARGATE"], tags={"A": "b"}),
        check_mode=True,
    )

    assert result["changed"]
    assert emulator.call_names() == READ_ONLY
    assert cluster_of(emulator, name) == before
    # the cluster as it was: nothing when it would be created
    assert result["cluster"].get("tags") == (TAGS if existing else None)


def test_diff_content(emulator: Emulator, created: str, run_module) -> None:
    result = run_module(
        emulator.module_args(name=created, container_insights="enhanced", tags={"Project": "triflow", "Owner": "ops"}),
        check_mode=True,
        diff=True,
    )

    assert result["diff"] == {
        "before": {
            "name": created,
            "container_insights": "enabled",
            "capacity_providers": ["FARGATE", "FARGATE_SPOT"],
            "default_capacity_provider_strategy": [],
            "tags": TAGS,
        },
        "after": {
            "name": created,
            "container_insights": "enhanced",
            "capacity_providers": ["FARGATE", "FARGATE_SPOT"],
            "default_capacity_provider_strategy": [],
            "tags": {"Project": "triflow", "Owner": "ops"},
        },
    }


def test_diff_of_a_new_cluster(emulator: Emulator, run_module) -> None:
    name = unique()

    result = run_module(emulator.module_args(name=name), check_mode=True, diff=True)

    assert result["diff"]["before"] == {}
    assert result["diff"]["after"]["name"] == name
    assert result["diff"]["after"]["container_insights"] == "enabled"


def test_absent_deletes(emulator: Emulator, created: str, run_module) -> None:
    preview = run_module(emulator.module_args(name=created, state="absent"), check_mode=True, diff=True)

    assert preview["changed"]
    assert preview["diff"]["after"] == {}
    assert preview["diff"]["before"]["tags"] == TAGS
    assert cluster_of(emulator, created)["status"] == "ACTIVE"

    deleted = run_module(emulator.module_args(name=created, state="absent"))

    assert not deleted.get("failed"), deleted
    assert deleted["changed"]
    assert cluster_of(emulator, created)["status"] == "INACTIVE"
    assert not run_module(emulator.module_args(name=created, state="absent"))["changed"]


def test_absent_missing_is_ok(emulator: Emulator, run_module) -> None:
    result = run_module(emulator.module_args(name=unique(), state="absent"))

    assert not result.get("failed"), result
    assert not result["changed"]


def test_inactive_cluster_is_created_anew(emulator: Emulator, created: str, run_module) -> None:
    emulator.client("ecs").delete_cluster(cluster=created)
    assert cluster_of(emulator, created)["status"] == "INACTIVE"

    result = run_module(emulator.module_args(name=created, tags={"Project": "triflow"}), diff=True)

    assert result["changed"]
    assert result["diff"]["before"] == {}
    assert result["cluster"]["status"] == "ACTIVE"
    assert cluster_of(emulator, created)["status"] == "ACTIVE"
    assert tags_of(emulator, created) == {"Project": "triflow"}


def test_absent_fails_clearly_while_services_remain(stubbed: Callable[[str], Any], run_module) -> None:
    name = "triflow-acme-prod"
    described = {
        "clusterName": name,
        "clusterArn": f"arn:aws:ecs:{REGION}:123456789012:cluster/{name}",
        "status": "ACTIVE",
        "activeServicesCount": 2,
    }
    with stubbed("ecs") as stub:
        stub.add(
            "describe_clusters",
            {"clusters": [described], "failures": []},
            {"clusters": [name], "include": ["TAGS", "SETTINGS"]},
        )
        stub.stubber.add_client_error(
            "delete_cluster",
            service_error_code="ClusterContainsServicesException",
            service_message="The Cluster cannot be deleted while Services are active.",
            expected_params={"cluster": name},
        )

        result = run_module(dict(MODULE_CREDENTIALS, name=name, state="absent"))

    assert result["failed"]
    assert result["msg"].startswith(f"cannot delete ECS cluster {name}: it still has services")
    assert result["error"]["code"] == "ClusterContainsServicesException"
