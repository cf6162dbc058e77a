"""Fixtures of the elasticache_replication_group tests, on top of modules/conftest.py (tests/support).

* ``emulator`` / ``slow_emulator``: the shared emulators, seen through their replication groups (rg_helpers).
* ``stack``: what the cache role creates before the group (VPC, subnets in 2a / 2c, subnet group, security
  group, a redis7 parameter group with timeout=300 and maxmemory-policy=allkeys-lru, log groups), made with boto3.
* ``run_module``: runs the module's main() in this process the way Ansible does; returns a ``GroupRun``.
* ``stubbed``: a botocore Stubber on the client the module gets, for what the emulator cannot model.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from ansible_collections.triflow.platform.plugins.modules import elasticache_replication_group
from rg_helpers import Emulator, GroupRun, Stack, Stubbed, make_stack
from support.modules import stubbed_module_client


@pytest.fixture(scope="session")
def emulator(emulator: Any) -> Emulator:
    return Emulator(emulator)


@pytest.fixture(scope="session")
def slow_emulator(slow_emulator: Any) -> Emulator:
    return Emulator(slow_emulator)


@pytest.fixture
def stack(emulator: Emulator) -> Stack:
    return make_stack(emulator)


@pytest.fixture
def run_module(run_main: Callable[..., Any]) -> Callable[..., GroupRun]:
    """Run main() as Ansible does; each run starts without recorded warnings, like a fresh module process."""

    def run(args: dict[str, Any], check_mode: bool = False, diff: bool = False) -> GroupRun:
        done = run_main(elasticache_replication_group.main, args, check_mode, diff)
        return GroupRun(done.result, done.stdout, done.exit_code)

    return run


@pytest.fixture
def stubbed(monkeypatch: pytest.MonkeyPatch) -> Iterator[Stubbed]:
    """The module's client is a stubbed one (wrapped in AWSRetry like module.client does); sleeps are recorded."""
    with stubbed_module_client(monkeypatch, "elasticache") as stub:
        yield stub
