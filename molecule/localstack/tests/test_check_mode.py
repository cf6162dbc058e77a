"""--check on the converged LocalStack stack reports changed=0: molecule's own check action only runs it.

The same playbook, inventory and environment molecule's converge uses (MOLECULE_INVENTORY_FILE, the provisioner's
ANSIBLE_* variables, which molecule hands the verifier).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from localstack_stack import SCENARIO

RECAP = re.compile(r"^(\S+)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.MULTILINE)


def test_check_mode_on_the_converged_stack_changes_nothing() -> None:
    playbook = Path(sys.executable).with_name("ansible-playbook")
    run = subprocess.run(
        [
            str(playbook),
            "-i",
            os.environ["MOLECULE_INVENTORY_FILE"],
            "--check",
            "--diff",
            str(SCENARIO / "converge.yml"),
        ],
        capture_output=True,
        text=True,
        # molecule asks for colours; the recap is read as text.
        env=dict(os.environ, ANSIBLE_FORCE_COLOR="0", ANSIBLE_NOCOLOR="1"),
        timeout=900,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    recaps = RECAP.findall(run.stdout)
    assert recaps, run.stdout[-4000:]
    changed = [line for line in run.stdout.splitlines() if line.startswith("changed:")]
    assert [(host, int(count)) for host, _ok, count, *_ in recaps] == [("triflow-molecule-localstack", 0)], changed
