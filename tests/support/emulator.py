"""The project's emulator (tools/emulator) for tests and benchmarks: one launcher, one way to start and stop it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from triflow_emulator.config import Settings
from triflow_emulator.process import free_port

from support.aws import REGION, Endpoint

REPO = Path(__file__).resolve().parents[2]
EMULATOR_PYTHONPATH = REPO / "tools" / "emulator"
LAUNCHER_TIMEOUT = 90
__all__ = ["REPO", "Emulator", "Launcher", "free_port", "fresh_state_dir", "gap_message", "running_emulator"]


def gap_message(number: int, patch: str) -> str:
    """What an emulator test says once moto behaves like AWS by itself (EMULATOR.md gap ``number``)."""
    return f"moto fixed gap {number} upstream: remove patch {patch}"


@dataclass(frozen=True)
class Launcher:
    """``python -m triflow_emulator <command>`` with its own state folder, port and TRIFLOW_EMULATOR_* settings."""

    state_dir: Path
    port: int = field(default_factory=free_port)
    settings: Mapping[str, str] = field(default_factory=dict)

    def env(self, **overrides: str) -> dict[str, str]:
        return {
            **os.environ,
            "PYTHONPATH": str(EMULATOR_PYTHONPATH),
            "TRIFLOW_EMULATOR_STATE_DIR": str(self.state_dir),
            "TRIFLOW_EMULATOR_PORT": str(self.port),
            **self.settings,
            **overrides,
        }

    def run(self, *args: str, **env_overrides: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "triflow_emulator", *args],
            cwd=REPO,
            env=self.env(**env_overrides),
            capture_output=True,
            text=True,
            timeout=LAUNCHER_TIMEOUT,
            check=False,
        )

    @property
    def launcher_settings(self) -> Settings:
        """What the launcher itself resolves from the same port and folder (its endpoint, pid file, log)."""
        return Settings(port=self.port, state_dir=self.state_dir, start_timeout=LAUNCHER_TIMEOUT)

    @property
    def endpoint(self) -> str:
        return self.launcher_settings.endpoint

    @property
    def pid_file(self) -> Path:
        return self.launcher_settings.pid_file

    def start(self, **env_overrides: str) -> Emulator:
        started = self.run("start", **env_overrides)
        if started.returncode != 0:
            raise AssertionError(f"the emulator did not start:\n{started.stdout}\n{started.stderr}")
        return Emulator(url=self.endpoint, name="patched", launcher=self)

    def stop(self) -> None:
        stopped = self.run("stop")
        if stopped.returncode != 0:
            raise AssertionError(f"the emulator did not stop:\n{stopped.stdout}\n{stopped.stderr}")


@dataclass(frozen=True)
class Emulator(Endpoint):
    """A running emulator: its endpoint, state folder, call log, and the environment of a playbook run against it."""

    launcher: Launcher | None = None

    @property
    def state_dir(self) -> Path:
        assert self.launcher is not None
        return self.launcher.state_dir

    @property
    def output_dir(self) -> Path:
        """Where site.yml writes the stacks' files (TRIFLOW_OUTPUT_DIR): one folder per emulator."""
        return self.state_dir / "output"

    @property
    def env(self) -> dict[str, str]:
        """The environment of an ansible-playbook (or any AWS client) run against this emulator."""
        env = dict(os.environ)
        for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
            env.pop(name, None)
        env.update(
            {
                "AWS_ENDPOINT_URL": str(self.url),
                "AWS_ACCESS_KEY_ID": "testing",
                "AWS_SECRET_ACCESS_KEY": "testing",
                "AWS_DEFAULT_REGION": REGION,
                "TRIFLOW_OUTPUT_DIR": str(self.output_dir),
                "ANSIBLE_FORCE_COLOR": "0",
                "ANSIBLE_NOCOLOR": "1",
                "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
            }
        )
        return env

    def reset(self) -> None:
        """Wipe every resource (moto's reset; the data plane's servers stop too)."""
        requests.post(f"{self.url}/moto-api/reset", timeout=60).raise_for_status()

    def calls(self, log: bool = False) -> dict[str, Any]:
        """The call log: ``{"total": n, "calls": {"ec2.DescribeVpcs": n, ...}, "faults": {...}}``; ``log`` adds
        ``"log"``, the calls in order (``{"seq", "call", "fault"?}``)."""
        answer = requests.get(f"{self.url}/_triflow/calls", params={"log": "1"} if log else None, timeout=30)
        answer.raise_for_status()
        return answer.json()

    def set_faults(self, spec: str) -> dict[str, Any]:
        """Inject faults from now on (the emulator's fault spec: tools/emulator/README.md, "Fault injection")."""
        answer = requests.post(f"{self.url}/_triflow/faults", data=spec, timeout=10)
        if answer.status_code != 200:
            raise AssertionError(f"the emulator refused the fault spec {spec!r}: {answer.text}")
        return answer.json()

    def clear_faults(self) -> None:
        requests.delete(f"{self.url}/_triflow/faults", timeout=10).raise_for_status()

    def clear_calls(self) -> None:
        requests.delete(f"{self.url}/_triflow/calls", timeout=10).raise_for_status()

    def call_names(self) -> set[str]:
        """The API calls made since the log was cleared: ``{"ecs.DescribeClusters", ...}``."""
        return set(self.calls()["calls"])


def fresh_state_dir(name: str = "emulator") -> Path:
    """A new, empty state folder for an emulator, outside pytest's temporary tree.

    pytest takes group and other permissions off its root folder (/tmp/pytest-of-<user>) whenever a pytest process
    starts (another worker, molecule's verifier). When the tests run as root, the emulator's PostgreSQL servers run
    as another OS user and reach their data folders through the o+x the emulator gives the folders above them; once
    pytest takes it away, PostgreSQL cannot read its lock file and shuts down within a minute.
    """
    return Path(tempfile.mkdtemp(prefix=f"triflow-{name}-"))


@contextmanager
def running_emulator(name: str = "emulator", **settings: str) -> Iterator[Emulator]:
    """An emulator on a free port with a fresh state folder and its settings; stopped and its folder removed when
    the block ends."""
    launcher = Launcher(state_dir=fresh_state_dir(name), settings=settings)
    emulator = launcher.start()
    try:
        yield emulator
    finally:
        try:
            launcher.stop()
        finally:
            shutil.rmtree(launcher.state_dir, ignore_errors=True)
