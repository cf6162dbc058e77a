"""SPEC.md row by row, as checks on a converged stack read back with boto3: each row is written once, here.

The integration tests (tests/integration/test_conformance.py) run every row on the emulator's stack of
inventories/local; molecule's verifier runs the same rows on its stack, through whatever endpoint
AWS_ENDPOINT_URL names (the account comes from STS, never a constant). Each row is named
``<SPEC section>: <property>`` so a report reads as the specification.

A stack under test has the product's baseline settings (SPEC.md's values); only its name parts differ.
"""

from __future__ import annotations

import json
import os
import re
import stat
import string
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import psycopg

from support.aws import REGION, Endpoint
from support.network_state import network_of, rule_set, tags_of

GIB = 1024**3
SECRET_LENGTHS = {"db-master-password": 40, "redis-auth-token": 64, "app-secret-key": 64}
APP_SECRETS = ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "ANTHROPIC_API_KEY")
# "*" in an IAM policy only where AWS offers nothing narrower: (action, why).
STAR_RESOURCE_ALLOWED = {
    "ecr:GetAuthorizationToken": "AWS: GetAuthorizationToken has no resource-level permissions (registry-wide token)",
    "cloudwatch:PutMetricData": "AWS: PutMetricData has no resource-level permissions; the cloudwatch:namespace "
    "condition limits it to the app's namespace",
}
ZONES = ("ap-northeast-2a", "ap-northeast-2c")


@dataclass
class StackUnderTest:
    """What AWS reports about one stack, read once per resource."""

    aws: Endpoint
    customer: str
    environment: str
    output_dir: Path
    project: str = "triflow"
    region: str = REGION
    _cache: dict[str, Any] = field(default_factory=dict)
    # The services the row being checked declares (None: any); a read of another one fails the row, so a row's
    # declaration is what decides where it can run (LOCALSTACK_SERVICES).
    reading: frozenset[str] | None = None

    @classmethod
    def from_environment(cls, customer: str, environment: str) -> StackUnderTest:
        """A stack read through what the environment names, as the roles' modules read it (molecule's verifiers):
        AWS_ENDPOINT_URL and the credentials (boto3's own lookup), AWS_DEFAULT_REGION, the outputs under
        TRIFLOW_OUTPUT_DIR or the project's output/. The account comes from STS, never a constant."""
        project = Path(os.environ.get("MOLECULE_PROJECT_DIRECTORY", Path(__file__).resolve().parents[2]))
        return cls(
            aws=Endpoint(url=None),
            customer=customer,
            environment=environment,
            output_dir=Path(os.environ.get("TRIFLOW_OUTPUT_DIR", project / "output")),
            region=os.environ.get("AWS_DEFAULT_REGION", REGION),
        )

    @property
    def prefix(self) -> str:
        return f"{self.project}-{self.customer}-{self.environment}"

    @property
    def service_name(self) -> str:
        return f"{self.prefix}-backend"

    @property
    def base_tags(self) -> dict[str, str]:
        return {
            "Project": self.project,
            "Customer": self.customer,
            "Environment": self.environment,
            "ManagedBy": "ansible",
        }

    def allow(self, service: str) -> None:
        assert self.reading is None or service in self.reading | {"sts"}, (
            f"the row reads {service} but declares only {sorted(self.reading)}: add it to the row's services"
        )

    def client(self, service: str, region: str | None = None) -> Any:
        self.allow(service)
        return self.aws.client(service, region or self.region)

    def cached(self, key: str, read: Callable[[], Any]) -> Any:
        # A value read once for several rows belongs to its service on every access, not only the first.
        self.allow(CACHED_FROM[key])
        if key not in self._cache:
            self._cache[key] = read()
        return self._cache[key]

    def forget(self) -> None:
        """Read everything again (after a test changed the stack)."""
        self._cache.clear()

    @property
    def account(self) -> str:
        return self.cached("account", self.aws.account_id)

    @property
    def bucket(self) -> str:
        return f"{self.prefix}-files-{self.account}"

    @property
    def network(self) -> dict[str, Any]:
        return self.cached("network", lambda: network_of(self.client("ec2"), self.prefix))

    def subnet_cidrs(self) -> dict[str, str]:
        return {sub["SubnetId"]: sub["CidrBlock"] for sub in self.network["subnets"].values()}

    @property
    def db(self) -> dict[str, Any]:
        return self.cached(
            "db",
            lambda: self.client("rds").describe_db_instances(DBInstanceIdentifier=f"{self.prefix}-db")["DBInstances"][
                0
            ],
        )

    @property
    def cache(self) -> dict[str, Any]:
        return self.cached(
            "cache",
            lambda: self.client("elasticache").describe_replication_groups(ReplicationGroupId=f"{self.prefix}-redis")[
                "ReplicationGroups"
            ][0],
        )

    @property
    def cache_members(self) -> list[dict[str, Any]]:
        def read() -> list[dict[str, Any]]:
            elasticache = self.client("elasticache")
            return [
                elasticache.describe_cache_clusters(CacheClusterId=member)["CacheClusters"][0]
                for member in self.cache["MemberClusters"]
            ]

        return self.cached("cache_members", read)

    @property
    def service(self) -> dict[str, Any]:
        return self.cached(
            "service",
            lambda: self.client("ecs").describe_services(
                cluster=self.prefix, services=[self.service_name], include=["TAGS"]
            )["services"][0],
        )

    @property
    def task(self) -> dict[str, Any]:
        def read() -> dict[str, Any]:
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
            "alb",
            lambda: self.client("elbv2").describe_load_balancers(Names=[f"{self.prefix}-alb"])["LoadBalancers"][0],
        )

    @property
    def target_group(self) -> dict[str, Any]:
        return self.cached(
            "tg", lambda: self.client("elbv2").describe_target_groups(Names=[f"{self.prefix}-tg"])["TargetGroups"][0]
        )

    @property
    def alarms(self) -> dict[str, dict[str, Any]]:
        def read() -> dict[str, dict[str, Any]]:
            pages = self.client("cloudwatch").get_paginator("describe_alarms").paginate(AlarmNamePrefix=self.prefix)
            start = len(self.prefix) + 1
            return {alarm["AlarmName"][start:]: alarm for page in pages for alarm in page["MetricAlarms"]}

        return self.cached("alarms", read)

    def secret(self, key: str) -> str:
        return self.client("secretsmanager").get_secret_value(SecretId=f"{self.prefix}/{key}")["SecretString"]

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

    def connect_db(self, password: str | None = None) -> psycopg.Connection:
        endpoint = self.db["Endpoint"]
        return psycopg.connect(
            host=endpoint["Address"],
            port=endpoint["Port"],
            user=self.db["MasterUsername"],
            password=self.secret("db-master-password") if password is None else password,
            dbname=self.db["DBName"],
            sslmode="prefer",
            connect_timeout=10,
        )


# The AWS service each of StackUnderTest's cached reads comes from.
CACHED_FROM = {
    "account": "sts",
    "network": "ec2",
    "db": "rds",
    "cache": "elasticache",
    "cache_members": "elasticache",
    "service": "ecs",
    "task": "ecs",
    "alb": "elbv2",
    "tg": "elbv2",
    "alarms": "cloudwatch",
}
# What molecule's localstack scenario builds on LocalStack's community runtime: the network, the secrets, the
# bucket, the app's log group with its metric filter and the alarms topic. The rows reading only these services run
# there. LocalStack serves IAM and CloudWatch too, but what the stack keeps in them (the app's roles, whose policies
# name the URL secrets holding the database's and the cache's endpoints; the alarms and the dashboard, whose
# dimensions name the load balancer) needs RDS, ElastiCache and ELBv2, which it does not serve.
LOCALSTACK_SCENARIO_SERVICES = frozenset({"ec2", "s3", "secretsmanager", "sns", "logs"})


@dataclass(frozen=True)
class Row:
    section: str
    prop: str
    function: Callable[[StackUnderTest], None]
    services: frozenset[str]

    @property
    def name(self) -> str:
        return f"{self.section}: {self.prop}"

    def check(self, stack: StackUnderTest) -> None:
        """Check the row on a stack, failing when it reads a service it does not declare."""
        stack.reading = self.services
        try:
            self.function(stack)
        finally:
            stack.reading = None


ROWS: list[Row] = []


def row(section: str, prop: str, services: tuple[str, ...]) -> Callable:
    """Register one SPEC.md property check and the AWS services it reads: ``@row("Database", "Multi-AZ", ("rds",))``."""

    def register(function: Callable[[StackUnderTest], None]) -> Callable[[StackUnderTest], None]:
        ROWS.append(Row(section, prop, function, frozenset(services)))
        return function

    return register


def rows_served_by(services: frozenset[str]) -> list[Row]:
    """The rows that read nothing but ``services``."""
    return [spec_row for spec_row in ROWS if spec_row.services <= services]


def _letters_and_digits(value: str) -> bool:
    return bool(value) and set(value) <= set(string.ascii_letters + string.digits)


def _as_list(value: Any) -> list:
    return value if isinstance(value, list) else [value]


def _named(s: StackUnderTest, resource: dict[str, Any], name: str) -> None:
    assert tags_of(resource) == {**s.base_tags, "Name": name}, (name, tags_of(resource))


# ---------------------------------------------------------------------------------------------------- network


@row("Network", "VPC 10.0.0.0/16 with DNS support and hostnames", services=("ec2",))
def _vpc(s: StackUnderTest) -> None:
    assert s.network["vpc"]["CidrBlock"] == "10.0.0.0/16"
    assert s.network["dns_support"] is True and s.network["dns_hostnames"] is True
    _named(s, s.network["vpc"], f"{s.prefix}-vpc")


@row("Network", "internet gateway attached", services=("ec2",))
def _igw(s: StackUnderTest) -> None:
    [igw] = s.network["internet_gateways"]
    assert [attachment["State"] for attachment in igw["Attachments"]] == ["available"]
    _named(s, igw, f"{s.prefix}-igw")


@row(
    "Network",
    "public 10.0.1.0/24, 10.0.2.0/24 and private 10.0.11.0/24, 10.0.12.0/24, one of each per AZ 2a, 2c",
    services=("ec2",),
)
def _subnets(s: StackUnderTest) -> None:
    expected = {
        f"{s.prefix}-public-{ZONES[0]}": ("10.0.1.0/24", ZONES[0]),
        f"{s.prefix}-public-{ZONES[1]}": ("10.0.2.0/24", ZONES[1]),
        f"{s.prefix}-private-{ZONES[0]}": ("10.0.11.0/24", ZONES[0]),
        f"{s.prefix}-private-{ZONES[1]}": ("10.0.12.0/24", ZONES[1]),
    }
    subnets = s.network["subnets"]
    assert {name: (sub["CidrBlock"], sub["AvailabilityZone"]) for name, sub in subnets.items()} == expected
    for name, subnet in subnets.items():
        assert subnet["MapPublicIpOnLaunch"] is False, name
        _named(s, subnet, name)


@row("Network", "one NAT gateway with an EIP in the first public subnet", services=("ec2",))
def _nat(s: StackUnderTest) -> None:
    [nat] = s.network["nat_gateways"]
    assert nat["SubnetId"] == s.network["subnets"][f"{s.prefix}-public-{ZONES[0]}"]["SubnetId"]
    _named(s, nat, f"{s.prefix}-nat-{ZONES[0]}")
    [eip] = s.network["eips"]
    assert eip["AllocationId"] == nat["NatGatewayAddresses"][0]["AllocationId"] and eip["Domain"] == "vpc"
    _named(s, eip, f"{s.prefix}-nat-eip-{ZONES[0]}")


def _default_route(table: dict[str, Any]) -> dict[str, Any]:
    [route] = [r for r in table["Routes"] if r.get("DestinationCidrBlock") == "0.0.0.0/0"]
    return route


def _associated_subnets(table: dict[str, Any]) -> list[str]:
    return sorted(a["SubnetId"] for a in table["Associations"] if a.get("SubnetId"))


@row("Network", "route tables: public 0.0.0.0/0 to the IGW, private to the NAT, no other table", services=("ec2",))
def _routes(s: StackUnderTest) -> None:
    tables, subnets = s.network["route_tables"], s.network["subnets"]
    public = tables[f"{s.prefix}-public-rt"]
    assert _default_route(public)["GatewayId"] == s.network["internet_gateways"][0]["InternetGatewayId"]
    assert _associated_subnets(public) == sorted(subnets[f"{s.prefix}-public-{zone}"]["SubnetId"] for zone in ZONES)
    _named(s, public, f"{s.prefix}-public-rt")
    for zone in ZONES:
        private = tables[f"{s.prefix}-private-rt-{zone}"]
        assert _default_route(private)["NatGatewayId"] == s.network["nat_gateways"][0]["NatGatewayId"]
        assert _associated_subnets(private) == [subnets[f"{s.prefix}-private-{zone}"]["SubnetId"]]
        _named(s, private, f"{s.prefix}-private-rt-{zone}")
    named = {name for name in tables if name.startswith(s.prefix)}
    assert named == {f"{s.prefix}-public-rt", *(f"{s.prefix}-private-rt-{zone}" for zone in ZONES)}
    others = [table for name, table in tables.items() if name not in named]
    assert all(any(a.get("Main") for a in table["Associations"]) for table in others), "only the main table besides"


@row("Network", "S3 gateway endpoint on every route table of the stack", services=("ec2",))
def _s3_endpoint(s: StackUnderTest) -> None:
    [endpoint] = s.network["endpoints"]
    assert endpoint["ServiceName"] == f"com.amazonaws.{s.region}.s3" and endpoint["VpcEndpointType"] == "Gateway"
    stack_tables = {t["RouteTableId"] for name, t in s.network["route_tables"].items() if name.startswith(s.prefix)}
    assert set(endpoint["RouteTableIds"]) == stack_tables
    _named(s, endpoint, f"{s.prefix}-s3")


# (ingress, egress) of each group as (protocol, from, to, peer): a CIDR, or a group's short name.
SECURITY_GROUPS = {
    "alb": ({("tcp", 443, 443, "0.0.0.0/0"), ("tcp", 80, 80, "0.0.0.0/0")}, {("tcp", 8000, 8000, "app")}),
    "app": (
        {("tcp", 8000, 8000, "alb")},
        {
            ("tcp", 443, 443, "0.0.0.0/0"),
            ("tcp", 80, 80, "0.0.0.0/0"),
            ("tcp", 5432, 5432, "db"),
            ("tcp", 6379, 6379, "cache"),
        },
    ),
    "db": ({("tcp", 5432, 5432, "app")}, set()),
    "cache": ({("tcp", 6379, 6379, "app")}, set()),
}


@row("Network", "security groups alb, app, db, cache hold exactly the SPEC rules, none wider", services=("ec2",))
def _security_groups(s: StackUnderTest) -> None:
    groups = s.network["security_groups"]
    assert sorted(groups) == sorted(f"{s.prefix}-{key}" for key in SECURITY_GROUPS)
    short = {group["GroupId"]: name.removeprefix(f"{s.prefix}-") for name, group in groups.items()}
    for key, (ingress, egress) in SECURITY_GROUPS.items():
        group = groups[f"{s.prefix}-{key}"]
        assert rule_set(group["IpPermissions"], short) == ingress, key
        assert rule_set(group["IpPermissionsEgress"], short) == egress, key
        _named(s, group, f"{s.prefix}-{key}")


# --------------------------------------------------------------------------------------------------- database


@row(
    "Database",
    "subnet group on the private subnets, behind the db group, not publicly accessible",
    services=(
        "rds",
        "ec2",
    ),
)
def _db_network(s: StackUnderTest) -> None:
    group = s.db["DBSubnetGroup"]
    assert group["DBSubnetGroupName"] == f"{s.prefix}-db"
    cidrs = s.subnet_cidrs()
    assert {cidrs[sub["SubnetIdentifier"]] for sub in group["Subnets"]} == {"10.0.11.0/24", "10.0.12.0/24"}
    [security_group] = s.db["VpcSecurityGroups"]
    assert security_group["VpcSecurityGroupId"] == s.network["security_groups"][f"{s.prefix}-db"]["GroupId"]
    assert s.db["PubliclyAccessible"] is False


@row("Database", "PostgreSQL 16.6 (pgvector 0.8 on RDS), db.t4g.medium, Multi-AZ", services=("rds",))
def _db_engine(s: StackUnderTest) -> None:
    assert (s.db["Engine"], s.db["EngineVersion"]) == ("postgres", "16.6")
    assert s.db["DBInstanceClass"] == "db.t4g.medium" and s.db["MultiAZ"] is True


@row("Database", "gp3 100 GiB autoscaling to 200, no explicit IOPS below 400 GiB, encrypted", services=("rds",))
def _db_storage(s: StackUnderTest) -> None:
    assert (s.db["StorageType"], s.db["AllocatedStorage"], s.db["MaxAllocatedStorage"]) == ("gp3", 100, 200)
    # gp3 below 400 GiB: no IOPS were set (AWS rejects them), the baseline is reported.
    assert (s.db["Iops"], s.db["StorageThroughput"]) == (3000, 125)
    assert s.db["StorageEncrypted"] is True


@row(
    "Database",
    "parameter group postgres16: static parameters pending-reboot, dynamic ones immediate",
    services=("rds",),
)
def _db_parameters(s: StackUnderTest) -> None:
    [group] = s.db["DBParameterGroups"]
    assert group["DBParameterGroupName"] == f"{s.prefix}-postgres16"
    rds = s.client("rds")
    described = rds.describe_db_parameter_groups(DBParameterGroupName=group["DBParameterGroupName"])
    assert described["DBParameterGroups"][0]["DBParameterGroupFamily"] == "postgres16"
    parameters = {
        p["ParameterName"]: p
        for page in rds.get_paginator("describe_db_parameters").paginate(
            DBParameterGroupName=group["DBParameterGroupName"]
        )
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
    assert parameters["shared_preload_libraries"]["ApplyMethod"] == "pending-reboot"
    assert parameters["max_connections"]["ApplyMethod"] == "pending-reboot"
    assert parameters["log_statement"]["ApplyMethod"] == "immediate"


@row("Database", "backups 7 days 18:00-19:00 UTC, maintenance mon:19:00-mon:20:00", services=("rds",))
def _db_windows(s: StackUnderTest) -> None:
    assert s.db["BackupRetentionPeriod"] == 7
    assert (s.db["PreferredBackupWindow"], s.db["PreferredMaintenanceWindow"]) == ("18:00-19:00", "mon:19:00-mon:20:00")


@row(
    "Database",
    "postgresql and upgrade logs exported, Performance Insights 7 days, monitoring 60 s with its role",
    services=(
        "rds",
        "iam",
    ),
)
def _db_monitoring(s: StackUnderTest) -> None:
    assert sorted(s.db["EnabledCloudwatchLogsExports"]) == ["postgresql", "upgrade"]
    assert s.db["PerformanceInsightsEnabled"] is True and s.db["PerformanceInsightsRetentionPeriod"] == 7
    assert s.db["MonitoringInterval"] == 60
    assert s.db["MonitoringRoleArn"] == f"arn:aws:iam::{s.account}:role/{s.prefix}-rds-monitoring"
    iam = s.client("iam")
    [statement] = iam.get_role(RoleName=f"{s.prefix}-rds-monitoring")["Role"]["AssumeRolePolicyDocument"]["Statement"]
    assert statement["Principal"] == {"Service": "monitoring.rds.amazonaws.com"}
    attached = iam.list_attached_role_policies(RoleName=f"{s.prefix}-rds-monitoring")["AttachedPolicies"]
    assert [p["PolicyArn"] for p in attached] == [
        "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
    ]


@row(
    "Database",
    "deletion protection, final snapshot, copy tags to snapshots, auto minor version upgrade",
    services=("rds",),
)
def _db_protection(s: StackUnderTest) -> None:
    assert s.db["DeletionProtection"] is True
    assert s.db["CopyTagsToSnapshot"] is True and s.db["AutoMinorVersionUpgrade"] is True
    assert (s.db["MasterUsername"], s.db["DBName"]) == ("triflow_admin", "triflow")
    assert tags_of({"Tags": s.db["TagList"]}) == {**s.base_tags, "Name": f"{s.prefix}-db"}


@row(
    "Database",
    "master password generated once (40 letters and digits) in Secrets Manager, opening the database",
    services=(
        "rds",
        "secretsmanager",
    ),
)
def _db_password(s: StackUnderTest) -> None:
    password = s.secret("db-master-password")
    assert len(password) == SECRET_LENGTHS["db-master-password"] and _letters_and_digits(password)
    with s.connect_db(password) as connection:
        assert connection.execute("SELECT current_user").fetchone() == ("triflow_admin",)


@row(
    "Database",
    "pgvector 0.8 or later installed in the app database",
    services=(
        "rds",
        "secretsmanager",
    ),
)
def _db_pgvector(s: StackUnderTest) -> None:
    with s.connect_db() as connection:
        version = connection.execute("SELECT extversion FROM pg_extension WHERE extname = 'vector'").fetchone()
    assert version is not None and tuple(int(part) for part in version[0].split(".")[:2]) >= (0, 8)


@row(
    "Database",
    "the app logs in as its own role (member of the NOLOGIN owner of the public schema), never the master user",
    services=(
        "rds",
        "secretsmanager",
    ),
)
def _db_app_login(s: StackUnderTest) -> None:
    login = json.loads(s.secret("db-app-credentials"))
    assert login["username"] in ("triflow_app_a", "triflow_app_b") and _letters_and_digits(login["password"])
    url = urlsplit(s.secret("database-url"))
    assert unquote(url.username or "") == login["username"] != s.db["MasterUsername"]
    assert unquote(url.password or "") == login["password"]
    endpoint = s.db["Endpoint"]
    with psycopg.connect(
        host=endpoint["Address"],
        port=endpoint["Port"],
        user=login["username"],
        password=login["password"],
        dbname=s.db["DBName"],
        sslmode="prefer",
        connect_timeout=10,
    ) as connection:
        row = connection.execute(
            "SELECT current_user, r.rolsuper OR r.rolcreatedb OR r.rolcreaterole OR r.rolbypassrls, "
            "(SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = 'public') "
            "FROM pg_roles r WHERE r.rolname = session_user"
        ).fetchone()
    assert row == ("triflow_app", False, "triflow_app")


# ------------------------------------------------------------------------------------------------------ cache


@row(
    "Cache",
    "subnet group on the private subnets, the cache group on every member",
    services=(
        "elasticache",
        "ec2",
    ),
)
def _cache_network(s: StackUnderTest) -> None:
    cache_group = s.network["security_groups"][f"{s.prefix}-cache"]["GroupId"]
    subnets = s.client("elasticache").describe_cache_subnet_groups(CacheSubnetGroupName=f"{s.prefix}-redis")
    [group] = subnets["CacheSubnetGroups"]
    cidrs = s.subnet_cidrs()
    assert {cidrs[sub["SubnetIdentifier"]] for sub in group["Subnets"]} == {"10.0.11.0/24", "10.0.12.0/24"}
    for member in s.cache_members:
        assert member["CacheSubnetGroupName"] == f"{s.prefix}-redis"
        assert [g["SecurityGroupId"] for g in member["SecurityGroups"]] == [cache_group]


@row("Cache", "Redis 7.x cache.t4g.small, primary + 1 replica, automatic failover, Multi-AZ", services=("elasticache",))
def _cache_group(s: StackUnderTest) -> None:
    assert s.cache["Status"] == "available" and s.cache["CacheNodeType"] == "cache.t4g.small"
    assert len(s.cache["MemberClusters"]) == 2, "a primary and one replica"
    assert s.cache["AutomaticFailover"] == "enabled" and s.cache["MultiAZ"] == "enabled"
    for member in s.cache_members:
        assert member["Engine"] == "redis" and member["EngineVersion"].startswith("7.")


@row(
    "Cache",
    "encryption at rest and in transit, AUTH token (64) generated in Secrets Manager",
    services=(
        "elasticache",
        "secretsmanager",
    ),
)
def _cache_encryption(s: StackUnderTest) -> None:
    assert s.cache["AtRestEncryptionEnabled"] is True and s.cache["TransitEncryptionEnabled"] is True
    assert s.cache["AuthTokenEnabled"] is True
    token = s.secret("redis-auth-token")
    assert len(token) == SECRET_LENGTHS["redis-auth-token"] and _letters_and_digits(token)


@row("Cache", "parameter group redis7: timeout=300, maxmemory-policy=allkeys-lru", services=("elasticache",))
def _cache_parameters(s: StackUnderTest) -> None:
    elasticache = s.client("elasticache")
    name = f"{s.prefix}-redis7"
    assert {member["CacheParameterGroup"]["CacheParameterGroupName"] for member in s.cache_members} == {name}
    groups = elasticache.describe_cache_parameter_groups(CacheParameterGroupName=name)["CacheParameterGroups"]
    assert groups[0]["CacheParameterGroupFamily"] == "redis7"
    parameters = {
        p["ParameterName"]: p.get("ParameterValue")
        for p in elasticache.describe_cache_parameters(CacheParameterGroupName=name)["Parameters"]
    }
    assert (parameters["timeout"], parameters["maxmemory-policy"]) == ("300", "allkeys-lru")


@row("Cache", "5 snapshots kept, window 17:00-18:00, maintenance sun:19:00-sun:20:00", services=("elasticache",))
def _cache_windows(s: StackUnderTest) -> None:
    assert s.cache["SnapshotRetentionLimit"] == 5 and s.cache["SnapshotWindow"] == "17:00-18:00"
    assert {member["PreferredMaintenanceWindow"] for member in s.cache_members} == {"sun:19:00-sun:20:00"}


@row(
    "Cache",
    "slow-log and engine-log to CloudWatch Logs as JSON, kept 14 days",
    services=(
        "elasticache",
        "logs",
    ),
)
def _cache_logs(s: StackUnderTest) -> None:
    configurations = s.cache["LogDeliveryConfigurations"]
    logs = sorted((c["LogType"], c["DestinationType"], c["LogFormat"]) for c in configurations)
    assert logs == [("engine-log", "cloudwatch-logs", "json"), ("slow-log", "cloudwatch-logs", "json")]
    client = s.client("logs")
    for configuration in configurations:
        name = configuration["DestinationDetails"]["CloudWatchLogsDetails"]["LogGroup"]
        [group] = [
            g for g in client.describe_log_groups(logGroupNamePrefix=name)["logGroups"] if g["logGroupName"] == name
        ]
        assert group["retentionInDays"] == 14, name


# ---------------------------------------------------------------------------------------------------- storage


@row(
    "Storage",
    "bucket per stack: versioning, AES256, all four public access blocks, owner-enforced, its region",
    services=("s3",),
)
def _bucket(s: StackUnderTest) -> None:
    s3 = s.client("s3")
    assert s3.get_bucket_versioning(Bucket=s.bucket)["Status"] == "Enabled"
    rule = s3.get_bucket_encryption(Bucket=s.bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    assert s3.get_public_access_block(Bucket=s.bucket)["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": True,
        "BlockPublicPolicy": True,
        "RestrictPublicBuckets": True,
    }
    ownership = s3.get_bucket_ownership_controls(Bucket=s.bucket)["OwnershipControls"]["Rules"]
    assert ownership == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    assert tags_of({"Tags": s3.get_bucket_tagging(Bucket=s.bucket)["TagSet"]}) == {**s.base_tags, "Name": s.bucket}
    assert s3.get_bucket_location(Bucket=s.bucket)["LocationConstraint"] == s.region


@row(
    "Storage",
    "TLS-only bucket policy: every request without TLS denied, on the bucket and its objects",
    services=("s3",),
)
def _bucket_policy(s: StackUnderTest) -> None:
    [statement] = json.loads(s.client("s3").get_bucket_policy(Bucket=s.bucket)["Policy"])["Statement"]
    assert (statement["Effect"], statement["Principal"], statement["Action"]) == ("Deny", "*", "s3:*")
    assert sorted(statement["Resource"]) == [f"arn:aws:s3:::{s.bucket}", f"arn:aws:s3:::{s.bucket}/*"]
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


@row(
    "Storage",
    "lifecycle: tenant workflow/export files to GLACIER at 90 days, logs 365, multipart 7, no '*'",
    services=("s3",),
)
def _bucket_lifecycle(s: StackUnderTest) -> None:
    rules = {r["ID"]: r for r in s.client("s3").get_bucket_lifecycle_configuration(Bucket=s.bucket)["Rules"]}
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


@row("Storage", "task role reads and writes this bucket's objects", services=("iam",))
def _bucket_task_access(s: StackUnderTest) -> None:
    statements = [st for doc in s.policies_of(f"{s.prefix}-ecs-task") for st in doc["Statement"]]
    objects = [st for st in statements if f"arn:aws:s3:::{s.bucket}/*" in _as_list(st["Resource"])]
    assert objects and {"s3:GetObject", "s3:PutObject"} <= set(_as_list(objects[0]["Action"]))


# --------------------------------------------------------------------------------------------------- registry


@row("Registry", "repository per stack, scan on push, AES256", services=("ecr",))
def _repository(s: StackUnderTest) -> None:
    [repo] = s.client("ecr").describe_repositories(repositoryNames=[s.service_name])["repositories"]
    assert repo["imageScanningConfiguration"]["scanOnPush"] is True
    assert repo["encryptionConfiguration"]["encryptionType"] == "AES256"


@row(
    "Registry",
    "lifecycle: untagged expire after 7 days, last 30 release images kept whatever their tags",
    services=("ecr",),
)
def _repository_lifecycle(s: StackUnderTest) -> None:
    text = s.client("ecr").get_lifecycle_policy(repositoryName=s.service_name)["lifecyclePolicyText"]
    rules = {rule["selection"]["tagStatus"]: rule["selection"] for rule in json.loads(text)["rules"]}
    assert rules["untagged"]["countType"] == "sinceImagePushed" and rules["untagged"]["countNumber"] == 7
    assert rules["tagged"]["countType"] == "imageCountMoreThan" and rules["tagged"]["countNumber"] == 30
    assert rules["tagged"]["tagPatternList"] == ["*"]  # versions and git SHAs alike


# ------------------------------------------------------------------------------------------------ application


@row("Application", "cluster with Container Insights", services=("ecs",))
def _cluster(s: StackUnderTest) -> None:
    [cluster] = s.client("ecs").describe_clusters(clusters=[s.prefix], include=["SETTINGS"])["clusters"]
    assert {"name": "containerInsights", "value": "enabled"} in cluster["settings"]


@row("Application", "log group /aws/ecs/<prefix>-backend with 14-day retention", services=("logs",))
def _log_group(s: StackUnderTest) -> None:
    [group] = s.client("logs").describe_log_groups(logGroupNamePrefix=f"/aws/ecs/{s.service_name}")["logGroups"]
    assert group["logGroupName"] == f"/aws/ecs/{s.service_name}" and group["retentionInDays"] == 14


@row(
    "Application",
    "execution role: pull from this repository, write this log group, read exactly the four secrets",
    services=("iam",),
)
def _execution_role(s: StackUnderTest) -> None:
    statements = {st["Sid"]: st for doc in s.policies_of(f"{s.prefix}-ecs-execution") for st in doc["Statement"]}
    assert _as_list(statements["PullTheBackendImage"]["Resource"]) == [
        f"arn:aws:ecr:{s.region}:{s.account}:repository/{s.service_name}"
    ]
    secrets = _as_list(statements["ReadTheBackendSecrets"]["Resource"])
    names = sorted(re.sub(r"-[A-Za-z0-9]{6}$", "", arn.split(":secret:")[1]) for arn in secrets)
    assert names == sorted(
        f"{s.prefix}/{n}" for n in ("database-url", "redis-url", "app-secret-key", "anthropic-api-key")
    )
    role = s.client("iam").get_role(RoleName=f"{s.prefix}-ecs-execution")["Role"]
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "ecs-tasks.amazonaws.com"}


@row("Application", "task role: PutMetricData limited to the app's namespace", services=("iam",))
def _task_role_metrics(s: StackUnderTest) -> None:
    statements = [st for doc in s.policies_of(f"{s.prefix}-ecs-task") for st in doc["Statement"]]
    [metrics] = [st for st in statements if "cloudwatch:PutMetricData" in _as_list(st["Action"])]
    assert metrics["Condition"] == {"StringEquals": {"cloudwatch:namespace": f"TriFlow/{s.prefix}"}}


@row(
    "Application", "IAM: no '*' action, '*' resource only where AWS has no resource-level permission", services=("iam",)
)
def _iam_star(s: StackUnderTest) -> None:
    iam = s.client("iam")
    roles = [role["RoleName"] for role in iam.list_roles()["Roles"] if role["RoleName"].startswith(s.prefix)]
    assert {f"{s.prefix}-ecs-execution", f"{s.prefix}-ecs-task", f"{s.prefix}-rds-monitoring"} <= set(roles)
    problems = []
    for role in roles:
        for document in s.policies_of(role):
            for statement in document["Statement"]:
                actions = _as_list(statement.get("Action", []))
                resources = _as_list(statement.get("Resource", []))
                problems += [f"{role}: action {a}" for a in actions if a == "*" or a.endswith(":*")]
                if "*" in resources:
                    problems += [f"{role}: {a} on resource *" for a in actions if a not in STAR_RESOURCE_ALLOWED]
                    if statement.get("Sid") == "PublishTheAppMetrics" and not statement.get("Condition"):
                        problems.append(f"{role}: PutMetricData on * without the namespace condition")
    assert problems == [], "\n".join(problems)


@row("Application", "task 1 vCPU / 2 GiB on Fargate, both roles", services=("ecs",))
def _task_size(s: StackUnderTest) -> None:
    assert (s.task["cpu"], s.task["memory"]) == ("1024", "2048")
    assert s.task["requiresCompatibilities"] == ["FARGATE"] and s.task["networkMode"] == "awsvpc"
    assert s.task["executionRoleArn"].endswith(f"role/{s.prefix}-ecs-execution")
    assert s.task["taskRoleArn"].endswith(f"role/{s.prefix}-ecs-task")


@row("Application", "container backend on port 8000, image from the stack's repository", services=("ecs",))
def _container(s: StackUnderTest) -> None:
    assert s.container["name"] == "backend"
    assert s.container["portMappings"][0]["containerPort"] == 8000
    assert s.container["image"].startswith(f"{s.account}.dkr.ecr.{s.region}.amazonaws.com/{s.service_name}:")


@row(
    "Application",
    "plain environment ENVIRONMENT, AWS_REGION, S3_BUCKET_NAME, DB host/port/name",
    services=(
        "ecs",
        "rds",
    ),
)
def _container_environment(s: StackUnderTest) -> None:
    env = {item["name"]: item["value"] for item in s.container["environment"]}
    assert (env["ENVIRONMENT"], env["AWS_REGION"], env["S3_BUCKET_NAME"]) == (s.environment, s.region, s.bucket)
    assert env["DB_HOST"] == s.db["Endpoint"]["Address"] and env["DB_PORT"] == str(s.db["Endpoint"]["Port"])
    assert env["DB_NAME"] == "triflow"
    assert not set(APP_SECRETS) & set(env)


@row(
    "Application",
    "secrets DATABASE_URL, REDIS_URL (rediss:// with the AUTH token), SECRET_KEY, ANTHROPIC_API_KEY",
    services=(
        "ecs",
        "secretsmanager",
        "rds",
        "elasticache",
    ),
)
def _container_secrets(s: StackUnderTest) -> None:
    secrets = {item["name"]: item["valueFrom"] for item in s.container["secrets"]}
    assert set(secrets) == set(APP_SECRETS)
    manager = s.client("secretsmanager")
    value = {name: manager.get_secret_value(SecretId=arn)["SecretString"] for name, arn in secrets.items()}
    endpoint = s.db["Endpoint"]
    # The app's own login (rds role, alternating users), never the master user's.
    login = json.loads(s.secret("db-app-credentials"))
    assert value["DATABASE_URL"] == (
        f"postgresql://{login['username']}:{login['password']}@{endpoint['Address']}:{endpoint['Port']}"
        "/triflow?sslmode=require"
    )
    primary = s.cache["NodeGroups"][0]["PrimaryEndpoint"]
    assert value["REDIS_URL"] == f"rediss://:{s.secret('redis-auth-token')}@{primary['Address']}:{primary['Port']}/0"
    assert len(value["SECRET_KEY"]) == SECRET_LENGTHS["app-secret-key"] and _letters_and_digits(value["SECRET_KEY"])
    with psycopg.connect(value["DATABASE_URL"].replace("sslmode=require", "sslmode=prefer")) as connection:
        assert connection.execute("SELECT 1").fetchone() == (1,)


@row("Application", "container health check on /health 30/5/3, start period 60", services=("ecs",))
def _container_health(s: StackUnderTest) -> None:
    check = s.container["healthCheck"]
    assert "/health" in " ".join(check["command"])
    assert (check["interval"], check["timeout"], check["retries"], check["startPeriod"]) == (30, 5, 3, 60)


@row("Application", "container logs to the log group", services=("ecs",))
def _container_logs(s: StackUnderTest) -> None:
    options = s.container["logConfiguration"]["options"]
    assert s.container["logConfiguration"]["logDriver"] == "awslogs"
    assert options["awslogs-group"] == f"/aws/ecs/{s.service_name}" and options["awslogs-region"] == s.region


@row(
    "Application",
    "service on Fargate, desired 2, private subnets, no public IP, the app group",
    services=(
        "ecs",
        "ec2",
    ),
)
def _service_network(s: StackUnderTest) -> None:
    assert s.service["launchType"] == "FARGATE" and s.service["desiredCount"] == 2
    network = s.service["networkConfiguration"]["awsvpcConfiguration"]
    cidrs = s.subnet_cidrs()
    assert {cidrs[sid] for sid in network["subnets"]} == {"10.0.11.0/24", "10.0.12.0/24"}
    assert network["assignPublicIp"] == "DISABLED"
    assert network["securityGroups"] == [s.network["security_groups"][f"{s.prefix}-app"]["GroupId"]]


@row(
    "Application",
    "deployments: min healthy 100 %, max 200 %, circuit breaker with rollback, grace 60 s",
    services=("ecs",),
)
def _service_deployments(s: StackUnderTest) -> None:
    config = s.service["deploymentConfiguration"]
    assert (config["minimumHealthyPercent"], config["maximumPercent"]) == (100, 200)
    assert config["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
    assert s.service["healthCheckGracePeriodSeconds"] == 60


@row(
    "Application",
    "service registered with the target group on container backend:8000",
    services=(
        "ecs",
        "elbv2",
    ),
)
def _service_load_balancer(s: StackUnderTest) -> None:
    [binding] = s.service["loadBalancers"]
    assert binding == {
        "targetGroupArn": s.target_group["TargetGroupArn"],
        "containerName": "backend",
        "containerPort": 8000,
    }


@row(
    "Application",
    "autoscaling 2..5 on average CPU 70 %, cooldowns in 300 / out 60",
    services=("application-autoscaling",),
)
def _autoscaling(s: StackUnderTest) -> None:
    scaling = s.client("application-autoscaling")
    resource = f"service/{s.prefix}/{s.service_name}"
    [target] = scaling.describe_scalable_targets(ServiceNamespace="ecs", ResourceIds=[resource])["ScalableTargets"]
    assert (target["MinCapacity"], target["MaxCapacity"]) == (2, 5)
    [policy] = scaling.describe_scaling_policies(ServiceNamespace="ecs", ResourceId=resource)["ScalingPolicies"]
    config = policy["TargetTrackingScalingPolicyConfiguration"]
    assert config["TargetValue"] == 70.0
    assert config["PredefinedMetricSpecification"]["PredefinedMetricType"] == "ECSServiceAverageCPUUtilization"
    assert (config["ScaleInCooldown"], config["ScaleOutCooldown"]) == (300, 60)


@row(
    "Application",
    "ALB internet-facing in the public subnets, deletion protection, HTTP/2",
    services=(
        "elbv2",
        "ec2",
    ),
)
def _alb(s: StackUnderTest) -> None:
    assert s.alb["Scheme"] == "internet-facing" and s.alb["Type"] == "application"
    cidrs = s.subnet_cidrs()
    assert {cidrs[zone["SubnetId"]] for zone in s.alb["AvailabilityZones"]} == {"10.0.1.0/24", "10.0.2.0/24"}
    described = s.client("elbv2").describe_load_balancer_attributes(LoadBalancerArn=s.alb["LoadBalancerArn"])
    attributes = {a["Key"]: a["Value"] for a in described["Attributes"]}
    assert attributes["deletion_protection.enabled"] == "true" and attributes["routing.http2.enabled"] == "true"


@row(
    "Application",
    "target group HTTP 8000 ip, /health every 15 s, timeout 5, 2/3, 200, deregistration 30 s",
    services=("elbv2",),
)
def _target_group(s: StackUnderTest) -> None:
    tg = s.target_group
    assert (tg["Protocol"], tg["Port"], tg["TargetType"]) == ("HTTP", 8000, "ip")
    assert (tg["HealthCheckPath"], tg["HealthCheckIntervalSeconds"], tg["HealthCheckTimeoutSeconds"]) == (
        "/health",
        15,
        5,
    )
    assert (tg["HealthyThresholdCount"], tg["UnhealthyThresholdCount"], tg["Matcher"]["HttpCode"]) == (2, 3, "200")
    described = s.client("elbv2").describe_target_group_attributes(TargetGroupArn=tg["TargetGroupArn"])
    attributes = {a["Key"]: a["Value"] for a in described["Attributes"]}
    assert attributes["deregistration_delay.timeout_seconds"] == "30"


@row("Application", "without a certificate: one listener, :80 forwarding to the target group", services=("elbv2",))
def _listeners(s: StackUnderTest) -> None:
    [listener] = s.client("elbv2").describe_listeners(LoadBalancerArn=s.alb["LoadBalancerArn"])["Listeners"]
    assert (listener["Protocol"], listener["Port"]) == ("HTTP", 80)
    assert listener["DefaultActions"][0]["Type"] == "forward"
    assert listener["DefaultActions"][0]["TargetGroupArn"] == s.target_group["TargetGroupArn"]


@row(
    "Application",
    "environment file: every key, mode 0600, secrets only by ARN",
    services=(
        "rds",
        "elasticache",
        "elbv2",
        "secretsmanager",
    ),
)
def _env_file(s: StackUnderTest) -> None:
    env_file = s.output_dir / s.prefix / "app.env"
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(env_file.parent.stat().st_mode) == 0o700
    text = env_file.read_text()
    entries = dict(line.split("=", 1) for line in text.splitlines() if line and not line.startswith("#"))
    expected = {
        "AWS_REGION": s.region,
        "AWS_ACCOUNT_ID": s.account,
        "DB_HOST": s.db["Endpoint"]["Address"],
        "DB_PORT": str(s.db["Endpoint"]["Port"]),
        "DB_NAME": "triflow",
        "REDIS_HOST": s.cache["NodeGroups"][0]["PrimaryEndpoint"]["Address"],
        "S3_BUCKET_NAME": s.bucket,
        "ECS_CLUSTER": s.prefix,
        "ECS_SERVICE": s.service_name,
        "ECR_REPOSITORY_URI": f"{s.account}.dkr.ecr.{s.region}.amazonaws.com/{s.service_name}",
        "ALB_DNS_NAME": s.alb["DNSName"],
        "LOG_GROUP": f"/aws/ecs/{s.service_name}",
        "METRICS_NAMESPACE": f"TriFlow/{s.prefix}",
        "SNS_TOPIC_ARN": f"arn:aws:sns:{s.region}:{s.account}:{s.prefix}-alarms",
    }
    assert {key: entries.get(key) for key in expected} == expected
    for key in APP_SECRETS:
        assert entries[f"{key}_SECRET_ARN"].startswith(
            f"arn:aws:secretsmanager:{s.region}:{s.account}:secret:{s.prefix}/"
        )
    manager = s.client("secretsmanager")
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
}
REDIS_ALARMS = {
    "redis-cpu-high": ("EngineCPUUtilization", "Average", 75, 300, 2),
    "redis-memory-high": ("DatabaseMemoryUsagePercentage", "Average", 90, 300, 2),
    "redis-evictions": ("Evictions", "Sum", 100, 300, 1),
}


# SPEC "Observability": the dashboard's graphs, (namespace, metric).
DASHBOARD_METRICS = {
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
}


def _dimensions(alarm: dict[str, Any]) -> dict[str, str]:
    return {d["Name"]: d["Value"] for d in alarm.get("Dimensions", [])}


def _alarm_matches(alarm: dict[str, Any], namespace, metric, statistic, comparison, threshold, period, evaluations):
    assert (alarm["Namespace"], alarm["MetricName"]) == (namespace, metric)
    assert alarm.get("Statistic", alarm.get("ExtendedStatistic")) == statistic
    assert (alarm["ComparisonOperator"], alarm["Threshold"]) == (comparison, threshold)
    assert (alarm["Period"], alarm["EvaluationPeriods"]) == (period, evaluations)


def _topic_arn(s: StackUnderTest) -> str:
    return f"arn:aws:sns:{s.region}:{s.account}:{s.prefix}-alarms"


@row(
    "Observability", "SNS topic <prefix>-alarms, tagged, no subscription the inventory does not name", services=("sns",)
)
def _topic(s: StackUnderTest) -> None:
    sns = s.client("sns")
    topics = [t["TopicArn"] for page in sns.get_paginator("list_topics").paginate() for t in page["Topics"]]
    assert _topic_arn(s) in topics
    assert sns.get_topic_attributes(TopicArn=_topic_arn(s))["Attributes"]["DisplayName"] == f"{s.prefix} alarms"
    tags = sns.list_tags_for_resource(ResourceArn=_topic_arn(s))["Tags"]
    assert tags_of({"Tags": tags}) == {**s.base_tags, "Name": f"{s.prefix}-alarms"}
    # The product's baseline names no subscription.
    assert sns.list_subscriptions_by_topic(TopicArn=_topic_arn(s))["Subscriptions"] == []


@row("Observability", "every alarm notifies the topic on alarm and on recovery", services=("cloudwatch",))
def _alarm_actions(s: StackUnderTest) -> None:
    topic = _topic_arn(s)
    assert s.alarms and all(a["AlarmActions"] == [topic] and a["OKActions"] == [topic] for a in s.alarms.values())


@row(
    "Observability",
    "RDS, ECS, ALB and app-errors alarms with SPEC metrics, thresholds, periods",
    services=("cloudwatch",),
)
def _alarms(s: StackUnderTest) -> None:
    expected = {**ALARMS, "app-errors": (f"TriFlow/{s.prefix}", "AppErrors", "Sum", "GreaterThanThreshold", 5, 60, 1)}
    for name, spec in expected.items():
        _alarm_matches(s.alarms[name], *spec)


@row(
    "Observability",
    "Redis alarms on every member node (the primary moves on failover)",
    services=(
        "cloudwatch",
        "elasticache",
    ),
)
def _redis_alarms(s: StackUnderTest) -> None:
    for member in s.cache["MemberClusters"]:
        for name, (metric, statistic, threshold, period, evaluations) in REDIS_ALARMS.items():
            alarm = s.alarms[f"{name}-{member[-3:]}"]
            _alarm_matches(
                alarm, "AWS/ElastiCache", metric, statistic, "GreaterThanThreshold", threshold, period, evaluations
            )
            assert _dimensions(alarm) == {"CacheClusterId": member}


@row(
    "Observability",
    "every alarm carries the dimensions of this stack's resources",
    services=(
        "cloudwatch",
        "elbv2",
    ),
)
def _alarm_dimensions(s: StackUnderTest) -> None:
    alb = s.alb["LoadBalancerArn"].split(":loadbalancer/")[1]
    target_group = s.target_group["TargetGroupArn"].split(":")[-1]
    assert _dimensions(s.alarms["rds-cpu-high"]) == {"DBInstanceIdentifier": f"{s.prefix}-db"}
    assert _dimensions(s.alarms["ecs-cpu-high"]) == {"ClusterName": s.prefix, "ServiceName": s.service_name}
    assert _dimensions(s.alarms["alb-unhealthy-hosts"]) == {"LoadBalancer": alb, "TargetGroup": target_group}
    assert _dimensions(s.alarms["alb-5xx-high"])["LoadBalancer"] == alb
    assert s.alarms["alb-5xx-high"]["TreatMissingData"] == "notBreaching"


@row("Observability", "app-errors: log metric filter on the app log group, JSON level=ERROR", services=("logs",))
def _metric_filter(s: StackUnderTest) -> None:
    filters = s.client("logs").describe_metric_filters(logGroupName=f"/aws/ecs/{s.service_name}")["metricFilters"]
    [metric_filter] = filters
    assert metric_filter["filterPattern"].replace(" ", "") == '{$.level="ERROR"}'
    [transformation] = metric_filter["metricTransformations"]
    assert (transformation["metricNamespace"], transformation["metricName"]) == (f"TriFlow/{s.prefix}", "AppErrors")


@row("Observability", "billing alarm off by default, and never outside us-east-1", services=("cloudwatch",))
def _billing(s: StackUnderTest) -> None:
    assert "billing-high" not in s.alarms
    assert not s.client("cloudwatch", region="us-east-1").describe_alarms(AlarmNamePrefix=s.prefix)["MetricAlarms"]


@row(
    "Observability",
    "dashboard <prefix>: ECS, RDS, Redis, ALB graphs, every metric with its dimensions",
    services=("cloudwatch",),
)
def _dashboard(s: StackUnderTest) -> None:
    body = json.loads(s.client("cloudwatch").get_dashboard(DashboardName=s.prefix)["DashboardBody"])
    names = set()
    for widget in body["widgets"]:
        for metric_row in widget["properties"].get("metrics", []):
            values = [item for item in metric_row if not isinstance(item, dict)]
            namespace, metric, dimensions = values[0], values[1], values[2:]
            assert dimensions and len(dimensions) % 2 == 0, f"{namespace} {metric} has no dimensions"
            names.add((namespace, metric))
    assert names >= DASHBOARD_METRICS
    assert all(w["properties"].get("region") == s.region for w in body["widgets"] if w["type"] == "metric")


# ---------------------------------------------------------------------------------------------- every resource


@row(
    "Naming, tags",
    "every taggable resource of the app tier carries the stack tags and its Name",
    services=(
        "ecs",
        "elbv2",
        "ecr",
        "logs",
        "iam",
    ),
)
def _tags(s: StackUnderTest) -> None:
    ecs, elbv2, ecr, iam = (s.client(name) for name in ("ecs", "elbv2", "ecr", "iam"))
    repository = ecr.describe_repositories(repositoryNames=[s.service_name])["repositories"][0]["repositoryArn"]
    found = {
        "service": {t["key"]: t["value"] for t in s.service.get("tags", [])},
        "cluster": {
            t["key"]: t["value"]
            for t in ecs.describe_clusters(clusters=[s.prefix], include=["TAGS"])["clusters"][0]["tags"]
        },
        "alb": tags_of(elbv2.describe_tags(ResourceArns=[s.alb["LoadBalancerArn"]])["TagDescriptions"][0]),
        "target group": tags_of(
            elbv2.describe_tags(ResourceArns=[s.target_group["TargetGroupArn"]])["TagDescriptions"][0]
        ),
        "repository": tags_of({"Tags": ecr.list_tags_for_resource(resourceArn=repository)["tags"]}),
        "task definition": {t["key"]: t["value"] for t in s.task["tags"]},
        "log group": s.client("logs").list_tags_log_group(logGroupName=f"/aws/ecs/{s.service_name}")["tags"],
        "execution role": tags_of(iam.get_role(RoleName=f"{s.prefix}-ecs-execution")["Role"]),
        "task role": tags_of(iam.get_role(RoleName=f"{s.prefix}-ecs-task")["Role"]),
    }
    untagged = [name for name, tags in found.items() if not s.base_tags.items() <= tags.items()]
    assert untagged == [], f"missing stack tags on: {untagged}"


@row(
    "Naming, tags",
    "the generated secrets: letters and digits of their length, each with the stack tags and its Name",
    services=("secretsmanager",),
)
def _secrets(s: StackUnderTest) -> None:
    manager = s.client("secretsmanager")
    for key, length in SECRET_LENGTHS.items():
        value = s.secret(key)
        assert len(value) == length and _letters_and_digits(value), (
            f"{s.prefix}/{key} is not {length} letters and digits"
        )
    for key in (*SECRET_LENGTHS, "anthropic-api-key"):
        name = f"{s.prefix}/{key}"
        assert tags_of(manager.describe_secret(SecretId=name)) == {**s.base_tags, "Name": name}, name


# --- Hardening (SPEC.md "Hardening"; Prowler's checks in tools/security/committed.txt read the same settings) ---


@row("Hardening", "the VPC's default security group holds no rules", services=("ec2",))
def _default_group(s: StackUnderTest) -> None:
    ec2 = s.client("ec2")
    vpc = s.network["vpc"]["VpcId"]
    [group] = ec2.describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [vpc]}, {"Name": "group-name", "Values": ["default"]}]
    )["SecurityGroups"]
    assert group["IpPermissions"] == [] and group["IpPermissionsEgress"] == [], group


@row(
    "Hardening",
    "S3 endpoint policy: this account's principals to the stack's bucket, GetObject on ECR's layer bucket only",
    services=("ec2",),
)
def _endpoint_policy(s: StackUnderTest) -> None:
    [endpoint] = s.network["endpoints"]
    statements = {st["Sid"]: st for st in json.loads(endpoint["PolicyDocument"])["Statement"]}
    assert set(statements) == {"ThisAccountToTheStackBucket", "ImagePullsFromTheRegistry"}
    bucket = statements["ThisAccountToTheStackBucket"]
    assert sorted(_as_list(bucket["Resource"])) == [f"arn:aws:s3:::{s.bucket}", f"arn:aws:s3:::{s.bucket}/*"]
    assert bucket["Condition"] == {"StringEquals": {"aws:PrincipalAccount": s.account}}
    layers = statements["ImagePullsFromTheRegistry"]
    assert _as_list(layers["Action"]) == ["s3:GetObject"]
    assert _as_list(layers["Resource"]) == [f"arn:aws:s3:::prod-{s.region}-starport-layer-bucket/*"]


@row("Hardening", "ALB drops invalid HTTP header fields", services=("elbv2",))
def _drop_invalid_headers(s: StackUnderTest) -> None:
    attributes = {
        a["Key"]: a["Value"]
        for a in s.client("elbv2").describe_load_balancer_attributes(LoadBalancerArn=s.alb["LoadBalancerArn"])[
            "Attributes"
        ]
    }
    assert attributes["routing.http.drop_invalid_header_fields.enabled"] == "true"


@row("Hardening", "task: read-only root file system, /tmp a task volume, awslogs non-blocking", services=("ecs",))
def _task_hardening(s: StackUnderTest) -> None:
    container = s.container
    assert container["readonlyRootFilesystem"] is True
    volumes = {v["name"] for v in s.task["volumes"]}
    assert [(m["containerPath"], m["sourceVolume"] in volumes) for m in container["mountPoints"]] == [("/tmp", True)]
    options = container["logConfiguration"]["options"]
    assert options["mode"] == "non-blocking" and options["max-buffer-size"] == "25m"


@row("Hardening", "Redis upgrades minor versions automatically", services=("elasticache",))
def _redis_minor_upgrades(s: StackUnderTest) -> None:
    assert s.cache["AutoMinorVersionUpgrade"] is True


@row(
    "Hardening",
    "service roles (ECS task, task execution, RDS monitoring) trusted only with aws:SourceAccount and aws:SourceArn",
    services=("iam", "ecs", "rds"),
)
def _trust_policies(s: StackUnderTest) -> None:
    wanted = {
        f"{s.prefix}-ecs-execution": ("ecs-tasks.amazonaws.com", f"arn:aws:ecs:{s.region}:{s.account}:*"),
        f"{s.prefix}-ecs-task": ("ecs-tasks.amazonaws.com", f"arn:aws:ecs:{s.region}:{s.account}:*"),
        f"{s.prefix}-rds-monitoring": (
            "monitoring.rds.amazonaws.com",
            f"arn:aws:rds:{s.region}:{s.account}:db:{s.prefix}-db",
        ),
    }
    for role, (service, source) in wanted.items():
        [statement] = s.client("iam").get_role(RoleName=role)["Role"]["AssumeRolePolicyDocument"]["Statement"]
        assert statement["Principal"] == {"Service": service}, role
        assert statement["Condition"] == {
            "StringEquals": {"aws:SourceAccount": s.account},
            "ArnLike": {"aws:SourceArn": source},
        }, role


@row(
    "Hardening",
    "every secret: a resource policy denying all but the app's two roles and the operator",
    services=("secretsmanager",),
)
def _secret_policies(s: StackUnderTest) -> None:
    manager = s.client("secretsmanager")
    app_roles = {f"arn:aws:iam::{s.account}:role/{s.prefix}-ecs-{role}" for role in ("execution", "task")}
    names = [f"{s.prefix}/{key}" for key in (*SECRET_LENGTHS, "anthropic-api-key")]
    for name in names:
        [statement] = json.loads(manager.get_resource_policy(SecretId=name)["ResourcePolicy"])["Statement"]
        assert (statement["Effect"], statement["Principal"], statement["Action"]) == ("Deny", "*", "secretsmanager:*")
        allowed = set(statement["Condition"]["StringNotEquals"]["aws:PrincipalArn"])
        # The app's two roles, and the identity that ran site.yml (an IAM role or user of this account, or its root
        # user: LocalStack's identity).
        [operator] = allowed - app_roles
        assert app_roles <= allowed and re.match(rf"^arn:aws:iam::{s.account}:((role|user)/[^*]+|root)$", operator), (
            name
        )
