"""cloudwatch_metric_alarms' main() run as Ansible runs it, against the project's emulator (moto's CloudWatch).

The cycle a user sees: a set created in one task, the re-run that reads once and writes nothing, one changed field
rewriting one alarm, check mode and diff, the purge of unwanted alarms under a prefix, and bad input refused before
any call.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from ansible_collections.triflow.platform.plugins.modules import cloudwatch_metric_alarms
from support.emulator import Emulator

TOPIC = "arn:aws:sns:ap-northeast-2:123456789012:triflow-acme-test-alarms"


def alarms_of(prefix: str) -> list[dict[str, Any]]:
    return [
        {
            "name": f"{prefix}-rds-cpu-high",
            "description": "RDS CPU above 80 %",
            "namespace": "AWS/RDS",
            "metric_name": "CPUUtilization",
            "statistic": "Average",
            "comparison": "GreaterThanThreshold",
            "threshold": 80,
            "period": 300,
            "evaluation_periods": 3,
            "dimensions": {"DBInstanceIdentifier": f"{prefix}-db"},
        },
        {
            "name": f"{prefix}-alb-latency-high",
            "namespace": "AWS/ApplicationELB",
            "metric_name": "TargetResponseTime",
            "extended_statistic": "p99",
            "comparison": "GreaterThanThreshold",
            "threshold": 2.5,
            "period": 60,
            "evaluation_periods": 5,
            "treat_missing_data": "notBreaching",
            "dimensions": {"TargetGroup": "targetgroup/tg/1", "LoadBalancer": "app/alb/2"},
        },
    ]


@pytest.fixture
def prefix() -> str:
    return f"triflow-acme-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def run(emulator: Emulator, run_main: Callable[..., Any]) -> Callable[..., dict[str, Any]]:
    def run_module(check_mode: bool = False, diff: bool = False, **options: Any) -> dict[str, Any]:
        options.setdefault("alarm_actions", [TOPIC])
        options.setdefault("ok_actions", [TOPIC])
        args = emulator.module_args(**options)
        return run_main(cloudwatch_metric_alarms.main, args, check_mode, diff).result

    return run_module


def described(emulator: Emulator, prefix: str) -> dict[str, dict[str, Any]]:
    pages = emulator.client("cloudwatch").get_paginator("describe_alarms").paginate(AlarmNamePrefix=prefix)
    return {alarm["AlarmName"]: alarm for page in pages for alarm in page["MetricAlarms"]}


def test_creates_the_set_then_a_rerun_reads_once_and_writes_nothing(emulator: Emulator, run, prefix: str) -> None:
    emulator.clear_calls()
    result = run(alarms=alarms_of(prefix))

    assert result["changed"], result
    assert sorted(result["created"]) == sorted(a["name"] for a in alarms_of(prefix))
    assert emulator.calls()["calls"] == {"monitoring.DescribeAlarms": 1, "monitoring.PutMetricAlarm": 2}
    stored = described(emulator, prefix)
    cpu, latency = stored[f"{prefix}-rds-cpu-high"], stored[f"{prefix}-alb-latency-high"]
    assert (cpu["Statistic"], cpu["Threshold"], cpu["TreatMissingData"]) == ("Average", 80.0, "missing")
    assert cpu["AlarmActions"] == [TOPIC] and cpu["OKActions"] == [TOPIC]
    assert latency["ExtendedStatistic"] == "p99" and "Statistic" not in latency
    assert {d["Name"]: d["Value"] for d in latency["Dimensions"]} == {
        "TargetGroup": "targetgroup/tg/1",
        "LoadBalancer": "app/alb/2",
    }

    emulator.clear_calls()
    again = run(alarms=alarms_of(prefix))

    assert not again["changed"], again
    assert (again["created"], again["updated"], again["deleted"]) == ([], {}, [])
    assert emulator.calls()["calls"] == {"monitoring.DescribeAlarms": 1}


def test_one_changed_field_rewrites_that_alarm_only_with_its_diff(emulator: Emulator, run, prefix: str) -> None:
    run(alarms=alarms_of(prefix))
    wanted = alarms_of(prefix)
    wanted[0]["threshold"] = 90
    wanted[1]["dimensions"] = dict(reversed(list(wanted[1]["dimensions"].items())))  # order never counts

    preview = run(alarms=wanted, check_mode=True, diff=True)

    assert preview["changed"]
    assert preview["updated"] == {f"{prefix}-rds-cpu-high": ["threshold"]}
    assert preview["diff"]["before"][f"{prefix}-rds-cpu-high"]["threshold"] == 80.0
    assert preview["diff"]["after"][f"{prefix}-rds-cpu-high"]["threshold"] == 90.0
    assert list(preview["diff"]["after"]) == [f"{prefix}-rds-cpu-high"]
    assert described(emulator, prefix)[f"{prefix}-rds-cpu-high"]["Threshold"] == 80.0  # check mode wrote nothing

    emulator.clear_calls()
    result = run(alarms=wanted)

    assert result["updated"] == {f"{prefix}-rds-cpu-high": ["threshold"]}
    assert emulator.calls()["calls"] == {"monitoring.DescribeAlarms": 1, "monitoring.PutMetricAlarm": 1}
    assert described(emulator, prefix)[f"{prefix}-rds-cpu-high"]["Threshold"] == 90.0


def test_an_alarm_changed_out_of_band_is_put_back(emulator: Emulator, run, prefix: str) -> None:
    run(alarms=alarms_of(prefix))
    cloudwatch = emulator.client("cloudwatch")
    cloudwatch.put_metric_alarm(
        AlarmName=f"{prefix}-rds-cpu-high",
        Namespace="AWS/RDS",
        MetricName="CPUUtilization",
        Statistic="Average",
        ComparisonOperator="GreaterThanThreshold",
        Threshold=80.0,
        Period=300,
        EvaluationPeriods=3,
        Dimensions=[{"Name": "DBInstanceIdentifier", "Value": f"{prefix}-db"}],
    )

    result = run(alarms=alarms_of(prefix))

    assert result["updated"] == {f"{prefix}-rds-cpu-high": ["alarm_actions", "description", "ok_actions"]}
    assert described(emulator, prefix)[f"{prefix}-rds-cpu-high"]["AlarmActions"] == [TOPIC]


def test_purges_unwanted_alarms_matching_the_pattern_under_the_prefix(emulator: Emulator, run, prefix: str) -> None:
    members = [dict(alarms_of(prefix)[0], name=f"{prefix}-redis-cpu-high-00{n}") for n in (1, 2, 3)]
    other = dict(alarms_of(prefix)[0], name=f"{prefix}-redis-replication-lag")
    run(alarms=[*members, other])
    purge = dict(purge_prefix=f"{prefix}-redis-", purge_pattern=rf"^{prefix}-redis-cpu-high-[0-9]{{3}}$")

    preview = run(alarms=members[:2], check_mode=True, diff=True, **purge)

    assert preview["deleted"] == [f"{prefix}-redis-cpu-high-003"]
    assert f"{prefix}-redis-cpu-high-003" in preview["diff"]["before"]
    assert f"{prefix}-redis-cpu-high-003" in described(emulator, prefix)

    result = run(alarms=members[:2], **purge)

    assert result["changed"] and result["deleted"] == [f"{prefix}-redis-cpu-high-003"]
    assert sorted(described(emulator, prefix)) == sorted(
        [f"{prefix}-redis-cpu-high-001", f"{prefix}-redis-cpu-high-002", f"{prefix}-redis-replication-lag"]
    )
    assert not run(alarms=members[:2], **purge)["changed"]


@pytest.mark.parametrize(
    ("alarm", "message"),
    [
        (
            {"statistic": "Average", "extended_statistic": "p99"},
            " needs exactly one of statistic and extended_statistic",
        ),
        ({"statistic": None}, " needs exactly one of statistic and extended_statistic"),
        ({"statistic": "Mean"}, ": statistic must be one of SampleCount, Average, Sum, Minimum, Maximum, not 'Mean'"),
    ],
)
def test_bad_alarms_are_refused_before_any_call(
    emulator: Emulator, run, prefix: str, alarm: dict[str, Any], message: str
) -> None:
    wanted = [dict(alarms_of(prefix)[0], **alarm)]
    emulator.clear_calls()

    result = run(alarms=wanted)

    assert result["failed"]
    assert f"alarm {prefix}-rds-cpu-high{message}" in result["msg"]
    assert emulator.calls()["total"] == 0


def test_a_name_given_twice_is_refused(emulator: Emulator, run, prefix: str) -> None:
    result = run(alarms=[alarms_of(prefix)[0], alarms_of(prefix)[0]])

    assert result["failed"]
    assert f"alarm {prefix}-rds-cpu-high is given 2 times" in result["msg"]
