"""The ecs_service role's model (module_utils/roles/ecs_service.py) on its real defaults: checks, desired state, IAM
policies, container and URLs."""

from __future__ import annotations

import pytest
from ansible_collections.triflow.platform.plugins.module_utils.roles.ecs_service import (
    container_definition,
    database_url,
    iam_policies,
    redis_url,
    service_unmanaged_differences,
)
from support import roles

PREFIX = "triflow-acme-prod"
CERTIFICATE = "arn:aws:acm:ap-northeast-2:123456789012:certificate/0f5e1d2c-3b4a-4c5d-8e9f-0a1b2c3d4e5f"


def test_defaults_are_valid_and_follow_spec():
    state = roles.desired_state("ecs_service")
    assert state["task"]["cpu"] == "1024" and state["task"]["memory"] == "2048"
    assert state["log_group"] == {
        "name": f"/aws/ecs/{PREFIX}-backend",
        "region": "ap-northeast-2",
        "retention_days": 14,
        "tags": {**roles.values("ecs_service")["ecs_service_tags"], "Name": f"/aws/ecs/{PREFIX}-backend"},
    }
    assert state["service"]["deployment_configuration"] == {
        "minimumHealthyPercent": 100,
        "maximumPercent": 200,
        "deploymentCircuitBreaker": {"enable": True, "rollback": True},
    }
    assert state["autoscaling"]["resource_id"] == f"service/{PREFIX}/{PREFIX}-backend"
    assert (state["autoscaling"]["min"], state["autoscaling"]["max"], state["autoscaling"]["cpu_target"]) == (
        2,
        5,
        70.0,
    )
    assert len(state["alb"]["name"]) <= 32 and len(state["target_group"]["name"]) <= 32
    assert state["task"]["health_check"]["interval"] == 30 and state["task"]["health_check"]["startPeriod"] == 60


def test_without_a_certificate_port_80_forwards():
    state = roles.desired_state("ecs_service")
    assert state["https"] is False
    assert state["alb"]["listeners"] == [
        {"Protocol": "HTTP", "Port": 80, "DefaultActions": [{"Type": "forward", "TargetGroupName": f"{PREFIX}-tg"}]}
    ]


def test_with_a_certificate_443_serves_tls_and_80_redirects():
    state = roles.desired_state("ecs_service", ecs_service_certificate_arn=CERTIFICATE)
    listeners = {item["Port"]: item for item in state["alb"]["listeners"]}
    assert listeners[443]["Protocol"] == "HTTPS"
    assert listeners[443]["SslPolicy"] == "ELBSecurityPolicy-TLS13-1-2-2021-06"
    assert listeners[443]["Certificates"] == [{"CertificateArn": CERTIFICATE}]
    redirect = listeners[80]["DefaultActions"][0]
    assert redirect["Type"] == "redirect" and redirect["RedirectConfig"]["Port"] == "443"
    assert redirect["RedirectConfig"]["StatusCode"] == "HTTP_301"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"ecs_service_task_cpu": 1000}, "ecs_service_task_cpu 1000 is invalid; Fargate offers: 256, 512"),
        ({"ecs_service_task_memory": 1024}, "ecs_service_task_memory 1024 is invalid with ecs_service_task_cpu 1024"),
        ({"ecs_service_task_cpu": 256, "ecs_service_task_memory": 4096}, "ecs_service_task_memory 4096 is invalid"),
        ({"ecs_service_min_count": 6}, "ecs_service_min_count 6 is above ecs_service_max_count 5"),
        ({"ecs_service_desired_count": 1}, "ecs_service_desired_count 1 is outside ecs_service_min_count"),
        ({"ecs_service_max_count": 0}, "ecs_service_max_count 0 is invalid"),
        ({"ecs_service_certificate_arn": "arn:aws:iam::123456789012:server-certificate/x"}, "is not an ACM"),
        ({"ecs_service_certificate_arn": "not-an-arn"}, "ecs_service_certificate_arn 'not-an-arn' is not an ACM"),
        (
            {"ecs_service_log_retention_days": 15},
            "ecs_service_log_retention_days 15 is not a CloudWatch Logs retention",
        ),
        ({"ecs_service_health_check_path": "health"}, "ecs_service_health_check_path 'health' is invalid"),
        ({"ecs_service_target_health_timeout": 20}, "ecs_service_target_health_timeout must be below"),
        ({"ecs_service_max_percent": 100}, "ecs_service_max_percent must be above ecs_service_min_healthy_percent"),
        ({"ecs_service_metrics_namespace": "AWS/ECS"}, "ecs_service_metrics_namespace 'AWS/ECS' is invalid"),
        ({"ecs_service_extra_environment": {"DATABASE_URL": "x"}}, "must not set DATABASE_URL"),
        ({"ecs_service_extra_environment": {"bad-name": "x"}}, "ecs_service_extra_environment key 'bad-name'"),
        ({"ecs_service_initial_image_tag": "v1:2"}, "ecs_service_initial_image_tag 'v1:2' is invalid"),
        ({"ecs_service_tls_policy": "TLS13"}, "ecs_service_tls_policy 'TLS13' is invalid"),
        ({"ecs_service_task_cpu": "one"}, "argument 'ecs_service_task_cpu' is of type str and we were unable to"),
    ],
)
def test_bad_input_names_the_variable(changes, message):
    errors = roles.errors("ecs_service", **changes)
    assert any(message in error for error in errors), errors


@pytest.mark.parametrize("cpu", [256, 512, 1024, 2048, 4096, 8192, 16384])
def test_every_fargate_cpu_accepts_its_smallest_memory(cpu):
    smallest = {256: 512, 512: 1024, 1024: 2048, 2048: 4096, 4096: 8192, 8192: 16384, 16384: 32768}[cpu]
    assert roles.errors("ecs_service", ecs_service_task_cpu=cpu, ecs_service_task_memory=smallest) == []


def test_policies_are_scoped_and_star_only_where_aws_requires_it():
    state = roles.desired_state("ecs_service")
    secrets = {
        "DATABASE_URL": f"arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:{PREFIX}/database-url-AbCdEf",
        "SECRET_KEY": f"arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:{PREFIX}/app-secret-key-GhIjKl",
    }
    repository = f"arn:aws:ecr:ap-northeast-2:123456789012:repository/{PREFIX}-backend"
    policies = iam_policies(state, "123456789012", "ap-northeast-2", secrets, "bucket-x", repository)
    star = {
        action
        for document in policies.values()
        for statement in document["Statement"]
        if statement["Resource"] == "*"
        for action in statement["Action"]
    }
    assert star == {"ecr:GetAuthorizationToken", "cloudwatch:PutMetricData"}
    execution = {st["Sid"]: st for st in policies["execution"]["Statement"]}
    assert execution["ReadTheBackendSecrets"]["Resource"] == sorted(secrets.values())
    assert execution["PullTheBackendImage"]["Resource"] == [repository]
    task = {st["Sid"]: st for st in policies["task"]["Statement"]}
    assert task["PublishTheAppMetrics"]["Condition"] == {"StringEquals": {"cloudwatch:namespace": f"TriFlow/{PREFIX}"}}
    assert task["ReadWriteTheStackObjects"]["Resource"] == ["arn:aws:s3:::bucket-x/*"]


def test_urls_quote_credentials_and_use_tls():
    assert database_url("app", "p@ss/w:rd", "db.example", 5432, "triflow") == (
        "postgresql://app:p%40ss%2Fw%3Ard@db.example:5432/triflow?sslmode=require"
    )
    assert redis_url("tok en", "master.example", 6379) == "rediss://:tok%20en@master.example:6379/0"


def test_container_sorts_environment_and_secrets():
    state = roles.desired_state("ecs_service")
    container = container_definition(
        state, "repo:v1", {"B": 2, "A": "x"}, {"Z": "arn:z", "M": "arn:m"}, "ap-northeast-2"
    )
    assert container["environment"] == [{"name": "A", "value": "x"}, {"name": "B", "value": "2"}]
    assert [item["name"] for item in container["secrets"]] == ["M", "Z"]
    assert container["logConfiguration"]["options"]["awslogs-group"] == f"/aws/ecs/{PREFIX}-backend"


def test_the_environment_is_built_by_the_model_from_the_other_roles_states():
    facts = roles.published_facts("ecs_service")
    state = roles.desired_state(
        "ecs_service", ecs_service_db_host="db.internal", ecs_service_extra_environment={"FEATURE": "on"}
    )
    assert state["task"]["environment"] == {
        "FEATURE": "on",
        "ENVIRONMENT": "prod",
        "AWS_REGION": "ap-northeast-2",
        "S3_BUCKET_NAME": facts["storage_desired_state"]["bucket"],
        "DB_HOST": "db.internal",
        "DB_PORT": 5432,
        "DB_NAME": facts["rds_desired_state"]["instance"]["db_name"],
        "METRICS_NAMESPACE": f"TriFlow/{PREFIX}",
    }


def test_the_port_and_the_task_maximum_follow_the_roles_that_size_for_them():
    facts = roles.published_facts("ecs_service")
    facts["network_desired_state"] = {
        **facts["network_desired_state"],
        "ports": {"app": 9000, "db": 5432, "cache": 6379},
    }
    facts["rds_desired_state"] = {**facts["rds_desired_state"], "app_max_tasks": 8}
    state, errors = roles.result("ecs_service", facts)
    assert errors == []
    assert (state["task"]["container_port"], state["target_group"]["port"]) == (9000, 9000)
    assert state["autoscaling"]["max"] == 8


def _service(**changes):
    service = {
        "deploymentConfiguration": {
            "minimumHealthyPercent": 100,
            "maximumPercent": 200,
            "deploymentCircuitBreaker": {"enable": True, "rollback": True},
        },
        "networkConfiguration": {
            "awsvpcConfiguration": {"subnets": ["s-2", "s-1"], "securityGroups": ["sg-1"], "assignPublicIp": "DISABLED"}
        },
    }
    service.update(changes)
    return service


def test_unmanaged_differences_of_a_service():
    state = roles.desired_state("ecs_service")
    assert service_unmanaged_differences({}, state, ["s-1"], ["sg-1"]) == []
    assert service_unmanaged_differences(_service(), state, ["s-1", "s-2"], ["sg-1"]) == []
    drifted = _service(deploymentConfiguration={"minimumHealthyPercent": 50, "maximumPercent": 200})
    assert service_unmanaged_differences(drifted, state, ["s-1", "s-2"], ["sg-1"]) == [
        "deploymentConfiguration.minimumHealthyPercent",
        "deploymentConfiguration.deploymentCircuitBreaker.enable",
        "deploymentConfiguration.deploymentCircuitBreaker.rollback",
    ]
    assert service_unmanaged_differences(_service(), state, ["s-1"], ["sg-2"]) == [
        "networkConfiguration.subnets",
        "networkConfiguration.securityGroups",
    ]
