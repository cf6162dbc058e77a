"""Fixtures of the integration and emulator tests (the library itself is tests/support).

* ``emulator`` (session, per pytest worker): the project's emulator on a free port, stopped at the end.
* ``playbook``: ``playbook("site.yml", "inventories/local", check=True)`` runs against that emulator.
* ``emulator_factory`` / ``playbook_runner``: another emulator with its own settings, and runs against any one.

make integration runs two workers with ``--dist loadfile``: each test file runs on one worker (its module-scoped
fixtures run once), and the files of each folder under tests/integration run on one worker, where they share the
stack the folder's conftest converges once (``local_stack``: the demo stack; ``customers``: customer_a and b,
converged under faults, and the demo stack beside them for the drift check).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from support.emulator import Emulator, running_emulator
from support.playbook import PlaybookRun, run_playbook

# Test files in a folder under this one share the stack the folder's conftest converges once (local_stack,
# customers), so one worker runs each such folder.
SHARED_STACKS = "tests/integration/"


def _scope(nodeid: str) -> str:
    """A test file, or the folder under tests/integration that holds it."""
    path = nodeid.split("::", 1)[0]
    if path.startswith(SHARED_STACKS) and "/" in path[len(SHARED_STACKS) :]:
        return SHARED_STACKS + path[len(SHARED_STACKS) :].split("/", 1)[0]
    return path


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """With ``--dist loadfile``: a test file per worker as usual, and each folder under tests/integration on one
    worker, where its files share the stack its conftest converged once."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class FilesAndSharedStacks(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return _scope(nodeid)

    return FilesAndSharedStacks(config, log)


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
