"""The rollout verdict over recorded ECS / ELBv2 answers (botocore Stubber), without waiting.

Each case replays the DescribeServices, DescribeServiceDeployments and DescribeTargetHealth answers a real rollout
gives, poll by poll, and checks what Follower concludes. The first case is the one every popular deploy tool got
wrong: ECS's circuit breaker rolled the release back and the service is "stable" again on the old revision.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from ansible_collections.triflow.platform.plugins.module_utils.ecs_rollout import (
    Follower,
    RolloutFailed,
    assess,
    failure_threshold,
    health_verdict,
)
from botocore.stub import ANY, Stubber

CLUSTER = "triflow-acme-prod-cluster"
SERVICE = "triflow-acme-prod-backend"
ARN = "arn:aws:ecs:ap-northeast-2:123456789012"
OLD = f"{ARN}:task-definition/triflow-acme-prod-backend:41"
NEW = f"{ARN}:task-definition/triflow-acme-prod-backend:42"
TARGET_GROUP = (
    "arn:aws:elasticloadbalancing:ap-northeast-2:123456789012:targetgroup/triflow-acme-prod-tg/0123456789abcdef"
)
SERVICE_DEPLOYMENT = f"{ARN}:service-deployment/{CLUSTER}/{SERVICE}/AbCdEfGhIjKlMnOpQrStUv"
NEW_ID = "ecs-svc/1111111111111111111"
OLD_ID = "ecs-svc/2222222222222222222"
ROLLBACK_ID = "ecs-svc/3333333333333333333"
NOW = datetime.datetime(2026, 12, 2, 3, 0, tzinfo=datetime.UTC)
HEALTHY_BODY = json.dumps({"status": "healthy", "checks": {"database": "ok"}})
DEGRADED_BODY = json.dumps({"status": "degraded", "checks": {"database": "error: connection refused"}})


def deployment(ident: str, definition: str, status: str, rollout: str, running: int, failed: int = 0) -> dict:
    return {
        "id": ident,
        "status": status,
        "taskDefinition": definition,
        "desiredCount": 2,
        "runningCount": running,
        "pendingCount": 0,
        "failedTasks": failed,
        "rolloutState": rollout,
        "rolloutStateReason": "ECS deployment circuit breaker: tasks failed to start." if rollout == "FAILED" else "",
        "createdAt": NOW,
        "updatedAt": NOW,
    }


def service(definition: str, *deployments: dict, breaker: bool = True, events: tuple[str, ...] = ()) -> dict:
    running = sum(d["runningCount"] for d in deployments)
    return {
        "services": [
            {
                "serviceName": SERVICE,
                "serviceArn": f"{ARN}:service/{CLUSTER}/{SERVICE}",
                "status": "ACTIVE",
                "desiredCount": 2,
                "runningCount": running,
                "pendingCount": 0,
                "taskDefinition": definition,
                "deployments": list(deployments),
                "loadBalancers": [{"targetGroupArn": TARGET_GROUP, "containerName": "backend", "containerPort": 8000}],
                "deploymentConfiguration": {
                    "deploymentCircuitBreaker": {"enable": breaker, "rollback": breaker},
                    "maximumPercent": 200,
                    "minimumHealthyPercent": 100,
                },
                "events": [{"id": str(n), "createdAt": NOW, "message": m} for n, m in enumerate(events)],
            }
        ],
        "failures": [],
    }


def targets(*states: tuple[str, str | None]) -> dict:
    return {
        "TargetHealthDescriptions": [
            {
                "Target": {"Id": f"10.0.1.{n + 10}", "Port": 8000},
                "TargetHealth": {"State": state, **({"Reason": reason} if reason else {})},
            }
            for n, (state, reason) in enumerate(states)
        ]
    }


def service_deployment(status: str, failures: int = 0) -> dict:
    return {
        "serviceDeployments": [
            {
                "serviceDeploymentArn": SERVICE_DEPLOYMENT,
                "status": status,
                "deploymentCircuitBreaker": {
                    "status": "TRIGGERED" if failures else "MONITORING",
                    "failureCount": failures,
                    "threshold": 3,
                },
                **(
                    {"rollback": {"reason": "Circuit Breaker triggered rollback", "serviceRevisionArn": "x"}}
                    if status.startswith("ROLLBACK")
                    else {}
                ),
            }
        ],
        "failures": [],
    }


HEALTHY = targets(("healthy", None), ("healthy", None))


class Replay:
    """Stubbed ECS and ELBv2 clients, a clock that moves only when the follower sleeps, and recorded GETs."""

    def __init__(self) -> None:
        credentials = {"region_name": "ap-northeast-2", "aws_access_key_id": "x", "aws_secret_access_key": "x"}
        self.ecs = boto3.client("ecs", **credentials)
        self.elbv2 = boto3.client("elbv2", **credentials)
        self.ecs_stub = Stubber(self.ecs)
        self.elbv2_stub = Stubber(self.elbv2)
        self.now = 0.0
        self.answers: list[tuple[int | None, str]] = []
        self.gets: list[str] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds

    def http_get(self, url: str, timeout: float) -> tuple[int | None, str]:
        self.gets.append(url)
        return self.answers.pop(0)

    def poll(
        self, described: dict, target_health: dict | None = None, deployment: dict | None = None, lb: bool = True
    ) -> None:
        self.ecs_stub.add_response("describe_services", described, {"cluster": CLUSTER, "services": [SERVICE]})
        if deployment is not None:
            self.ecs_stub.add_response(
                "describe_service_deployments", deployment, {"serviceDeploymentArns": [SERVICE_DEPLOYMENT]}
            )
        if lb:
            answer = target_health if target_health is not None else HEALTHY
            self.elbv2_stub.add_response("describe_target_health", answer, {"TargetGroupArn": TARGET_GROUP})

    def stopped(self, reason: str = "Task failed container health checks", exit_code: int = 137) -> None:
        task = f"{ARN}:task/{CLUSTER}/0123456789abcdef"
        self.ecs_stub.add_response(
            "list_tasks", {"taskArns": [task]}, {"cluster": CLUSTER, "startedBy": ANY, "desiredStatus": "STOPPED"}
        )
        self.ecs_stub.add_response(
            "describe_tasks",
            {
                "tasks": [
                    {
                        "taskArn": task,
                        "stoppedReason": reason,
                        "stopCode": "ServiceSchedulerInitiated",
                        "containers": [{"name": "backend", "exitCode": exit_code}],
                    }
                ],
                "failures": [],
            },
            {"cluster": CLUSTER, "tasks": [task]},
        )

    def follower(self) -> Follower:
        return Follower(self.ecs, self.elbv2, CLUSTER, SERVICE, self.clock, self.sleep, self.http_get, poll_interval=5)


@pytest.fixture
def replay() -> Iterator[Replay]:
    recorded = Replay()
    with recorded.ecs_stub, recorded.elbv2_stub:
        yield recorded
        recorded.ecs_stub.assert_no_pending_responses()
        recorded.elbv2_stub.assert_no_pending_responses()


HEALTH = {"url": "https://api.acme.example/health", "checks": 3, "interval": 2, "timeout": 5}


def test_ecs_rollback_to_a_stable_old_revision_is_a_failure(replay: Replay) -> None:
    in_progress = service(
        NEW, deployment(NEW_ID, NEW, "PRIMARY", "IN_PROGRESS", 0), deployment(OLD_ID, OLD, "ACTIVE", "COMPLETED", 2)
    )
    rolled_back = service(
        OLD,
        deployment(ROLLBACK_ID, OLD, "PRIMARY", "COMPLETED", 2),
        events=(
            f"(service {SERVICE}) has reached a steady state.",
            f"(service {SERVICE}) rolling back to deployment {OLD_ID}.",
        ),
    )
    replay.poll(
        in_progress,
        targets(("healthy", None), ("healthy", None), ("initial", "Elb.RegistrationInProgress")),
        service_deployment("IN_PROGRESS"),
    )
    replay.poll(rolled_back, HEALTHY, service_deployment("ROLLBACK_SUCCESSFUL", failures=3))
    replay.stopped()

    # botocore's services_stable waiter is satisfied by this very answer: one deployment, running == desired.
    waiter = replay.ecs.get_waiter("services_stable")
    replay.ecs_stub.add_response("describe_services", rolled_back, {"cluster": CLUSTER, "services": [SERVICE]})
    with pytest.raises(RolloutFailed) as failed:
        replay.follower().follow(NEW_ID, NEW, 900, SERVICE_DEPLOYMENT, HEALTH)
    waiter.wait(cluster=CLUSTER, services=[SERVICE], WaiterConfig={"Delay": 0, "MaxAttempts": 1})

    reason = failed.value.reason
    assert reason["kind"] == "rolled_back_by_ecs"
    assert reason["service_deployment_status"] == "ROLLBACK_SUCCESSFUL"
    assert (reason["failure_count"], reason["threshold"]) == (3, 3)
    assert reason["deployment_id"] == NEW_ID and SERVICE_DEPLOYMENT in reason["message"]
    assert reason["stopped_tasks"][0]["stopped_reason"] == "Task failed container health checks"
    assert reason["stopped_tasks"][0]["exit_codes"] == {"backend": 137}
    assert any("rolling back" in event for event in reason["events"])
    assert replay.gets == []


def test_without_the_service_deployments_api_the_revision_gives_the_rollback_away(replay: Replay) -> None:
    replay.poll(service(OLD, deployment(ROLLBACK_ID, OLD, "PRIMARY", "COMPLETED", 2)))
    replay.stopped()
    with pytest.raises(RolloutFailed) as failed:
        replay.follower().follow(NEW_ID, NEW, 900, None, HEALTH)
    assert failed.value.reason["kind"] == "deployment_replaced"
    assert OLD in failed.value.reason["message"]


def test_a_failed_deployment_still_listed_is_the_circuit_breaker(replay: Replay) -> None:
    replay.poll(
        service(
            NEW,
            deployment(NEW_ID, NEW, "PRIMARY", "FAILED", 0, failed=4),
            deployment(OLD_ID, OLD, "ACTIVE", "COMPLETED", 2),
            breaker=True,
        ),
        targets(("healthy", None), ("healthy", None), ("unhealthy", "Target.FailedHealthChecks")),
    )
    replay.stopped()
    with pytest.raises(RolloutFailed) as failed:
        replay.follower().follow(NEW_ID, NEW, 900)
    reason = failed.value.reason
    assert reason["kind"] == "circuit_breaker"
    assert (reason["failure_count"], reason["threshold"]) == (4, 3)
    assert reason["unhealthy_targets"] == [
        {"id": "10.0.1.12", "state": "unhealthy", "reason": "Target.FailedHealthChecks", "description": None}
    ]


def test_a_good_release_succeeds_after_three_healthy_bodies(replay: Replay) -> None:
    replay.poll(
        service(
            NEW, deployment(NEW_ID, NEW, "PRIMARY", "IN_PROGRESS", 1), deployment(OLD_ID, OLD, "ACTIVE", "COMPLETED", 2)
        ),
        deployment=service_deployment("IN_PROGRESS"),
    )
    replay.poll(
        service(NEW, deployment(NEW_ID, NEW, "PRIMARY", "COMPLETED", 2)), deployment=service_deployment("SUCCESSFUL")
    )
    replay.answers = [(200, HEALTHY_BODY)] * 3
    follower = replay.follower()
    follower.follow(NEW_ID, NEW, 900, SERVICE_DEPLOYMENT, HEALTH)
    assert len(replay.gets) == 3
    assert [o.get("rollout_state") for o in follower.observations[:2]] == ["IN_PROGRESS", "COMPLETED"]
    assert follower.observations[-1]["health"] == [{"status": 200, "body_status": "healthy"}] * 3


def test_completed_but_a_target_still_unhealthy_is_not_done(replay: Replay) -> None:
    done = service(NEW, deployment(NEW_ID, NEW, "PRIMARY", "COMPLETED", 2))
    replay.poll(done, targets(("healthy", None), ("unhealthy", "Target.ResponseCodeMismatch")))
    replay.poll(done, HEALTHY)
    follower = replay.follower()
    follower.follow(NEW_ID, NEW, 900)
    assert replay.now == 5


def test_a_degraded_body_fails_at_once(replay: Replay) -> None:
    replay.poll(service(NEW, deployment(NEW_ID, NEW, "PRIMARY", "COMPLETED", 2)))
    replay.answers = [(200, HEALTHY_BODY), (200, DEGRADED_BODY)]
    replay.stopped()
    with pytest.raises(RolloutFailed) as failed:
        replay.follower().follow(NEW_ID, NEW, 900, None, HEALTH)
    reason = failed.value.reason
    assert reason["kind"] == "health_check" and "'degraded'" in reason["message"]
    assert reason["health"] == [{"status": 200, "body_status": "healthy"}, {"status": 200, "body_status": "degraded"}]


def test_unanswered_health_checks_are_retried_until_the_timeout(replay: Replay) -> None:
    replay.poll(service(NEW, deployment(NEW_ID, NEW, "PRIMARY", "COMPLETED", 2)))
    replay.answers = [(None, "no answer: connection refused")] * 3
    replay.stopped()
    health = dict(HEALTH, interval=2)
    with pytest.raises(RolloutFailed) as failed:
        replay.follower().follow(NEW_ID, NEW, 4, None, health)
    assert failed.value.reason["kind"] == "health_check" and "before the timeout" in failed.value.reason["message"]


def test_the_timeout_names_the_deployment_and_the_unhealthy_targets(replay: Replay) -> None:
    slow = service(
        NEW, deployment(NEW_ID, NEW, "PRIMARY", "IN_PROGRESS", 1), deployment(OLD_ID, OLD, "ACTIVE", "COMPLETED", 2)
    )
    pending = targets(("healthy", None), ("initial", "Elb.RegistrationInProgress"))
    for _poll in range(3):
        replay.poll(slow, pending)
    replay.stopped("Scaling activity initiated by (deployment x)", 143)
    with pytest.raises(RolloutFailed) as failed:
        replay.follower().follow(NEW_ID, NEW, 10)
    reason = failed.value.reason
    assert reason["kind"] == "timeout" and NEW_ID in reason["message"] and "within 10 s" in reason["message"]
    assert reason["unhealthy_targets"][0]["reason"] == "Elb.RegistrationInProgress"


def test_tasks_failing_without_a_breaker_fail_the_release(replay: Replay) -> None:
    replay.poll(
        service(
            NEW,
            deployment(NEW_ID, NEW, "PRIMARY", "IN_PROGRESS", 0, failed=3),
            deployment(OLD_ID, OLD, "ACTIVE", "COMPLETED", 2),
            breaker=False,
        )
    )
    replay.stopped()
    with pytest.raises(RolloutFailed) as failed:
        replay.follower().follow(NEW_ID, NEW, 900)
    assert failed.value.reason["kind"] == "tasks_stopping"


def test_rollback_follows_ecs_own_rollback_without_updating(replay: Replay) -> None:
    back = service(OLD, deployment(ROLLBACK_ID, OLD, "PRIMARY", "COMPLETED", 2))
    replay.poll(back, lb=False)  # roll_back's own read
    replay.poll(back)
    assert replay.follower().roll_back(OLD, 600) == (True, ROLLBACK_ID)


def test_rollback_updates_the_service_when_ecs_did_not(replay: Replay) -> None:
    replay.poll(service(NEW, deployment(NEW_ID, NEW, "PRIMARY", "COMPLETED", 2)), lb=False)
    updated = service(
        OLD,
        deployment(ROLLBACK_ID, OLD, "PRIMARY", "IN_PROGRESS", 0),
        deployment(NEW_ID, NEW, "ACTIVE", "COMPLETED", 2),
    )
    replay.ecs_stub.add_response(
        "update_service",
        {"service": updated["services"][0]},
        {"cluster": CLUSTER, "service": SERVICE, "taskDefinition": OLD},
    )
    replay.poll(service(OLD, deployment(ROLLBACK_ID, OLD, "PRIMARY", "COMPLETED", 2)))
    assert replay.follower().roll_back(OLD, 600) == (False, ROLLBACK_ID)


@pytest.mark.parametrize(
    ("status", "body", "ok", "reported"),
    [
        (200, HEALTHY_BODY, True, "healthy"),
        (200, DEGRADED_BODY, False, "degraded"),
        (200, "OK", False, None),
        (503, json.dumps({"status": "healthy"}), False, "healthy"),
        (None, "no answer", False, None),
    ],
)
def test_only_a_200_that_says_healthy_is_healthy(status: int | None, body: str, ok: bool, reported: Any) -> None:
    assert health_verdict(status, body) == (ok, reported)


def test_assess_waits_for_running_to_reach_desired() -> None:
    described = service(NEW, deployment(NEW_ID, NEW, "PRIMARY", "COMPLETED", 1))["services"][0]
    assert assess(described, NEW_ID, NEW, None, HEALTHY["TargetHealthDescriptions"]) == ("in_progress", None)


@pytest.mark.parametrize(("desired", "threshold"), [(0, 3), (2, 3), (7, 4), (10, 5), (400, 200), (1000, 200)])
def test_breaker_threshold(desired: int, threshold: int) -> None:
    assert failure_threshold(desired) == threshold
