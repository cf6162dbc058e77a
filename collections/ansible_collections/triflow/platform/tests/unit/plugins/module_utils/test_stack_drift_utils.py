"""How the drift check's tagged area names what the Resource Groups Tagging API lists (ARN forms from AWS's
"Amazon Resource Names" reference of each service), so that a converged stack's resources are known by the names
its desired states hold."""

from __future__ import annotations

import pytest
from ansible_collections.triflow.platform.plugins.module_utils.stack_drift import tagged_name

A = "arn:aws:{service}:ap-northeast-2:123456789012:{resource}"


@pytest.mark.parametrize(
    ("service", "resource", "name"),
    [
        ("ec2", "natgateway/nat-0abc", "nat-0abc"),
        ("ec2", "security-group/sg-0abc", "sg-0abc"),
        (
            "secretsmanager",
            "secret:triflow-acme-prod/db-master-password-AbC123",
            "triflow-acme-prod/db-master-password",
        ),
        ("logs", "log-group:/aws/ecs/triflow-acme-prod-backend", "/aws/ecs/triflow-acme-prod-backend"),
        ("logs", "log-group:/aws/ecs/triflow-acme-prod-backend:*", "/aws/ecs/triflow-acme-prod-backend"),
        ("elasticache", "replicationgroup:triflow-acme-prod-redis", "triflow-acme-prod-redis"),
        ("elasticache", "cluster:triflow-acme-prod-redis-002", "triflow-acme-prod-redis"),
        ("elasticache", "parametergroup:triflow-acme-prod-redis7", "triflow-acme-prod-redis7"),
        ("rds", "db:triflow-acme-prod-db", "triflow-acme-prod-db"),
        ("rds", "pg:triflow-acme-prod-postgres16", "triflow-acme-prod-postgres16"),
        ("ecs", "cluster/triflow-acme-prod", "triflow-acme-prod"),
        ("ecs", "service/triflow-acme-prod/triflow-acme-prod-backend", "triflow-acme-prod-backend"),
        ("ecs", "task-definition/triflow-acme-prod-backend:42", "triflow-acme-prod-backend"),
        ("ecs", "task/triflow-acme-prod/0123456789abcdef", "triflow-acme-prod"),
        ("elasticloadbalancing", "loadbalancer/app/triflow-acme-prod-alb/50dc6c495c0c9188", "triflow-acme-prod-alb"),
        ("elasticloadbalancing", "targetgroup/triflow-acme-prod-tg/73e2d6bc24d8a067", "triflow-acme-prod-tg"),
        (
            "elasticloadbalancing",
            "listener/app/triflow-acme-prod-alb/50dc6c495c0c9188/f2f7dc8efc522ab2",
            "triflow-acme-prod-alb",
        ),
        ("cloudwatch", "alarm:triflow-acme-prod-rds-cpu-high", "triflow-acme-prod-rds-cpu-high"),
        ("sns", "triflow-acme-prod-alarms", "triflow-acme-prod-alarms"),
        ("ecr", "repository/triflow-acme-prod-backend", "triflow-acme-prod-backend"),
    ],
)
def test_an_arn_is_named_as_the_desired_states_name_it(service: str, resource: str, name: str) -> None:
    assert tagged_name(A.format(service=service, resource=resource)) == name


def test_a_bucket_is_its_name() -> None:
    assert tagged_name("arn:aws:s3:::triflow-acme-prod-files-123456789012") == "triflow-acme-prod-files-123456789012"
