"""Start, stop and locate LocalStack's community runtime, run as a plain process on 127.0.0.1 (no Docker, no token).

``python tools/localstack/control.py start|stop|status|url [--stock]`` (make localstack / make localstack-down).
Its state lives in ``$TRIFLOW_LOCALSTACK_DIR`` (default ``.localstack/`` in the project, ignored by git):
LocalStack's files (``state/``), ``localstack.log``, ``localstack.pid`` and ``localstack.port``; the virtualenv
make localstack installs is ``.localstack/venv`` (or ``$TRIFLOW_LOCALSTACK_VENV``). ``start`` picks a free port,
starts tools/localstack/serve.py with the virtualenv's Python and waits until LocalStack says ``Ready.`` and its
health check lists every service as available; ``stop`` ends it (SIGTERM, then SIGKILL after 30 s) and removes
its state and what it writes outside its folder (/tmp/localstack-s3-storage, hard-coded in LocalStack: one
LocalStack at a time uses it). Standard library only: the project's Python runs it.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
# What LocalStack serves here: the services molecule's localstack scenario uses, and the tagging API the
# teardown's last check reads.
SERVICES = ("s3", "secretsmanager", "iam", "sts", "sns", "logs", "ec2", "cloudwatch", "resourcegroupstaggingapi")
# LocalStack writes S3 objects here whatever FILESYSTEM_ROOT says.
S3_STORAGE = Path("/tmp/localstack-s3-storage")
START_TIMEOUT = 120.0
STOP_TIMEOUT = 30.0


def state_dir() -> Path:
    return Path(os.environ.get("TRIFLOW_LOCALSTACK_DIR") or PROJECT / ".localstack")


def venv_dir() -> Path:
    """The virtualenv make localstack installs (another state dir may share it: TRIFLOW_LOCALSTACK_VENV)."""
    return Path(os.environ.get("TRIFLOW_LOCALSTACK_VENV") or PROJECT / ".localstack" / "venv")


def _files(base: Path) -> dict[str, Path]:
    return {name: base / f"localstack.{name}" for name in ("pid", "port", "log")}


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child (ours, not reaped yet) is not running.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except (OSError, IndexError):
        return True


def _read_int(path: Path) -> int | None:
    try:
        text = path.read_text().strip()
    except FileNotFoundError:
        return None
    return int(text) if text.isdigit() else None


def _health(port: int) -> dict | None:
    try:
        with urllib.request.urlopen(f"http://{HOST}:{port}/_localstack/health", timeout=2) as response:
            return json.loads(response.read())
    except (OSError, ValueError):
        return None


def _ready(port: int, log: Path) -> bool:
    health = _health(port)
    if not health or "Ready." not in log.read_text(errors="replace"):
        return False
    states = health.get("services", {})
    return all(states.get(service) in ("available", "running") for service in SERVICES)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def running() -> tuple[int, int] | None:
    """(pid, port) of the LocalStack this state dir started, if it still runs."""
    files = _files(state_dir())
    pid, port = _read_int(files["pid"]), _read_int(files["port"])
    if pid is None or port is None or not _alive(pid):
        return None
    return pid, port


def start(stock: bool = False) -> int:
    base = state_dir()
    python = venv_dir() / "bin" / "python"
    if not python.exists():
        print(
            f"LocalStack's virtualenv {python.parent.parent} is missing: make localstack installs it", file=sys.stderr
        )
        return 1
    found = running()
    if found:
        print(f"LocalStack already runs at http://{HOST}:{found[1]} (pid {found[0]})")
        return 0
    files = _files(base)
    for folder in ("state/cache", "state/root"):
        (base / folder).mkdir(parents=True, exist_ok=True)
    port = _free_port()
    env = dict(
        os.environ,
        OVERRIDE_IN_DOCKER="0",
        GATEWAY_SERVER="hypercorn",
        GATEWAY_LISTEN=f"{HOST}:{port}",
        SERVICES=",".join(SERVICES),
        PERSISTENCE="0",
        DISABLE_EVENTS="1",
        DNS_ADDRESS="0",
        SKIP_SSL_CERT_DOWNLOAD="1",
        XDG_CACHE_HOME=str(base / "state" / "cache"),
        FILESYSTEM_ROOT=str(base / "state" / "root"),
    )
    for variable in ("AWS_ENDPOINT_URL", "PYTHONPATH", "VIRTUAL_ENV"):
        env.pop(variable, None)
    command = [str(python), str(Path(__file__).with_name("serve.py"))] + (["--stock"] if stock else [])
    with files["log"].open("w") as log:
        child = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env, start_new_session=True
        )
    files["pid"].write_text(f"{child.pid}\n")
    files["port"].write_text(f"{port}\n")
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if child.poll() is not None:
            print(f"LocalStack exited with {child.returncode}: see {files['log']}", file=sys.stderr)
            return 1
        if _ready(port, files["log"]):
            print(f"LocalStack {'(stock) ' if stock else ''}runs at http://{HOST}:{port} (pid {child.pid})")
            return 0
        time.sleep(0.5)
    print(f"LocalStack did not get ready in {START_TIMEOUT:.0f} s: see {files['log']}", file=sys.stderr)
    stop()
    return 1


def stop() -> int:
    files = _files(state_dir())
    pid = _read_int(files["pid"])
    if pid is not None and _alive(pid):
        os.killpg(pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        if _alive(pid):
            os.killpg(pid, signal.SIGKILL)
        print(f"LocalStack (pid {pid}) stopped")
    else:
        print("LocalStack does not run")
    for name in ("pid", "port"):
        files[name].unlink(missing_ok=True)
    shutil.rmtree(state_dir() / "state", ignore_errors=True)
    shutil.rmtree(S3_STORAGE, ignore_errors=True)
    return 0


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "status"
    if command == "start":
        return start(stock="--stock" in argv[1:])
    if command == "stop":
        return stop()
    found = running()
    if command == "url":
        if not found:
            print("LocalStack does not run: make localstack starts it", file=sys.stderr)
            return 1
        print(f"http://{HOST}:{found[1]}")
        return 0
    if command == "status":
        print(f"LocalStack runs at http://{HOST}:{found[1]} (pid {found[0]})" if found else "LocalStack does not run")
        return 0 if found else 3
    print("usage: control.py start [--stock] | stop | status | url", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
