"""How the roles' tasks are written, where a linter does not look."""

from __future__ import annotations

from pathlib import Path

import yaml

ROLES = Path(__file__).resolve().parents[2] / "roles"


def _tasks(tasks: list[dict]) -> list[dict]:
    found = []
    for task in tasks:
        found.append(task)
        for key in ("block", "rescue", "always"):
            found.extend(_tasks(task.get(key) or []))
    return found


def test_no_message_counts_as_a_change():
    """A change is reported by the task that compares or changes the resource, never by a debug message: a
    --check on a converged stack must say changed=0, and a fresh one count resources, not sentences."""
    offenders = [
        f"{tasks_file.relative_to(ROLES)}: {task.get('name')}"
        for tasks_file in sorted(ROLES.glob("*/tasks/*.yml"))
        for task in _tasks(yaml.safe_load(tasks_file.read_text()) or [])
        if "ansible.builtin.debug" in task and task.get("changed_when") not in (None, False)
    ]
    assert offenders == []


def test_every_role_builds_its_desired_state_with_the_one_generic_action():
    for desired_state in sorted(ROLES.glob("*/tasks/desired_state.yml")):
        actions = [
            task for task in yaml.safe_load(desired_state.read_text()) if "triflow.platform.role_desired_state" in task
        ]
        assert len(actions) == 1, desired_state
