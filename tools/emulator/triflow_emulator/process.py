"""Small process and network helpers for the launcher (no moto imports)."""

import itertools
import json
import os
import signal
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from triflow_emulator import HEALTH_PATH, HOST, SERVICE_NAME

PROC = Path("/proc")
POLL_INTERVAL = 0.2


def wait_until(predicate: Callable[[], bool], timeout: float, interval: float = POLL_INTERVAL) -> bool:
    """Poll ``predicate`` until it is true or ``timeout`` seconds have passed; return its last value."""
    deadline = time.monotonic() + timeout
    while True:
        if predicate():
            return True
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        time.sleep(min(interval, remaining))


def probe_health(port: int, timeout: float = 1.0) -> dict[str, Any] | None:
    """Return the emulator's health document if a triflow emulator answers on ``port``, else None."""
    url = f"http://{HOST}:{port}{HEALTH_PATH}"
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            body = json.loads(response.read())
    except (OSError, ValueError):
        # OSError covers URLError, HTTPError, refused connections and timeouts; ValueError bad JSON.
        return None
    if isinstance(body, dict) and body.get("service") == SERVICE_NAME:
        return body
    return None


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now (the one helper for the emulator and its tests)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def port_is_free(port: int) -> bool:
    """True if we could bind 127.0.0.1:port right now (same SO_REUSEADDR setting as the server)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
    return True


def post(url: str, timeout: float = 10.0) -> int:
    request = urllib.request.Request(url, data=b"", method="POST")
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return int(response.status)


def read_pid(pid_file: Path) -> int | None:
    try:
        text = pid_file.read_text().strip()
    except FileNotFoundError:
        return None
    return int(text) if text.isdigit() else None


def write_pid(pid_file: Path, pid: int) -> None:
    pid_file.write_text(f"{pid}\n")


def remove_pid_file(pid_file: Path) -> None:
    pid_file.unlink(missing_ok=True)


def _is_zombie(pid: int) -> bool:
    try:
        stat = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[-1].split()[0] == "Z"


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return not _is_zombie(pid)


def emulator_args(pid: int) -> list[str] | None:
    """The command line of ``pid`` if it is ``python -m triflow_emulator serve ...``, else None.

    This guards against pid reuse. Without /proc (non-Linux) we cannot check, trust the pid file and return [].
    """
    if not PROC.is_dir():
        return []
    try:
        raw = (PROC / str(pid) / "cmdline").read_bytes()
    except OSError:
        return None
    args = [arg.decode(errors="replace") for arg in raw.split(b"\0") if arg]
    return args if "triflow_emulator" in args and "serve" in args else None


def port_argument(args: list[str]) -> int | None:
    """The value of ``--port`` in an emulator command line, if present and numeric."""
    for flag, value in itertools.pairwise(args):
        if flag == "--port" and value.isdigit():
            return int(value)
    return None


def terminate(pid: int, grace: float = 10.0, kill_wait: float = 5.0) -> bool:
    """SIGTERM, wait up to ``grace`` s, then SIGKILL and wait up to ``kill_wait`` s. True once it is gone."""
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, kill_wait)):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return True
        if wait_until(lambda: not pid_alive(pid), wait):
            return True
    return False


def log_tail(log_file: Path, lines: int = 30) -> str:
    try:
        content = log_file.read_text(errors="replace").splitlines()
    except FileNotFoundError:
        return "(no log file)"
    return "\n".join(content[-lines:]) or "(log is empty)"
