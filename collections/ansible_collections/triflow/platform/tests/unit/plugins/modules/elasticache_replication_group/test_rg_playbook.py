"""The module in a real ansible-playbook run from the repository root (ansible.cfg's collections_path applies):
a check-mode preview with --diff, the create, and an unchanged re-run, with the play's own asserts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from rg_helpers import AUTH_TOKEN, REGION, REPO, Emulator, Stack, unique

PLAYBOOK = """
- name: Keep the stack's Redis replication group
  hosts: localhost
  gather_facts: false
  module_defaults:
    triflow.platform.elasticache_replication_group:
      endpoint_url: "{{ aws_endpoint }}"
      region: "{{ aws_region }}"
      access_key: testing
      secret_key: testing
  tasks:
    - name: Preview the replication group
      triflow.platform.elasticache_replication_group: "{{ group }}"
      check_mode: true
      register: preview

    - name: Create the replication group
      triflow.platform.elasticache_replication_group: "{{ group }}"
      register: created

    - name: Run again
      triflow.platform.elasticache_replication_group: "{{ group }}"
      register: rerun

    - name: Check what the module reported
      ansible.builtin.assert:
        that:
          - preview is changed
          - preview.replication_group == {}
          - created is changed
          - created.replication_group.status == "available"
          - created.replication_group.member_clusters | length == 2
          - rerun is not changed
"""


def test_check_mode_create_and_rerun_in_a_real_playbook(emulator: Emulator, stack: Stack, tmp_path: Path) -> None:
    group_id = unique("triflow-acme-play")
    playbook = tmp_path / "redis.yml"
    playbook.write_text(PLAYBOOK)
    extra_vars = tmp_path / "vars.json"
    extra_vars.write_text(
        json.dumps(
            {
                "ansible_python_interpreter": sys.executable,
                "aws_endpoint": emulator.endpoint,
                "aws_region": REGION,
                "group": stack.group_args(group_id),
            }
        )
    )
    env = dict(os.environ, ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0", ANSIBLE_STDOUT_CALLBACK="default")
    env.pop("ANSIBLE_CONFIG", None)

    done = subprocess.run(
        [
            str(Path(sys.executable).parent / "ansible-playbook"),
            "-i",
            "localhost,",
            "-c",
            "local",
            "--diff",
            "-v",
            "-e",
            f"@{extra_vars}",
            str(playbook),
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "localhost                  : ok=4    changed=2    unreachable=0    failed=0" in done.stdout
    assert "+    cache_node_type: cache.t4g.small" in done.stdout  # the --diff of the preview and the create
    assert AUTH_TOKEN not in output
    assert emulator.group(group_id)["Status"] == "available"
