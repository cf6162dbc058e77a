"""Each failure the module explains, produced for real: refused and silent ports, a bad password, missing privileges.

What is real on this server (PostgreSQL 16.2, pgvector 0.8.0): `vector` is NOT a trusted extension (its control
file has no `trusted = true`), so a non-superuser cannot CREATE it even with CREATE on the database; ALTER and DROP
need the extension's owner.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest
from ansible_collections.triflow.platform.plugins.modules import pgvector_extension

ADMIN = "triflow_admin"  # the session's superuser and extension owner (conftest.py)
APP_USER = "triflow_app"  # a login role that is neither superuser nor owner, with CREATE on each test database


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port on 127.0.0.1 whose listener completes TCP handshakes (backlog) but never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield listener.getsockname()[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_connection_refused(run_module, module_args):
    port = free_port()

    run = run_module(dict(module_args, login_port=port))

    assert run.failed
    assert run.msg.startswith(
        "Cannot connect to PostgreSQL at 127.0.0.1:%d (database '%s', user '%s'): connection refused: nothing "
        "listens on that host and port" % (port, module_args["login_db"], ADMIN)
    )
    assert "Connection refused" in run.msg  # libpq's own words follow


def test_connection_timeout(run_module, module_args, silent_port):
    started = time.monotonic()

    run = run_module(dict(module_args, login_port=silent_port, connect_timeout=1, ssl_mode="prefer"))

    assert run.failed
    assert "127.0.0.1:%d" % silent_port in run.msg
    assert "no answer within connect_timeout=1 s" in run.msg
    assert time.monotonic() - started < 10


def test_bad_password(run_module, module_args):
    run = run_module(dict(module_args, login_password="not-the-password-31337"))

    assert run.failed
    assert 'password authentication failed for user "%s": check login_user and login_password' % ADMIN in run.msg
    assert "not-the-password-31337" not in run.stdout


def test_vector_is_not_a_trusted_extension_on_this_server(sql_in):
    assert sql_in("SELECT DISTINCT trusted FROM pg_available_extension_versions WHERE name = 'vector'") == [(False,)]


def test_a_non_superuser_cannot_create_it(run_module, app_args, installed, sql_in):
    assert sql_in("SELECT has_database_privilege(%s, current_database(), 'CREATE')", (APP_USER,)) == [(True,)]

    run = run_module(app_args)

    assert run.failed
    assert run.msg == (
        "Permission denied: role '%s' is not a superuser and the vector extension is not trusted on this server "
        "(PostgreSQL %s), so CREATE EXTENSION needs the SUPERUSER attribute (on Amazon RDS: membership in "
        'rds_superuser). Statement: CREATE EXTENSION "vector" WITH SCHEMA "public" VERSION \'0.8.0\'. Server said: '
        'permission denied to create extension "vector" HINT: Must be superuser to create this extension.'
        % (APP_USER, run.result["server_version"])
    )
    assert installed() is None


def test_check_mode_warns_that_a_non_superuser_create_would_fail(run_module, app_args, installed):
    run = run_module(app_args, check_mode=True)

    assert not run.failed, run.msg
    assert run.result["changed"] is True
    assert len(run.warnings) == 1
    assert run.warnings[0].startswith("This would fail: role '%s' is not a superuser" % APP_USER)
    assert installed() is None


@pytest.mark.parametrize(
    ("options", "verb", "statement"),
    [
        ({"version": "0.8.0"}, "update", "ALTER EXTENSION \"vector\" UPDATE TO '0.8.0'"),
        ({"state": "absent"}, "drop", 'DROP EXTENSION "vector"'),
    ],
    ids=["update", "drop"],
)
def test_a_non_owner_cannot_alter_or_drop_it(run_module, module_args, app_args, installed, options, verb, statement):
    run_module(dict(module_args, version="0.7.4"))

    run = run_module(dict(app_args, **options))

    assert run.failed
    assert run.msg == (
        "Permission denied: role '%s' may not %s the vector extension: ALTER EXTENSION and DROP EXTENSION need its "
        "owner ('%s') or a superuser. Statement: %s. Server said: must be owner of extension vector"
        % (APP_USER, verb, ADMIN, statement)
    )
    assert installed() == ("0.7.4", "public")


def test_missing_psycopg_is_reported(run_module, module_args, monkeypatch):
    monkeypatch.setattr(pgvector_extension, "psycopg", None)
    monkeypatch.setattr(pgvector_extension, "PSYCOPG_IMPORT_ERROR", "ModuleNotFoundError: No module named 'psycopg'")

    run = run_module(module_args)

    assert run.failed
    assert run.msg.startswith("Failed to import the required Python library (psycopg >= 3.1)")


def test_ssl_required_by_a_server_without_tls(run_module, module_args):
    run = run_module(dict(module_args, ssl_mode="require"))

    assert run.failed
    assert "the server does not offer TLS, but ssl_mode=require requires it" in run.msg
