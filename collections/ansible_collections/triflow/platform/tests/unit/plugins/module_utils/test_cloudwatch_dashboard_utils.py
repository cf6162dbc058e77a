"""Dashboard bodies compared by meaning (module_utils/cloudwatch_dashboard.py)."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from ansible_collections.triflow.platform.plugins.module_utils.cloudwatch_dashboard import (
    expand_metric_row,
    expand_metrics,
    format_validation_messages,
    name_problem,
    parse_body,
    same_body,
)

ECS_CPU = ["AWS/ECS", "CPUUtilization", "ClusterName", "triflow-acme-prod", "ServiceName", "app"]
ECS_MEMORY = ["AWS/ECS", "MemoryUtilization", "ClusterName", "triflow-acme-prod", "ServiceName", "app"]
RDS_CPU = ["AWS/RDS", "CPUUtilization", "DBInstanceIdentifier", "triflow-acme-prod"]


def graph(x: int, y: int, metrics: list[Any], **properties: Any) -> dict[str, Any]:
    return {
        "type": "metric",
        "x": x,
        "y": y,
        "width": 12,
        "height": 6,
        "properties": {"region": "ap-northeast-2", "period": 300, "stat": "Average", "metrics": metrics, **properties},
    }


TEXT = {"type": "text", "x": 0, "y": 12, "width": 24, "height": 2, "properties": {"markdown": "Managed by Ansible"}}
BODY = {"widgets": [graph(0, 0, [ECS_CPU, ECS_MEMORY]), graph(12, 0, [RDS_CPU]), TEXT]}


def reordered_keys(value: Any) -> Any:
    """The same data with every mapping's keys in reverse order."""
    if isinstance(value, dict):
        return {key: reordered_keys(value[key]) for key in reversed(list(value))}
    if isinstance(value, list):
        return [reordered_keys(item) for item in value]
    return value


def without_positions(body: dict[str, Any]) -> dict[str, Any]:
    body = copy.deepcopy(body)
    for widget in body["widgets"]:
        del widget["x"], widget["y"]
    return body


def edited(body: dict[str, Any], index: int, **changes: Any) -> dict[str, Any]:
    body = copy.deepcopy(body)
    body["widgets"][index].update(changes)
    return body


def with_metrics(index: int, metrics: list[Any]) -> dict[str, Any]:
    body = copy.deepcopy(BODY)
    body["widgets"][index]["properties"]["metrics"] = metrics
    return body


def with_property(index: int, **properties: Any) -> dict[str, Any]:
    body = copy.deepcopy(BODY)
    body["widgets"][index]["properties"].update(properties)
    return body


SAME = {
    "reordered keys": reordered_keys(BODY),
    "JSON text with other whitespace": json.dumps(BODY, indent=4, sort_keys=True),
    "widgets with positions in another order": {"widgets": list(reversed(BODY["widgets"]))},
    "'.' repeating the previous row": with_metrics(0, [ECS_CPU, [".", "MemoryUtilization", ".", ".", ".", "."]]),
    "'...' after the values that differ": with_metrics(0, [ECS_CPU, ["AWS/ECS", "MemoryUtilization", "..."]]),
    "'...' before the values that differ": (
        with_metrics(1, [RDS_CPU, [*RDS_CPU[:3], "triflow-acme-test"]]),
        with_metrics(1, [RDS_CPU, ["...", "triflow-acme-test"]]),
    ),
    "integral float for an int": with_property(1, period=300.0),
}

DIFFERENT = {
    "a widget moved": edited(BODY, 1, x=0, y=6),
    "a widget resized": edited(BODY, 2, width=12),
    "widgets without positions in another order": (
        without_positions(BODY),
        {"widgets": list(reversed(without_positions(BODY)["widgets"]))},
    ),
    "a changed metric dimension": with_metrics(1, [[*RDS_CPU[:3], "triflow-acme-test"]]),
    "a dimension dropped": with_metrics(1, [RDS_CPU[:2]]),
    "'.' that does not match the previous row": with_metrics(
        0, [ECS_CPU, [".", "MemoryUtilization", ".", "triflow-acme-test", ".", "."]]
    ),
    "a metric removed": with_metrics(0, [ECS_CPU]),
    "metrics in another order": with_metrics(0, [ECS_MEMORY, ECS_CPU]),
    "a number against a numeric string": with_property(1, period="300"),
    "true against 1": (with_property(1, stacked=True), with_property(1, stacked=1)),
    "another statistic": with_property(1, stat="p95"),
    "a widget added": {"widgets": [*BODY["widgets"], {**TEXT, "y": 20}]},
    "a dashboard setting added": {**BODY, "start": "-PT6H"},
}


@pytest.mark.parametrize("case", SAME.values(), ids=SAME.keys())
def test_bodies_that_mean_the_same_dashboard(case: Any) -> None:
    body, other = case if isinstance(case, tuple) else (BODY, case)
    assert same_body(body, other)
    assert same_body(other, body)


@pytest.mark.parametrize("case", DIFFERENT.values(), ids=DIFFERENT.keys())
def test_bodies_that_mean_another_dashboard(case: Any) -> None:
    body, other = case if isinstance(case, tuple) else (BODY, case)
    assert not same_body(body, other)
    assert not same_body(other, body)


EC2_CPU = ["AWS/EC2", "CPUUtilization", "InstanceId", "i-1"]


@pytest.mark.parametrize(
    ("row", "previous", "expanded"),
    [
        pytest.param(["...", "i-2"], EC2_CPU, ["AWS/EC2", "CPUUtilization", "InstanceId", "i-2"], id="'...' first"),
        pytest.param(
            ["AWS/EC2", "NetworkIn", "..."], EC2_CPU, ["AWS/EC2", "NetworkIn", "InstanceId", "i-1"], id="'...' last"
        ),
        pytest.param([".", ".", ".", "i-2"], EC2_CPU, ["AWS/EC2", "CPUUtilization", "InstanceId", "i-2"], id="'.'"),
        pytest.param(
            ["...", {"stat": "Maximum"}],
            [*EC2_CPU, {"stat": "Average"}],
            [*EC2_CPU, {"stat": "Maximum"}],
            id="'...' keeps the row's own options",
        ),
        pytest.param(
            [".", "NetworkIn", "...", "i-2"], EC2_CPU, ["AWS/EC2", "NetworkIn", "InstanceId", "i-2"], id="'.' and '...'"
        ),
        pytest.param(["...", "b"], ["AWS/EC2", "a"], ["AWS/EC2", "b"], id="'...' standing for one value"),
    ],
)
def test_shorthand_is_written_out(row: list[Any], previous: list[Any], expanded: list[Any]) -> None:
    assert expand_metric_row(row, previous) == expanded


def test_expanded_rows_chain_from_the_previous_expanded_row() -> None:
    metrics = [["AWS/EC2", "CPUUtilization", "InstanceId", "i-1"], ["...", "i-2"], [".", "NetworkIn", ".", "."]]
    assert expand_metrics(metrics) == [
        ["AWS/EC2", "CPUUtilization", "InstanceId", "i-1"],
        ["AWS/EC2", "CPUUtilization", "InstanceId", "i-2"],
        ["AWS/EC2", "NetworkIn", "InstanceId", "i-2"],
    ]


@pytest.mark.parametrize(
    ("row", "previous"),
    [
        pytest.param([".", "CPUUtilization"], None, id="no previous row"),
        pytest.param([".", "CPUUtilization"], [{"expression": "m1 * 2"}], id="previous row is an expression"),
        pytest.param(["...", "a", "b", "c"], ["AWS/EC2", "CPUUtilization"], id="'...' with nothing to fill"),
        pytest.param(["...", "x", "..."], ["AWS/EC2", "CPUUtilization", "InstanceId", "i-1"], id="two '...'"),
        pytest.param(["AWS/EC2", "CPUUtilization", "InstanceId", "."], ["AWS/EC2", "CPUUtilization"], id="'.' beyond"),
    ],
)
def test_shorthand_that_cannot_be_resolved_stays_as_written(row: list[Any], previous: list[Any] | None) -> None:
    assert expand_metric_row(row, previous) == row


def test_expression_rows_are_kept() -> None:
    metrics = [[*RDS_CPU, {"id": "m1"}], [{"expression": "m1 * 2", "label": "double"}]]
    assert expand_metrics(metrics) == metrics


def test_comparing_does_not_modify_the_bodies() -> None:
    body = with_metrics(0, [ECS_CPU, ["...", "worker"]])
    other = {"widgets": list(reversed(body["widgets"])), "start": "-PT3H"}
    snapshots = copy.deepcopy((body, other))
    same_body(body, other)
    assert (body, other) == snapshots


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("{not json", "Expecting property name", id="not JSON"),
        pytest.param("[]", "must be an object", id="a list"),
        pytest.param('{"start": "-PT6H"}', "widgets list", id="no widgets"),
        pytest.param({"widgets": "none"}, "widgets list", id="widgets not a list"),
    ],
)
def test_bodies_that_are_refused(text: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_body(text)


def test_json_text_and_data_parse_alike() -> None:
    assert parse_body(json.dumps(BODY)) == parse_body(BODY) == BODY


@pytest.mark.parametrize(
    ("name", "refused"),
    [("triflow-acme-prod", False), ("Triflow_2", False), ("a" * 255, False), ("", True), ("a b", True), ("a/b", True)],
)
def test_dashboard_names(name: str, refused: bool) -> None:
    assert (name_problem(name) is not None) is refused


def test_validation_messages_read_in_either_spelling() -> None:
    messages = [{"DataPath": "/widgets/0", "Message": "Should have type"}, {"dataPath": "/x", "message": "bad"}, {}]
    assert format_validation_messages(messages) == ["/widgets/0: Should have type", "/x: bad", "/: "]
