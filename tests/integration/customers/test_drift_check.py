"""The drift check (tools/drift-check, playbooks/drift_check.yml, triflow.platform.stack_drift) on the three stacks
of inventories/ (the customers' converged under faults, the demo stack beside them): clean and read-only; a catalogue
of out-of-band changes, each reported with its resource and field and nothing else; repaired by site.yml; accepted
drift before and after its date; a stack that does not exist; an endpoint that does not answer.

The tests run in this order (one worker, file order) and each leaves the stacks converged, as the other files of
this folder expect.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import psycopg
from support.emulator import Emulator
from support.playbook import assert_ok

from .conftest import ACME, STACKS

# What a read-only run may call: the APIs' own read verbs (S3's calls are logged by HTTP method), and STS's
# AssumeRole, by which the stack role takes the customer's role (temporary credentials; nothing in the account).
READ = re.compile(r"^[a-z0-9-]+\.(Describe|List|Get|Head)[A-Za-z]*$|^s3\.(GET|HEAD)$|^sts\.AssumeRole$")
NAT_C = f"{ACME}-nat-ap-northeast-2c"
RT_A = f"{ACME}-private-rt-ap-northeast-2a"
RT_C = f"{ACME}-private-rt-ap-northeast-2c"
DB = f"{ACME}-db"
REDIS = f"{ACME}-redis"
TG = f"{ACME}-tg"
SERVICE = f"{ACME}-backend"
SCALABLE = f"service/{ACME}/{SERVICE}"
POLICY = f"{ACME}-cpu-target"
TOPIC = f"{ACME}-alarms"
LOG_GROUP = f"/aws/ecs/{ACME}-backend"
REPOSITORY = f"{ACME}-backend"
# An ALB alarm: its dimensions hold the ARN suffixes the drift check reads first.
ALB_ALARM = f"{ACME}-alb-5xx-high"
STORAGE_ALARM = f"{ACME}-rds-storage-low"


@dataclass
class Change:
    """One out-of-band change: what it does (``apply(aws, ids)``) and the findings it must cause, as
    ``(kind, resource_type, resource, field)``."""

    what: str
    apply: Callable[[Emulator, dict[str, str]], None]
    expected: tuple[tuple[str, str, str, str | None], ...]


def disable_scale_in(aws: Emulator) -> None:
    scaling = aws.client("application-autoscaling")
    (policy,) = scaling.describe_scaling_policies(ServiceNamespace="ecs", ResourceId=SCALABLE)["ScalingPolicies"]
    config = {**policy["TargetTrackingScalingPolicyConfiguration"], "DisableScaleIn": True}
    scaling.put_scaling_policy(
        PolicyName=policy["PolicyName"],
        ServiceNamespace="ecs",
        ResourceId=SCALABLE,
        ScalableDimension=policy["ScalableDimension"],
        PolicyType=policy["PolicyType"],
        TargetTrackingScalingPolicyConfiguration=config,
    )


def ids_of(aws: Emulator) -> dict[str, str]:
    """The ids and ARNs of acme's resources the changes need, by name."""
    ec2 = aws.client("ec2")
    found: dict[str, str] = {}
    for kind, items, key in (
        ("nat", ec2.describe_nat_gateways()["NatGateways"], "NatGatewayId"),
        ("rt", ec2.describe_route_tables()["RouteTables"], "RouteTableId"),
        ("sg", ec2.describe_security_groups()["SecurityGroups"], "GroupId"),
    ):
        for item in items:
            name = {tag["Key"]: tag["Value"] for tag in item.get("Tags") or []}.get("Name") or item.get("GroupName")
            if name and item.get("State") not in ("deleted", "deleting"):
                found[f"{kind}:{name}"] = item[key]
    account = aws.client("sts").get_caller_identity()["Account"]
    found["account"] = account
    found["bucket"] = f"{ACME}-files-{account}"
    (vpc,) = ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": [f"{ACME}-vpc"]}])["Vpcs"]
    found["vpc"] = vpc["VpcId"]
    found["tg"] = aws.client("elbv2").describe_target_groups(Names=[TG])["TargetGroups"][0]["TargetGroupArn"]
    return found


def put_alarm_back_with(aws: Emulator, name: str, **changes: Any) -> None:
    cloudwatch = aws.client("cloudwatch")
    alarm = cloudwatch.describe_alarms(AlarmNames=[name])["MetricAlarms"][0]
    keep = (
        "AlarmName",
        "AlarmDescription",
        "ActionsEnabled",
        "OKActions",
        "AlarmActions",
        "MetricName",
        "Namespace",
        "Statistic",
        "Dimensions",
        "Period",
        "EvaluationPeriods",
        "Threshold",
        "ComparisonOperator",
        "TreatMissingData",
    )
    cloudwatch.put_metric_alarm(**{**{key: alarm[key] for key in keep if key in alarm}, **changes})


def lifecycle_without(aws: Emulator, bucket: str, rule_id: str) -> None:
    s3 = aws.client("s3")
    rules = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    s3.put_bucket_lifecycle_configuration(
        Bucket=bucket, LifecycleConfiguration={"Rules": [rule for rule in rules if rule["ID"] != rule_id]}
    )


def wider_trust(aws: Emulator) -> None:
    iam = aws.client("iam")
    role = f"{ACME}-rds-monitoring"
    document = iam.get_role(RoleName=role)["Role"]["AssumeRolePolicyDocument"]
    if isinstance(document, str):
        document = json.loads(document)
    document["Statement"].append(
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
    )
    iam.update_assume_role_policy(RoleName=role, PolicyDocument=json.dumps(document))


def unsubscribe_all(aws: Emulator) -> None:
    sns = aws.client("sns")
    topic = f"arn:aws:sns:ap-northeast-2:{aws.client('sts').get_caller_identity()['Account']}:{TOPIC}"
    for subscription in sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]:
        sns.unsubscribe(SubscriptionArn=subscription["SubscriptionArn"])


def drop_pgvector(aws: Emulator) -> None:
    instance = aws.client("rds").describe_db_instances(DBInstanceIdentifier=DB)["DBInstances"][0]
    password = aws.client("secretsmanager").get_secret_value(SecretId=f"{ACME}/db-master-password")["SecretString"]
    endpoint = instance["Endpoint"]
    with psycopg.connect(
        host=endpoint["Address"],
        port=endpoint["Port"],
        user=instance["MasterUsername"],
        password=password,
        dbname=instance["DBName"],
        autocommit=True,
    ) as connection:
        connection.execute("DROP EXTENSION vector")


# acme's identity tags: what the Resource Groups Tagging API finds as the stack's.
IDENTITY = [
    {"Key": "Project", "Value": "triflow"},
    {"Key": "Customer", "Value": "acme"},
    {"Key": "Environment", "Value": "prod"},
]
STRAY_TOPIC = f"{ACME}-debug-alerts"


def stray_debug_group(aws: Emulator, ids: dict[str, str]) -> None:
    """A security group someone made for a debug box in the stack's VPC, tagged as the stack's: no desired state
    holds it, and it is not one of the groups the network area compares."""
    ec2 = aws.client("ec2")
    group = ec2.create_security_group(
        GroupName="debug-box",
        Description="debug box",
        VpcId=ids["vpc"],
        TagSpecifications=[{"ResourceType": "security-group", "Tags": IDENTITY}],
    )["GroupId"]
    ids["stray_group"] = group
    ids["stray_group_arn"] = f"arn:aws:ec2:ap-northeast-2:{ids['account']}:security-group/{group}"


def remove_strays(aws: Emulator, ids: dict[str, str]) -> None:
    """What site.yml does not do by design: delete what it does not declare."""
    aws.client("ec2").delete_security_group(GroupId=ids["stray_group"])
    aws.client("sns").delete_topic(TopicArn=f"arn:aws:sns:ap-northeast-2:{ids['account']}:{STRAY_TOPIC}")


PUBLIC_ACCESS = ("block_public_acls", "ignore_public_acls", "block_public_policy", "restrict_public_buckets")
CATALOGUE = (
    # network
    Change(
        "a security-group rule opening the database to the world",
        lambda aws, ids: aws.client("ec2").authorize_security_group_ingress(
            GroupId=ids[f"sg:{ACME}-db"], IpProtocol="tcp", FromPort=5432, ToPort=5432, CidrIp="0.0.0.0/0"
        ),
        (("extra", "security_group", f"{ACME}-db", "ingress"),),
    ),
    Change(
        "the NAT gateway of zone c deleted",
        lambda aws, ids: aws.client("ec2").delete_nat_gateway(NatGatewayId=ids[f"nat:{NAT_C}"]),
        (("missing", "nat_gateway", NAT_C, None), ("changed", "route_table", RT_C, "routes.0.0.0.0/0")),
    ),
    Change(
        "the default route of zone a's private subnet removed",
        lambda aws, ids: aws.client("ec2").delete_route(
            RouteTableId=ids[f"rt:{RT_A}"], DestinationCidrBlock="0.0.0.0/0"
        ),
        (("changed", "route_table", RT_A, "routes.0.0.0.0/0"),),
    ),
    Change(
        "a security group for a debug box in the stack's VPC, tagged as the stack's",
        stray_debug_group,
        (("extra", "tagged_resource", "{stray_group_arn}", "identity_tags"),),
    ),
    # database
    Change(
        "Multi-AZ off, backups shortened to a day, deletion protection off",
        lambda aws, ids: aws.client("rds").modify_db_instance(
            DBInstanceIdentifier=DB,
            MultiAZ=False,
            BackupRetentionPeriod=1,
            DeletionProtection=False,
            ApplyImmediately=True,
        ),
        (
            ("changed", "db_instance", DB, "multi_az"),
            ("changed", "db_instance", DB, "backup_retention_period"),
            ("changed", "db_instance", DB, "deletion_protection"),
        ),
    ),
    Change(
        "the pgvector extension dropped",
        lambda aws, ids: drop_pgvector(aws),
        (("missing", "pgvector_extension", f"{DB}/triflow", None),),
    ),
    Change(
        "a DB parameter changed",
        lambda aws, ids: aws.client("rds").modify_db_parameter_group(
            DBParameterGroupName=f"{ACME}-postgres16",
            Parameters=[{"ParameterName": "log_statement", "ParameterValue": "all", "ApplyMethod": "immediate"}],
        ),
        (("changed", "db_parameter_group", f"{ACME}-postgres16", "log_statement"),),
    ),
    # cache
    Change(
        "Redis snapshot retention cut to a day",
        lambda aws, ids: aws.client("elasticache").modify_replication_group(
            ReplicationGroupId=REDIS, SnapshotRetentionLimit=1, ApplyImmediately=True
        ),
        (("changed", "replication_group", REDIS, "snapshot_retention_limit"),),
    ),
    Change(
        "a Redis parameter changed",
        lambda aws, ids: aws.client("elasticache").modify_cache_parameter_group(
            CacheParameterGroupName=f"{ACME}-redis7",
            ParameterNameValues=[{"ParameterName": "maxmemory-policy", "ParameterValue": "noeviction"}],
        ),
        (("changed", "cache_parameter_group", f"{ACME}-redis7", "maxmemory-policy"),),
    ),
    # storage
    Change(
        "the bucket's public access block deleted",
        lambda aws, ids: aws.client("s3").delete_public_access_block(Bucket=ids["bucket"]),
        tuple(("changed", "s3_bucket", "{bucket}", f"public_access.{field}") for field in PUBLIC_ACCESS),
    ),
    Change(
        "versioning suspended",
        lambda aws, ids: aws.client("s3").put_bucket_versioning(
            Bucket=ids["bucket"], VersioningConfiguration={"Status": "Suspended"}
        ),
        (("changed", "s3_bucket", "{bucket}", "versioning"),),
    ),
    Change(
        "a lifecycle rule removed",
        lambda aws, ids: lifecycle_without(aws, ids["bucket"], "expire-logs"),
        (("changed", "s3_bucket", "{bucket}", "lifecycle_rules.expire-logs"),),
    ),
    Change(
        "the TLS-only bucket policy deleted",
        lambda aws, ids: aws.client("s3").delete_bucket_policy(Bucket=ids["bucket"]),
        (("changed", "s3_bucket", "{bucket}", "policy"),),
    ),
    # registry
    Change(
        "ECR scan on push off",
        lambda aws, ids: aws.client("ecr").put_image_scanning_configuration(
            repositoryName=REPOSITORY, imageScanningConfiguration={"scanOnPush": False}
        ),
        (("changed", "ecr_repository", REPOSITORY, "scan_on_push"),),
    ),
    Change(
        "ECR tags made mutable",
        lambda aws, ids: aws.client("ecr").put_image_tag_mutability(
            repositoryName=REPOSITORY, imageTagMutability="MUTABLE"
        ),
        (("changed", "ecr_repository", REPOSITORY, "image_tag_mutability"),),
    ),
    # IAM
    Change(
        "the task role given AdministratorAccess",
        lambda aws, ids: aws.client("iam").attach_role_policy(
            RoleName=f"{ACME}-ecs-task", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess"
        ),
        (("extra", "iam_role", f"{ACME}-ecs-task", "attached_policies"),),
    ),
    Change(
        "EC2 allowed to assume the database's monitoring role",
        lambda aws, ids: wider_trust(aws),
        (("changed", "iam_role", f"{ACME}-rds-monitoring", "trust_policy"),),
    ),
    # application
    Change(
        "the service's deployment circuit breaker off",
        lambda aws, ids: aws.client("ecs").update_service(
            cluster=ACME,
            service=SERVICE,
            deploymentConfiguration={
                "deploymentCircuitBreaker": {"enable": False, "rollback": False},
                "maximumPercent": 200,
                "minimumHealthyPercent": 100,
            },
        ),
        (
            ("changed", "ecs_service", SERVICE, "circuit_breaker.enable"),
            ("changed", "ecs_service", SERVICE, "circuit_breaker.rollback"),
        ),
    ),
    Change(
        "the target group's health-check path changed",
        lambda aws, ids: aws.client("elbv2").modify_target_group(
            TargetGroupArn=ids["tg"], HealthCheckPath="/", HealthCheckPort="8080"
        ),
        (("changed", "target_group", TG, "health_check_path"), ("changed", "target_group", TG, "health_check_port")),
    ),
    Change(
        "scale-in turned off",
        lambda aws, ids: disable_scale_in(aws),
        (("changed", "scaling_policy", POLICY, "disable_scale_in"),),
    ),
    Change(
        "autoscaling's maximum raised to 40 tasks",
        lambda aws, ids: aws.client("application-autoscaling").register_scalable_target(
            ServiceNamespace="ecs", ResourceId=SCALABLE, ScalableDimension="ecs:service:DesiredCount", MaxCapacity=40
        ),
        (("changed", "scalable_target", SCALABLE, "max"),),
    ),
    # observability
    Change(
        "an alarm deleted",
        lambda aws, ids: aws.client("cloudwatch").delete_alarms(AlarmNames=[STORAGE_ALARM]),
        (("missing", "cloudwatch_alarm", STORAGE_ALARM, None),),
    ),
    Change(
        "an ALB alarm's threshold raised",
        lambda aws, ids: put_alarm_back_with(aws, ALB_ALARM, Threshold=999.0),
        (("changed", "cloudwatch_alarm", ALB_ALARM, "threshold"),),
    ),
    Change(
        "the dashboard deleted",
        lambda aws, ids: aws.client("cloudwatch").delete_dashboards(DashboardNames=[ACME]),
        (("missing", "cloudwatch_dashboard", ACME, None),),
    ),
    Change(
        "the app's log retention cut to a day",
        lambda aws, ids: aws.client("logs").put_retention_policy(logGroupName=LOG_GROUP, retentionInDays=1),
        (("changed", "log_group", LOG_GROUP, "retention_days"),),
    ),
    Change(
        "the on-call e-mail unsubscribed from the alarms topic",
        lambda aws, ids: unsubscribe_all(aws),
        (("changed", "sns_topic", TOPIC, "subscriptions"),),
    ),
    Change(
        "an SNS topic someone made tagged as the stack's",
        lambda aws, ids: aws.client("sns").create_topic(Name=STRAY_TOPIC, Tags=IDENTITY),
        (("extra", "tagged_resource", f"arn:aws:sns:ap-northeast-2:{{account}}:{STRAY_TOPIC}", "identity_tags"),),
    ),
    # secrets
    Change(
        "DATABASE_URL's secret scheduled for deletion",
        lambda aws, ids: aws.client("secretsmanager").delete_secret(
            SecretId=f"{ACME}/database-url", RecoveryWindowInDays=7
        ),
        (("changed", "secret", f"{ACME}/database-url", "deleted"),),
    ),
)


def keys(findings: list[dict[str, Any]]) -> set[tuple[str, str, str, str | None]]:
    return {(item["kind"], item["resource_type"], item["resource"], item["field"]) for item in findings}


def test_converged_stacks_have_no_drift_and_the_check_only_reads(stacks, emulator: Emulator, drift_check):
    emulator.clear_calls()
    run = drift_check("-i", "inventories/")
    assert run.rc == 0, run.output[-4000:]
    summary = run.summary
    assert summary["status"] == "clean"
    assert [(item["stack"], item["status"]) for item in summary["stacks"]] == [(stack, "clean") for stack in stacks]
    for stack in stacks:
        report = run.report(stack)
        assert report["findings"] == [], (stack, report["findings"])
        assert report["counts"] == {"missing": 0, "changed": 0, "extra": 0, "accepted": 0, "drift": 0}
        assert report["api_calls"] > 40 and report["duration"] > 0
        assert (run.reports / f"{stack}.md").read_text().startswith(f"# Drift of {stack}: clean")
    assert (run.reports / "summary.md").read_text().startswith("# Drift check: clean")
    writes = sorted(name for name in emulator.call_names() if not READ.match(name))
    assert writes == [], writes


def test_every_out_of_band_change_is_reported_by_resource_and_field_and_site_yml_repairs_it(
    stacks, emulator: Emulator, playbook, drift_check
):
    ids = ids_of(emulator)
    for change in CATALOGUE:
        change.apply(emulator, ids)
    expected = {
        (kind, kind_of, resource.format(**ids), field)
        for change in CATALOGUE
        for kind, kind_of, resource, field in change.expected
    }
    run = drift_check("-i", "inventories/")
    assert run.rc == 2, run.output[-4000:]
    assert run.summary["status"] == "drift"
    found = keys(run.findings(ACME))
    assert sorted(expected - found, key=str) == [], "not reported"
    assert sorted(found - expected, key=str) == [], "reported though not caused"
    # The other customers' stacks are untouched, and say so.
    assert {item["stack"]: item["status"] for item in run.summary["stacks"]} == {
        stack: ("drift" if stack == ACME else "clean") for stack in STACKS
    }
    rows = (run.reports / f"{ACME}.md").read_text()
    assert f"| changed | db_instance | {DB} | multi_az | true | false |" in rows
    assert "drift finding(s)" in run.output

    assert_ok(playbook("site.yml", "inventories/customer_a"))
    remove_strays(emulator, ids)
    repaired = drift_check("-i", "inventories/customer_a")
    assert repaired.rc == 0, repaired.findings(ACME)


def test_accepted_drift_is_clean_until_its_date_then_drift_again(stacks, emulator: Emulator, drift_check):
    rds = emulator.client("rds")
    rds.modify_db_instance(DBInstanceIdentifier=DB, BackupRetentionPeriod=3, ApplyImmediately=True)
    today = datetime.datetime.now(datetime.UTC).date()
    try:
        for until, rc, accepted in ((today, 0, True), (today - datetime.timedelta(days=1), 2, False)):
            accept = [
                {
                    "resource": DB,
                    "field": "backup_retention_period",
                    "reason": "OPS-7 restore test",
                    "until": until.isoformat(),
                }
            ]
            run = drift_check("-i", "inventories/customer_a", "-e", json.dumps({"drift_accept": accept}))
            assert run.rc == rc, run.output[-3000:]
            (item,) = run.findings(ACME)
            assert (item["field"], item["desired"], item["actual"], item["accepted"]) == (
                "backup_retention_period",
                7,
                3,
                accepted,
            )
            assert run.report(ACME)["counts"]["accepted"] == (1 if accepted else 0)
            assert ("OPS-7 restore test" in (run.reports / f"{ACME}.md").read_text()) is True
    finally:
        rds.modify_db_instance(DBInstanceIdentifier=DB, BackupRetentionPeriod=7, ApplyImmediately=True)


def test_a_bad_accept_entry_means_the_check_could_not_run(stacks, drift_check):
    accept = [{"resource": DB, "reason": "no date"}]
    run = drift_check("-i", "inventories/customer_a", "-e", json.dumps({"drift_accept": accept}))
    assert run.rc == 1, run.output[-3000:]
    report = run.report(ACME)
    assert report["status"] == "error" and "drift_accept[0].until" in report["error"]


def test_a_stack_that_does_not_exist_is_all_missing(emulator_factory, drift_check):
    with emulator_factory("drift-empty") as empty:
        run = drift_check("-i", "inventories/customer_b", env={"AWS_ENDPOINT_URL": str(empty.url)})
    assert run.rc == 2, run.output[-3000:]
    findings = run.findings("triflow-globex-staging")
    assert findings and {item["kind"] for item in findings} == {"missing"}
    missing = {item["resource_type"] for item in findings}
    assert {
        "vpc",
        "s3_bucket",
        "db_instance",
        "replication_group",
        "ecr_repository",
        "ecs_service",
        "iam_role",
        "cloudwatch_alarm",
        "secret",
    } <= missing


def test_an_endpoint_that_does_not_answer_means_the_check_could_not_run(drift_check):
    # customer_b assumes a role first: the reason must still reach the report, though that call's result is hidden.
    unreachable = {"AWS_ENDPOINT_URL": "http://127.0.0.1:9"}
    run = drift_check("-i", "inventories/customer_b", "-e", "stack_aws_max_attempts=1", env=unreachable)
    assert run.rc == 1, run.output[-3000:]
    report = run.report("triflow-globex-staging")
    assert report["status"] == "error"
    assert "Could not connect to the endpoint URL" in report["error"], report["error"]
    assert run.summary["status"] == "error"


def test_a_database_the_runner_cannot_reach_is_noted_not_failed(stacks, drift_check):
    # 127.0.0.2 is this machine too, but the database listens on 127.0.0.1 only: the connection is refused.
    run = drift_check("-i", "inventories/customer_a", "-e", "rds_pgvector_login_host=127.0.0.2")
    assert run.rc == 0, run.output[-3000:]
    (note,) = run.report(ACME)["notes"]
    assert note.startswith("the pgvector extension: Cannot connect to PostgreSQL at 127.0.0.2"), note
    assert "rds_pgvector_login_host" in note
    assert f"Not checked: {note}" in (run.reports / f"{ACME}.md").read_text()
