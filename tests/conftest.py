"""Fixtures shared by the integration tests: a patched local AWS emulator and real ansible-playbook runs."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest
import requests

REPO = Path(__file__).resolve().parent.parent
REGION = "ap-northeast-2"
RECAP = re.compile(
    r"^(?P<host>\S+)\s+:\s+ok=(?P<ok>\d+)\s+changed=(?P<changed>\d+)\s+unreachable=(?P<unreachable>\d+)"
    r"\s+failed=(?P<failed>\d+)"
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Emulator:
    endpoint: str
    env: dict[str, str]
    # Where site.yml writes the stacks' files (TRIFLOW_OUTPUT_DIR): one folder per emulator, so test files running
    # side by side never share output/<prefix>/app.env.
    output_dir: Path

    def client(self, service: str, region: str = REGION):
        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name=region,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    def reset(self) -> None:
        requests.post(f"{self.endpoint}/moto-api/reset", timeout=30).raise_for_status()


@contextmanager
def running_emulator(state_dir: Path, **settings: str) -> Iterator[Emulator]:
    """The project's emulator on a free port with its own state folder and settings (TRIFLOW_EMULATOR_*)."""
    port = _free_port()
    env = dict(os.environ)
    env.update(
        {
            "TRIFLOW_EMULATOR_PORT": str(port),
            "TRIFLOW_EMULATOR_STATE_DIR": str(state_dir),
            "PYTHONPATH": str(REPO / "tools" / "emulator"),
            **settings,
        }
    )
    launcher = [sys.executable, "-m", "triflow_emulator"]
    subprocess.run([*launcher, "start"], env=env, check=True, cwd=REPO)
    endpoint = f"http://127.0.0.1:{port}"
    playbook_env = dict(os.environ)
    playbook_env.update(
        {
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": REGION,
            "TRIFLOW_OUTPUT_DIR": str(state_dir / "output"),
            "ANSIBLE_FORCE_COLOR": "0",
            "ANSIBLE_NOCOLOR": "1",
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        }
    )
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        playbook_env.pop(name, None)
    try:
        yield Emulator(endpoint=endpoint, env=playbook_env, output_dir=state_dir / "output")
    finally:
        subprocess.run([*launcher, "stop"], env=env, check=True, cwd=REPO)


@pytest.fixture(scope="session")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    """The project's emulator for the whole session, stopped at its end."""
    with running_emulator(tmp_path_factory.mktemp("emulator")) as running:
        yield running


@dataclass
class PlaybookRun:
    rc: int
    output: str
    recap: dict[str, dict[str, int]]

    def changed(self, host: str | None = None) -> int:
        hosts = [host] if host else list(self.recap)
        return sum(self.recap[name]["changed"] for name in hosts)


def run_playbook(
    emulator: Emulator,
    playbook: str,
    *inventories: str,
    extra_vars: dict | None = None,
    check: bool = False,
    extra_args: tuple[str, ...] = (),
    env: dict[str, str] | None = None,
) -> PlaybookRun:
    """Run ansible-playbook from the project root against the emulator, as an operator would."""
    command = [str(Path(sys.executable).parent / "ansible-playbook"), playbook]
    for inventory in inventories:
        command += ["-i", inventory]
    if extra_vars:
        command += ["-e", json.dumps(extra_vars)]
    if check:
        command += ["--check", "--diff"]
    command += list(extra_args)
    completed = subprocess.run(
        command, cwd=REPO, env={**emulator.env, **(env or {})}, capture_output=True, text=True, timeout=900
    )
    output = completed.stdout + completed.stderr
    recap = {}
    for line in completed.stdout.splitlines():
        match = RECAP.match(line)
        if match:
            recap[match.group("host")] = {key: int(value) for key, value in match.groupdict().items() if key != "host"}
    return PlaybookRun(rc=completed.returncode, output=output, recap=recap)


def assert_ok(run: PlaybookRun) -> None:
    assert run.rc == 0, run.output[-6000:]


@pytest.fixture(scope="session")
def playbook(emulator: Emulator):
    """Run a playbook against the session's emulator: playbook("site.yml", "inventories/local", check=True)."""

    def run(name: str, *inventories: str, **kwargs) -> PlaybookRun:
        return run_playbook(emulator, name, *inventories, **kwargs)

    return run


@pytest.fixture(scope="session")
def emulator_factory():
    """Start another emulator with its own settings: ``with emulator_factory(path, SETTING="x") as other: ...``."""
    return running_emulator


@pytest.fixture(scope="session")
def playbook_runner():
    """Run a playbook against any emulator: ``playbook_runner(other, "site.yml", "inventories/local")``."""
    return run_playbook
