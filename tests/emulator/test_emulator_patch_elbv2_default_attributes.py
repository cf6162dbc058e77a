"""ALB default attributes (patch elbv2_default_attributes)."""

from support.aws import Endpoint, unique
from support.emulator import gap_message

PATCH = "elbv2_default_attributes"


def test_new_alb_reports_idle_timeout_and_http2(aws_target: Endpoint) -> None:
    ec2 = aws_target.client("ec2")
    elbv2 = aws_target.client("elbv2")
    vpc = ec2.create_vpc(CidrBlock="10.90.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.90.{index}.0/24", AvailabilityZone=zone)["Subnet"]["SubnetId"]
        for index, zone in enumerate(("ap-northeast-2a", "ap-northeast-2c"))
    ]
    arn = elbv2.create_load_balancer(Name=unique("alb")[:32], Subnets=subnets)["LoadBalancers"][0]["LoadBalancerArn"]
    attributes = {
        item["Key"]: item["Value"]
        for item in elbv2.describe_load_balancer_attributes(LoadBalancerArn=arn)["Attributes"]
    }
    if aws_target.patched:
        assert attributes["idle_timeout.timeout_seconds"] == "60"
        assert attributes["routing.http2.enabled"] == "true"
        assert attributes["access_logs.s3.enabled"] == "false"
        assert attributes["routing.http.drop_invalid_header_fields.enabled"] == "false"
        elbv2.modify_load_balancer_attributes(
            LoadBalancerArn=arn, Attributes=[{"Key": "idle_timeout.timeout_seconds", "Value": "120"}]
        )
        changed = elbv2.describe_load_balancer_attributes(LoadBalancerArn=arn)["Attributes"]
        assert {"Key": "idle_timeout.timeout_seconds", "Value": "120"} in changed
    else:
        assert "idle_timeout.timeout_seconds" not in attributes, gap_message(13, PATCH)
        assert "access_logs.s3.enabled" not in attributes, gap_message(13, PATCH)
        assert "routing.http.drop_invalid_header_fields.enabled" not in attributes, gap_message(13, PATCH)
