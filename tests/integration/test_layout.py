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


CALLER_PROBE = """---
- name: Probe which AWS identity the play's modules use
  hosts: triflow_stacks
  gather_facts: false
  module_defaults:
    group/triflow.platform.aws: "{{ stack_aws_module_defaults }}"
  tasks:
    - name: Check the identity and connect as the stack role does
      ansible.builtin.include_role:
        name: stack
    - name: Ask AWS who we are
      amazon.aws.aws_caller_info:
      register: caller
    - name: Report
      ansible.builtin.debug:
        msg: "PROBE account={{ caller.account }} arn={{ caller.arn }}"
"""


def _caller_probe(emulator, extra_vars: dict, env: dict[str, str | None] | None = None) -> subprocess.CompletedProcess:
    probe = REPO / "playbooks" / f"probe_{uuid.uuid4().hex}.yml"
    probe.write_text(CALLER_PROBE)
    try:
        return subprocess.run(
            [
                str(Path(sys.executable).parent / "ansible-playbook"),
                str(probe.relative_to(REPO)),
                "-i",
                "inventories/local",
                "-e",
                json.dumps(extra_vars),
            ],
            cwd=REPO,
            env={key: value for key, value in {**emulator.env, **(env or {})}.items() if value is not None},
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        probe.unlink()


def test_assumed_role_credentials_reach_every_aws_module(emulator):
    # The emulator keeps one account per access key: modules using the role's credentials land in its account.
    role = "arn:aws:iam::210987654321:role/triflow-provisioner"
    completed = _caller_probe(emulator, {"stack_aws_assume_role_arn": role})
    assert completed.returncode == 0, completed.stdout[-3000:]
    assert (
        "PROBE account=210987654321 arn=arn:aws:sts::210987654321:assumed-role/triflow-provisioner/" in completed.stdout
    )


def test_named_profile_is_used_when_no_role_is_given(emulator, tmp_path):
    credentials = tmp_path / "credentials"
    credentials.write_text("[customer-x]\naws_access_key_id = ASIAPROFILEKEY\naws_secret_access_key = profile-secret\n")
    # An operator using profiles has no keys in the environment (amazon.aws refuses a profile beside them).
    env = {
        "AWS_SHARED_CREDENTIALS_FILE": str(credentials),
        "AWS_CONFIG_FILE": str(tmp_path / "config"),
        "AWS_ACCESS_KEY_ID": None,
        "AWS_SECRET_ACCESS_KEY": None,
    }
    completed = _caller_probe(emulator, {"stack_aws_profile": "customer-x"}, env)
    assert completed.returncode == 0, completed.stdout[-3000:]
    assert "PROBE account=123456789012" in completed.stdout

    missing = _caller_probe(emulator, {"stack_aws_profile": "no-such-profile"}, env)
    assert missing.returncode != 0
    assert "no-such-profile" in missing.stdout
