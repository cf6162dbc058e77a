"""The secrets role's checks and desired state (module_utils/secrets.py)."""

from __future__ import annotations

import pytest
from ansible_collections.triflow.platform.plugins.module_utils.secrets import (
    secrets_desired_state,
    secrets_input_errors,
)

VALID = {
    "secrets_name_prefix": "triflow-acme-prod",
    "secrets_tags": {"Customer": "acme"},
    "secrets_generated": [{"key": "db_master_password", "description": "db", "length": 40}],
    "secrets_provided": [{"key": "anthropic_api_key", "description": "api"}],
    "secrets_recovery_window_days": 30,
}


def test_names_are_prefixed_and_hyphenated_and_carry_tags():
    state = secrets_desired_state(VALID)
    assert [(s["name"], s["generated"]) for s in state] == [
        ("triflow-acme-prod/db-master-password", True),
        ("triflow-acme-prod/anthropic-api-key", False),
    ]
    assert state[0]["tags"] == {"Customer": "acme", "Name": "triflow-acme-prod/db-master-password"}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"secrets_generated": [{"key": "x", "description": "d", "length": 8}]}, "secrets_generated[0].length 8"),
        ({"secrets_generated": [{"key": "Bad-Key", "description": "d", "length": 20}]}, "secrets_generated[0].key"),
        (
            {"secrets_provided": [{"key": "db_master_password", "description": "d"}]},
            "db_master_password more than once",
        ),
        ({"secrets_recovery_window_days": 3}, "secrets_recovery_window_days 3 is invalid"),
    ],
)
def test_each_bad_input_is_named(changes, message):
    errors = secrets_input_errors({**VALID, **changes})
    assert any(message in error for error in errors), errors
