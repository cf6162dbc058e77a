"""Change an existing group on the emulator: modify, replicas, tags, check mode, diff, and refused changes."""

from __future__ import annotations

from typing import Any

import pytest
from rg_helpers import Emulator, Stack, unique


@pytest.fixture
def existing(emulator: Emulator, stack: Stack, run_module) -> dict[str, Any]:
    """The SPEC's group, created by the module; the arguments that created it."""
    args = emulator.module_args(**stack.group_args(unique("triflow-acme-mod")))
    created = run_module(args)
    assert not created.failed, created.msg
    return args


def test_modify_failover_node_type_and_retention(emulator: Emulator, existing: dict[str, Any], run_module) -> None:
    group_id = existing["replication_group_id"]
    changed_args = dict(
        existing,
        automatic_failover=False,
        multi_az=False,
        cache_node_type="cache.t4g.medium",
        snapshot_retention_limit=7,
    )

    modified = run_module(changed_args, diff=True)

    assert not modified.failed, modified.msg
    assert modified.changed
    diff = modified.result["diff"]
    changed_fields = {name for name in diff["after"] if diff["before"][name] != diff["after"][name]}
    assert changed_fields == {"automatic_failover", "multi_az", "cache_node_type", "snapshot_retention_limit"}
    assert (diff["before"]["cache_node_type"], diff["after"]["cache_node_type"]) == (
        "cache.t4g.small",
        "cache.t4g.medium",
    )
    group = emulator.group(group_id)
    assert group is not None
    assert (group["AutomaticFailover"], group["MultiAZ"]) == ("disabled", "disabled")
    assert group["CacheNodeType"] == "cache.t4g.medium"
    assert group["SnapshotRetentionLimit"] == 7
    assert group["SnapshotWindow"] == "17:00-18:00"
    assert modified.group["cache_node_type"] == "cache.t4g.medium"

    assert not run_module(changed_args).changed


def test_check_mode_modify_reports_and_changes_nothing(
    emulator: Emulator, existing: dict[str, Any], run_module
) -> None:
    group_id = existing["replication_group_id"]

    preview = run_module(
        dict(existing, snapshot_window="15:00-16:00", preferred_maintenance_window="mon:19:00-mon:20:00"),
        check_mode=True,
        diff=True,
    )

    assert not preview.failed, preview.msg
    assert preview.changed
    assert preview.result["diff"]["after"]["snapshot_window"] == "15:00-16:00"
    assert preview.result["diff"]["before"]["snapshot_window"] == "17:00-18:00"
    assert preview.group["snapshot_window"] == "17:00-18:00"
    assert emulator.group(group_id)["SnapshotWindow"] == "17:00-18:00"
    assert emulator.primary(group_id)["PreferredMaintenanceWindow"] == "sun:19:00-sun:20:00"


def test_member_settings_replicas_logs_and_tags(
    emulator: Emulator, stack: Stack, existing: dict[str, Any], run_module
) -> None:
    group_id = existing["replication_group_id"]
    other_group = emulator.client("ec2").create_security_group(GroupName=unique("redis"), Description="r")["GroupId"]
    args = dict(
        existing,
        replicas_per_node_group=2,
        security_group_ids=[other_group],
        cache_parameter_group_name="default.redis7",
        preferred_maintenance_window="Mon:19:00-Mon:20:00",
        log_delivery_configurations=[
            {"log_type": "engine-log", "destination": stack.log_groups[1], "log_format": "text"}
        ],
        tags={"Project": "triflow", "Customer": "acme", "Owner": "platform"},
    )

    result = run_module(args)

    assert not result.failed, result.msg
    assert result.changed
    group = emulator.group(group_id)
    assert group["MemberClusters"] == [f"{group_id}-001", f"{group_id}-002", f"{group_id}-003"]
    assert [(c["LogType"], c["LogFormat"]) for c in group["LogDeliveryConfigurations"]] == [("engine-log", "text")]
    primary = emulator.primary(group_id)
    assert primary["SecurityGroups"] == [{"SecurityGroupId": other_group, "Status": "active"}]
    assert primary["CacheParameterGroup"]["CacheParameterGroupName"] == "default.redis7"
    assert primary["PreferredMaintenanceWindow"] == "mon:19:00-mon:20:00"
    tags = emulator.client("elasticache").list_tags_for_resource(ResourceName=group["ARN"])["TagList"]
    assert {tag["Key"]: tag["Value"] for tag in tags} == {"Project": "triflow", "Customer": "acme", "Owner": "platform"}

    # The window is compared case-insensitively, the security groups as a set: nothing left to change.
    assert not run_module(args).changed
    # purge_tags=false keeps tags that are not listed.
    assert not run_module(dict(args, tags={"Owner": "platform"}, purge_tags=False)).changed


IN_PLACE_REFUSALS = {
    "port": ({"port": 6380}, "port cannot change in place"),
    "at-rest encryption": ({"at_rest_encryption": False}, "at_rest_encryption cannot change in place"),
    "engine": ({"engine": "valkey"}, "engine cannot change in place"),
}


@pytest.mark.parametrize("case", IN_PLACE_REFUSALS.values(), ids=IN_PLACE_REFUSALS.keys())
def test_what_cannot_change_in_place_fails_before_any_change(
    emulator: Emulator, existing: dict[str, Any], run_module, case: tuple[dict[str, Any], str]
) -> None:
    overrides, message = case
    group_id = existing["replication_group_id"]

    result = run_module(dict(existing, cache_node_type="cache.t4g.medium", **overrides))

    assert result.failed
    assert message in result.msg
    assert "needs a new replication group" in result.msg
    assert emulator.group(group_id)["CacheNodeType"] == "cache.t4g.small"


def test_a_window_given_alone_must_not_overlap_the_other(
    emulator: Emulator, existing: dict[str, Any], run_module
) -> None:
    args = {key: value for key, value in existing.items() if key != "snapshot_window"}

    result = run_module(dict(args, preferred_maintenance_window="tue:17:30-tue:18:30"))

    assert result.failed
    assert "snapshot_window '17:00-18:00' overlaps preferred_maintenance_window 'tue:17:30-tue:18:30'" in result.msg
    assert emulator.primary(existing["replication_group_id"])["PreferredMaintenanceWindow"] == "sun:19:00-sun:20:00"
