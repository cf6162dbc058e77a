# -*- coding: utf-8 -*-
# Copyright: TriFlow AI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Finding, checking and deleting a stack's resources (triflow.platform.stack_teardown).

Every resource is looked up by the name the roles' desired states give it (module_utils/roles/destroy.py lists
them), never by a broad filter, and then checked against the stack's identity tags (Project, Customer,
Environment): one found by its name but tagged as another stack, or not tagged as this one, is refused, and the
whole teardown stops before anything is deleted. Kinds the roles do not tag (alarms, the dashboard, ElastiCache
subnet and parameter groups, the scalable target) and the log groups RDS creates itself are known by name only:
their names hold the stack's prefix.

A lookup answers a list of ``Found`` (several when a killed run left duplicates); a resource already being
deleted is ``deleting`` (waited for, not deleted again), one AWS still lists in a terminal state (a NAT gateway
``deleted``, an ECS service ``INACTIVE``) is absent, and its ARN is remembered so the tagging API check does not
count it. Every deletion is idempotent: a teardown killed at any point and run again finds what is left and goes on.

``clock`` and ``sleep`` are injected so the unit tests can replay recorded answers (botocore Stubber) at once.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.triflow.platform.plugins.module_utils.arns import arn

try:
    from botocore.exceptions import ClientError
except ImportError:  # pragma: no cover - AnsibleAWSModule says botocore is missing
    ClientError = Exception

DELETE = "delete"
KEEP = "keep"
DELETING = "deleting"
SCHEDULED = "scheduled"
REFUSED = "refused"
PROTECTED = "protected"
# Errors a deletion answers while something it depends on is still going away (ENIs of a deleted load balancer,
# a NAT gateway still releasing its address, a group still in use): retried until the wait timeout.
NOT_YET = (
    "DependencyViolation",
    "ResourceInUse",
    "ResourceInUseException",
    "InvalidIPAddress.InUse",
    "AuthFailure",
    "InvalidReplicationGroupState",
    "InvalidReplicationGroupStateFault",
    "InvalidDBInstanceState",
    "InvalidDBSubnetGroupStateFault",
    "InvalidDBParameterGroupState",
    "InvalidCacheParameterGroupState",
    "CacheSubnetGroupInUse",
    "ClusterContainsServicesException",
    "ClusterContainsTasksException",
    "UpdateInProgressException",
)


class TeardownError(Exception):
    """The teardown cannot go on; the message names the resource."""


def error_code(error):
    return getattr(error, "response", {}).get("Error", {}).get("Code", "")


def unless_missing(call, *codes):
    """``call()``, or None when AWS answers one of the error ``codes`` (the resource is not there)."""
    try:
        return call()
    except ClientError as error:
        if error_code(error) in codes:
            return None
        raise


def tag_dict(tags):
    """``[{Key, Value}]`` or ``[{key, value}]`` or a dict, to a dict."""
    if isinstance(tags, dict):
        return dict(tags)
    return dict((tag.get("Key", tag.get("key")), tag.get("Value", tag.get("value"))) for tag in tags or [])


class Found(object):
    """One resource as AWS reports it: its id, ARN, tags (None: a kind the stack does not tag), and what to do."""

    def __init__(self, ident, resource_arn=None, tags=None, state=None, protected=False, keep=None, detail=None):
        self.ident = ident
        self.arn = resource_arn
        self.tags = tags
        self.state = state
        self.protected = protected
        self.keep = keep
        self.detail = detail or {}


class Teardown(object):
    """The stack's resources, looked up, checked and deleted step by step (see module_utils/roles/destroy.py)."""

    def __init__(self, client, stack, options, clock=time.time, sleep=time.sleep, now=None):
        self._client = client
        self._clients = {}
        self.stack = stack
        self.options = options
        self.clock = clock
        self.sleep = sleep
        self.now = now or time.gmtime()
        self.changed = False
        self.actions = []
        self.final_snapshots = []
        self.tombstones = set()
        self.kept_arns = set()
        self.nat_allocations = set()
        self.deadline = None

    # -- plumbing --------------------------------------------------------------------------------------------------
    def client(self, service, region=None):
        key = (service, region or self.stack["region"])
        if key not in self._clients:
            self._clients[key] = self._client(service, key[1])
        return self._clients[key]

    def final_snapshot_name(self):
        return "%s-final-%s" % (self.stack["name_prefix"], time.strftime("%Y%m%d-%H%M%S", self.now))

    def act(self, spec, found, what):
        self.changed = True
        self.actions.append({"kind": spec["kind"], "name": spec["name"], "id": found.ident, "action": what})

    def until_done(self, call, what):
        """Run ``call`` until it stops answering a NOT_YET error, or the wait timeout passes."""
        while True:
            try:
                return call()
            except ClientError as error:
                if error_code(error) not in NOT_YET or self.clock() >= self.deadline:
                    raise TeardownError("%s: %s" % (what, error)) from error
            self.sleep(self.options["poll_interval"])

    def vpc_ids(self, name):
        found = self.find({"kind": "vpc", "name": name})
        return [item.ident for item in found if self.verdict({"kind": "vpc"}, item)[0] == DELETE]

    # -- identity --------------------------------------------------------------------------------------------------
    def identity_problem(self, spec, found):
        """Why ``found`` is not this stack's, or None. Kinds the stack does not tag pass (tags is None)."""
        if found.tags is None or spec.get("tagged") is False:
            return None
        wanted = self.stack["identity_tags"]
        other = dict((key, found.tags.get(key)) for key in wanted if found.tags.get(key) != wanted[key])
        if not other:
            return None
        if any(other.values()):
            return "tagged as another stack (%s)" % ", ".join("%s=%s" % item for item in sorted(other.items()))
        return "not tagged as this stack (%s missing)" % ", ".join(sorted(other))

    def verdict(self, spec, found):
        """``(action, reason)`` for one found resource."""
        problem = self.identity_problem(spec, found)
        if problem:
            return REFUSED, problem
        if found.state in (DELETING, SCHEDULED):
            return found.state, found.detail.get("reason", "")
        if found.keep:
            return KEEP, found.keep
        if found.protected and not self.options["lift_deletion_protection"]:
            return PROTECTED, "deletion protection is on: -e lift_deletion_protection=true lifts it on this stack"
        if found.protected:
            return DELETE, "deletion protection lifted first"
        return DELETE, found.detail.get("reason", "")

    # -- lookups and deletions, by kind ----------------------------------------------------------------------------
    def find(self, spec):
        try:
            return getattr(self, "find_" + spec["kind"])(spec)
        except ClientError as error:
            raise TeardownError("could not read %s %s: %s" % (spec["kind"], spec["name"], error)) from error

    def delete(self, spec, found):
        getattr(self, "delete_" + spec["kind"])(spec, found)

    def find_scalable_target(self, spec):
        targets = self.client("application-autoscaling").describe_scalable_targets(
            ServiceNamespace="ecs", ResourceIds=[spec["name"]], ScalableDimension="ecs:service:DesiredCount"
        )["ScalableTargets"]
        return [Found(target["ResourceId"], target.get("ScalableTargetARN")) for target in targets]

    def delete_scalable_target(self, spec, found):
        # Deregistering a scalable target deletes its scaling policies too (Application Auto Scaling API,
        # DeregisterScalableTarget).
        self.client("application-autoscaling").deregister_scalable_target(
            ServiceNamespace="ecs", ResourceId=found.ident, ScalableDimension="ecs:service:DesiredCount"
        )

    def find_ecs_service(self, spec):
        services = unless_missing(
            lambda: self.client("ecs").describe_services(
                cluster=spec["cluster"], services=[spec["name"]], include=["TAGS"]
            )["services"],
            "ClusterNotFoundException",
        )
        if services is None:
            return []
        found = []
        for service in services:
            if service["status"] == "INACTIVE":
                self.tombstones.add(service["serviceArn"])
                continue
            state = DELETING if service["status"] == "DRAINING" else None
            found.append(Found(service["serviceName"], service["serviceArn"], tag_dict(service.get("tags")), state))
        return found

    def delete_ecs_service(self, spec, found):
        # force: the service is deleted with its tasks, without scaling it to 0 first (ECS API, DeleteService).
        self.client("ecs").delete_service(cluster=spec["cluster"], service=found.ident, force=True)

    def _elb_tags(self, resource_arn):
        described = self.client("elbv2").describe_tags(ResourceArns=[resource_arn])["TagDescriptions"]
        return tag_dict(described[0]["Tags"] if described else [])

    def find_load_balancer(self, spec):
        elbv2 = self.client("elbv2")
        balancers = unless_missing(
            lambda: elbv2.describe_load_balancers(Names=[spec["name"]])["LoadBalancers"], "LoadBalancerNotFound"
        )
        if balancers is None:
            return []
        found = []
        for balancer in balancers:
            attributes = elbv2.describe_load_balancer_attributes(LoadBalancerArn=balancer["LoadBalancerArn"])
            protected = any(
                item["Key"] == "deletion_protection.enabled" and item["Value"] == "true"
                for item in attributes["Attributes"]
            )
            resource_arn = balancer["LoadBalancerArn"]
            found.append(
                Found(resource_arn.split("/", 1)[1], resource_arn, self._elb_tags(resource_arn), protected=protected)
            )
        return found

    def delete_load_balancer(self, spec, found):
        elbv2 = self.client("elbv2")
        if found.protected:
            elbv2.modify_load_balancer_attributes(
                LoadBalancerArn=found.arn, Attributes=[{"Key": "deletion_protection.enabled", "Value": "false"}]
            )
            self.act(spec, found, "deletion protection lifted")
        elbv2.delete_load_balancer(LoadBalancerArn=found.arn)

    def find_target_group(self, spec):
        groups = unless_missing(
            lambda: self.client("elbv2").describe_target_groups(Names=[spec["name"]])["TargetGroups"],
            "TargetGroupNotFound",
        )
        if groups is None:
            return []
        return [
            Found(
                group["TargetGroupArn"].split(":")[-1], group["TargetGroupArn"], self._elb_tags(group["TargetGroupArn"])
            )
            for group in groups
        ]

    def delete_target_group(self, spec, found):
        self.until_done(
            lambda: self.client("elbv2").delete_target_group(TargetGroupArn=found.arn), "target group %s" % spec["name"]
        )

    def find_ecs_cluster(self, spec):
        clusters = self.client("ecs").describe_clusters(clusters=[spec["name"]], include=["TAGS"])["clusters"]
        found = []
        for cluster in clusters:
            if cluster["status"] == "INACTIVE":
                self.tombstones.add(cluster["clusterArn"])
                continue
            found.append(Found(cluster["clusterName"], cluster["clusterArn"], tag_dict(cluster.get("tags"))))
        return found

    def delete_ecs_cluster(self, spec, found):
        ecs = self.client("ecs")
        # One-off tasks (a migration still running) keep a cluster from being deleted: stop them.
        for task in ecs.list_tasks(cluster=found.ident, desiredStatus="RUNNING")["taskArns"]:
            ecs.stop_task(cluster=found.ident, task=task, reason="Stack %s torn down" % self.stack["name_prefix"])
        self.until_done(lambda: ecs.delete_cluster(cluster=found.ident), "ECS cluster %s" % spec["name"])

    def _task_definitions(self, family, status):
        paginator = self.client("ecs").get_paginator("list_task_definitions")
        for page in paginator.paginate(familyPrefix=family, status=status):
            for definition in page["taskDefinitionArns"]:
                # familyPrefix is the family; revisions of another family starting alike are not this one's.
                if definition.rsplit("/", 1)[1].rsplit(":", 1)[0] == family:
                    yield definition

    def find_task_definitions(self, spec):
        ecs = self.client("ecs")
        # Deregistered (INACTIVE) revisions stay listed, and tagged, until ECS deletes them.
        self.tombstones.update(self._task_definitions(spec["name"], "INACTIVE"))
        found = []
        for definition in self._task_definitions(spec["name"], "ACTIVE"):
            described = ecs.describe_task_definition(taskDefinition=definition, include=["TAGS"])
            found.append(Found(definition.rsplit("/", 1)[1], definition, tag_dict(described.get("tags"))))
        return found

    def delete_task_definitions(self, spec, found):
        self.client("ecs").deregister_task_definition(taskDefinition=found.arn)
        self.tombstones.add(found.arn)

    def find_replication_group(self, spec):
        elasticache = self.client("elasticache")
        groups = unless_missing(
            lambda: elasticache.describe_replication_groups(ReplicationGroupId=spec["name"])["ReplicationGroups"],
            "ReplicationGroupNotFoundFault",
        )
        if groups is None:
            return []
        found = []
        for group in groups:
            tags = tag_dict(elasticache.list_tags_for_resource(ResourceName=group["ARN"])["TagList"])
            state = DELETING if group["Status"] == "deleting" else None
            found.append(
                Found(group["ReplicationGroupId"], group["ARN"], tags, state, detail={"status": group["Status"]})
            )
        return found

    def delete_replication_group(self, spec, found):
        snapshot = self.final_snapshot_name()
        self.until_done(
            lambda: self.client("elasticache").delete_replication_group(
                ReplicationGroupId=found.ident, RetainPrimaryCluster=False, FinalSnapshotIdentifier=snapshot
            ),
            "replication group %s" % found.ident,
        )
        self.final_snapshots.append({"kind": "elasticache_snapshot", "name": snapshot, "source": found.ident})

    def find_db_instance(self, spec):
        instances = unless_missing(
            lambda: self.client("rds").describe_db_instances(DBInstanceIdentifier=spec["name"])["DBInstances"],
            "DBInstanceNotFound",
        )
        if instances is None:
            return []
        return [
            Found(
                db["DBInstanceIdentifier"],
                db["DBInstanceArn"],
                tag_dict(db.get("TagList")),
                DELETING if db["DBInstanceStatus"] == "deleting" else None,
                protected=db.get("DeletionProtection"),
                detail={"status": db["DBInstanceStatus"]},
            )
            for db in instances
        ]

    def delete_db_instance(self, spec, found):
        rds = self.client("rds")
        if found.protected:
            rds.modify_db_instance(DBInstanceIdentifier=found.ident, DeletionProtection=False, ApplyImmediately=True)
            self.act(spec, found, "deletion protection lifted")
        snapshot = self.final_snapshot_name()
        # The automated backups are kept until their retention period ends, beside the final snapshot.
        self.until_done(
            lambda: rds.delete_db_instance(
                DBInstanceIdentifier=found.ident,
                SkipFinalSnapshot=False,
                FinalDBSnapshotIdentifier=snapshot,
                DeleteAutomatedBackups=False,
            ),
            "DB instance %s" % found.ident,
        )
        self.final_snapshots.append({"kind": "db_snapshot", "name": snapshot, "source": found.ident})

    def _ec2_filters(self, spec, vpc_filter=True):
        filters = [{"Name": "tag:Name", "Values": [spec["name"]]}]
        if vpc_filter:
            vpcs = self.vpc_ids(spec["vpc"])
            if not vpcs:
                return None
            filters.append({"Name": "vpc-id", "Values": vpcs})
        return filters

    def find_nat_gateway(self, spec):
        ec2 = self.client("ec2")
        found = []
        gateways = ec2.describe_nat_gateways(Filters=[{"Name": "tag:Name", "Values": [spec["name"]]}])["NatGateways"]
        for gateway in gateways:
            for address in gateway.get("NatGatewayAddresses") or []:
                if address.get("AllocationId"):
                    self.nat_allocations.add(address["AllocationId"])
            resource_arn = arn(
                self.stack["region"], "ec2", "natgateway/" + gateway["NatGatewayId"], self.stack["account_id"]
            )
            if gateway["State"] in ("deleted", "failed"):
                self.tombstones.add(resource_arn)
                continue
            state = DELETING if gateway["State"] == "deleting" else None
            found.append(Found(gateway["NatGatewayId"], resource_arn, tag_dict(gateway.get("Tags")), state))
        return found

    def delete_nat_gateway(self, spec, found):
        self.client("ec2").delete_nat_gateway(NatGatewayId=found.ident)

    def find_flow_log(self, spec):
        vpcs = self.vpc_ids(spec["vpc"])
        if not vpcs:
            return []
        logs = self.client("ec2").describe_flow_logs(
            Filters=[{"Name": "resource-id", "Values": vpcs}, {"Name": "tag:Name", "Values": [spec["name"]]}]
        )["FlowLogs"]
        return [
            Found(
                log["FlowLogId"],
                arn(self.stack["region"], "ec2", "vpc-flow-log/" + log["FlowLogId"], self.stack["account_id"]),
                tag_dict(log.get("Tags")),
            )
            for log in logs
        ]

    def delete_flow_log(self, spec, found):
        self.client("ec2").delete_flow_logs(FlowLogIds=[found.ident])

    def find_eip(self, spec):
        ec2 = self.client("ec2")
        addresses = ec2.describe_addresses(Filters=[{"Name": "tag:Name", "Values": [spec["name"]]}])["Addresses"]
        return [
            Found(
                address["AllocationId"],
                arn(self.stack["region"], "ec2", "elastic-ip/" + address["AllocationId"], self.stack["account_id"]),
                tag_dict(address.get("Tags")),
                detail={"ip": address.get("PublicIp")},
            )
            for address in addresses
        ]

    def delete_eip(self, spec, found):
        self.until_done(
            lambda: self.client("ec2").release_address(AllocationId=found.ident), "Elastic IP %s" % found.ident
        )

    def find_vpc_endpoint(self, spec):
        filters = self._ec2_filters(spec)
        if filters is None:
            return []
        endpoints = self.client("ec2").describe_vpc_endpoints(Filters=filters)["VpcEndpoints"]
        return [
            Found(
                endpoint["VpcEndpointId"],
                None,
                tag_dict(endpoint.get("Tags")),
                DELETING if endpoint["State"].lower() == "deleting" else None,
            )
            for endpoint in endpoints
            if endpoint["State"].lower() not in ("deleted", "failed")
        ]

    def delete_vpc_endpoint(self, spec, found):
        self.client("ec2").delete_vpc_endpoints(VpcEndpointIds=[found.ident])

    def _rds_tags(self, resource_arn):
        return tag_dict(self.client("rds").list_tags_for_resource(ResourceName=resource_arn)["TagList"])

    def find_db_subnet_group(self, spec):
        groups = unless_missing(
            lambda: self.client("rds").describe_db_subnet_groups(DBSubnetGroupName=spec["name"])["DBSubnetGroups"],
            "DBSubnetGroupNotFoundFault",
        )
        if groups is None:
            return []
        return [
            Found(group["DBSubnetGroupName"], group["DBSubnetGroupArn"], self._rds_tags(group["DBSubnetGroupArn"]))
            for group in groups
        ]

    def delete_db_subnet_group(self, spec, found):
        self.until_done(
            lambda: self.client("rds").delete_db_subnet_group(DBSubnetGroupName=found.ident),
            "DB subnet group %s" % found.ident,
        )

    def find_db_parameter_group(self, spec):
        groups = unless_missing(
            lambda: self.client("rds").describe_db_parameter_groups(DBParameterGroupName=spec["name"]),
            "DBParameterGroupNotFound",
            "DBParameterGroupNotFoundFault",
        )
        if groups is None:
            return []
        return [
            Found(
                group["DBParameterGroupName"],
                group["DBParameterGroupArn"],
                self._rds_tags(group["DBParameterGroupArn"]),
            )
            for group in groups["DBParameterGroups"]
        ]

    def delete_db_parameter_group(self, spec, found):
        self.until_done(
            lambda: self.client("rds").delete_db_parameter_group(DBParameterGroupName=found.ident),
            "DB parameter group %s" % found.ident,
        )

    def find_cache_subnet_group(self, spec):
        groups = unless_missing(
            lambda: self.client("elasticache").describe_cache_subnet_groups(CacheSubnetGroupName=spec["name"]),
            "CacheSubnetGroupNotFoundFault",
        )
        if groups is None:
            return []
        return [Found(group["CacheSubnetGroupName"], group.get("ARN")) for group in groups["CacheSubnetGroups"]]

    def delete_cache_subnet_group(self, spec, found):
        self.until_done(
            lambda: self.client("elasticache").delete_cache_subnet_group(CacheSubnetGroupName=found.ident),
            "cache subnet group %s" % found.ident,
        )

    def find_cache_parameter_group(self, spec):
        groups = unless_missing(
            lambda: self.client("elasticache").describe_cache_parameter_groups(CacheParameterGroupName=spec["name"]),
            "CacheParameterGroupNotFound",
            "CacheParameterGroupNotFoundFault",
        )
        if groups is None:
            return []
        return [Found(group["CacheParameterGroupName"], group.get("ARN")) for group in groups["CacheParameterGroups"]]

    def delete_cache_parameter_group(self, spec, found):
        self.until_done(
            lambda: self.client("elasticache").delete_cache_parameter_group(CacheParameterGroupName=found.ident),
            "cache parameter group %s" % found.ident,
        )

    def find_subnet(self, spec):
        filters = self._ec2_filters(spec)
        if filters is None:
            return []
        return [
            Found(subnet["SubnetId"], subnet.get("SubnetArn"), tag_dict(subnet.get("Tags")))
            for subnet in self.client("ec2").describe_subnets(Filters=filters)["Subnets"]
        ]

    def delete_subnet(self, spec, found):
        self.until_done(lambda: self.client("ec2").delete_subnet(SubnetId=found.ident), "subnet %s" % found.ident)

    def find_route_table(self, spec):
        filters = self._ec2_filters(spec)
        if filters is None:
            return []
        tables = self.client("ec2").describe_route_tables(Filters=filters)["RouteTables"]
        return [
            Found(
                table["RouteTableId"],
                None,
                tag_dict(table.get("Tags")),
                detail={
                    "associations": [
                        item["RouteTableAssociationId"]
                        for item in table.get("Associations", [])
                        if not item.get("Main")
                    ]
                },
            )
            for table in tables
            if not any(item.get("Main") for item in table.get("Associations", []))
        ]

    def delete_route_table(self, spec, found):
        ec2 = self.client("ec2")
        for association in found.detail["associations"]:
            ec2.disassociate_route_table(AssociationId=association)
        self.until_done(lambda: ec2.delete_route_table(RouteTableId=found.ident), "route table %s" % found.ident)

    def _security_groups(self, spec):
        vpcs = self.vpc_ids(spec["vpc"])
        if not vpcs:
            return []
        return self.client("ec2").describe_security_groups(
            Filters=[{"Name": "group-name", "Values": [spec["name"]]}, {"Name": "vpc-id", "Values": vpcs}]
        )["SecurityGroups"]

    def find_security_group_rules(self, spec):
        # The stack's groups refer to each other (the app's allows the ALB's...): AWS refuses to delete a group
        # another group's rule names, so every rule goes first.
        return [
            Found(
                group["GroupId"],
                None,
                tag_dict(group.get("Tags")),
                detail={
                    "ingress": group["IpPermissions"],
                    "egress": group["IpPermissionsEgress"],
                    "reason": "%d rules" % (len(group["IpPermissions"]) + len(group["IpPermissionsEgress"])),
                },
            )
            for group in self._security_groups(spec)
            if group["IpPermissions"] or group["IpPermissionsEgress"]
        ]

    def delete_security_group_rules(self, spec, found):
        ec2 = self.client("ec2")
        if found.detail["ingress"]:
            ec2.revoke_security_group_ingress(GroupId=found.ident, IpPermissions=found.detail["ingress"])
        if found.detail["egress"]:
            ec2.revoke_security_group_egress(GroupId=found.ident, IpPermissions=found.detail["egress"])

    def find_security_group(self, spec):
        return [
            Found(group["GroupId"], group.get("SecurityGroupArn"), tag_dict(group.get("Tags")))
            for group in self._security_groups(spec)
        ]

    def delete_security_group(self, spec, found):
        self.until_done(
            lambda: self.client("ec2").delete_security_group(GroupId=found.ident), "security group %s" % found.ident
        )

    def find_internet_gateway(self, spec):
        gateways = self.client("ec2").describe_internet_gateways(
            Filters=[{"Name": "tag:Name", "Values": [spec["name"]]}]
        )["InternetGateways"]
        return [
            Found(
                gateway["InternetGatewayId"],
                arn(
                    self.stack["region"],
                    "ec2",
                    "internet-gateway/" + gateway["InternetGatewayId"],
                    self.stack["account_id"],
                ),
                tag_dict(gateway.get("Tags")),
                detail={"vpcs": [item["VpcId"] for item in gateway.get("Attachments", [])]},
            )
            for gateway in gateways
        ]

    def delete_internet_gateway(self, spec, found):
        ec2 = self.client("ec2")
        for vpc in found.detail["vpcs"]:
            self.until_done(
                lambda vpc=vpc: ec2.detach_internet_gateway(InternetGatewayId=found.ident, VpcId=vpc),
                "internet gateway %s" % found.ident,
            )
        ec2.delete_internet_gateway(InternetGatewayId=found.ident)

    def find_vpc(self, spec):
        vpcs = self.client("ec2").describe_vpcs(Filters=[{"Name": "tag:Name", "Values": [spec["name"]]}])["Vpcs"]
        return [
            Found(
                vpc["VpcId"],
                arn(self.stack["region"], "ec2", "vpc/" + vpc["VpcId"], self.stack["account_id"]),
                tag_dict(vpc.get("Tags")),
                detail={"reason": vpc.get("CidrBlock", "")},
            )
            for vpc in vpcs
        ]

    def delete_vpc(self, spec, found):
        self.until_done(lambda: self.client("ec2").delete_vpc(VpcId=found.ident), "VPC %s" % found.ident)

    def find_log_group(self, spec):
        logs = self.client("logs")
        groups = logs.describe_log_groups(logGroupNamePrefix=spec["name"])["logGroups"]
        found = []
        for group in groups:
            if group["logGroupName"] != spec["name"]:
                continue
            tags = tag_dict(logs.list_tags_log_group(logGroupName=group["logGroupName"]).get("tags"))
            found.append(Found(group["logGroupName"], group.get("arn", "").rstrip("*").rstrip(":"), tags))
        return found

    def delete_log_group(self, spec, found):
        self.client("logs").delete_log_group(logGroupName=found.ident)

    def find_alarm(self, spec):
        alarms = self.client("cloudwatch", spec.get("region")).describe_alarms(AlarmNames=[spec["name"]])
        return [Found(alarm["AlarmName"], alarm["AlarmArn"]) for alarm in alarms["MetricAlarms"]]

    def delete_alarm(self, spec, found):
        self.client("cloudwatch", spec.get("region")).delete_alarms(AlarmNames=[found.ident])

    def find_dashboard(self, spec):
        dashboard = unless_missing(
            lambda: self.client("cloudwatch").get_dashboard(DashboardName=spec["name"]),
            "ResourceNotFound",
            "ResourceNotFoundException",
        )
        if dashboard is None:
            return []
        return [Found(dashboard["DashboardName"], dashboard.get("DashboardArn"))]

    def delete_dashboard(self, spec, found):
        self.client("cloudwatch").delete_dashboards(DashboardNames=[found.ident])

    def find_sns_topic(self, spec):
        region = spec.get("region") or self.stack["region"]
        sns = self.client("sns", region)
        topic = arn(region, "sns", spec["name"], self.stack["account_id"])
        answer = unless_missing(lambda: sns.get_topic_attributes(TopicArn=topic), "NotFound", "NotFoundException")
        if answer is None:
            return []
        return [Found(topic, topic, tag_dict(sns.list_tags_for_resource(ResourceArn=topic)["Tags"]))]

    def delete_sns_topic(self, spec, found):
        # Its subscriptions go with it (SNS API, DeleteTopic).
        self.client("sns", spec.get("region")).delete_topic(TopicArn=found.ident)

    def find_ecr_repository(self, spec):
        ecr = self.client("ecr")
        repositories = unless_missing(
            lambda: ecr.describe_repositories(repositoryNames=[spec["name"]])["repositories"],
            "RepositoryNotFoundException",
        )
        if repositories is None:
            return []
        found = []
        for repository in repositories:
            tags = tag_dict(ecr.list_tags_for_resource(resourceArn=repository["repositoryArn"])["tags"])
            images = ecr.list_images(repositoryName=spec["name"])["imageIds"]
            keep = None
            if images and not self.options["destroy_images"]:
                keep = "holds images (-e destroy_images=true deletes them with the repository)"
                self.kept_arns.add(repository["repositoryArn"])
            found.append(Found(spec["name"], repository["repositoryArn"], tags, keep=keep))
        return found

    def delete_ecr_repository(self, spec, found):
        self.client("ecr").delete_repository(repositoryName=found.ident, force=True)

    def find_iam_role(self, spec):
        iam = self.client("iam")
        role = unless_missing(lambda: iam.get_role(RoleName=spec["name"])["Role"], "NoSuchEntity")
        if role is None:
            return []
        return [Found(role["RoleName"], role["Arn"], tag_dict(iam.list_role_tags(RoleName=role["RoleName"])["Tags"]))]

    def delete_iam_role(self, spec, found):
        iam = self.client("iam")
        for policy in iam.list_role_policies(RoleName=found.ident)["PolicyNames"]:
            iam.delete_role_policy(RoleName=found.ident, PolicyName=policy)
        for policy in iam.list_attached_role_policies(RoleName=found.ident)["AttachedPolicies"]:
            iam.detach_role_policy(RoleName=found.ident, PolicyArn=policy["PolicyArn"])
        for profile in iam.list_instance_profiles_for_role(RoleName=found.ident)["InstanceProfiles"]:
            iam.remove_role_from_instance_profile(
                RoleName=found.ident, InstanceProfileName=profile["InstanceProfileName"]
            )
        iam.delete_role(RoleName=found.ident)

    def find_secret(self, spec):
        secret = unless_missing(
            lambda: self.client("secretsmanager").describe_secret(SecretId=spec["name"]), "ResourceNotFoundException"
        )
        if secret is None:
            return []
        state, detail = None, {}
        if secret.get("DeletedDate"):
            self.kept_arns.add(secret["ARN"])
            state = SCHEDULED
            deleted = secret["DeletedDate"]
            detail["reason"] = "in its recovery window (DeletedDate %s)" % (
                deleted.strftime("%Y-%m-%d %H:%M UTC") if hasattr(deleted, "strftime") else deleted
            )
        return [Found(secret["Name"], secret["ARN"], tag_dict(secret.get("Tags")), state, detail=detail)]

    def delete_secret(self, spec, found):
        # Never forced: the secret can be restored within its recovery window (site.yml restores it).
        self.client("secretsmanager").delete_secret(
            SecretId=found.arn, RecoveryWindowInDays=self.options["secrets_recovery_days"]
        )
        self.kept_arns.add(found.arn)

    def find_s3_bucket(self, spec):
        s3 = self.client("s3")
        answer = unless_missing(lambda: s3.head_bucket(Bucket=spec["name"]), "404", "NoSuchBucket", "NotFound")
        if answer is None:
            return []
        try:
            tags = tag_dict(s3.get_bucket_tagging(Bucket=spec["name"])["TagSet"])
        except ClientError as error:
            if error_code(error) != "NoSuchTagSet":
                raise
            tags = {}
        bucket_arn = arn(self.stack["region"], "s3", spec["name"], regional=False)
        keep = None
        if not self.options["destroy_bucket"]:
            keep = "kept with its objects (-e destroy_bucket=true empties every version and deletes it)"
            self.kept_arns.add(bucket_arn)
        return [Found(spec["name"], bucket_arn, tags, keep=keep)]

    def delete_s3_bucket(self, spec, found):
        s3 = self.client("s3")
        for page in s3.get_paginator("list_object_versions").paginate(Bucket=found.ident):
            objects = [
                {"Key": item["Key"], "VersionId": item["VersionId"]}
                for item in page.get("Versions", []) + page.get("DeleteMarkers", [])
            ]
            for start in range(0, len(objects), 1000):
                s3.delete_objects(Bucket=found.ident, Delete={"Objects": objects[start : start + 1000], "Quiet": True})
        s3.delete_bucket(Bucket=found.ident)

    # -- the run ---------------------------------------------------------------------------------------------------
    def survey(self, resources):
        """Every resource of the stack as AWS reports it: ``[(spec, found, action, reason)]``, absent ones with
        found None."""
        rows = []
        for spec in resources:
            found = self.find(spec)
            if not found:
                rows.append((spec, None, "absent", ""))
            for item in found:
                action, reason = self.verdict(spec, item)
                rows.append((spec, item, action, reason))
        return rows

    def destroy(self, resources):
        """Delete step by step: start every deletion of a step, then wait until all of them are gone."""
        self.deadline = self.clock() + self.options["wait_timeout"]
        steps = sorted(set(spec["step"] for spec in resources))
        for step in steps:
            specs = [spec for spec in resources if spec["step"] == step]
            for spec, found, action, reason in self.survey(specs):
                if action == REFUSED:
                    raise TeardownError(
                        "%s %s (%s) is %s: not deleted" % (spec["kind"], spec["name"], found.ident, reason)
                    )
                if action == DELETE:
                    try:
                        self.delete(spec, found)
                    except ClientError as error:
                        raise TeardownError(
                            "could not delete %s %s (%s): %s" % (spec["kind"], spec["name"], found.ident, error)
                        ) from error
                    self.act(spec, found, "deleted" if spec["kind"] != "secret" else "scheduled for deletion")
            self.wait_gone(specs)

    def wait_gone(self, specs):
        while True:
            left = [
                (spec, found)
                for spec, found, action, reason in self.survey(specs)
                if found is not None and action in (DELETE, DELETING)
            ]
            if not left:
                return
            if self.clock() >= self.deadline:
                raise TeardownError(
                    "still there after the wait timeout: %s"
                    % ", ".join("%s %s (%s)" % (spec["kind"], spec["name"], found.ident) for spec, found in left)
                )
            self.sleep(self.options["poll_interval"])

    def leftovers(self, resources, tagged_arns):
        """What is still there after the teardown, by name and through the tagging API, beyond what is kept."""
        left = []
        for spec, found, action, _reason in self.survey(resources):
            if found is not None and action not in (KEEP, SCHEDULED) and spec["kind"] != "security_group_rules":
                left.append(
                    {
                        "kind": spec["kind"],
                        "name": spec["name"],
                        "id": found.ident,
                        "arn": found.arn,
                        "found_by": "name",
                    }
                )
        known = self.kept_arns | self.tombstones
        for resource_arn in tagged_arns:
            if resource_arn in known or is_snapshot(resource_arn):
                continue
            if any(item.get("arn") == resource_arn for item in left):
                continue
            left.append(
                {
                    "kind": resource_arn.split(":")[2],
                    "name": resource_arn,
                    "id": resource_arn,
                    "arn": resource_arn,
                    "found_by": "tagging API",
                }
            )
        return left


def is_snapshot(resource_arn):
    """Snapshots (the final ones, the automated backups, anyone's manual ones) are kept by design."""
    parts = resource_arn.split(":")
    return len(parts) > 5 and parts[2] in ("rds", "elasticache") and parts[5] in ("snapshot", "auto-backup")
