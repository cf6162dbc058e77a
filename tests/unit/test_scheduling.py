"""How make integration splits the tests over pytest workers (tests/conftest.py): a file each, a shared-stack
folder as one."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location("tests_conftest", Path(__file__).resolve().parents[1] / "conftest.py")
conftest = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(conftest)


@pytest.mark.parametrize(
    ("nodeid", "scope"),
    [
        ("tests/integration/local_stack/test_secrets.py::test_x", "tests/integration/local_stack"),
        ("tests/integration/local_stack/test_conformance.py::test_y[Network: VPC]", "tests/integration/local_stack"),
        ("tests/integration/customers/test_reprovisioning.py::test_z", "tests/integration/customers"),
        ("tests/integration/test_layout.py::test_a", "tests/integration/test_layout.py"),
        ("tests/emulator/test_emulator_launcher.py::test_b", "tests/emulator/test_emulator_launcher.py"),
    ],
)
def test_a_shared_stack_folder_is_one_scope_and_any_other_file_its_own(nodeid, scope):
    assert conftest._scope(nodeid) == scope
