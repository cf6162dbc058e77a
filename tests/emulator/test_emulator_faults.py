"""Fault injection (TRIFLOW_EMULATOR_FAULTS, /_triflow/faults): each service's own throttling and server errors,
before or after the call is carried out, in the call log, and retried by botocore as AWS's are."""

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
import requests
from botocore.config import Config
from botocore.exceptions import ClientError
from support.aws import REGION, unique
from support.emulator import Emulator, Launcher, fresh_state_dir, running_emulator

FAULTS = "/_triflow/faults"


@pytest.fixture
def emulator(patched_emulator: Emulator) -> Iterator[Emulator]:
    """The session's emulator with no faults and an empty call log; faults are cleared again afterwards."""
    patched_emulator.clear_faults()
    patched_emulator.clear_calls()
    yield patched_emulator
    patched_emulator.clear_faults()


def retrying(emulator: Emulator, service: str, attempts: int = 5) -> Any:
    """A client in botocore's standard retry mode, as the project's modules use."""
    config = Config(retries={"mode": "standard", "total_max_attempts": attempts})
    return boto3.client(service, region_name=REGION, endpoint_url=emulator.endpoint, config=config)


def once(emulator: Emulator, service: str) -> Any:
    """A client that makes each call once: it sees the first answer, fault or not."""
    config = Config(retries={"mode": "standard", "total_max_attempts": 1})
    return boto3.client(service, region_name=REGION, endpoint_url=emulator.endpoint, config=config)


def error_of(call: Any) -> tuple[str, int]:
    with pytest.raises(ClientError) as raised:
        call()
    response = raised.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


# (service, call, the log's name, throttling code and status that service answers)
THROTTLED = [
    ("ec2", lambda c: c.describe_vpcs(), "ec2.DescribeVpcs", "RequestLimitExceeded", 503),
    ("s3", lambda c: c.list_buckets(), "s3.GET", "SlowDown", 503),
    ("rds", lambda c: c.describe_db_instances(), "rds.DescribeDBInstances", "Throttling", 400),
    ("iam", lambda c: c.list_roles(), "iam.ListRoles", "Throttling", 400),
    ("ecs", lambda c: c.list_clusters(), "ecs.ListClusters", "ThrottlingException", 400),
    ("secretsmanager", lambda c: c.list_secrets(), "secretsmanager.ListSecrets", "ThrottlingException", 400),
    ("cloudwatch", lambda c: c.describe_alarms(), "monitoring.DescribeAlarms", "ThrottlingException", 400),
]


@pytest.mark.parametrize(("service", "call", "name", "code", "status"), THROTTLED, ids=[t[0] for t in THROTTLED])
def test_each_service_answers_its_own_throttling_error_and_botocore_retries_it(
    emulator: Emulator, service: str, call: Any, name: str, code: str, status: int
) -> None:
    emulator.set_faults(f"{name}:throttle=1,times=1")
    assert error_of(lambda: call(once(emulator, service))) == (code, status)

    emulator.set_faults(f"{name}:throttle=1,times=1")
    answer = call(retrying(emulator, service))
    assert answer["ResponseMetadata"]["RetryAttempts"] == 1
    assert emulator.calls()["calls"][name] == 3
    assert emulator.calls()["faults"]["calls"] == {name: {"throttle": 2}}


def test_an_error_before_the_write_leaves_nothing_behind(emulator: Emulator) -> None:
    ec2 = once(emulator, "ec2")
    name = unique("fault-before")
    emulator.set_faults("ec2.CreateVpc:error=1,times=1")
    tags = [{"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": name}]}]
    code, status = error_of(lambda: ec2.create_vpc(CidrBlock="10.70.0.0/16", TagSpecifications=tags))
    assert (code, status) in {("InternalError", 500), ("Unavailable", 503)}
    assert ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": [name]}])["Vpcs"] == []


def test_an_error_after_the_write_is_seen_by_the_client_but_the_write_happened(emulator: Emulator) -> None:
    """The case that makes duplicates: a client that retries CreateVpc on the 500 creates a second VPC."""
    name = unique("fault-after")
    tags = [{"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": name}]}]
    emulator.set_faults("ec2.CreateVpc:error=1,when=after,times=1")
    code, _status = error_of(lambda: once(emulator, "ec2").create_vpc(CidrBlock="10.71.0.0/16", TagSpecifications=tags))
    assert code in {"InternalError", "Unavailable"}
    found = once(emulator, "ec2").describe_vpcs(Filters=[{"Name": "tag:Name", "Values": [name]}])["Vpcs"]
    assert len(found) == 1

    emulator.set_faults("ec2.CreateVpc:error=1,when=after,times=1")
    retrying(emulator, "ec2").create_vpc(CidrBlock="10.71.0.0/16", TagSpecifications=tags)
    found = once(emulator, "ec2").describe_vpcs(Filters=[{"Name": "tag:Name", "Values": [name]}])["Vpcs"]
    assert len(found) == 3
    log = emulator.calls()["faults"]["calls"]
    assert log == {"ec2.CreateVpc": {"error_after": 2}}


def test_the_most_specific_rule_applies_and_times_limits_a_rule(emulator: Emulator) -> None:
    emulator.set_faults("throttle=1;sts:throttle=0;ecs.ListClusters:throttle=1,times=2;ecs:error=0")
    once(emulator, "sts").get_caller_identity()
    assert error_of(lambda: once(emulator, "ec2").describe_vpcs())[0] == "RequestLimitExceeded"
    ecs = once(emulator, "ecs")
    assert [error_of(ecs.list_clusters)[0] for _ in range(2)] == ["ThrottlingException"] * 2
    ecs.list_clusters()  # the rule's two faults are spent: its calls follow the service's rule, no faults
    described = requests.get(emulator.endpoint + FAULTS, timeout=10).json()
    assert described["injected"] == {"*": 1, "ecs.ListClusters": 2}


def test_a_spent_rule_hands_its_calls_to_the_next_less_specific_one(emulator: Emulator) -> None:
    emulator.set_faults("throttle=1;sts.GetCallerIdentity:error=1,when=after,times=1")
    emulator.clear_calls()
    sts = once(emulator, "sts")
    assert error_of(sts.get_caller_identity)[0] in {"InternalFailure", "ServiceUnavailable"}
    assert error_of(sts.get_caller_identity)[0] == "Throttling"
    kinds = [entry["fault"]["kind"] for entry in emulator.calls(log=True)["log"]]
    assert kinds == ["error_after", "throttle"]


def outcomes(emulator: Emulator, spec: str, calls: int) -> list[str]:
    emulator.set_faults(spec)
    emulator.clear_calls()
    sts = once(emulator, "sts")
    for _ in range(calls):
        try:
            sts.get_caller_identity()
        except ClientError as exc:
            assert exc.response["Error"]["Code"] in {"Throttling", "InternalFailure", "ServiceUnavailable"}
    log = emulator.calls(log=True)["log"]
    return [entry.get("fault", {}).get("kind", "ok") for entry in log]


def test_a_seeded_spec_repeats_its_faults_in_the_given_shares(emulator: Emulator) -> None:
    first = outcomes(emulator, "throttle=0.3,error=0.2,when=any,seed=11", 400)
    assert outcomes(emulator, "throttle=0.3,error=0.2,when=any,seed=11", 400) == first
    assert outcomes(emulator, "throttle=0.3,error=0.2,when=any,seed=12", 400) != first
    share = {kind: first.count(kind) / len(first) for kind in ("ok", "throttle", "error_before", "error_after")}
    assert 0.42 <= share["ok"] <= 0.58
    assert 0.22 <= share["throttle"] <= 0.38
    assert 0.05 <= share["error_before"] <= 0.15
    assert 0.05 <= share["error_after"] <= 0.15


def test_the_call_log_holds_the_calls_in_order_with_their_faults(emulator: Emulator) -> None:
    emulator.set_faults("ec2.DescribeVpcs:throttle=1,times=1")
    retrying(emulator, "ec2").describe_vpcs()
    once(emulator, "ecs").list_clusters()
    answer = emulator.calls(log=True)
    entries = [(entry["call"], entry.get("fault")) for entry in answer["log"]]
    throttled = {"kind": "throttle", "code": "RequestLimitExceeded", "status": 503}
    assert entries == [("ec2.DescribeVpcs", throttled), ("ec2.DescribeVpcs", None), ("ecs.ListClusters", None)]
    assert [entry["seq"] for entry in answer["log"]] == sorted(entry["seq"] for entry in answer["log"])
    assert answer["faults"] == {"total": 1, "calls": {"ec2.DescribeVpcs": {"throttle": 1}}}
    assert "log" not in emulator.calls()


def test_faults_are_set_shown_and_cleared_at_run_time(emulator: Emulator) -> None:
    described = emulator.set_faults("throttle=0.5,seed=3;rds:error=0.1,when=after")
    assert described["seed"] == 3
    assert described["rules"] == [
        {"scope": "*", "throttle": 0.5, "error": 0.0, "when": "before", "times": None},
        {"scope": "rds", "throttle": 0.0, "error": 0.1, "when": "after", "times": None},
    ]
    as_json = requests.post(emulator.endpoint + FAULTS, json={"spec": "ec2:throttle=1"}, timeout=10).json()
    assert [rule["scope"] for rule in as_json["rules"]] == ["ec2"]

    refused = requests.post(emulator.endpoint + FAULTS, data="throttle=1.5", timeout=10)
    assert refused.status_code == 400
    assert refused.json()["error"] == "/_triflow/faults: throttle='1.5' must be a probability from 0 to 1"
    assert requests.get(emulator.endpoint + FAULTS, timeout=10).json()["spec"] == "ec2:throttle=1"

    emulator.clear_faults()
    once(emulator, "ec2").describe_vpcs()
    assert requests.get(emulator.endpoint + FAULTS, timeout=10).json() == {
        "spec": "",
        "seed": None,
        "rules": [],
        "injected": {},
    }


def test_faults_set_at_start_apply_from_the_first_call(dummy_aws_env: None) -> None:
    with running_emulator("faults-at-start", TRIFLOW_EMULATOR_FAULTS="sts:throttle=1,times=1") as started:
        assert error_of(lambda: once(started, "sts").get_caller_identity()) == ("Throttling", 400)
        once(started, "sts").get_caller_identity()


def test_a_bad_spec_at_start_is_refused_naming_the_setting() -> None:
    launcher = Launcher(state_dir=fresh_state_dir("faults-bad"))
    started = launcher.run("start", TRIFLOW_EMULATOR_FAULTS="ec2:seed=1")
    assert started.returncode == 2
    assert "TRIFLOW_EMULATOR_FAULTS: seed applies to the whole spec" in started.stderr
    assert not launcher.pid_file.exists()
