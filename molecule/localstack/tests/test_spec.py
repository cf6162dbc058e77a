"""Verify the LocalStack stack against SPEC.md: every row whose services the scenario builds there.

The rows are the default scenario's and the integration tests' (tests/support/spec_rows.py); the ones reading only
LOCALSTACK_SCENARIO_SERVICES (the network, the secrets, the bucket, the app's log group and metric filter, the
alarms topic) all run, none skipped. The others read RDS, ElastiCache, ECS, ECR or ELBv2, which LocalStack's
community runtime does not serve, or what is built from them.
"""

from __future__ import annotations

import pytest
from localstack_stack import localstack_stack
from support.spec_rows import LOCALSTACK_SCENARIO_SERVICES, Row, StackUnderTest, rows_served_by

ROWS = rows_served_by(LOCALSTACK_SCENARIO_SERVICES)


@pytest.fixture(scope="module")
def stack() -> StackUnderTest:
    return localstack_stack()


def test_the_rows_cover_every_section_the_scenario_builds() -> None:
    sections = {spec_row.section for spec_row in ROWS}
    assert {"Network", "Storage", "Application", "Observability", "Naming, tags"} <= sections
    assert len(ROWS) >= 14, [spec_row.name for spec_row in ROWS]


@pytest.mark.parametrize("spec_row", ROWS, ids=[spec_row.name for spec_row in ROWS])
def test_stack_matches_spec(stack: StackUnderTest, spec_row: Row) -> None:
    spec_row.check(stack)
