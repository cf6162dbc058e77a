"""Verify the molecule stack row by row against SPEC.md: the same rows as the integration tests (tests/support).

Runs against whatever AWS API the environment names (AWS_ENDPOINT_URL: the project's emulator, which make molecule
starts, or another endpoint); the account comes from STS, never a constant.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from support.aws import Endpoint
from support.spec_rows import ROWS, Row, StackUnderTest

PROJECT = Path(os.environ.get("MOLECULE_PROJECT_DIRECTORY", Path(__file__).resolve().parents[3]))


@pytest.fixture(scope="module")
def stack() -> StackUnderTest:
    # molecule/default/host_vars: customer molecule, environment test; the product's baseline otherwise.
    return StackUnderTest(
        # boto3 reads AWS_ENDPOINT_URL and the credentials from the environment, as the roles' modules do.
        aws=Endpoint(url=None),
        customer="molecule",
        environment="test",
        output_dir=Path(os.environ.get("TRIFLOW_OUTPUT_DIR", PROJECT / "output")),
        region=os.environ.get("AWS_DEFAULT_REGION", "ap-northeast-2"),
    )


@pytest.mark.parametrize("spec_row", ROWS, ids=[spec_row.name for spec_row in ROWS])
def test_stack_matches_spec(stack: StackUnderTest, spec_row: Row) -> None:
    spec_row.check(stack)
