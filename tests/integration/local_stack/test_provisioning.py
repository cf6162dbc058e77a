"""site.yml on inventories/local as an operator runs it: a fresh --check creates nothing, a --check on the converged
stack changes nothing (no informational message counts as a change)."""

from __future__ import annotations

import re

from .conftest import PREFIX, LocalStack


def _task(run_output: str, name: str) -> str:
    """The output of one task of a run: from its TASK line to the next one."""
    match = re.search(rf"^TASK \[{re.escape(name)}\][^\n]*\n(.*?)(?=^TASK \[|^PLAY RECAP)", run_output, re.M | re.S)
    assert match, f"no task {name} in the run"
    return match.group(1)


def test_check_mode_on_a_fresh_stack_creates_nothing_and_reports_the_bucket(local_stack: LocalStack):
    assert local_stack.counts_after_preview == local_stack.counts_before_preview, "check mode created resources"
    preview = _task(local_stack.preview.output, "storage : Compare the bucket with its desired settings")
    assert f"changed: [{PREFIX}]" in preview
    assert f'"name": "{PREFIX}-files-123456789012"' in preview  # the bucket to create, in the diff


def test_check_on_the_converged_stack_changes_nothing(local_stack: LocalStack):
    assert local_stack.first.changed(PREFIX) > 0
    assert local_stack.check.changed(PREFIX) == 0, local_stack.check.tail(4000)
