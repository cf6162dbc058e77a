"""SPEC.md "Hardening" in the roles' desired states: what reaches AWS, from each role's real defaults."""

from __future__ import annotations

from support import roles
from support.roles import ACCOUNT_ID

ECS_SOURCE = {
    "StringEquals": {"aws:SourceAccount": ACCOUNT_ID},
    "ArnLike": {"aws:SourceArn": f"arn:aws:ecs:ap-northeast-2:{ACCOUNT_ID}:*"},
}
OPERATOR = f"arn:aws:iam::{ACCOUNT_ID}:role/triflow-provisioner"


def test_the_default_security_group_is_left_with_no_rule():
    group = roles.desired_state("network")["default_security_group"]
    assert group == {"name": "default", "description": "default VPC security group", "ingress": [], "egress": []}


def test_the_s3_endpoint_reaches_only_the_stack_bucket_as_this_account_and_ecr_layers():
    policy = roles.desired_state("network", network_s3_endpoint_bucket="triflow-acme-prod-files-1")["s3_endpoint"][
        "policy"
    ]
    bucket, layers = policy["Statement"]
    assert bucket["Resource"] == ["arn:aws:s3:::triflow-acme-prod-files-1", "arn:aws:s3:::triflow-acme-prod-files-1/*"]
    assert bucket["Condition"] == {"StringEquals": {"aws:PrincipalAccount": ACCOUNT_ID}}
    assert (layers["Action"], layers["Resource"]) == (
        "s3:GetObject",
        "arn:aws:s3:::prod-ap-northeast-2-starport-layer-bucket/*",
    )


def test_no_endpoint_policy_before_the_bucket_and_account_are_known():
    # The checks before any AWS call: the endpoint keeps its policy until the role runs with both known.
    assert roles.desired_state("network", network_s3_endpoint_bucket="")["s3_endpoint"]["policy"] is None
    state, errors = roles.result(
        "network", context={"account_id": None}, network_s3_endpoint_bucket="triflow-acme-prod-files-1"
    )
    assert errors == [] and state["s3_endpoint"]["policy"] is None


def test_flow_logs_are_off_by_default_and_their_role_trusts_only_this_accounts_flow_logs():
    flow = roles.desired_state("network")["flow_logs"]
    assert flow["enabled"] is False and flow["log_group"]["name"] == "/aws/vpc/triflow-acme-prod-flow-logs"
    [statement] = flow["role"]["trust_policy"]["Statement"]
    assert statement["Principal"] == {"Service": "vpc-flow-logs.amazonaws.com"}
    assert statement["Condition"]["ArnLike"] == {
        "aws:SourceArn": f"arn:aws:ec2:ap-northeast-2:{ACCOUNT_ID}:vpc-flow-log/*"
    }
    group_arn = f"arn:aws:logs:ap-northeast-2:{ACCOUNT_ID}:log-group:/aws/vpc/triflow-acme-prod-flow-logs"
    [write] = flow["role"]["policy"]["Statement"]
    assert write["Resource"] == [group_arn, group_arn + ":log-stream:*"]


def test_flow_log_retention_must_be_one_cloudwatch_accepts():
    errors = roles.errors(
        "network",
        network_flow_logs={
            "enabled": True,
            "traffic_type": "ALL",
            "retention_days": 15,
            "max_aggregation_interval": 600,
        },
    )
    assert (
        len(errors) == 1
        and errors[0].startswith("network_flow_logs.retention_days 15 is not a CloudWatch Logs retention")
        and "14" in errors[0]
    )


def test_ecs_roles_trust_only_this_accounts_ecs_and_rds_monitoring_only_this_instance():
    ecs = roles.desired_state("ecs_service")
    for role in ("execution_role", "task_role"):
        [statement] = ecs[role]["trust_policy"]["Statement"]
        assert statement["Principal"] == {"Service": "ecs-tasks.amazonaws.com"}
        assert statement["Condition"] == ECS_SOURCE
    [statement] = roles.desired_state("rds")["monitoring_role"]["trust_policy"]["Statement"]
    assert statement["Principal"] == {"Service": "monitoring.rds.amazonaws.com"}
    assert statement["Condition"]["ArnLike"] == {
        "aws:SourceArn": f"arn:aws:rds:ap-northeast-2:{ACCOUNT_ID}:db:triflow-acme-prod-db"
    }


def test_the_container_has_a_read_only_root_its_scratch_volumes_and_non_blocking_logs():
    from ansible_collections.triflow.platform.plugins.module_utils.roles.ecs_service import container_definition

    desired = roles.desired_state("ecs_service", ecs_service_scratch_paths=["/tmp", "/app/cache"])
    container = container_definition(desired, "repo:tag", {}, {}, "ap-northeast-2")
    assert container["readonlyRootFilesystem"] is True
    assert container["mountPoints"] == [
        {"sourceVolume": "scratch-1", "containerPath": "/tmp", "readOnly": False},
        {"sourceVolume": "scratch-2", "containerPath": "/app/cache", "readOnly": False},
    ]
    assert desired["task"]["volumes"] == [{"name": "scratch-1"}, {"name": "scratch-2"}]
    options = container["logConfiguration"]["options"]
    assert (options["mode"], options["max-buffer-size"]) == ("non-blocking", "25m")


def test_scratch_paths_and_buffer_size_are_checked_naming_the_variable():
    errors = roles.errors("ecs_service", ecs_service_scratch_paths=["tmp", "/"], ecs_service_log_max_buffer_size="25")
    assert [error.split(" ")[0] for error in errors] == [
        "ecs_service_scratch_paths",
        "ecs_service_scratch_paths",
        "ecs_service_log_max_buffer_size",
    ]


def test_the_alb_drops_invalid_headers_and_logs_where_the_storage_role_says():
    alb = roles.desired_state("ecs_service")["alb"]
    assert alb["drop_invalid_header_fields"] is True
    assert alb["access_logs"] == {
        "enabled": False,
        "bucket": f"triflow-acme-prod-alb-logs-{ACCOUNT_ID}",
        "prefix": "alb",
    }


def test_the_access_logs_bucket_is_written_only_by_the_regions_load_balancing():
    logs = roles.desired_state("storage", storage_alb_access_logs={"enabled": True, "expire_days": 30})["alb_logs"]
    assert logs["encryption"] == "AES256"
    deny_insecure, write = logs["policy"]["Statement"]
    assert deny_insecure["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    # Seoul's Elastic Load Balancing account (ELB User Guide, access logs, bucket permissions).
    assert write["Principal"] == {"AWS": "arn:aws:iam::600734575586:root"}
    assert write["Resource"] == f"arn:aws:s3:::triflow-acme-prod-alb-logs-{ACCOUNT_ID}/alb/AWSLogs/{ACCOUNT_ID}/*"
    assert logs["lifecycle_rules"][0]["Expiration"] == {"Days": 30}


def test_a_region_opened_after_august_2022_uses_the_log_delivery_service_principal():
    from ansible_collections.triflow.platform.plugins.module_utils.roles.storage import alb_logs_bucket

    inputs = {**roles.values("storage", roles.published_facts("storage")), "storage_region": "ap-southeast-7"}
    write = alb_logs_bucket(inputs, ACCOUNT_ID)["policy"]["Statement"][1]
    assert write["Principal"] == {"Service": "logdelivery.elasticloadbalancing.amazonaws.com"}


def test_access_log_expiry_is_checked():
    errors = roles.errors("storage", storage_alb_access_logs={"enabled": True, "expire_days": 0})
    assert errors == ["storage_alb_access_logs.expire_days 0 is invalid: a whole number from 1 to 3650"]


def test_redis_upgrades_minor_versions():
    assert roles.desired_state("elasticache")["replication_group"]["auto_minor_version_upgrade"] is True


def test_every_secret_denies_all_but_the_app_roles_and_the_operators():
    state = roles.desired_state("secrets", secrets_operator_arns=[OPERATOR])
    policies = {secret["name"]: secret["resource_policy"] for secret in state}
    assert len(policies) == 4 and len({str(policy) for policy in policies.values()}) == 1
    [statement] = next(iter(policies.values()))["Statement"]
    assert (statement["Effect"], statement["Principal"], statement["Action"]) == ("Deny", "*", "secretsmanager:*")
    assert statement["Condition"] == {
        "StringNotEquals": {
            "aws:PrincipalArn": [
                f"arn:aws:iam::{ACCOUNT_ID}:role/triflow-acme-prod-ecs-execution",
                f"arn:aws:iam::{ACCOUNT_ID}:role/triflow-acme-prod-ecs-task",
                OPERATOR,
            ]
        }
    }
    # The app's roles are the ones the ecs_service role creates.
    ecs = roles.desired_state("ecs_service")
    assert {ecs["execution_role"]["name"], ecs["task_role"]["name"]} == {
        "triflow-acme-prod-ecs-execution",
        "triflow-acme-prod-ecs-task",
    }


def test_operator_arns_are_iam_principals_without_wildcards():
    root = f"arn:aws:iam::{ACCOUNT_ID}:root"
    errors = roles.errors(
        "secrets", secrets_operator_arns=[OPERATOR, "arn:aws:iam::123456789012:role/ops-*", "me", root]
    )
    assert len(errors) == 2 and all(error.startswith("secrets_operator_arns[") for error in errors)
    assert "secrets_operator_arns[1]" in errors[0] and "secrets_operator_arns[2]" in errors[1]


def test_no_secret_policy_without_an_operator_or_the_account():
    assert {str(secret["resource_policy"]) for secret in roles.desired_state("secrets", secrets_operator_arns=[])} == {
        "None"
    }
