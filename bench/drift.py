"""Benchmark: the drift check against what people use instead, side by side in one run, on the local emulator.

Prints figures; asserts nothing about time. Usage: .venv/bin/python bench/drift.py [--stacks 8] [--runs 3]

On an emulator of its own (free port), it converges ``--stacks`` generated stacks (inventories/local's demo stack
under other customer names, in a temporary folder of inventories) side by side, then measures, each the mean of
``--runs`` runs:

* the drift check of one stack (``tools/drift-check -i <one inventory>``), wall time and the emulator's API calls;
* ``site.yml --check`` of the same stack, which is what an Ansible user runs to see drift;
* a plain boto3 read of the same resources: the module's own reader (module_utils/stack_drift.py) run in-process
  with boto3 clients, without Ansible, so the same calls and nothing else;
* the drift check of every stack at once (``tools/drift-check -i <folder of inventories>``) against one.

The issue's targets (issue 11): one stack's check within 3x the plain read and at least 8x faster than --check;
the stacks all at once within 2x one stack.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO / "tests"), str(REPO / "tools" / "emulator"), str(REPO / "collections")]

import yaml  # noqa: E402
from ansible_collections.triflow.platform.plugins.module_utils.stack_drift import StackDrift  # noqa: E402
from support.emulator import REGION, Emulator, running_emulator  # noqa: E402
from support.playbook import run_playbook  # noqa: E402

INVENTORY = """---
triflow_stacks:
  hosts:
    triflow-{customer}-dev:
      stack_customer: {customer}
      stack_environment: dev
"""


def inventories(folder: Path, count: int) -> list[Path]:
    made = []
    for number in range(1, count + 1):
        path = folder / f"bench{number}"
        path.mkdir(parents=True)
        (path / "hosts.yml").write_text(INVENTORY.format(customer=f"bench{number}"))
        made.append(path)
    return made


def drift_check(emulator: Emulator, inventory: Path, reports: Path) -> tuple[float, int, dict]:
    emulator.clear_calls()
    started = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, str(REPO / "tools" / "drift-check"), "-i", str(inventory)],
        cwd=REPO,
        env={**emulator.env, "TRIFLOW_REPORT_DIR": str(reports)},
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if completed.returncode != 0:
        sys.exit(f"the drift check of {inventory} exited {completed.returncode}:\n{completed.stderr[-4000:]}")
    return elapsed, emulator.calls()["total"], json.loads((reports / "drift" / "summary.json").read_text())


def check_mode(emulator: Emulator, inventory: Path) -> tuple[float, int]:
    emulator.clear_calls()
    started = time.perf_counter()
    run = run_playbook(emulator, "site.yml", str(inventory), check=True)
    elapsed = time.perf_counter() - started
    if run.rc != 0:
        sys.exit(f"site.yml --check of {inventory} failed:\n{run.tail(4000)}")
    return elapsed, emulator.calls()["total"]


def desired_states(emulator: Emulator, inventory: Path, folder: Path) -> dict:
    """The drift role's desired state of the stack (what it hands the module), built as the playbook builds it."""
    build = {
        "ansible.builtin.include_role": {"name": "stack", "tasks_from": "desired_states"},
        "vars": {"stack_build_roles": "{{ stack_roles + ['drift'] }}"},
    }
    play = {
        "hosts": "triflow_stacks",
        "gather_facts": False,
        "module_defaults": {"group/triflow.platform.aws": "{{ stack_aws_module_defaults }}"},
        "tasks": [
            build,
            {"ansible.builtin.include_role": {"name": "stack", "tasks_from": "connect"}},
            {"ansible.builtin.include_role": {"name": "drift", "tasks_from": "gather"}},
            {
                "ansible.builtin.copy": {
                    "content": "{{ drift_desired_state | to_json }}",
                    "dest": str(folder / "desired.json"),
                    "mode": "0600",
                }
            },
        ],
    }
    playbook = REPO / "playbooks" / f".bench-drift-{folder.name}.yml"
    playbook.write_text(yaml.safe_dump([play]))
    try:
        run = run_playbook(emulator, str(playbook), str(inventory))
    finally:
        playbook.unlink()
    if run.rc != 0:
        sys.exit(f"building the desired states failed:\n{run.tail(4000)}")
    return json.loads((folder / "desired.json").read_text())


def plain_read(emulator: Emulator, state: dict) -> tuple[float, int]:
    """The module's reads with boto3 clients made here, in this process: the cost of the calls themselves."""
    stack = {"name_prefix": state["stack"], "account_id": emulator.account_id(), "region": REGION}
    emulator.clear_calls()
    started = time.perf_counter()
    drift = StackDrift(
        lambda service, region: emulator.client(service, region), stack, state["desired"], state["identity_tags"]
    )
    drift.check(state["areas"])
    elapsed = time.perf_counter() - started
    if drift.findings:
        sys.exit(f"the plain read found drift on a converged stack: {drift.findings[:3]}")
    return elapsed, emulator.calls()["total"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stacks", type=int, default=8)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="triflow-bench-drift-") as parent, running_emulator("bench-drift") as aws:
        folder = Path(parent)
        stacks = inventories(folder / "inventories", args.stacks)
        started = time.perf_counter()
        converge = run_playbook(aws, "site.yml", str(folder / "inventories"))
        if converge.rc != 0:
            sys.exit(f"converging {args.stacks} stacks failed:\n{converge.tail(4000)}")
        print(f"converged {args.stacks} stacks side by side in {time.perf_counter() - started:.1f} s")
        state = desired_states(aws, stacks[0], folder)
        rows = {
            "drift check, 1 stack": [],
            "site.yml --check, 1 stack": [],
            "plain boto3 read, 1 stack": [],
            f"drift check, {args.stacks} stacks": [],
        }
        for number in range(args.runs):
            one = drift_check(aws, stacks[0], folder / f"reports-one-{number}")
            rows["drift check, 1 stack"].append(one[:2])
            rows["site.yml --check, 1 stack"].append(check_mode(aws, stacks[0]))
            rows["plain boto3 read, 1 stack"].append(plain_read(aws, state))
            every = drift_check(aws, folder / "inventories", folder / f"reports-all-{number}")
            if {item["status"] for item in every[2]["stacks"]} != {"clean"}:
                sys.exit(f"a converged stack is not clean: {every[2]}")
            rows[f"drift check, {args.stacks} stacks"].append(every[:2])
        module = one[2]["stacks"][0]
    means = {name: (statistics.mean(t for t, _ in runs), runs[-1][1]) for name, runs in rows.items()}
    print(f"\nmean of {args.runs} runs            seconds   API calls")
    for name, (seconds, calls) in means.items():
        print(f"{name:<30}{seconds:>8.1f}{calls:>12}")
    print(f"{'(the module call in it)':<30}{module['duration']:>8.1f}{module['api_calls']:>12}")
    one_check = means["drift check, 1 stack"][0]
    print(f"\ndrift check / plain read:        {one_check / means['plain boto3 read, 1 stack'][0]:.1f}x (target <= 3x)")
    print(f"--check / drift check:           {means['site.yml --check, 1 stack'][0] / one_check:.1f}x (target >= 8x)")
    print(
        f"{args.stacks} stacks / 1 stack:              "
        f"{means[f'drift check, {args.stacks} stacks'][0] / one_check:.1f}x (target <= 2x)"
    )


if __name__ == "__main__":
    main()
