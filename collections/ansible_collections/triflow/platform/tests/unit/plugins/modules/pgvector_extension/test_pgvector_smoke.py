"""smoke_test: a TEMP table with a vector(3) column and a cosine-distance query; nothing persistent changes."""

from __future__ import annotations

import pytest

PERSISTENT_RELATIONS = "SELECT count(*) FROM pg_class WHERE relpersistence <> 't'"


def test_the_smoke_test_orders_rows_by_cosine_distance(run_module, module_args, sql_in):
    run_module(module_args)
    relations_before = sql_in(PERSISTENT_RELATIONS)

    run = run_module(dict(module_args, smoke_test=True))

    assert not run.failed, run.msg
    assert run.result["changed"] is False
    smoke = run.result["smoke_test"]
    assert smoke["passed"] is True
    assert [row["id"] for row in smoke["rows"]] == [1, 3, 2]
    assert [row["cosine_distance"] for row in smoke["rows"]] == pytest.approx([0.0, 1 - 2**-0.5, 1.0], abs=1e-6)
    assert 'OPERATOR("public".<=>) \'[1,0,0]\'::"public".vector(3)' in smoke["query"]
    assert sql_in(PERSISTENT_RELATIONS) == relations_before


def test_the_smoke_test_runs_in_check_mode_when_nothing_changes(run_module, module_args):
    run_module(module_args)

    run = run_module(dict(module_args, smoke_test=True), check_mode=True)

    assert run.result["changed"] is False
    assert run.result["smoke_test"]["passed"] is True


def test_the_smoke_test_is_skipped_in_check_mode_before_an_install(run_module, module_args, installed):
    run = run_module(dict(module_args, smoke_test=True), check_mode=True)

    assert not run.failed, run.msg
    assert run.result["smoke_test"] == {
        "skipped": True,
        "reason": "check mode: the extension would be created or changed first",
    }
    assert installed() is None


def test_the_smoke_test_needs_state_present(run_module, module_args):
    run = run_module(dict(module_args, state="absent", smoke_test=True))

    assert run.failed
    assert run.msg == "smoke_test needs state=present: there is no extension to test after it is dropped"
