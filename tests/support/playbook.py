"""ansible-playbook runs from the project root, as an operator runs them, and the recap they end with."""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

from support.emulator import REPO, Emulator

RECAP = re.compile(
    r"^(?P<host>\S+)\s+:\s+ok=(?P<ok>\d+)\s+changed=(?P<changed>\d+)\s+unreachable=(?P<unreachable>\d+)"
    r"\s+failed=(?P<failed>\d+)"
)
PLAYBOOK_TIMEOUT = 900


@dataclass
class PlaybookRun:
    rc: int
    output: str
    recap: dict[str, dict[str, int]]

    def changed(self, host: str | None = None) -> int:
        hosts = [host] if host else list(self.recap)
        return sum(self.recap[name]["changed"] for name in hosts)

    def tail(self, characters: int = 6000) -> str:
        return self.output[-characters:]


def parse_recap(stdout: str) -> dict[str, dict[str, int]]:
    """``{host: {ok, changed, unreachable, failed}}`` from the PLAY RECAP lines."""
    recap = {}
    for line in stdout.splitlines():
        match = RECAP.match(line)
        if match:
            recap[match.group("host")] = {key: int(value) for key, value in match.groupdict().items() if key != "host"}
    return recap


def playbook_command(
    playbook: str, inventories: tuple[str, ...], extra_vars: dict | None, check: bool, extra_args: tuple[str, ...]
) -> list[str]:
    command = [str(Path(sys.executable).parent / "ansible-playbook"), playbook]
    for inventory in inventories:
        command += ["-i", inventory]
    if extra_vars:
        command += ["-e", json.dumps(extra_vars)]
    if check:
        command += ["--check", "--diff"]
    return command + list(extra_args)


def run_playbook(
    emulator: Emulator,
    playbook: str,
    *inventories: str,
    extra_vars: dict | None = None,
    check: bool = False,
    extra_args: tuple[str, ...] = (),
    env: dict[str, str] | None = None,
    cwd: Path = REPO,
) -> PlaybookRun:
    """Run ``ansible-playbook <playbook> -i <inventory>...`` against the emulator; ``check`` adds --check --diff.
    ``cwd``: the project checkout to run from (bench/ runs another revision's from its worktree)."""
    command = playbook_command(playbook, inventories, extra_vars, check, extra_args)
    completed = subprocess.run(
        command,
        cwd=cwd,
        env={**emulator.env, **(env or {})},
        capture_output=True,
        text=True,
        timeout=PLAYBOOK_TIMEOUT,
    )
    return PlaybookRun(
        rc=completed.returncode, output=completed.stdout + completed.stderr, recap=parse_recap(completed.stdout)
    )


def assert_ok(run: PlaybookRun) -> PlaybookRun:
    assert run.rc == 0, run.tail()
    return run


def run_localhost_playbook(playbook: Path, extra_vars: dict, *args: str, timeout: int = 120) -> PlaybookRun:
    """Run a test's own playbook on ``localhost`` (local connection) from the project root, where ansible.cfg's
    collections_path finds the collection; ``extra_vars`` go through a file (no secret on the command line)."""
    vars_file = playbook.with_suffix(".vars.json")
    vars_file.write_text(json.dumps({"ansible_python_interpreter": sys.executable, **extra_vars}))
    env = dict(os.environ, ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0", ANSIBLE_STDOUT_CALLBACK="default")
    command = [str(Path(sys.executable).parent / "ansible-playbook"), "-i", "localhost,", "-c", "local"]
    command += [*args, "-e", f"@{vars_file}", str(playbook)]
    completed = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout)
    return PlaybookRun(
        rc=completed.returncode, output=completed.stdout + completed.stderr, recap=parse_recap(completed.stdout)
    )


def kill_tree(pid: int) -> None:
    """SIGKILL a process and every process under it at once. Ansible's workers call setsid(), so a process group
    or session kill misses them and the module they run: a lost runner or a killed VM takes them all."""
    try:
        root = psutil.Process(pid)
        processes = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return
    for process in processes:
        with contextlib.suppress(psutil.NoSuchProcess):
            process.kill()


def kill_at(
    emulator: Emulator,
    call: str | None,
    playbook: str,
    *inventories: str,
    extra_vars: dict | None = None,
    timeout: float = PLAYBOOK_TIMEOUT,
    delay: float = 0.0,
    printed: str | None = None,
) -> PlaybookRun:
    """Run a playbook and kill it with every process under it (the module's too) as soon as the emulator's call log
    shows ``call`` (e.g. ``rds.DeleteDBInstance``) and its output matches the regular expression ``printed`` (either
    may be None), or ``delay`` seconds after: an operator's lost runner, mid-run. ``rc`` is negative when it was
    killed, 0 or more when it ended first. The output goes to a file as it comes, so a long run never blocks on a
    full pipe while it is watched."""
    emulator.clear_calls()
    with tempfile.NamedTemporaryFile(mode="w+") as output_file:
        process = subprocess.Popen(
            playbook_command(playbook, inventories, extra_vars, False, ()),
            cwd=REPO,
            env=emulator.env,
            stdout=output_file,
            stderr=subprocess.STDOUT,
            text=True,
        )
        deadline = time.monotonic() + timeout
        while process.poll() is None and time.monotonic() < deadline:
            if (call is None or call in emulator.call_names()) and (
                printed is None or re.search(printed, Path(output_file.name).read_text(), re.M)
            ):
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(timeout=delay)
                kill_tree(process.pid)
                break
            time.sleep(0.02)
        process.wait(timeout=60)
        output_file.seek(0)
        output = output_file.read()
    return PlaybookRun(rc=process.returncode, output=output, recap=parse_recap(output))
