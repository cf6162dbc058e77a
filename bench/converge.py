"""Benchmark: converge, no-op and check-mode times and API calls of site.yml on the local emulator, and the time
per role of each (the progress callback's TIME PER ROLE).

Prints figures; asserts nothing about time. Usage: make bench  (or .venv/bin/python bench/converge.py [--runs N]
[--cases local,customers,delay,faults] [--before REV])

Before and after, in one run: the local and customers cases run the working tree with Ansible's plain ``linear``
strategy and with the project's ``triflow_linear`` (linear on Mitogen, ansible.cfg), and, given ``--before REV``,
that revision of the project too (checked out in a temporary git worktree, run with its own ansible.cfg), each on an
emulator of its own; the time per role is printed side by side.
Starts emulators of its own on free ports, so it never touches the one `make up` uses. The delay case starts one
whose new DB instances and replication groups stay "creating" for --delay seconds: with the waits side by side the
converge takes about that delay plus the no-delay converge, not twice the delay. The faults case converges the
stack with 10 % of the calls throttled and 2 % answered 500 / 503: what AWS's bad moments cost in time and calls.
"""

from __future__ import annotations

import argparse
import contextlib
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO / "tests"), str(REPO / "tools" / "emulator")]

from support.emulator import Emulator, running_emulator  # noqa: E402
from support.playbook import run_playbook  # noqa: E402

# --cases name: (what the rows say, the inventories)
CASES = {
    "local": ("one stack (inventories/local)", ["inventories/local"]),
    "customers": (
        "two customers side by side (customer_a + customer_b)",
        ["inventories/customer_a", "inventories/customer_b"],
    ),
}
ALL_CASES = "local,customers,delay,faults"


FAULTS = "throttle=0.1,error=0.02,seed=7"
ROLE_LINE = re.compile(r"^(?P<role>\S.*?)\s+(?P<seconds>\d+\.\d) s$", re.M)


def role_times(output: str) -> dict[str, float]:
    """``{role: seconds}`` from the TIME PER ROLE block the progress callback prints after the recap."""
    _, found, block = output.partition("TIME PER ROLE")
    return {m["role"]: float(m["seconds"]) for m in ROLE_LINE.finditer(block)} if found else {}


@dataclass(frozen=True)
class Version:
    """What is measured: a checkout of the project and the environment its runs get."""

    label: str
    cwd: Path = REPO
    env: dict[str, str] = field(default_factory=dict)


@contextlib.contextmanager
def worktree(revision: str) -> Iterator[Path]:
    """``revision`` of this repository checked out in a temporary folder, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="triflow-bench-") as parent:
        path = Path(parent) / "checkout"
        subprocess.run(["git", "worktree", "add", "--detach", "--quiet", str(path), revision], cwd=REPO, check=True)
        try:
            yield path
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(path)], cwd=REPO, check=True)


def timed_run(
    emulator: Emulator, inventories: list[str], version: Version, check: bool = False
) -> tuple[float, int, dict[str, float]]:
    """Wall time, API calls and time per role of one ansible-playbook site.yml run."""
    emulator.clear_calls()
    started = time.perf_counter()
    env = {"ANSIBLE_CONFIG": str(version.cwd / "ansible.cfg"), **version.env}
    run = run_playbook(
        emulator, "site.yml", *inventories, extra_args=("--check",) if check else (), env=env, cwd=version.cwd
    )
    elapsed = time.perf_counter() - started
    if run.rc != 0:
        sys.exit(f"site.yml ({version.label}) on {', '.join(inventories)} failed:\n{run.tail(6000)}")
    return elapsed, emulator.calls()["total"], role_times(run.output)


def measure(inventories: list[str], version: Version, noop_runs: int) -> list[tuple[str, tuple]]:
    """Converge from empty, no-op (the mean of ``noop_runs``) and --check, on an emulator of its own."""
    with running_emulator("bench") as running:
        converge = timed_run(running, inventories, version)
        noops = [timed_run(running, inventories, version) for _ in range(noop_runs)]
        check = timed_run(running, inventories, version, check=True)
    return [
        ("converge", converge),
        ("no-op", (statistics.mean(t for t, _, _ in noops), noops[-1][1], noops[-1][2])),
        ("--check", check),
    ]


def print_roles(case: str, runs: dict[str, dict[str, float]]) -> None:
    names = list(dict.fromkeys(role for times in runs.values() for role in times))
    width = max(12, *(len(run) + 2 for run in runs))
    print(f"\n{case}: seconds per role")
    print(f"{'role':<20}" + "".join(f"{run:>{width}}" for run in runs))
    for role in names:
        print(f"{role:<20}" + "".join(f"{times.get(role, 0.0):>{width}.1f}" for times in runs.values()))
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=1, help="no-op runs to average (default 1)")
    parser.add_argument("--delay", type=float, default=10.0, help="creation delay of the delay case, seconds")
    parser.add_argument("--cases", default=ALL_CASES, help=f"which cases, comma-separated (default {ALL_CASES})")
    parser.add_argument("--before", metavar="REV", help="a git revision to measure beside the working tree")
    args = parser.parse_args()
    cases = set(args.cases.split(","))
    after = Version("triflow_linear")
    with contextlib.ExitStack() as stack:
        versions = [Version("linear", env={"ANSIBLE_STRATEGY": "linear"}), after]
        if args.before:
            versions.insert(0, Version(args.before, cwd=stack.enter_context(worktree(args.before))))
        print(f"{'case':<55} {'version':<15} {'run':<9} {'seconds':>8} {'API calls':>10}")
        one_stack = CASES["local"][1]
        for case, inventories in (CASES[name] for name in CASES if name in cases):
            roles = {}
            for version in versions:
                for name, (seconds, calls, times) in measure(inventories, version, args.runs):
                    print(f"{case:<55} {version.label:<15} {name:<9} {seconds:>8.1f} {calls:>10}", flush=True)
                    roles[f"{name} {version.label}"] = times
            if inventories == one_stack:
                print_roles(case, roles)
        run_after(cases, args, after, one_stack)


def run_after(cases: set[str], args: argparse.Namespace, after: Version, one_stack: list[str]) -> None:
    """The cases measured with the working tree only: long waits side by side, and the cost of AWS's bad moments."""
    if "delay" in cases:
        with running_emulator("bench", TRIFLOW_EMULATOR_CREATION_DELAY=str(args.delay)) as running:
            seconds, calls, _ = timed_run(running, one_stack, after)
        case = f"one stack, RDS and ElastiCache creating {args.delay:.0f} s"
        print(f"{case:<55} {after.label:<15} {'converge':<9} {seconds:>8.1f} {calls:>10}")
    if "faults" in cases:
        with running_emulator("bench", TRIFLOW_EMULATOR_FAULTS=FAULTS) as running:
            seconds, calls, _ = timed_run(running, one_stack, after)
            injected = running.calls()["faults"]["total"]
        case = f"one stack, {FAULTS.rsplit(',', 1)[0]} ({injected} faults)"
        print(f"{case:<55} {after.label:<15} {'converge':<9} {seconds:>8.1f} {calls:>10}")


if __name__ == "__main__":
    main()
