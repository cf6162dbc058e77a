"""The emulator counts API calls by service and action, so benchmarks can report how many calls a run makes."""

import requests
from support.aws import Endpoint

CALLS = "/_triflow/calls"


def test_calls_are_counted_by_service_and_action_and_reset(patched_emulator: Endpoint) -> None:
    requests.delete(patched_emulator.endpoint + CALLS, timeout=10).raise_for_status()
    ec2 = patched_emulator.client("ec2")  # query protocol: the action is in the form body
    ec2.describe_vpcs()
    ec2.describe_vpcs()
    patched_emulator.client("ecs").list_clusters()  # JSON protocol: the action is in X-Amz-Target
    patched_emulator.client("s3").list_buckets()  # REST protocol: counted by method
    patched_emulator.client("cloudwatch").describe_alarms()  # Smithy RPC v2 CBOR: the operation is in the path

    counted = requests.get(patched_emulator.endpoint + CALLS, timeout=10).json()
    assert counted["calls"] == {
        "ec2.DescribeVpcs": 2,
        "ecs.ListClusters": 1,
        "monitoring.DescribeAlarms": 1,
        "s3.GET": 1,
    }
    assert counted["total"] == 5

    requests.delete(patched_emulator.endpoint + CALLS, timeout=10).raise_for_status()
    cleared = requests.get(patched_emulator.endpoint + CALLS, timeout=10).json()
    assert cleared == {"total": 0, "calls": {}, "faults": {"total": 0, "calls": {}}}


def test_form_body_still_reaches_moto_after_counting(patched_emulator: Endpoint) -> None:
    ec2 = patched_emulator.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.99.0.0/16")["Vpc"]
    assert ec2.describe_vpcs(VpcIds=[vpc["VpcId"]])["Vpcs"][0]["CidrBlock"] == "10.99.0.0/16"
