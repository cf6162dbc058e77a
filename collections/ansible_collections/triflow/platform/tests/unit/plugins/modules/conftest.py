"""What the module tests share: the project's emulator on a free port, and running a module's main() as Ansible does."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from ansible.module_utils.common import warnings as ansible_warnings
from ansible.module_utils.testing import patch_module_args

REPO = Path(__file__).resolve().parents[8]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def emulator_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The project's emulator (moto's server and its patches) for one test module; yields its endpoint."""
    port = _free_port()
    env = dict(
        os.environ,
        PYTHONPATH=str(REPO / "tools" / "emulator"),
        TRIFLOW_EMULATOR_STATE_DIR=str(tmp_path_factory.mktemp("module-emulator")),
        TRIFLOW_EMULATOR_PORT=str(port),
    )

    def launcher(command: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "triflow_emulator", command],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    started = launcher("start")
    try:
        assert started.returncode == 0, f"emulator did not start:\n{started.stdout}\n{started.stderr}"
        yield f"http://127.0.0.1:{port}"
    finally:
        launcher("stop")


@pytest.fixture
def run_main(capsys: pytest.CaptureFixture[str]) -> Callable[..., dict[str, Any]]:
    """Run a module's main() as Ansible does (args in, JSON out, sys.exit), without warnings of earlier runs."""

    def run(main: Callable[[], None], args: dict[str, Any], check_mode: bool = False, diff: bool = False) -> dict:
        capsys.readouterr()
        with (
            patch_module_args(dict(args, _ansible_check_mode=check_mode, _ansible_diff=diff)),
            mock.patch.dict(ansible_warnings._global_warnings, clear=True),
            pytest.raises(SystemExit),
        ):
            main()
        return dict(json.loads(capsys.readouterr().out))

    return run
