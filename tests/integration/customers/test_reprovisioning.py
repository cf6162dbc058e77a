"""Re-provisioning after a release: site.yml keeps the deployed image and the autoscaled task count (SPEC defect 6),
and puts back drifted deployment settings (the circuit breaker switched off). On Globex's converged stack."""

from __future__ import annotations

from .conftest import GLOBEX

PREFIX = GLOBEX
INVENTORY = "inventories/customer_b"


def test_reprovisioning_keeps_the_deployed_image_and_the_autoscaled_count(emulator, playbook, customers):
    ecs = emulator.client("ecs")
    cluster, name = PREFIX, f"{PREFIX}-backend"
    service = ecs.describe_services(cluster=cluster, services=[name])["services"][0]
    described = ecs.describe_task_definition(taskDefinition=service["taskDefinition"], include=["TAGS"])
    task = described["taskDefinition"]
    container = {**task["containerDefinitions"][0]}
    container["image"] = container["image"].rsplit(":", 1)[0] + ":v2.0.1"
    deployed = ecs.register_task_definition(
        family=task["family"],
        taskRoleArn=task["taskRoleArn"],
        executionRoleArn=task["executionRoleArn"],
        networkMode=task["networkMode"],
        containerDefinitions=[container],
        volumes=task["volumes"],
        requiresCompatibilities=task["requiresCompatibilities"],
        cpu=task["cpu"],
        memory=task["memory"],
        runtimePlatform=task["runtimePlatform"],
        tags=described["tags"],
    )["taskDefinition"]["taskDefinitionArn"]
    ecs.update_service(cluster=cluster, service=name, taskDefinition=deployed)
    ecs.update_service(
        cluster=cluster,
        service=name,
        desiredCount=4,
        deploymentConfiguration={
            "minimumHealthyPercent": 50,
            "maximumPercent": 200,
            "deploymentCircuitBreaker": {"enable": False, "rollback": False},
        },
    )
    try:
        run = playbook("site.yml", INVENTORY)
        assert run.rc == 0, run.tail()
        after = ecs.describe_services(cluster=cluster, services=[name])["services"][0]
        # AWS reports the ARN; moto the family:revision UpdateService was given. The revision is what counts.
        assert after["taskDefinition"].split("/")[-1] == deployed.split("/")[-1]
        image = ecs.describe_task_definition(taskDefinition=after["taskDefinition"])["taskDefinition"]
        assert image["containerDefinitions"][0]["image"].endswith(":v2.0.1")
        assert after["desiredCount"] == 4
        assert after["deploymentConfiguration"]["minimumHealthyPercent"] == 100
        assert after["deploymentConfiguration"]["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}

        again = playbook("site.yml", INVENTORY)
        assert again.rc == 0 and again.changed(PREFIX) == 0, again.tail(4000)
    finally:
        # Autoscaling's part: back to the SPEC's two tasks for the other tests of the stack.
        ecs.update_service(cluster=cluster, service=name, desiredCount=2)
