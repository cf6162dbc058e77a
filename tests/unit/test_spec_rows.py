"""A SPEC row declares the AWS services it reads, and reading another one fails it (tests/support/spec_rows.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.aws import Endpoint
from support.spec_rows import LOCALSTACK_SCENARIO_SERVICES, ROWS, Row, StackUnderTest, rows_served_by


def _stack() -> StackUnderTest:
    return StackUnderTest(aws=Endpoint(url="http://127.0.0.1:9"), customer="c", environment="e", output_dir=Path())


def test_a_row_reading_a_service_it_does_not_declare_fails_before_any_call() -> None:
    reads_ec2 = Row("Storage", "reads ec2", lambda s: s.client("ec2"), frozenset({"s3"}))
    with pytest.raises(AssertionError, match="reads ec2 but declares only"):
        reads_ec2.check(_stack())


def test_a_cached_read_counts_for_its_service_on_every_access() -> None:
    stack = _stack()
    stack._cache["db"] = {"DBInstanceIdentifier": "c-e-db"}
    Row("Database", "reads rds", lambda s: s.db, frozenset({"rds"})).check(stack)
    with pytest.raises(AssertionError, match="reads rds but declares only"):
        Row("Storage", "reads the cached db", lambda s: s.db, frozenset({"s3"})).check(stack)
    # Outside a row, anything may be read.
    assert stack.db == {"DBInstanceIdentifier": "c-e-db"}


def test_every_row_declares_its_services_and_the_localstack_rows_read_only_what_the_scenario_builds() -> None:
    assert all(spec_row.services for spec_row in ROWS)
    served = rows_served_by(LOCALSTACK_SCENARIO_SERVICES)
    assert served and all(spec_row.services <= LOCALSTACK_SCENARIO_SERVICES for spec_row in served)
