"""Two customers' whole stacks (inventories/customer_a and customer_b) converged side by side once, and shared by
the files of this folder (one pytest worker runs them all: tests/conftest.py). A test that changes a stack puts it
back.

``stacks``: the demo stack (inventories/local) converged beside them, for the drift check's three stacks.
``drift_check(*args)`` runs ``tools/drift-check`` (the command the README names) against the emulator, with its
reports in a folder of their own, and answers its exit status, output, summary and per-stack reports.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from support.emulator import REPO, Emulator
from support.playbook import PLAYBOOK_TIMEOUT, assert_ok
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


STACKS = ("triflow-acme-prod", "triflow-demo-dev", "triflow-globex-staging")


@dataclass
class DriftRun:
    rc: int
    output: str
    reports: Path

    @property
    def summary(self) -> dict[str, Any]:
        return json.loads((self.reports / "summary.json").read_text())

    def report(self, stack: str) -> dict[str, Any]:
        return json.loads((self.reports / f"{stack}.json").read_text())

    def findings(self, stack: str) -> list[dict[str, Any]]:
        return self.report(stack)["findings"]


@pytest.fixture(scope="session")
def stacks(customers: dict[str, Any], playbook: Any) -> tuple[str, ...]:
    """The three stacks of inventories/: the customers' (converged under faults), and the demo stack beside them."""
    assert_ok(playbook("site.yml", "inventories/local"))
    return STACKS


@pytest.fixture
def drift_check(emulator: Emulator, tmp_path: Path):
    def run(*args: str, env: dict[str, str] | None = None) -> DriftRun:
        completed = subprocess.run(
            [sys.executable, str(REPO / "tools" / "drift-check"), *args],
            cwd=REPO,
            env={**emulator.env, "TRIFLOW_REPORT_DIR": str(tmp_path), **(env or {})},
            capture_output=True,
            text=True,
            timeout=PLAYBOOK_TIMEOUT,
        )
        return DriftRun(completed.returncode, completed.stdout + completed.stderr, tmp_path / "drift")

    return run
