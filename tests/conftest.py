"""Fixtures of the integration and emulator tests (the library itself is tests/support).

* ``emulator`` (session, per pytest worker): the project's emulator on a free port, stopped at the end.
* ``playbook``: ``playbook("site.yml", "inventories/local", check=True)`` runs against that emulator.
* ``emulator_factory`` / ``playbook_runner``: another emulator with its own settings, and runs against any one.

make integration runs two workers with ``--dist loadfile``: each test file runs on one worker (its module-scoped
fixtures run once), and the files of tests/integration/local_stack all run on one worker, where they share one
converged stack (the ``local_stack`` fixture of tests/integration/local_stack/conftest.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from support.emulator import Emulator, running_emulator
from support.playbook import PlaybookRun, run_playbook

# The folder whose test files share one converged stack (so one worker runs them all).
SHARED_STACK = "tests/integration/local_stack"


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """With ``--dist loadfile``: a test file per worker as usual, and the whole tests/integration/local_stack folder
    on one worker, where its files share the stack the ``local_stack`` fixture converged once."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class FilesAndSharedStack(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            return SHARED_STACK if path.startswith(SHARED_STACK + "/") else path

    return FilesAndSharedStack(config, log)


@pytest.fixture(scope="session")
def emulator() -> Iterator[Emulator]:
    """The project's emulator for the whole session (of this worker), stopped at its end."""
    with running_emulator("integration") as running:
        yield running


@pytest.fixture(scope="session")
def playbook(emulator: Emulator) -> Callable[..., PlaybookRun]:
    """Run a playbook against the session's emulator: playbook("site.yml", "inventories/local", check=True)."""

    def run(name: str, *inventories: str, **kwargs) -> PlaybookRun:
        return run_playbook(emulator, name, *inventories, **kwargs)

    return run


@pytest.fixture(scope="session")
def emulator_factory():
    """Start another emulator with its own settings: ``with emulator_factory("name", SETTING="x") as other: ...``."""
    return running_emulator


@pytest.fixture(scope="session")
def playbook_runner():
    """Run a playbook against any emulator: ``playbook_runner(other, "site.yml", "inventories/local")``."""
    return run_playbook
