"""Settings resolution: port and state directory, from flags and environment variables."""

import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from triflow_emulator import HOST

PORT_ENV = "TRIFLOW_EMULATOR_PORT"
STATE_DIR_ENV = "TRIFLOW_EMULATOR_STATE_DIR"
START_TIMEOUT_ENV = "TRIFLOW_EMULATOR_START_TIMEOUT"
CREATION_DELAY_ENV = "TRIFLOW_EMULATOR_CREATION_DELAY"
DEPLOY_DELAY_ENV = "TRIFLOW_EMULATOR_DEPLOY_DELAY"
DEFAULT_DEPLOY_DELAY = 2.0
DEFAULT_PORT = 4566
DEFAULT_START_TIMEOUT = 30.0

PACKAGE_DIR = Path(__file__).resolve().parent
# tools/emulator/triflow_emulator -> tools/emulator -> tools -> repo root
REPO_ROOT = PACKAGE_DIR.parents[2]
PYTHONPATH_ENTRY = PACKAGE_DIR.parent


class ConfigError(ValueError):
    """A setting (flag or environment variable) has an unusable value."""


@dataclass(frozen=True)
class Settings:
    port: int
    state_dir: Path
    start_timeout: float

    @property
    def endpoint(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def pid_file(self) -> Path:
        return self.state_dir / "emulator.pid"

    @property
    def log_file(self) -> Path:
        return self.state_dir / "emulator.log"


def number_in_range(raw: str | int, kind: type[int] | type[float], low: float, high: float, error: str) -> Any:
    """``raw`` as an int or float from ``low`` to ``high``; else ``ConfigError(error)``."""
    try:
        value = kind(raw)
    except ValueError:
        raise ConfigError(error) from None
    if not low <= value <= high:
        raise ConfigError(error)
    return value


def parse_port(raw: str | int, source: str) -> int:
    return number_in_range(raw, int, 1, 65535, f"{source}: port must be an integer in 1..65535, got {raw!r}")


def resolve_port(flag: int | None) -> int:
    if flag is not None:
        return parse_port(flag, "--port")
    raw = os.environ.get(PORT_ENV)
    if raw:
        return parse_port(raw, PORT_ENV)
    return DEFAULT_PORT


def resolve_state_dir() -> Path:
    raw = os.environ.get(STATE_DIR_ENV)
    return Path(raw).expanduser().resolve() if raw else REPO_ROOT / ".emulator"


def resolve_start_timeout(flag: float | None) -> float:
    if flag is not None:
        return flag
    raw = os.environ.get(START_TIMEOUT_ENV)
    if not raw:
        return DEFAULT_START_TIMEOUT
    try:
        return float(raw)
    except ValueError:
        raise ConfigError(f"{START_TIMEOUT_ENV}: must be a number of seconds, got {raw!r}") from None


def load_settings(port: int | None = None, start_timeout: float | None = None) -> Settings:
    return Settings(
        port=resolve_port(port),
        state_dir=resolve_state_dir(),
        start_timeout=resolve_start_timeout(start_timeout),
    )


def seconds_setting(name: str, default: float) -> float:
    """A finite number of seconds >= 0 from the environment variable ``name`` (``default`` when unset)."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name}: must be a number of seconds, got {raw!r}") from None
    if not math.isfinite(value) or value < 0:
        raise ConfigError(f"{name}: must be a finite number of seconds >= 0, got {raw!r}")
    return value


def creation_delay() -> float:
    """Seconds a new resource stays ``creating`` (``TRIFLOW_EMULATOR_CREATION_DELAY``, default 0).

    Shared by the patches that simulate creation time (RDS DB instances, ElastiCache replication groups); they
    call it once in ``apply()``, so a bad value stops the server at start instead of failing a request.
    """
    return seconds_setting(CREATION_DELAY_ENV, 0.0)


def deploy_delay() -> float:
    """Seconds an ECS deployment takes (``TRIFLOW_EMULATOR_DEPLOY_DELAY``, default 2), read once at start."""
    return seconds_setting(DEPLOY_DELAY_ENV, DEFAULT_DEPLOY_DELAY)
