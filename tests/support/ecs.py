"""An ECS Fargate service behind an IP target group on an emulator, and helpers that read its rollout back."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from support.aws import Endpoint, unique

BREAKER_ROLLBACK = {
    "deploymentCircuitBreaker": {"enable": True, "rollback": True},
    "maximumPercent": 200,
    "minimumHealthyPercent": 100,
}


def wait_for(check: Callable[[], Any], timeout: float = 30, what: str = "the condition") -> Any:
    """Poll ``check`` every 0.1 s until it returns something true; fail naming ``what`` after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout:.1f} s")
        time.sleep(0.1)


@dataclass
class Service:
    """A Fargate service in awsvpc mode behind an IP target group, and helpers to read it back."""

    endpoint: Endpoint
    cluster: str
    name: str
    family: str
    target_group_arn: str

    @property
    def ecs(self) -> Any:
        return self.endpoint.client("ecs")

    def revision(self, tag: str, command: list[str] | None = None) -> str:
        container: dict[str, Any] = {"name": "backend", "image": f"repo/backend:{tag}", "essential": True}
        container["portMappings"] = [{"containerPort": 8000}]
        if command:
            container["command"] = command
        answer = self.ecs.register_task_definition(
            family=self.family,
            networkMode="awsvpc",
            requiresCompatibilities=["FARGATE"],
            cpu="256",
            memory="512",
            containerDefinitions=[container],
        )
        return answer["taskDefinition"]["taskDefinitionArn"]

    def describe(self) -> dict[str, Any]:
        return self.ecs.describe_services(cluster=self.cluster, services=[self.name])["services"][0]

    def deploy(self, tag: str) -> tuple[str, dict[str, Any]]:
        arn = self.revision(tag)
        service = self.ecs.update_service(cluster=self.cluster, service=self.name, taskDefinition=arn)["service"]
        primary = next(d for d in service["deployments"] if d["status"] == "PRIMARY")
        return arn, primary

    def tasks(self, status: str = "RUNNING") -> list[dict[str, Any]]:
        arns = self.ecs.list_tasks(cluster=self.cluster, serviceName=self.name, desiredStatus=status)["taskArns"]
        return self.ecs.describe_tasks(cluster=self.cluster, tasks=arns)["tasks"] if arns else []

    def targets(self) -> dict[str, str]:
        elbv2 = self.endpoint.client("elbv2")
        health = elbv2.describe_target_health(TargetGroupArn=self.target_group_arn)["TargetHealthDescriptions"]
        return {entry["Target"]["Id"]: entry["TargetHealth"]["State"] for entry in health}

    def settled(self) -> dict[str, Any] | None:
        service = self.describe()
        deployments = service["deployments"]
        done = len(deployments) == 1 and deployments[0]["rolloutState"] != "IN_PROGRESS"
        return service if done and service["runningCount"] == service["desiredCount"] else None

    def service_deployments(self) -> list[dict[str, Any]]:
        briefs = self.ecs.list_service_deployments(cluster=self.cluster, service=self.name)["serviceDeployments"]
        arns = [brief["serviceDeploymentArn"] for brief in briefs]
        return self.ecs.describe_service_deployments(serviceDeploymentArns=arns)["serviceDeployments"]

    def messages(self) -> list[str]:
        return [event["message"] for event in self.describe()["events"]]


def make_service(
    endpoint: Endpoint, breaker: dict[str, Any] | None = None, desired: int = 2, settle_timeout: float = 30
) -> Service:
    ec2, elbv2, ecs = endpoint.client("ec2"), endpoint.client("elbv2"), endpoint.client("ecs")
    vpc = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.40.1.0/24")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName=unique("app"), Description="app", VpcId=vpc)["GroupId"]
    target_group = elbv2.create_target_group(
        Name=unique("tg"), Protocol="HTTP", Port=8000, VpcId=vpc, TargetType="ip", HealthCheckPath="/health"
    )["TargetGroups"][0]["TargetGroupArn"]
    cluster = unique("cluster")
    ecs.create_cluster(clusterName=cluster)
    service = Service(endpoint, cluster, unique("backend"), unique("family"), target_group)
    first = service.revision("v1.0.0")
    ecs.create_service(
        cluster=cluster,
        serviceName=service.name,
        taskDefinition=first,
        desiredCount=desired,
        launchType="FARGATE",
        loadBalancers=[{"targetGroupArn": target_group, "containerName": "backend", "containerPort": 8000}],
        networkConfiguration={"awsvpcConfiguration": {"subnets": [subnet], "securityGroups": [group]}},
        deploymentConfiguration=breaker or BREAKER_ROLLBACK,
    )
    wait_for(service.settled, timeout=settle_timeout, what="the first deployment")
    return service
