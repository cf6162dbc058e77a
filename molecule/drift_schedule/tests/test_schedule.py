"""Verify the scheduled drift checks the converge installed: users, files, owners and modes, the cron entry and the
systemd units, then each installed command run once as its user against the emulator, and the reports it keeps.

The emulator holds no stack: the check of inventories/local finds every resource missing, which is drift (exit 2),
and writes its reports all the same.
"""

from __future__ import annotations

import json

import pytest

# Both platforms are this machine: the tests run once, through the first, and check both schedules.
testinfra_hosts = ["ansible://drift-schedule-cron"]
SCHEDULES = {
    "cron": {"user": "triflow-drift-cron", "home": "/var/lib/triflow-drift-cron"},
    "systemd": {"user": "triflow-drift-timer", "home": "/var/lib/triflow-drift-timer"},
}
KEEP = 2


@pytest.mark.parametrize("method", sorted(SCHEDULES))
def test_the_user_and_its_files_are_private(host, method):
    schedule = SCHEDULES[method]
    user = host.user(schedule["user"])
    assert user.exists and user.shell == "/usr/sbin/nologin" and user.uid < 1000
    home = host.file(schedule["home"])
    assert (home.user, home.group, home.mode) == (schedule["user"], schedule["user"], 0o750)
    credentials = host.file(f"{schedule['home']}/credentials.env")
    assert (credentials.user, credentials.mode) == (schedule["user"], 0o600)
    assert credentials.contains("^AWS_SECRET_ACCESS_KEY=")
    command = host.file(f"{schedule['home']}/bin/drift-check")
    assert (command.user, command.group, command.mode) == ("root", schedule["user"], 0o750)
    project = host.file(f"{schedule['home']}/project/tools/drift-check")
    assert project.exists and project.user == "root"


def test_the_cron_entry_runs_the_command_as_its_user(host):
    schedule = SCHEDULES["cron"]
    entry = host.file(f"/etc/cron.d/{schedule['user']}")
    assert entry.mode == 0o644 and entry.user == "root"
    assert entry.contains(rf"^\*/30 \* \* \* \* {schedule['user']} {schedule['home']}/bin/drift-check$")
    assert not host.file(f"/etc/systemd/system/{schedule['user']}.service").exists


def test_the_systemd_units_run_the_command_as_its_user_on_the_calendar(host):
    schedule = SCHEDULES["systemd"]
    service = host.file(f"/etc/systemd/system/{schedule['user']}.service")
    assert (service.user, service.mode) == ("root", 0o644)
    assert service.contains(f"^User={schedule['user']}$")
    assert service.contains(f"^ExecStart={schedule['home']}/bin/drift-check$")
    assert service.contains("^Type=oneshot$")
    timer = host.file(f"/etc/systemd/system/{schedule['user']}.timer")
    assert timer.contains(r"^OnCalendar=\*-\*-\* \*:05:00$") and timer.contains("^Persistent=true$")
    assert not host.file(f"/etc/cron.d/{schedule['user']}").exists


@pytest.mark.parametrize("method", sorted(SCHEDULES))
def test_the_installed_command_checks_the_stack_and_keeps_the_last_reports(host, method):
    schedule = SCHEDULES[method]
    for _ in range(KEEP + 1):
        run = host.run(f"runuser -u {schedule['user']} -- {schedule['home']}/bin/drift-check")
        # No stack on the emulator: every resource is missing, which is drift.
        assert run.rc == 2, run.stdout[-3000:] + run.stderr[-3000:]
    folders = sorted(host.file(f"{schedule['home']}/reports").listdir())
    assert len(folders) == KEEP, folders
    latest = f"{schedule['home']}/reports/{folders[-1]}/drift"
    summary = json.loads(host.file(f"{latest}/summary.json").content_string)
    assert summary["status"] == "drift" and [item["stack"] for item in summary["stacks"]] == ["triflow-demo-dev"]
    report = json.loads(host.file(f"{latest}/triflow-demo-dev.json").content_string)
    assert {item["kind"] for item in report["findings"]} == {"missing"}
    assert host.file(f"{latest}/triflow-demo-dev.json").user == schedule["user"]
