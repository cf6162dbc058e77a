"""The rds role's model on its real defaults: checks (after argument_specs) and desired state."""

from __future__ import annotations

import pytest
from support import roles


def test_defaults_split_static_from_dynamic_parameters():
    state = roles.desired_state("rds")
    group = state["parameter_group"]
    assert group["family"] == "postgres16"
    assert group["static"] == {"shared_preload_libraries": "pg_stat_statements", "max_connections": "115"}
    assert group["dynamic"] == {"log_statement": "mod", "log_min_duration_statement": "1000", "rds.force_ssl": "1"}
    assert state["monitoring_role"]["policy_arn"] == (
        "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"rds_engine_version": "16.3"}, "rds_engine_version '16.3' has no RDS build with pgvector 0.8"),
        ({"rds_engine_version": "17.1"}, None),
        ({"rds_engine_version": "12.20"}, "rds_engine_version '12.20' has no RDS build"),
        ({"rds_max_allocated_storage": 50}, "rds_max_allocated_storage 50 is below rds_allocated_storage 100"),
        ({"rds_iops": 3000}, "rds_iops is set but rds_allocated_storage is 100 GiB"),
        ({"rds_iops": 12000, "rds_allocated_storage": 400, "rds_max_allocated_storage": 800}, None),
        ({"rds_backup_window": "19:30-20:30"}, "rds_backup_window '19:30-20:30' overlaps rds_maintenance_window"),
        ({"rds_monitoring_interval": 45}, "value of rds_monitoring_interval must be one of: 0, 1, 5, 10, 15, 30, 60"),
        ({"rds_storage_type": "gp9"}, "value of rds_storage_type must be one of: gp3, gp2, io1, io2"),
        ({"rds_cloudwatch_logs_exports": ["postgresql", "audit"]}, "rds_cloudwatch_logs_exports must be one or more"),
        ({"rds_performance_insights_retention_days": 30}, "rds_performance_insights_retention_days 30 is invalid"),
        ({"rds_master_username": "postgres"}, "rds_master_username 'postgres' is invalid"),
        ({"rds_app_role": "App"}, "rds_app_role 'App' is invalid"),
        ({"rds_app_role": "rds_app"}, "rds_app_role 'rds_app' is invalid"),
        ({"rds_app_role": "a" * 62}, "at most 61 characters"),
        ({"rds_app_role": "triflow_admin"}, "rds_app_role 'triflow_admin' must differ from rds_master_username"),
        ({"rds_app_role": "triflow", "rds_master_username": "triflow_a"}, "must differ from rds_master_username"),
    ],
)
def test_bad_input_is_named(changes, message):
    errors = roles.errors("rds", **changes)
    if message is None:
        assert errors == []
    else:
        assert any(message in error for error in errors), errors


def test_numbers_given_as_strings_are_converted_as_argument_specs_says():
    # ansible-playbook -e rds_allocated_storage=150 gives the string "150".
    instance = roles.desired_state("rds", rds_allocated_storage="150", rds_multi_az="false")["instance"]
    assert (instance["allocated_storage"], instance["multi_az"]) == (150, False)


def test_a_partition_other_than_aws_gets_its_own_managed_policy_arn():
    state, errors = roles.result("rds", {**roles.published_facts("rds"), "stack_region": "cn-north-1"})
    assert errors == []
    assert state["monitoring_role"]["policy_arn"].startswith("arn:aws-cn:iam::aws:policy/")


def test_the_app_has_its_own_roles_and_credentials_secret_never_the_master_user():
    state = roles.desired_state("rds")
    app = state["app_database"]
    assert app["owner"] == "triflow_app"
    assert app["users"] == ["triflow_app_a", "triflow_app_b"]
    assert state["instance"]["master_username"] not in app["users"] + [app["owner"]]
    secret = app["credentials_secret"]
    assert secret["name"] == "triflow-acme-prod/db-app-credentials"
    assert secret["tags"]["Name"] == secret["name"]
    # The same policy as every other secret of the stack (the secrets role's desired state).
    assert secret["resource_policy"] == roles.desired_state("secrets")[0]["resource_policy"]
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "*"}]}
    given = roles.desired_state("rds", rds_secrets_resource_policy=policy)
    assert given["app_database"]["credentials_secret"]["resource_policy"] == policy
