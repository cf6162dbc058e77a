"""Verify the molecule stack's application tier and observability through the AWS API AWS_ENDPOINT_URL names."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import boto3
import pytest

PREFIX = "triflow-molecule-test"
REGION = os.environ.get("AWS_DEFAULT_REGION", "ap-northeast-2")
PROJECT = Path(os.environ.get("MOLECULE_PROJECT_DIRECTORY", Path(__file__).resolve().parents[3]))


@pytest.fixture(scope="module")
def ecs():
    return boto3.client("ecs", region_name=REGION)


def test_service_runs_the_stack_task_in_private_subnets_with_a_circuit_breaker(ecs):
    [service] = ecs.describe_services(cluster=PREFIX, services=[f"{PREFIX}-backend"])["services"]
    assert service["launchType"] == "FARGATE" and service["desiredCount"] == 2
    assert service["networkConfiguration"]["awsvpcConfiguration"]["assignPublicIp"] == "DISABLED"
    assert service["deploymentConfiguration"]["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
    task = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"]
    secrets = {item["name"] for item in task["containerDefinitions"][0]["secrets"]}
    assert secrets == {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "ANTHROPIC_API_KEY"}


def test_load_balancer_forwards_port_80_to_the_backend():
    elbv2 = boto3.client("elbv2", region_name=REGION)
    [alb] = elbv2.describe_load_balancers(Names=[f"{PREFIX}-alb"])["LoadBalancers"]
    assert alb["Scheme"] == "internet-facing"
    [listener] = elbv2.describe_listeners(LoadBalancerArn=alb["LoadBalancerArn"])["Listeners"]
    assert listener["Port"] == 80 and listener["DefaultActions"][0]["Type"] == "forward"


def test_alarms_notify_the_stack_topic():
    alarms = boto3.client("cloudwatch", region_name=REGION).describe_alarms(AlarmNamePrefix=PREFIX)["MetricAlarms"]
    assert len(alarms) >= 12
    topic = f"arn:aws:sns:{REGION}:123456789012:{PREFIX}-alarms"
    assert all(alarm["AlarmActions"] == [topic] for alarm in alarms)


def test_environment_file_is_private_to_its_owner():
    env_file = PROJECT / "output" / PREFIX / "app.env"
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
    assert f"ECS_SERVICE={PREFIX}-backend" in env_file.read_text()
