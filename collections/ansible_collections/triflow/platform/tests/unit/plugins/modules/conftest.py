"""What the module tests share (from tests/support): the project's emulator, main() runs, a stubbed client.

* ``emulator`` (session): the project's emulator (moto's server and its patches) on a free port.
* ``slow_emulator`` (session): another one whose new RDS instances and replication groups stay "creating" (and
  deleted groups "deleting") for ``CREATION_DELAY`` seconds, for the waits.
* ``run_main``: ``run_main(module.main, args, check_mode=False, diff=False)`` runs main() as Ansible does and
  returns a ``ModuleRun`` (result, stdout, exit code).
* ``stubbed``: ``with stubbed("cloudwatch") as stub: ...`` gives the module a botocore-stubbed client.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from support.emulator import Emulator, running_emulator
from support.modules import ModuleRun, run_module, stubbed_module_client

CREATION_DELAY = 3.0


@pytest.fixture(scope="session")
def emulator() -> Iterator[Emulator]:
    with running_emulator("module-tests") as running:
        yield running


@pytest.fixture(scope="session")
def slow_emulator() -> Iterator[Emulator]:
    with running_emulator("module-tests-slow", TRIFLOW_EMULATOR_CREATION_DELAY=str(CREATION_DELAY)) as running:
        yield running


@pytest.fixture
def run_main(capsys: pytest.CaptureFixture[str]) -> Callable[..., ModuleRun]:
    def run(main: Callable[[], None], args: dict[str, Any], check_mode: bool = False, diff: bool = False) -> ModuleRun:
        return run_module(capsys, main, args, check_mode, diff)

    return run


@pytest.fixture
def stubbed(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], Any]:
    def stub(service: str) -> Any:
        return stubbed_module_client(monkeypatch, service)

    return stub
