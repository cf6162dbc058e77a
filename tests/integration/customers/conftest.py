"""Two customers' whole stacks (inventories/customer_a and customer_b) converged side by side once, and shared by
the files of this folder (one pytest worker runs them all: tests/conftest.py). A test that changes a stack puts it
back.
"""

from __future__ import annotations

from typing import Any

import pytest
from support.emulator import Emulator
from support.playbook import assert_ok
from support.stack_resources import resources_of, unattached_elastic_ips

ACME = "triflow-acme-prod"
GLOBEX = "triflow-globex-staging"
INVENTORIES = ("inventories/customer_a", "inventories/customer_b")
# Releases and rotations: the emulator answers each service's /health (the load balancers' names do not resolve).
HEALTH_URL = (
    "{{ lookup('ansible.builtin.env', 'AWS_ENDPOINT_URL') }}/_triflow/app/"
    "{{ ecs_service_desired_state.cluster.name }}/{{ ecs_service_desired_state.service.name }}/health"
)
FAST = {"deploy_poll_interval": 0.5, "deploy_health_interval": 0.2, "deploy_health_url": HEALTH_URL}


# What real AWS does now and then, on the first converge: 10 % of the calls throttled, 2 % answered 500 / 503
# before the call is carried out (the emulator's fault injection; tools/emulator/README.md); and the first call of
# each write action the stacks make carried out, then answered 500 / 503, so botocore retries a write that went
# through (the case that makes duplicates or fails on "already exists").
AFTER_WRITE = (
    "application-autoscaling.PutScalingPolicy",
    "application-autoscaling.RegisterScalableTarget",
    "ec2.AllocateAddress",
    "ec2.AssociateRouteTable",
    "ec2.AttachInternetGateway",
    "ec2.AuthorizeSecurityGroupEgress",
    "ec2.AuthorizeSecurityGroupIngress",
    "ec2.CreateFlowLogs",
    "ec2.CreateInternetGateway",
    "ec2.CreateNatGateway",
    "ec2.CreateRoute",
    "ec2.CreateRouteTable",
    "ec2.CreateSecurityGroup",
    "ec2.CreateSubnet",
    "ec2.CreateTags",
    "ec2.CreateVpc",
    "ec2.CreateVpcEndpoint",
    "ec2.ModifyVpcAttribute",
    "ec2.RevokeSecurityGroupEgress",
    "ecr.CreateRepository",
    "ecr.PutImageScanningConfiguration",
    "ecr.PutLifecyclePolicy",
    "ecr.TagResource",
    "ecs.CreateCluster",
    "ecs.CreateService",
    "ecs.RegisterTaskDefinition",
    "ecs.TagResource",
    "elasticache.CreateCacheParameterGroup",
    "elasticache.CreateCacheSubnetGroup",
    "elasticache.CreateReplicationGroup",
    "elasticache.ModifyCacheParameterGroup",
    "elasticloadbalancing.AddTags",
    "elasticloadbalancing.CreateListener",
    "elasticloadbalancing.CreateLoadBalancer",
    "elasticloadbalancing.CreateTargetGroup",
    "elasticloadbalancing.ModifyLoadBalancerAttributes",
    "elasticloadbalancing.ModifyTargetGroupAttributes",
    "iam.AttachRolePolicy",
    "iam.CreateRole",
    "iam.PutRolePolicy",
    "logs.CreateLogGroup",
    "logs.PutMetricFilter",
    "logs.PutRetentionPolicy",
    "monitoring.PutDashboard",
    "monitoring.PutMetricAlarm",
    "rds.CreateDBInstance",
    "rds.CreateDBParameterGroup",
    "rds.CreateDBSubnetGroup",
    "rds.ModifyDBParameterGroup",
    "s3.PUT",
    "secretsmanager.CreateSecret",
    "secretsmanager.PutResourcePolicy",
    "sns.CreateTopic",
    "sns.SetTopicAttributes",
    "sns.Subscribe",
)
FAULTS = ";".join(["throttle=0.1,error=0.02,seed=7"] + [f"{call}:error=1,when=after,times=1" for call in AFTER_WRITE])


@pytest.fixture(scope="session")
def customers(emulator: Emulator, playbook: Any) -> dict[str, Any]:
    """Both customers' whole stacks converged by one run (side by side, under forks) under injected faults, re-run
    without them, then checked; with the first run's call log and the resources it left."""
    emulator.reset()
    emulator.clear_calls()
    emulator.set_faults(FAULTS)
    try:
        first = assert_ok(playbook("site.yml", *INVENTORIES))
    finally:
        emulator.clear_faults()
    first_calls = emulator.calls(log=True)
    built = {prefix: resources_of(emulator, prefix) for prefix in (ACME, GLOBEX)}
    unattached = unattached_elastic_ips(emulator)
    second = assert_ok(playbook("site.yml", *INVENTORIES))
    check = assert_ok(playbook("site.yml", *INVENTORIES, check=True))
    return {
        "first": first,
        "second": second,
        "check": check,
        "first_calls": first_calls,
        "built": built,
        "unattached_eips": unattached,
    }
