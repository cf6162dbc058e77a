"""The drift_schedule role's model (module_utils/roles/drift_schedule.py): paths, names and the checks of its inputs."""

from __future__ import annotations

import pytest
from support import roles


def test_everything_lives_in_the_users_home_and_is_named_after_the_user():
    state = roles.desired_state("drift_schedule", drift_schedule_credentials={"AWS_SECRET_ACCESS_KEY": "s3cr3t"})
    assert (state["user"], state["home"], state["method"]) == ("triflow-drift", "/var/lib/triflow-drift", "systemd")
    assert state["command"] == "/var/lib/triflow-drift/bin/drift-check"
    assert state["credentials_file"] == "/var/lib/triflow-drift/credentials.env"
    assert (state["service"], state["timer"]) == (
        "/etc/systemd/system/triflow-drift.service",
        "/etc/systemd/system/triflow-drift.timer",
    )
    assert state["cron_file"] == "triflow-drift" and state["inventory"] == "inventories/"
    # The credentials' names only: their values never enter the desired state a task returns.
    assert state["credential_names"] == ["AWS_SECRET_ACCESS_KEY"] and "s3cr3t" not in repr(state)
    assert "tools/drift-check" in state["project_paths"] and "playbooks" in state["project_paths"]


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"drift_schedule_user": "root"}, "drift_schedule_user 'root'"),
        ({"drift_schedule_user": "Bad User"}, "drift_schedule_user 'Bad User'"),
        ({"drift_schedule_home": "var/lib/x"}, "drift_schedule_home must be an absolute path"),
        ({"drift_schedule_inventory": "/etc/ansible/hosts"}, "drift_schedule_inventory must be a path inside"),
        ({"drift_schedule_inventory": "../other"}, "drift_schedule_inventory must be a path inside"),
        ({"drift_schedule_cron_minute": "every hour"}, "drift_schedule_cron_minute 'every hour'"),
        ({"drift_schedule_keep_reports": 0}, "drift_schedule_keep_reports"),
        ({"drift_schedule_credentials": {"aws-key": "x"}}, "drift_schedule_credentials has names"),
        ({"drift_schedule_method": "at"}, "drift_schedule_method"),
    ],
)
def test_a_bad_input_is_named(overrides, named):
    problems = roles.errors("drift_schedule", **overrides)
    assert len(problems) == 1 and named in problems[0], problems


@pytest.mark.parametrize("minute", ["17", "*/15", "0-59/5", "5,35", "*"])
def test_cron_fields_as_cron_takes_them(minute):
    assert roles.errors("drift_schedule", drift_schedule_cron_minute=minute) == []
