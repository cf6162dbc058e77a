"""The rotate_secrets role's model on its real defaults: what a rotation rotates, in which order, and its checks."""

from __future__ import annotations

import pytest
from support import roles


def test_by_default_everything_rotates_master_first_and_the_service_rolls_with_the_releases_settings():
    state = roles.desired_state("rotate_secrets")
    assert state["stack"] == "triflow-acme-prod"
    assert state["rotate"] == ["database_master", "database_app", "redis"]
    assert state["roll"] is True
    # deploy_* not set: the release's own defaults, and the load balancer's URL (None) for the health check.
    assert state["rollout"] == {
        "timeout": 900,
        "poll_interval": 5.0,
        "health_checks": 3,
        "health_interval": 2.0,
        "health_url": None,
    }


def test_the_releases_settings_are_the_rotations_unless_it_sets_its_own():
    state = roles.desired_state("rotate_secrets", deploy_health_url="http://127.0.0.1:9/health", deploy_poll_interval=1)
    assert state["rollout"]["health_url"] == "http://127.0.0.1:9/health"
    assert state["rollout"]["poll_interval"] == 1.0
    own = roles.desired_state("rotate_secrets", deploy_poll_interval=1, rotate_secrets_poll_interval=0.5)
    assert own["rollout"]["poll_interval"] == 0.5


def test_the_order_is_the_roles_whatever_the_inventory_lists_and_the_master_alone_does_not_roll():
    assert roles.desired_state("rotate_secrets", rotate_secrets_which=["redis", "database_app"])["rotate"] == [
        "database_app",
        "redis",
    ]
    master = roles.desired_state("rotate_secrets", rotate_secrets_which=["database_master"])
    assert master["rotate"] == ["database_master"] and master["roll"] is False


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"rotate_secrets_which": []}, "rotate_secrets_which is empty: name one or more of database_master"),
        ({"rotate_secrets_which": ["tls"]}, "rotate_secrets_which must be one or more of"),
        ({"rotate_secrets_rollout_timeout": 5}, "rotate_secrets_rollout_timeout 5 is invalid"),
        ({"rotate_secrets_health_checks": 0}, "rotate_secrets_health_checks 0 is invalid"),
        ({"rotate_secrets_poll_interval": 0}, "rotate_secrets_poll_interval must be a number of seconds"),
        ({"rotate_secrets_health_url": "ftp://x"}, "rotate_secrets_health_url must be an http:// or https:// URL"),
    ],
)
def test_bad_input_is_named(changes, message):
    errors = roles.errors("rotate_secrets", **changes)
    assert any(message in error for error in errors), errors
