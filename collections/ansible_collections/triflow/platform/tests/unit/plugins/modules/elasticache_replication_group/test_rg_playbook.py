"""The module in a real ansible-playbook run from the repository root (ansible.cfg's collections_path applies):
a check-mode preview with --diff, the create, and an unchanged re-run, with the play's own asserts."""

from __future__ import annotations

from pathlib import Path

from rg_helpers import AUTH_TOKEN, REGION, Emulator, Stack, unique
from support.playbook import run_localhost_playbook

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
    done = run_localhost_playbook(
        playbook,
        {"aws_endpoint": emulator.endpoint, "aws_region": REGION, "group": stack.group_args(group_id)},
        "--diff",
        "-v",
    )

    output = done.output
    assert done.rc == 0, output
    assert done.recap["localhost"] == {"ok": 4, "changed": 2, "unreachable": 0, "failed": 0}
    assert "+    cache_node_type: cache.t4g.small" in output  # the --diff of the preview and the create
    assert AUTH_TOKEN not in output
    assert emulator.group(group_id)["Status"] == "available"
