"""LocalStack as make localstack runs it (tools/localstack/serve.py) answers like AWS where its moto does not.

Each test starts LocalStack stock and patched (tools/localstack/control.py, a state dir of its own, the virtualenv
make localstack installs) and shows the answer of each: stock unlike AWS, patched like AWS. make
molecule-localstack runs these before the scenario; the differences are listed in tools/emulator/README.md.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.aws import Endpoint

PROJECT = Path(__file__).resolve().parents[2]
CONTROL = PROJECT / "tools" / "localstack" / "control.py"
VENV = Path(os.environ.get("TRIFLOW_LOCALSTACK_VENV") or PROJECT / ".localstack" / "venv")


def _control(state: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, TRIFLOW_LOCALSTACK_DIR=str(state), TRIFLOW_LOCALSTACK_VENV=str(VENV))
    return subprocess.run(
        [sys.executable, str(CONTROL), *args], env=env, capture_output=True, text=True, timeout=180, check=False
    )


@pytest.fixture(scope="module", params=["stock", "patched"])
def localstack(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """(kind, endpoint URL) of a LocalStack started for these tests."""
    assert (VENV / "bin" / "python").exists(), f"{VENV} is missing: make localstack-venv installs it"
    state = tmp_path_factory.mktemp(f"localstack-{request.param}")
    started = _control(state, "start", *(["--stock"] if request.param == "stock" else []))
    assert started.returncode == 0, started.stdout + started.stderr
    url = _control(state, "url").stdout.strip()
    log = (state / "localstack.log").read_text()
    assert ("answers: stock" in log) == (request.param == "stock"), log[:2000]
    try:
        yield request.param, url
    finally:
        stopped = _control(state, "stop")
        assert stopped.returncode == 0, stopped.stdout + stopped.stderr


def _ec2(url: str):
    return Endpoint(url=url).client("ec2")


def test_create_route_table_answers_the_local_route_with_its_origin(localstack: tuple[str, str]) -> None:
    kind, url = localstack
    ec2 = _ec2(url)
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    [route] = ec2.create_route_table(VpcId=vpc)["RouteTable"]["Routes"]
    assert (route["DestinationCidrBlock"], route["GatewayId"]) == ("10.9.0.0/16", "local")
    # AWS: Origin CreateRouteTable (EC2 API Reference, Route); moto-ext 5.1.54 leaves it out.
    assert route.get("Origin") == (None if kind == "stock" else "CreateRouteTable")


def test_nat_gateway_tags_are_of_resource_type_natgateway_and_filter_the_gateways(localstack: tuple[str, str]) -> None:
    kind, url = localstack
    ec2 = _ec2(url)
    vpc = ec2.create_vpc(CidrBlock="10.8.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.8.1.0/24")["Subnet"]["SubnetId"]
    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    tags = [{"Key": "Name", "Value": f"nat-{kind}"}]
    nat = ec2.create_nat_gateway(
        SubnetId=subnet,
        AllocationId=allocation,
        TagSpecifications=[{"ResourceType": "natgateway", "Tags": tags}],
    )["NatGateway"]["NatGatewayId"]
    filters = [{"Name": "resource-id", "Values": [nat]}, {"Name": "resource-type", "Values": ["natgateway"]}]
    found = [(tag["Key"], tag["Value"]) for tag in ec2.describe_tags(Filters=filters)["Tags"]]
    named = ec2.describe_nat_gateways(Filters=[{"Name": "tag:Name", "Values": ["no-such-gateway"]}])["NatGateways"]
    if kind == "stock":
        # moto-ext: ResourceType nat-gateway, tag filters ignored.
        assert found == [] and [gateway["NatGatewayId"] for gateway in named] == [nat]
    else:
        assert found == [("Name", f"nat-{kind}")] and named == []


def test_get_dashboard_of_a_missing_dashboard_answers_resource_not_found(localstack: tuple[str, str]) -> None:
    kind, url = localstack
    cloudwatch = Endpoint(url=url).client("cloudwatch")
    with pytest.raises(cloudwatch.exceptions.ClientError) as raised:
        cloudwatch.get_dashboard(DashboardName=f"no-such-dashboard-{kind}")
    error = raised.value.response
    answer = (error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"])
    # AWS: ResourceNotFound, 404 (botocore's DashboardNotFoundError); LocalStack: InvalidParameterValue, 400.
    assert answer == (("InvalidParameterValue", 400) if kind == "stock" else ("ResourceNotFound", 404))
