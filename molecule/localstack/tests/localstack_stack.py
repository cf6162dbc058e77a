"""The stack molecule's localstack scenario builds, read through LocalStack (make molecule-localstack sets
AWS_ENDPOINT_URL): host_vars say customer molecule, environment localstack."""

from __future__ import annotations

from pathlib import Path

from support.spec_rows import StackUnderTest

SCENARIO = Path(__file__).resolve().parents[1]


def localstack_stack() -> StackUnderTest:
    return StackUnderTest.from_environment("molecule", "localstack")
