"""Fixtures of the postgresql_app_role tests: a real PostgreSQL 16 server, a fresh database per test, in-process runs.

Two logins run the module: the server's superuser, and ``rds_master``, a role shaped like RDS's master user (not a
superuser, CREATEROLE, owner of the database), so the RDS path (GRANT <owner> TO CURRENT_USER before the schema
changes hands) runs for real.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest
from ansible_collections.triflow.platform.plugins.modules import postgresql_app_role
from psycopg import sql
from support.modules import ModuleRun
from support.postgres import Server, postgres_server

ADMIN = "triflow_admin"
ADMIN_PASSWORD = "admin-secret-4711"
RDS_MASTER = "rds_master"
RDS_MASTER_PASSWORD = "rds-master-secret-42"
OWNER = "app_owner"
USER_A = "app_a"
USER_B = "app_b"
PASSWORD_A = "first-password-aaaa"
PASSWORD_B = "second-password-bbbb"


@pytest.fixture(scope="session")
def pg_server() -> Iterator[Server]:
    with postgres_server(ADMIN, ADMIN_PASSWORD) as server:
        with server.connect() as conn:
            conn.execute(
                sql.SQL("CREATE ROLE {} LOGIN CREATEROLE NOSUPERUSER PASSWORD {}").format(
                    sql.Identifier(RDS_MASTER), sql.Literal(RDS_MASTER_PASSWORD)
                )
            )
        yield server


@pytest.fixture
def database(pg_server: Server) -> Iterator[str]:
    """A fresh database owned by the RDS-like master, with fresh role names (roles are cluster-wide)."""
    name = f"app_{uuid.uuid4().hex[:10]}"
    with pg_server.connect() as conn:
        conn.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(sql.Identifier(name), sql.Identifier(RDS_MASTER)))
    yield name
    with pg_server.connect() as conn:
        conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture
def names(database: str) -> dict[str, str]:
    """Role names of this test (a suffix of the database's, since roles outlive databases)."""
    suffix = database.split("_", 1)[1]
    return {"owner": f"{OWNER}_{suffix}", "a": f"{USER_A}_{suffix}", "b": f"{USER_B}_{suffix}"}


@pytest.fixture
def module_args(pg_server: Server, database: str, names: dict[str, str]) -> dict[str, Any]:
    """The superuser's connection to the test's database and the app's owner and first user."""
    return {
        "login_host": pg_server.host,
        "login_port": pg_server.port,
        "login_user": ADMIN,
        "login_password": ADMIN_PASSWORD,
        "login_db": database,
        "ssl_mode": "disable",
        "connect_timeout": 5,
        "owner": names["owner"],
        "user": names["a"],
        "password": PASSWORD_A,
    }


@pytest.fixture
def rds_args(module_args: dict[str, Any]) -> dict[str, Any]:
    return dict(module_args, login_user=RDS_MASTER, login_password=RDS_MASTER_PASSWORD)


@pytest.fixture
def connect_as(pg_server: Server, database: str) -> Callable[..., psycopg.Connection[Any]]:
    def connect(user: str, password: str, dbname: str | None = None) -> psycopg.Connection[Any]:
        return psycopg.connect(pg_server.conninfo(dbname or database, user=user, password=password), autocommit=True)

    return connect


@pytest.fixture
def sql_in(pg_server: Server, database: str) -> Callable[..., list[tuple[Any, ...]]]:
    """Run one statement as the superuser in the test's database and return its rows."""

    def run(statement: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with pg_server.connect(database) as conn:
            cursor = conn.execute(statement, params)
            return cursor.fetchall() if cursor.description else []

    return run


@pytest.fixture
def run_module(run_main: Callable[..., ModuleRun]) -> Callable[..., ModuleRun]:
    def run(args: dict[str, Any], check_mode: bool = False, diff: bool = False) -> ModuleRun:
        return run_main(postgresql_app_role.main, args, check_mode, diff)

    return run
