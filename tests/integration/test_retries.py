"""The stack's retry settings reach every AWS module (stack_aws_max_attempts, through the plays' module_defaults):
amazon.aws.sts_assume_role has no retry of its own, so the throttling it survives is botocore's doing, as set."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from support.emulator import Emulator

# Three throttled AssumeRole calls in a row, then AWS lets the fourth through.
THROTTLED_THRICE = "sts.AssumeRole:throttle=1,times=3"
NETWORK_CHECK = ("--tags", "network")


@pytest.fixture(scope="module")
def throttled(emulator_factory: Any) -> Iterator[Emulator]:
    with emulator_factory("retries") as emulator:
        yield emulator


def test_three_attempts_give_up_on_three_throttled_calls(throttled: Emulator, playbook_runner: Any) -> None:
    throttled.set_faults(THROTTLED_THRICE)
    throttled.clear_calls()
    run = playbook_runner(
        throttled,
        "site.yml",
        "inventories/customer_a",
        extra_vars={"stack_aws_max_attempts": 3},
        check=True,
        extra_args=NETWORK_CHECK,
    )
    assert run.rc != 0
    assert "(Throttling) when calling the AssumeRole operation (reached max retries: 2)" in run.output
    assert throttled.calls()["calls"]["sts.AssumeRole"] == 3


def test_the_default_ten_attempts_go_through(throttled: Emulator, playbook_runner: Any) -> None:
    throttled.set_faults(THROTTLED_THRICE)
    throttled.clear_calls()
    run = playbook_runner(throttled, "site.yml", "inventories/customer_a", check=True, extra_args=NETWORK_CHECK)
    assert run.rc == 0, run.tail()
    calls = throttled.calls()
    assert calls["calls"]["sts.AssumeRole"] == 4
    assert calls["faults"]["calls"]["sts.AssumeRole"] == {"throttle": 3}
