"""What counts as a difference between a wanted metric alarm and the one DescribeAlarms reports."""

from __future__ import annotations

from ansible_collections.triflow.platform.plugins.module_utils.cloudwatch_metric_alarms import (
    chunks,
    described_view,
    differences,
    put_params,
    to_purge,
    wanted_view,
)

TOPIC = "arn:aws:sns:ap-northeast-2:123456789012:t"
WANTED = {
    "name": "a",
    "description": "d",
    "namespace": "AWS/RDS",
    "metric_name": "CPUUtilization",
    "statistic": "Average",
    "comparison": "GreaterThanThreshold",
    "threshold": 5,
    "period": 300,
    "evaluation_periods": 3,
    "dimensions": {"B": "2", "A": "1"},
}
DESCRIBED = {
    "AlarmName": "a",
    "AlarmArn": "arn:aws:cloudwatch:ap-northeast-2:123456789012:alarm:a",
    "AlarmDescription": "d",
    "Namespace": "AWS/RDS",
    "MetricName": "CPUUtilization",
    "Statistic": "Average",
    "ComparisonOperator": "GreaterThanThreshold",
    "Threshold": 5.0,
    "Period": 300,
    "EvaluationPeriods": 3,
    "Dimensions": [{"Name": "A", "Value": "1"}, {"Name": "B", "Value": "2"}],
    "AlarmActions": [TOPIC, "arn:aws:sns:ap-northeast-2:123456789012:other"],
    "OKActions": [TOPIC],
    "StateValue": "ALARM",
}
ACTIONS = {"alarm_actions": ["arn:aws:sns:ap-northeast-2:123456789012:other", TOPIC], "ok_actions": [TOPIC]}


def test_same_alarm_in_other_orders_and_forms_has_no_difference():
    # Dimensions and actions in another order, 5 against 5.0, TreatMissingData and ActionsEnabled left out.
    assert differences(wanted_view(WANTED, ACTIONS), described_view(DESCRIBED)) == []


def test_each_managed_field_counts():
    actual = described_view(dict(DESCRIBED, Threshold=6.0, TreatMissingData="breaching", ActionsEnabled=False))
    assert differences(wanted_view(WANTED, ACTIONS), actual) == ["actions_enabled", "threshold", "treat_missing_data"]
    assert differences(wanted_view(dict(WANTED, dimensions={"A": "1"}), ACTIONS), described_view(DESCRIBED)) == [
        "dimensions"
    ]


def test_an_alarm_own_actions_win_over_the_defaults():
    view = wanted_view(dict(WANTED, ok_actions=[]), ACTIONS)
    assert view["ok_actions"] == [] and view["alarm_actions"] == sorted(ACTIONS["alarm_actions"])


def test_a_missing_alarm_differs_in_every_field():
    assert "threshold" in differences(wanted_view(WANTED, ACTIONS), None)


def test_put_params_send_only_what_is_set():
    params = put_params(wanted_view(WANTED, ACTIONS))
    assert "ExtendedStatistic" not in params and "Unit" not in params
    assert params["Dimensions"] == [{"Name": "A", "Value": "1"}, {"Name": "B", "Value": "2"}]
    assert params["Threshold"] == 5.0 and params["TreatMissingData"] == "missing"


def test_purge_takes_unwanted_names_matching_the_pattern():
    found = ["p-cpu-001", "p-cpu-002", "p-lag", "p-cpu-0010"]
    assert to_purge(found, ["p-cpu-001"], r"^p-cpu-[0-9]{3}$") == ["p-cpu-002"]
    assert to_purge(found, [], "") == sorted(found)


def test_chunks_of_a_hundred():
    assert [len(chunk) for chunk in chunks(list(range(201)))] == [100, 100, 1]
