"""Gap 16: CreateLoadBalancer and CreateListener are idempotent (patch elbv2_idempotent_create)."""

from typing import Any

import pytest
from botocore.exceptions import ClientError
from support.aws import Endpoint, unique
from support.emulator import gap_message

PATCH = "elbv2_idempotent_create"


def two_subnets(ec2: Any) -> list[str]:
    vpc_id = ec2.create_vpc(CidrBlock="10.34.0.0/16")["Vpc"]["VpcId"]
    return [
        ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"10.34.{n}.0/24", AvailabilityZone=f"ap-northeast-2{zone}")[
            "Subnet"
        ]["SubnetId"]
        for n, zone in ((1, "a"), (2, "c"))
    ]


def test_a_second_create_with_the_same_settings_answers_with_the_first_load_balancer(aws_target: Endpoint) -> None:
    elbv2 = aws_target.client("elbv2")
    subnets = two_subnets(aws_target.client("ec2"))
    name = unique("alb")[:32]
    first = elbv2.create_load_balancer(Name=name, Subnets=subnets, Type="application")["LoadBalancers"][0]
    again = elbv2.create_load_balancer(Name=name, Subnets=list(reversed(subnets)), Type="application")
    named = [lb for lb in elbv2.describe_load_balancers()["LoadBalancers"] if lb["LoadBalancerName"] == name]

    if not aws_target.patched:
        assert len(named) == 2, gap_message(16, PATCH)
        return

    assert again["LoadBalancers"][0]["LoadBalancerArn"] == first["LoadBalancerArn"]
    assert [lb["LoadBalancerArn"] for lb in named] == [first["LoadBalancerArn"]]
    with pytest.raises(ClientError) as raised:
        elbv2.create_load_balancer(Name=name, Subnets=subnets, Type="application", Scheme="internal")
    assert raised.value.response["Error"]["Code"] == "DuplicateLoadBalancerName"


def test_a_second_listener_with_the_same_settings_is_the_first(aws_target: Endpoint) -> None:
    elbv2 = aws_target.client("elbv2")
    ec2 = aws_target.client("ec2")
    subnets = two_subnets(ec2)
    vpc_id = ec2.describe_subnets(SubnetIds=subnets[:1])["Subnets"][0]["VpcId"]
    arn = elbv2.create_load_balancer(Name=unique("lsn")[:32], Subnets=subnets)["LoadBalancers"][0]["LoadBalancerArn"]
    group = elbv2.create_target_group(Name=unique("tg")[:32], Protocol="HTTP", Port=8000, VpcId=vpc_id)
    forward = [{"Type": "forward", "TargetGroupArn": group["TargetGroups"][0]["TargetGroupArn"]}]
    first = elbv2.create_listener(LoadBalancerArn=arn, Protocol="HTTP", Port=80, DefaultActions=forward)
    again = elbv2.create_listener(LoadBalancerArn=arn, Protocol="HTTP", Port=80, DefaultActions=forward)
    listeners = elbv2.describe_listeners(LoadBalancerArn=arn)["Listeners"]

    if not aws_target.patched:
        assert len(listeners) == 2, gap_message(16, PATCH)
        return

    assert again["Listeners"][0]["ListenerArn"] == first["Listeners"][0]["ListenerArn"]
    assert len(listeners) == 1
    redirect = [{"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}]
    with pytest.raises(ClientError) as raised:
        elbv2.create_listener(LoadBalancerArn=arn, Protocol="HTTP", Port=80, DefaultActions=redirect)
    assert raised.value.response["Error"]["Code"] == "DuplicateListener"
