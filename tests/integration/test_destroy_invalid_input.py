"""A teardown with bad input fails before any AWS call, naming the variable and what it allows."""

from __future__ import annotations

import pytest

CASES = [
    ({"confirm": "Triflow_Demo"}, "confirm names 'Triflow_Demo', which is not a stack prefix"),
    ({"confirm": "triflow-demo-prod"}, "confirm names triflow-demo-prod, which is not a stack of this inventory"),
    ({"destroy_secrets_recovery_days": 3}, "destroy_secrets_recovery_days 3 is invalid: a whole number from 7 to 30"),
    ({"destroy_bucket": "perhaps"}, "destroy_bucket"),
    ({"lift_deletion_protection": "yes please"}, "lift_deletion_protection"),
]


@pytest.mark.parametrize(("extra_vars", "expected"), CASES, ids=[str(case)[:50] for case, _ in CASES])
def test_bad_teardown_input_fails_before_any_aws_call(emulator, playbook, extra_vars, expected):
    emulator.clear_calls()
    run = playbook("playbooks/destroy.yml", "inventories/local", extra_vars=extra_vars)
    assert run.rc != 0
    assert expected in run.output, run.tail()
    assert emulator.calls()["total"] == 0
