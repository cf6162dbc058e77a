"""Launcher commands: start / stop / status / reset a background emulator."""

import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TextIO

from triflow_emulator import HEALTH_PATH
from triflow_emulator.config import PYTHONPATH_ENTRY, Settings
from triflow_emulator.process import (
    POLL_INTERVAL,
    emulator_args,
    log_tail,
    pid_alive,
    port_argument,
    port_is_free,
    post,
    probe_health,
    read_pid,
    remove_pid_file,
    terminate,
    wait_until,
    write_pid,
)

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_NOT_RUNNING = 3


class LauncherError(RuntimeError):
    """A command failed; the message is shown to the user as is."""


def _describe(health: dict[str, Any]) -> str:
    patches = ", ".join(health.get("patches", [])) or "none"
    return f"pid {health.get('pid')}, moto {health.get('moto_version')}, patches: {patches}"


@dataclass(frozen=True)
class StateEmulator:
    """The emulator recorded in the state dir's pid file."""

    pid: int
    port: int | None


def _live_emulator(settings: Settings) -> StateEmulator | None:
    """The live emulator from the pid file, if any; a stale pid file (dead or reused pid) is removed."""
    pid = read_pid(settings.pid_file)
    if pid is None:
        return None
    args = emulator_args(pid) if pid_alive(pid) else None
    if args is None:
        remove_pid_file(settings.pid_file)
        return None
    return StateEmulator(pid=pid, port=port_argument(args))


def _on_other_port(settings: Settings, emulator: StateEmulator) -> bool:
    return emulator.port is not None and emulator.port != settings.port


def _failure(settings: Settings, reason: str) -> LauncherError:
    return LauncherError(f"{reason}\n--- last lines of {settings.log_file} ---\n{log_tail(settings.log_file)}")


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    paths = [str(PYTHONPATH_ENTRY), *filter(None, env.get("PYTHONPATH", "").split(os.pathsep))]
    env["PYTHONPATH"] = os.pathsep.join(paths)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _spawn(settings: Settings, log: TextIO) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "triflow_emulator", "serve", "--port", str(settings.port)]
    log.write(f"=== {time.strftime('%Y-%m-%dT%H:%M:%S%z')} start: {' '.join(command)}\n")
    log.flush()
    return subprocess.Popen(
        command,
        cwd=settings.state_dir,
        env=_child_env(),
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _answers_as(port: int, pid: int) -> Callable[[], bool]:
    def check() -> bool:
        health = probe_health(port)
        return health is not None and health.get("pid") == pid

    return check


def _wait_for_child(settings: Settings, child: subprocess.Popen[bytes]) -> None:
    answering = _answers_as(settings.port, child.pid)
    deadline = time.monotonic() + settings.start_timeout
    while time.monotonic() < deadline:
        if answering():
            return
        if child.poll() is not None:
            remove_pid_file(settings.pid_file)
            raise _failure(settings, f"emulator exited with status {child.returncode} before answering")
        time.sleep(POLL_INTERVAL)
    if answering():
        return
    terminate(child.pid)
    remove_pid_file(settings.pid_file)
    raise _failure(
        settings, f"emulator did not answer at {settings.endpoint}{HEALTH_PATH} within {settings.start_timeout:g} s"
    )


def start(settings: Settings) -> int:
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    health = probe_health(settings.port)
    if health is not None:
        print(f"already running: {settings.endpoint} ({_describe(health)})")
        return EXIT_OK
    recorded = _live_emulator(settings)
    if recorded is not None and _on_other_port(settings, recorded):
        raise LauncherError(
            f"state dir {settings.state_dir} already has an emulator (pid {recorded.pid}) on port {recorded.port}; "
            "stop it first or use another TRIFLOW_EMULATOR_STATE_DIR"
        )
    if recorded is not None:
        # Started by a concurrent `start` and still booting: wait for it instead of starting another one.
        if not wait_until(_answers_as(settings.port, recorded.pid), settings.start_timeout):
            raise _failure(settings, f"emulator pid {recorded.pid} is alive but does not answer at {settings.endpoint}")
        print(f"already running: {settings.endpoint} (pid {recorded.pid})")
        return EXIT_OK
    if not port_is_free(settings.port):
        raise LauncherError(
            f"port {settings.port} on 127.0.0.1 is taken by something else "
            f"(no triflow emulator answers at {settings.endpoint}{HEALTH_PATH}); "
            "free it or choose another port with --port / TRIFLOW_EMULATOR_PORT"
        )
    with settings.log_file.open("a") as log:
        child = _spawn(settings, log)
    write_pid(settings.pid_file, child.pid)
    _wait_for_child(settings, child)
    print(f"started: {settings.endpoint} (pid {child.pid}, log {settings.log_file})")
    return EXIT_OK


def stop(settings: Settings) -> int:
    """Stop the emulator recorded in the state dir (whatever its port)."""
    recorded = _live_emulator(settings)
    if recorded is None:
        health = probe_health(settings.port)
        if health is not None:
            raise LauncherError(
                f"an emulator answers at {settings.endpoint} (pid {health.get('pid')}) but it was not started "
                f"from state dir {settings.state_dir}; not stopping it"
            )
        print(f"not running: {settings.endpoint} (nothing to stop)")
        return EXIT_OK
    if not terminate(recorded.pid):
        raise LauncherError(f"emulator pid {recorded.pid} survived SIGTERM and SIGKILL")
    remove_pid_file(settings.pid_file)
    port = recorded.port if recorded.port is not None else settings.port
    print(f"stopped: http://127.0.0.1:{port} (pid {recorded.pid})")
    return EXIT_OK


def status(settings: Settings) -> int:
    health = probe_health(settings.port)
    if health is not None:
        print(f"running: {settings.endpoint} ({_describe(health)})")
        return EXIT_OK
    recorded = _live_emulator(settings)
    detail = ""
    if recorded is not None and _on_other_port(settings, recorded):
        detail = f" (this state dir's emulator, pid {recorded.pid}, uses port {recorded.port})"
    elif recorded is not None:
        detail = f" (pid {recorded.pid} is alive but not answering; see {settings.log_file})"
    print(f"not running: {settings.endpoint}{detail}")
    return EXIT_NOT_RUNNING


def reset(settings: Settings) -> int:
    url = f"{settings.endpoint}/moto-api/reset"
    try:
        code = post(url)
    except OSError as exc:
        raise LauncherError(f"cannot reset: no emulator answers at {settings.endpoint} ({exc})") from None
    print(f"reset: all state wiped at {settings.endpoint} (HTTP {code})")
    return EXIT_OK


def endpoint(settings: Settings) -> int:
    print(settings.endpoint)
    return EXIT_OK
