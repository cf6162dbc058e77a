"""The stack molecule's localstack scenario builds (host_vars: customer molecule, environment localstack)."""

from __future__ import annotations

import os
from pathlib import Path

from support.aws import Endpoint
from support.spec_rows import StackUnderTest

PROJECT = Path(os.environ.get("MOLECULE_PROJECT_DIRECTORY", Path(__file__).resolve().parents[3]))
SCENARIO = Path(__file__).resolve().parents[1]


def localstack_stack() -> StackUnderTest:
    # boto3 reads AWS_ENDPOINT_URL (LocalStack's, set by make molecule-localstack) and the credentials from the
    # environment, as the roles' modules do.
    return StackUnderTest(
        aws=Endpoint(url=None),
        customer="molecule",
        environment="localstack",
        output_dir=Path(os.environ.get("TRIFLOW_OUTPUT_DIR", PROJECT / "output")),
        region=os.environ.get("AWS_DEFAULT_REGION", "ap-northeast-2"),
    )
