#!/usr/bin/env python3
"""`make security`: Prowler against a converged stack, judged by the checked-in lists.

Runs Prowler (its own virtualenv, .security/venv) with the checks of committed.txt and excused.txt against the
endpoint in AWS_ENDPOINT_URL, then requires every finding of every committed check to PASS and at least one
finding per committed check (a check that finds nothing would pass without looking). Excused checks are reported
with their reasons and never fail the run. Writes the CSV and a summary under ${TRIFLOW_REPORT_DIR:-reports}/security.

Usage: tools/security/run.py [--prowler PATH] [--region ap-northeast-2]
"""

import argparse
import csv
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


class ListError(Exception):
    pass


def committed_checks(path=HERE / "committed.txt"):
    checks = []
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if not line.isidentifier():
            raise ListError(f"{path.name}:{number}: {line!r} is not a Prowler check id")
        checks.append(line)
    return checks


def excused_checks(path=HERE / "excused.txt"):
    """``{check: reason}``; a line without a reason is an error that names it."""
    excused = {}
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        check, _, reason = line.partition(":")
        if not check.strip().isidentifier() or not reason.strip():
            raise ListError(f"{path.name}:{number}: {line!r} needs the form 'check_id: reason'")
        excused[check.strip()] = reason.strip()
    return excused


def lists():
    committed = committed_checks()
    excused = excused_checks()
    both = sorted(set(committed) & set(excused))
    if both:
        raise ListError("in committed.txt and excused.txt at once: {}".format(", ".join(both)))
    twice = sorted(set(check for check in committed if committed.count(check) > 1))
    if twice:
        raise ListError("committed.txt lists {} more than once".format(", ".join(twice)))
    return committed, excused


def judge(rows, committed, excused):
    """``(failures, lines)``: what fails the run, and a line per check for the summary."""
    by_check = {}
    for row in rows:
        by_check.setdefault(row["CHECK_ID"], []).append(row)
    failures, lines = [], []
    for check in committed:
        found = by_check.get(check, [])
        failed = [row for row in found if row["STATUS"] != "PASS"]
        if not found:
            failures.append(f"{check}: no finding (nothing was checked)")
        for row in failed:
            failures.append("{}: {} {}: {}".format(check, row["STATUS"], row["RESOURCE_UID"], row["STATUS_EXTENDED"]))
        lines.append(f"| {check} | committed | {len(found) - len(failed)} | {len(failed)} | |")
    for check, reason in sorted(excused.items()):
        found = by_check.get(check, [])
        passed = len([row for row in found if row["STATUS"] == "PASS"])
        lines.append(f"| {check} | excused | {passed} | {len(found) - passed} | {reason} |")
    return failures, lines


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prowler", default=str(HERE.parent.parent / ".security" / "venv" / "bin" / "prowler"))
    parser.add_argument("--region", default=os.environ.get("AWS_DEFAULT_REGION", "ap-northeast-2"))
    args = parser.parse_args(argv)
    try:
        committed, excused = lists()
    except ListError as error:
        print(f"make security: {error}", file=sys.stderr)
        return 1
    if not os.environ.get("AWS_ENDPOINT_URL"):
        print("make security: AWS_ENDPOINT_URL is not set (the emulator's endpoint)", file=sys.stderr)
        return 1
    out = Path(os.environ.get("TRIFLOW_REPORT_DIR", "reports")) / "security"
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("prowler.*"):
        old.unlink()
    command = [args.prowler, "aws", "--region", args.region, "--no-banner", "--ignore-exit-code-3"]
    command += ["--output-formats", "csv", "--output-directory", str(out), "--output-filename", "prowler"]
    command += ["--checks", *committed, *sorted(excused)]
    print(f"make security: prowler with {len(committed)} committed and {len(excused)} excused checks")
    done = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
    (out / "prowler.log").write_text(done.stdout)
    if done.returncode != 0:
        print(done.stdout[-4000:])
        print(f"make security: prowler exited {done.returncode} (log: {out / 'prowler.log'})", file=sys.stderr)
        return 1
    with open(out / "prowler.csv", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    failures, lines = judge(rows, committed, excused)
    summary = ["| check | list | pass | fail | reason |", "|---|---|---|---|---|", *lines]
    (out / "summary.md").write_text("\n".join(summary) + "\n")
    print("\n".join(summary))
    if failures:
        print(f"\nmake security: {len(failures)} committed finding(s) did not pass:", file=sys.stderr)
        for failure in failures:
            print("  " + failure, file=sys.stderr)
        return 1
    print(f"\nmake security: all {len(committed)} committed checks PASS ({len(rows)} findings)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
