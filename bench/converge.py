"""Benchmark: converge, no-op and check-mode times and API calls of site.yml on the local emulator.

Prints figures; asserts nothing about time. Usage: make bench  (or .venv/bin/python bench/converge.py [--runs N])
Starts emulators of its own on free ports, so it never touches the one `make up` uses. The last case starts one
whose new DB instances and replication groups stay "creating" for --delay seconds: with the waits side by side the
converge takes about that delay plus the no-delay converge, not twice the delay.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CASES = {
    "one stack (inventories/local)": ["inventories/local"],
    "two customers side by side (customer_a + customer_b)": ["inventories/customer_a", "inventories/customer_b"],
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def launcher(command: str, env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "-m", "triflow_emulator", command], env=env, cwd=REPO, check=True)


def timed_run(endpoint: str, inventories: list[str], env: dict[str, str], check: bool = False) -> tuple[float, int]:
    """Wall time and API calls of one ansible-playbook site.yml run."""
    requests.delete(f"{endpoint}/_triflow/calls", timeout=10).raise_for_status()
    command = [str(BIN / "ansible-playbook"), "site.yml"]
    for inventory in inventories:
        command += ["-i", inventory]
    if check:
        command.append("--check")
    started = time.perf_counter()
    completed = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if completed.returncode != 0:
        sys.exit(f"run failed ({' '.join(command)}):\n{completed.stdout[-4000:]}\n{completed.stderr[-2000:]}")
    calls = requests.get(f"{endpoint}/_triflow/calls", timeout=10).json()["total"]
    return elapsed, calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=1, help="no-op runs to average (default 1)")
    parser.add_argument("--delay", type=float, default=10.0, help="creation delay of the last case, seconds")
    args = parser.parse_args()
    print(f"{'case':<55} {'run':<9} {'seconds':>8} {'API calls':>10}")
    for case, inventories in CASES.items():
        with emulator() as (endpoint, run_env):
            converge = timed_run(endpoint, inventories, run_env)
            noops = [timed_run(endpoint, inventories, run_env) for _ in range(args.runs)]
            check = timed_run(endpoint, inventories, run_env, check=True)
        rows = [
            ("converge", converge),
            ("no-op", (statistics.mean(t for t, _ in noops), noops[-1][1])),
            ("--check", check),
        ]
        for name, (seconds, calls) in rows:
            print(f"{case:<55} {name:<9} {seconds:>8.1f} {calls:>10}")
    with emulator(TRIFLOW_EMULATOR_CREATION_DELAY=str(args.delay)) as (endpoint, run_env):
        seconds, calls = timed_run(endpoint, CASES["one stack (inventories/local)"], run_env)
    case = f"one stack, RDS and ElastiCache creating {args.delay:.0f} s"
    print(f"{case:<55} {'converge':<9} {seconds:>8.1f} {calls:>10}")


@contextmanager
def emulator(**settings: str) -> Iterator[tuple[str, dict[str, str]]]:
    """A fresh emulator on a free port: its endpoint and the environment of an ansible-playbook run against it."""
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as state_dir:
        launch_env = {
            **os.environ,
            "TRIFLOW_EMULATOR_PORT": str(port),
            "TRIFLOW_EMULATOR_STATE_DIR": state_dir,
            "PYTHONPATH": str(REPO / "tools" / "emulator"),
            **settings,
        }
        run_env = {
            **os.environ,
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "ap-northeast-2",
            # The stacks' app.env files go to the emulator's temporary folder, not the project's output/.
            "TRIFLOW_OUTPUT_DIR": str(Path(state_dir) / "output"),
            "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        }
        run_env.pop("AWS_PROFILE", None)
        launcher("start", launch_env)
        try:
            yield endpoint, run_env
        finally:
            launcher("stop", launch_env)


if __name__ == "__main__":
    main()
