"""The stack site.yml builds for inventories/local, converged once and shared by the files of this folder (one
pytest worker runs them all: tests/conftest.py): the SPEC rows (test_conformance.py) read it first, then the
behaviour tests change it and put it back.

``local_stack`` runs, on an emptied emulator: a --check preview, a converge at -vvv and a --check run. (A re-run
that changes nothing is shown on the same baseline by molecule's idempotence step, and here by the behaviour tests'
runs; tests/integration/customers re-runs two customers' stacks side by side.)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from support.aws import resource_counts
from support.emulator import Emulator
from support.playbook import PlaybookRun, assert_ok
from support.spec_rows import StackUnderTest

LOCAL = "inventories/local"
PREFIX = "triflow-demo-dev"


@dataclass
class LocalStack:
    preview: PlaybookRun
    counts_before_preview: dict[str, int]
    counts_after_preview: dict[str, int]
    first: PlaybookRun
    check: PlaybookRun
    secret_values: dict[str, str]
    reader: StackUnderTest

    def runs(self) -> dict[str, PlaybookRun]:
        return {"preview": self.preview, "first": self.first, "check": self.check}


def secret_values(emulator: Emulator) -> dict[str, str]:
    manager = emulator.client("secretsmanager")
    return {
        secret["Name"]: manager.get_secret_value(SecretId=secret["ARN"])["SecretString"]
        for secret in manager.list_secrets()["SecretList"]
        if secret["Name"].startswith(f"{PREFIX}/")
    }


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The SPEC rows read the converged stack before the behaviour tests of this folder change it."""
    items.sort(key=lambda item: 0 if item.path.stem == "test_conformance" else 1)


@pytest.fixture(scope="session")
def local_stack(emulator: Emulator, playbook: Any) -> LocalStack:
    emulator.reset()
    before = resource_counts(emulator)
    preview = assert_ok(playbook("site.yml", LOCAL, check=True))
    after_preview = resource_counts(emulator)
    first = assert_ok(playbook("site.yml", LOCAL, extra_args=("-vvv",)))
    values = secret_values(emulator)
    check = assert_ok(playbook("site.yml", LOCAL, check=True))
    reader = StackUnderTest(aws=emulator, customer="demo", environment="dev", output_dir=emulator.output_dir)
    return LocalStack(preview, before, after_preview, first, check, values, reader)
