"""playbooks/destroy.yml on the two customers' stacks converged side by side in one account (inventories/customer_a
and customer_b): customer_a is previewed, refused, interrupted three times, destroyed, destroyed again, and built
again; customer_b is never touched. The tests run in this order on one pytest worker and share the stacks.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from support.emulator import Emulator
from support.playbook import PlaybookRun, assert_ok, kill_at
from support.stack_resources import kept_of, present, resources_of, tagged_arns

ACME = "triflow-acme-prod"
GLOBEX = "triflow-globex-staging"
CUSTOMER_A = "inventories/customer_a"
CUSTOMER_B = "inventories/customer_b"
DESTROY = "playbooks/destroy.yml"
# The emulator deletes at once: poll often, so a wait is short.
FAST = {"destroy_poll_interval": 0.5}
CONFIRMED = {**FAST, "confirm": ACME, "lift_deletion_protection": True}
FILE = "tenants/acme/exports/report.csv"


@pytest.fixture(scope="module")
def stacks(emulator: Emulator, playbook: Any) -> dict[str, Any]:
    """Both customers converged by one run; a file in ACME's bucket; every resource of both, read kind by kind."""
    emulator.reset()
    assert_ok(playbook("site.yml", CUSTOMER_A, CUSTOMER_B))
    account = emulator.account_id()
    # The bucket's policy refuses plain HTTP, which is all the emulator speaks: lifted for the one upload.
    s3, bucket = emulator.client("s3"), f"{ACME}-files-{account}"
    policy = s3.get_bucket_policy(Bucket=bucket)["Policy"]
    s3.delete_bucket_policy(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key=FILE, Body=b"tenant,rows\n")
    s3.put_bucket_policy(Bucket=bucket, Policy=policy)
    return {"account": account, "before": {prefix: resources_of(emulator, prefix) for prefix in (ACME, GLOBEX)}}


def destroy(playbook: Any, *inventories: str, **extra_vars: Any) -> PlaybookRun:
    return playbook(DESTROY, *inventories, extra_vars={**FAST, **extra_vars})


def test_without_confirmation_nothing_is_deleted_and_the_list_is_printed(emulator, playbook, stacks):
    run = assert_ok(destroy(playbook, CUSTOMER_A, CUSTOMER_B))
    assert run.changed() == 0
    for prefix in (ACME, GLOBEX):
        assert f"{prefix} was NOT destroyed" in run.output
        assert f"would delete ecs_service {prefix}-backend" in run.output
        assert f"protected db_instance {prefix}-db: deletion protection is on" in run.output
        assert f"keep s3_bucket {prefix}-files-{stacks['account']}" in run.output
        assert resources_of(emulator, prefix) == stacks["before"][prefix]


def test_confirm_naming_no_stack_of_the_inventory_deletes_nothing(emulator, playbook, stacks):
    run = destroy(playbook, CUSTOMER_A, confirm="triflow-acme-staging")
    assert run.rc != 0
    assert (
        "confirm names triflow-acme-staging, which is not a stack of this inventory (triflow-acme-prod)" in run.output
    )
    assert resources_of(emulator, ACME) == stacks["before"][ACME]


def test_protected_database_and_alb_stop_the_run_before_anything_is_deleted(emulator, playbook, stacks):
    run = destroy(playbook, CUSTOMER_A, confirm=ACME)
    assert run.rc != 0
    assert re.search(
        rf"Nothing deleted: load_balancer {ACME}-alb \(app/{ACME}-alb/\w+\) deletion protection is on", run.output
    )
    assert f"db_instance {ACME}-db ({ACME}-db) deletion protection is on" in run.output
    assert "-e lift_deletion_protection=true" in run.output
    assert resources_of(emulator, ACME) == stacks["before"][ACME]


@pytest.mark.parametrize("call", ["ecs.DeleteService", "rds.DeleteDBInstance", "ec2.DeleteSecurityGroup"])
def test_a_destroy_killed_midway_leaves_the_rest_for_the_next_run(emulator, stacks, call):
    """Each run is killed a step further on; what it deleted stays deleted, what is left is still there."""
    run = kill_at(emulator, call, DESTROY, CUSTOMER_A, extra_vars=CONFIRMED)
    assert run.rc < 0, f"the run ended before {call}: {run.output[-3000:]}"
    left = present(resources_of(emulator, ACME))
    assert left and left != stacks["before"][ACME]
    assert resources_of(emulator, GLOBEX) == stacks["before"][GLOBEX]


def test_the_interrupted_destroy_completes_and_leaves_only_what_it_keeps(emulator, playbook, stacks):
    run = assert_ok(destroy(playbook, CUSTOMER_A, **CONFIRMED))
    assert run.changed(ACME) > 0
    # Every kind, read with boto3: nothing of ACME's is left but its bucket.
    assert present(resources_of(emulator, ACME)) == {"buckets": [f"{ACME}-files-{stacks['account']}"]}
    objects = emulator.client("s3").list_object_versions(Bucket=f"{ACME}-files-{stacks['account']}")["Versions"]
    assert [item["Key"] for item in objects] == [FILE]
    kept = kept_of(emulator, ACME)
    # The killed runs asked for the final snapshots: one of the database, one of the cache, and the run printed them.
    [db_snapshot] = kept["db_snapshots"]
    [cache_snapshot] = kept["cache_snapshots"]
    for name in (db_snapshot, cache_snapshot):
        assert re.fullmatch(rf"{ACME}-final-\d{{8}}-\d{{6}}", name)
    assert len(kept["secrets_scheduled"]) == 7
    # The tagging API lists nothing of ACME's beyond the bucket, the secrets in their window and the snapshots.
    left = [
        arn
        for arn in tagged_arns(emulator, "acme", "prod")
        if not re.search(r":secret:|^arn:aws:s3:::|:snapshot:|task-definition/|:service/|:cluster/|natgateway/", arn)
    ]
    assert left == []


def test_the_other_customer_is_intact_and_unchanged(emulator, playbook, stacks):
    assert resources_of(emulator, GLOBEX) == stacks["before"][GLOBEX]
    run = assert_ok(playbook("site.yml", CUSTOMER_B))
    assert run.changed() == 0, run.tail()


def test_a_finished_destroy_run_again_changes_nothing(emulator, playbook, stacks):
    run = assert_ok(destroy(playbook, CUSTOMER_A, **CONFIRMED))
    assert run.changed() == 0, run.tail()
    assert f"scheduled secret {ACME}/db-master-password: in its recovery window" in run.output


def test_the_stack_converges_again_with_the_same_names_and_its_restored_secrets(emulator, playbook, stacks):
    assert_ok(playbook("site.yml", CUSTOMER_A))
    after = resources_of(emulator, ACME)
    assert set(present(after)) == set(present(stacks["before"][ACME]))
    assert kept_of(emulator, ACME)["secrets_scheduled"] == []
    assert sorted(after["secrets"]) == sorted(stacks["before"][ACME]["secrets"])
    assert after["db_instances"] == [f"{ACME}-db"]
