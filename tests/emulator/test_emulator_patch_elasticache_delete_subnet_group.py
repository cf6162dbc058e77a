"""DeleteCacheSubnetGroup (patch elasticache_delete_subnet_group): stock moto answers 500, AWS deletes the group
unless it is in use (CacheSubnetGroupInUse), missing (CacheSubnetGroupNotFoundFault) or the default one."""

import pytest
from botocore.exceptions import ClientError
from botocore.parsers import ResponseParserError
from support.aws import Endpoint, unique
from support.emulator import gap_message

PATCH = "elasticache_delete_subnet_group"
# The row of this patch in tools/emulator/README.md.
GAP = 14


def subnet_group(aws_target: Endpoint, cidr: str) -> str:
    ec2 = aws_target.client("ec2")
    vpc = ec2.create_vpc(CidrBlock=f"{cidr}.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock=f"{cidr}.1.0/24", AvailabilityZone="ap-northeast-2a")
    name = unique("cache-subnets")
    aws_target.client("elasticache").create_cache_subnet_group(
        CacheSubnetGroupName=name,
        CacheSubnetGroupDescription="teardown test",
        SubnetIds=[subnet["Subnet"]["SubnetId"]],
        Tags=[{"Key": "Project", "Value": "triflow"}],
    )
    return name


def error_code(call) -> str:
    with pytest.raises(ClientError) as raised:
        call()
    return raised.value.response["Error"]["Code"]


def test_an_unused_subnet_group_is_deleted(aws_target: Endpoint) -> None:
    elasticache = aws_target.client("elasticache")
    name = subnet_group(aws_target, "10.71")
    if not aws_target.patched:
        with pytest.raises((ClientError, ResponseParserError)):
            elasticache.delete_cache_subnet_group(CacheSubnetGroupName=name)
        assert elasticache.describe_cache_subnet_groups(CacheSubnetGroupName=name)["CacheSubnetGroups"], gap_message(
            GAP, PATCH
        )
        return
    elasticache.delete_cache_subnet_group(CacheSubnetGroupName=name)
    code = error_code(lambda: elasticache.describe_cache_subnet_groups(CacheSubnetGroupName=name))
    assert code == "CacheSubnetGroupNotFoundFault"
    # Deleted twice: the group is not there any more.
    code = error_code(lambda: elasticache.delete_cache_subnet_group(CacheSubnetGroupName=name))
    assert code == "CacheSubnetGroupNotFoundFault"


def test_a_subnet_group_in_use_or_the_default_one_is_not_deleted(patched_emulator: Endpoint) -> None:
    elasticache = patched_emulator.client("elasticache")
    name = subnet_group(patched_emulator, "10.72")
    group = unique("redis")
    elasticache.create_replication_group(
        ReplicationGroupId=group,
        ReplicationGroupDescription="uses the subnet group",
        Engine="redis",
        CacheNodeType="cache.t4g.small",
        NumCacheClusters=1,
        CacheSubnetGroupName=name,
    )
    code = error_code(lambda: elasticache.delete_cache_subnet_group(CacheSubnetGroupName=name))
    assert code == "CacheSubnetGroupInUse"
    assert elasticache.describe_cache_subnet_groups(CacheSubnetGroupName=name)["CacheSubnetGroups"]
    assert error_code(lambda: elasticache.delete_cache_subnet_group(CacheSubnetGroupName="default")) == (
        "InvalidParameterValue"
    )
