"""site.yml through ansible-runner, the engine AWX and Automation Platform run playbooks with, on the converged
inventories/local stack: the same result as ansible-playbook's run just before it (same host, same counts, nothing
changed, the same tasks), read back from the artifacts ansible-runner writes (status, rc, job events)."""

from __future__ import annotations

import json
import re

import ansible_runner
from support.emulator import REPO
from support.playbook import assert_ok

from .conftest import LOCAL, PREFIX, LocalStack

TASK = re.compile(r"^TASK \[(?P<name>.+?)\] \*+$", re.MULTILINE)


def test_site_yml_through_ansible_runner_matches_ansible_playbook(
    local_stack: LocalStack, emulator, playbook, tmp_path
):
    reference = assert_ok(playbook("site.yml", LOCAL))
    assert reference.changed() == 0

    runner = ansible_runner.run(
        private_data_dir=str(tmp_path),
        project_dir=str(REPO),
        playbook="site.yml",
        inventory=str(REPO / LOCAL),
        envvars={**emulator.env, "ANSIBLE_CONFIG": str(REPO / "ansible.cfg")},
        ident="site",
        quiet=True,
    )
    artifacts = tmp_path / "artifacts" / "site"
    assert (artifacts / "status").read_text() == "successful" and (artifacts / "rc").read_text() == "0"
    assert runner.status == "successful" and runner.rc == 0

    events = [json.loads(path.read_text()) for path in (artifacts / "job_events").glob("*.json")]
    (stats,) = [event["event_data"] for event in events if event["event"] == "playbook_on_stats"]
    counts = {key: stats[key].get(PREFIX, 0) for key in ("ok", "changed", "failures", "dark", "skipped", "rescued")}
    expected = {
        key: int(re.search(rf"^{PREFIX}\s+:.*\b{key}=(\d+)", reference.output, re.MULTILINE).group(1))
        for key in ("ok", "skipped", "rescued")
    }
    assert counts == {
        "ok": expected["ok"],
        "changed": 0,
        "failures": 0,
        "dark": 0,
        "skipped": expected["skipped"],
        "rescued": expected["rescued"],
    }

    started = {event["event_data"]["name"] for event in events if event["event"] == "playbook_on_task_start"}
    assert started == set(TASK.findall(reference.output))
