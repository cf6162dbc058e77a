"""Create the SPEC's replication group on the emulator, re-run it unchanged, and preview a create in check mode."""

from __future__ import annotations

from rg_helpers import AUTH_TOKEN, Emulator, Stack, unique


def test_create_the_spec_group_then_rerun_unchanged(emulator: Emulator, stack: Stack, run_module) -> None:
    group_id = unique("triflow-acme-test-redis")
    args = emulator.module_args(**stack.group_args(group_id))

    created = run_module(args, diff=True)

    assert not created.failed, created.msg
    assert created.changed
    assert AUTH_TOKEN not in created.stdout
    group = created.group
    assert group["replication_group_id"] == group_id
    assert group["status"] == "available"
    assert group["member_clusters"] == [f"{group_id}-001", f"{group_id}-002"]
    assert group["automatic_failover"] == "enabled"
    assert group["multi_az"] == "enabled"
    assert group["at_rest_encryption_enabled"] is True
    assert group["transit_encryption_enabled"] is True
    assert group["auth_token_enabled"] is True
    assert group["cache_node_type"] == "cache.t4g.small"
    assert group["snapshot_retention_limit"] == 5
    assert group["snapshot_window"] == "17:00-18:00"
    assert group["preferred_maintenance_window"] == "sun:19:00-sun:20:00"
    assert group["engine_version"] == "7.1"
    assert group["cache_parameter_group_name"] == stack.parameter_group
    assert group["cache_subnet_group_name"] == stack.subnet_group
    assert group["security_group_ids"] == [stack.security_group]
    assert group["tags"] == {"Project": "triflow", "Customer": "acme", "Environment": "test", "ManagedBy": "ansible"}
    primary_endpoint = group["node_groups"][0]["primary_endpoint"]
    assert primary_endpoint["address"].endswith(".apne2.cache.amazonaws.com")
    assert primary_endpoint["port"] == 6379
    assert [
        (config["log_type"], config["destination_type"], config["log_format"])
        for config in group["log_delivery_configurations"]
    ] == [("slow-log", "cloudwatch-logs", "json"), ("engine-log", "cloudwatch-logs", "json")]
    assert created.result["diff"]["before"] == {}
    assert created.result["diff"]["after"]["replicas_per_node_group"] == 1
    assert created.result["diff"]["after"]["auth_token_enabled"] is True

    # What the emulator (AWS) now holds, read without the module.
    described = emulator.group(group_id)
    assert described is not None
    assert [m["PreferredAvailabilityZone"] for m in described["NodeGroups"][0]["NodeGroupMembers"]] == [
        "ap-northeast-2a",
        "ap-northeast-2c",
    ]
    assert emulator.primary(group_id)["CacheParameterGroup"]["CacheParameterGroupName"] == stack.parameter_group

    rerun = run_module(args, diff=True)

    assert not rerun.failed, rerun.msg
    assert not rerun.changed
    assert rerun.result["diff"]["before"] == rerun.result["diff"]["after"]
    assert rerun.group["replication_group_id"] == group_id


def test_check_mode_create_changes_nothing(emulator: Emulator, stack: Stack, run_module) -> None:
    group_id = unique("triflow-acme-preview")

    preview = run_module(emulator.module_args(**stack.group_args(group_id)), check_mode=True, diff=True)

    assert not preview.failed, preview.msg
    assert preview.changed
    assert preview.group == {}
    assert preview.result["diff"]["after"]["cache_node_type"] == "cache.t4g.small"
    assert "auth_token" not in preview.result["diff"]["after"]
    assert AUTH_TOKEN not in preview.stdout
    assert emulator.group(group_id) is None


def test_create_needs_a_description_and_node_type(emulator: Emulator, run_module) -> None:
    group_id = unique("triflow-acme-bare")

    result = run_module(emulator.module_args(replication_group_id=group_id))

    assert result.failed
    assert f"description is required to create replication group {group_id}" in result.msg
    assert f"cache_node_type is required to create replication group {group_id}" in result.msg
    assert emulator.group(group_id) is None
