# -*- coding: utf-8 -*-
# Copyright: TriFlow AI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading a stack's resources and comparing them with the roles' desired states (triflow.platform.stack_drift).

Strictly read-only: every call is a Describe, List or Get. Every resource is looked up by the name the desired
states give it (as the teardown does, module_utils/stack_teardown.py); what a resource holds beyond its desired state
is reported only where it matters for safety (``extra``). The comparisons and normalisation rules are those of
module_utils/drift.py, and the module's own readers reuse the comparisons the provisioning modules make
(cloudwatch_metric_alarms, cloudwatch_dashboard, elasticache_replication_group, s3_lifecycle_configuration), so a
converged stack, as site.yml leaves it, has no finding.

Left out by design (AWS or the deploy own them): the image the service runs and its task definition revision
(playbooks/deploy.yml releases them), the service's desired count (autoscaling moves it between its bounds), the
database's storage and minor version when AWS raises them (storage autoscaling, automatic minor upgrades: compared
as lower bounds), secret values.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re

from ansible_collections.triflow.platform.plugins.module_utils.arns import arn
from ansible_collections.triflow.platform.plugins.module_utils.cloudwatch_dashboard import same_body, stored_body
from ansible_collections.triflow.platform.plugins.module_utils.cloudwatch_metric_alarms import (
    describe_alarms,
    described_view,
    differences,
    wanted_view,
)
from ansible_collections.triflow.platform.plugins.module_utils.drift import (
    CHANGED,
    EXTRA,
    MISSING,
    at_least,
    compare,
    compare_tags,
    finding,
    same,
    same_policy,
)
from ansible_collections.triflow.platform.plugins.module_utils.elasticache_replication_group import (
    current_settings,
    engine_version_matches,
)
from ansible_collections.triflow.platform.plugins.module_utils.s3_lifecycle_configuration import normalize_rules
from ansible_collections.triflow.platform.plugins.module_utils.stack_teardown import (
    is_snapshot,
    tag_dict,
    unless_missing,
)

# The resource kinds of SPEC.md, each checked by one method of StackDrift, then ``tagged``: what the Resource Groups
# Tagging API lists with the stack's identity tags that no desired state holds.
AREAS = (
    "network",
    "storage",
    "database",
    "cache",
    "registry",
    "application",
    "iam",
    "observability",
    "secrets",
    "tagged",
)
# A Secrets Manager ARN ends in the secret's name, a hyphen and six random characters.
SECRET_SUFFIX = re.compile(r"-[A-Za-z0-9]{6}$")
# An ElastiCache replication group's member clusters: <group id>-001, -002, ...
MEMBER_SUFFIX = re.compile(r"-[0-9]{3,4}$")


def _rule_text(direction, rule):
    """A security-group rule as one comparable line: ``ingress tcp 443-443 from 0.0.0.0/0``."""
    proto = str(rule.get("proto"))
    ports = "all" if proto == "-1" else "%s-%s" % (rule.get("from_port"), rule.get("to_port"))
    peer = rule.get("cidr_ip") or rule.get("cidr_ipv6") or rule.get("group") or rule.get("prefix_list")
    return "%s %s %s %s %s" % (
        direction,
        "all" if proto == "-1" else proto,
        ports,
        "from" if direction == "ingress" else "to",
        peer,
    )


def described_rules(direction, permissions, group_names):
    """The rules of DescribeSecurityGroups' IpPermissions(Egress) as ``_rule_text`` lines, one per peer; groups of
    the stack are named by their desired key (alb, app, db, cache), others by id."""
    lines = []
    for permission in permissions or []:
        base = {
            "proto": permission.get("IpProtocol"),
            "from_port": permission.get("FromPort"),
            "to_port": permission.get("ToPort"),
        }
        for item in permission.get("IpRanges") or []:
            lines.append(_rule_text(direction, dict(base, cidr_ip=item["CidrIp"])))
        for item in permission.get("Ipv6Ranges") or []:
            lines.append(_rule_text(direction, dict(base, cidr_ipv6=item["CidrIpv6"])))
        for item in permission.get("UserIdGroupPairs") or []:
            lines.append(_rule_text(direction, dict(base, group=group_names.get(item["GroupId"], item["GroupId"]))))
        for item in permission.get("PrefixListIds") or []:
            lines.append(_rule_text(direction, dict(base, prefix_list=item["PrefixListId"])))
    return sorted(set(lines))


def tagged_name(resource_arn):
    """The name or id an ARN the tagging API lists gives its resource, as the desired states and the EC2 reads name
    it: a secret without its random suffix, a task definition without its revision, a member cluster of a
    replication group as the group, an ECS task as its cluster, a load balancer or a listener as the load
    balancer's name, a log group without ``:*``; otherwise the ARN's last segment."""
    parts = resource_arn.split(":", 5)
    if len(parts) < 6:
        return resource_arn
    service, resource = parts[2], parts[5]
    if service == "s3":
        return resource
    # <kind>:<name> for these services, <kind>/<name...> for the others.
    separator = ":" if service in ("secretsmanager", "logs", "elasticache", "rds") else "/"
    kind, rest = resource.partition(separator)[::2]
    if service == "secretsmanager":
        return SECRET_SUFFIX.sub("", rest)
    if service == "logs":
        return rest[:-2] if rest.endswith(":*") else rest
    if service == "elasticache" and kind == "cluster":
        return MEMBER_SUFFIX.sub("", rest)
    if service in ("elasticache", "rds"):
        return rest
    if service == "ecs" and kind == "task-definition":
        return rest.rsplit(":", 1)[0]
    if service == "ecs" and kind in ("service", "task"):
        # service/<cluster>/<service> by the service's name, task/<cluster>/<id> by its cluster.
        segments = rest.split("/")
        return segments[0] if kind == "task" else segments[-1]
    if service == "elasticloadbalancing":
        # targetgroup/<name>/<id>; loadbalancer/app/<name>/<id>, listener/app/<name>/..., listener-rule/app/<name>/...
        segments = rest.split("/")
        return segments[0] if kind == "targetgroup" else segments[1] if len(segments) > 1 else rest
    return re.split(r"[:/]", resource)[-1]


def _strings(value, found):
    """Every string in a desired state: the names and ids it holds (and much else, which names no resource)."""
    if isinstance(value, dict):
        for item in value.values():
            _strings(item, found)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _strings(item, found)
    elif isinstance(value, str):
        found.add(value)
    return found


class StackDrift(object):
    """One stack's findings: ``check(areas)`` reads every resource of those areas and compares it."""

    def __init__(self, client, stack, desired, identity_tags=None):
        self._client = client
        self.identity_tags = dict(identity_tags or {})
        self._clients = {}
        self.stack = stack
        self.desired = desired
        self.findings = []
        self.calls = []
        self.vpc_id = None
        self.subnet_ids = {}
        self.group_ids = {}

    # -- plumbing --------------------------------------------------------------------------------------------------
    def client(self, service, region=None):
        key = (service, region or self.stack["region"])
        if key not in self._clients:
            made = self._client(service, key[1])
            made.meta.events.register("before-call", self._count)
            self._clients[key] = made
        return self._clients[key]

    def _count(self, model=None, **_kwargs):
        self.calls.append("%s.%s" % (model.service_model.service_name, model.name))

    def missing(self, resource_type, resource):
        self.findings.append(finding(MISSING, resource_type, resource))

    def extra(self, resource_type, resource, field, actual):
        self.findings.append(finding(EXTRA, resource_type, resource, field, None, actual))

    def arn(self, service, resource, regional=True, region=None):
        return arn(region or self.stack["region"], service, resource, self.stack["account_id"], regional)

    def check(self, areas=AREAS):
        # In AREAS' order whatever order they are given in: the network's security group ids come first.
        for area in [name for name in AREAS if name in areas]:
            getattr(self, "check_" + area)()
        return self.findings

    # -- network ---------------------------------------------------------------------------------------------------
    def check_network(self):
        network = self.desired["network"]
        ec2 = self.client("ec2")
        vpcs = ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": [network["vpc"]["name"]]}])["Vpcs"]
        if not vpcs:
            self.missing("vpc", network["vpc"]["name"])
            return
        vpc = vpcs[0]
        self.vpc_id = vpc["VpcId"]
        name = network["vpc"]["name"]
        # A second VPC of the stack's name (a run killed between its create and its tag) costs and confuses.
        for other in vpcs[1:]:
            self.extra("vpc", name, "vpc", other["VpcId"])
        actual = {"cidr": vpc["CidrBlock"]}
        for field, attribute in (("dns_support", "enableDnsSupport"), ("dns_hostnames", "enableDnsHostnames")):
            answer = ec2.describe_vpc_attribute(VpcId=self.vpc_id, Attribute=attribute)
            actual[field] = answer[attribute[0].upper() + attribute[1:]]["Value"]
        compare(self.findings, "vpc", name, dict((key, network["vpc"][key]) for key in actual), actual)
        compare_tags(self.findings, "vpc", name, network["vpc"].get("tags"), tag_dict(vpc.get("Tags")))
        in_vpc = [{"Name": "vpc-id", "Values": [self.vpc_id]}]
        self._check_subnets(network, ec2.describe_subnets(Filters=in_vpc)["Subnets"])
        gateways = self._check_gateways(network, ec2, in_vpc)
        tables = ec2.describe_route_tables(Filters=in_vpc)["RouteTables"]
        self._check_route_tables(network, tables, gateways)
        self._check_security_groups(network, ec2.describe_security_groups(Filters=in_vpc)["SecurityGroups"])
        self._check_s3_endpoint(network, ec2, in_vpc, tables)

    def _check_subnets(self, network, subnets):
        by_name = dict((tag_dict(subnet.get("Tags")).get("Name"), subnet) for subnet in subnets)
        for wanted in network["subnets"]:
            subnet = by_name.get(wanted["name"])
            if subnet is None:
                self.missing("subnet", wanted["name"])
                continue
            self.subnet_ids[wanted["name"]] = subnet["SubnetId"]
            actual = {
                "cidr": subnet["CidrBlock"],
                "az": subnet["AvailabilityZone"],
                "map_public": subnet.get("MapPublicIpOnLaunch"),
            }
            compare(self.findings, "subnet", wanted["name"], dict((key, wanted[key]) for key in actual), actual)
            compare_tags(self.findings, "subnet", wanted["name"], wanted.get("tags"), tag_dict(subnet.get("Tags")))

    def _check_gateways(self, network, ec2, in_vpc):
        """The internet and NAT gateways; answers ``{desired name: gateway id}`` for the routes."""
        ids = {}
        igw_name = network["internet_gateway"]["name"]
        attached = ec2.describe_internet_gateways(Filters=[{"Name": "attachment.vpc-id", "Values": [self.vpc_id]}])
        igws = attached["InternetGateways"]
        if not igws:
            self.missing("internet_gateway", igw_name)
        for gateway in igws:
            ids[igw_name] = gateway["InternetGatewayId"]
        nats = ec2.describe_nat_gateways(Filters=in_vpc + [{"Name": "state", "Values": ["pending", "available"]}])
        by_name = {}
        for gateway in nats["NatGateways"]:
            by_name.setdefault(tag_dict(gateway.get("Tags")).get("Name"), []).append(gateway)
        wanted_names = set()
        for wanted in network["nat_gateways"]:
            wanted_names.add(wanted["name"])
            found = by_name.get(wanted["name"]) or []
            if not found:
                self.missing("nat_gateway", wanted["name"])
                continue
            ids[wanted["name"]] = found[0]["NatGatewayId"]
            subnet = self.subnet_ids.get(wanted["subnet"])
            if subnet and found[0]["SubnetId"] != subnet:
                names = dict((ident, name) for name, ident in self.subnet_ids.items())
                actual = names.get(found[0]["SubnetId"], found[0]["SubnetId"])
                self.findings.append(
                    finding(CHANGED, "nat_gateway", wanted["name"], "subnet", wanted["subnet"], actual)
                )
        # A NAT gateway no desired state holds costs money and opens a path out: reported, whatever its tags.
        for name, gateways in sorted(by_name.items(), key=lambda item: str(item[0])):
            extra = gateways if name not in wanted_names else gateways[1:]
            for gateway in extra:
                self.extra("nat_gateway", name or gateway["NatGatewayId"], "nat_gateway", gateway["NatGatewayId"])
        return ids

    def _check_route_tables(self, network, tables, gateways):
        by_name = dict((tag_dict(table.get("Tags")).get("Name"), table) for table in tables)
        subnet_names = dict((ident, name) for name, ident in self.subnet_ids.items())
        gateway_names = dict((ident, name) for name, ident in gateways.items())
        for wanted in network["route_tables"]:
            table = by_name.get(wanted["name"])
            if table is None:
                self.missing("route_table", wanted["name"])
                continue
            routes = {}
            for route in table.get("Routes") or []:
                target = route.get("GatewayId") or route.get("NatGatewayId") or route.get("TransitGatewayId")
                target = target or route.get("VpcPeeringConnectionId") or route.get("NetworkInterfaceId")
                destination = route.get("DestinationCidrBlock") or route.get("DestinationIpv6CidrBlock")
                # The VPC's local route and the gateway endpoint's prefix-list routes are AWS's own.
                if target == "local" or route.get("DestinationPrefixListId"):
                    continue
                routes[destination] = gateway_names.get(target, target)
            for route in wanted["routes"]:
                got = routes.pop(route["dest"], None)
                if got != route["gateway"]:
                    self.findings.append(
                        finding(
                            CHANGED, "route_table", wanted["name"], "routes.%s" % route["dest"], route["gateway"], got
                        )
                    )
            for destination, target in sorted(routes.items()):
                self.extra("route_table", wanted["name"], "routes.%s" % destination, target)
            associated = [
                subnet_names.get(item["SubnetId"], item["SubnetId"])
                for item in table.get("Associations") or []
                if item.get("SubnetId")
            ]
            compare(
                self.findings, "route_table", wanted["name"], {"subnets": wanted["subnets"]}, {"subnets": associated}
            )

    def _check_security_groups(self, network, groups):
        by_name = dict((group["GroupName"], group) for group in groups)
        keys = dict((wanted["name"], wanted["key"]) for wanted in network["security_groups"])
        names = dict((group["GroupId"], keys.get(group["GroupName"], group["GroupId"])) for group in groups)
        for wanted in network["security_groups"] + [network["default_security_group"]]:
            group = by_name.get(wanted["name"])
            label = wanted["name"]
            if group is None:
                self.missing("security_group", label)
                continue
            self.group_ids[wanted.get("key", "default")] = group["GroupId"]
            if wanted["name"] == "default":
                label = "default security group of %s" % network["vpc"]["name"]
            for direction, field in (("ingress", "IpPermissions"), ("egress", "IpPermissionsEgress")):
                desired = sorted(set(_rule_text(direction, rule) for rule in wanted[direction]))
                actual = described_rules(direction, group.get(field), names)
                for rule in sorted(set(desired) - set(actual)):
                    self.findings.append(finding(CHANGED, "security_group", label, direction, rule, None))
                for rule in sorted(set(actual) - set(desired)):
                    self.extra("security_group", label, direction, rule)
            if wanted.get("tags"):
                compare_tags(self.findings, "security_group", label, wanted["tags"], tag_dict(group.get("Tags")))

    def _check_s3_endpoint(self, network, ec2, in_vpc, route_tables):
        wanted = network["s3_endpoint"]
        endpoints = ec2.describe_vpc_endpoints(
            Filters=in_vpc + [{"Name": "service-name", "Values": [wanted["service"]]}]
        )["VpcEndpoints"]
        endpoints = [item for item in endpoints if item.get("State", "").lower() not in ("deleted", "deleting")]
        if not endpoints:
            self.missing("vpc_endpoint", wanted["name"])
            return
        tables = dict((tag_dict(table.get("Tags")).get("Name"), table["RouteTableId"]) for table in route_tables)
        names = dict((ident, name) for name, ident in tables.items())
        actual = [names.get(ident, ident) for ident in endpoints[0].get("RouteTableIds") or []]
        compare(
            self.findings,
            "vpc_endpoint",
            wanted["name"],
            {"route_tables": wanted["route_tables"]},
            {"route_tables": actual},
        )

    # -- storage ---------------------------------------------------------------------------------------------------
    def check_storage(self):
        storage = self.desired["storage"]
        self._check_bucket(storage, storage["bucket"])
        if storage["alb_logs"]["enabled"]:
            logs = dict(storage, **storage["alb_logs"])
            logs.update(versioning=None, object_ownership=None, public_access=storage["public_access"])
            self._check_bucket(logs, storage["alb_logs"]["bucket"])

    def _check_bucket(self, wanted, name):
        s3 = self.client("s3")
        if unless_missing(lambda: s3.head_bucket(Bucket=name), "404", "NoSuchBucket", "NotFound") is None:
            self.missing("s3_bucket", name)
            return
        versioning = s3.get_bucket_versioning(Bucket=name).get("Status")
        encryption = unless_missing(
            lambda: s3.get_bucket_encryption(Bucket=name)["ServerSideEncryptionConfiguration"]["Rules"],
            "ServerSideEncryptionConfigurationNotFoundError",
        ) or [{}]
        block = (
            unless_missing(
                lambda: s3.get_public_access_block(Bucket=name)["PublicAccessBlockConfiguration"],
                "NoSuchPublicAccessBlockConfiguration",
            )
            or {}
        )
        policy = unless_missing(lambda: s3.get_bucket_policy(Bucket=name)["Policy"], "NoSuchBucketPolicy")
        actual = {
            "versioning": versioning == "Enabled" if versioning else False,
            "encryption": encryption[0].get("ApplyServerSideEncryptionByDefault", {}).get("SSEAlgorithm"),
            "policy": json.loads(policy) if policy else None,
        }
        for field, key in (
            ("block_public_acls", "BlockPublicAcls"),
            ("ignore_public_acls", "IgnorePublicAcls"),
            ("block_public_policy", "BlockPublicPolicy"),
            ("restrict_public_buckets", "RestrictPublicBuckets"),
        ):
            actual["public_access." + field] = bool(block.get(key))
        desired = {
            "versioning": wanted.get("versioning"),
            "encryption": wanted["encryption"],
            "policy": wanted["policy"],
        }
        desired.update(("public_access." + key, value) for key, value in wanted["public_access"].items())
        if wanted.get("object_ownership"):
            controls = unless_missing(
                lambda: s3.get_bucket_ownership_controls(Bucket=name)["OwnershipControls"]["Rules"],
                "OwnershipControlsNotFoundError",
            ) or [{}]
            actual["object_ownership"] = controls[0].get("ObjectOwnership")
            desired["object_ownership"] = wanted["object_ownership"]
        compare(self.findings, "s3_bucket", name, desired, actual, {"policy": same_policy})
        rules = unless_missing(
            lambda: s3.get_bucket_lifecycle_configuration(Bucket=name)["Rules"], "NoSuchLifecycleConfiguration"
        )
        self._check_lifecycle(name, wanted["lifecycle_rules"], rules or [])
        tags = unless_missing(lambda: s3.get_bucket_tagging(Bucket=name)["TagSet"], "NoSuchTagSet")
        compare_tags(self.findings, "s3_bucket", name, wanted.get("tags"), tag_dict(tags))

    def _check_lifecycle(self, bucket, wanted_rules, actual_rules):
        actual = dict((rule.get("ID"), rule) for rule in normalize_rules(actual_rules))
        for rule in normalize_rules(wanted_rules):
            got = actual.pop(rule["ID"], None)
            if got is None:
                self.findings.append(finding(CHANGED, "s3_bucket", bucket, "lifecycle_rules.%s" % rule["ID"], rule))
            elif not same(rule, got):
                self.findings.append(
                    finding(CHANGED, "s3_bucket", bucket, "lifecycle_rules.%s" % rule["ID"], rule, got)
                )
        for rule_id, rule in sorted(actual.items(), key=lambda item: str(item[0])):
            self.extra("s3_bucket", bucket, "lifecycle_rules.%s" % rule_id, rule)

    # -- database --------------------------------------------------------------------------------------------------
    def check_database(self):
        rds_state = self.desired["rds"]
        rds = self.client("rds")
        identifier = rds_state["identifier"]
        instances = unless_missing(
            lambda: rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"], "DBInstanceNotFound"
        )
        if not instances:
            self.missing("db_instance", identifier)
        else:
            self._check_instance(rds_state, instances[0])
        self._check_db_parameters(rds_state["parameter_group"])

    def _check_instance(self, rds_state, instance):
        wanted = rds_state["instance"]
        pending = instance.get("PendingModifiedValues") or {}
        actual = {
            "engine": instance.get("Engine"),
            "engine_version": pending.get("EngineVersion") or instance.get("EngineVersion"),
            "instance_class": pending.get("DBInstanceClass") or instance.get("DBInstanceClass"),
            "multi_az": pending.get("MultiAZ", instance.get("MultiAZ")),
            "storage_type": pending.get("StorageType") or instance.get("StorageType"),
            "allocated_storage": pending.get("AllocatedStorage") or instance.get("AllocatedStorage"),
            "max_allocated_storage": instance.get("MaxAllocatedStorage"),
            "iops": instance.get("Iops"),
            "storage_encrypted": instance.get("StorageEncrypted"),
            "publicly_accessible": instance.get("PubliclyAccessible"),
            "backup_retention_period": pending.get("BackupRetentionPeriod", instance.get("BackupRetentionPeriod")),
            "preferred_backup_window": instance.get("PreferredBackupWindow"),
            "preferred_maintenance_window": instance.get("PreferredMaintenanceWindow"),
            "cloudwatch_logs_exports": instance.get("EnabledCloudwatchLogsExports") or [],
            "performance_insights": instance.get("PerformanceInsightsEnabled"),
            "performance_insights_retention_period": instance.get("PerformanceInsightsRetentionPeriod"),
            "monitoring_interval": instance.get("MonitoringInterval"),
            "deletion_protection": instance.get("DeletionProtection"),
            "copy_tags_to_snapshot": instance.get("CopyTagsToSnapshot"),
            "auto_minor_version_upgrade": instance.get("AutoMinorVersionUpgrade"),
            "master_username": instance.get("MasterUsername"),
            "db_name": instance.get("DBName"),
            "subnet_group": (instance.get("DBSubnetGroup") or {}).get("DBSubnetGroupName"),
            "parameter_group": [group["DBParameterGroupName"] for group in instance.get("DBParameterGroups") or []],
        }
        # Not compared: the port, which the rds role does not send (the engine's default; its desired value is
        # only what the app's URL assumes).
        desired = dict((key, wanted.get(key)) for key in actual if key in wanted)
        desired.update(
            subnet_group=rds_state["subnet_group"]["name"], parameter_group=[rds_state["parameter_group"]["name"]]
        )
        rules = {"allocated_storage": at_least}
        # With automatic minor upgrades on, AWS raises the minor version in the maintenance window (RDS User
        # Guide, "Automatically upgrading the minor engine version"): only a lower version is drift.
        if wanted.get("auto_minor_version_upgrade"):
            rules["engine_version"] = at_least
        identifier = rds_state["identifier"]
        compare(self.findings, "db_instance", identifier, desired, actual, rules)
        security = [group["VpcSecurityGroupId"] for group in instance.get("VpcSecurityGroups") or []]
        if "db" in self.group_ids:
            compare(
                self.findings,
                "db_instance",
                identifier,
                {"security_groups": [self.group_ids["db"]]},
                {"security_groups": security},
            )
        compare_tags(self.findings, "db_instance", identifier, wanted.get("tags"), tag_dict(instance.get("TagList")))

    def _check_db_parameters(self, wanted):
        rds = self.client("rds")
        name = wanted["name"]
        found = unless_missing(
            lambda: rds.describe_db_parameter_groups(DBParameterGroupName=name)["DBParameterGroups"],
            "DBParameterGroupNotFound",
        )
        if not found:
            self.missing("db_parameter_group", name)
            return
        # Every source, not only "user": a desired value that is also the engine's default (rds.force_ssl=1 on
        # PostgreSQL 15 and later) is never written, so the group lists it as "engine-default".
        values = {}
        for page in rds.get_paginator("describe_db_parameters").paginate(DBParameterGroupName=name):
            for parameter in page["Parameters"]:
                values[parameter["ParameterName"]] = parameter.get("ParameterValue")
        desired = dict(wanted["static"], **wanted["dynamic"])
        compare(self.findings, "db_parameter_group", name, desired, values)

    # -- cache -----------------------------------------------------------------------------------------------------
    def check_cache(self):
        cache = self.desired["elasticache"]
        client = self.client("elasticache")
        wanted = cache["replication_group"]
        groups = unless_missing(
            lambda: client.describe_replication_groups(ReplicationGroupId=wanted["id"])["ReplicationGroups"],
            "ReplicationGroupNotFoundFault",
        )
        if not groups or groups[0].get("Status") == "deleting":
            self.missing("replication_group", wanted["id"])
        else:
            group = groups[0]
            members = group.get("MemberClusters") or []
            cluster = None
            if members:
                clusters = unless_missing(
                    lambda: client.describe_cache_clusters(CacheClusterId=members[0])["CacheClusters"],
                    "CacheClusterNotFound",
                )
                cluster = (clusters or [None])[0]
            actual = current_settings(group, cluster)
            desired = {
                "description": wanted["description"],
                "engine_version": wanted["engine_version"],
                "cache_node_type": wanted["node_type"],
                "replicas_per_node_group": wanted["replicas"],
                "automatic_failover": wanted["automatic_failover"],
                "multi_az": wanted["multi_az"],
                "at_rest_encryption": wanted["at_rest_encryption"],
                "transit_encryption": wanted["transit_encryption"],
                "snapshot_retention_limit": wanted["snapshot_retention_days"],
                "snapshot_window": wanted["snapshot_window"],
                "preferred_maintenance_window": wanted["maintenance_window"].lower(),
                "auto_minor_version_upgrade": wanted["auto_minor_version_upgrade"],
                "log_delivery_configurations": wanted["log_delivery_configurations"],
                "auth_token_enabled": True,
                "cache_parameter_group_name": cache["parameter_group"]["name"] if cluster else None,
                "cache_subnet_group_name": cache["subnet_group"]["name"] if cluster else None,
            }
            if cluster and "cache" in self.group_ids:
                desired["security_group_ids"] = [self.group_ids["cache"]]
            rules = {"engine_version": lambda want, have: engine_version_matches(have, want)}
            compare(self.findings, "replication_group", wanted["id"], desired, actual, rules)
        self._check_cache_parameters(cache["parameter_group"])

    def _check_cache_parameters(self, wanted):
        client = self.client("elasticache")
        name = wanted["name"]
        found = unless_missing(
            lambda: client.describe_cache_parameter_groups(CacheParameterGroupName=name)["CacheParameterGroups"],
            "CacheParameterGroupNotFound",
        )
        if not found:
            self.missing("cache_parameter_group", name)
            return
        values = {}
        # Every source, as for the database's group: a desired value that is the family's default is never written.
        for page in client.get_paginator("describe_cache_parameters").paginate(CacheParameterGroupName=name):
            for parameter in page["Parameters"]:
                values[parameter["ParameterName"]] = parameter.get("ParameterValue")
        compare(self.findings, "cache_parameter_group", name, wanted["parameters"], values)

    # -- registry --------------------------------------------------------------------------------------------------
    def check_registry(self):
        wanted = self.desired["ecr"]
        ecr = self.client("ecr")
        repositories = unless_missing(
            lambda: ecr.describe_repositories(repositoryNames=[wanted["name"]])["repositories"],
            "RepositoryNotFoundException",
        )
        if not repositories:
            self.missing("ecr_repository", wanted["name"])
            return
        repository = repositories[0]
        policy = unless_missing(
            lambda: ecr.get_lifecycle_policy(repositoryName=wanted["name"])["lifecyclePolicyText"],
            "LifecyclePolicyNotFoundException",
        )
        actual = {
            "image_tag_mutability": repository.get("imageTagMutability"),
            "scan_on_push": (repository.get("imageScanningConfiguration") or {}).get("scanOnPush"),
            "encryption_type": (repository.get("encryptionConfiguration") or {}).get("encryptionType"),
            "lifecycle_policy": json.loads(policy) if policy else None,
        }
        compare(self.findings, "ecr_repository", wanted["name"], dict((key, wanted[key]) for key in actual), actual)
        tags = ecr.list_tags_for_resource(resourceArn=repository["repositoryArn"]).get("tags")
        compare_tags(self.findings, "ecr_repository", wanted["name"], wanted.get("tags"), tag_dict(tags))

    # -- application -----------------------------------------------------------------------------------------------
    def check_application(self):
        app = self.desired["ecs_service"]
        ecs = self.client("ecs")
        cluster_name = app["cluster"]["name"]
        clusters = ecs.describe_clusters(clusters=[cluster_name], include=["SETTINGS"])["clusters"]
        clusters = [item for item in clusters if item.get("status") == "ACTIVE"]
        if not clusters:
            self.missing("ecs_cluster", cluster_name)
        else:
            settings = dict((item["name"], item["value"]) for item in clusters[0].get("settings") or [])
            compare(
                self.findings,
                "ecs_cluster",
                cluster_name,
                {
                    "container_insights": app["cluster"]["container_insights"],
                    "capacity_providers": app["cluster"]["capacity_providers"],
                },
                {
                    "container_insights": settings.get("containerInsights"),
                    "capacity_providers": clusters[0].get("capacityProviders") or [],
                },
            )
        target_group = self._check_target_group(app["target_group"])
        self._check_load_balancer(app["alb"], target_group)
        self._check_service(app, target_group)
        self._check_autoscaling(app["autoscaling"])

    def _check_target_group(self, wanted):
        elb = self.client("elbv2")
        groups = unless_missing(
            lambda: elb.describe_target_groups(Names=[wanted["name"]])["TargetGroups"], "TargetGroupNotFound"
        )
        if not groups:
            self.missing("target_group", wanted["name"])
            return None
        group = groups[0]
        actual = {
            "protocol": group.get("Protocol"),
            "port": group.get("Port"),
            "target_type": group.get("TargetType"),
            "health_check_path": group.get("HealthCheckPath"),
            "health_check_interval": group.get("HealthCheckIntervalSeconds"),
            "health_check_timeout": group.get("HealthCheckTimeoutSeconds"),
            "healthy_threshold": group.get("HealthyThresholdCount"),
            "unhealthy_threshold": group.get("UnhealthyThresholdCount"),
            "matcher": (group.get("Matcher") or {}).get("HttpCode"),
            "health_check_protocol": group.get("HealthCheckProtocol"),
            "health_check_port": group.get("HealthCheckPort"),
        }
        attributes = elb.describe_target_group_attributes(TargetGroupArn=group["TargetGroupArn"])["Attributes"]
        attributes = dict((item["Key"], item["Value"]) for item in attributes)
        actual["deregistration_delay"] = int(attributes.get("deregistration_delay.timeout_seconds", 300))
        compare(self.findings, "target_group", wanted["name"], dict((key, wanted.get(key)) for key in actual), actual)
        return group

    def _check_load_balancer(self, wanted, target_group):
        elb = self.client("elbv2")
        balancers = unless_missing(
            lambda: elb.describe_load_balancers(Names=[wanted["name"]])["LoadBalancers"], "LoadBalancerNotFound"
        )
        if not balancers:
            self.missing("load_balancer", wanted["name"])
            return
        balancer = balancers[0]
        attributes = elb.describe_load_balancer_attributes(LoadBalancerArn=balancer["LoadBalancerArn"])["Attributes"]
        attributes = dict((item["Key"], item["Value"]) for item in attributes)
        actual = {
            "scheme": balancer.get("Scheme"),
            "deletion_protection": attributes.get("deletion_protection.enabled") == "true",
            "drop_invalid_header_fields": attributes.get("routing.http.drop_invalid_header_fields.enabled") == "true",
            "http2": attributes.get("routing.http2.enabled", "true") == "true",
            "idle_timeout": int(attributes.get("idle_timeout.timeout_seconds", 60)),
            "access_logs.enabled": attributes.get("access_logs.s3.enabled") == "true",
        }
        desired = dict((key, wanted.get(key)) for key in actual if key in wanted)
        desired["access_logs.enabled"] = wanted["access_logs"]["enabled"]
        if wanted["access_logs"]["enabled"]:
            actual["access_logs.bucket"] = attributes.get("access_logs.s3.bucket")
            desired["access_logs.bucket"] = wanted["access_logs"]["bucket"]
        if "alb" in self.group_ids:
            actual["security_groups"] = balancer.get("SecurityGroups") or []
            desired["security_groups"] = [self.group_ids["alb"]]
        compare(self.findings, "load_balancer", wanted["name"], desired, actual)
        listeners = elb.describe_listeners(LoadBalancerArn=balancer["LoadBalancerArn"])["Listeners"]
        by_port = dict((listener["Port"], listener) for listener in listeners)
        tg_names = {}
        if target_group:
            tg_names[target_group["TargetGroupArn"]] = target_group["TargetGroupName"]
        for listener in wanted["listeners"]:
            got = by_port.pop(listener["Port"], None)
            label = "listeners.%s" % listener["Port"]
            if got is None:
                self.findings.append(finding(CHANGED, "load_balancer", wanted["name"], label, listener["Protocol"]))
                continue
            actions = [
                dict(
                    (key, value)
                    for key, value in (
                        ("Type", action["Type"]),
                        ("TargetGroupName", tg_names.get(action.get("TargetGroupArn"))),
                    )
                    if value
                )
                for action in got.get("DefaultActions") or []
            ]
            wanted_actions = [
                dict((key, value) for key, value in action.items() if key in ("Type", "TargetGroupName"))
                for action in listener["DefaultActions"]
            ]
            compare(
                self.findings,
                "load_balancer",
                wanted["name"],
                {label + ".protocol": listener["Protocol"], label + ".default_actions": wanted_actions},
                {label + ".protocol": got["Protocol"], label + ".default_actions": actions},
            )
        # A listener nobody declared opens a port to the internet.
        for port, listener in sorted(by_port.items()):
            self.extra("load_balancer", wanted["name"], "listeners.%s" % port, listener["Protocol"])

    def _check_service(self, app, target_group):
        ecs = self.client("ecs")
        wanted = app["service"]
        services = unless_missing(
            lambda: ecs.describe_services(cluster=app["cluster"]["name"], services=[wanted["name"]])["services"],
            "ClusterNotFoundException",
        )
        services = [item for item in services or [] if item.get("status") == "ACTIVE"]
        if not services:
            self.missing("ecs_service", wanted["name"])
            return
        service = services[0]
        deployment = service.get("deploymentConfiguration") or {}
        breaker = deployment.get("deploymentCircuitBreaker") or {}
        wanted_deployment = wanted["deployment_configuration"]
        network = (service.get("networkConfiguration") or {}).get("awsvpcConfiguration") or {}
        actual = {
            "circuit_breaker.enable": breaker.get("enable", False),
            "circuit_breaker.rollback": breaker.get("rollback", False),
            "maximum_percent": deployment.get("maximumPercent"),
            "minimum_healthy_percent": deployment.get("minimumHealthyPercent"),
            "health_check_grace_period": service.get("healthCheckGracePeriodSeconds"),
            "assign_public_ip": network.get("assignPublicIp") == "ENABLED",
            "launch_type": service.get("launchType"),
            "propagate_tags": service.get("propagateTags"),
        }
        desired = {
            "circuit_breaker.enable": wanted_deployment["deploymentCircuitBreaker"]["enable"],
            "circuit_breaker.rollback": wanted_deployment["deploymentCircuitBreaker"]["rollback"],
            "maximum_percent": wanted_deployment["maximumPercent"],
            "minimum_healthy_percent": wanted_deployment["minimumHealthyPercent"],
            "health_check_grace_period": wanted["health_check_grace_period"],
            "assign_public_ip": wanted["assign_public_ip"],
            "launch_type": wanted["launch_type"],
            "propagate_tags": wanted["propagate_tags"],
        }
        if "app" in self.group_ids:
            actual["security_groups"] = network.get("securityGroups") or []
            desired["security_groups"] = [self.group_ids["app"]]
        if target_group:
            actual["target_groups"] = [item.get("targetGroupArn") for item in service.get("loadBalancers") or []]
            desired["target_groups"] = [target_group["TargetGroupArn"]]
        compare(self.findings, "ecs_service", wanted["name"], desired, actual)

    def _check_autoscaling(self, wanted):
        scaling = self.client("application-autoscaling")
        targets = scaling.describe_scalable_targets(
            ServiceNamespace=wanted["service_namespace"],
            ResourceIds=[wanted["resource_id"]],
            ScalableDimension=wanted["scalable_dimension"],
        )["ScalableTargets"]
        if not targets:
            self.missing("scalable_target", wanted["resource_id"])
            return
        compare(
            self.findings,
            "scalable_target",
            wanted["resource_id"],
            {"min": wanted["min"], "max": wanted["max"]},
            {"min": targets[0]["MinCapacity"], "max": targets[0]["MaxCapacity"]},
        )
        policies = scaling.describe_scaling_policies(
            ServiceNamespace=wanted["service_namespace"],
            ResourceId=wanted["resource_id"],
            PolicyNames=[wanted["policy_name"]],
        )["ScalingPolicies"]
        if not policies:
            self.missing("scaling_policy", wanted["policy_name"])
            return
        config = policies[0].get("TargetTrackingScalingPolicyConfiguration") or {}
        compare(
            self.findings,
            "scaling_policy",
            wanted["policy_name"],
            {
                "policy_type": wanted["policy_type"],
                "metric": wanted["metric"],
                "disable_scale_in": wanted["disable_scale_in"],
                "cpu_target": wanted["cpu_target"],
                "scale_in_cooldown": wanted["scale_in_cooldown"],
                "scale_out_cooldown": wanted["scale_out_cooldown"],
            },
            {
                "policy_type": policies[0].get("PolicyType"),
                "metric": (config.get("PredefinedMetricSpecification") or {}).get("PredefinedMetricType"),
                "disable_scale_in": config.get("DisableScaleIn", False),
                "cpu_target": config.get("TargetValue"),
                "scale_in_cooldown": config.get("ScaleInCooldown"),
                "scale_out_cooldown": config.get("ScaleOutCooldown"),
            },
        )

    # -- IAM -------------------------------------------------------------------------------------------------------
    def check_iam(self):
        app = self.desired["ecs_service"]
        rds_role = self.desired["rds"]["monitoring_role"]
        roles = [
            (app["execution_role"], [app["execution_role"]["policy_name"]], []),
            (app["task_role"], [app["task_role"]["policy_name"]], []),
            (rds_role, [], [rds_role["policy_arn"]]),
        ]
        flow_logs = self.desired["network"]["flow_logs"]
        if flow_logs["enabled"]:
            roles.append((flow_logs["role"], [flow_logs["role"]["policy_name"]], []))
        for wanted, inline, attached in roles:
            self._check_role(wanted, inline, attached)

    def _check_role(self, wanted, inline, attached):
        iam = self.client("iam")
        name = wanted["name"]
        role = unless_missing(lambda: iam.get_role(RoleName=name)["Role"], "NoSuchEntity")
        if role is None:
            self.missing("iam_role", name)
            return
        compare(
            self.findings,
            "iam_role",
            name,
            {"trust_policy": wanted["trust_policy"]},
            {"trust_policy": role.get("AssumeRolePolicyDocument")},
            {"trust_policy": same_policy},
        )
        names = iam.list_role_policies(RoleName=name)["PolicyNames"]
        for policy in sorted(set(inline) - set(names)):
            self.findings.append(finding(CHANGED, "iam_role", name, "inline_policies", policy, None))
        # A policy nobody declared widens what the role (the app, ECS, RDS) may do.
        for policy in sorted(set(names) - set(inline)):
            self.extra("iam_role", name, "inline_policies", policy)
        if wanted.get("policy") and wanted.get("policy_name") in names:
            document = iam.get_role_policy(RoleName=name, PolicyName=wanted["policy_name"])["PolicyDocument"]
            compare(
                self.findings,
                "iam_role",
                name,
                {"policy": wanted["policy"]},
                {"policy": document},
                {"policy": same_policy},
            )
        arns = [item["PolicyArn"] for item in iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]]
        for policy in sorted(set(attached) - set(arns)):
            self.findings.append(finding(CHANGED, "iam_role", name, "attached_policies", policy, None))
        for policy in sorted(set(arns) - set(attached)):
            self.extra("iam_role", name, "attached_policies", policy)

    # -- observability ---------------------------------------------------------------------------------------------
    def check_observability(self):
        alarms = self.desired["alarms"]
        topic = self._check_topic(alarms["topic"])
        self._check_alarms(alarms, topic)
        self._check_dashboard(alarms["dashboard"])
        logs = self.desired["ecs_service"]["log_group"]
        groups = [(logs["name"], logs["retention_days"])]
        cache = self.desired["elasticache"]
        groups += [
            (log["destination"], cache["log_retention_days"])
            for log in cache["replication_group"]["log_delivery_configurations"]
            if log["destination_type"] == "cloudwatch-logs"
        ]
        flow_logs = self.desired["network"]["flow_logs"]
        if flow_logs["enabled"]:
            groups.append((flow_logs["log_group"]["name"], flow_logs["log_group"]["retention_days"]))
        for name, retention in groups:
            self._check_log_group(name, retention)
        self._check_metric_filter(alarms["log_metric_filter"])

    def _check_topic(self, wanted):
        sns = self.client("sns")
        topic = self.arn("sns", wanted["name"])
        attributes = unless_missing(
            lambda: sns.get_topic_attributes(TopicArn=topic)["Attributes"], "NotFound", "NotFoundException"
        )
        if attributes is None:
            self.missing("sns_topic", wanted["name"])
            return topic
        compare(
            self.findings,
            "sns_topic",
            wanted["name"],
            {"display_name": wanted["display_name"]},
            {"display_name": attributes.get("DisplayName")},
        )
        subscriptions = []
        for page in sns.get_paginator("list_subscriptions_by_topic").paginate(TopicArn=topic):
            subscriptions.extend(
                "%s:%s" % (item["Protocol"], item["Endpoint"])
                for item in page["Subscriptions"]
                if item.get("SubscriptionArn") != "Deleted"
            )
        desired = ["%s:%s" % (item["protocol"], item["endpoint"]) for item in wanted["subscriptions"]]
        for item in sorted(set(desired) - set(subscriptions)):
            self.findings.append(finding(CHANGED, "sns_topic", wanted["name"], "subscriptions", item, None))
        # A subscription nobody declared receives every alarm (and the deploy reports).
        for item in sorted(set(subscriptions) - set(desired)):
            self.extra("sns_topic", wanted["name"], "subscriptions", item)
        return topic

    def _check_alarms(self, alarms, topic):
        cloudwatch = self.client("cloudwatch")
        names = [alarm["name"] for alarm in alarms["alarms"]] + list(alarms["alb_alarms_waiting"])
        found = describe_alarms(cloudwatch, names=names)
        self._compare_alarms(alarms["alarms"], found, {"alarm_actions": [topic], "ok_actions": [topic]})
        # Alarms on the ALB wait for its ARN; once it exists they are there by name.
        for name in alarms["alb_alarms_waiting"]:
            if name not in found:
                self.missing("cloudwatch_alarm", name)
        # The billing alarm lives in us-east-1 (AWS/Billing is there only), notifying the topic of that region.
        billing = alarms["billing"]
        if billing["enabled"] and billing.get("alarm"):
            client = self.client("cloudwatch", billing["region"])
            topic = billing.get("topic_arn") or self.arn("sns", alarms["topic"]["name"], region=billing["region"])
            found = describe_alarms(client, names=[billing["alarm"]["name"]])
            self._compare_alarms([billing["alarm"]], found, {"alarm_actions": [topic], "ok_actions": [topic]})

    def _compare_alarms(self, alarms, found, default_actions):
        """Each alarm as cloudwatch_metric_alarms compares it: every managed field, actions and dimensions as sets."""
        for alarm in alarms:
            got = found.get(alarm["name"])
            if got is None:
                self.missing("cloudwatch_alarm", alarm["name"])
                continue
            wanted = wanted_view(alarm, default_actions)
            actual = described_view(got)
            for field in differences(wanted, actual):
                self.findings.append(
                    finding(CHANGED, "cloudwatch_alarm", alarm["name"], field, wanted[field], actual.get(field))
                )

    def _check_dashboard(self, wanted):
        dashboard = unless_missing(
            lambda: self.client("cloudwatch").get_dashboard(DashboardName=wanted["name"]),
            "ResourceNotFound",
            "ResourceNotFoundException",
        )
        if dashboard is None:
            self.missing("cloudwatch_dashboard", wanted["name"])
            return
        body = stored_body(dashboard)
        if not same_body(wanted["body"], body):
            self.findings.append(finding(CHANGED, "cloudwatch_dashboard", wanted["name"], "body", wanted["body"], body))

    def _check_log_group(self, name, retention):
        groups = self.client("logs").describe_log_groups(logGroupNamePrefix=name)["logGroups"]
        group = [item for item in groups if item["logGroupName"] == name]
        if not group:
            self.missing("log_group", name)
            return
        compare(
            self.findings,
            "log_group",
            name,
            {"retention_days": retention},
            {"retention_days": group[0].get("retentionInDays")},
        )

    def _check_metric_filter(self, wanted):
        filters = unless_missing(
            lambda: self.client("logs").describe_metric_filters(
                logGroupName=wanted["log_group_name"], filterNamePrefix=wanted["filter_name"]
            )["metricFilters"],
            "ResourceNotFoundException",
        )
        found = [item for item in filters or [] if item["filterName"] == wanted["filter_name"]]
        if not found:
            self.missing("metric_filter", wanted["filter_name"])
            return
        transformation = (found[0].get("metricTransformations") or [{}])[0]
        desired = wanted["metric_transformation"]
        compare(
            self.findings,
            "metric_filter",
            wanted["filter_name"],
            {
                "filter_pattern": wanted["filter_pattern"],
                "metric_name": desired["metric_name"],
                "metric_namespace": desired["metric_namespace"],
                "metric_value": desired["metric_value"],
            },
            {
                "filter_pattern": found[0].get("filterPattern"),
                "metric_name": transformation.get("metricName"),
                "metric_namespace": transformation.get("metricNamespace"),
                "metric_value": transformation.get("metricValue"),
            },
        )

    # -- secrets ---------------------------------------------------------------------------------------------------
    def check_secrets(self):
        names = [secret["name"] for secret in self.desired["secrets"]]
        names += [secret["name"] for secret in self.desired["ecs_service"]["url_secrets"].values()]
        names.append(self.desired["rds"]["app_database"]["credentials_secret"]["name"])
        manager = self.client("secretsmanager")
        for name in names:
            secret = unless_missing(
                lambda name=name: manager.describe_secret(SecretId=name), "ResourceNotFoundException"
            )
            if secret is None:
                self.missing("secret", name)
            elif secret.get("DeletedDate"):
                self.findings.append(finding(CHANGED, "secret", name, "deleted", None, str(secret["DeletedDate"])))

    # -- tagged ----------------------------------------------------------------------------------------------------
    def check_tagged(self):
        """What the Resource Groups Tagging API lists with the stack's identity tags (Project, Customer, Environment)
        that no desired state holds: a resource someone made as the stack's (an instance, a second bucket), or one
        a role no longer manages. Each is known by its name or id (``tagged_name``) or its Name tag; snapshots are
        kept by design, and what another finding already names is not reported twice. Regions: the stack's, and
        the billing topic's when it lives apart."""
        if not self.identity_tags:
            return
        known = _strings(self.desired, set())
        known.update([self.vpc_id] + list(self.subnet_ids.values()) + list(self.group_ids.values()))
        for item in self.findings:
            known.update(str(item.get(key)) for key in ("resource", "actual") if item.get(key) is not None)
        regions = [self.stack["region"]]
        billing = self.desired["alarms"].get("billing") or {}
        if billing.get("topic_separate") and billing.get("topic_arn"):
            regions.append(billing["topic_arn"].split(":")[3])
        filters = [{"Key": key, "Values": [value]} for key, value in sorted(self.identity_tags.items())]
        identity = ", ".join("%s=%s" % (key, self.identity_tags[key]) for key in sorted(self.identity_tags))
        seen = set()
        for region in sorted(set(regions)):
            pages = self.client("resourcegroupstaggingapi", region).get_paginator("get_resources")
            for page in pages.paginate(TagFilters=filters):
                for item in page["ResourceTagMappingList"]:
                    resource_arn = item["ResourceARN"]
                    if resource_arn in seen or is_snapshot(resource_arn):
                        continue
                    seen.add(resource_arn)
                    name = tag_dict(item.get("Tags")).get("Name")
                    if tagged_name(resource_arn) in known or (name and name in known):
                        continue
                    self.extra("tagged_resource", resource_arn, "identity_tags", identity)
