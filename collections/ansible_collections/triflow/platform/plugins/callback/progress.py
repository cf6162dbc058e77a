# -*- coding: utf-8 -*-
# Copyright: TriFlow AI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The default screen output, with waits said in words and the time each role took at the end."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: progress
type: stdout
short_description: Ansible's default output, with progress of long waits and time per role
version_added: 0.1.0
author: TriFlow AI (@triflow-ai)
description:
  - Prints what Ansible's C(default) callback prints, with two changes for long provisioning runs.
  - A task that waits with C(until) and C(retries) says what it waits for and for how long, e.g.
    C(Waiting [triflow-acme-prod] Wait for the PostgreSQL instance to be available - creating, 6 min 10 s so far,
    up to 40 min), instead of C(FAILED - RETRYING ... (233 retries left)). The state is the first C(status) or
    C(state) field of the task's result (for example an RDS instance's C(db_instance_status)).
  - After the play recap, the wall time of each role, in the order the roles first ran, and the total.
extends_documentation_fragment:
  - default_callback
  - result_format_callback
requirements:
  - set as stdout callback in configuration (the project's ansible.cfg does)
"""

import time

from ansible.plugins.callback.default import CallbackModule as DefaultCallback

STATE_KEYS = ("status", "state")
NO_ROLE = "(play tasks)"


def duration(seconds):
    """``6 min 10 s``, ``42 s``, ``1 h 5 min``."""
    seconds = round(seconds)
    if seconds < 60:
        return "%d s" % seconds
    if seconds < 3600:
        minutes, rest = divmod(seconds, 60)
        return "%d min" % minutes if rest == 0 else "%d min %d s" % (minutes, rest)
    hours, rest = divmod(seconds, 3600)
    return "%d h %d min" % (hours, rest // 60)


def find_state(value, depth=0):
    """The first ``*status`` / ``*state`` string of a result, looking two levels down (dicts and list heads)."""
    if depth > 3:
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, str) and str(key).endswith(STATE_KEYS) and item:
                return item
        for key, item in value.items():
            if isinstance(item, (dict, list)) and not str(key).startswith("_"):
                found = find_state(item, depth + 1)
                if found:
                    return found
    elif isinstance(value, list) and value:
        return find_state(value[0], depth + 1)
    return None


def retry_message(host, task_name, result):
    """``Retrying [host] <task> - <AWS error code>`` for a task run again after it failed (a conflict with its own
    retried call: triflow.platform.own_retry_conflict)."""
    error = result.get("error") if isinstance(result.get("error"), dict) else {}
    reason = error.get("code") or str(result.get("msg") or "failed").splitlines()[0][:120]
    return "Retrying [%s] %s - %s" % (host, task_name, reason)


def wait_message(host, task_name, result, elapsed, delay):
    """``Waiting [host] <task> - <state>, <elapsed> so far, up to <limit>``; ``Retrying ...`` after a failure."""
    if result.get("failed"):
        return retry_message(host, task_name, result)
    parts = []
    state = find_state(result)
    if state:
        parts.append(state)
    parts.append("%s so far" % duration(elapsed))
    attempts = result.get("retries")  # Ansible reports the attempts in all: retries + 1
    if isinstance(delay, (int, float)) and isinstance(attempts, int) and delay > 0 and attempts > 1:
        parts.append("up to %s" % duration(delay * (attempts - 1)))
    return "Waiting [%s] %s - %s" % (host, task_name, ", ".join(parts))


class CallbackModule(DefaultCallback):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "stdout"
    CALLBACK_NAME = "triflow.platform.progress"

    def __init__(self):
        super(CallbackModule, self).__init__()
        self._started = {}
        self._role_times = {}
        self._current = None

    def _close_task(self):
        if self._current is not None:
            role, started = self._current
            self._role_times[role] = self._role_times.get(role, 0.0) + time.time() - started
            self._current = None

    def _open_task(self, task):
        self._close_task()
        role = task._role.get_name(include_role_fqcn=False) if task._role else NO_ROLE
        self._current = (role, time.time())

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._open_task(task)
        super(CallbackModule, self).v2_playbook_on_task_start(task, is_conditional)

    def v2_playbook_on_handler_task_start(self, task):
        self._open_task(task)
        super(CallbackModule, self).v2_playbook_on_handler_task_start(task)

    def v2_runner_on_start(self, host, task):
        self._started[(host.get_name(), task._uuid)] = time.time()
        super(CallbackModule, self).v2_runner_on_start(host, task)

    def v2_runner_retry(self, result):
        host = self.host_label(result)
        started = self._started.get((result.host.get_name(), result.task._uuid), time.time())
        try:
            delay = float(result.task.delay)
        except (TypeError, ValueError):
            delay = None
        message = wait_message(host, result.task_name or result.task, result.result, time.time() - started, delay)
        self._display.display(message)

    def v2_playbook_on_stats(self, stats):
        self._close_task()
        super(CallbackModule, self).v2_playbook_on_stats(stats)
        if not self._role_times:
            return
        width = max(len(role) for role in self._role_times)
        self._display.banner("TIME PER ROLE")
        for role, seconds in self._role_times.items():
            self._display.display("%s  %8.1f s" % (role.ljust(width), seconds))
        self._display.display("%s  %8.1f s" % ("total".ljust(width), sum(self._role_times.values())))
