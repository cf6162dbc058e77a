"""Every resource of one stack, read with boto3 kind by kind (not through the roles' desired states, not through the
tagging API): ``resources_of(aws, "triflow-acme-prod")`` -> ``{kind: [id, ...]}`` for what exists (terminal states
such as a ``deleted`` NAT gateway or an ``INACTIVE`` ECS service do not count), and what a teardown keeps."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

# Kinds a teardown keeps on purpose (they are read by kept_of, not resources_of).
KEPT = ("db_snapshots", "cache_snapshots", "bucket_objects", "secrets_scheduled")

# One of each, except what the stacks have several of by design: two zones with a public and a private subnet each
# and a route table per private subnet beside the public one; the load balancer's, app's, database's and cache's
# security groups; 7 secrets, 15 alarms; the app's log group and Redis' two; the two ECS roles and the RDS
# monitoring role. ACME adds a NAT gateway (and its Elastic IP) per zone, VPC flow logs (their log group and role);
# Globex has a single NAT gateway.
ONE_EACH = {
    "vpcs": 1,
    "subnets": 4,
    "security_groups": 4,
    "internet_gateways": 1,
    "vpc_endpoints": 1,
    "ecs_clusters": 1,
    "ecs_services": 1,
    "task_definitions": 1,
    "scalable_targets": 1,
    "load_balancers": 1,
    "target_groups": 1,
    "ecr_repositories": 1,
    "db_instances": 1,
    "db_subnet_groups": 1,
    "db_parameter_groups": 1,
    "replication_groups": 1,
    "cache_subnet_groups": 1,
    "cache_parameter_groups": 1,
    "route_tables": 3,
    "secrets": 7,
    "log_groups": 3,
    "alarms": 15,
    "dashboards": 1,
    "topics": 1,
    "iam_roles": 3,
    "buckets": 1,
}
# How many of each kind customer_a's (ACME) and customer_b's (Globex) converged stacks hold.
EXPECTED_COUNTS = {
    "triflow-acme-prod": {**ONE_EACH, "nat_gateways": 2, "elastic_ips": 2, "log_groups": 4, "iam_roles": 4},
    "triflow-globex-staging": {**ONE_EACH, "nat_gateways": 1, "elastic_ips": 1},
}


def _tagged(tags: list[dict[str, str]] | None, prefix: str) -> bool:
    return any(tag["Key"] == "Name" and tag["Value"].startswith(prefix) for tag in tags or [])


def _missing(call: Any, *codes: str) -> list[Any]:
    try:
        return call()
    except ClientError as error:
        if error.response["Error"]["Code"] in codes:
            return []
        raise


def network_of(aws: Any, prefix: str) -> dict[str, list[str]]:
    ec2 = aws.client("ec2")
    name = [{"Name": "tag:Name", "Values": [f"{prefix}-*"]}]
    return {
        "vpcs": [vpc["VpcId"] for vpc in ec2.describe_vpcs(Filters=name)["Vpcs"]],
        "subnets": [subnet["SubnetId"] for subnet in ec2.describe_subnets(Filters=name)["Subnets"]],
        "route_tables": [table["RouteTableId"] for table in ec2.describe_route_tables(Filters=name)["RouteTables"]],
        "security_groups": [
            group["GroupId"]
            for group in ec2.describe_security_groups()["SecurityGroups"]
            if group["GroupName"].startswith(prefix)
        ],
        "internet_gateways": [
            gateway["InternetGatewayId"] for gateway in ec2.describe_internet_gateways(Filters=name)["InternetGateways"]
        ],
        "nat_gateways": [
            gateway["NatGatewayId"]
            for gateway in ec2.describe_nat_gateways(Filters=name)["NatGateways"]
            if gateway["State"] not in ("deleted", "failed")
        ],
        "elastic_ips": [address["AllocationId"] for address in ec2.describe_addresses(Filters=name)["Addresses"]],
        "vpc_endpoints": [
            endpoint["VpcEndpointId"]
            for endpoint in ec2.describe_vpc_endpoints(Filters=name)["VpcEndpoints"]
            if endpoint["State"].lower() not in ("deleted", "failed")
        ],
    }


def app_of(aws: Any, prefix: str) -> dict[str, list[str]]:
    ecs, elbv2 = aws.client("ecs"), aws.client("elbv2")
    clusters = ecs.describe_clusters(clusters=[prefix])["clusters"]
    services = _missing(
        lambda: ecs.describe_services(cluster=prefix, services=[f"{prefix}-backend"])["services"],
        "ClusterNotFoundException",
    )
    return {
        "ecs_clusters": [cluster["clusterArn"] for cluster in clusters if cluster["status"] == "ACTIVE"],
        "ecs_services": [service["serviceArn"] for service in services if service["status"] != "INACTIVE"],
        "task_definitions": ecs.list_task_definitions(familyPrefix=f"{prefix}-backend", status="ACTIVE")[
            "taskDefinitionArns"
        ],
        "scalable_targets": [
            target["ResourceId"]
            for target in aws.client("application-autoscaling").describe_scalable_targets(ServiceNamespace="ecs")[
                "ScalableTargets"
            ]
            if target["ResourceId"].startswith(f"service/{prefix}/")
        ],
        "load_balancers": [
            balancer["LoadBalancerArn"]
            for balancer in elbv2.describe_load_balancers()["LoadBalancers"]
            if balancer["LoadBalancerName"].startswith(prefix)
        ],
        "target_groups": [
            group["TargetGroupArn"]
            for group in elbv2.describe_target_groups()["TargetGroups"]
            if group["TargetGroupName"].startswith(prefix)
        ],
        "ecr_repositories": [
            repository["repositoryName"]
            for repository in aws.client("ecr").describe_repositories()["repositories"]
            if repository["repositoryName"].startswith(prefix)
        ],
    }


def data_of(aws: Any, prefix: str) -> dict[str, list[str]]:
    rds, elasticache = aws.client("rds"), aws.client("elasticache")
    secrets = aws.client("secretsmanager").list_secrets(Filters=[{"Key": "name", "Values": [f"{prefix}/"]}])
    return {
        "db_instances": [
            db["DBInstanceIdentifier"]
            for db in rds.describe_db_instances()["DBInstances"]
            if db["DBInstanceIdentifier"].startswith(prefix)
        ],
        "db_subnet_groups": [
            group["DBSubnetGroupName"]
            for group in rds.describe_db_subnet_groups()["DBSubnetGroups"]
            if group["DBSubnetGroupName"].startswith(prefix)
        ],
        "db_parameter_groups": [
            group["DBParameterGroupName"]
            for group in rds.describe_db_parameter_groups()["DBParameterGroups"]
            if group["DBParameterGroupName"].startswith(prefix)
        ],
        "replication_groups": [
            group["ReplicationGroupId"]
            for group in elasticache.describe_replication_groups()["ReplicationGroups"]
            if group["ReplicationGroupId"].startswith(prefix)
        ],
        "cache_subnet_groups": [
            group["CacheSubnetGroupName"]
            for group in elasticache.describe_cache_subnet_groups()["CacheSubnetGroups"]
            if group["CacheSubnetGroupName"].startswith(prefix)
        ],
        "cache_parameter_groups": [
            group["CacheParameterGroupName"]
            for group in elasticache.describe_cache_parameter_groups()["CacheParameterGroups"]
            if group["CacheParameterGroupName"].startswith(prefix)
        ],
        "secrets": [secret["Name"] for secret in secrets["SecretList"] if not secret.get("DeletedDate")],
    }


def watch_of(aws: Any, prefix: str, account_id: str) -> dict[str, list[str]]:
    logs, cloudwatch, iam = aws.client("logs"), aws.client("cloudwatch"), aws.client("iam")
    groups = [
        group["logGroupName"] for group in logs.describe_log_groups()["logGroups"] if prefix in group["logGroupName"]
    ]
    topics = []
    for region in ("ap-northeast-2", "us-east-1"):
        topics += [
            topic["TopicArn"]
            for topic in aws.client("sns", region=region).list_topics()["Topics"]
            if topic["TopicArn"].split(":")[-1].startswith(prefix)
        ]
    return {
        "log_groups": groups,
        "alarms": [
            alarm["AlarmName"]
            for region in ("ap-northeast-2", "us-east-1")
            for alarm in aws.client("cloudwatch", region=region).describe_alarms(AlarmNamePrefix=prefix)["MetricAlarms"]
        ],
        "dashboards": [
            entry["DashboardName"]
            for entry in cloudwatch.list_dashboards(DashboardNamePrefix=prefix)["DashboardEntries"]
        ],
        "topics": topics,
        "iam_roles": [role["RoleName"] for role in iam.list_roles()["Roles"] if role["RoleName"].startswith(prefix)],
        "buckets": [
            bucket["Name"]
            for bucket in aws.client("s3").list_buckets()["Buckets"]
            if bucket["Name"] == f"{prefix}-files-{account_id}"
        ],
    }


def resources_of(aws: Any, prefix: str) -> dict[str, list[str]]:
    """``{kind: [ids]}`` of everything the stack ``prefix`` has, kind by kind; empty lists for what it has not."""
    account_id = aws.client("sts").get_caller_identity()["Account"]
    return {
        **network_of(aws, prefix),
        **app_of(aws, prefix),
        **data_of(aws, prefix),
        **watch_of(aws, prefix, account_id),
    }


def unattached_elastic_ips(aws: Any) -> list[str]:
    """Elastic IPs of the account (any stack's or none's) attached to nothing: they bill, and a run killed between
    AllocateAddress and CreateNatGateway leaves one."""
    return [
        address["AllocationId"]
        for address in aws.client("ec2").describe_addresses()["Addresses"]
        if not address.get("AssociationId")
    ]


def present(resources: dict[str, list[str]]) -> dict[str, list[str]]:
    """Only the kinds that hold something."""
    return {kind: ids for kind, ids in resources.items() if ids}


def kept_of(aws: Any, prefix: str) -> dict[str, Any]:
    """What a teardown of ``prefix`` keeps: final snapshots, secrets in their recovery window."""
    snapshots = aws.client("rds").describe_db_snapshots(SnapshotType="manual")["DBSnapshots"]
    cache = aws.client("elasticache").describe_snapshots()["Snapshots"]
    secrets = aws.client("secretsmanager").list_secrets(
        IncludePlannedDeletion=True, Filters=[{"Key": "name", "Values": [f"{prefix}/"]}]
    )["SecretList"]
    return {
        "db_snapshots": [s["DBSnapshotIdentifier"] for s in snapshots if s["DBSnapshotIdentifier"].startswith(prefix)],
        "cache_snapshots": [s["SnapshotName"] for s in cache if s["SnapshotName"].startswith(prefix)],
        "secrets_scheduled": sorted(secret["Name"] for secret in secrets if secret.get("DeletedDate")),
    }


def tagged_arns(aws: Any, customer: str, environment: str) -> list[str]:
    """What the Resource Groups Tagging API lists with the stack's identity tags, in both regions the stack uses."""
    filters = [
        {"Key": "Project", "Values": ["triflow"]},
        {"Key": "Customer", "Values": [customer]},
        {"Key": "Environment", "Values": [environment]},
    ]
    found = []
    for region in ("ap-northeast-2", "us-east-1"):
        paginator = aws.client("resourcegroupstaggingapi", region=region).get_paginator("get_resources")
        for page in paginator.paginate(TagFilters=filters):
            found += [item["ResourceARN"] for item in page["ResourceTagMappingList"]]
    return found
