"""Start, stop and locate LocalStack's community runtime, run as a plain process on 127.0.0.1 (no Docker, no token).

``python tools/localstack/control.py start|stop|status|url [--stock]`` (make localstack / make localstack-down).
Its state lives in ``$TRIFLOW_LOCALSTACK_DIR`` (default ``.localstack/`` in the project, ignored by git):
LocalStack's files (``state/``), ``localstack.log``, ``localstack.pid`` and ``localstack.port``; the virtualenv
make localstack installs is ``.localstack/venv`` (or ``$TRIFLOW_LOCALSTACK_VENV``). ``start`` picks a free port,
starts tools/localstack/serve.py with the virtualenv's Python and waits until LocalStack says ``Ready.`` and its
health check lists every service as available; ``stop`` ends it (SIGTERM, then SIGKILL after 30 s) and removes
its state and what it writes outside its folder (/tmp/localstack-s3-storage, hard-coded in LocalStack: one
LocalStack at a time uses it). Standard library and the emulator's process helpers only
(tools/emulator/triflow_emulator/process.py): the project's Python runs it, or python3 with no virtualenv.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(PROJECT / "tools" / "emulator"))
from triflow_emulator.process import free_port, log_tail, pid_alive, read_pid, wait_until, write_pid  # noqa: E402

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


def running() -> tuple[int, int] | None:
    """(pid, port) of the LocalStack this state dir started, if it still runs."""
    files = _files(state_dir())
    pid, port = read_pid(files["pid"]), read_pid(files["port"])
    if pid is None or port is None or not pid_alive(pid):
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
    port = free_port()
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
    write_pid(files["pid"], child.pid)
    write_pid(files["port"], port)
    wait_until(lambda: child.poll() is not None or _ready(port, files["log"]), START_TIMEOUT, interval=0.5)
    if child.poll() is None and _ready(port, files["log"]):
        print(f"LocalStack {'(stock) ' if stock else ''}runs at http://{HOST}:{port} (pid {child.pid})")
        return 0
    why = f"exited with {child.returncode}" if child.poll() is not None else f"was not ready in {START_TIMEOUT:.0f} s"
    print(f"LocalStack {why}; the end of {files['log']}:\n{log_tail(files['log'])}", file=sys.stderr)
    stop()
    return 1


def stop() -> int:
    files = _files(state_dir())
    pid = read_pid(files["pid"])
    if pid is not None and pid_alive(pid):
        # Its own session (start_new_session): the group is LocalStack and whatever it started.
        os.killpg(pid, signal.SIGTERM)
        if not wait_until(lambda: not pid_alive(pid), STOP_TIMEOUT):
            os.killpg(pid, signal.SIGKILL)
            wait_until(lambda: not pid_alive(pid), 5.0)
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
