"""triflow.platform.stack_teardown run as Ansible runs it, against the project's emulator on a free port.

Each test builds a small stack of its own with boto3 (a VPC with two subnets and two security groups whose rules
name each other, a secret, a log group, a versioned bucket), under a prefix no other test uses, and tears it down.
The whole stack's teardown (every kind, in site.yml's names) is tested by tests/integration/teardown.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from ansible_collections.triflow.platform.plugins.module_utils.roles.destroy import STEP_OF
from ansible_collections.triflow.platform.plugins.modules import stack_teardown
from botocore.exceptions import ClientError
from support.emulator import Emulator


def tag_list(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": key, "Value": value} for key, value in tags.items()]


class Stack:
    """A small stack made with boto3, and the module's arguments to tear it down."""

    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator
        self.prefix = f"triflow-t{uuid.uuid4().hex[:8]}-test"
        self.identity = {"Project": "triflow", "Customer": self.prefix.split("-")[1], "Environment": "test"}
        self.bucket = f"{self.prefix}-files"
        self.ids: dict[str, str] = {}

    def tags(self, name: str, **override: str) -> list[dict[str, str]]:
        return tag_list({**self.identity, "Name": name, **override})

    def build(self, vpc_tags: dict[str, str] | None = None) -> Stack:
        ec2 = self.emulator.client("ec2")
        vpc_name = f"{self.prefix}-vpc"
        vpc = ec2.create_vpc(
            CidrBlock="10.60.0.0/16",
            TagSpecifications=[{"ResourceType": "vpc", "Tags": self.tags(vpc_name, **(vpc_tags or {}))}],
        )["Vpc"]["VpcId"]
        self.ids["vpc"] = vpc
        for index, zone in enumerate(("ap-northeast-2a", "ap-northeast-2c")):
            name = f"{self.prefix}-private-{zone}"
            ec2.create_subnet(
                VpcId=vpc,
                CidrBlock=f"10.60.{index}.0/24",
                AvailabilityZone=zone,
                TagSpecifications=[{"ResourceType": "subnet", "Tags": self.tags(name)}],
            )
        groups = {}
        for role in ("app", "db"):
            name = f"{self.prefix}-{role}"
            groups[role] = ec2.create_security_group(
                GroupName=name,
                Description=name,
                VpcId=vpc,
                TagSpecifications=[{"ResourceType": "security-group", "Tags": self.tags(name)}],
            )["GroupId"]
        # The groups name each other: neither can go before the rules are revoked.
        for source, target in (("app", "db"), ("db", "app")):
            ec2.authorize_security_group_ingress(
                GroupId=groups[target],
                IpPermissions=[
                    {
                        "IpProtocol": "tcp",
                        "FromPort": 5432,
                        "ToPort": 5432,
                        "UserIdGroupPairs": [{"GroupId": groups[source]}],
                    }
                ],
            )
        secrets = self.emulator.client("secretsmanager")
        secrets.create_secret(Name=f"{self.prefix}/app-secret-key", SecretString="s3cret", Tags=self.tags("x"))
        logs = self.emulator.client("logs")
        logs.create_log_group(logGroupName=f"/aws/ecs/{self.prefix}-backend", tags={**self.identity})
        s3 = self.emulator.client("s3")
        s3.create_bucket(Bucket=self.bucket, CreateBucketConfiguration={"LocationConstraint": "ap-northeast-2"})
        s3.put_bucket_tagging(Bucket=self.bucket, Tagging={"TagSet": self.tags(self.bucket)})
        s3.put_bucket_versioning(Bucket=self.bucket, VersioningConfiguration={"Status": "Enabled"})
        for body in (b"one", b"two"):
            s3.put_object(Bucket=self.bucket, Key="tenants/a/file.txt", Body=body)
        s3.delete_object(Bucket=self.bucket, Key="tenants/a/file.txt")
        return self

    def resources(self) -> list[dict[str, Any]]:
        vpc = f"{self.prefix}-vpc"

        def spec(kind: str, name: str, **extra: Any) -> dict[str, Any]:
            return {"step": STEP_OF[kind], "kind": kind, "name": name, **extra}

        found = [spec("vpc", vpc)]
        found += [
            spec("subnet", f"{self.prefix}-private-{zone}", vpc=vpc) for zone in ("ap-northeast-2a", "ap-northeast-2c")
        ]
        for role in ("app", "db"):
            found += [
                spec("security_group_rules", f"{self.prefix}-{role}", vpc=vpc),
                spec("security_group", f"{self.prefix}-{role}", vpc=vpc),
            ]
        found += [
            spec("secret", f"{self.prefix}/app-secret-key"),
            spec("log_group", f"/aws/ecs/{self.prefix}-backend"),
            spec("s3_bucket", self.bucket),
            spec("db_instance", f"{self.prefix}-db"),
        ]
        return sorted(found, key=lambda item: item["step"])

    def args(self, **options: Any) -> dict[str, Any]:
        return self.emulator.module_args(
            name_prefix=self.prefix,
            account_id=self.emulator.account_id(),
            identity_tags=self.identity,
            resources=self.resources(),
            poll_interval=0.1,
            wait_timeout=60,
            **options,
        )

    def vpcs(self) -> list[dict[str, Any]]:
        return self.emulator.client("ec2").describe_vpcs(
            Filters=[{"Name": "tag:Name", "Values": [f"{self.prefix}-vpc"]}]
        )["Vpcs"]

    def subnets(self) -> list[dict[str, Any]]:
        return self.emulator.client("ec2").describe_subnets(
            Filters=[{"Name": "tag:Name", "Values": [f"{self.prefix}-private-*"]}]
        )["Subnets"]

    def secret(self) -> dict[str, Any]:
        return self.emulator.client("secretsmanager").describe_secret(SecretId=f"{self.prefix}/app-secret-key")

    def object_versions(self) -> int:
        listed = self.emulator.client("s3").list_object_versions(Bucket=self.bucket)
        return len(listed.get("Versions", [])) + len(listed.get("DeleteMarkers", []))


@pytest.fixture
def run(run_main: Callable[..., Any]) -> Callable[..., Any]:
    def run_module(args: dict[str, Any], check_mode: bool = False) -> Any:
        return run_main(stack_teardown.main, args, check_mode).result

    return run_module


@pytest.fixture
def stack(emulator: Emulator) -> Stack:
    return Stack(emulator).build()


def actions(result: dict[str, Any]) -> dict[tuple[str, str], str]:
    return {(row["kind"], row["name"]): row["action"] for row in result["plan"]}


def test_without_execute_it_lists_and_deletes_nothing(stack: Stack, run) -> None:
    result = run(stack.args())
    assert not result.get("failed"), result
    assert result["changed"] is False
    plan = actions(result)
    assert plan[("vpc", f"{stack.prefix}-vpc")] == "delete"
    assert plan[("s3_bucket", stack.bucket)] == "keep"
    assert plan[("db_instance", f"{stack.prefix}-db")] == "absent"
    assert f"would delete vpc {stack.prefix}-vpc ({stack.ids['vpc']}): 10.60.0.0/16" in result["summary"]
    assert len(stack.vpcs()) == 1 and len(stack.subnets()) == 2 and "DeletedDate" not in stack.secret()


def test_check_mode_says_a_real_run_would_change_and_deletes_nothing(stack: Stack, run) -> None:
    result = run(stack.args(execute=True), check_mode=True)
    assert result["changed"] is True and result["actions"] == []
    assert len(stack.vpcs()) == 1 and len(stack.subnets()) == 2


def test_a_resource_tagged_as_another_stack_stops_everything(emulator: Emulator, run) -> None:
    stack = Stack(emulator).build(vpc_tags={"Customer": "globex"})
    result = run(stack.args(execute=True))
    assert result["failed"] and result["msg"].startswith("Nothing deleted: vpc")
    assert "tagged as another stack (Customer=globex)" in result["msg"]
    [blocked] = result["blocked"]
    assert blocked["id"] == stack.ids["vpc"] and blocked["action"] == "refused"
    # Nothing at all was deleted, not even what is this stack's.
    assert len(stack.vpcs()) == 1 and len(stack.subnets()) == 2 and "DeletedDate" not in stack.secret()


def test_execute_deletes_in_order_keeps_the_bucket_and_a_rerun_changes_nothing(stack: Stack, run) -> None:
    result = run(stack.args(execute=True, secrets_recovery_days=10))
    assert not result.get("failed"), result
    assert result["changed"] is True and result["leftovers"] == []
    done = [(item["kind"], item["action"]) for item in result["actions"]]
    assert done.index(("security_group_rules", "deleted")) < done.index(("security_group", "deleted"))
    assert done.index(("subnet", "deleted")) < done.index(("vpc", "deleted"))
    assert stack.vpcs() == [] and stack.subnets() == []
    # The secret is scheduled for deletion (restorable), not deleted; the bucket keeps every version of its objects.
    assert "DeletedDate" in stack.secret()
    assert stack.object_versions() == 3
    again = run(stack.args(execute=True))
    assert not again.get("failed"), again
    assert again["changed"] is False and again["actions"] == []
    assert actions(again)[("secret", f"{stack.prefix}/app-secret-key")] == "scheduled"


def test_destroy_bucket_empties_every_version_first(stack: Stack, run, emulator: Emulator) -> None:
    result = run(stack.args(execute=True, destroy_bucket=True))
    assert not result.get("failed"), result
    with pytest.raises(ClientError):
        emulator.client("s3").head_bucket(Bucket=stack.bucket)


def test_what_is_tagged_as_the_stack_but_not_declared_is_listed_as_left(stack: Stack, run, emulator: Emulator) -> None:
    by_hand = emulator.client("secretsmanager").create_secret(
        Name=f"{stack.prefix}/made-by-hand", SecretString="x", Tags=stack.tags("by hand")
    )["ARN"]
    result = run(stack.args(execute=True))
    # Everything declared is gone; the tagging API finds what nothing declares, and the run fails naming it.
    assert result["failed"] and stack.vpcs() == []
    assert result["msg"].startswith(f"Left behind after the teardown of {stack.prefix}: secretsmanager {by_hand}")
    assert [item["found_by"] for item in result["leftovers"]] == ["tagging API"]
    assert result["tagging_api"] == "checked in ap-northeast-2"


def test_a_bad_recovery_window_is_named(stack: Stack, run) -> None:
    result = run(stack.args(execute=True, secrets_recovery_days=3))
    assert result["failed"] and "secrets_recovery_days must be 7 to 30, got 3" in result["msg"]


def replication_group(emulator: Emulator, wait_timeout: int) -> tuple[str, dict[str, Any]]:
    """A replication group of its own stack (``deleting`` for the slow emulator's delay), and the module's args."""
    prefix = f"triflow-t{uuid.uuid4().hex[:8]}-test"
    identity = {"Project": "triflow", "Customer": prefix.split("-")[1], "Environment": "test"}
    emulator.client("elasticache").create_replication_group(
        ReplicationGroupId=f"{prefix}-redis",
        ReplicationGroupDescription="teardown wait test",
        Engine="redis",
        CacheNodeType="cache.t4g.small",
        NumCacheClusters=1,
        Tags=tag_list(identity),
    )
    resources = [{"step": STEP_OF["replication_group"], "kind": "replication_group", "name": f"{prefix}-redis"}]
    return prefix, emulator.module_args(
        name_prefix=prefix,
        account_id=emulator.account_id(),
        identity_tags=identity,
        resources=resources,
        execute=True,
        poll_interval=0.2,
        wait_timeout=wait_timeout,
    )


def test_a_slow_deletion_is_waited_for_and_leaves_its_final_snapshot(slow_emulator: Emulator, run) -> None:
    prefix, args = replication_group(slow_emulator, wait_timeout=60)
    result = run(args)
    assert not result.get("failed"), result
    [snapshot] = result["final_snapshots"]
    assert snapshot["source"] == f"{prefix}-redis" and snapshot["name"].startswith(f"{prefix}-final-")
    elasticache = slow_emulator.client("elasticache")
    assert elasticache.describe_snapshots(SnapshotName=snapshot["name"])["Snapshots"]
    with pytest.raises(ClientError):
        elasticache.describe_replication_groups(ReplicationGroupId=f"{prefix}-redis")


def test_a_deletion_past_the_wait_timeout_fails_naming_what_is_still_there(slow_emulator: Emulator, run) -> None:
    prefix, args = replication_group(slow_emulator, wait_timeout=1)
    result = run(args)
    assert result["failed"]
    assert f"still there after the wait timeout: replication_group {prefix}-redis ({prefix}-redis)" in result["msg"]
    # The deletion it started goes on; the next run waits for it instead of deleting it again.
    again = run(dict(args, wait_timeout=60))
    assert not again.get("failed"), again
    assert [row["action"] for row in again["plan"]] in (["deleting"], ["absent"])
    assert again["final_snapshots"] == []
