"""Fixtures of the pgvector_extension tests: a real PostgreSQL 16 + pgvector 0.8.0 server and in-process module runs.

One server per test session, started by the emulator's own PostgreSQL launcher (tests/support/postgres.py),
listening on 127.0.0.1 with scram-sha-256 passwords, stopped and deleted at the end of the session. Every test gets
a fresh database of its own.

How an upgrade path is made testable with one pgvector build: the data plane's install (triflow_emulator.pginstall)
offers pgvector's install script for 0.8.0 only, with every update script up to vector--0.7.4--0.8.0.sql. The
session runs a private copy of that install (PostgreSQL 16 reads extension files only from its own share folder)
and adds an install script for 0.7.4: the 0.8.0 script without the statements that 0.7.4--0.8.0 adds (eight
CREATE FUNCTION / CREATE CAST of sparsevec casts; the copy fails loudly if that update ever does more than add
objects). So the server offers 0.7.4 and 0.8.0, pg_extension_update_paths('vector') has 0.7.4 -> 0.8.0, and an
upgrade runs pgvector's own update script. The shared install does not change.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from ansible_collections.triflow.platform.plugins.modules import pgvector_extension
from psycopg import sql
from support.modules import ModuleRun
from support.postgres import Install, Server, install, postgres_server
from triflow_emulator.pginstall import PGVECTOR_VERSION

ADMIN = "triflow_admin"
ADMIN_PASSWORD = "admin-secret-4711"
APP_USER = "triflow_app"
APP_PASSWORD = "app-secret-0815"
EXTRA_VERSION = "0.7.4"
DEFAULT_VERSION = PGVECTOR_VERSION


def _statements(script: str) -> list[str]:
    """The SQL statements of an extension script (no comments, no psql guard), whitespace normalised."""
    body = "\n".join(line for line in script.splitlines() if not line.startswith(("--", "\\echo")))
    return [re.sub(r"\s+", " ", statement).strip() for statement in body.split(";") if statement.strip()]


def _private_install() -> Install:
    """A copy of the data plane's install plus an install script for EXTRA_VERSION (see the module docstring)."""
    base = Path(tempfile.mkdtemp(prefix="pgvector-ext-")) / "install"
    shutil.copytree(install().base, base, symlinks=True)
    base.parent.chmod(0o755)
    tree = Install(base)
    current = _statements((tree.extension_dir / f"vector--{DEFAULT_VERSION}.sql").read_text())
    added = _statements((tree.extension_dir / f"vector--{EXTRA_VERSION}--{DEFAULT_VERSION}.sql").read_text())
    others = [statement for statement in added if statement not in current or not statement.startswith("CREATE ")]
    assert not others, f"the {EXTRA_VERSION}--{DEFAULT_VERSION} update does more than add objects: {others}"
    older = [statement for statement in current if statement not in added]
    (tree.extension_dir / f"vector--{EXTRA_VERSION}.sql").write_text(";\n".join(older) + ";\n")
    return tree


@pytest.fixture(scope="session")
def pg_server() -> Iterator[Server]:
    tree = _private_install()
    try:
        with postgres_server(ADMIN, ADMIN_PASSWORD, install_tree=tree) as server:
            with server.connect() as conn:
                conn.execute(
                    sql.SQL("CREATE ROLE {} LOGIN NOSUPERUSER PASSWORD {}").format(
                        sql.Identifier(APP_USER), sql.Literal(APP_PASSWORD)
                    )
                )
            yield server
    finally:
        shutil.rmtree(tree.base.parent, ignore_errors=True)


@pytest.fixture
def database(pg_server: Server) -> Iterator[str]:
    """A fresh database owned by the admin; the app role may CREATE in it (so only SUPERUSER is missing)."""
    name = f"pgv_{uuid.uuid4().hex[:12]}"
    with pg_server.connect() as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        conn.execute(
            sql.SQL("GRANT CREATE ON DATABASE {} TO {}").format(sql.Identifier(name), sql.Identifier(APP_USER))
        )
    yield name
    with pg_server.connect() as conn:
        conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture
def sql_in(pg_server: Server, database: str) -> Callable[..., list[tuple[Any, ...]]]:
    """Run one statement as the admin in the test's database (autocommit) and return its rows."""

    def run(statement: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with pg_server.connect(database) as conn:
            cursor = conn.execute(statement, params)
            return cursor.fetchall() if cursor.description else []

    return run


@pytest.fixture
def installed(sql_in: Callable[..., list[tuple[Any, ...]]]) -> Callable[[], tuple[str, str] | None]:
    """The (version, schema) of vector in the test's database as the catalog says, or None."""

    def read() -> tuple[str, str] | None:
        rows = sql_in(
            "SELECT e.extversion, n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
            "WHERE e.extname = 'vector'"
        )
        return rows[0] if rows else None

    return read


@pytest.fixture
def module_args(pg_server: Server, database: str) -> dict[str, Any]:
    """The connection options of the admin to the test's database."""
    return {
        "login_host": pg_server.host,
        "login_port": pg_server.port,
        "login_user": ADMIN,
        "login_password": ADMIN_PASSWORD,
        "login_db": database,
        "ssl_mode": "disable",
        "connect_timeout": 5,
    }


@pytest.fixture
def app_args(module_args: dict[str, Any]) -> dict[str, Any]:
    """The connection options of a role that is neither superuser nor the extension's owner (CREATE on the db)."""
    return dict(module_args, login_user=APP_USER, login_password=APP_PASSWORD)


@pytest.fixture
def run_module(run_main: Callable[..., ModuleRun]) -> Callable[..., ModuleRun]:
    """Run the module's main() the way Ansible does (modules/conftest.py: a fresh module process each time)."""

    def run(args: dict[str, Any], check_mode: bool = False, diff: bool = False) -> ModuleRun:
        return run_main(pgvector_extension.main, args, check_mode, diff)

    return run
