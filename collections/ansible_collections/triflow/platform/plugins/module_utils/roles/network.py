# -*- coding: utf-8 -*-
# Copyright: TriFlow AI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The model of the ``network`` role: the stack's VPC, its checks and its desired state.

The ``network`` role applies the structure built here, and the drift check compares AWS with the same structure,
so the values live in one place. meta/argument_specs.yml checks each input's type and choices first.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import re

from ansible_collections.triflow.platform.plugins.module_utils.arns import arn
from ansible_collections.triflow.platform.plugins.module_utils.naming import (
    name_part_errors,
    named_tags,
    prefix_length_errors,
)
from ansible_collections.triflow.platform.plugins.module_utils.rules import log_retention_in_range
from ansible_collections.triflow.platform.plugins.module_utils.trust import service_trust_policy

AZ_PATTERN = re.compile(r"^(?P<region>[a-z]{2}(-gov)?-[a-z]+-\d)(?P<zone>[a-z])$")
# AWS accepts VPC and subnet netmasks from /16 to /28.
MIN_PREFIXLEN = 16
MAX_PREFIXLEN = 28
ANYWHERE = "0.0.0.0/0"


def _network(variable, value, errors):
    """Parse one CIDR, appending a message naming ``variable`` when it is not a valid IPv4 network."""
    try:
        net = ipaddress.IPv4Network(str(value), strict=True)
    except ValueError as exc:
        errors.append("%s '%s' is not a valid IPv4 CIDR block (%s)" % (variable, value, exc))
        return None
    if not MIN_PREFIXLEN <= net.prefixlen <= MAX_PREFIXLEN:
        errors.append(
            "%s '%s' has a /%d netmask; AWS allows /%d to /%d"
            % (variable, value, net.prefixlen, MIN_PREFIXLEN, MAX_PREFIXLEN)
        )
        return None
    return net


def _port_errors(variable, ports):
    return [
        "%s contains %r; ports are integers from 1 to 65535" % (variable, port)
        for port in ports
        if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535
    ]


def input_errors(inputs):
    """Every problem of the role's inputs that argument_specs cannot see, each naming its variable.

    ``inputs`` maps the role's variable names (``network_vpc_cidr``...) to their values.
    """
    errors = []
    prefix = inputs.get("network_name_prefix")
    errors.extend(name_part_errors("network_name_prefix", prefix))
    if not errors:
        errors.extend(prefix_length_errors("network_name_prefix", prefix))

    retention = (inputs.get("network_flow_logs") or {}).get("retention_days")
    log_retention_in_range("network_flow_logs.retention_days", retention, errors)

    region = inputs.get("network_region")
    zones = list(inputs.get("network_availability_zones") or [])
    if len(zones) < 2:
        errors.append(
            "network_availability_zones needs at least 2 zones (the load balancer and the database span two); got %s"
            % zones
        )
    if len(set(zones)) != len(zones):
        errors.append("network_availability_zones lists a zone twice: %s" % zones)
    for zone in zones:
        match = AZ_PATTERN.match(str(zone))
        if not match or match.group("region") != region:
            errors.append("network_availability_zones entry '%s' is not a zone of network_region '%s'" % (zone, region))

    vpc = _network("network_vpc_cidr", inputs.get("network_vpc_cidr"), errors)
    subnets = []
    for tier in ("public", "private"):
        variable = "network_%s_subnet_cidrs" % tier
        cidrs = list(inputs.get(variable) or [])
        if len(cidrs) != len(zones):
            errors.append(
                "%s has %d entries but network_availability_zones has %d: give one %s subnet per zone"
                % (variable, len(cidrs), len(zones), tier)
            )
        for index, cidr in enumerate(cidrs):
            net = _network("%s[%d]" % (variable, index), cidr, errors)
            if net is None:
                continue
            if vpc is not None and not net.subnet_of(vpc):
                errors.append(
                    "%s[%d] '%s' is outside network_vpc_cidr '%s'" % (variable, index, cidr, inputs["network_vpc_cidr"])
                )
            subnets.append(("%s[%d]" % (variable, index), cidr, net))

    for position, (name_a, cidr_a, net_a) in enumerate(subnets):
        for name_b, cidr_b, net_b in subnets[position + 1 :]:
            if net_a.overlaps(net_b):
                errors.append("%s '%s' overlaps %s '%s'" % (name_a, cidr_a, name_b, cidr_b))

    for variable in ("network_alb_ingress_ports", "network_app_egress_ports"):
        errors.extend(_port_errors(variable, list(inputs.get(variable) or [])))
    for variable in ("network_app_port", "network_db_port", "network_cache_port"):
        errors.extend(_port_errors(variable, [inputs.get(variable)]))
    for index, cidr in enumerate(inputs.get("network_alb_ingress_cidrs") or []):
        try:
            ipaddress.IPv4Network(str(cidr), strict=True)
        except ValueError as exc:
            errors.append("network_alb_ingress_cidrs[%d] '%s' is not a valid IPv4 CIDR block (%s)" % (index, cidr, exc))
    return errors


def _cidr_rules(ports, cidrs, description):
    return [
        {"proto": "tcp", "from_port": port, "to_port": port, "cidr_ip": cidr, "rule_desc": description % port}
        for port in ports
        for cidr in cidrs
    ]


def _group_rule(port, group, description):
    return {"proto": "tcp", "from_port": port, "to_port": port, "group": group, "rule_desc": description}


def security_groups(prefix, tags, inputs):
    """The four security groups and their exact rules; ``group`` names the peer group by key."""
    app_port = inputs["network_app_port"]
    db_port = inputs["network_db_port"]
    cache_port = inputs["network_cache_port"]
    groups = [
        {
            "key": "alb",
            "description": "Load balancer of %s: HTTPS/HTTP from the internet, to the app only" % prefix,
            "ingress": _cidr_rules(
                inputs["network_alb_ingress_ports"],
                inputs["network_alb_ingress_cidrs"],
                "clients to the load balancer on %d",
            ),
            "egress": [_group_rule(app_port, "app", "load balancer to the app")],
        },
        {
            "key": "app",
            "description": "ECS tasks of %s: from the load balancer; to HTTPS, the database and the cache" % prefix,
            "ingress": [_group_rule(app_port, "alb", "load balancer to the app")],
            "egress": _cidr_rules(inputs["network_app_egress_ports"], [ANYWHERE], "app to external APIs on %d")
            + [
                _group_rule(db_port, "db", "app to the database"),
                _group_rule(cache_port, "cache", "app to the cache"),
            ],
        },
        {
            "key": "db",
            "description": "PostgreSQL of %s: from the app only" % prefix,
            "ingress": [_group_rule(db_port, "app", "app to the database")],
            "egress": [],
        },
        {
            "key": "cache",
            "description": "Redis of %s: from the app only" % prefix,
            "ingress": [_group_rule(cache_port, "app", "app to the cache")],
            "egress": [],
        },
    ]
    for group in groups:
        group["name"] = "%s-%s" % (prefix, group["key"])
        group["tags"] = named_tags(tags, group["name"])
    return groups


def desired_state(inputs, context):
    """The whole network of one stack, as names, settings and tags, from validated inputs."""
    prefix = inputs["network_name_prefix"]
    tags = dict(inputs.get("network_tags") or {})
    region = inputs["network_region"]
    zones = list(inputs["network_availability_zones"])

    subnets = []
    for tier in ("public", "private"):
        cidrs = inputs["network_%s_subnet_cidrs" % tier]
        for index, zone in enumerate(zones):
            name = "%s-%s-%s" % (prefix, tier, zone)
            subnet = {"name": name, "tier": tier, "cidr": cidrs[index], "az": zone, "map_public": False}
            subnet["tags"] = named_tags(tags, name)
            subnets.append(subnet)
    public = [subnet for subnet in subnets if subnet["tier"] == "public"]
    private = [subnet for subnet in subnets if subnet["tier"] == "private"]

    nat_subnets = public if inputs["network_nat_mode"] == "per_az" else public[:1]
    nat_gateways = []
    for subnet in nat_subnets:
        name = "%s-nat-%s" % (prefix, subnet["az"])
        nat_gateways.append(
            {
                "name": name,
                "az": subnet["az"],
                "subnet": subnet["name"],
                "tags": named_tags(tags, name),
                "eip_name": "%s-nat-eip-%s" % (prefix, subnet["az"]),
                "eip_tags": named_tags(tags, "%s-nat-eip-%s" % (prefix, subnet["az"])),
            }
        )
    nat_by_az = dict((nat["az"], nat["name"]) for nat in nat_gateways)
    igw_name = "%s-igw" % prefix

    route_tables = [
        {
            "name": "%s-public-rt" % prefix,
            "tier": "public",
            "subnets": [subnet["name"] for subnet in public],
            "routes": [{"dest": ANYWHERE, "gateway": igw_name}],
            "tags": named_tags(tags, "%s-public-rt" % prefix),
        }
    ]
    for subnet in private:
        name = "%s-private-rt-%s" % (prefix, subnet["az"])
        nat = nat_by_az.get(subnet["az"], nat_gateways[0]["name"])
        route_tables.append(
            {
                "name": name,
                "tier": "private",
                "subnets": [subnet["name"]],
                "routes": [{"dest": ANYWHERE, "gateway": nat}],
                "tags": named_tags(tags, name),
            }
        )

    endpoint_name = "%s-s3" % prefix
    account_id = context.get("account_id")
    return {
        "name_prefix": prefix,
        "region": region,
        "tags": tags,
        # The ports the security groups open: the other roles' inputs default to them (ecs_service_container_port).
        "ports": {
            "app": inputs["network_app_port"],
            "db": inputs["network_db_port"],
            "cache": inputs["network_cache_port"],
        },
        "vpc": {
            "name": "%s-vpc" % prefix,
            "cidr": inputs["network_vpc_cidr"],
            "dns_support": True,
            "dns_hostnames": True,
            "tags": named_tags(tags, "%s-vpc" % prefix),
        },
        "internet_gateway": {"name": igw_name, "tags": named_tags(tags, igw_name)},
        "subnets": subnets,
        "nat_gateways": nat_gateways,
        "route_tables": route_tables,
        "s3_endpoint": {
            "name": endpoint_name,
            "service": "com.amazonaws.%s.s3" % region,
            "type": "Gateway",
            "route_tables": [table["name"] for table in route_tables],
            "policy": s3_endpoint_policy(region, account_id, inputs.get("network_s3_endpoint_bucket")),
            "tags": named_tags(tags, endpoint_name),
        },
        # The VPC's default group (AWS creates it, nothing of the stack uses it) holds no rule at all (CIS AWS 5.4).
        "default_security_group": {
            "name": "default",
            # AWS's own description of the group: the module matches a group by name and description.
            "description": "default VPC security group",
            "ingress": [],
            "egress": [],
        },
        "security_groups": security_groups(prefix, tags, inputs),
        "flow_logs": flow_logs(prefix, tags, region, account_id, inputs["network_flow_logs"]),
    }


def s3_endpoint_policy(region, account_id, bucket):
    """The S3 gateway endpoint's policy: this account's principals reach this stack's bucket, and image pulls reach
    ECR's layer bucket; nothing else in S3 is reachable from the VPC. None until the account and bucket are known.

    ECR serves image layers from the AWS-owned bucket ``prod-<region>-starport-layer-bucket`` through pre-signed
    URLs, so that statement cannot name a principal ("Minimum Amazon S3 bucket permissions for Amazon ECR", Amazon
    ECR User Guide, Amazon ECR interface VPC endpoints).
    """
    if not account_id or not bucket:
        return None
    bucket_arn = arn(region, "s3", bucket, regional=False)
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ThisAccountToTheStackBucket",
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [bucket_arn, bucket_arn + "/*"],
                "Condition": {"StringEquals": {"aws:PrincipalAccount": account_id}},
            },
            {
                "Sid": "ImagePullsFromTheRegistry",
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": arn(region, "s3", "prod-%s-starport-layer-bucket/*" % region, regional=False),
            },
        ],
    }


def flow_logs(prefix, tags, region, account_id, settings):
    """VPC flow logs to CloudWatch Logs when ``network_flow_logs.enabled``: the log group, the role the service
    assumes to write it (trusted only from this account's flow logs: confused-deputy prevention, as the VPC User
    Guide's "IAM role for publishing flow logs to CloudWatch Logs" shows) and the flow log itself."""
    name = "%s-flow-logs" % prefix
    group = "/aws/vpc/%s" % name
    group_arn = arn(region, "logs", "log-group:%s" % group, account_id or "")
    return {
        "enabled": settings["enabled"],
        "name": name,
        "traffic_type": settings["traffic_type"],
        "max_aggregation_interval": settings["max_aggregation_interval"],
        "tags": named_tags(tags, name),
        "log_group": {"name": group, "retention_days": settings["retention_days"], "tags": named_tags(tags, group)},
        "role": {
            "name": name,
            "policy_name": "write-flow-logs",
            "tags": named_tags(tags, name),
            "trust_policy": service_trust_policy(
                "vpc-flow-logs.amazonaws.com", region, account_id, "ec2", "vpc-flow-log/*"
            ),
            "policy": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "WriteTheFlowLogGroup",
                        "Effect": "Allow",
                        "Action": [
                            "logs:CreateLogStream",
                            "logs:PutLogEvents",
                            "logs:DescribeLogGroups",
                            "logs:DescribeLogStreams",
                        ],
                        "Resource": [group_arn, group_arn + ":log-stream:*"],
                    }
                ],
            },
        },
    }
