"""The stack site.yml builds for inventories/local: conformance to SPEC.md row by row, then its behaviour.

The stack is converged once for the module (a --check preview on the empty account, a converge at -vvv, a re-run
and a --check run). First every SPEC.md row is read back with boto3, one test named "<SPEC section>: <property>"
each, so the report reads as the specification, with the IAM "*" allow-list check; these change nothing. Then the
behaviour tests: idempotence, secrets never printed nor regenerated, out-of-band changes reverted, the master
password never reset, and re-provisioning after a deploy keeping the image and the task count.
"""

from __future__ import annotations

import json
import re
import stat
import string
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import pytest

from .network_state import network_of, rule_set, tags_of

LOCAL = "inventories/local"
PREFIX = "triflow-demo-dev"
ACCOUNT = "123456789012"
REGION = "ap-northeast-2"
BUCKET = f"{PREFIX}-files-{ACCOUNT}"
SERVICE = f"{PREFIX}-backend"
BASE_TAGS = {"Project": "triflow", "Customer": "demo", "Environment": "dev", "ManagedBy": "ansible"}
GIB = 1024**3
# The network and the data tier only (site.yml's data tag): enough for the tests of secrets, bucket and database.
DATA_ONLY = ("--tags", "data")
SECRET_LENGTHS = {"db-master-password": 40, "redis-auth-token": 64, "app-secret-key": 64}

# "*" in an IAM policy only where AWS offers nothing narrower: (action, why).
STAR_RESOURCE_ALLOWED = {
    "ecr:GetAuthorizationToken": "AWS: GetAuthorizationToken has no resource-level permissions (registry-wide token)",
    "cloudwatch:PutMetricData": "AWS: PutMetricData has no resource-level permissions; the cloudwatch:namespace "
    "condition limits it to the app's namespace",
}

CHECKS: list[Any] = []


def _secret_values(secretsmanager) -> dict[str, str]:
    return {
        secret["Name"]: secretsmanager.get_secret_value(SecretId=secret["ARN"])["SecretString"]
        for secret in secretsmanager.list_secrets()["SecretList"]
        if secret["Name"].startswith(f"{PREFIX}/")
    }


@pytest.fixture(scope="module")
def runs(emulator, playbook):
    """A fresh check-mode preview, then a converge at -vvv, a re-run and a check run of inventories/local."""
    emulator.reset()
    preview = playbook("site.yml", LOCAL, check=True)
    assert preview.rc == 0, preview.output[-6000:]
    created_by_preview = emulator.client("s3").list_buckets()["Buckets"]
    first = playbook("site.yml", LOCAL, extra_args=("-vvv",))
    assert first.rc == 0, first.output[-6000:]
    values = _secret_values(emulator.client("secretsmanager"))
    second = playbook("site.yml", LOCAL)
    assert second.rc == 0, second.output[-6000:]
    check = playbook("site.yml", LOCAL, check=True)
    assert check.rc == 0, check.output[-6000:]
    return {
        "preview": preview,
        "created_by_preview": created_by_preview,
        "first": first,
        "second": second,
        "check": check,
        "values": values,
    }


def spec(section: str, prop: str) -> Callable:
    """Register one SPEC.md property check: ``@spec("Database", "Multi-AZ")``."""

    def register(function: Callable) -> Callable:
        CHECKS.append(pytest.param(function, id=f"{section}: {prop}"))
        return function

    return register


class Stack:
    """What AWS reports about the stack, read once and cached per resource."""

    def __init__(self, emulator) -> None:
        self.client = emulator.client
        self.output_dir: Path = emulator.output_dir
        self._cache: dict[str, Any] = {}

    def cached(self, key: str, read: Callable[[], Any]) -> Any:
        if key not in self._cache:
            self._cache[key] = read()
        return self._cache[key]

    @property
    def network(self) -> dict[str, Any]:
        return self.cached("network", lambda: network_of(self.client("ec2"), PREFIX))

    @property
    def db(self) -> dict[str, Any]:
        return self.cached(
            "db",
            lambda: self.client("rds").describe_db_instances(DBInstanceIdentifier=f"{PREFIX}-db")["DBInstances"][0],
        )

    @property
    def cache(self) -> dict[str, Any]:
        return self.cached(
            "cache",
            lambda: self.client("elasticache").describe_replication_groups(ReplicationGroupId=f"{PREFIX}-redis")[
                "ReplicationGroups"
            ][0],
        )

    @property
    def service(self) -> dict[str, Any]:
        return self.cached(
            "service",
            lambda: self.client("ecs").describe_services(cluster=PREFIX, services=[SERVICE], include=["TAGS"])[
                "services"
            ][0],
        )

    @property
    def task(self) -> dict[str, Any]:
        def read():
            described = self.client("ecs").describe_task_definition(
                taskDefinition=self.service["taskDefinition"], include=["TAGS"]
            )
            return {**described["taskDefinition"], "tags": described.get("tags", [])}

        return self.cached("task", read)

    @property
    def container(self) -> dict[str, Any]:
        return self.task["containerDefinitions"][0]

    @property
    def alb(self) -> dict[str, Any]:
        return self.cached(
            "alb", lambda: self.client("elbv2").describe_load_balancers(Names=[f"{PREFIX}-alb"])["LoadBalancers"][0]
        )

    @property
    def target_group(self) -> dict[str, Any]:
        return self.cached(
            "tg", lambda: self.client("elbv2").describe_target_groups(Names=[f"{PREFIX}-tg"])["TargetGroups"][0]
        )

    @property
    def alarms(self) -> dict[str, dict[str, Any]]:
        def read():
            pages = self.client("cloudwatch").get_paginator("describe_alarms").paginate(AlarmNamePrefix=PREFIX)
            return {alarm["AlarmName"][len(PREFIX) + 1 :]: alarm for page in pages for alarm in page["MetricAlarms"]}

        return self.cached("alarms", read)

    def policies_of(self, role: str) -> list[dict[str, Any]]:
        iam = self.client("iam")
        documents = [
            iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]
            for name in iam.list_role_policies(RoleName=role)["PolicyNames"]
        ]
        for attached in iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]:
            policy = iam.get_policy(PolicyArn=attached["PolicyArn"])["Policy"]
            version = iam.get_policy_version(PolicyArn=attached["PolicyArn"], VersionId=policy["DefaultVersionId"])
            documents.append(version["PolicyVersion"]["Document"])
        return [json.loads(doc) if isinstance(doc, str) else doc for doc in documents]


@pytest.fixture(scope="module")
def stack(emulator, runs) -> Stack:
    """The converged stack as AWS reports it."""
    return Stack(emulator)


@pytest.mark.parametrize("check", CHECKS)
def test_stack_matches_spec(stack: Stack, check: Callable[[Stack], None]) -> None:
    check(stack)


def _as_list(value: Any) -> list:
    return value if isinstance(value, list) else [value]


# ---------------------------------------------------------------------------------------------------- network


@spec("Network", "VPC 10.0.0.0/16 with DNS support and hostnames")
def _vpc(s: Stack) -> None:
    assert s.network["vpc"]["CidrBlock"] == "10.0.0.0/16"
    assert s.network["dns_support"] and s.network["dns_hostnames"]


@spec("Network", "internet gateway attached")
def _igw(s: Stack) -> None:
    assert len(s.network["internet_gateways"]) == 1


@spec("Network", "public and private subnets, one of each per AZ 2a and 2c")
def _subnets(s: Stack) -> None:
    found = {(sub["CidrBlock"], sub["AvailabilityZone"]) for sub in s.network["subnets"].values()}
    assert found == {
        ("10.0.1.0/24", "ap-northeast-2a"),
        ("10.0.2.0/24", "ap-northeast-2c"),
        ("10.0.11.0/24", "ap-northeast-2a"),
        ("10.0.12.0/24", "ap-northeast-2c"),
    }


@spec("Network", "one NAT gateway with an EIP in the first public subnet")
def _nat(s: Stack) -> None:
    [nat] = s.network["nat_gateways"]
    subnet_cidrs = {sub["SubnetId"]: sub["CidrBlock"] for sub in s.network["subnets"].values()}
    assert subnet_cidrs[nat["SubnetId"]] == "10.0.1.0/24"
    assert len(s.network["eips"]) == 1


@spec("Network", "public routes 0.0.0.0/0 to the IGW, private to the NAT, S3 endpoint on both")
def _routes(s: Stack) -> None:
    ec2 = s.client("ec2")
    vpc_id = s.network["vpc"]["VpcId"]
    tables = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["RouteTables"]
    defaults = {}
    for table in tables:
        for route in table["Routes"]:
            if route.get("DestinationCidrBlock") == "0.0.0.0/0":
                defaults[tags_of(table).get("Name")] = route.get("GatewayId") or route.get("NatGatewayId")
    assert any(target.startswith("igw-") for target in defaults.values())
    assert any(target.startswith("nat-") for target in defaults.values())
    [endpoint] = ec2.describe_vpc_endpoints(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["VpcEndpoints"]
    assert endpoint["ServiceName"].endswith(".s3") and len(endpoint["RouteTableIds"]) >= 2


@spec("Network", "security groups hold exactly the SPEC rules, none wider")
def _security_groups(s: Stack) -> None:
    groups = s.network["security_groups"]
    names = {group["GroupId"]: name for name, group in groups.items()}
    alb, app, db, cache = (f"{PREFIX}-{key}" for key in ("alb", "app", "db", "cache"))
    assert rule_set(groups[alb]["IpPermissions"], names) == {
        ("tcp", 443, 443, "0.0.0.0/0"),
        ("tcp", 80, 80, "0.0.0.0/0"),
    }
    assert rule_set(groups[alb]["IpPermissionsEgress"], names) == {("tcp", 8000, 8000, app)}
    assert rule_set(groups[app]["IpPermissions"], names) == {("tcp", 8000, 8000, alb)}
    assert rule_set(groups[app]["IpPermissionsEgress"], names) == {
        ("tcp", 443, 443, "0.0.0.0/0"),
        ("tcp", 80, 80, "0.0.0.0/0"),
        ("tcp", 5432, 5432, db),
        ("tcp", 6379, 6379, cache),
    }
    assert rule_set(groups[db]["IpPermissions"], names) == {("tcp", 5432, 5432, app)}
    assert rule_set(groups[cache]["IpPermissions"], names) == {("tcp", 6379, 6379, app)}
    assert rule_set(groups[db]["IpPermissionsEgress"], names) == set()
    assert rule_set(groups[cache]["IpPermissionsEgress"], names) == set()


# --------------------------------------------------------------------------------------------------- database


@spec("Database", "private subnet group, not publicly accessible")
def _db_subnets(s: Stack) -> None:
    group = {sub["SubnetIdentifier"] for sub in s.db["DBSubnetGroup"]["Subnets"]}
    cidrs = {sub["SubnetId"]: sub["CidrBlock"] for sub in s.network["subnets"].values()}
    assert {cidrs[sid] for sid in group} == {"10.0.11.0/24", "10.0.12.0/24"}
    assert s.db["PubliclyAccessible"] is False


@spec("Database", "PostgreSQL 16, db.t4g.medium, Multi-AZ")
def _db_engine(s: Stack) -> None:
    assert s.db["Engine"] == "postgres" and s.db["EngineVersion"].startswith("16.")
    assert s.db["DBInstanceClass"] == "db.t4g.medium"
    assert s.db["MultiAZ"] is True


@spec("Database", "gp3 100 GiB autoscaling to 200, baseline IOPS, encrypted")
def _db_storage(s: Stack) -> None:
    assert (s.db["StorageType"], s.db["AllocatedStorage"], s.db["MaxAllocatedStorage"]) == ("gp3", 100, 200)
    assert s.db["Iops"] == 3000  # gp3's baseline: no explicit IOPS below 400 GiB
    assert s.db["StorageEncrypted"] is True


@spec("Database", "parameter group postgres16 with the SPEC parameters")
def _db_parameters(s: Stack) -> None:
    [group] = s.db["DBParameterGroups"]
    rds = s.client("rds")
    family = rds.describe_db_parameter_groups(DBParameterGroupName=group["DBParameterGroupName"])["DBParameterGroups"]
    assert family[0]["DBParameterGroupFamily"] == "postgres16"
    params = {
        p["ParameterName"]: p
        for page in rds.get_paginator("describe_db_parameters").paginate(
            DBParameterGroupName=group["DBParameterGroupName"]
        )
        for p in page["Parameters"]
    }
    assert params["shared_preload_libraries"]["ParameterValue"] == "pg_stat_statements"
    assert params["shared_preload_libraries"]["ApplyMethod"] == "pending-reboot"
    assert params["log_statement"]["ParameterValue"] == "mod"
    assert params["log_min_duration_statement"]["ParameterValue"] == "1000"
    assert params["rds.force_ssl"]["ParameterValue"] == "1"
    # pool 20 x 5 tasks + 15 reserved
    assert params["max_connections"]["ParameterValue"] == "115"


@spec("Database", "backups 7 days 18:00-19:00, maintenance mon:19:00-mon:20:00")
def _db_windows(s: Stack) -> None:
    assert s.db["BackupRetentionPeriod"] == 7
    assert s.db["PreferredBackupWindow"] == "18:00-19:00"
    assert s.db["PreferredMaintenanceWindow"] == "mon:19:00-mon:20:00"


@spec("Database", "logs, Performance Insights 7 days, enhanced monitoring 60 s with its role")
def _db_monitoring(s: Stack) -> None:
    assert sorted(s.db["EnabledCloudwatchLogsExports"]) == ["postgresql", "upgrade"]
    assert s.db["PerformanceInsightsEnabled"] is True and s.db["PerformanceInsightsRetentionPeriod"] == 7
    assert s.db["MonitoringInterval"] == 60 and s.db["MonitoringRoleArn"].endswith(f"role/{PREFIX}-rds-monitoring")


@spec("Database", "deletion protection, copy tags to snapshots, auto minor version upgrade")
def _db_protection(s: Stack) -> None:
    assert s.db["DeletionProtection"] is True
    assert s.db["CopyTagsToSnapshot"] is True
    assert s.db["AutoMinorVersionUpgrade"] is True


@spec("Database", "master password generated in Secrets Manager and working; pgvector >= 0.8 installed")
def _db_password_and_pgvector(s: Stack) -> None:
    secret = s.client("secretsmanager").get_secret_value(SecretId=f"{PREFIX}/db-master-password")["SecretString"]
    endpoint = s.db["Endpoint"]
    with psycopg.connect(
        host=endpoint["Address"], port=endpoint["Port"], user=s.db["MasterUsername"], password=secret, dbname="triflow"
    ) as connection:
        version = connection.execute("SELECT extversion FROM pg_extension WHERE extname = 'vector'").fetchone()
    assert version is not None and tuple(int(part) for part in version[0].split(".")[:2]) >= (0, 8)


# ------------------------------------------------------------------------------------------------------ cache


@spec("Cache", "Redis 7.x cache.t4g.small, primary + 1 replica, automatic failover, Multi-AZ")
def _cache_group(s: Stack) -> None:
    assert s.cache["CacheNodeType"] == "cache.t4g.small"
    assert len(s.cache["MemberClusters"]) == 2
    assert s.cache["AutomaticFailover"] == "enabled" and s.cache["MultiAZ"] == "enabled"
    member = s.client("elasticache").describe_cache_clusters(CacheClusterId=s.cache["MemberClusters"][0])
    assert member["CacheClusters"][0]["EngineVersion"].startswith("7.")


@spec("Cache", "encryption at rest and in transit, AUTH token from Secrets Manager")
def _cache_encryption(s: Stack) -> None:
    assert s.cache["AtRestEncryptionEnabled"] is True and s.cache["TransitEncryptionEnabled"] is True
    assert s.cache["AuthTokenEnabled"] is True
    token = s.client("secretsmanager").get_secret_value(SecretId=f"{PREFIX}/redis-auth-token")["SecretString"]
    assert len(token) == 64


@spec("Cache", "5 snapshots, window 17:00-18:00, maintenance sun:19:00-sun:20:00")
def _cache_windows(s: Stack) -> None:
    assert s.cache["SnapshotRetentionLimit"] == 5 and s.cache["SnapshotWindow"] == "17:00-18:00"
    member = s.client("elasticache").describe_cache_clusters(CacheClusterId=s.cache["MemberClusters"][0])
    assert member["CacheClusters"][0]["PreferredMaintenanceWindow"] == "sun:19:00-sun:20:00"


@spec("Cache", "slow-log and engine-log to CloudWatch Logs as JSON")
def _cache_logs(s: Stack) -> None:
    logs = {c["LogType"]: c for c in s.cache["LogDeliveryConfigurations"]}
    assert set(logs) == {"slow-log", "engine-log"}
    assert all(c["LogFormat"] == "json" and c["DestinationType"] == "cloudwatch-logs" for c in logs.values())


@spec("Cache", "parameter group redis7 timeout=300, maxmemory-policy=allkeys-lru")
def _cache_parameters(s: Stack) -> None:
    elasticache = s.client("elasticache")
    member = elasticache.describe_cache_clusters(CacheClusterId=s.cache["MemberClusters"][0])["CacheClusters"][0]
    name = member["CacheParameterGroup"]["CacheParameterGroupName"]
    params = {
        p["ParameterName"]: p.get("ParameterValue")
        for p in elasticache.describe_cache_parameters(CacheParameterGroupName=name)["Parameters"]
    }
    assert params["timeout"] == "300" and params["maxmemory-policy"] == "allkeys-lru"


# ---------------------------------------------------------------------------------------------------- storage


@spec("Storage", "bucket per stack: versioning, AES256, four public access blocks")
def _bucket(s: Stack) -> None:
    s3 = s.client("s3")
    assert s3.get_bucket_versioning(Bucket=BUCKET)["Status"] == "Enabled"
    rule = s3.get_bucket_encryption(Bucket=BUCKET)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    assert all(s3.get_public_access_block(Bucket=BUCKET)["PublicAccessBlockConfiguration"].values())


@spec("Storage", "TLS-only bucket policy")
def _bucket_policy(s: Stack) -> None:
    [statement] = json.loads(s.client("s3").get_bucket_policy(Bucket=BUCKET)["Policy"])["Statement"]
    assert statement["Effect"] == "Deny"
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


@spec("Storage", "lifecycle: tenant workflow/export to GLACIER at 90 days, logs 365, multipart 7")
def _bucket_lifecycle(s: Stack) -> None:
    rules = s.client("s3").get_bucket_lifecycle_configuration(Bucket=BUCKET)["Rules"]
    archive = [r for r in rules if r.get("Transitions")]
    assert {t["StorageClass"] for r in archive for t in r["Transitions"]} == {"GLACIER"}
    assert {t["Days"] for r in archive for t in r["Transitions"]} == {90}
    assert all("*" not in json.dumps(r.get("Filter", {})) for r in rules)
    assert any(r.get("Expiration", {}).get("Days") == 365 for r in rules)
    assert any(r.get("AbortIncompleteMultipartUpload", {}).get("DaysAfterInitiation") == 7 for r in rules)


@spec("Storage", "task role reads and writes this bucket's objects")
def _bucket_task_access(s: Stack) -> None:
    statements = [st for doc in s.policies_of(f"{PREFIX}-ecs-task") for st in doc["Statement"]]
    objects = [st for st in statements if f"arn:aws:s3:::{BUCKET}/*" in _as_list(st["Resource"])]
    assert objects and {"s3:GetObject", "s3:PutObject"} <= set(_as_list(objects[0]["Action"]))


# --------------------------------------------------------------------------------------------------- registry


@spec("Registry", "repository per stack, scan on push, AES256")
def _repository(s: Stack) -> None:
    [repo] = s.client("ecr").describe_repositories(repositoryNames=[f"{PREFIX}-backend"])["repositories"]
    assert repo["imageScanningConfiguration"]["scanOnPush"] is True
    assert repo["encryptionConfiguration"]["encryptionType"] == "AES256"


@spec("Registry", "lifecycle: untagged expire after 7 days, last 30 release images kept whatever their tags")
def _repository_lifecycle(s: Stack) -> None:
    policy = json.loads(s.client("ecr").get_lifecycle_policy(repositoryName=f"{PREFIX}-backend")["lifecyclePolicyText"])
    rules = {rule["selection"]["tagStatus"]: rule["selection"] for rule in policy["rules"]}
    assert rules["untagged"]["countType"] == "sinceImagePushed" and rules["untagged"]["countNumber"] == 7
    assert rules["tagged"]["countType"] == "imageCountMoreThan" and rules["tagged"]["countNumber"] == 30
    assert rules["tagged"]["tagPatternList"] == ["*"]  # versions and git SHAs alike


# ------------------------------------------------------------------------------------------------ application


@spec("Application", "cluster with Container Insights")
def _cluster(s: Stack) -> None:
    [cluster] = s.client("ecs").describe_clusters(clusters=[PREFIX], include=["SETTINGS"])["clusters"]
    assert {"name": "containerInsights", "value": "enabled"} in cluster["settings"]


@spec("Application", "log group /aws/ecs/<prefix>-backend with 14-day retention")
def _log_group(s: Stack) -> None:
    [group] = s.client("logs").describe_log_groups(logGroupNamePrefix=f"/aws/ecs/{SERVICE}")["logGroups"]
    assert group["logGroupName"] == f"/aws/ecs/{SERVICE}" and group["retentionInDays"] == 14


@spec("Application", "execution role: pull from this repository, write this log group, read exactly the four secrets")
def _execution_role(s: Stack) -> None:
    statements = {st["Sid"]: st for doc in s.policies_of(f"{PREFIX}-ecs-execution") for st in doc["Statement"]}
    assert _as_list(statements["PullTheBackendImage"]["Resource"]) == [
        f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/{PREFIX}-backend"
    ]
    secrets = _as_list(statements["ReadTheBackendSecrets"]["Resource"])
    names = sorted(re.sub(r"-[A-Za-z0-9]{6}$", "", arn.split(":secret:")[1]) for arn in secrets)
    assert names == sorted(
        f"{PREFIX}/{n}" for n in ("database-url", "redis-url", "app-secret-key", "anthropic-api-key")
    )
    role = s.client("iam").get_role(RoleName=f"{PREFIX}-ecs-execution")["Role"]
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "ecs-tasks.amazonaws.com"}


@spec("Application", "task role: PutMetricData limited to the app's namespace")
def _task_role_metrics(s: Stack) -> None:
    statements = [st for doc in s.policies_of(f"{PREFIX}-ecs-task") for st in doc["Statement"]]
    [metrics] = [st for st in statements if "cloudwatch:PutMetricData" in _as_list(st["Action"])]
    assert metrics["Condition"] == {"StringEquals": {"cloudwatch:namespace": f"TriFlow/{PREFIX}"}}


@spec("Application", "task 1 vCPU / 2 GiB on Fargate, both roles")
def _task_size(s: Stack) -> None:
    assert (s.task["cpu"], s.task["memory"]) == ("1024", "2048")
    assert s.task["requiresCompatibilities"] == ["FARGATE"] and s.task["networkMode"] == "awsvpc"
    assert s.task["executionRoleArn"].endswith(f"role/{PREFIX}-ecs-execution")
    assert s.task["taskRoleArn"].endswith(f"role/{PREFIX}-ecs-task")


@spec("Application", "container backend on port 8000, image from the stack's repository")
def _container(s: Stack) -> None:
    assert s.container["name"] == "backend"
    assert s.container["portMappings"][0]["containerPort"] == 8000
    assert s.container["image"].startswith(f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/{PREFIX}-backend:")


@spec("Application", "plain environment ENVIRONMENT, AWS_REGION, S3_BUCKET_NAME, DB host/port/name")
def _container_environment(s: Stack) -> None:
    env = {item["name"]: item["value"] for item in s.container["environment"]}
    assert env["ENVIRONMENT"] == "dev" and env["AWS_REGION"] == REGION and env["S3_BUCKET_NAME"] == BUCKET
    assert env["DB_HOST"] == s.db["Endpoint"]["Address"] and env["DB_PORT"] == str(s.db["Endpoint"]["Port"])
    assert env["DB_NAME"] == "triflow"
    assert not {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "ANTHROPIC_API_KEY"} & set(env)


@spec("Application", "secrets DATABASE_URL, REDIS_URL (rediss:// with the AUTH token), SECRET_KEY, ANTHROPIC_API_KEY")
def _container_secrets(s: Stack) -> None:
    secrets = {item["name"]: item["valueFrom"] for item in s.container["secrets"]}
    assert set(secrets) == {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "ANTHROPIC_API_KEY"}
    manager = s.client("secretsmanager")
    value = {name: manager.get_secret_value(SecretId=arn)["SecretString"] for name, arn in secrets.items()}
    password = manager.get_secret_value(SecretId=f"{PREFIX}/db-master-password")["SecretString"]
    token = manager.get_secret_value(SecretId=f"{PREFIX}/redis-auth-token")["SecretString"]
    endpoint = s.db["Endpoint"]
    assert value["DATABASE_URL"] == (
        f"postgresql://triflow_admin:{password}@{endpoint['Address']}:{endpoint['Port']}/triflow?sslmode=require"
    )
    primary = s.cache["NodeGroups"][0]["PrimaryEndpoint"]
    assert value["REDIS_URL"] == f"rediss://:{token}@{primary['Address']}:{primary['Port']}/0"
    with psycopg.connect(value["DATABASE_URL"].replace("sslmode=require", "sslmode=prefer")) as connection:
        assert connection.execute("SELECT 1").fetchone() == (1,)


@spec("Application", "container health check on /health 30/5/3, start period 60")
def _container_health(s: Stack) -> None:
    check = s.container["healthCheck"]
    assert "/health" in " ".join(check["command"])
    assert (check["interval"], check["timeout"], check["retries"], check["startPeriod"]) == (30, 5, 3, 60)


@spec("Application", "container logs to the log group")
def _container_logs(s: Stack) -> None:
    options = s.container["logConfiguration"]["options"]
    assert s.container["logConfiguration"]["logDriver"] == "awslogs"
    assert options["awslogs-group"] == f"/aws/ecs/{SERVICE}" and options["awslogs-region"] == REGION


@spec("Application", "service on Fargate, desired 2, private subnets, no public IP")
def _service_network(s: Stack) -> None:
    assert s.service["launchType"] == "FARGATE" and s.service["desiredCount"] == 2
    network = s.service["networkConfiguration"]["awsvpcConfiguration"]
    cidrs = {sub["SubnetId"]: sub["CidrBlock"] for sub in s.network["subnets"].values()}
    assert {cidrs[sid] for sid in network["subnets"]} == {"10.0.11.0/24", "10.0.12.0/24"}
    assert network["assignPublicIp"] == "DISABLED"
    assert network["securityGroups"] == [s.network["security_groups"][f"{PREFIX}-app"]["GroupId"]]


@spec("Application", "deployments: min healthy 100 %, max 200 %, circuit breaker with rollback, grace 60 s")
def _service_deployments(s: Stack) -> None:
    config = s.service["deploymentConfiguration"]
    assert (config["minimumHealthyPercent"], config["maximumPercent"]) == (100, 200)
    assert config["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
    assert s.service["healthCheckGracePeriodSeconds"] == 60


@spec("Application", "service registered with the target group on container backend:8000")
def _service_load_balancer(s: Stack) -> None:
    [binding] = s.service["loadBalancers"]
    assert binding == {
        "targetGroupArn": s.target_group["TargetGroupArn"],
        "containerName": "backend",
        "containerPort": 8000,
    }


@spec("Application", "autoscaling 2..5 on average CPU 70 %, cooldowns in 300 / out 60")
def _autoscaling(s: Stack) -> None:
    scaling = s.client("application-autoscaling")
    resource = f"service/{PREFIX}/{SERVICE}"
    [target] = scaling.describe_scalable_targets(ServiceNamespace="ecs", ResourceIds=[resource])["ScalableTargets"]
    assert (target["MinCapacity"], target["MaxCapacity"]) == (2, 5)
    [policy] = scaling.describe_scaling_policies(ServiceNamespace="ecs", ResourceId=resource)["ScalingPolicies"]
    config = policy["TargetTrackingScalingPolicyConfiguration"]
    assert config["TargetValue"] == 70.0
    assert config["PredefinedMetricSpecification"]["PredefinedMetricType"] == "ECSServiceAverageCPUUtilization"
    assert (config["ScaleInCooldown"], config["ScaleOutCooldown"]) == (300, 60)


@spec("Application", "ALB internet-facing in the public subnets, deletion protection, HTTP/2")
def _alb(s: Stack) -> None:
    assert s.alb["Scheme"] == "internet-facing" and s.alb["Type"] == "application"
    cidrs = {sub["SubnetId"]: sub["CidrBlock"] for sub in s.network["subnets"].values()}
    assert {cidrs[zone["SubnetId"]] for zone in s.alb["AvailabilityZones"]} == {"10.0.1.0/24", "10.0.2.0/24"}
    attributes = {
        a["Key"]: a["Value"]
        for a in s.client("elbv2").describe_load_balancer_attributes(LoadBalancerArn=s.alb["LoadBalancerArn"])[
            "Attributes"
        ]
    }
    assert attributes["deletion_protection.enabled"] == "true" and attributes["routing.http2.enabled"] == "true"


@spec("Application", "target group HTTP 8000 ip, /health every 15 s, timeout 5, 2/3, 200, deregistration 30 s")
def _target_group(s: Stack) -> None:
    tg = s.target_group
    assert (tg["Protocol"], tg["Port"], tg["TargetType"]) == ("HTTP", 8000, "ip")
    assert (tg["HealthCheckPath"], tg["HealthCheckIntervalSeconds"], tg["HealthCheckTimeoutSeconds"]) == (
        "/health",
        15,
        5,
    )
    assert (tg["HealthyThresholdCount"], tg["UnhealthyThresholdCount"], tg["Matcher"]["HttpCode"]) == (2, 3, "200")
    attributes = {
        a["Key"]: a["Value"]
        for a in s.client("elbv2").describe_target_group_attributes(TargetGroupArn=tg["TargetGroupArn"])["Attributes"]
    }
    assert attributes["deregistration_delay.timeout_seconds"] == "30"


@spec("Application", "without a certificate: one listener, :80 forwarding to the target group")
def _listeners(s: Stack) -> None:
    [listener] = s.client("elbv2").describe_listeners(LoadBalancerArn=s.alb["LoadBalancerArn"])["Listeners"]
    assert (listener["Protocol"], listener["Port"]) == ("HTTP", 80)
    assert listener["DefaultActions"][0]["Type"] == "forward"
    assert listener["DefaultActions"][0]["TargetGroupArn"] == s.target_group["TargetGroupArn"]


@spec("Application", "environment file: every key, mode 0600, secrets only by ARN")
def _env_file(s: Stack) -> None:
    env_file = s.output_dir / PREFIX / "app.env"
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(env_file.parent.stat().st_mode) == 0o700
    entries = dict(
        line.split("=", 1) for line in env_file.read_text().splitlines() if line and not line.startswith("#")
    )
    expected = {
        "AWS_REGION": REGION,
        "AWS_ACCOUNT_ID": ACCOUNT,
        "DB_HOST": s.db["Endpoint"]["Address"],
        "DB_PORT": str(s.db["Endpoint"]["Port"]),
        "DB_NAME": "triflow",
        "REDIS_HOST": s.cache["NodeGroups"][0]["PrimaryEndpoint"]["Address"],
        "S3_BUCKET_NAME": BUCKET,
        "ECS_CLUSTER": PREFIX,
        "ECS_SERVICE": SERVICE,
        "ECR_REPOSITORY_URI": f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/{PREFIX}-backend",
        "ALB_DNS_NAME": s.alb["DNSName"],
        "LOG_GROUP": f"/aws/ecs/{SERVICE}",
        "METRICS_NAMESPACE": f"TriFlow/{PREFIX}",
        "SNS_TOPIC_ARN": f"arn:aws:sns:{REGION}:{ACCOUNT}:{PREFIX}-alarms",
    }
    assert {key: entries.get(key) for key in expected} == expected
    for key in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "ANTHROPIC_API_KEY"):
        assert entries[f"{key}_SECRET_ARN"].startswith(f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:{PREFIX}/")
    manager = s.client("secretsmanager")
    text = env_file.read_text()
    for secret in manager.list_secrets()["SecretList"]:
        value = manager.get_secret_value(SecretId=secret["ARN"])["SecretString"]
        assert value not in text, f"the value of {secret['Name']} is in {env_file}"


# ---------------------------------------------------------------------------------------------- observability

# alarm: (namespace, metric, statistic or percentile, comparison, threshold, period, evaluation periods)
ALARMS = {
    "rds-cpu-high": ("AWS/RDS", "CPUUtilization", "Average", "GreaterThanThreshold", 80, 300, 2),
    "rds-storage-low": ("AWS/RDS", "FreeStorageSpace", "Average", "LessThanThreshold", 10 * GIB, 300, 1),
    "rds-connections-high": ("AWS/RDS", "DatabaseConnections", "Average", "GreaterThanThreshold", 92, 300, 2),
    "ecs-cpu-high": ("AWS/ECS", "CPUUtilization", "Average", "GreaterThanThreshold", 85, 300, 2),
    "ecs-memory-high": ("AWS/ECS", "MemoryUtilization", "Average", "GreaterThanThreshold", 90, 180, 2),
    "alb-5xx-high": ("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", "Sum", "GreaterThanThreshold", 10, 60, 1),
    "alb-latency-high": ("AWS/ApplicationELB", "TargetResponseTime", "p95", "GreaterThanThreshold", 2, 300, 2),
    "alb-unhealthy-hosts": ("AWS/ApplicationELB", "HealthyHostCount", "Minimum", "LessThanThreshold", 1, 60, 1),
    "app-errors": (f"TriFlow/{PREFIX}", "AppErrors", "Sum", "GreaterThanThreshold", 5, 60, 1),
}
REDIS_ALARMS = {
    "redis-cpu-high": ("EngineCPUUtilization", "Average", 75, 300, 2),
    "redis-memory-high": ("DatabaseMemoryUsagePercentage", "Average", 90, 300, 2),
    "redis-evictions": ("Evictions", "Sum", 100, 300, 1),
}


def _dimensions(alarm: dict[str, Any]) -> dict[str, str]:
    return {d["Name"]: d["Value"] for d in alarm.get("Dimensions", [])}


def _alarm_matches(alarm: dict[str, Any], namespace, metric, statistic, comparison, threshold, period, evaluations):
    assert (alarm["Namespace"], alarm["MetricName"]) == (namespace, metric)
    assert alarm.get("Statistic", alarm.get("ExtendedStatistic")) == statistic
    assert (alarm["ComparisonOperator"], alarm["Threshold"]) == (comparison, threshold)
    assert (alarm["Period"], alarm["EvaluationPeriods"]) == (period, evaluations)


@spec("Observability", "SNS topic <prefix>-alarms; every alarm notifies it on alarm and on recovery")
def _topic(s: Stack) -> None:
    topics = [
        t["TopicArn"] for t in s.client("sns").list_topics()["Topics"] if t["TopicArn"].endswith(f":{PREFIX}-alarms")
    ]
    assert len(topics) == 1
    assert s.alarms and all(a["AlarmActions"] == topics and a["OKActions"] == topics for a in s.alarms.values())


@spec("Observability", "RDS, ECS, ALB and app-errors alarms with SPEC metrics, thresholds, periods")
def _alarms(s: Stack) -> None:
    for name, expected in ALARMS.items():
        _alarm_matches(s.alarms[name], *expected)


@spec("Observability", "Redis alarms on every member node (the primary moves on failover)")
def _redis_alarms(s: Stack) -> None:
    for member in s.cache["MemberClusters"]:
        for name, (metric, statistic, threshold, period, evaluations) in REDIS_ALARMS.items():
            alarm = s.alarms[f"{name}-{member[-3:]}"]
            _alarm_matches(
                alarm, "AWS/ElastiCache", metric, statistic, "GreaterThanThreshold", threshold, period, evaluations
            )
            assert _dimensions(alarm) == {"CacheClusterId": member}


@spec("Observability", "every alarm carries the dimensions of this stack's resources")
def _alarm_dimensions(s: Stack) -> None:
    alb = s.alb["LoadBalancerArn"].split(":loadbalancer/")[1]
    target_group = s.target_group["TargetGroupArn"].split(":")[-1]
    assert _dimensions(s.alarms["rds-cpu-high"]) == {"DBInstanceIdentifier": f"{PREFIX}-db"}
    assert _dimensions(s.alarms["ecs-cpu-high"]) == {"ClusterName": PREFIX, "ServiceName": SERVICE}
    assert _dimensions(s.alarms["alb-unhealthy-hosts"]) == {"LoadBalancer": alb, "TargetGroup": target_group}
    assert _dimensions(s.alarms["alb-5xx-high"])["LoadBalancer"] == alb
    assert s.alarms["alb-5xx-high"]["TreatMissingData"] == "notBreaching"


@spec("Observability", "app-errors: log metric filter on the app log group, JSON level=ERROR")
def _metric_filter(s: Stack) -> None:
    [metric_filter] = s.client("logs").describe_metric_filters(logGroupName=f"/aws/ecs/{SERVICE}")["metricFilters"]
    assert metric_filter["filterPattern"].replace(" ", "") == '{$.level="ERROR"}'
    [transformation] = metric_filter["metricTransformations"]
    assert (transformation["metricNamespace"], transformation["metricName"]) == (f"TriFlow/{PREFIX}", "AppErrors")


@spec("Observability", "billing alarm off by default, and never outside us-east-1")
def _billing(s: Stack) -> None:
    assert "billing-high" not in s.alarms
    assert not s.client("cloudwatch", region="us-east-1").describe_alarms(AlarmNamePrefix=PREFIX)["MetricAlarms"]


@spec("Observability", "dashboard <prefix>: ECS, RDS, Redis, ALB graphs, every metric with its dimensions")
def _dashboard(s: Stack) -> None:
    body = json.loads(s.client("cloudwatch").get_dashboard(DashboardName=PREFIX)["DashboardBody"])
    metrics = [row for widget in body["widgets"] for row in widget["properties"].get("metrics", [])]
    names = set()
    for row in metrics:
        values = [item for item in row if not isinstance(item, dict)]
        namespace, metric, dimensions = values[0], values[1], values[2:]
        assert dimensions and len(dimensions) % 2 == 0, f"{namespace} {metric} has no dimensions"
        names.add((namespace, metric))
    assert {
        ("AWS/ECS", "CPUUtilization"),
        ("AWS/ECS", "MemoryUtilization"),
        ("AWS/RDS", "CPUUtilization"),
        ("AWS/RDS", "DatabaseConnections"),
        ("AWS/RDS", "FreeStorageSpace"),
        ("AWS/ElastiCache", "EngineCPUUtilization"),
        ("AWS/ElastiCache", "DatabaseMemoryUsagePercentage"),
        ("AWS/ApplicationELB", "RequestCount"),
        ("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count"),
        ("AWS/ApplicationELB", "TargetResponseTime"),
    } <= names
    assert all(widget["properties"].get("region") == REGION for widget in body["widgets"] if widget["type"] == "metric")


# ---------------------------------------------------------------------------------------------- every resource


@spec("Naming, tags", "every taggable resource of the app tier carries the stack tags")
def _tags(s: Stack) -> None:
    def subset(tags: dict[str, str]) -> bool:
        return BASE_TAGS.items() <= tags.items()

    ecs = s.client("ecs")
    elbv2 = s.client("elbv2")
    ecr = s.client("ecr")
    iam = s.client("iam")
    found = {
        "service": {t["key"]: t["value"] for t in s.service.get("tags", [])},
        "cluster": {
            t["key"]: t["value"]
            for t in ecs.describe_clusters(clusters=[PREFIX], include=["TAGS"])["clusters"][0]["tags"]
        },
        "alb": tags_of(elbv2.describe_tags(ResourceArns=[s.alb["LoadBalancerArn"]])["TagDescriptions"][0]),
        "target group": tags_of(
            elbv2.describe_tags(ResourceArns=[s.target_group["TargetGroupArn"]])["TagDescriptions"][0]
        ),
        "repository": tags_of(
            {
                "Tags": ecr.list_tags_for_resource(
                    resourceArn=ecr.describe_repositories(repositoryNames=[f"{PREFIX}-backend"])["repositories"][0][
                        "repositoryArn"
                    ]
                )["tags"]
            }
        ),
        "task definition": {t["key"]: t["value"] for t in s.task["tags"]},
        "log group": s.client("logs").list_tags_log_group(logGroupName=f"/aws/ecs/{SERVICE}")["tags"],
        "execution role": tags_of(iam.get_role(RoleName=f"{PREFIX}-ecs-execution")["Role"]),
        "task role": tags_of(iam.get_role(RoleName=f"{PREFIX}-ecs-task")["Role"]),
    }
    untagged = [name for name, tags in found.items() if not subset(tags)]
    assert untagged == [], f"missing stack tags on: {untagged}"


# ------------------------------------------------------------------------------------------------------- IAM


def test_no_iam_policy_of_the_stack_allows_star_beyond_what_aws_requires(stack: Stack) -> None:
    """Every policy document of every role the stack created: no "*" action; "*" resource only where AWS needs it."""
    iam = stack.client("iam")
    roles = [role["RoleName"] for role in iam.list_roles()["Roles"] if role["RoleName"].startswith(PREFIX)]
    assert {f"{PREFIX}-ecs-execution", f"{PREFIX}-ecs-task", f"{PREFIX}-rds-monitoring"} <= set(roles)
    problems = []
    for role in roles:
        for document in stack.policies_of(role):
            for statement in document["Statement"]:
                actions = _as_list(statement.get("Action", []))
                resources = _as_list(statement.get("Resource", []))
                for action in actions:
                    if action == "*" or action.endswith(":*"):
                        problems.append(f"{role}: action {action}")
                if "*" in resources:
                    for action in actions:
                        if action not in STAR_RESOURCE_ALLOWED:
                            problems.append(f"{role}: {action} on resource *")
                    if statement.get("Sid") == "PublishTheAppMetrics" and not statement.get("Condition"):
                        problems.append(f"{role}: PutMetricData on * without the namespace condition")
    assert problems == [], "\n".join(problems)


# ------------------------------------------------------------------ behaviour of the converged stack (data tier)


def test_check_mode_on_a_fresh_stack_reports_the_bucket_and_creates_nothing(runs):
    assert f"bucket {BUCKET} would be created" in runs["preview"].output
    assert runs["created_by_preview"] == []


def test_rerun_and_check_change_nothing(runs):
    assert runs["second"].changed(PREFIX) == 0, runs["second"].output[-4000:]
    assert runs["check"].changed(PREFIX) == 0, runs["check"].output[-4000:]


def test_generated_secrets_exist_once_with_their_lengths_and_tags(emulator, runs):
    secretsmanager = emulator.client("secretsmanager")
    for key, length in SECRET_LENGTHS.items():
        name = f"{PREFIX}/{key}"
        value = runs["values"][name]
        assert len(value) == length
        assert set(value) <= set(string.ascii_letters + string.digits)
        described = secretsmanager.describe_secret(SecretId=name)
        assert {t["Key"]: t["Value"] for t in described["Tags"]} == {**BASE_TAGS, "Name": name}
    assert len(set(runs["values"].values())) == len(runs["values"]), "two secrets share a value"


def test_provided_secret_starts_as_a_placeholder_and_the_run_says_so(runs):
    assert runs["values"][f"{PREFIX}/anthropic-api-key"].startswith("PLACEHOLDER")
    assert f"{PREFIX}/anthropic-api-key still holds a placeholder" in runs["second"].output


def test_reruns_keep_every_secret_value(emulator, runs):
    assert _secret_values(emulator.client("secretsmanager")) == runs["values"]


def test_no_secret_value_appears_in_verbose_output(runs):
    for name, value in runs["values"].items():
        for run in ("first", "second", "check"):
            assert value not in runs[run].output, f"{name} leaked in the {run} run"


def test_an_operator_set_value_survives_a_run(emulator, playbook, runs):
    secretsmanager = emulator.client("secretsmanager")
    name = f"{PREFIX}/anthropic-api-key"
    secretsmanager.put_secret_value(SecretId=name, SecretString="sk-ant-operator-value")
    run = playbook("site.yml", LOCAL, extra_args=DATA_ONLY)
    assert run.rc == 0, run.output[-6000:]
    assert secretsmanager.get_secret_value(SecretId=name)["SecretString"] == "sk-ant-operator-value"
    assert "still holds a placeholder" not in run.output


def test_bucket_settings(emulator, runs):
    s3 = emulator.client("s3")
    assert s3.get_bucket_versioning(Bucket=BUCKET)["Status"] == "Enabled"
    rules = s3.get_bucket_encryption(Bucket=BUCKET)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    assert s3.get_public_access_block(Bucket=BUCKET)["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": True,
        "BlockPublicPolicy": True,
        "RestrictPublicBuckets": True,
    }
    ownership = s3.get_bucket_ownership_controls(Bucket=BUCKET)["OwnershipControls"]["Rules"]
    assert ownership == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    assert tags_of({"Tags": s3.get_bucket_tagging(Bucket=BUCKET)["TagSet"]}) == {**BASE_TAGS, "Name": BUCKET}
    assert s3.get_bucket_location(Bucket=BUCKET)["LocationConstraint"] == "ap-northeast-2"


def test_bucket_policy_denies_every_request_without_tls(emulator, runs):
    policy = json.loads(emulator.client("s3").get_bucket_policy(Bucket=BUCKET)["Policy"])
    [statement] = policy["Statement"]
    assert statement["Effect"] == "Deny"
    assert statement["Principal"] == "*"
    assert statement["Action"] == "s3:*"
    assert sorted(statement["Resource"]) == [f"arn:aws:s3:::{BUCKET}", f"arn:aws:s3:::{BUCKET}/*"]
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_lifecycle_rules_match_the_app_key_layout(emulator, runs):
    rules = {r["ID"]: r for r in emulator.client("s3").get_bucket_lifecycle_configuration(Bucket=BUCKET)["Rules"]}
    for category in ("workflow", "export"):
        rule = rules[f"archive-{category}"]
        assert rule["Status"] == "Enabled"
        # tenants/<tenant_id>/<category>/...: a literal prefix cannot name the category, the object tag does.
        assert rule["Filter"]["And"]["Prefix"] == "tenants/"
        assert rule["Filter"]["And"]["Tags"] == [{"Key": "triflow-category", "Value": category}]
        assert rule["Transitions"] == [{"Days": 90, "StorageClass": "GLACIER"}]
    assert rules["expire-logs"]["Filter"] == {"Prefix": "logs/"}
    assert rules["expire-logs"]["Expiration"] == {"Days": 365}
    assert rules["abort-incomplete-multipart-uploads"]["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 7}
    assert not any("*" in json.dumps(rule.get("Filter", {})) for rule in rules.values())


def test_out_of_band_bucket_changes_are_previewed_then_reverted(emulator, playbook, runs):
    s3 = emulator.client("s3")
    s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Suspended"})
    s3.delete_public_access_block(Bucket=BUCKET)
    s3.delete_bucket_lifecycle(Bucket=BUCKET)

    check = playbook("site.yml", LOCAL, check=True, extra_args=DATA_ONLY)
    assert check.rc == 0, check.output[-6000:]
    assert "versioning: Suspended -> Enabled" in check.output
    assert "public access block" in check.output
    assert check.changed(PREFIX) == 2, check.output[-4000:]  # the bucket preview and the lifecycle rules
    assert s3.get_bucket_versioning(Bucket=BUCKET)["Status"] == "Suspended", "check mode changed the bucket"

    run = playbook("site.yml", LOCAL, extra_args=DATA_ONLY)
    assert run.rc == 0, run.output[-6000:]
    assert s3.get_bucket_versioning(Bucket=BUCKET)["Status"] == "Enabled"
    assert s3.get_public_access_block(Bucket=BUCKET)["PublicAccessBlockConfiguration"]["BlockPublicPolicy"] is True
    assert len(s3.get_bucket_lifecycle_configuration(Bucket=BUCKET)["Rules"]) == 5


# --- Database (RDS PostgreSQL) ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def db(emulator, runs):
    rds = emulator.client("rds")
    [instance] = rds.describe_db_instances(DBInstanceIdentifier=f"{PREFIX}-db")["DBInstances"]
    return instance


def test_database_instance_settings(db):
    expected = {
        "Engine": "postgres",
        "EngineVersion": "16.6",
        "DBInstanceClass": "db.t4g.medium",
        "MultiAZ": True,
        "StorageType": "gp3",
        "AllocatedStorage": 100,
        "MaxAllocatedStorage": 200,
        "StorageEncrypted": True,
        "PubliclyAccessible": False,
        "BackupRetentionPeriod": 7,
        "PreferredBackupWindow": "18:00-19:00",
        "PreferredMaintenanceWindow": "mon:19:00-mon:20:00",
        "PerformanceInsightsEnabled": True,
        "PerformanceInsightsRetentionPeriod": 7,
        "MonitoringInterval": 60,
        "MonitoringRoleArn": f"arn:aws:iam::123456789012:role/{PREFIX}-rds-monitoring",
        "DeletionProtection": True,
        "CopyTagsToSnapshot": True,
        "AutoMinorVersionUpgrade": True,
        "MasterUsername": "triflow_admin",
        "DBName": "triflow",
    }
    assert {key: db.get(key) for key in expected} == expected
    assert sorted(db["EnabledCloudwatchLogsExports"]) == ["postgresql", "upgrade"]
    # gp3 below 400 GiB: no IOPS were set (AWS rejects them), the baseline is reported.
    assert (db["Iops"], db["StorageThroughput"]) == (3000, 125)
    assert {t["Key"]: t["Value"] for t in db["TagList"]} == {**BASE_TAGS, "Name": f"{PREFIX}-db"}


def test_database_is_private_in_the_private_subnets_behind_the_db_group(emulator, db):
    ec2 = emulator.client("ec2")
    subnets = {s["SubnetId"]: tags_of(s).get("Name") for s in ec2.describe_subnets()["Subnets"]}
    group = db["DBSubnetGroup"]
    assert group["DBSubnetGroupName"] == f"{PREFIX}-db"
    assert sorted(subnets[s["SubnetIdentifier"]] for s in group["Subnets"]) == [
        f"{PREFIX}-private-ap-northeast-2a",
        f"{PREFIX}-private-ap-northeast-2c",
    ]
    [security_group] = db["VpcSecurityGroups"]
    [described] = ec2.describe_security_groups(GroupIds=[security_group["VpcSecurityGroupId"]])["SecurityGroups"]
    assert described["GroupName"] == f"{PREFIX}-db"


def test_database_parameters(emulator, db):
    [group] = db["DBParameterGroups"]
    assert group["DBParameterGroupName"] == f"{PREFIX}-postgres16"
    rds = emulator.client("rds")
    family = rds.describe_db_parameter_groups(DBParameterGroupName=group["DBParameterGroupName"])
    assert family["DBParameterGroups"][0]["DBParameterGroupFamily"] == "postgres16"
    paginator = rds.get_paginator("describe_db_parameters")
    parameters = {
        p["ParameterName"]: p
        for page in paginator.paginate(DBParameterGroupName=group["DBParameterGroupName"])
        for p in page["Parameters"]
    }
    wanted = {
        "shared_preload_libraries": "pg_stat_statements",
        "log_statement": "mod",
        "log_min_duration_statement": "1000",
        # the app's pool (20) x its most tasks (5) + 15 kept for admins, migrations and monitoring
        "max_connections": "115",
        "rds.force_ssl": "1",
    }
    assert {name: parameters[name].get("ParameterValue") for name in wanted} == wanted
    # Static parameters the role sets wait for a reboot (AWS rejects "immediate" for them); dynamic ones apply now.
    assert parameters["max_connections"]["ApplyMethod"] == "pending-reboot"
    assert parameters["log_statement"]["ApplyMethod"] == "immediate"


def test_enhanced_monitoring_role(emulator, runs):
    iam = emulator.client("iam")
    role = iam.get_role(RoleName=f"{PREFIX}-rds-monitoring")["Role"]
    [statement] = role["AssumeRolePolicyDocument"]["Statement"]
    assert statement["Principal"] == {"Service": "monitoring.rds.amazonaws.com"}
    attached = iam.list_attached_role_policies(RoleName=f"{PREFIX}-rds-monitoring")["AttachedPolicies"]
    assert [p["PolicyArn"] for p in attached] == [
        "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
    ]


def _connect(db, password):
    endpoint = db["Endpoint"]
    return psycopg.connect(
        host=endpoint["Address"],
        port=endpoint["Port"],
        user="triflow_admin",
        password=password,
        dbname="triflow",
        sslmode="prefer",
        connect_timeout=10,
    )


def test_master_password_is_the_generated_secret_and_pgvector_serves_rag_queries(db, runs):
    password = runs["values"][f"{PREFIX}/db-master-password"]
    with _connect(db, password) as conn:
        conn.autocommit = True
        version = conn.execute("SELECT extversion FROM pg_extension WHERE extname = 'vector'").fetchone()[0]
        assert tuple(int(part) for part in version.split(".")[:2]) >= (0, 8)
        conn.execute("CREATE TEMP TABLE chunks (id int PRIMARY KEY, embedding vector(1536))")
        rows = {1: [1.0] + [0.0] * 1535, 2: [0.0, 1.0] + [0.0] * 1534, 3: [1.0, 1.0] + [0.0] * 1534}
        for key, embedding in rows.items():
            conn.execute("INSERT INTO chunks VALUES (%s, %s::vector)", (key, str(embedding)))
        conn.execute("CREATE INDEX ON chunks USING hnsw (embedding vector_cosine_ops)")
        query = str([0.9, 0.1] + [0.0] * 1534)
        nearest = conn.execute(
            "SELECT id, embedding <=> %s::vector AS distance FROM chunks ORDER BY distance LIMIT 2", (query,)
        ).fetchall()
        assert [row[0] for row in nearest] == [1, 3]
        assert nearest[0][1] == pytest.approx(1 - 0.9 / (0.81 + 0.01) ** 0.5, abs=1e-6)


def test_a_rerun_never_resets_the_master_password(emulator, playbook, db, runs):
    rds = emulator.client("rds")
    identifier = f"{PREFIX}-db"
    rds.modify_db_instance(
        DBInstanceIdentifier=identifier, MasterUserPassword="set-by-an-operator-1", ApplyImmediately=True
    )
    run = playbook("site.yml", LOCAL, extra_args=DATA_ONLY)
    # The stored secret no longer opens the database: the pgvector step says so instead of resetting the password.
    assert run.rc != 0
    assert "password authentication failed" in run.output
    _connect(db, "set-by-an-operator-1").close()
    # Put the secret's password back, so the stack converges again for the other tests.
    secret = runs["values"][f"{PREFIX}/db-master-password"]
    rds.modify_db_instance(DBInstanceIdentifier=identifier, MasterUserPassword=secret, ApplyImmediately=True)
    assert playbook("site.yml", LOCAL, extra_args=DATA_ONLY).rc == 0
    _connect(db, secret).close()


# --- Cache (ElastiCache Redis) -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cache(emulator, runs):
    [group] = emulator.client("elasticache").describe_replication_groups(ReplicationGroupId=f"{PREFIX}-redis")[
        "ReplicationGroups"
    ]
    return group


def test_replication_group_settings(cache):
    assert cache["Status"] == "available"
    assert len(cache["MemberClusters"]) == 2, "a primary and one replica"
    assert cache["AutomaticFailover"] == "enabled"
    assert cache["MultiAZ"] == "enabled"
    assert cache["AtRestEncryptionEnabled"] is True
    assert cache["TransitEncryptionEnabled"] is True
    assert cache["AuthTokenEnabled"] is True
    assert cache["CacheNodeType"] == "cache.t4g.small"
    assert cache["SnapshotRetentionLimit"] == 5
    assert cache["SnapshotWindow"] == "17:00-18:00"
    logs = sorted((c["LogType"], c["DestinationType"], c["LogFormat"]) for c in cache["LogDeliveryConfigurations"])
    assert logs == [("engine-log", "cloudwatch-logs", "json"), ("slow-log", "cloudwatch-logs", "json")]


def test_cache_members_engine_groups_and_window(emulator, cache):
    elasticache = emulator.client("elasticache")
    for member in cache["MemberClusters"]:
        [cluster] = elasticache.describe_cache_clusters(CacheClusterId=member)["CacheClusters"]
        assert cluster["Engine"] == "redis"
        assert cluster["EngineVersion"].startswith("7.")
        assert cluster["PreferredMaintenanceWindow"] == "sun:19:00-sun:20:00"
        assert cluster["CacheParameterGroup"]["CacheParameterGroupName"] == f"{PREFIX}-redis7"
        assert cluster["CacheSubnetGroupName"] == f"{PREFIX}-redis"
        assert [g["SecurityGroupId"] for g in cluster["SecurityGroups"]]
    parameters = {
        p["ParameterName"]: p.get("ParameterValue")
        for p in elasticache.describe_cache_parameters(CacheParameterGroupName=f"{PREFIX}-redis7")["Parameters"]
    }
    assert parameters["timeout"] == "300"
    assert parameters["maxmemory-policy"] == "allkeys-lru"
    groups = elasticache.describe_cache_parameter_groups(CacheParameterGroupName=f"{PREFIX}-redis7")
    assert groups["CacheParameterGroups"][0]["CacheParameterGroupFamily"] == "redis7"


def test_cache_log_groups_keep_14_days(emulator, cache):
    logs = emulator.client("logs")
    for configuration in cache["LogDeliveryConfigurations"]:
        name = configuration["DestinationDetails"]["CloudWatchLogsDetails"]["LogGroup"]
        [group] = [
            g for g in logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"] if g["logGroupName"] == name
        ]
        assert group["retentionInDays"] == 14


def test_reprovisioning_keeps_the_deployed_image_and_the_autoscaled_count(emulator, playbook, runs):
    """SPEC defect 6: a deploy of another image and a count autoscaling set survive site.yml; drifted deployment
    settings (circuit breaker off) are put back."""
    ecs = emulator.client("ecs")
    cluster, name = PREFIX, f"{PREFIX}-backend"
    service = ecs.describe_services(cluster=cluster, services=[name])["services"][0]
    task = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"]
    container = {**task["containerDefinitions"][0]}
    container["image"] = container["image"].rsplit(":", 1)[0] + ":v2.0.1"
    deployed = ecs.register_task_definition(
        family=task["family"],
        taskRoleArn=task["taskRoleArn"],
        executionRoleArn=task["executionRoleArn"],
        networkMode=task["networkMode"],
        containerDefinitions=[container],
        requiresCompatibilities=task["requiresCompatibilities"],
        cpu=task["cpu"],
        memory=task["memory"],
        runtimePlatform=task["runtimePlatform"],
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

    run = playbook("site.yml", LOCAL)
    assert run.rc == 0, run.output[-6000:]
    after = ecs.describe_services(cluster=cluster, services=[name])["services"][0]
    # AWS reports the ARN; moto reports the family:revision UpdateService was given. The revision is what counts.
    assert after["taskDefinition"].split("/")[-1] == deployed.split("/")[-1]
    image = ecs.describe_task_definition(taskDefinition=after["taskDefinition"])["taskDefinition"]
    assert image["containerDefinitions"][0]["image"].endswith(":v2.0.1")
    assert after["desiredCount"] == 4
    assert after["deploymentConfiguration"]["minimumHealthyPercent"] == 100
    assert after["deploymentConfiguration"]["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}

    again = playbook("site.yml", LOCAL)
    assert again.rc == 0 and again.changed(PREFIX) == 0, again.output[-4000:]
