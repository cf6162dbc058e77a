"""Bad input fails before any AWS call, with a message naming the variable, and creates nothing.

Every case is a host of one inventory, all checked by a single site.yml run (a host's failure stops that host
only), so each case costs a host's input checks rather than a whole ansible-playbook start.
"""

from __future__ import annotations

import json

import pytest
import yaml
from support.aws import resource_counts

CASES = [
    ({"network_vpc_cidr": "10.0.0.0/33"}, "network_vpc_cidr '10.0.0.0/33' is not a valid IPv4 CIDR block"),
    ({"network_vpc_cidr": "10.0.300.0/16"}, "network_vpc_cidr '10.0.300.0/16' is not a valid IPv4 CIDR block"),
    (
        {"network_public_subnet_cidrs": ["10.0.1.0/24", "10.1.2.0/24"]},
        "network_public_subnet_cidrs[1] '10.1.2.0/24' is outside network_vpc_cidr '10.0.0.0/16'",
    ),
    (
        {"network_private_subnet_cidrs": ["10.0.1.0/25", "10.0.12.0/24"]},
        "network_public_subnet_cidrs[0] '10.0.1.0/24' overlaps network_private_subnet_cidrs[0] '10.0.1.0/25'",
    ),
    (
        {"network_public_subnet_cidrs": ["10.0.1.0/24"]},
        "network_public_subnet_cidrs has 1 entries but network_availability_zones has 2",
    ),
    ({"stack_customer": "Acme"}, "stack_customer 'Acme' is invalid: use lowercase letters"),
    ({"stack_customer": "acme_corp"}, "stack_customer 'acme_corp' is invalid: use lowercase letters"),
    ({"stack_customer": "a-very-long-customer-name"}, "at most 28 are allowed"),
    ({"network_nat_mode": "double"}, "network_nat_mode"),
    ({"network_app_port": "eighty"}, "network_app_port"),
    (
        {"stack_availability_zones": ["ap-northeast-2a", "us-east-1b"]},
        "stack_availability_zones entry 'us-east-1b' is not a zone of stack_region 'ap-northeast-2'",
    ),
    ({"stack_extra_tags": {"Customer": "other"}}, "stack_extra_tags must not set 'Customer'"),
    ({"rds_engine_version": "16.3"}, "rds_engine_version '16.3' has no RDS build with pgvector 0.8 or later"),
    (
        {"elasticache_automatic_failover": True, "elasticache_replicas": 0},
        "elasticache_automatic_failover needs elasticache_replicas of at least 1",
    ),
    (
        {"rds_backup_window": "18:30-19:30"},
        "rds_backup_window '18:30-19:30' overlaps rds_maintenance_window 'mon:19:00-mon:20:00'",
    ),
    (
        {"rds_max_allocated_storage": 50},
        "rds_max_allocated_storage 50 is below rds_allocated_storage 100",
    ),
    ({"rds_iops": 3000}, "rds_iops is set but rds_allocated_storage is 100 GiB"),
    (
        {"elasticache_snapshot_window": "19:00-20:00", "elasticache_maintenance_window": "sun:19:30-sun:20:30"},
        "elasticache_snapshot_window '19:00-20:00' overlaps elasticache_maintenance_window",
    ),
    ({"storage_tenants_prefix": "tenants/*/workflow/"}, "storage_tenants_prefix 'tenants/*/workflow/' is invalid"),
    (
        {"ecs_service_min_count": 6, "ecs_service_max_count": 5},
        "ecs_service_min_count 6 is above ecs_service_max_count 5",
    ),
    (
        {"ecs_service_desired_count": 7},
        "ecs_service_desired_count 7 is outside ecs_service_min_count..ecs_service_max_count (2..5)",
    ),
    (
        {"ecs_service_task_cpu": 1024, "ecs_service_task_memory": 1024},
        "ecs_service_task_memory 1024 is invalid with ecs_service_task_cpu 1024",
    ),
    ({"ecs_service_task_cpu": 1000}, "ecs_service_task_cpu 1000 is invalid; Fargate offers"),
    (
        {"ecs_service_certificate_arn": "arn:aws:iam::123456789012:server-certificate/triflow"},
        "ecs_service_certificate_arn 'arn:aws:iam::123456789012:server-certificate/triflow' is not an ACM",
    ),
    ({"ecs_service_log_retention_days": 15}, "ecs_service_log_retention_days 15 is not a CloudWatch Logs retention"),
    ({"secrets_recovery_window_days": 3}, "secrets_recovery_window_days 3 is invalid: a whole number from 7 to 30"),
    (
        {"secrets_generated": [{"key": "db_master_password", "description": "db", "length": 8}]},
        "secrets_generated[0].length 8 is invalid: a whole number from 16 to 128",
    ),
    ({"ecr_repository_name": "Triflow/Backend"}, "ecr_repository_name gives the repository name 'Triflow/Backend'"),
    ({"ecr_image_tag_mutability": "sometimes"}, "ecr_image_tag_mutability must be one of: IMMUTABLE, MUTABLE"),
    (
        {"alarms_subscriptions": [{"protocol": "sms", "endpoint": "+821012345678"}]},
        "alarms_subscriptions[0].protocol 'sms' is invalid; allowed values: email, https",
    ),
    ({"alarms_ecs_memory_high_period": 90}, "alarms_ecs_memory_high_period 90 is invalid: seconds, a multiple of 60"),
]


def _failures(output: str) -> dict[str, list[str]]:
    """The messages of every failed task result, per host, from the JSON callback's report."""
    report, _end = json.JSONDecoder().raw_decode(output[output.index("{") :])
    failures: dict[str, list[str]] = {}
    for play in report["plays"]:
        for task in play["tasks"]:
            for host, result in task["hosts"].items():
                if result.get("failed"):
                    failures.setdefault(host, []).append(str(result.get("msg", "")))
    return failures


@pytest.fixture(scope="module")
def rejected(emulator, playbook, tmp_path_factory):
    """One run of site.yml over an inventory with a host per bad input; what AWS held before and after."""
    emulator.reset()
    before = resource_counts(emulator)
    hosts = {
        f"bad-{index:02d}": {"stack_customer": "demo", "stack_environment": "dev", **extra_vars}
        for index, (extra_vars, _) in enumerate(CASES)
    }
    inventory = tmp_path_factory.mktemp("bad-input") / "hosts.yml"
    inventory.write_text(yaml.safe_dump({"triflow_stacks": {"hosts": hosts}}))
    run = playbook("site.yml", str(inventory), env={"ANSIBLE_STDOUT_CALLBACK": "ansible.posix.json"})
    return {"run": run, "failures": _failures(run.output), "before": before, "after": resource_counts(emulator)}


@pytest.mark.parametrize(
    ("index", "expected"),
    [(i, expected) for i, (_, expected) in enumerate(CASES)],
    ids=[str(extra_vars)[:60] for extra_vars, _ in CASES],
)
def test_bad_input_fails_naming_the_variable(rejected, index, expected):
    messages = rejected["failures"].get(f"bad-{index:02d}", [])
    assert any(expected in message for message in messages), messages


def test_bad_input_creates_nothing(rejected):
    assert rejected["run"].rc != 0
    assert set(rejected["failures"]) == {f"bad-{index:02d}" for index in range(len(CASES))}
    assert rejected["after"] == rejected["before"], "resources were created despite invalid input"
