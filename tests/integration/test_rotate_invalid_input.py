"""A rotation with bad input fails before any AWS call, naming the variable and what it allows."""

from __future__ import annotations

import pytest

CASES = [
    ({"rotate_secrets_which": []}, "rotate_secrets_which is empty: name one or more of database_master"),
    ({"rotate_secrets_which": ["tls_certificates"]}, "rotate_secrets_which must be one or more of"),
    ({"rotate_secrets_rollout_timeout": 5}, "rotate_secrets_rollout_timeout 5 is invalid: a whole number from 60"),
    ({"deploy_health_url": "localhost/health"}, "rotate_secrets_health_url must be an http:// or https:// URL"),
]


@pytest.mark.parametrize(("extra_vars", "expected"), CASES, ids=[str(case)[:50] for case, _ in CASES])
def test_bad_rotation_input_fails_before_any_aws_call(emulator, playbook, extra_vars, expected):
    emulator.clear_calls()
    run = playbook("playbooks/rotate_secrets.yml", "inventories/local", extra_vars=extra_vars)
    assert run.rc != 0
    assert expected in run.output, run.tail()
    assert emulator.calls()["total"] == 0
