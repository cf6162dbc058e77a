"""The secrets role's model (module_utils/roles/secrets.py) on its real defaults: checks and desired state."""

from __future__ import annotations

import pytest
from support import roles


def test_names_are_prefixed_and_hyphenated_and_carry_tags():
    state = roles.desired_state("secrets")
    assert [(s["name"], s["generated"], s["length"]) for s in state] == [
        ("triflow-acme-prod/db-master-password", True, 40),
        ("triflow-acme-prod/redis-auth-token", True, 64),
        ("triflow-acme-prod/app-secret-key", True, 64),
        ("triflow-acme-prod/anthropic-api-key", False, 0),
    ]
    assert state[0]["tags"] == {
        **roles.values("secrets")["secrets_tags"],
        "Name": "triflow-acme-prod/db-master-password",
    }


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"secrets_generated": [{"key": "x", "description": "d", "length": 8}]}, "secrets_generated[0].length 8"),
        ({"secrets_generated": [{"key": "Bad-Key", "description": "d", "length": 20}]}, "secrets_generated[0].key"),
        (
            {"secrets_provided": [{"key": "db_master_password", "description": "d"}]},
            "db_master_password more than once",
        ),
        ({"secrets_recovery_window_days": 3}, "secrets_recovery_window_days 3 is invalid: a whole number from 7 to 30"),
        ({"secrets_generated": [{"key": "x", "description": "d"}]}, "missing required arguments: length"),
    ],
)
def test_each_bad_input_is_named(changes, message):
    errors = roles.errors("secrets", **changes)
    assert any(message in error for error in errors), errors
