"""Bad input fails before any AWS call, with a message naming the variable, and creates nothing."""

from __future__ import annotations

import pytest

LOCAL = "inventories/local"


def _inventory(ec2) -> dict[str, int]:
    """How many of each network resource the account holds (the default VPC's included)."""
    return {
        "vpcs": len(ec2.describe_vpcs()["Vpcs"]),
        "subnets": len(ec2.describe_subnets()["Subnets"]),
        "internet gateways": len(ec2.describe_internet_gateways()["InternetGateways"]),
        "elastic ips": len(ec2.describe_addresses()["Addresses"]),
        "nat gateways": len(ec2.describe_nat_gateways()["NatGateways"]),
        "route tables": len(ec2.describe_route_tables()["RouteTables"]),
        "security groups": len(ec2.describe_security_groups()["SecurityGroups"]),
        "endpoints": len(ec2.describe_vpc_endpoints()["VpcEndpoints"]),
    }


def _everything(emulator) -> dict[str, int]:
    """The network resources plus every other kind of resource a stack has."""
    counts = _inventory(emulator.client("ec2"))
    counts.update(
        {
            "secrets": len(emulator.client("secretsmanager").list_secrets()["SecretList"]),
            "buckets": len(emulator.client("s3").list_buckets()["Buckets"]),
            "db instances": len(emulator.client("rds").describe_db_instances()["DBInstances"]),
            "db subnet groups": len(emulator.client("rds").describe_db_subnet_groups()["DBSubnetGroups"]),
            "replication groups": len(
                emulator.client("elasticache").describe_replication_groups()["ReplicationGroups"]
            ),
            "iam roles": len(emulator.client("iam").list_roles()["Roles"]),
            "repositories": len(emulator.client("ecr").describe_repositories()["repositories"]),
            "clusters": len(emulator.client("ecs").list_clusters()["clusterArns"]),
            "load balancers": len(emulator.client("elbv2").describe_load_balancers()["LoadBalancers"]),
            "log groups": len(emulator.client("logs").describe_log_groups()["logGroups"]),
            "topics": len(emulator.client("sns").list_topics()["Topics"]),
            "alarms": len(emulator.client("cloudwatch").describe_alarms()["MetricAlarms"]),
        }
    )
    return counts


@pytest.mark.parametrize(
    ("extra_vars", "expected"),
    [
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
        ({"ecs_service_log_retention_days": 15}, "ecs_service_log_retention_days 15 is invalid"),
    ],
    ids=lambda value: str(value)[:40],
)
def test_bad_input_fails_naming_the_variable_and_creates_nothing(emulator, playbook, extra_vars, expected):
    emulator.reset()
    before = _everything(emulator)
    run = playbook("site.yml", LOCAL, extra_vars=extra_vars)
    assert run.rc != 0
    assert expected in run.output, run.output[-3000:]
    assert _everything(emulator) == before, "resources were created despite invalid input"
