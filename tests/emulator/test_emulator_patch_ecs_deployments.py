"""Gap 7: ECS deployments over time (patch ecs_deployments), as AWS documents them.

Each scenario builds a Fargate service behind a target group on an emulator whose deployments take DELAY seconds
(TRIFLOW_EMULATOR_DEPLOY_DELAY), changes its task definition, and reads back what DescribeServices, ListTasks /
DescribeTasks, DescribeTargetHealth and the Service Deployments API say while and after it rolls out.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from support.aws import Endpoint, unique
from support.ecs import BREAKER_ROLLBACK, Service, make_service, wait_for
from support.emulator import Emulator, gap_message, running_emulator
from triflow_emulator.patches.ecs_deployments import failure_threshold

PATCH = "ecs_deployments"
DELAY = 0.6
DEPLOY_DELAY_SETTING = {"TRIFLOW_EMULATOR_DEPLOY_DELAY": str(DELAY)}


@pytest.fixture(scope="module")
def emulator(dummy_aws_env: None) -> Iterator[Emulator]:
    with running_emulator("ecs-deployments", **DEPLOY_DELAY_SETTING) as running:
        yield running


def test_stock_moto_never_rolls_out(stock_moto: Endpoint) -> None:
    service = make_service_stock(stock_moto)
    arn, _ = service.deploy("v1.1.0")
    deployments = service.describe()["deployments"]
    assert len(deployments) == 1 and deployments[0]["rolloutState"] == "IN_PROGRESS", gap_message(7, PATCH)
    assert deployments[0]["taskDefinition"] != arn, gap_message(7, PATCH)


def make_service_stock(endpoint: Endpoint) -> Service:
    ecs = endpoint.client("ecs")
    cluster = unique("cluster")
    ecs.create_cluster(clusterName=cluster)
    service = Service(endpoint, cluster, unique("backend"), unique("family"), "")
    first = service.revision("v1.0.0")
    ecs.create_service(cluster=cluster, serviceName=service.name, taskDefinition=first, desiredCount=2)
    return service


def test_a_good_release_replaces_the_tasks_and_completes(emulator: Emulator) -> None:
    service = make_service(emulator)
    old_tasks = {task["taskArn"] for task in service.tasks()}
    old_targets = set(service.targets())
    new_arn, primary = service.deploy("v1.1.0")

    during = service.describe()
    statuses = {d["status"]: d for d in during["deployments"]}
    assert set(statuses) == {"PRIMARY", "ACTIVE"}
    assert statuses["PRIMARY"]["id"] == primary["id"] and primary["id"].startswith("ecs-svc/")
    assert statuses["PRIMARY"]["rolloutState"] == "IN_PROGRESS"
    assert statuses["PRIMARY"]["taskDefinition"] == new_arn

    settled = wait_for(service.settled, what="the rollout")
    (deployment,) = settled["deployments"]
    assert deployment["id"] == primary["id"] and deployment["rolloutState"] == "COMPLETED"
    assert settled["taskDefinition"] == new_arn and settled["runningCount"] == 2
    tasks = service.tasks()
    assert len(tasks) == 2 and {task["taskDefinitionArn"] for task in tasks} == {new_arn}
    assert {task["startedBy"] for task in tasks} == {primary["id"]}
    assert not old_tasks & {task["taskArn"] for task in tasks}
    ips = {task["attachments"][0]["details"][0]["value"] for task in tasks}
    assert service.targets() == dict.fromkeys(ips, "healthy")
    assert not old_targets & set(service.targets())
    stopped = service.tasks("STOPPED")
    assert {task["taskArn"] for task in stopped} >= old_tasks
    assert all(task["stoppedReason"].startswith("Scaling activity initiated by") for task in stopped)
    messages = service.messages()
    assert f"(service {service.name}) has reached a steady state." == messages[0]
    assert f"(service {service.name}) (deployment {primary['id']}) deployment completed." in messages
    (latest, *_) = service.service_deployments()
    assert latest["status"] == "SUCCESSFUL" and latest["finishedAt"]
    assert settled["currentServiceDeployment"] == latest["serviceDeploymentArn"]


def test_a_broken_release_trips_the_breaker_and_ecs_rolls_back(emulator: Emulator) -> None:
    service = make_service(emulator)
    old_arn = service.describe()["taskDefinition"]
    _, primary = service.deploy("broken-1.2.0")
    settled = wait_for(service.settled, what="the rollback")

    # What services_stable sees: one deployment, running == desired: "stable", on the OLD revision.
    (deployment,) = settled["deployments"]
    assert settled["taskDefinition"] == old_arn and deployment["taskDefinition"] == old_arn
    assert deployment["id"] != primary["id"] and deployment["rolloutState"] == "COMPLETED"
    emulator.client("ecs").get_waiter("services_stable").wait(
        cluster=service.cluster, services=[service.name], WaiterConfig={"Delay": 1, "MaxAttempts": 3}
    )
    failed = [t for t in service.tasks("STOPPED") if t["stoppedReason"] == "Task failed container health checks"]
    assert len(failed) >= failure_threshold(2) == 3
    assert {task["containers"][0]["exitCode"] for task in failed} == {137}
    messages = service.messages()
    failure = f"(service {service.name}) (deployment {primary['id']}) deployment failed: tasks failed to start."
    assert failure in messages
    assert any(message.startswith(f"(service {service.name}) rolling back to deployment") for message in messages)
    latest = service.service_deployments()[0]
    assert latest["status"] == "ROLLBACK_SUCCESSFUL"
    assert latest["deploymentCircuitBreaker"]["status"] == "TRIGGERED"
    assert latest["deploymentCircuitBreaker"]["failureCount"] >= latest["deploymentCircuitBreaker"]["threshold"] == 3
    assert latest["rollback"]["reason"] == "Circuit Breaker triggered rollback"
    assert latest["rollback"]["serviceRevisionArn"] == latest["sourceServiceRevisions"][0]["arn"]


def test_without_rollback_the_failed_release_stays(emulator: Emulator) -> None:
    breaker = {**BREAKER_ROLLBACK, "deploymentCircuitBreaker": {"enable": True, "rollback": False}}
    service = make_service(emulator, breaker=breaker)
    broken_arn, primary = service.deploy("broken-2.0.0")

    def tripped() -> dict[str, Any] | None:
        deployments = service.describe()["deployments"]
        return next((d for d in deployments if d["id"] == primary["id"] and d["rolloutState"] == "FAILED"), None)

    failed = wait_for(tripped, what="the breaker")
    assert failed["failedTasks"] >= 3 and service.describe()["taskDefinition"] == broken_arn
    assert service.service_deployments()[0]["status"] == "STOPPED"


def test_a_slow_release_takes_ten_times_the_delay(emulator: Emulator) -> None:
    service = make_service(emulator)
    started = time.monotonic()
    service.deploy("slow-3.0.0")
    time.sleep(2 * DELAY)
    assert service.settled() is None
    wait_for(service.settled, timeout=15 * DELAY + 5, what="the slow rollout")
    assert time.monotonic() - started >= 10 * DELAY


def test_a_newer_deployment_stops_the_one_in_progress(emulator: Emulator) -> None:
    service = make_service(emulator)
    service.deploy("slow-4.0.0")
    final_arn, _ = service.deploy("v4.0.1")
    settled = wait_for(service.settled, what="the newer rollout")
    assert settled["taskDefinition"] == final_arn
    newest, superseded, *_ = service.service_deployments()
    assert (newest["status"], superseded["status"]) == ("SUCCESSFUL", "STOPPED")


def test_the_app_health_follows_the_serving_image(emulator: Emulator) -> None:
    service = make_service(emulator)
    url = f"{emulator.url}/_triflow/app/{service.cluster}/{service.name}/health"
    healthy = requests.get(url, timeout=5)
    assert healthy.status_code == 200 and healthy.json()["status"] == "healthy"
    service.deploy("degraded-5.0.0")
    wait_for(service.settled, what="the degraded rollout")
    degraded = requests.get(url, timeout=5)
    assert degraded.status_code == 200 and degraded.json()["status"] == "degraded"
    assert degraded.json()["checks"]["database"].startswith("error")
    missing = requests.get(f"{emulator.url}/_triflow/app/{service.cluster}/nothing/health", timeout=5)
    assert missing.status_code == 404


def test_scaling_starts_and_registers_tasks(emulator: Emulator) -> None:
    service = make_service(emulator)
    service.ecs.update_service(cluster=service.cluster, service=service.name, desiredCount=4)
    wait_for(lambda: list(service.targets().values()) == ["healthy"] * 4, what="four healthy targets")
    assert len(service.tasks()) == 4 and service.describe()["runningCount"] == 4


@pytest.mark.parametrize(("command", "exit_code"), [(["alembic", "upgrade", "head"], 0), (["fail-migration"], 1)])
def test_a_one_off_fargate_task_runs_and_stops(emulator: Emulator, command: list[str], exit_code: int) -> None:
    service = make_service(emulator)
    subnet = service.describe()["deployments"][0]["networkConfiguration"]["awsvpcConfiguration"]["subnets"]
    task = service.ecs.run_task(
        cluster=service.cluster,
        taskDefinition=service.family,
        launchType="FARGATE",
        networkConfiguration={"awsvpcConfiguration": {"subnets": subnet}},
        overrides={"containerOverrides": [{"name": "backend", "command": command}]},
    )["tasks"][0]
    assert task["lastStatus"] == "PENDING"
    service.ecs.get_waiter("tasks_stopped").wait(
        cluster=service.cluster, tasks=[task["taskArn"]], WaiterConfig={"Delay": 1, "MaxAttempts": 20}
    )
    (stopped,) = service.ecs.describe_tasks(cluster=service.cluster, tasks=[task["taskArn"]])["tasks"]
    assert stopped["containers"][0]["exitCode"] == exit_code
    assert stopped["stoppedReason"] == "Essential container in task exited"


def test_service_deployments_filter_and_report_missing(emulator: Emulator) -> None:
    service = make_service(emulator)
    service.deploy("v6.0.0")
    wait_for(service.settled, what="the rollout")
    ecs = service.ecs
    listed = ecs.list_service_deployments(cluster=service.cluster, service=service.name, status=["SUCCESSFUL"])
    assert len(listed["serviceDeployments"]) == 2
    assert not ecs.list_service_deployments(cluster=service.cluster, service=service.name, status=["STOPPED"])[
        "serviceDeployments"
    ]
    missing = listed["serviceDeployments"][0]["serviceDeploymentArn"] + "x"
    answer = ecs.describe_service_deployments(serviceDeploymentArns=[missing])
    assert answer["serviceDeployments"] == [] and answer["failures"][0]["reason"] == "MISSING"


@pytest.mark.parametrize(("desired", "threshold"), [(1, 3), (2, 3), (7, 4), (10, 5), (1000, 200)])
def test_breaker_threshold_is_half_the_desired_count_within_3_and_200(desired: int, threshold: int) -> None:
    assert failure_threshold(desired) == threshold


def test_a_bad_deploy_delay_stops_the_server_at_start(dummy_aws_env: None) -> None:
    with (
        pytest.raises(AssertionError, match="TRIFLOW_EMULATOR_DEPLOY_DELAY"),
        running_emulator("bad-delay", TRIFLOW_EMULATOR_DEPLOY_DELAY="soon"),
    ):
        pass
