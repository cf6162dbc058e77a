"""Verify the molecule stack row by row against SPEC.md: the same rows as the integration tests (tests/support).

Runs against whatever AWS API the environment names (AWS_ENDPOINT_URL: the project's emulator, which make molecule
starts, or another endpoint); the account comes from STS, never a constant.
"""

from __future__ import annotations

import pytest
from support.spec_rows import ROWS, Row, StackUnderTest


@pytest.fixture(scope="module")
def stack() -> StackUnderTest:
    # molecule/default/host_vars: customer molecule, environment test; the product's baseline otherwise.
    return StackUnderTest.from_environment("molecule", "test")


@pytest.mark.parametrize("spec_row", ROWS, ids=[spec_row.name for spec_row in ROWS])
def test_stack_matches_spec(stack: StackUnderTest, spec_row: Row) -> None:
    spec_row.check(stack)
