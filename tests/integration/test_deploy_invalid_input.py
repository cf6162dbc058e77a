"""A release with bad input fails before any AWS call, naming the variable and what it allows."""

from __future__ import annotations

import pytest

CASES = [
    ({}, "app_image_tag"),
    ({"app_image_tag": "-rc1"}, "app_image_tag '-rc1' is not an image tag ECR accepts"),
    (
        {"app_image_tag": "v1", "deploy_rollout_timeout": 5},
        "deploy_rollout_timeout 5 is invalid: a whole number from 10",
    ),
    ({"app_image_tag": "v1", "deploy_keep_revisions": 1}, "deploy_keep_revisions 1 is invalid: a whole number from 2"),
    (
        {"app_image_tag": "v1", "deploy_health_url": "localhost/health"},
        "deploy_health_url must be an http:// or https://",
    ),
    ({"app_image_tag": "v1", "deploy_rollback": "maybe"}, "deploy_rollback"),
]


@pytest.mark.parametrize(("extra_vars", "expected"), CASES, ids=[str(case)[:50] for case, _ in CASES])
def test_bad_release_input_fails_before_any_aws_call(emulator, playbook, extra_vars, expected):
    emulator.clear_calls()
    run = playbook("playbooks/deploy.yml", "inventories/local", extra_vars=extra_vars)
    assert run.rc != 0
    assert expected in run.output, run.tail()
    assert emulator.calls()["total"] == 0
