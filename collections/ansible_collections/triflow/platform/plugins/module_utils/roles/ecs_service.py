# -*- coding: utf-8 -*-
# Copyright: TriFlow AI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The model of the ``ecs_service`` role: the stack's ECS Fargate service behind an ALB, its IAM roles, logs and
autoscaling.

``input_errors`` checks what the role's argument_specs cannot, ``desired_state`` turns the inputs into the names and
settings of every resource, and the other functions build what needs values AWS only knows once the stack
exists (the IAM policies scoped to this stack's ARNs, the task definition's container, the URLs the app reads).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
from urllib.parse import quote

from ansible_collections.triflow.platform.plugins.module_utils.arns import arn
from ansible_collections.triflow.platform.plugins.module_utils.naming import app_role_names, named_tags
from ansible_collections.triflow.platform.plugins.module_utils.rules import int_in_range, log_retention_in_range
from ansible_collections.triflow.platform.plugins.module_utils.trust import service_trust_policy

# Fargate's CPU units and, for each, the memory sizes (MiB) it accepts.
FARGATE_MEMORY = {
    256: (512, 1024, 2048),
    512: tuple(range(1024, 4097, 1024)),
    1024: tuple(range(2048, 8193, 1024)),
    2048: tuple(range(4096, 16385, 1024)),
    4096: tuple(range(8192, 30721, 1024)),
    8192: tuple(range(16384, 61441, 4096)),
    16384: tuple(range(32768, 122881, 8192)),
}
ACM_ARN = re.compile(r"^arn:aws(-[a-z]+)*:acm:[a-z]{2}(-[a-z]+)+-\d:\d{12}:certificate/[0-9a-f-]{36}$")
TLS_POLICY = re.compile(r"^ELBSecurityPolicy-[A-Za-z0-9-]+$")
ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")
NAMESPACE = re.compile(r"^[A-Za-z0-9._/#:-]{1,255}$")
HEALTH_PATH = re.compile(r"^/[A-Za-z0-9._~/-]*$")
BUFFER_SIZE = re.compile(r"^[1-9][0-9]*[kmg]$")
IMAGE_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
# Environment keys the role sets itself; extra environment may not override them.
MANAGED_ENV_KEYS = ("ENVIRONMENT", "AWS_REGION", "S3_BUCKET_NAME", "DB_HOST", "DB_PORT", "DB_NAME", "METRICS_NAMESPACE")
SECRET_ENV_KEYS = ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "ANTHROPIC_API_KEY")


def _fargate_errors(inputs, errors):
    cpu, memory = inputs.get("ecs_service_task_cpu"), inputs.get("ecs_service_task_memory")
    if cpu not in FARGATE_MEMORY or isinstance(cpu, bool):
        errors.append(
            "ecs_service_task_cpu %r is invalid; Fargate offers: %s"
            % (cpu, ", ".join(str(value) for value in FARGATE_MEMORY))
        )
    elif memory not in FARGATE_MEMORY[cpu] or isinstance(memory, bool):
        sizes = FARGATE_MEMORY[cpu]
        errors.append(
            "ecs_service_task_memory %r is invalid with ecs_service_task_cpu %d; Fargate offers %d to %d MiB "
            "in steps of %d (%s)"
            % (
                memory,
                cpu,
                sizes[0],
                sizes[-1],
                sizes[1] - sizes[0] if len(sizes) > 1 else 0,
                ", ".join(str(size) for size in sizes),
            )
        )


def _scaling_errors(inputs, errors):
    low = int_in_range("ecs_service_min_count", inputs.get("ecs_service_min_count"), 1, 1000, errors)
    high = int_in_range("ecs_service_max_count", inputs.get("ecs_service_max_count"), 1, 1000, errors)
    desired = int_in_range("ecs_service_desired_count", inputs.get("ecs_service_desired_count"), 0, 1000, errors)
    if low and high and inputs["ecs_service_min_count"] > inputs["ecs_service_max_count"]:
        errors.append(
            "ecs_service_min_count %d is above ecs_service_max_count %d"
            % (inputs["ecs_service_min_count"], inputs["ecs_service_max_count"])
        )
    elif (
        low
        and high
        and desired
        and not (
            inputs["ecs_service_min_count"] <= inputs["ecs_service_desired_count"] <= inputs["ecs_service_max_count"]
        )
    ):
        errors.append(
            "ecs_service_desired_count %d is outside ecs_service_min_count..ecs_service_max_count (%d..%d)"
            % (inputs["ecs_service_desired_count"], inputs["ecs_service_min_count"], inputs["ecs_service_max_count"])
        )
    int_in_range("ecs_service_cpu_target", inputs.get("ecs_service_cpu_target"), 10, 95, errors)
    int_in_range("ecs_service_scale_in_cooldown", inputs.get("ecs_service_scale_in_cooldown"), 0, 3600, errors)
    int_in_range("ecs_service_scale_out_cooldown", inputs.get("ecs_service_scale_out_cooldown"), 0, 3600, errors)
    int_in_range("ecs_service_min_healthy_percent", inputs.get("ecs_service_min_healthy_percent"), 0, 100, errors)
    if int_in_range("ecs_service_max_percent", inputs.get("ecs_service_max_percent"), 100, 200, errors) and (
        isinstance(inputs.get("ecs_service_min_healthy_percent"), int)
        and inputs["ecs_service_max_percent"] <= inputs["ecs_service_min_healthy_percent"]
    ):
        errors.append("ecs_service_max_percent must be above ecs_service_min_healthy_percent, or no task can start")
    int_in_range(
        "ecs_service_health_check_grace_period", inputs.get("ecs_service_health_check_grace_period"), 0, 7200, errors
    )


def _alb_errors(inputs, errors):
    certificate = inputs.get("ecs_service_certificate_arn") or ""
    if certificate and not ACM_ARN.match(certificate):
        errors.append(
            "ecs_service_certificate_arn '%s' is not an ACM certificate ARN "
            "(arn:aws:acm:<region>:<account>:certificate/<id>); leave it empty to serve HTTP on :80" % certificate
        )
    if not TLS_POLICY.match(str(inputs.get("ecs_service_tls_policy") or "")):
        errors.append(
            "ecs_service_tls_policy %r is invalid: an ELBSecurityPolicy-* name" % inputs.get("ecs_service_tls_policy")
        )
    if not HEALTH_PATH.match(str(inputs.get("ecs_service_health_check_path") or "")):
        errors.append(
            "ecs_service_health_check_path %r is invalid: an absolute URL path such as /health"
            % inputs.get("ecs_service_health_check_path")
        )
    int_in_range("ecs_service_container_port", inputs.get("ecs_service_container_port"), 1, 65535, errors)
    interval = int_in_range(
        "ecs_service_target_health_interval", inputs.get("ecs_service_target_health_interval"), 5, 300, errors
    )
    timeout = int_in_range(
        "ecs_service_target_health_timeout", inputs.get("ecs_service_target_health_timeout"), 2, 120, errors
    )
    if (
        interval
        and timeout
        and inputs["ecs_service_target_health_timeout"] >= inputs["ecs_service_target_health_interval"]
    ):
        errors.append("ecs_service_target_health_timeout must be below ecs_service_target_health_interval")
    int_in_range(
        "ecs_service_target_healthy_threshold", inputs.get("ecs_service_target_healthy_threshold"), 2, 10, errors
    )
    int_in_range(
        "ecs_service_target_unhealthy_threshold", inputs.get("ecs_service_target_unhealthy_threshold"), 2, 10, errors
    )
    int_in_range("ecs_service_deregistration_delay", inputs.get("ecs_service_deregistration_delay"), 0, 3600, errors)
    int_in_range("ecs_service_alb_idle_timeout", inputs.get("ecs_service_alb_idle_timeout"), 1, 4000, errors)


def _container_errors(inputs, errors):
    log_retention_in_range("ecs_service_log_retention_days", inputs.get("ecs_service_log_retention_days"), errors)
    if not IMAGE_TAG.match(str(inputs.get("ecs_service_initial_image_tag") or "")):
        errors.append(
            "ecs_service_initial_image_tag %r is invalid: 1 to 128 letters, digits, '_', '.', '-'"
            % inputs.get("ecs_service_initial_image_tag")
        )
    if not NAMESPACE.match(str(inputs.get("ecs_service_metrics_namespace") or "")) or str(
        inputs.get("ecs_service_metrics_namespace")
    ).startswith("AWS/"):
        errors.append(
            "ecs_service_metrics_namespace %r is invalid: up to 255 letters, digits and . _ / # : -, "
            "not starting with AWS/" % inputs.get("ecs_service_metrics_namespace")
        )
    paths = inputs.get("ecs_service_scratch_paths") or []
    for path in paths:
        if not str(path).startswith("/") or str(path) == "/" or ".." in str(path).split("/"):
            errors.append("ecs_service_scratch_paths entry %r is invalid: an absolute path below / (e.g. /tmp)" % path)
    if len(set(paths)) != len(paths):
        errors.append("ecs_service_scratch_paths lists a path twice: %s" % paths)
    if not BUFFER_SIZE.match(str(inputs.get("ecs_service_log_max_buffer_size") or "")):
        errors.append(
            "ecs_service_log_max_buffer_size %r is invalid: a size such as 25m (k, m or g suffix)"
            % inputs.get("ecs_service_log_max_buffer_size")
        )
    health = inputs.get("ecs_service_container_health_check") or {}
    for key, low, high in (("interval", 5, 300), ("timeout", 2, 60), ("retries", 1, 10), ("start_period", 0, 300)):
        int_in_range("ecs_service_container_health_check.%s" % key, health.get(key), low, high, errors)
    for key in inputs.get("ecs_service_extra_environment") or {}:
        if not ENV_NAME.match(str(key)):
            errors.append("ecs_service_extra_environment key %r is invalid: letters, digits and '_'" % key)
        elif key in MANAGED_ENV_KEYS or key in SECRET_ENV_KEYS:
            errors.append("ecs_service_extra_environment must not set %s: the role sets it" % key)


def input_errors(inputs):
    """Every problem of the ecs_service role's inputs that argument_specs cannot see, each naming its variable."""
    errors = []
    _fargate_errors(inputs, errors)
    _scaling_errors(inputs, errors)
    _alb_errors(inputs, errors)
    _container_errors(inputs, errors)
    return errors


def desired_state(inputs, context):
    """Names and settings of the application tier (what AWS does not assign)."""
    prefix = inputs["ecs_service_name_prefix"]
    tags = dict(inputs["ecs_service_tags"])
    service_name = "%s-backend" % prefix
    certificate = inputs.get("ecs_service_certificate_arn") or ""
    target_group = "%s-tg" % prefix
    forward = [{"Type": "forward", "TargetGroupName": target_group}]
    if certificate:
        listeners = [
            {
                "Protocol": "HTTPS",
                "Port": 443,
                "SslPolicy": inputs["ecs_service_tls_policy"],
                "Certificates": [{"CertificateArn": certificate}],
                "DefaultActions": forward,
            },
            {
                "Protocol": "HTTP",
                "Port": 80,
                "DefaultActions": [
                    {
                        "Type": "redirect",
                        "RedirectConfig": {
                            "Protocol": "HTTPS",
                            "Port": "443",
                            "Host": "#{host}",
                            "Path": "/#{path}",
                            "Query": "#{query}",
                            "StatusCode": "HTTP_301",
                        },
                    }
                ],
            },
        ]
    else:
        listeners = [{"Protocol": "HTTP", "Port": 80, "DefaultActions": forward}]
    health = inputs["ecs_service_container_health_check"]
    # ECS tasks assume both roles, only for this account's ECS resources (Amazon ECS Developer Guide, "Task IAM
    # role", the trust relationship with aws:SourceAccount and aws:SourceArn).
    logs = inputs.get("ecs_service_alb_access_logs") or {}
    roles = app_role_names(prefix)
    secret_policy = inputs.get("ecs_service_secrets_resource_policy") or None
    scratch = [
        {"name": "scratch-%d" % index, "path": path}
        for index, path in enumerate(inputs["ecs_service_scratch_paths"], start=1)
    ]
    trust = service_trust_policy(
        "ecs-tasks.amazonaws.com", context.get("region"), context.get("account_id"), "ecs", "*"
    )
    return {
        "https": bool(certificate),
        "metrics_namespace": inputs["ecs_service_metrics_namespace"],
        "cluster": {
            "name": prefix,
            "container_insights": "enabled",
            "capacity_providers": ["FARGATE", "FARGATE_SPOT"],
            "tags": named_tags(tags, prefix),
        },
        # The network role's subnets and security groups (empty until it has run).
        "network": {
            "vpc_id": inputs["ecs_service_vpc_id"],
            "public_subnet_ids": list(inputs["ecs_service_public_subnet_ids"] or []),
            "private_subnet_ids": list(inputs["ecs_service_private_subnet_ids"] or []),
            "alb_security_group_ids": list(inputs["ecs_service_alb_security_group_ids"] or []),
            "app_security_group_ids": list(inputs["ecs_service_app_security_group_ids"] or []),
        },
        "log_group": {
            "name": "/aws/ecs/%s" % service_name,
            "region": context.get("region"),
            "retention_days": inputs["ecs_service_log_retention_days"],
            "tags": named_tags(tags, "/aws/ecs/%s" % service_name),
        },
        "execution_role": {
            "name": roles["execution"],
            "trust_policy": trust,
            "policy_name": "task-execution",
            "tags": named_tags(tags, roles["execution"]),
        },
        "task_role": {
            "name": roles["task"],
            "trust_policy": trust,
            "policy_name": "app-access",
            "tags": named_tags(tags, roles["task"]),
        },
        "url_secrets": {
            "database_url": {
                "name": "%s/database-url" % prefix,
                "description": "DATABASE_URL of the backend (built from the RDS endpoint and password)",
                "resource_policy": secret_policy,
                "tags": named_tags(tags, "%s/database-url" % prefix),
            },
            "redis_url": {
                "name": "%s/redis-url" % prefix,
                "description": "REDIS_URL of the backend (rediss://, built from the AUTH token)",
                "resource_policy": secret_policy,
                "tags": named_tags(tags, "%s/redis-url" % prefix),
            },
        },
        "task": {
            "family": service_name,
            "cpu": str(inputs["ecs_service_task_cpu"]),
            "memory": str(inputs["ecs_service_task_memory"]),
            "cpu_architecture": inputs["ecs_service_cpu_architecture"],
            "operating_system_family": "LINUX",
            "network_mode": "awsvpc",
            "launch_type": "FARGATE",
            # The variables the app reads; its secrets (DATABASE_URL, ...) come from Secrets Manager.
            "environment": environment(inputs, context),
            "container_name": "backend",
            "container_port": inputs["ecs_service_container_port"],
            "initial_image_tag": inputs["ecs_service_initial_image_tag"],
            # The container's root file system is read-only; each scratch path is a task-local volume on the
            # task's ephemeral storage (Fargate bind mounts), writable and gone with the task.
            "read_only_root_filesystem": True,
            "scratch_volumes": scratch,
            # awslogs in non-blocking mode: a full buffer drops log lines instead of stalling the app's writes
            # (Amazon ECS Developer Guide, "Using the awslogs log driver", mode and max-buffer-size).
            "log_mode": "non-blocking",
            "volumes": [{"name": volume["name"]} for volume in scratch],
            "log_max_buffer_size": inputs["ecs_service_log_max_buffer_size"],
            "health_check": {
                "command": ["CMD-SHELL", inputs["ecs_service_container_health_command"]],
                "interval": health["interval"],
                "timeout": health["timeout"],
                "retries": health["retries"],
                "startPeriod": health["start_period"],
            },
            "tags": named_tags(tags, service_name),
        },
        "alb": {
            "name": "%s-alb" % prefix,
            "scheme": "internet-facing",
            "deletion_protection": inputs["ecs_service_alb_deletion_protection"],
            "http2": True,
            # Requests with header fields that are not valid HTTP are dropped, not passed to the app.
            "drop_invalid_header_fields": True,
            "access_logs": {
                "enabled": bool(logs.get("enabled")),
                "bucket": logs.get("bucket") or "",
                "prefix": logs.get("prefix") or "",
            },
            "idle_timeout": inputs["ecs_service_alb_idle_timeout"],
            "listeners": listeners,
            "tags": named_tags(tags, "%s-alb" % prefix),
        },
        "target_group": {
            "name": target_group,
            "protocol": "HTTP",
            "port": inputs["ecs_service_container_port"],
            "target_type": "ip",
            "health_check_protocol": "HTTP",
            "health_check_port": "traffic-port",
            "health_check_path": inputs["ecs_service_health_check_path"],
            "health_check_interval": inputs["ecs_service_target_health_interval"],
            "health_check_timeout": inputs["ecs_service_target_health_timeout"],
            "healthy_threshold": inputs["ecs_service_target_healthy_threshold"],
            "unhealthy_threshold": inputs["ecs_service_target_unhealthy_threshold"],
            "matcher": "200",
            "deregistration_delay": inputs["ecs_service_deregistration_delay"],
            "tags": named_tags(tags, target_group),
        },
        "service": {
            "name": service_name,
            "launch_type": "FARGATE",
            "platform_version": "LATEST",
            "propagate_tags": "SERVICE",
            "initial_desired_count": inputs["ecs_service_desired_count"],
            "deployment_configuration": {
                "minimumHealthyPercent": inputs["ecs_service_min_healthy_percent"],
                "maximumPercent": inputs["ecs_service_max_percent"],
                "deploymentCircuitBreaker": {"enable": True, "rollback": True},
            },
            "health_check_grace_period": inputs["ecs_service_health_check_grace_period"],
            "assign_public_ip": False,
            "tags": named_tags(tags, service_name),
        },
        "autoscaling": {
            "resource_id": "service/%s/%s" % (prefix, service_name),
            "min": inputs["ecs_service_min_count"],
            "max": inputs["ecs_service_max_count"],
            "policy_name": "%s-cpu-target" % prefix,
            "service_namespace": "ecs",
            "scalable_dimension": "ecs:service:DesiredCount",
            "policy_type": "TargetTrackingScaling",
            "metric": "ECSServiceAverageCPUUtilization",
            "disable_scale_in": False,
            "cpu_target": float(inputs["ecs_service_cpu_target"]),
            "scale_in_cooldown": inputs["ecs_service_scale_in_cooldown"],
            "scale_out_cooldown": inputs["ecs_service_scale_out_cooldown"],
        },
    }


def environment(inputs, context):
    """The container's environment: the inventory's extra variables, then the ones the role sets."""
    variables = dict(inputs.get("ecs_service_extra_environment") or {})
    variables.update(
        {
            "ENVIRONMENT": inputs["ecs_service_environment"],
            "AWS_REGION": context.get("region"),
            "S3_BUCKET_NAME": inputs["ecs_service_bucket"],
            "DB_HOST": inputs["ecs_service_db_host"],
            "DB_PORT": inputs["ecs_service_db_port"],
            "DB_NAME": inputs["ecs_service_db_name"],
            "METRICS_NAMESPACE": inputs["ecs_service_metrics_namespace"],
        }
    )
    return variables


def _statement(sid, actions, resources, condition=None):
    statement = {"Sid": sid, "Effect": "Allow", "Action": sorted(actions), "Resource": resources}
    if condition:
        statement["Condition"] = condition
    return statement


def iam_policies(desired, account_id, region, secret_arns, bucket, repository_arn):
    """The execution and task roles' inline policies, scoped to this stack's ARNs.

    ``secret_arns`` maps each secret the task reads (DATABASE_URL, ...) to its ARN. Two statements need
    ``"Resource": "*"`` because AWS has no resource-level permission for those actions:
    ecr:GetAuthorizationToken, and cloudwatch:PutMetricData (limited to the app's namespace by condition).
    """
    log_group_arn = arn(region, "logs", "log-group:%s" % desired["log_group"]["name"], account_id)
    secrets = sorted(arn for arn in secret_arns.values() if arn)
    execution = {
        "Version": "2012-10-17",
        "Statement": [
            _statement(
                "PullTheBackendImage",
                ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
                [repository_arn],
            ),
            _statement("LogInToTheRegistry", ["ecr:GetAuthorizationToken"], "*"),
            _statement(
                "WriteTheBackendLogs", ["logs:CreateLogStream", "logs:PutLogEvents"], [log_group_arn + ":log-stream:*"]
            ),
            _statement("ReadTheBackendSecrets", ["secretsmanager:GetSecretValue"], secrets),
        ],
    }
    bucket_arn = arn(region, "s3", bucket, regional=False)
    task = {
        "Version": "2012-10-17",
        "Statement": [
            _statement("ListTheStackBucket", ["s3:ListBucket", "s3:GetBucketLocation"], [bucket_arn]),
            _statement(
                "ReadWriteTheStackObjects",
                ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:GetObjectTagging", "s3:PutObjectTagging"],
                [bucket_arn + "/*"],
            ),
            _statement(
                "PublishTheAppMetrics",
                ["cloudwatch:PutMetricData"],
                "*",
                {"StringEquals": {"cloudwatch:namespace": desired["metrics_namespace"]}},
            ),
            _statement(
                "ReadTheStackSecrets", ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], secrets
            ),
        ],
    }
    return {"execution": execution, "task": task}


def database_url(username, password, host, port, database):
    """DATABASE_URL of the backend: TLS required (rds.force_ssl=1)."""
    return "postgresql://%s:%s@%s:%s/%s?sslmode=require" % (
        quote(username, safe=""),
        quote(password, safe=""),
        host,
        port,
        quote(database, safe=""),
    )


def redis_url(token, host, port):
    """REDIS_URL of the backend: rediss:// (in-transit encryption), AUTH token as the password."""
    return "rediss://:%s@%s:%s/0" % (quote(token, safe=""), host, port)


def container_definition(desired, image, environment, secret_arns, log_region):
    """The ``backend`` container (ECS API shape); environment and secrets sorted so revisions compare."""
    task = desired["task"]
    return {
        "name": task["container_name"],
        "image": image,
        "essential": True,
        "portMappings": [
            {"containerPort": task["container_port"], "hostPort": task["container_port"], "protocol": "tcp"}
        ],
        "environment": [{"name": key, "value": str(value)} for key, value in sorted(environment.items())],
        "secrets": [{"name": key, "valueFrom": arn} for key, arn in sorted(secret_arns.items())],
        "healthCheck": task["health_check"],
        "readonlyRootFilesystem": task["read_only_root_filesystem"],
        "mountPoints": [
            {"sourceVolume": volume["name"], "containerPath": volume["path"], "readOnly": False}
            for volume in task["scratch_volumes"]
        ],
        "logConfiguration": {
            "logDriver": "awslogs",
            "options": {
                "awslogs-group": desired["log_group"]["name"],
                "awslogs-region": log_region,
                "awslogs-stream-prefix": task["container_name"],
                "mode": task["log_mode"],
                "max-buffer-size": task["log_max_buffer_size"],
            },
        },
    }


def service_unmanaged_differences(existing, desired, subnet_ids, security_group_ids):
    """Settings of an existing service that community.aws.ecs_service does not compare, and that differ.

    ecs_service updates a service only when the task definition, desired count, load balancers, grace period,
    tags or propagation differ; the deployment configuration (circuit breaker) and the network configuration
    are sent only then. A non-empty answer makes the role force that update.
    """
    if not existing:
        return []
    differences = []
    wanted = desired["service"]["deployment_configuration"]
    current = existing.get("deploymentConfiguration") or {}
    for key in ("minimumHealthyPercent", "maximumPercent"):
        if current.get(key) != wanted[key]:
            differences.append("deploymentConfiguration.%s" % key)
    breaker = current.get("deploymentCircuitBreaker") or {}
    for key in ("enable", "rollback"):
        if bool(breaker.get(key)) != wanted["deploymentCircuitBreaker"][key]:
            differences.append("deploymentConfiguration.deploymentCircuitBreaker.%s" % key)
    network = (existing.get("networkConfiguration") or {}).get("awsvpcConfiguration") or {}
    if sorted(network.get("subnets") or []) != sorted(subnet_ids):
        differences.append("networkConfiguration.subnets")
    if sorted(network.get("securityGroups") or []) != sorted(security_group_ids):
        differences.append("networkConfiguration.securityGroups")
    if network.get("assignPublicIp", "DISABLED") != (
        "ENABLED" if desired["service"]["assign_public_ip"] else "DISABLED"
    ):
        differences.append("networkConfiguration.assignPublicIp")
    return differences
