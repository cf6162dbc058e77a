"""The comparison in module_utils/ecs_cluster.py: what counts as a change, on plain values."""

from __future__ import annotations

from typing import Any

import pytest
from ansible_collections.triflow.platform.plugins.module_utils.ecs_cluster import (
    cluster_state,
    has_changes,
    insights_value,
    plan_changes,
    wanted_state,
)

DESCRIBED = {
    "clusterName": "c",
    "clusterArn": "arn:aws:ecs:ap-northeast-2:123456789012:cluster/c",
    "status": "ACTIVE",
    "settings": [{"name": "containerInsights", "value": "enabled"}],
    "capacityProviders": ["FARGATE", "FARGATE_SPOT"],
    "defaultCapacityProviderStrategy": [{"capacityProvider": "FARGATE", "weight": 1}],
    "tags": [{"key": "Project", "value": "triflow"}, {"key": "aws:cloudformation:stack-name", "value": "s"}],
}


def wanted(**overrides: Any) -> dict[str, Any]:
    options: dict[str, Any] = dict(
        name="c",
        container_insights="enabled",
        capacity_providers=["FARGATE", "FARGATE_SPOT"],
        strategy=[{"capacity_provider": "FARGATE", "weight": 1, "base": 0}],
        tags={"Project": "triflow"},
        purge_tags=True,
    )
    options.update(overrides)
    return wanted_state(cluster_state(DESCRIBED), **options)


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        (None, "disabled"),
        ([], "disabled"),
        ([{"name": "containerInsights", "value": "enhanced"}], "enhanced"),
    ],
)
def test_insights_value(settings: list[dict[str, str]] | None, expected: str) -> None:
    assert insights_value(settings) == expected


def test_missing_lists_and_strategy_defaults_are_normalised() -> None:
    state = cluster_state({"clusterName": "c", "settings": []})

    assert state == dict(
        name="c", container_insights="disabled", capacity_providers=[], default_capacity_provider_strategy=[], tags={}
    )


def test_same_values_plan_nothing() -> None:
    plan = plan_changes(cluster_state(DESCRIBED), wanted(capacity_providers=["FARGATE_SPOT", "FARGATE"]))

    assert not has_changes(plan)


def test_aws_tags_are_never_purged() -> None:
    after = wanted(tags={})

    assert after["tags"] == {"aws:cloudformation:stack-name": "s"}
    assert plan_changes(cluster_state(DESCRIBED), after)["tags_to_remove"] == ["Project"]


@pytest.mark.parametrize(
    ("overrides", "field", "value"),
    [
        ({"container_insights": "disabled"}, "container_insights", "disabled"),
        ({"capacity_providers": ["FARGATE"]}, "capacity_providers", True),
        ({"strategy": [{"capacity_provider": "FARGATE", "weight": 1, "base": 2}]}, "capacity_providers", True),
        ({"tags": {"Project": "other"}}, "tags_to_set", {"Project": "other"}),
    ],
)
def test_one_difference_plans_one_write(overrides: dict[str, Any], field: str, value: Any) -> None:
    plan = plan_changes(cluster_state(DESCRIBED), wanted(**overrides))

    assert plan[field] == value
    assert has_changes(plan)
