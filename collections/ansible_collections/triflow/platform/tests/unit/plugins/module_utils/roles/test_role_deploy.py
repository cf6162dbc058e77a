"""The deploy role's model (module_utils/roles/deploy.py) on its real defaults: the release's checks and settings."""

from __future__ import annotations

import pytest
from support import roles

RELEASE = {"app_image_tag": "v1.4.2", "deploy_report_dir": "/srv/triflow/reports"}


def test_baseline_release_settings():
    state = roles.desired_state("deploy", **RELEASE)
    assert state["image_tag"] == "v1.4.2" and state["stack"] == "triflow-acme-prod"
    assert state["rollout"] == {"timeout": 900, "rollback": True, "rollback_timeout": 900, "poll_interval": 5}
    # Not set: the load balancer's URL + /health, looked up by the role.
    assert state["health"] == {"url": None, "checks": 3, "interval": 2}
    assert state["migration"] == {"command": [], "timeout": 1800}
    assert state["keep_revisions"] == 10 and state["notify"] is True
    assert state["report_dir"] == "/srv/triflow/reports/deploy"


def test_an_empty_health_url_skips_the_body_check():
    assert roles.desired_state("deploy", **RELEASE, deploy_health_url="")["health"]["url"] == ""


def test_the_tag_is_required():
    (error,) = roles.errors("deploy", deploy_report_dir="/tmp")
    assert "app_image_tag" in error


@pytest.mark.parametrize("tag", ["", "-rc1", ".hidden", "v1.4.2:latest", "a" * 129, "v 1"])
def test_tags_ecr_refuses_are_named(tag):
    (error,) = roles.errors("deploy", **dict(RELEASE, app_image_tag=tag))
    assert error.startswith(f"app_image_tag {tag!r} is not an image tag ECR accepts")


@pytest.mark.parametrize("tag", ["v1.4.2", "1.4.2", "3f2a9c1", "a" * 128, "broken-1.2.0", "release_2026.12"])
def test_tags_ecr_accepts(tag):
    assert roles.errors("deploy", **dict(RELEASE, app_image_tag=tag)) == []


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("deploy_rollout_timeout", 5, "deploy_rollout_timeout 5 is invalid: a whole number from 10 to 14400"),
        ("deploy_keep_revisions", 1, "deploy_keep_revisions 1 is invalid: a whole number from 2 to 1000"),
        ("deploy_health_checks", 0, "deploy_health_checks 0 is invalid: a whole number from 1 to 100"),
        ("deploy_poll_interval", 0, "deploy_poll_interval must be a number of seconds from 0.1 to 300, got 0.0"),
        ("deploy_health_url", "api.acme.example/health", "deploy_health_url must be an http:// or https:// URL"),
        ("deploy_migration_command", ["alembic", ""], "deploy_migration_command holds an empty argument"),
    ],
)
def test_bad_settings_are_named(variable, value, expected):
    (error,) = roles.errors("deploy", **dict(RELEASE, **{variable: value}))
    assert error.startswith(expected)
