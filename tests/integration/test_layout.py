"""The project layout works as ARCHITECTURE.md says: group_vars, roles and the collection load for every playbook."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PROBE = """---
- name: Probe what a playbook in this folder sees
  hosts: triflow_stacks
  gather_facts: false
  tasks:
    - name: Check the product baseline from group_vars and the stack role's checks
      ansible.builtin.include_role:
        name: stack
        tasks_from: desired_state
    - name: Report
      ansible.builtin.debug:
        msg: >-
          PROBE connection={{ ansible_connection }} region={{ stack_aws_module_defaults.region }}
          prefix={{ stack_name_prefix }}
"""


@pytest.mark.parametrize("folder", [".", "playbooks"], ids=["beside site.yml", "under playbooks/"])
def test_group_vars_roles_and_collection_load_for_playbooks_in(folder, emulator):
    probe = REPO / folder / f"probe_{uuid.uuid4().hex}.yml"
    probe.write_text(PROBE)
    try:
        completed = subprocess.run(
            [
                str(Path(sys.executable).parent / "ansible-playbook"),
                str(probe.relative_to(REPO)),
                "-i",
                "inventories/local",
            ],
            cwd=REPO,
            env=emulator.env,
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        probe.unlink()
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    assert "PROBE connection=local region=ap-northeast-2 prefix=triflow-demo-dev" in completed.stdout


def test_all_customers_are_hosts_of_one_inventory_tree(emulator):
    completed = subprocess.run(
        [str(Path(sys.executable).parent / "ansible-inventory"), "-i", "inventories/", "--list"],
        cwd=REPO,
        env=emulator.env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    inventory = json.loads(completed.stdout)
    assert sorted(inventory["triflow_stacks"]["hosts"]) == [
        "triflow-acme-prod",
        "triflow-demo-dev",
        "triflow-globex-staging",
    ]
    hostvars = inventory["_meta"]["hostvars"]
    assert hostvars["triflow-acme-prod"]["network_nat_mode"] == "per_az"
    assert hostvars["triflow-globex-staging"]["network_vpc_cidr"] == "10.20.0.0/16"
