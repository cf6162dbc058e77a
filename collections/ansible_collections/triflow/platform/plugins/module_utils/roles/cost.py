# -*- coding: utf-8 -*-
# Copyright: TriFlow AI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The model of the ``cost`` role: a stack's bill of quantities, read from the other roles' desired states (the
same structures site.yml applies: never a second copy of a size), and the usage profile the inventory assumes.

Each line names the price key it is priced with (module_utils/cost.py, roles/cost/files/prices/<region>.yml) and the
variable that chose it, so a size the table does not price fails naming that variable. ``max_scale_lines`` are the
same lines at the autoscaling maximum; ``options`` are the same stack with one choice changed (what it saves).

How the quantities are counted (AWS's own billing rules, each cited where it is used):
- Fargate bills vCPU and memory per second of a running task (https://aws.amazon.com/fargate/pricing/): the desired
  count (or the maximum) runs the whole month.
- A Multi-AZ DB instance (one standby) is billed as two instances, storage included
  (https://aws.amazon.com/rds/postgresql/pricing/); backup storage up to 100 % of the provisioned storage is free.
- Public IPv4 addresses are billed per hour since 2024-02-01, in use or not
  (https://aws.amazon.com/blogs/aws/new-aws-public-ipv4-address-charge-public-ip-insights/): one per NAT gateway
  (its Elastic IP) and one per zone of the internet-facing load balancer.
- An ALB LCU is the largest of its dimensions per hour
  (https://aws.amazon.com/elasticloadbalancing/pricing/): 1 GB processed (IP targets), 25 new connections a second,
  3,000 active connections a minute, 1,000 rule evaluations a second. The estimate counts the first two, from the
  usage profile (every request a new connection: an upper bound); the stack has one listener rule.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

GIB_PER_MIB = 1.0 / 1024
SECONDS_PER_HOUR = 3600
LCU_GB_PER_HOUR = 1.0
LCU_NEW_CONNECTIONS_PER_SECOND = 25.0


def input_errors(inputs):
    errors = []
    if inputs["cost_hours_per_month"] <= 0:
        errors.append(
            "cost_hours_per_month must be above 0 (730 is AWS's month), got %s" % inputs["cost_hours_per_month"]
        )
    for name, value in sorted(inputs["cost_usage"].items()):
        if value < 0:
            errors.append("cost_usage.%s must be 0 or more, got %s" % (name, value))
    currency = inputs.get("cost_currency")
    if currency and currency["per_usd"] <= 0:
        errors.append(
            "cost_currency.per_usd must be above 0 (units of %s per USD), got %s"
            % (currency["code"], currency["per_usd"])
        )
    return errors


def _line(service, item, quantity, unit, price, group, variable=None, choice=None):
    return {
        "service": service,
        "item": item,
        "group": group,
        "quantity": round(quantity + 0.0, 4),
        "unit": unit,
        "price": price,
        "variable": variable or "cost_region",
        "choice": choice if choice is not None else price,
    }


def _stack(inputs):
    """The sizes the bill reads, from the desired states (a copy the options may change)."""
    rds = inputs["cost_rds"]["instance"]
    cache = inputs["cost_elasticache"]["replication_group"]
    app = inputs["cost_ecs_service"]
    alarms = inputs["cost_alarms"]
    network = inputs["cost_network"]
    return {
        "cpu": int(app["task"]["cpu"]),
        "memory": int(app["task"]["memory"]),
        "architecture": app["task"]["cpu_architecture"],
        "desired_count": app["service"]["initial_desired_count"],
        "max_count": app["autoscaling"]["max"],
        "log_retention_days": app["log_group"]["retention_days"],
        "rds_class": rds["instance_class"],
        "rds_multi_az": bool(rds["multi_az"]),
        "rds_storage_type": rds["storage_type"],
        "rds_storage_gb": rds["allocated_storage"],
        "rds_iops": rds.get("iops") or 0,
        "cache_node_type": cache["node_type"],
        "cache_nodes": cache["replicas"] + 1,
        "nat_gateways": len(network["nat_gateways"]),
        "alb_zones": len([subnet for subnet in network["subnets"] if subnet["tier"] == "public"]),
        "alarms": len(alarms["alarms"])
        + len(alarms["alb_alarms_waiting"])
        + (1 if alarms["billing"]["enabled"] else 0),
        "dashboards": 1 if alarms.get("dashboard") else 0,
        # The secrets role's, the app's database login (rds) and the app tier's URL secrets (DATABASE_URL, REDIS_URL).
        "secrets": len(inputs["cost_secrets"])
        + (1 if inputs["cost_rds"].get("app_database") else 0)
        + len(app["url_secrets"]),
    }


def lines(stack, usage, hours, tasks):
    """The bill's lines for ``stack`` (from ``_stack``) with ``tasks`` Fargate tasks running all month."""
    arch = stack["architecture"]
    vcpu = stack["cpu"] / 1024.0
    memory_gb = stack["memory"] * GIB_PER_MIB
    db_instances = 2 if stack["rds_multi_az"] else 1
    deployment = "Multi-AZ: primary and standby" if stack["rds_multi_az"] else "Single-AZ"
    requests_per_second = usage["requests_per_month"] / (hours * SECONDS_PER_HOUR)
    lcu = max(usage["internet_out_gb"] / hours / LCU_GB_PER_HOUR, requests_per_second / LCU_NEW_CONNECTIONS_PER_SECOND)
    stored_log_gb = usage["app_log_gb"] * stack["log_retention_days"] / 30.0
    bill = [
        _line(
            "Fargate",
            "vCPU (%d tasks x %g vCPU, %s)" % (tasks, vcpu, arch),
            tasks * vcpu * hours,
            "vCPU-hour",
            "fargate.vcpu_hour.%s" % arch,
            "app",
            "ecs_service_cpu_architecture",
            arch,
        ),
        _line(
            "Fargate",
            "memory (%d tasks x %g GB)" % (tasks, memory_gb),
            tasks * memory_gb * hours,
            "GB-hour",
            "fargate.gb_hour.%s" % arch,
            "app",
            "ecs_service_cpu_architecture",
            arch,
        ),
        _line(
            "RDS",
            "%s instance (%s)" % (stack["rds_class"], deployment),
            db_instances * hours,
            "instance-hour",
            "rds.instance_hour.%s" % stack["rds_class"],
            "database",
            "rds_instance_class",
            stack["rds_class"],
        ),
        _line(
            "RDS",
            "%s storage (%d GB x %d)" % (stack["rds_storage_type"], stack["rds_storage_gb"], db_instances),
            stack["rds_storage_gb"] * db_instances,
            "GB-month",
            "rds.storage_gb_month.%s" % stack["rds_storage_type"],
            "database",
            "rds_storage_type",
            stack["rds_storage_type"],
        ),
        _line(
            "RDS",
            "backup storage beyond the free allowance (100 % of provisioned storage)",
            max(0, usage["rds_backup_gb"] - stack["rds_storage_gb"]),
            "GB-month",
            "rds.backup_gb_month",
            "database",
        ),
        _line(
            "ElastiCache",
            "%s nodes (primary + %d replica(s))" % (stack["cache_node_type"], stack["cache_nodes"] - 1),
            stack["cache_nodes"] * hours,
            "node-hour",
            "elasticache.node_hour.%s" % stack["cache_node_type"],
            "cache",
            "elasticache_node_type",
            stack["cache_node_type"],
        ),
        _line(
            "VPC",
            "NAT gateways (%d)" % stack["nat_gateways"],
            stack["nat_gateways"] * hours,
            "gateway-hour",
            "vpc.nat_gateway_hour",
            "nat",
        ),
        _line(
            "VPC",
            "public IPv4 of the NAT gateways (%d Elastic IPs)" % stack["nat_gateways"],
            stack["nat_gateways"] * hours,
            "address-hour",
            "vpc.public_ipv4_hour",
            "nat",
        ),
        _line("VPC", "NAT data processing", usage["nat_gb"], "GB", "vpc.nat_gateway_gb", "traffic"),
        _line("ELB", "Application Load Balancer", hours, "ALB-hour", "elb.alb_hour", "load balancer"),
        _line(
            "ELB",
            "load balancer capacity units (%.3f LCU on average)" % lcu,
            lcu * hours,
            "LCU-hour",
            "elb.alb_lcu_hour",
            "load balancer",
        ),
        _line(
            "VPC",
            "public IPv4 of the load balancer (%d zones)" % stack["alb_zones"],
            stack["alb_zones"] * hours,
            "address-hour",
            "vpc.public_ipv4_hour",
            "load balancer",
        ),
        _line(
            "Data transfer",
            "out to the internet",
            usage["internet_out_gb"],
            "GB",
            "data_transfer.internet_out_gb",
            "traffic",
        ),
        _line("S3", "Standard storage", usage["s3_gb"], "GB-month", "s3.standard_gb_month", "storage"),
        _line(
            "S3",
            "PUT, COPY, POST, LIST requests",
            usage["s3_put_requests"] / 1000.0,
            "1,000 requests",
            "s3.put_requests_1000",
            "storage",
        ),
        _line("ECR", "image storage", usage["ecr_gb"], "GB-month", "ecr.storage_gb_month", "storage"),
        _line(
            "CloudWatch",
            "alarms (%d, standard resolution)" % stack["alarms"],
            stack["alarms"],
            "alarm-month",
            "cloudwatch.alarm_month",
            "observability",
        ),
        _line(
            "CloudWatch",
            "dashboard",
            stack["dashboards"],
            "dashboard-month",
            "cloudwatch.dashboard_month",
            "observability",
        ),
        _line(
            "CloudWatch",
            "logs ingested (the app's log group)",
            usage["app_log_gb"],
            "GB",
            "logs.ingest_gb",
            "observability",
        ),
        _line(
            "CloudWatch",
            "logs stored (%d days' retention)" % stack["log_retention_days"],
            stored_log_gb,
            "GB-month",
            "logs.storage_gb_month",
            "observability",
        ),
        _line(
            "CloudWatch",
            "Container Insights performance events ingested",
            usage["container_insights_gb"],
            "GB",
            "logs.ingest_gb",
            "observability",
        ),
        _line(
            "Secrets Manager",
            "secrets (%d)" % stack["secrets"],
            stack["secrets"],
            "secret-month",
            "secretsmanager.secret_month",
            "secrets",
        ),
    ]
    if stack["rds_iops"]:
        bill.insert(
            4,
            _line(
                "RDS",
                "provisioned IOPS (%d)" % stack["rds_iops"],
                stack["rds_iops"],
                "IOPS-month",
                "rds.iops_month.%s" % stack["rds_storage_type"],
                "database",
                "rds_iops",
                "%s on %s" % (stack["rds_iops"], stack["rds_storage_type"]),
            ),
        )
    return bill


def _option(name, variable, stack, usage, hours, **changes):
    changed = copy.deepcopy(stack)
    changed.update(changes)
    return {"option": name, "variable": variable, "lines": lines(changed, usage, hours, changed["desired_count"])}


def desired_state(inputs, context):
    stack = _stack(inputs)
    usage = dict(inputs["cost_usage"])
    hours = inputs["cost_hours_per_month"]
    options = []
    if stack["nat_gateways"] > 1:
        options.append(
            _option(
                "one NAT gateway for every zone's private subnet",
                "network_nat_mode=single",
                stack,
                usage,
                hours,
                nat_gateways=1,
            )
        )
    if stack["rds_multi_az"]:
        options.append(
            _option(
                "Single-AZ database (no standby: an AZ outage stops the app)",
                "rds_multi_az=false",
                stack,
                usage,
                hours,
                rds_multi_az=False,
            )
        )
    if stack["cache_nodes"] > 1:
        options.append(
            _option(
                "no cache replica (no automatic failover)", "elasticache_replicas=0", stack, usage, hours, cache_nodes=1
            )
        )
    return {
        "stack": inputs["cost_name_prefix"],
        "region": inputs["cost_region"],
        "stack_region": context.get("region"),
        "hours_per_month": hours,
        "usage": usage,
        "currency": inputs.get("cost_currency"),
        "report_dir": inputs["cost_report_dir"],
        "prices_file": "%s/%s.yml" % (inputs["cost_prices_dir"].rstrip("/"), inputs["cost_region"]),
        "lines": lines(stack, usage, hours, stack["desired_count"]),
        "max_scale_lines": lines(stack, usage, hours, stack["max_count"]),
        "options": options,
    }
