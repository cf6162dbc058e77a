"""Delete a group on the emulator: check mode, a final snapshot, and nothing to do when it is gone."""

from __future__ import annotations

from rg_helpers import Emulator, Stack, unique


def test_delete_with_final_snapshot(emulator: Emulator, stack: Stack, run_module) -> None:
    group_id = unique("triflow-acme-del")
    assert not run_module(emulator.module_args(**stack.group_args(group_id))).failed
    snapshot = f"{group_id}-final"
    absent = emulator.module_args(
        replication_group_id=group_id, state="absent", final_snapshot_identifier=snapshot, wait_timeout=60
    )

    preview = run_module(absent, check_mode=True, diff=True)

    assert not preview.failed, preview.msg
    assert preview.changed
    assert preview.result["diff"] == {"before": {"replication_group_id": group_id, "status": "available"}, "after": {}}
    assert emulator.group(group_id)["Status"] == "available"

    deleted = run_module(absent)

    assert not deleted.failed, deleted.msg
    assert deleted.changed
    assert deleted.group == {}
    assert emulator.group(group_id) is None
    snapshots = emulator.client("elasticache").describe_snapshots(SnapshotName=snapshot)["Snapshots"]
    assert [s["ReplicationGroupId"] for s in snapshots] == [group_id]

    again = run_module(absent)

    assert not again.failed, again.msg
    assert not again.changed
