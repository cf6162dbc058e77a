"""triflow.platform.ec2_vpc_flow_log and ec2_vpc_endpoint_policy run as Ansible runs them, against the emulator.

The emulator counts API calls: each test shows which writes the module made (none when nothing differs, none in
check mode).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from ansible_collections.triflow.platform.plugins.modules import ec2_vpc_endpoint_policy, ec2_vpc_flow_log
from support.emulator import Emulator

ROLE = "arn:aws:iam::123456789012:role/triflow-test-flow-logs"
POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": ["arn:aws:s3:::triflow-test-files"],
            "Condition": {"StringEquals": {"aws:PrincipalAccount": "123456789012"}},
        }
    ],
}


@pytest.fixture
def run_flow_log(run_main: Callable[..., Any]) -> Callable[..., dict[str, Any]]:
    def run(args: dict[str, Any], check_mode: bool = False, diff: bool = False) -> dict[str, Any]:
        return run_main(ec2_vpc_flow_log.main, args, check_mode, diff).result

    return run


@pytest.fixture
def vpc_and_group(emulator: Emulator) -> tuple[str, str]:
    vpc = emulator.client("ec2").create_vpc(CidrBlock="10.77.0.0/16")["Vpc"]["VpcId"]
    group = f"/aws/vpc/triflow-test-{uuid.uuid4().hex[:8]}"
    emulator.client("logs").create_log_group(logGroupName=group)
    return vpc, group


def flow_logs(emulator: Emulator, vpc: str) -> list[dict[str, Any]]:
    return emulator.client("ec2").describe_flow_logs(Filters=[{"Name": "resource-id", "Values": [vpc]}])["FlowLogs"]


def test_creates_the_flow_log_once_then_changes_nothing(emulator: Emulator, run_flow_log, vpc_and_group) -> None:
    vpc, group = vpc_and_group
    args = emulator.module_args(
        vpc_id=vpc, log_group_name=group, deliver_logs_permission_arn=ROLE, tags={"Name": "triflow-test-flow-logs"}
    )
    preview = run_flow_log(args, check_mode=True)
    assert preview["changed"] and flow_logs(emulator, vpc) == []

    created = run_flow_log(args)
    assert created["changed"] and created["flow_log"]["traffic_type"] == "ALL"
    [log] = flow_logs(emulator, vpc)
    assert (log["LogGroupName"], log["DeliverLogsPermissionArn"], log["MaxAggregationInterval"]) == (group, ROLE, 600)
    assert {"Key": "Name", "Value": "triflow-test-flow-logs"} in log["Tags"]

    emulator.clear_calls()
    again = run_flow_log(args)
    assert not again["changed"] and again["differences"] == []
    assert emulator.call_names() == {"ec2.DescribeFlowLogs"}


def test_a_changed_setting_replaces_the_flow_log_and_says_which(
    emulator: Emulator, run_flow_log, vpc_and_group
) -> None:
    vpc, group = vpc_and_group
    args = emulator.module_args(vpc_id=vpc, log_group_name=group, deliver_logs_permission_arn=ROLE)
    run_flow_log(args)
    [before] = flow_logs(emulator, vpc)
    result = run_flow_log({**args, "traffic_type": "REJECT"}, diff=True)
    assert result["changed"] and result["differences"] == ["traffic_type"]
    [after] = flow_logs(emulator, vpc)
    assert after["TrafficType"] == "REJECT" and after["FlowLogId"] != before["FlowLogId"]
    assert result["diff"]["before"]["traffic_type"] == "ALL"


def test_absent_deletes_it_and_check_mode_only_says_so(emulator: Emulator, run_flow_log, vpc_and_group) -> None:
    vpc, group = vpc_and_group
    run_flow_log(emulator.module_args(vpc_id=vpc, log_group_name=group, deliver_logs_permission_arn=ROLE))
    absent = emulator.module_args(vpc_id=vpc, log_group_name=group, state="absent")
    assert run_flow_log(absent, check_mode=True)["changed"] and len(flow_logs(emulator, vpc)) == 1
    assert run_flow_log(absent)["changed"] and flow_logs(emulator, vpc) == []
    assert not run_flow_log(absent)["changed"]


def test_present_without_a_role_is_refused_naming_the_option(emulator: Emulator, run_flow_log, vpc_and_group) -> None:
    vpc, group = vpc_and_group
    result = run_flow_log(emulator.module_args(vpc_id=vpc, log_group_name=group))
    assert result["failed"] and "deliver_logs_permission_arn" in result["msg"]


def test_the_endpoint_policy_is_set_once_and_compared_by_meaning(emulator: Emulator, run_main) -> None:
    ec2 = emulator.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.78.0.0/16")["Vpc"]["VpcId"]
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    endpoint = ec2.create_vpc_endpoint(VpcId=vpc, ServiceName="com.amazonaws.ap-northeast-2.s3", RouteTableIds=[table])[
        "VpcEndpoint"
    ]["VpcEndpointId"]

    def run(policy: Any, check_mode: bool = False) -> dict[str, Any]:
        args = emulator.module_args(vpc_endpoint_id=endpoint, policy=policy)
        return run_main(ec2_vpc_endpoint_policy.main, args, check_mode, False).result

    assert run(POLICY, check_mode=True)["changed"]
    assert (
        json.loads(ec2.describe_vpc_endpoints(VpcEndpointIds=[endpoint])["VpcEndpoints"][0]["PolicyDocument"]) != POLICY
    )
    assert run(POLICY)["changed"]
    assert (
        json.loads(ec2.describe_vpc_endpoints(VpcEndpointIds=[endpoint])["VpcEndpoints"][0]["PolicyDocument"]) == POLICY
    )
    # The same policy with a one-item list as a string, and JSON text: no change, no write.
    same = json.loads(json.dumps(POLICY))
    same["Statement"][0]["Resource"] = "arn:aws:s3:::triflow-test-files"
    emulator.clear_calls()
    assert not run(json.dumps(same))["changed"]
    assert "ec2.ModifyVpcEndpoint" not in emulator.call_names()


def test_a_missing_endpoint_is_named(emulator: Emulator, run_main) -> None:
    args = emulator.module_args(vpc_endpoint_id="vpce-0123456789abcdef0", policy=POLICY)
    result = run_main(ec2_vpc_endpoint_policy.main, args, False, False).result
    assert result["failed"] and "vpce-0123456789abcdef0 does not exist" in result["msg"]


def test_an_answer_without_the_version_is_no_difference(emulator: Emulator, run_main) -> None:
    # DescribeVpcEndpoints may return the document without Version (LocalStack does): nothing to change then.
    ec2 = emulator.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.79.0.0/16")["Vpc"]["VpcId"]
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    unversioned = {key: value for key, value in POLICY.items() if key != "Version"}
    endpoint = ec2.create_vpc_endpoint(
        VpcId=vpc,
        ServiceName="com.amazonaws.ap-northeast-2.s3",
        RouteTableIds=[table],
        PolicyDocument=json.dumps(unversioned),
    )["VpcEndpoint"]["VpcEndpointId"]
    args = emulator.module_args(vpc_endpoint_id=endpoint, policy=POLICY)
    assert not run_main(ec2_vpc_endpoint_policy.main, args, False, False).result["changed"]
    other = {**unversioned, "Statement": [{**POLICY["Statement"][0], "Action": "s3:GetObject"}]}
    args = emulator.module_args(vpc_endpoint_id=endpoint, policy={**other, "Version": "2012-10-17"})
    assert run_main(ec2_vpc_endpoint_policy.main, args, False, False).result["changed"]
