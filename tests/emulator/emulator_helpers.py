"""Helpers shared by the emulator tests: free ports, unique names, the launcher runner, boto3 client factory."""

import os
import socket
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

REPO_ROOT = Path(__file__).resolve().parents[2]
EMULATOR_PYTHONPATH = REPO_ROOT / "tools" / "emulator"
REGION = "ap-northeast-2"
DUMMY_AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
}
LAUNCHER_TIMEOUT = 60
STOCK = "stock"
PATCHED = "patched"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def gap_message(number: int, patch: str) -> str:
    return f"moto fixed gap {number} upstream: remove patch {patch}"


@dataclass(frozen=True)
class Launcher:
    """Runs ``python -m triflow_emulator <command>`` with its own state dir; the port comes from the env."""

    state_dir: Path
    port: int

    def env(self, **overrides: str) -> dict[str, str]:
        env = {
            **os.environ,
            "PYTHONPATH": str(EMULATOR_PYTHONPATH),
            "TRIFLOW_EMULATOR_STATE_DIR": str(self.state_dir),
            "TRIFLOW_EMULATOR_PORT": str(self.port),
        }
        env.update(overrides)
        return env

    def run(self, *args: str, **env_overrides: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "triflow_emulator", *args],
            cwd=REPO_ROOT,
            env=self.env(**env_overrides),
            capture_output=True,
            text=True,
            timeout=LAUNCHER_TIMEOUT,
            check=False,
        )

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid_file(self) -> Path:
        return self.state_dir / "emulator.pid"


@dataclass(frozen=True)
class AwsTarget:
    """A moto endpoint plus a boto3 client factory for it."""

    name: str
    endpoint: str
    launcher: Launcher | None = field(default=None)

    @property
    def patched(self) -> bool:
        return self.name == PATCHED

    def client(self, service: str) -> Any:
        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=DUMMY_AWS_ENV["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=DUMMY_AWS_ENV["AWS_SECRET_ACCESS_KEY"],
            aws_session_token=DUMMY_AWS_ENV["AWS_SESSION_TOKEN"],
            config=Config(retries={"max_attempts": 1}),
        )
