"""The stack site.yml builds for inventories/local, row by row against SPEC.md (tests/support/spec_rows.py).

Each test is one SPEC row, named "<SPEC section>: <property>", so the report reads as the specification; the rows
change nothing. molecule's verifier runs the same rows on its own stack.
"""

from __future__ import annotations

import pytest
from support.spec_rows import ROWS, Row

from .conftest import LocalStack


@pytest.mark.parametrize("spec_row", ROWS, ids=[spec_row.name for spec_row in ROWS])
def test_stack_matches_spec(local_stack: LocalStack, spec_row: Row) -> None:
    spec_row.check(local_stack.reader)


def test_every_row_has_a_name_of_its_own():
    assert len({spec_row.name for spec_row in ROWS}) == len(ROWS)
