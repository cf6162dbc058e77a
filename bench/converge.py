"""Benchmark: converge, no-op and check-mode times and API calls of site.yml on the local emulator.

Prints figures; asserts nothing about time. Usage: make bench  (or .venv/bin/python bench/converge.py [--runs N])
Starts emulators of its own on free ports, so it never touches the one `make up` uses. The last case starts one
whose new DB instances and replication groups stay "creating" for --delay seconds: with the waits side by side the
converge takes about that delay plus the no-delay converge, not twice the delay.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO / "tests"), str(REPO / "tools" / "emulator")]

from support.emulator import Emulator, running_emulator  # noqa: E402
from support.playbook import run_playbook  # noqa: E402

CASES = {
    "one stack (inventories/local)": ["inventories/local"],
    "two customers side by side (customer_a + customer_b)": ["inventories/customer_a", "inventories/customer_b"],
}


def timed_run(emulator: Emulator, inventories: list[str], check: bool = False) -> tuple[float, int]:
    """Wall time and API calls of one ansible-playbook site.yml run."""
    emulator.clear_calls()
    started = time.perf_counter()
    run = run_playbook(emulator, "site.yml", *inventories, extra_args=("--check",) if check else ())
    elapsed = time.perf_counter() - started
    if run.rc != 0:
        sys.exit(f"site.yml on {', '.join(inventories)} failed:\n{run.tail(6000)}")
    return elapsed, emulator.calls()["total"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=1, help="no-op runs to average (default 1)")
    parser.add_argument("--delay", type=float, default=10.0, help="creation delay of the last case, seconds")
    args = parser.parse_args()
    print(f"{'case':<55} {'run':<9} {'seconds':>8} {'API calls':>10}")
    for case, inventories in CASES.items():
        with running_emulator("bench") as running:
            converge = timed_run(running, inventories)
            noops = [timed_run(running, inventories) for _ in range(args.runs)]
            check = timed_run(running, inventories, check=True)
        rows = [
            ("converge", converge),
            ("no-op", (statistics.mean(t for t, _ in noops), noops[-1][1])),
            ("--check", check),
        ]
        for name, (seconds, calls) in rows:
            print(f"{case:<55} {name:<9} {seconds:>8.1f} {calls:>10}")
    with running_emulator("bench", TRIFLOW_EMULATOR_CREATION_DELAY=str(args.delay)) as running:
        seconds, calls = timed_run(running, CASES["one stack (inventories/local)"])
    case = f"one stack, RDS and ElastiCache creating {args.delay:.0f} s"
    print(f"{case:<55} {'converge':<9} {seconds:>8.1f} {calls:>10}")


if __name__ == "__main__":
    main()
