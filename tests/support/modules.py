"""A module's main() run in this process as Ansible runs it, and a stubbed AWS client for what no emulator shows."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from unittest import mock

import boto3
import pytest
from ansible.module_utils import _internal as ansible_module_internal
from ansible.module_utils.common import warnings as ansible_warnings
from ansible.module_utils.testing import patch_module_args
from botocore.stub import Stubber

from support.aws import REGION


@dataclass
class ModuleRun:
    """What the module printed (as exit_json / fail_json do) and how it exited."""

    result: dict[str, Any]
    stdout: str
    exit_code: int

    @property
    def changed(self) -> bool:
        return bool(self.result.get("changed"))

    @property
    def failed(self) -> bool:
        return bool(self.result.get("failed"))

    @property
    def msg(self) -> str:
        return str(self.result.get("msg", ""))

    @property
    def warnings(self) -> list[str]:
        """The warning texts (ansible-core 2.19 returns them as WarningSummary dicts)."""
        return [w["event"]["msg"] if isinstance(w, dict) else w for w in self.result.get("warnings", [])]


def run_module(
    capsys: pytest.CaptureFixture[str],
    main: Callable[[], None],
    args: dict[str, Any],
    check_mode: bool = False,
    diff: bool = False,
) -> ModuleRun:
    """Run ``main()`` with ``args`` as a fresh module process would: no recorded warnings, not the controller.

    (Importing controller code, as other tests in the same session do, flips ansible-core's is_controller; a
    module's warn() would then print through Display instead of returning the warning.)
    """
    capsys.readouterr()
    with (
        patch_module_args(dict(args, _ansible_check_mode=check_mode, _ansible_diff=diff)),
        mock.patch.dict(ansible_warnings._global_warnings, clear=True),
        mock.patch.object(ansible_module_internal, "is_controller", False),
        pytest.raises(SystemExit) as exited,
    ):
        main()
    stdout = capsys.readouterr().out
    return ModuleRun(json.loads(stdout), stdout, exited.value.code or 0)


@dataclass
class Stubbed:
    """The module's client, stubbed; the pauses its retries and waiters would sleep are recorded."""

    stubber: Stubber
    sleeps: list[float]

    def add(self, method: str, response: dict[str, Any], params: dict[str, Any] | None = None) -> None:
        self.stubber.add_response(method, response, params)

    def add_error(self, method: str, code: str, status: int = 400, params: dict[str, Any] | None = None) -> None:
        self.stubber.add_client_error(method, service_error_code=code, http_status_code=status, expected_params=params)


@contextmanager
def stubbed_module_client(monkeypatch: pytest.MonkeyPatch, service: str) -> Iterator[Stubbed]:
    """Make AnsibleAWSModule.client return a stubbed ``service`` client, wrapped in AWSRetry as the real one is."""
    from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
    from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper

    client = boto3.client(service, region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing")
    sleeps: list[float] = []

    def fake_client(self: Any, name: str, retry_decorator: Any = None, **_: Any) -> Any:
        assert name == service, f"the module asked for a {name} client, the test stubs {service}"
        return RetryingBotoClientWrapper(client, retry_decorator)

    monkeypatch.setattr(AnsibleAWSModule, "client", fake_client)
    monkeypatch.setattr(time, "sleep", sleeps.append)
    with Stubber(client) as stubber:
        yield Stubbed(stubber, sleeps)
        stubber.assert_no_pending_responses()
