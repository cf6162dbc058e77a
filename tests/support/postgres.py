"""A throwaway PostgreSQL + pgvector server for tests, started by the emulator's own launcher (one for both).

The server is a child of this process, listens on 127.0.0.1 (TCP only), requires scram-sha-256 passwords, and
its master user is a superuser; it is stopped and its folder deleted when the block ends.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
from triflow_emulator.pginstall import Install, install
from triflow_emulator.postgres import PostgresFleet

HOST = "127.0.0.1"
__all__ = ["Install", "Server", "install", "postgres_server"]


@dataclass(frozen=True)
class Server:
    host: str
    port: int
    user: str
    password: str

    def conninfo(self, dbname: str = "postgres", user: str | None = None, password: str | None = None) -> str:
        return psycopg.conninfo.make_conninfo(
            host=self.host,
            port=self.port,
            user=user or self.user,
            password=self.password if password is None else password,
            dbname=dbname,
            sslmode="disable",
            connect_timeout=5,
        )

    def connect(self, dbname: str = "postgres", autocommit: bool = True) -> psycopg.Connection:
        return psycopg.connect(self.conninfo(dbname), autocommit=autocommit)


@contextmanager
def postgres_server(
    user: str, password: str, settings: Mapping[str, str] | None = None, install_tree: Install | None = None
) -> Iterator[Server]:
    """A server whose superuser is ``user``; ``settings`` are extra postgresql.conf settings; ``install_tree`` the
    PostgreSQL install to run (default: the data plane's own, ``install()``)."""
    # tempfile.mkdtemp, not pytest's tmp_path: when the tests run as root, PostgreSQL runs as another OS user.
    base = Path(tempfile.mkdtemp(prefix="triflow-postgres-"))
    fleet = PostgresFleet(base, install_tree)
    try:
        server = fleet.start("tests", user, password, database=None, settings=dict(settings or {}))
        yield Server(HOST, server.port, user, password)
    finally:
        fleet.close()
        shutil.rmtree(base, ignore_errors=True)
