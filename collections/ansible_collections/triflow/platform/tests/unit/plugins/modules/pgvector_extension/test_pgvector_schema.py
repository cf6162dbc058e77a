"""The extension's schema: moves with ALTER EXTENSION ... SET SCHEMA, quoted identifiers, a missing schema."""

from __future__ import annotations

import pytest

VECTOR_TYPE_SCHEMA = (
    "SELECT n.nspname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE t.typname = 'vector'"
)


def test_an_extension_in_another_schema_is_moved(run_module, module_args, installed, sql_in):
    run_module(module_args)
    sql_in("CREATE SCHEMA embeddings")

    run = run_module(dict(module_args, schema="embeddings"), diff=True)

    assert not run.failed, run.msg
    assert run.result["queries"] == ['ALTER EXTENSION "vector" SET SCHEMA "embeddings"']
    assert (run.result["prev_schema"], run.result["schema"]) == ("public", "embeddings")
    assert run.result["diff"]["after"] == {"installed": True, "version": "0.8.0", "schema": "embeddings"}
    assert installed() == ("0.8.0", "embeddings")
    assert sql_in(VECTOR_TYPE_SCHEMA) == [("embeddings",)]


def test_update_and_move_run_together_in_one_transaction(run_module, module_args, installed, sql_in):
    run_module(dict(module_args, version="0.7.4"))
    sql_in("CREATE SCHEMA embeddings")

    run = run_module(dict(module_args, version="0.8.0", schema="embeddings"))

    assert run.result["queries"] == [
        "ALTER EXTENSION \"vector\" UPDATE TO '0.8.0'",
        'ALTER EXTENSION "vector" SET SCHEMA "embeddings"',
    ]
    assert installed() == ("0.8.0", "embeddings")


def test_a_failing_statement_rolls_back_the_ones_before_it(run_module, module_args, installed, sql_in):
    """The update succeeds, the move fails (the target schema has its own type "vector"): nothing stays changed."""
    run_module(dict(module_args, version="0.7.4"))
    sql_in("CREATE SCHEMA embeddings")
    sql_in("CREATE TYPE embeddings.vector AS (x integer)")

    run = run_module(dict(module_args, version="0.8.0", schema="embeddings"))

    assert run.failed
    assert run.msg.startswith('Statement failed: ALTER EXTENSION "vector" SET SCHEMA "embeddings". Server said: ')
    assert 'type "vector" already exists in schema "embeddings"' in run.msg
    assert run.result["changed"] is False
    assert installed() == ("0.7.4", "public")


def test_identifiers_are_quoted_not_pasted(run_module, module_args, installed, sql_in):
    sql_in('CREATE SCHEMA "Vector Store; DROP TABLE x"')

    run = run_module(dict(module_args, schema="Vector Store; DROP TABLE x", smoke_test=True))

    assert not run.failed, run.msg
    assert run.result["queries"] == [
        'CREATE EXTENSION "vector" WITH SCHEMA "Vector Store; DROP TABLE x" VERSION \'0.8.0\''
    ]
    assert installed() == ("0.8.0", "Vector Store; DROP TABLE x")
    assert run.result["smoke_test"]["passed"] is True


@pytest.mark.parametrize("check_mode", [True, False], ids=["check_mode", "normal"])
def test_a_missing_schema_fails_naming_it(run_module, module_args, installed, check_mode):
    run = run_module(dict(module_args, schema="embeddings"), check_mode=check_mode)

    assert run.failed
    assert run.msg == (
        "Schema 'embeddings' does not exist in database '%s': create it first (the module does not create schemas)"
        % module_args["login_db"]
    )
    assert installed() is None
