"""Benchmark: what verifying a release costs on top of the rollout itself.

Prints figures; asserts nothing about time. Usage: make bench  (or .venv/bin/python bench/deploy.py [--delay S])
Starts an emulator of its own whose ECS deployments take --delay seconds (TRIFLOW_EMULATOR_DEPLOY_DELAY),
converges inventories/local on it, then releases --releases good tags with playbooks/deploy.yml. For each release
it prints the playbook's wall time, the rollout's own duration as ecs_rollout measured it (UpdateService to the
verdict, health checks included: the report's rollout_seconds), the deploy delay, the overhead of the check
(rollout - delay) and of the whole playbook (wall - delay), and the API calls of the run.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO / "tests"), str(REPO / "tools" / "emulator")]

from support.ecr import push_image  # noqa: E402
from support.emulator import running_emulator  # noqa: E402
from support.playbook import run_playbook  # noqa: E402

INVENTORY = "inventories/local"
REPOSITORY = "triflow-demo-dev-backend"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--delay", type=float, default=10.0, help="seconds an ECS deployment takes (default 10)")
    parser.add_argument("--releases", type=int, default=3, help="good releases to time (default 3)")
    args = parser.parse_args()
    reports = Path(tempfile.mkdtemp(prefix="triflow-bench-reports-"))
    rows = []
    with running_emulator("bench-deploy", TRIFLOW_EMULATOR_DEPLOY_DELAY=str(args.delay)) as emulator:
        converge = run_playbook(emulator, "site.yml", INVENTORY)
        if converge.rc != 0:
            sys.exit(f"site.yml failed:\n{converge.tail()}")
        ecr = emulator.client("ecr")
        for number in range(args.releases):
            tag = f"v1.{number}.0"
            push_image(ecr, REPOSITORY, tag)
            emulator.clear_calls()
            started = time.perf_counter()
            run = run_playbook(
                emulator,
                "playbooks/deploy.yml",
                INVENTORY,
                extra_vars={"app_image_tag": tag},
                env={"TRIFLOW_REPORT_DIR": str(reports)},
            )
            wall = time.perf_counter() - started
            if run.rc != 0:
                sys.exit(f"deploy.yml of {tag} failed:\n{run.tail()}")
            calls = emulator.calls()["total"]
            report = json.loads(sorted((reports / "deploy").glob("*.json"))[-1].read_text())
            rollout = float(report["rollout_seconds"])
            rows.append((tag, wall, rollout, calls))
    print(f"ECS deploy delay (TRIFLOW_EMULATOR_DEPLOY_DELAY): {args.delay:.1f} s; inventory {INVENTORY}")
    columns = ("release", "playbook s", "rollout s", "delay s", "check overhead s", "playbook overhead s", "API calls")
    widths = (-9, 10, 10, 8, 17, 20, 10)
    print(" ".join(f"{name:<{-w}}" if w < 0 else f"{name:>{w}}" for name, w in zip(columns, widths, strict=True)))
    for tag, wall, rollout, calls in rows:
        print(
            f"{tag:<9} {wall:>10.1f} {rollout:>10.1f} {args.delay:>8.1f} {rollout - args.delay:>17.1f}"
            f" {wall - args.delay:>20.1f} {calls:>10}"
        )
    wall_mean, release_mean = statistics.mean(r[1] for r in rows), statistics.mean(r[2] for r in rows)
    print(
        f"mean: playbook {wall_mean:.1f} s, rollout {release_mean:.1f} s, playbook / delay {wall_mean / args.delay:.2f}"
    )


if __name__ == "__main__":
    main()
