"""Gap 5: CreateService keeps deployment settings (patch ecs_create_service_fields)."""

from typing import Any

from support.aws import Endpoint, unique
from support.emulator import gap_message

PATCH = "ecs_create_service_fields"
FIELDS = (
    "deploymentConfiguration",
    "healthCheckGracePeriodSeconds",
    "enableExecuteCommand",
    "capacityProviderStrategy",
)
DEPLOYMENT_CONFIGURATION = {
    "deploymentCircuitBreaker": {"enable": True, "rollback": True},
    "maximumPercent": 200,
    "minimumHealthyPercent": 50,
}
CAPACITY_PROVIDER_STRATEGY = [{"capacityProvider": "FARGATE", "weight": 1, "base": 1}]
AWS_DEFAULT_DEPLOYMENT_CONFIGURATION = {
    "deploymentCircuitBreaker": {"enable": False, "rollback": False},
    "maximumPercent": 200,
    "minimumHealthyPercent": 100,
}


def setup_cluster(ecs: Any) -> tuple[str, str]:
    cluster = unique("cluster")
    ecs.create_cluster(clusterName=cluster)
    family = unique("task")
    ecs.register_task_definition(family=family, containerDefinitions=[{"name": "app", "image": "nginx", "memory": 128}])
    return cluster, family


def observed(ecs: Any, cluster: str, service: str) -> dict[str, Any]:
    (described,) = ecs.describe_services(cluster=cluster, services=[service])["services"]
    return {key: described.get(key) for key in (*FIELDS, "launchType")}


def test_create_service_keeps_deployment_settings(aws_target: Endpoint) -> None:
    ecs = aws_target.client("ecs")
    cluster, family = setup_cluster(ecs)
    created = ecs.create_service(
        cluster=cluster,
        serviceName="configured",
        taskDefinition=family,
        desiredCount=1,
        deploymentConfiguration=DEPLOYMENT_CONFIGURATION,
        healthCheckGracePeriodSeconds=60,
        enableExecuteCommand=True,
        capacityProviderStrategy=CAPACITY_PROVIDER_STRATEGY,
    )["service"]
    ecs.create_service(cluster=cluster, serviceName="plain", taskDefinition=family, desiredCount=1)

    if not aws_target.patched:
        stock = dict.fromkeys(FIELDS, None) | {"launchType": "EC2"}
        assert observed(ecs, cluster, "configured") == stock, gap_message(5, PATCH)
        return

    expected = {
        "deploymentConfiguration": DEPLOYMENT_CONFIGURATION,
        "healthCheckGracePeriodSeconds": 60,
        "enableExecuteCommand": True,
        "capacityProviderStrategy": CAPACITY_PROVIDER_STRATEGY,
        "launchType": None,
    }
    assert {key: created.get(key) for key in expected} == expected
    assert observed(ecs, cluster, "configured") == expected
    assert observed(ecs, cluster, "plain") == {
        "deploymentConfiguration": AWS_DEFAULT_DEPLOYMENT_CONFIGURATION,
        "healthCheckGracePeriodSeconds": None,
        "enableExecuteCommand": False,
        "capacityProviderStrategy": None,
        "launchType": "EC2",
    }
