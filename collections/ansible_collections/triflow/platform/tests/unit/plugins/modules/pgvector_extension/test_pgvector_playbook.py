"""The module in a real ansible-playbook run (from the repository root, so ansible.cfg's collections_path applies):
check mode with --diff first, then the real install, an upgrade and the smoke test, with the play's own asserts."""

from __future__ import annotations

from support.playbook import run_localhost_playbook

PLAYBOOK = """
- name: Keep pgvector at the wanted version
  hosts: localhost
  gather_facts: false
  module_defaults:
    triflow.platform.pgvector_extension:
      login_host: "{{ pg_host }}"
      login_port: "{{ pg_port }}"
      login_user: "{{ pg_user }}"
      login_password: "{{ pg_password }}"
      login_db: "{{ pg_db }}"
      ssl_mode: disable
  tasks:
    - name: Preview the install of pgvector 0.7.4
      triflow.platform.pgvector_extension:
        version: 0.7.4
      check_mode: true
      register: preview

    - name: Install pgvector 0.7.4
      triflow.platform.pgvector_extension:
        version: 0.7.4
      register: install

    - name: Preview the upgrade to the server's default version
      triflow.platform.pgvector_extension:
        version: latest
      check_mode: true
      register: upgrade_preview

    - name: Upgrade to the server's default version and smoke-test it
      triflow.platform.pgvector_extension:
        version: latest
        smoke_test: true
      register: upgrade

    - name: Check what the module reported
      ansible.builtin.assert:
        that:
          - preview is changed
          - preview.queries == ["CREATE EXTENSION \\"vector\\" WITH SCHEMA \\"public\\" VERSION '0.7.4'"]
          - install.queries == preview.queries
          - install.version == "0.7.4"
          - upgrade_preview.queries == ["ALTER EXTENSION \\"vector\\" UPDATE TO '0.8.0'"]
          - upgrade_preview.prev_version == "0.7.4"
          - upgrade.version == "0.8.0"
          - upgrade.smoke_test.passed
"""


def test_check_mode_and_diff_in_a_real_playbook_run(pg_server, module_args, installed, tmp_path):
    playbook = tmp_path / "pgvector.yml"
    playbook.write_text(PLAYBOOK)
    done = run_localhost_playbook(
        playbook,
        {
            "pg_host": module_args["login_host"],
            "pg_port": module_args["login_port"],
            "pg_user": module_args["login_user"],
            "pg_password": module_args["login_password"],
            "pg_db": module_args["login_db"],
        },
        "--diff",
    )

    output = done.output
    assert done.rc == 0, output
    assert done.recap["localhost"] == {"ok": 5, "changed": 4, "unreachable": 0, "failed": 0}
    # --diff shows the extension's before/after (YAML: ansible.cfg sets callback_result_format) for the check-mode
    # previews and the real runs alike: install 0.7.4, then upgrade to 0.8.0.
    assert output.count("-    installed: false\n") == 2
    assert output.count("+    installed: true\n") == 2
    assert output.count("-    version: 0.7.4\n+    version: 0.8.0\n") == 2
    assert module_args["login_password"] not in output
    assert installed() == ("0.8.0", "public")
