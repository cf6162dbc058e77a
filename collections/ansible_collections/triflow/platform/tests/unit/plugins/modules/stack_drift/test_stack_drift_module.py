"""triflow.platform.stack_drift run as Ansible runs it, against the project's emulator on a free port.

The desired states are the roles' own for customer acme (tests/support/roles.py), each test under a name of its
own where it builds something. The whole stack, converged and changed out of band, is tested by
tests/integration/drift.
"""

from __future__ import annotations

import copy
import json
import re
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from ansible_collections.triflow.platform.plugins.module_utils.cloudwatch_metric_alarms import put_params, wanted_view
from ansible_collections.triflow.platform.plugins.module_utils.roles.drift import ROLES
from ansible_collections.triflow.platform.plugins.modules import stack_drift
from support import roles
from support.emulator import Emulator

READ = re.compile(r"^[a-z0-9-]+\.(Describe|List|Get|Head)[A-Za-z]*$")


def desired() -> dict[str, Any]:
    facts = roles.published_facts("drift")
    return copy.deepcopy({role: facts[f"{role}_desired_state"] for role in ROLES})


@pytest.fixture
def run(run_main: Callable[..., Any], emulator: Emulator) -> Callable[..., Any]:
    def run_module(state: dict[str, Any], **options: Any) -> Any:
        args = emulator.module_args(stack="triflow-acme-prod", account_id=emulator.account_id(), desired=state)
        return run_main(stack_drift.main, {**args, **options}).result

    return run_module


def test_a_stack_that_does_not_exist_is_every_resource_missing_and_only_read(run) -> None:
    state = desired()
    result = run(state)
    assert not result.get("failed") and result["changed"] is False, result
    findings = result["report"]["findings"]
    assert {item["kind"] for item in findings} == {"missing"}
    missing = {(item["resource_type"], item["resource"]) for item in findings}
    assert ("vpc", state["network"]["vpc"]["name"]) in missing
    assert ("db_instance", state["rds"]["identifier"]) in missing
    assert ("s3_bucket", state["storage"]["bucket"]) in missing
    assert {("secret", secret["name"]) for secret in state["secrets"]} <= missing
    assert {("cloudwatch_alarm", alarm["name"]) for alarm in state["alarms"]["alarms"]} <= missing
    assert result["drift"] is True and result["report"]["counts"]["missing"] == len(findings)
    assert result["report"]["api_calls"] == len(result["calls"]) > 0
    assert [call for call in result["calls"] if not READ.match(call)] == []
    assert result["markdown"].startswith("# Drift of triflow-acme-prod: drift")


def registry(emulator: Emulator, scan_on_push: bool) -> dict[str, Any]:
    state = desired()
    name = f"triflow-t{uuid.uuid4().hex[:8]}-backend"
    state["ecr"].update(name=name)
    ecr = emulator.client("ecr")
    ecr.create_repository(
        repositoryName=name,
        imageTagMutability="IMMUTABLE",
        imageScanningConfiguration={"scanOnPush": scan_on_push},
        encryptionConfiguration={"encryptionType": "AES256"},
        tags=[{"Key": key, "Value": value} for key, value in state["ecr"]["tags"].items()],
    )
    ecr.put_lifecycle_policy(repositoryName=name, lifecyclePolicyText=json.dumps(state["ecr"]["lifecycle_policy"]))
    return state


def test_a_matching_repository_has_no_finding_and_a_changed_field_is_named(run, emulator: Emulator) -> None:
    clean = run(registry(emulator, scan_on_push=True), areas=["registry"])
    assert clean["report"]["findings"] == [] and clean["drift"] is False, clean
    state = registry(emulator, scan_on_push=False)
    (finding,) = run(state, areas=["registry"])["report"]["findings"]
    assert finding == {
        "kind": "changed",
        "resource_type": "ecr_repository",
        "resource": state["ecr"]["name"],
        "field": "scan_on_push",
        "desired": True,
        "actual": False,
        "accepted": False,
    }


def test_accepted_drift_counts_until_its_date(run, emulator: Emulator) -> None:
    state = registry(emulator, scan_on_push=False)
    accept = [{"resource": state["ecr"]["name"], "field": "scan_on_push", "reason": "OPS-9", "until": "2026-12-31"}]
    before = run(state, areas=["registry"], accept=accept, today="2026-12-31")
    assert before["drift"] is False and before["report"]["counts"] == {
        "missing": 0,
        "changed": 0,
        "extra": 0,
        "accepted": 1,
        "drift": 0,
    }
    after = run(state, areas=["registry"], accept=accept, today="2027-01-01")
    assert after["drift"] is True and after["report"]["findings"][0]["accepted_expired"].endswith("expired")


@pytest.mark.parametrize(
    ("options", "named"),
    [
        ({"accept": [{"resource": "x", "reason": "r", "until": "soon"}]}, "accept[0].until must be a date"),
        ({"today": "tomorrow"}, "today must be a date YYYY-MM-DD"),
    ],
)
def test_bad_options_are_named_before_any_call(run, options, named) -> None:
    result = run(desired(), **options)
    assert result["failed"] and named in result["msg"], result


def test_a_missing_desired_state_is_named(run) -> None:
    state = desired()
    del state["alarms"]
    result = run(state)
    assert result["failed"] and "desired lacks alarms" in result["msg"], result


def test_the_billing_alarm_is_read_in_us_east_1(run, emulator: Emulator) -> None:
    state = desired()
    facts = roles.published_facts("alarms")
    state["alarms"], errors = roles.result(
        "alarms", facts, alarms_billing_enabled=True, alarms_billing_threshold_usd=500
    )
    assert errors == []
    billing = state["alarms"]["billing"]
    name = f"triflow-t{uuid.uuid4().hex[:8]}-billing-high"
    billing["alarm"]["name"] = name
    actions = {"alarm_actions": [billing["topic_arn"]], "ok_actions": [billing["topic_arn"]]}
    cloudwatch = emulator.client("cloudwatch", "us-east-1")
    cloudwatch.put_metric_alarm(**put_params(wanted_view(billing["alarm"], actions)))

    def billing_findings() -> list[tuple[str, str | None, Any]]:
        found = run(state, areas=["observability"])["report"]["findings"]
        return [(item["kind"], item["field"], item["actual"]) for item in found if item["resource"] == name]

    assert billing_findings() == []
    cloudwatch.put_metric_alarm(**put_params(wanted_view(dict(billing["alarm"], threshold=900), actions)))
    assert billing_findings() == [("changed", "threshold", 900.0)]
    cloudwatch.delete_alarms(AlarmNames=[name])
    assert billing_findings() == [("missing", None, None)]


def test_what_is_tagged_as_the_stack_and_no_desired_state_holds_is_extra(run, emulator: Emulator) -> None:
    state = desired()
    identity = {"Project": "triflow", "Customer": f"t{uuid.uuid4().hex[:8]}", "Environment": "prod"}
    tags = [{"Key": key, "Value": value} for key, value in identity.items()]
    sns, secrets, logs, ec2 = (emulator.client(name) for name in ("sns", "secretsmanager", "logs", "ec2"))
    # Held by the desired states: the alarms topic, a secret (its ARN ends in a random suffix), the app's log group.
    sns.create_topic(Name=state["alarms"]["topic"]["name"], Tags=tags)
    secret = state["secrets"][0]["name"]
    secrets.create_secret(Name=secret, SecretString="x", Tags=tags)
    logs.create_log_group(logGroupName=state["ecs_service"]["log_group"]["name"], tags=identity)
    # Another stack's (same customer, another environment): not this stack's, whatever it is.
    sns.create_topic(Name="another-environment", Tags=[*tags[:2], {"Key": "Environment", "Value": "dev"}])
    # Held by none: a topic and a security group someone made as the stack's.
    stray = sns.create_topic(Name=f"{identity['Customer']}-stray", Tags=tags)["TopicArn"]
    vpc = ec2.create_vpc(CidrBlock="10.98.0.0/16")["Vpc"]["VpcId"]
    group = ec2.create_security_group(
        GroupName=f"{identity['Customer']}-debug",
        Description="debug box",
        VpcId=vpc,
        TagSpecifications=[{"ResourceType": "security-group", "Tags": tags}],
    )["GroupId"]
    try:
        result = run(state, areas=["tagged"], identity_tags=identity)
        found = {item["resource"]: item for item in result["report"]["findings"]}
        group_arn = f"arn:aws:ec2:ap-northeast-2:{emulator.account_id()}:security-group/{group}"
        assert sorted(found) == sorted([stray, group_arn]), found
        assert {(item["kind"], item["resource_type"], item["field"]) for item in found.values()} == {
            ("extra", "tagged_resource", "identity_tags")
        }
        assert found[stray]["actual"] == f"Customer={identity['Customer']}, Environment=prod, Project=triflow"
        assert result["calls"] and all(call == "resourcegroupstaggingapi.GetResources" for call in result["calls"])
        assert run(state, areas=["tagged"])["calls"] == [], "no identity tags: nothing to search for"
    finally:
        secrets.delete_secret(SecretId=secret, ForceDeleteWithoutRecovery=True)
        ec2.delete_security_group(GroupId=group)
        ec2.delete_vpc(VpcId=vpc)
        for topic in sns.list_topics()["Topics"]:
            sns.delete_topic(TopicArn=topic["TopicArn"])
        logs.delete_log_group(logGroupName=state["ecs_service"]["log_group"]["name"])
