"""The waits, on an emulator whose groups take CREATION_DELAY seconds to create and to delete."""

from __future__ import annotations

import time

from rg_helpers import CREATION_DELAY, Emulator, make_stack, unique


def test_create_waits_until_available_and_delete_until_gone(slow_emulator: Emulator, run_module) -> None:
    stack = make_stack(slow_emulator)
    group_id = unique("triflow-acme-wait")
    args = slow_emulator.module_args(**stack.group_args(group_id, wait_timeout=30))

    started = time.monotonic()
    created = run_module(args)
    took = time.monotonic() - started

    assert not created.failed, created.msg
    assert created.group["status"] == "available"
    assert took >= CREATION_DELAY

    started = time.monotonic()
    deleted = run_module(slow_emulator.module_args(replication_group_id=group_id, state="absent", wait_timeout=30))
    took = time.monotonic() - started

    assert not deleted.failed, deleted.msg
    assert slow_emulator.group(group_id) is None
    assert took >= CREATION_DELAY - 0.5


def test_without_wait_the_module_returns_while_creating(slow_emulator: Emulator, run_module) -> None:
    stack = make_stack(slow_emulator)
    group_id = unique("triflow-acme-nowait")

    started = run_module(slow_emulator.module_args(**stack.group_args(group_id, wait=False)))

    assert not started.failed, started.msg
    assert started.changed
    assert started.group["status"] == "creating"

    # A later run with wait (the play's "wait for both" step) waits first, then finds nothing to change.
    waited = run_module(slow_emulator.module_args(**stack.group_args(group_id, wait_timeout=30)))

    assert not waited.failed, waited.msg
    assert not waited.changed
    assert waited.group["status"] == "available"


def test_a_short_wait_timeout_fails_naming_it(slow_emulator: Emulator, run_module) -> None:
    stack = make_stack(slow_emulator)
    group_id = unique("triflow-acme-timeout")

    result = run_module(slow_emulator.module_args(**stack.group_args(group_id, wait_timeout=1)))

    assert result.failed
    assert f"Replication group {group_id} was not available within wait_timeout (1 s)" in result.msg
