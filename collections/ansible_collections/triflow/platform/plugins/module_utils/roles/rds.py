# -*- coding: utf-8 -*-
# Copyright: TriFlow AI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The model of the ``rds`` role: the stack's PostgreSQL on RDS, its checks and its desired state.

meta/argument_specs.yml checks each input's type and choices; ``input_errors`` checks what it cannot (versions
with pgvector, ranges, windows, names) and ``desired_state`` builds every name and setting the role applies.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.triflow.platform.plugins.module_utils.arns import arn
from ansible_collections.triflow.platform.plugins.module_utils.naming import named_tags
from ansible_collections.triflow.platform.plugins.module_utils.rules import (
    RDS_WINDOW_MINUTES,
    int_in_range,
    window_errors,
)
from ansible_collections.triflow.platform.plugins.module_utils.trust import service_trust_policy

# First RDS for PostgreSQL minor version of each major that ships pgvector 0.8.0 or later.
PGVECTOR_08_SINCE = {13: (13, 17), 14: (14, 14), 15: (15, 9), 16: (16, 5), 17: (17, 1)}
VERSION = re.compile(r"^(\d+)\.(\d+)$")
INSTANCE_CLASS = re.compile(r"^db\.[a-z0-9]+\.[a-z0-9]+$")
GP3_IOPS_FROM_GIB = 400
PERFORMANCE_INSIGHTS_RETENTION = (7, 731)
MONITORING_POLICY = "policy/service-role/AmazonRDSEnhancedMonitoringRole"
IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
# The app's login users are <rds_app_role>_a and _b (AWS's alternating-users rotation strategy).
APP_USER_SUFFIXES = ("_a", "_b")
APP_PASSWORD_LENGTH = 40


def _engine_version_errors(version):
    match = VERSION.match(str(version))
    if not match:
        return ["rds_engine_version '%s' is not a PostgreSQL major.minor version such as 16.6" % version]
    major, minor = int(match.group(1)), int(match.group(2))
    since = PGVECTOR_08_SINCE.get(major)
    choices = ", ".join("%d.%d+" % pair for pair in sorted(PGVECTOR_08_SINCE.values()))
    if since is None or (major, minor) < since:
        return [
            "rds_engine_version '%s' has no RDS build with pgvector 0.8 or later; use one of %s" % (version, choices)
        ]
    return []


def input_errors(inputs):
    """Every problem of the rds role's inputs that argument_specs cannot see, each naming its variable."""
    errors = _engine_version_errors(inputs.get("rds_engine_version"))
    if not INSTANCE_CLASS.match(str(inputs.get("rds_instance_class"))):
        errors.append(
            "rds_instance_class '%s' is not an RDS instance class such as db.t4g.medium"
            % inputs.get("rds_instance_class")
        )
    allocated_ok = int_in_range("rds_allocated_storage", inputs.get("rds_allocated_storage"), 20, 65536, errors)
    maximum_ok = int_in_range("rds_max_allocated_storage", inputs.get("rds_max_allocated_storage"), 20, 65536, errors)
    if allocated_ok and maximum_ok and inputs["rds_max_allocated_storage"] < inputs["rds_allocated_storage"]:
        errors.append(
            "rds_max_allocated_storage %d is below rds_allocated_storage %d: storage autoscaling needs a higher ceiling"
            % (inputs["rds_max_allocated_storage"], inputs["rds_allocated_storage"])
        )
    iops = inputs.get("rds_iops")
    if (
        iops
        and inputs.get("rds_storage_type") == "gp3"
        and allocated_ok
        and inputs["rds_allocated_storage"] < GP3_IOPS_FROM_GIB
    ):
        errors.append(
            "rds_iops is set but rds_allocated_storage is %d GiB: AWS accepts gp3 IOPS for PostgreSQL only from %d GiB "
            "(below it gp3 gives 3000 IOPS); leave rds_iops at 0" % (inputs["rds_allocated_storage"], GP3_IOPS_FROM_GIB)
        )
    int_in_range("rds_backup_retention_days", inputs.get("rds_backup_retention_days"), 1, 35, errors)
    errors.extend(
        window_errors(
            "rds_backup_window",
            inputs["rds_backup_window"],
            "rds_maintenance_window",
            inputs["rds_maintenance_window"],
            RDS_WINDOW_MINUTES,
        )
    )
    retention = inputs.get("rds_performance_insights_retention_days")
    if retention not in PERFORMANCE_INSIGHTS_RETENTION and not (
        isinstance(retention, int) and retention % 31 == 0 and 31 <= retention <= 713
    ):
        errors.append(
            "rds_performance_insights_retention_days %r is invalid: 7, a multiple of 31 up to 713, or 731"
            % (retention,)
        )
    for variable in ("rds_master_username", "rds_db_name"):
        if not IDENTIFIER.match(str(inputs.get(variable))) or inputs.get(variable) in ("postgres", "rdsadmin", "admin"):
            errors.append(
                "%s '%s' is invalid: lowercase letters, digits, underscores, starting with a letter, "
                "not a reserved name" % (variable, inputs.get(variable))
            )
    role = inputs.get("rds_app_role")
    if not IDENTIFIER.match(str(role)) or len(str(role)) > 61 or str(role).startswith(("pg_", "rds")):
        errors.append(
            "rds_app_role '%s' is invalid: lowercase letters, digits, underscores, starting with a letter, at most 61 "
            "characters (the login users add _a and _b), not pg_* or rds*" % (role,)
        )
    elif role in (inputs.get("rds_master_username"), inputs.get("rds_db_name")) or any(
        inputs.get("rds_master_username") == role + suffix for suffix in APP_USER_SUFFIXES
    ):
        errors.append(
            "rds_app_role '%s' must differ from rds_master_username and rds_db_name: the app never uses the master "
            "user" % role
        )
    for variable in ("rds_app_pool_size", "rds_app_max_tasks", "rds_reserved_connections"):
        int_in_range(variable, inputs.get(variable), 1, 5000, errors)
    return errors


def max_connections(inputs):
    """The app's pool x its maximum task count, plus connections kept for admins, migrations and monitoring."""
    return inputs["rds_app_pool_size"] * inputs["rds_app_max_tasks"] + inputs["rds_reserved_connections"]


def desired_state(inputs, context):
    """The stack's database: subnet group, parameter group, monitoring role and instance settings.

    ``context`` holds the stack's ``region`` (for the partition of the AWS managed policy's ARN)."""
    prefix = inputs["rds_name_prefix"]
    tags = inputs.get("rds_tags") or {}
    major = VERSION.match(inputs["rds_engine_version"]).group(1)
    family = "postgres%s" % major
    identifier = "%s-db" % prefix
    return {
        "identifier": identifier,
        # The subnets and security groups are the network role's (empty until it has run).
        "subnet_group": {
            "name": identifier,
            "description": "Private subnets of %s's database" % prefix,
            "subnet_ids": list(inputs.get("rds_subnet_ids") or []),
        },
        "parameter_group": {
            "name": "%s-%s" % (prefix, family),
            "family": family,
            "description": "PostgreSQL %s settings of %s" % (major, prefix),
            "tags": named_tags(tags, "%s-%s" % (prefix, family)),
            # Static parameters wait for a reboot (AWS rejects "immediate" for them); dynamic ones apply at once.
            "static": {
                "shared_preload_libraries": "pg_stat_statements",
                "max_connections": str(max_connections(inputs)),
            },
            "dynamic": {"log_statement": "mod", "log_min_duration_statement": "1000", "rds.force_ssl": "1"},
        },
        "monitoring_role": {
            "name": "%s-rds-monitoring" % prefix,
            # Enhanced Monitoring assumes it only for this instance (RDS User Guide, "Setting up and enabling
            # Enhanced Monitoring": aws:SourceArn and aws:SourceAccount in the trust relationship).
            "trust_policy": service_trust_policy(
                "monitoring.rds.amazonaws.com",
                context["region"],
                context.get("account_id"),
                "rds",
                "db:%s" % identifier,
            ),
            "policy_arn": arn(context["region"], "iam", MONITORING_POLICY, "aws", regional=False),
            "tags": named_tags(tags, "%s-rds-monitoring" % prefix),
        },
        "instance": {
            "engine": "postgres",
            "engine_version": inputs["rds_engine_version"],
            "instance_class": inputs["rds_instance_class"],
            "multi_az": inputs["rds_multi_az"],
            "vpc_security_group_ids": list(inputs.get("rds_security_group_ids") or []),
            "apply_immediately": inputs["rds_apply_immediately"],
            "storage_type": inputs["rds_storage_type"],
            "allocated_storage": inputs["rds_allocated_storage"],
            "max_allocated_storage": inputs["rds_max_allocated_storage"],
            "iops": inputs.get("rds_iops") or None,
            "storage_encrypted": True,
            "publicly_accessible": False,
            "backup_retention_period": inputs["rds_backup_retention_days"],
            "preferred_backup_window": inputs["rds_backup_window"],
            "preferred_maintenance_window": inputs["rds_maintenance_window"],
            "cloudwatch_logs_exports": list(inputs["rds_cloudwatch_logs_exports"]),
            "performance_insights": True,
            "performance_insights_retention_period": inputs["rds_performance_insights_retention_days"],
            "monitoring_interval": inputs["rds_monitoring_interval"],
            "deletion_protection": inputs["rds_deletion_protection"],
            "copy_tags_to_snapshot": True,
            "auto_minor_version_upgrade": True,
            "master_username": inputs["rds_master_username"],
            "db_name": inputs["rds_db_name"],
            "port": 5432,
            "final_snapshot_identifier": "%s-final" % identifier,
            "tags": named_tags(tags, identifier),
        },
        "max_connections": max_connections(inputs),
        # The service's autoscaling maximum (ecs_service_max_count defaults to it), which max_connections is sized for.
        "app_max_tasks": inputs["rds_app_max_tasks"],
        "pgvector": {
            "enabled": inputs["rds_pgvector_enabled"],
            "version": inputs["rds_pgvector_version"],
            # Empty: the endpoint AWS reports, from the host that runs the play.
            "login_host": inputs["rds_pgvector_login_host"],
            "delegate_to": inputs["rds_pgvector_delegate_to"],
            "ssl_mode": inputs["rds_pgvector_ssl_mode"],
            "ca_cert": inputs["rds_pgvector_ca_cert"],
        },
        "password_secret": "%s/db-master-password" % prefix,
        "app_database": app_database(inputs, prefix, tags),
    }


def app_database(inputs, prefix, tags):
    """The app's least-privilege roles in its database and the secret that holds the active user's credentials:
    JSON {"username", "password"}, AWS's form for database credentials. The first user is created by site.yml,
    the second by the first rotation (playbooks/rotate_secrets.yml), which alternates between them."""
    role = inputs["rds_app_role"]
    name = "%s/db-app-credentials" % prefix
    return {
        "owner": role,
        "users": [role + suffix for suffix in APP_USER_SUFFIXES],
        "schema": "public",
        "credentials_secret": {
            "name": name,
            "description": "The app's PostgreSQL login (JSON username and password; alternating users)",
            "password_length": APP_PASSWORD_LENGTH,
            "resource_policy": inputs.get("rds_secrets_resource_policy") or None,
            "tags": named_tags(tags, name),
        },
    }
