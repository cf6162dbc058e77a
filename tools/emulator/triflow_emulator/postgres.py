"""Local PostgreSQL servers behind emulated RDS endpoints (the ``rds_data_plane`` patch). No moto imports.

The project's one launcher of PostgreSQL: the module tests start their servers with it too (tests/support/postgres.py).

The binaries are those of ``triflow_emulator.pginstall``: PostgreSQL 16.2 from the PyPI wheel ``pgserver`` with a
portable build of pgvector 0.8.0, built once and cached. Each server:

* lives in ``<base>/<name>-<random>/`` with ``data/`` (the cluster) and ``postgresql.log`` (initdb + server
  output), where ``<base>`` is ``<state dir>/postgres/<emulator pid>``;
* is a copy of a template cluster made once per emulator by initdb (``<base>/template``, ~1 s; a copy takes
  ~0.1 s) whose bootstrap superuser is ``rdsadmin`` (as on RDS) with a random password only the emulator
  knows; the master user is created as a superuser (so it can ``CREATE EXTENSION vector``), the database
  owned by it; every connection needs a password (``scram-sha-256``);
* listens on 127.0.0.1 on a free port, TCP only (no Unix socket), with durability settings off (fsync...):
  it is a throwaway test server;
* is a child process of the emulator (no daemon): stopping it is SIGINT (fast shutdown), then SIGQUIT, then
  SIGKILL.

PostgreSQL refuses to run as root: when the emulator is root, initdb and the server run as the OS user
``postgres`` (else ``nobody``); their folders are handed to that user, and the state dir's parent folders get
``o+x`` (traverse only) where they lack it, e.g. pytest's 0700 temporary folders.

Servers left behind by an emulator that was killed (SIGKILL) are stopped, and their folders removed, by
``PostgresFleet.cleanup_stale()`` when the next emulator starts on the same state dir.
"""

import logging
import os
import pwd
import secrets
import shutil
import signal
import stat
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from triflow_emulator import HOST
from triflow_emulator.pginstall import BuildError, Install, install
from triflow_emulator.process import emulator_args, free_port, pid_alive

log = logging.getLogger(__name__)

RUN_AS_CANDIDATES = ("postgres", "nobody")
PROGRAMS = ("initdb", "postgres", "psql")
START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0
KILL_TIMEOUT = 5.0
PSQL_TIMEOUT = 30.0
START_ATTEMPTS = 3
POLL_INTERVAL = 0.02
LOG_TAIL_LINES = 12
DATA = "data"
LOG = "postgresql.log"
TEMPLATE = "template"
ADMIN_USER = "rdsadmin"
# Throwaway test servers: no durability, a small footprint.
SERVER_SETTINGS = {
    "listen_addresses": HOST,
    "unix_socket_directories": "",
    "password_encryption": "scram-sha-256",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "shared_buffers": "32MB",
    "max_connections": "100",
}


class PostgresError(RuntimeError):
    """A server could not be started or changed; the message says why (with the log tail)."""


@dataclass(frozen=True)
class OsUser:
    name: str
    uid: int
    gid: int


def run_as() -> OsUser | None:
    """The OS user to run PostgreSQL as: None (ourselves) unless we are root."""
    if os.geteuid() != 0:
        return None
    for name in RUN_AS_CANDIDATES:
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            continue
        return OsUser(name=name, uid=entry.pw_uid, gid=entry.pw_gid)
    raise PostgresError(f"running as root needs one of the OS users {', '.join(RUN_AS_CANDIDATES)} to run PostgreSQL")


def log_tail(path: Path, lines: int = LOG_TAIL_LINES) -> str:
    try:
        content = path.read_text(errors="replace").splitlines()
    except OSError:
        return "(no log)"
    return "\n".join(content[-lines:]) or "(log is empty)"


def _child_env(**extra: str) -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", os.defpath), "LC_ALL": "C", **extra}


def as_os_user(user: OsUser | None) -> dict[str, Any]:
    """subprocess arguments that run a program as ``user`` (None: ourselves), without our supplementary groups."""
    if user is None:
        return {}
    return {"user": user.uid, "group": user.gid, "extra_groups": []}


def _as_postgres(user: OsUser | None, cwd: Path, out: IO[bytes]) -> dict[str, Any]:
    """subprocess arguments of a PostgreSQL program: as ``user`` (None: ourselves), output to ``out``."""
    return {
        **as_os_user(user),
        "env": _child_env(),
        "cwd": cwd,
        "stdin": subprocess.DEVNULL,
        "stdout": out,
        "stderr": subprocess.STDOUT,
    }


def _make_traversable(path: Path) -> None:
    """Give ``o+x`` to the folders above ``path`` that lack it, so another OS user can reach ``path``."""
    for folder in path.parents:
        mode = folder.stat().st_mode
        if not mode & stat.S_IXOTH:
            folder.chmod(stat.S_IMODE(mode) | stat.S_IXOTH)
            log.warning("rds data plane: added o+x to %s so the PostgreSQL OS user can reach %s", folder, path)


def _hand_over(path: Path, user: OsUser | None, mode: int) -> None:
    if user is not None:
        os.chown(path, user.uid, user.gid)
    path.chmod(mode)


def _postmaster_status(data_dir: Path) -> tuple[int, int, str] | None:
    """(pid, port, status) from ``postmaster.pid``, or None while it is missing or incomplete."""
    try:
        lines = (data_dir / "postmaster.pid").read_text().splitlines()
    except OSError:
        return None
    if len(lines) < 8 or not lines[0].strip().isdigit() or not lines[3].strip().isdigit():
        return None
    return int(lines[0]), int(lines[3]), lines[7].strip()


def _stop_process(process: subprocess.Popen[bytes], timeout: float = STOP_TIMEOUT) -> None:
    """Fast shutdown (SIGINT), then immediate (SIGQUIT), then SIGKILL; wait for the postmaster each time."""
    for sig, wait in ((signal.SIGINT, timeout), (signal.SIGQUIT, KILL_TIMEOUT), (signal.SIGKILL, KILL_TIMEOUT)):
        if process.poll() is not None:
            return
        try:
            process.send_signal(sig)
        except ProcessLookupError:
            return
        try:
            process.wait(wait)
            return
        except subprocess.TimeoutExpired:
            continue


@dataclass
class PostgresServer:
    """One running PostgreSQL cluster."""

    root: Path
    port: int
    username: str
    password: str
    admin_password: str
    process: subprocess.Popen[bytes]
    install: Install

    @property
    def data_dir(self) -> Path:
        return self.root / DATA

    @property
    def log_file(self) -> Path:
        return self.root / LOG

    @property
    def running(self) -> bool:
        return self.process.poll() is None

    def psql(self, script: str, variables: dict[str, str] | None = None) -> None:
        """Run ``script`` as ``rdsadmin`` (``\\getenv`` reads ``variables``: values stay off the command line)."""
        env = _child_env(
            PGHOST=HOST,
            PGPORT=str(self.port),
            PGUSER=ADMIN_USER,
            PGDATABASE="postgres",
            PGPASSWORD=self.admin_password,
            PGSSLMODE="disable",
            PGCONNECT_TIMEOUT="10",
            **(variables or {}),
        )
        args = [str(self.install.binary("psql")), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", "-"]
        try:
            result = subprocess.run(
                args, input=script, env=env, capture_output=True, text=True, timeout=PSQL_TIMEOUT, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise PostgresError(f"psql on port {self.port} failed: {exc}") from None
        if result.returncode != 0:
            raise PostgresError(f"psql on port {self.port} failed (exit {result.returncode}): {result.stderr.strip()}")

    def create_master(self, database: str | None) -> None:
        """Create the master user (a superuser) and, unless None or ``postgres``, its database."""
        script = [
            "\\getenv role TRIFLOW_ROLE",
            "\\getenv pw TRIFLOW_PASSWORD",
            "CREATE ROLE :\"role\" WITH LOGIN SUPERUSER CREATEDB CREATEROLE PASSWORD :'pw';",
        ]
        variables = {"TRIFLOW_ROLE": self.username, "TRIFLOW_PASSWORD": self.password}
        if database and database != "postgres":
            script += ["\\getenv db TRIFLOW_DB_NAME", 'CREATE DATABASE :"db" OWNER :"role";']
            variables["TRIFLOW_DB_NAME"] = database
        self.psql("\n".join(script) + "\n", variables)

    def set_password(self, password: str) -> None:
        script = "\\getenv role TRIFLOW_ROLE\n\\getenv pw TRIFLOW_PASSWORD\nALTER ROLE :\"role\" PASSWORD :'pw';\n"
        self.psql(script, {"TRIFLOW_ROLE": self.username, "TRIFLOW_PASSWORD": password})
        self.password = password


class PostgresFleet:
    """The servers of one emulator process: start, stop one, stop all (reset, shutdown)."""

    def __init__(self, base_dir: Path, install_tree: Install | None = None) -> None:
        """``install_tree``: the PostgreSQL install to run (default: ``pginstall.install()``, built on first use)."""
        self.base_dir = base_dir
        self._install = install_tree
        self._servers: list[PostgresServer] = []
        self._lock = threading.Lock()
        self._template_lock = threading.Lock()
        self._admin_password = secrets.token_urlsafe(24)
        self._closed = False

    @property
    def servers(self) -> list[PostgresServer]:
        with self._lock:
            return list(self._servers)

    def start(
        self, name: str, username: str, password: str, database: str | None, settings: dict[str, str] | None = None
    ) -> PostgresServer:
        """Initialise and start a server for ``name``; make ``database`` if given. Raises PostgresError.

        ``settings`` are postgresql.conf settings beyond ``SERVER_SETTINGS`` (e.g. ``log_min_messages``)."""
        user = run_as()
        tree = self.install_tree()
        template = self._template(user, tree)
        root = self.base_dir / f"{name}-{secrets.token_hex(4)}"
        root.mkdir(parents=True)
        server: PostgresServer | None = None
        try:
            _hand_over(root, user, 0o700)
            _copy_cluster(template / DATA, root / DATA, user)
            server = self._launch(tree, root, user, username, password, settings or {})
            server.create_master(database)
        except BaseException as exc:
            if server is not None:
                _stop_process(server.process)
            tail = log_tail(root / LOG)
            shutil.rmtree(root, ignore_errors=True)
            if isinstance(exc, PostgresError):
                raise PostgresError(f"{exc}\n--- last lines of the PostgreSQL log ---\n{tail}") from None
            raise
        with self._lock:
            if not self._closed:
                self._servers.append(server)
                return server
        self._remove(server)
        raise PostgresError("the emulator is shutting down")

    def install_tree(self) -> Install:
        """The install this fleet runs; raises PostgresError if it cannot be built."""
        try:
            if self._install is None:
                self._install = install()
            for name in PROGRAMS:
                self._install.binary(name)
        except BuildError as exc:
            raise PostgresError(f"the PostgreSQL + pgvector install is not usable: {exc}") from None
        return self._install

    def _template(self, user: OsUser | None, tree: Install) -> Path:
        """The template cluster, made by initdb on first use."""
        root = self.base_dir / TEMPLATE
        with self._template_lock:
            if (root / DATA / "PG_VERSION").exists():
                return root
            shutil.rmtree(root, ignore_errors=True)
            root.mkdir(parents=True)
            try:
                if user is not None:
                    _make_traversable(root)
                _hand_over(root, user, 0o700)
                self._initdb(tree.binary("initdb"), root, user)
            except BaseException as exc:
                tail = log_tail(root / LOG)
                shutil.rmtree(root, ignore_errors=True)
                if isinstance(exc, PostgresError):
                    raise PostgresError(f"{exc}\n--- last lines of the initdb log ---\n{tail}") from None
                raise
            return root

    def _initdb(self, initdb: Path, root: Path, user: OsUser | None) -> None:
        pwfile = root / "pwfile"
        pwfile.write_text(self._admin_password + "\n")
        _hand_over(pwfile, user, 0o600)
        args = [
            str(initdb),
            *("-D", str(root / DATA), "-U", ADMIN_USER, "--pwfile", str(pwfile)),
            *("--auth", "scram-sha-256", "--encoding", "UTF8", "--locale", "C", "--wal-segsize", "1"),
            *("--no-sync", "--no-instructions"),
        ]
        try:
            with (root / LOG).open("ab") as out:
                result = subprocess.run(args, **_as_postgres(user, root, out), timeout=START_TIMEOUT, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise PostgresError(f"initdb failed: {exc}") from None
        finally:
            pwfile.unlink(missing_ok=True)
        if result.returncode != 0:
            raise PostgresError(f"initdb failed (exit {result.returncode})")

    def _launch(
        self, tree: Install, root: Path, user: OsUser | None, username: str, password: str, extra: dict[str, str]
    ) -> PostgresServer:
        """Start the postmaster on a free port (another one if the port was taken meanwhile); wait until ready."""
        merged = {**SERVER_SETTINGS, **extra}
        settings = [arg for key, value in merged.items() for arg in ("-c", f"{key}={value}")]
        for _attempt in range(START_ATTEMPTS):
            port = free_port()
            with (root / LOG).open("ab") as out:
                process = subprocess.Popen(
                    [str(tree.binary("postgres")), "-D", str(root / DATA), "-p", str(port), *settings],
                    **_as_postgres(user, root, out),
                    start_new_session=True,
                )
            server = PostgresServer(
                root=root,
                port=port,
                username=username,
                password=password,
                admin_password=self._admin_password,
                process=process,
                install=tree,
            )
            if self._wait_ready(server):
                return server
            _stop_process(process)
            if "could not bind" not in log_tail(root / LOG):
                raise PostgresError(f"postgres exited with status {process.returncode} before accepting connections")
        raise PostgresError(f"postgres could not bind a free port on {HOST} in {START_ATTEMPTS} attempts")

    @staticmethod
    def _wait_ready(server: PostgresServer) -> bool:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if not server.running:
                return False
            status = _postmaster_status(server.data_dir)
            if status is not None and status[0] == server.process.pid and status[2] == "ready":
                return True
            time.sleep(POLL_INTERVAL)
        return False

    @staticmethod
    def _remove(server: PostgresServer) -> None:
        _stop_process(server.process)
        shutil.rmtree(server.root, ignore_errors=True)

    def stop(self, server: PostgresServer) -> None:
        """Stop one server and delete its folder."""
        with self._lock:
            if server in self._servers:
                self._servers.remove(server)
        self._remove(server)

    def stop_all(self) -> int:
        """Stop every server (signals first, then waits, so they shut down in parallel); return how many."""
        with self._lock:
            servers, self._servers = self._servers, []
        for server in servers:
            if server.running:
                server.process.send_signal(signal.SIGINT)
        for server in servers:
            self._remove(server)
        return len(servers)

    def close(self) -> int:
        """Stop every server, refuse new ones and delete ``base_dir`` (emulator shutdown); return how many."""
        with self._lock:
            self._closed = True
        count = self.stop_all()
        with self._template_lock:
            shutil.rmtree(self.base_dir, ignore_errors=True)
        return count

    def cleanup_stale(self) -> None:
        """Stop the servers of dead emulators on the same state dir and delete their folders."""
        parent = self.base_dir.parent
        if not parent.is_dir():
            return
        for folder in parent.iterdir():
            if not folder.is_dir() or folder == self.base_dir:
                continue
            if folder.name.isdigit() and pid_alive(int(folder.name)) and emulator_args(int(folder.name)) is not None:
                continue
            for data_dir in folder.glob(f"*/{DATA}"):
                _kill_leftover(data_dir)
            shutil.rmtree(folder, ignore_errors=True)
            log.warning("rds data plane: removed the PostgreSQL servers left by a dead emulator in %s", folder)


def _copy_cluster(source: Path, target: Path, user: OsUser | None) -> None:
    """``cp -a`` as the OS user that runs PostgreSQL, so the copy is its own (no chown pass)."""
    try:
        result = subprocess.run(
            ["cp", "-a", str(source), str(target)],
            **as_os_user(user),
            capture_output=True,
            text=True,
            timeout=START_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise PostgresError(f"could not copy the template cluster: {exc}") from None
    if result.returncode != 0:
        raise PostgresError(f"could not copy the template cluster: {result.stderr.strip()}")


def _kill_leftover(data_dir: Path) -> None:
    status = _postmaster_status(data_dir)
    if status is None or not pid_alive(status[0]):
        return
    pid = status[0]
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return
    if str(data_dir).encode() not in cmdline:
        return  # the pid was reused by something else
    for sig in (signal.SIGQUIT, signal.SIGKILL):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + KILL_TIMEOUT
        while time.monotonic() < deadline:
            if not pid_alive(pid):
                return
            time.sleep(POLL_INTERVAL)
