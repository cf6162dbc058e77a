"""Three customers' stacks (inventories/local, customer_a, customer_b) converged side by side once, with
``site.yml -i inventories/``, and shared by the files of this folder (one pytest worker runs them all:
tests/conftest.py). The drift tests change them out of band and put them back with site.yml.

``drift_check(*args)`` runs ``tools/drift-check`` (the command the README names) against the emulator, with its
reports in a folder of their own, and answers its exit status, output, summary and per-stack reports.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from support.emulator import REPO, Emulator
from support.playbook import PLAYBOOK_TIMEOUT, assert_ok

STACKS = ("triflow-acme-prod", "triflow-demo-dev", "triflow-globex-staging")
ACME = "triflow-acme-prod"


@dataclass
class DriftRun:
    rc: int
    output: str
    reports: Path

    @property
    def summary(self) -> dict[str, Any]:
        return json.loads((self.reports / "summary.json").read_text())

    def report(self, stack: str) -> dict[str, Any]:
        return json.loads((self.reports / f"{stack}.json").read_text())

    def findings(self, stack: str) -> list[dict[str, Any]]:
        return self.report(stack)["findings"]


@pytest.fixture(scope="session")
def stacks(emulator: Emulator, playbook: Any) -> tuple[str, ...]:
    emulator.reset()
    assert_ok(playbook("site.yml", "inventories/"))
    return STACKS


@pytest.fixture
def drift_check(emulator: Emulator, tmp_path: Path):
    def run(*args: str, env: dict[str, str] | None = None) -> DriftRun:
        completed = subprocess.run(
            [sys.executable, str(REPO / "tools" / "drift-check"), *args],
            cwd=REPO,
            env={**emulator.env, "TRIFLOW_REPORT_DIR": str(tmp_path), **(env or {})},
            capture_output=True,
            text=True,
            timeout=PLAYBOOK_TIMEOUT,
        )
        return DriftRun(completed.returncode, completed.stdout + completed.stderr, tmp_path / "drift")

    return run
