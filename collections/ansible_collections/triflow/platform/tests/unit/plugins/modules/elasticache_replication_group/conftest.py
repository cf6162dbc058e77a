"""Fixtures of the elasticache_replication_group tests: emulators, the stack's prerequisites, module runs.

* ``emulator`` (session): the project's patched AWS emulator (tools/emulator) on a free port, no creation delay.
* ``slow_emulator`` (session): another one whose replication groups take ``CREATION_DELAY`` seconds to create
  and to delete (``TRIFLOW_EMULATOR_CREATION_DELAY``), for the waits.
* ``stack``: what the cache role creates before the group (VPC, subnets in 2a / 2c, subnet group, security
  group, a redis7 parameter group with timeout=300 and maxmemory-policy=allkeys-lru, log groups), made with boto3.
* ``run_module``: runs the module's main() in this process the way Ansible does (args in, JSON out, sys.exit).
* ``stubbed``: a botocore Stubber on the client the module gets, for what the emulator cannot model.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from typing import Any
from unittest import mock

import boto3
import pytest
from ansible.module_utils.common import warnings as ansible_warnings
from ansible.module_utils.testing import patch_module_args
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper
from ansible_collections.triflow.platform.plugins.modules import elasticache_replication_group
from botocore.stub import Stubber
from rg_helpers import CREATION_DELAY, REGION, Emulator, ModuleRun, Stack, Stubbed, launch, make_stack


@pytest.fixture(scope="session")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    yield from launch(tmp_path_factory.mktemp("rg-emulator"), delay=0)


@pytest.fixture(scope="session")
def slow_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    yield from launch(tmp_path_factory.mktemp("rg-slow-emulator"), delay=CREATION_DELAY)


@pytest.fixture
def stack(emulator: Emulator) -> Stack:
    return make_stack(emulator)


@pytest.fixture
def run_module(capsys: pytest.CaptureFixture[str]) -> Callable[..., ModuleRun]:
    """Run main() as Ansible does; each run starts without recorded warnings, like a fresh module process."""

    def run(args: dict[str, Any], check_mode: bool = False, diff: bool = False) -> ModuleRun:
        full = dict(args, _ansible_check_mode=check_mode, _ansible_diff=diff)
        capsys.readouterr()
        with (
            patch_module_args(full),
            mock.patch.dict(ansible_warnings._global_warnings, clear=True),
            pytest.raises(SystemExit),
        ):
            elasticache_replication_group.main()
        stdout = capsys.readouterr().out
        return ModuleRun(json.loads(stdout), stdout)

    return run


@pytest.fixture
def stubbed(monkeypatch: pytest.MonkeyPatch) -> Iterator[Stubbed]:
    """The module's client is a stubbed one (wrapped in AWSRetry like module.client does); sleeps are recorded."""
    client = boto3.client(
        "elasticache", region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing"
    )
    stubber = Stubber(client)
    sleeps: list[float] = []

    def fake_client(self: Any, service: str, retry_decorator: Any = None, **_: Any) -> Any:
        assert service == "elasticache"
        return RetryingBotoClientWrapper(client, retry_decorator)

    monkeypatch.setattr(AnsibleAWSModule, "client", fake_client)
    monkeypatch.setattr(time, "sleep", sleeps.append)
    with stubber:
        yield Stubbed(stubber, sleeps)
        stubber.assert_no_pending_responses()
