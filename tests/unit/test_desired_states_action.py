"""The playbooks' one-task build of every role's desired state (role_desired_state with ``roles``, through the stack
role's tasks/desired_states.yml) gives what an include_role of each role's tasks/desired_state.yml gives, in the
same order: the same states, the same published facts, the same rejections. No AWS call: the action runs on the
controller only."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
ROLES = yaml.safe_load((REPO / "group_vars" / "all" / "main.yml").read_text())["stack_roles"] + ["drift", "destroy"]
PUBLISHED = ["stack_name_prefix", "stack_tags", "stack_region", "stack_availability_zones"]


def _play(folder: Path, build: str) -> list[dict]:
    """A play that builds every role's state one way (``one``: role by role; ``all``: in one task) and keeps the
    facts in ``folder/<host>-<build>.json``."""
    facts = [f"{role}_desired_state" for role in ROLES] + PUBLISHED
    dump = "{{ dict(" + str(facts) + " | zip(" + str(facts) + " | map('extract', vars))) | to_json }}"
    tasks = {
        "one": {
            "name": "One role at a time",
            "ansible.builtin.include_role": {"name": "{{ __role }}", "tasks_from": "desired_state"},
            "loop": ROLES,
            "loop_control": {"loop_var": "__role"},
        },
        "all": {
            "name": "Every role in one task",
            "ansible.builtin.include_role": {"name": "stack", "tasks_from": "desired_states"},
            "vars": {"stack_build_roles": ROLES},
        },
    }
    keep = {"content": dump, "dest": f"{folder}/{{{{ inventory_hostname }}}}-{build}.json", "mode": "0600"}
    return [
        {
            "name": "Build the desired states",
            "hosts": "triflow_stacks",
            "gather_facts": False,
            "tasks": [tasks[build], {"name": "Keep them", "ansible.builtin.copy": keep}],
        }
    ]


def _run(folder: Path, build: str, *extra: str) -> subprocess.CompletedProcess:
    """ansible-playbook of ``_play`` over every inventory, in a run of its own (facts do not outlive a run)."""
    playbook = REPO / "playbooks" / f".test-desired-states-{os.getpid()}.yml"
    playbook.write_text(yaml.safe_dump(_play(folder, build)))
    env = {**os.environ, "ANSIBLE_CONFIG": str(REPO / "ansible.cfg"), "ANSIBLE_STDOUT_CALLBACK": "default"}
    try:
        return subprocess.run(
            [str(Path(sys.executable).parent / "ansible-playbook"), str(playbook), "-i", "inventories/", *extra],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
    finally:
        playbook.unlink()


@pytest.mark.parametrize("account", [None, "123456789012"], ids=["before the account is known", "with the account"])
def test_one_task_builds_what_the_roles_build_one_by_one(tmp_path: Path, account: str | None):
    extra = ["-e", f"stack_aws_account_id={account}"] if account else []
    for build in ("one", "all"):
        completed = _run(tmp_path, build, *extra)
        assert completed.returncode == 0, completed.stdout[-3000:]
    hosts = sorted(path.name.removesuffix("-one.json") for path in tmp_path.glob("*-one.json"))
    assert hosts == ["triflow-acme-prod", "triflow-demo-dev", "triflow-globex-staging"]
    for host in hosts:
        one = json.loads((tmp_path / f"{host}-one.json").read_text())
        every = json.loads((tmp_path / f"{host}-all.json").read_text())
        assert every == one, host
        assert every["stack_name_prefix"] == host
        # The bucket's name holds the account once it is known.
        assert every["storage_desired_state"]["bucket"] == f"{host}-files-{account or 'ACCOUNT'}"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            "ecs_service_task_cpu=1000",
            "Invalid ecs_service inputs: ecs_service_task_cpu 1000 is invalid; Fargate offers",
        ),
        ("network_vpc_cidr={{ no_such_var }}", "Invalid network inputs: network_vpc_cidr: 'no_such_var' is undefined"),
    ],
    ids=["a value the model rejects", "a template that does not render"],
)
def test_a_bad_input_is_rejected_naming_the_role_and_the_variable(tmp_path: Path, extra: str, message: str):
    completed = _run(tmp_path, "all", "-e", extra, "--limit", "triflow-demo-dev")
    assert completed.returncode != 0
    assert not list(tmp_path.glob("*.json"))
    assert message in completed.stdout, completed.stdout[-3000:]
