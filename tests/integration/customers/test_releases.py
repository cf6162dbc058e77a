"""Releases with playbooks/deploy.yml on the two customers' converged stacks (SPEC defects 10 and 11).

The emulator's deployments behave as ECS's do (patch ecs_deployments): ``broken-`` tags fail their health checks
until the circuit breaker rolls them back, ``degraded-`` tags complete but their /health body says degraded,
``slow-`` tags take ten times the deploy delay, a migration command containing ``fail-migration`` exits 1. The tests
run in order on ACME's stack, which starts on the placeholder image; Globex's stack must never change.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support.ecr import push_image
from support.emulator import Emulator

from .conftest import ACME, FAST, GLOBEX

TAGS = ("v1.0.0", "v1.1.0", "broken-1.2.0", "degraded-1.3.0", "slow-1.4.0")


class Stack:
    """One customer's service as ECS reports it."""

    def __init__(self, emulator: Emulator, prefix: str) -> None:
        self.ecs = emulator.client("ecs")
        self.elbv2 = emulator.client("elbv2")
        self.prefix = prefix

    def service(self) -> dict[str, Any]:
        return self.ecs.describe_services(cluster=self.prefix, services=[f"{self.prefix}-backend"])["services"][0]

    def image(self) -> str:
        definition = self.ecs.describe_task_definition(taskDefinition=self.service()["taskDefinition"])
        return str(definition["taskDefinition"]["containerDefinitions"][0]["image"])

    def tag(self) -> str:
        return self.image().rsplit(":", 1)[-1]

    def revisions(self) -> list[str]:
        family = f"{self.prefix}-backend"
        arns = self.ecs.list_task_definitions(familyPrefix=family, status="ACTIVE")["taskDefinitionArns"]
        return [arn for arn in arns if arn.split("/")[-1].rsplit(":", 1)[0] == family]

    def snapshot(self) -> tuple[str, str, list[str]]:
        """The running revision, the primary deployment's id and the revisions: what a release changes. (Not every
        deployment: those an earlier release replaced leave the list as they finish draining, at their own pace.)"""
        service = self.service()
        (primary,) = [d["id"] for d in service["deployments"] if d["status"] == "PRIMARY"]
        return service["taskDefinition"], primary, self.revisions()


class Topic:
    """An SQS queue subscribed to ACME's alarms topic: what the release published."""

    def __init__(self, emulator: Emulator) -> None:
        self.sns, self.sqs = emulator.client("sns"), emulator.client("sqs")
        topic = next(
            t["TopicArn"] for t in self.sns.list_topics()["Topics"] if t["TopicArn"].endswith(f":{ACME}-alarms")
        )
        self.queue = self.sqs.create_queue(QueueName=f"{ACME}-releases")["QueueUrl"]
        queue_arn = self.sqs.get_queue_attributes(QueueUrl=self.queue, AttributeNames=["QueueArn"])["Attributes"]
        self.subscription: str | None = self.sns.subscribe(
            TopicArn=topic, Protocol="sqs", Endpoint=queue_arn["QueueArn"], ReturnSubscriptionArn=True
        )["SubscriptionArn"]

    def messages(self) -> list[dict[str, str]]:
        received = self.sqs.receive_message(QueueUrl=self.queue, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        bodies = [json.loads(message["Body"]) for message in received.get("Messages", [])]
        for message in received.get("Messages", []):
            self.sqs.delete_message(QueueUrl=self.queue, ReceiptHandle=message["ReceiptHandle"])
        return [{"subject": body.get("Subject", ""), "message": body["Message"]} for body in bodies]

    def close(self) -> None:
        """Unsubscribe (the alarms role removes subscriptions the inventory does not list) and drop the queue."""
        if self.subscription:
            self.sns.unsubscribe(SubscriptionArn=self.subscription)
            self.sqs.delete_queue(QueueUrl=self.queue)
            self.subscription = None


@pytest.fixture(scope="module")
def images(emulator: Emulator, customers: Any) -> None:
    ecr = emulator.client("ecr")
    for prefix in (ACME, GLOBEX):
        for tag in TAGS:
            push_image(ecr, f"{prefix}-backend", tag)


@pytest.fixture(scope="module")
def topic(emulator: Emulator, images: None) -> Iterator[Topic]:
    subscribed = Topic(emulator)
    yield subscribed
    subscribed.close()


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("reports")


@pytest.fixture
def deploy(playbook: Any, reports: Path, topic: Topic):
    def run(tag: str, *inventories: str, **extra: Any):
        return playbook(
            "playbooks/deploy.yml",
            *(inventories or ("inventories/customer_a",)),
            extra_vars={"app_image_tag": tag, **FAST, **extra},
            env={"TRIFLOW_REPORT_DIR": str(reports)},
        )

    return run


def report_files(reports: Path) -> list[Path]:
    return sorted((reports / "deploy").glob(f"{ACME}-*.json"))


def last_report(reports: Path) -> dict[str, Any]:
    return json.loads(report_files(reports)[-1].read_text())


@pytest.fixture
def acme(emulator: Emulator) -> Stack:
    return Stack(emulator, ACME)


@pytest.fixture
def globex(emulator: Emulator) -> Stack:
    return Stack(emulator, GLOBEX)


def test_a_first_release_that_fails_has_no_earlier_release(deploy, acme: Stack, reports: Path, topic: Topic) -> None:
    assert acme.tag() == "bootstrap"
    run = deploy("broken-1.2.0")
    assert run.rc != 0
    assert "No earlier release completed on this stack (it runs bootstrap)" in run.output
    assert "failed, no earlier release to roll back to" in run.output
    report = last_report(reports)
    assert report["result"] == "failed_no_earlier_release" and report["earlier_release"] is False
    assert any(m["subject"].startswith("[failed_no_earlier_release]") for m in topic.messages())


def test_check_mode_previews_the_release_and_changes_nothing(playbook: Any, acme: Stack, reports: Path) -> None:
    """--check with the inventory's own health URL: the load balancer's, which the run names."""
    before, reports_before = acme.snapshot(), report_files(reports)
    alb = acme_alb_dns(acme)
    run = playbook(
        "playbooks/deploy.yml",
        "inventories/customer_a",
        extra_vars={"app_image_tag": "v1.0.0"},
        check=True,
        env={"TRIFLOW_REPORT_DIR": str(reports)},
    )
    assert run.rc == 0, run.tail()
    assert run.changed(ACME) == 1  # the revision it would register
    assert f"3 consecutive healthy bodies from http://{alb}/health" in run.output
    assert acme.snapshot() == before and report_files(reports) == reports_before


def acme_alb_dns(acme: Stack) -> str:
    return str(acme.elbv2.describe_load_balancers(Names=[f"{ACME}-alb"])["LoadBalancers"][0]["DNSName"])


def test_a_good_release_runs_the_new_revision_and_reports_it(
    deploy, acme: Stack, globex: Stack, reports: Path, topic: Topic
) -> None:
    globex_before = globex.snapshot()
    before = acme.service()["taskDefinition"]
    run = deploy("v1.0.0")
    assert run.rc == 0, run.tail()
    assert acme.tag() == "v1.0.0" and acme.service()["taskDefinition"] != before
    report = last_report(reports)
    assert report["result"] == "succeeded" and report["succeeded"] is True
    assert report["revision_after"] == report["revision_released"] == acme.service()["taskDefinition"]
    assert report["deployment_id"] == acme.service()["deployments"][0]["id"]
    assert report["duration_seconds"] > 0 and any("deployment completed" in e for e in report["events"])
    (message,) = topic.messages()
    assert message["subject"] == f"[succeeded] {ACME} v1.0.0"
    assert '"result": "succeeded"' in message["message"]
    assert globex.snapshot() == globex_before


def test_the_running_tag_changes_nothing(deploy, acme: Stack, reports: Path) -> None:
    before, reports_before = acme.snapshot(), report_files(reports)
    run = deploy("v1.0.0")
    assert run.rc == 0 and run.changed(ACME) == 0, run.tail()
    assert "already runs v1.0.0" in run.output
    assert acme.snapshot() == before and report_files(reports) == reports_before


def test_a_tag_missing_from_the_repository_fails_before_any_change(deploy, acme: Stack) -> None:
    before = acme.snapshot()
    run = deploy("v9.9.9")
    assert run.rc != 0
    assert f"Image tag v9.9.9 is not in the ECR repository {ACME}-backend" in run.output
    assert "Nothing was changed." in run.output
    assert acme.snapshot() == before


def test_the_breakers_rollback_is_a_failure_even_once_stable(deploy, acme: Stack, reports: Path, topic: Topic) -> None:
    good = acme.service()["taskDefinition"]
    run = deploy("broken-1.2.0")
    assert run.rc != 0
    assert f"FAILED and was rolled back to {good.split('/')[-1]}" in run.output
    service = acme.service()
    assert service["taskDefinition"] == good and acme.tag() == "v1.0.0"
    assert len(service["deployments"]) == 1 and service["runningCount"] == service["desiredCount"]
    report = last_report(reports)
    assert report["result"] == "rolled_back" and report["revision_after"] == good
    assert report["reason"]["kind"] in ("rolled_back_by_ecs", "circuit_breaker")
    assert report["reason"]["stopped_tasks"][0]["stopped_reason"] == "Task failed container health checks"
    assert any(m["subject"] == f"[rolled_back] {ACME} broken-1.2.0" for m in topic.messages())


def test_a_degraded_health_body_fails_and_rolls_back(deploy, acme: Stack, reports: Path) -> None:
    good = acme.service()["taskDefinition"]
    run = deploy("degraded-1.3.0")
    assert run.rc != 0 and "says 'degraded'" in run.output
    assert acme.service()["taskDefinition"] == good
    report = last_report(reports)
    assert report["result"] == "rolled_back" and report["reason"]["kind"] == "health_check"


def test_a_slow_rollout_fails_at_the_timeout_and_rolls_back(deploy, acme: Stack, reports: Path) -> None:
    good = acme.service()["taskDefinition"]
    run = deploy("slow-1.4.0", deploy_rollout_timeout=10)
    assert run.rc != 0 and "did not complete within 10 s" in run.output
    report = last_report(reports)
    assert report["reason"]["kind"] == "timeout" and report["deployment_id"] in report["reason"]["message"]
    assert report["result"] == "rolled_back" and acme.service()["taskDefinition"] == good


def test_a_failing_migration_stops_the_release_before_the_service_changes(deploy, acme: Stack, reports: Path) -> None:
    running, deployments, _ = acme.snapshot()
    run = deploy("v1.1.0", deploy_migration_command=["python", "-m", "app.migrate", "fail-migration"])
    assert run.rc != 0 and "FAILED before the service changed" in run.output
    assert "exited with code 1" in run.output and "logs: /aws/ecs/" in run.output
    after, deployments_after, _ = acme.snapshot()
    assert (after, deployments_after) == (running, deployments)
    assert last_report(reports)["result"] == "migration_failed"


def test_a_release_to_every_stack_stops_at_the_first_failure(deploy, acme: Stack, globex: Stack) -> None:
    good, globex_before = acme.service()["taskDefinition"], globex.snapshot()
    run = deploy("broken-1.2.0", "inventories/")
    assert run.rc != 0
    assert run.recap[ACME]["failed"] == 1
    assert GLOBEX not in run.recap and "triflow-demo-dev" not in run.recap
    assert acme.service()["taskDefinition"] == good
    assert globex.snapshot() == globex_before


def test_site_yml_after_a_release_keeps_the_released_image(playbook: Any, acme: Stack, topic: Topic) -> None:
    topic.close()
    released = acme.service()["taskDefinition"]
    run = playbook("site.yml", "inventories/customer_a")
    assert run.rc == 0 and run.changed(ACME) == 0, run.tail()
    assert acme.service()["taskDefinition"] == released and acme.tag() == "v1.0.0"
