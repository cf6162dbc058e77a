"""Install, idempotent re-run, check mode, diff and removal of pgvector, against the session's real PostgreSQL."""

from __future__ import annotations

import pytest

CREATE_DEFAULT = 'CREATE EXTENSION "vector" WITH SCHEMA "public" VERSION \'0.8.0\''
CREATE_074 = 'CREATE EXTENSION "vector" WITH SCHEMA "public" VERSION \'0.7.4\''


def test_install_on_a_fresh_database_creates_the_servers_default_version(run_module, module_args, installed):
    run = run_module(module_args)

    assert not run.failed, run.msg
    assert run.result["changed"] is True
    assert run.result["queries"] == [CREATE_DEFAULT]
    assert (run.result["prev_version"], run.result["version"]) == (None, "0.8.0")
    assert (run.result["prev_schema"], run.result["schema"]) == (None, "public")
    assert run.result["server_version"].startswith("16.")
    assert run.result["available_versions"] == ["0.7.4", "0.8.0"]
    assert installed() == ("0.8.0", "public")


def test_a_second_run_changes_nothing_and_runs_no_statement(run_module, module_args, installed):
    run_module(module_args)
    again = run_module(module_args, diff=True)

    assert not again.failed, again.msg
    assert again.result["changed"] is False
    assert again.result["queries"] == []
    assert (again.result["prev_version"], again.result["version"]) == ("0.8.0", "0.8.0")
    assert again.result["diff"]["before"] == again.result["diff"]["after"]
    assert installed() == ("0.8.0", "public")


def test_check_mode_returns_the_sql_and_changes_nothing(run_module, module_args, installed, sql_in):
    run = run_module(dict(module_args, version="0.7.4"), check_mode=True, diff=True)

    assert not run.failed, run.msg
    assert run.result["changed"] is True
    assert run.result["queries"] == [CREATE_074]
    assert (run.result["prev_version"], run.result["version"]) == (None, "0.7.4")
    assert run.result["diff"] == {
        "before": {"installed": False, "version": None, "schema": None},
        "after": {"installed": True, "version": "0.7.4", "schema": "public"},
    }
    assert installed() is None
    assert sql_in("SELECT count(*) FROM pg_type WHERE typname = 'vector'") == [(0,)]


def test_the_sql_check_mode_returns_is_the_sql_a_real_run_executes(run_module, module_args):
    predicted = run_module(dict(module_args, version="0.7.4"), check_mode=True)
    executed = run_module(dict(module_args, version="0.7.4"))

    assert executed.result["queries"] == predicted.result["queries"] == [CREATE_074]


@pytest.mark.parametrize("check_mode", [True, False], ids=["check_mode", "normal"])
def test_absent_drops_the_extension(run_module, module_args, installed, check_mode):
    run_module(module_args)

    run = run_module(dict(module_args, state="absent"), check_mode=check_mode, diff=True)

    assert not run.failed, run.msg
    assert run.result["changed"] is True
    assert run.result["queries"] == ['DROP EXTENSION "vector"']
    assert (run.result["prev_version"], run.result["version"]) == ("0.8.0", None)
    assert run.result["diff"]["after"] == {"installed": False, "version": None, "schema": None}
    assert installed() == (("0.8.0", "public") if check_mode else None)


def test_absent_when_not_installed_changes_nothing(run_module, module_args, installed):
    run = run_module(dict(module_args, state="absent"))

    assert not run.failed, run.msg
    assert (run.result["changed"], run.result["queries"]) == (False, [])
    assert installed() is None


def test_absent_refuses_to_drop_an_extension_in_use_unless_cascade(run_module, module_args, installed, sql_in):
    run_module(module_args)
    sql_in("CREATE TABLE documents (id integer PRIMARY KEY, embedding vector(3))")
    embedding_columns = (
        "SELECT count(*) FROM information_schema.columns WHERE table_name = 'documents' AND column_name = 'embedding'"
    )

    refused = run_module(dict(module_args, state="absent"))

    assert refused.failed
    assert refused.msg.startswith("Cannot drop the vector extension: other objects depend on it")
    assert "set cascade: true to drop them too" in refused.msg
    assert installed() == ("0.8.0", "public")
    assert sql_in(embedding_columns) == [(1,)]

    cascaded = run_module(dict(module_args, state="absent", cascade=True))

    assert not cascaded.failed, cascaded.msg
    assert cascaded.result["queries"] == ['DROP EXTENSION "vector" CASCADE']
    assert installed() is None
    assert sql_in(embedding_columns) == [(0,)]
