# -*- coding: utf-8 -*-
# Copyright: TriFlow AI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The model of the ``drift_schedule`` role: where the scheduled drift check lives on an operations host.

The credentials' values never enter the desired state (it is returned by a task and printed at -v): only their
names do; the role writes the file from ``drift_schedule_credentials`` under no_log.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.triflow.platform.plugins.module_utils.rules import int_in_range

USER = re.compile(r"^[a-z_][a-z0-9_-]{0,31}$")
ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")
CRON_FIELD = re.compile(r"^(\*|[0-9]+(-[0-9]+)?)(/[0-9]+)?(,(\*|[0-9]+(-[0-9]+)?)(/[0-9]+)?)*$")
# What the project copy holds: what ansible-playbook playbooks/drift_check.yml reads, and the command around it.
PROJECT_PATHS = (
    "ansible.cfg",
    "collections/ansible_collections/triflow",
    "group_vars",
    "inventories",
    "playbooks",
    "plugins",
    "roles",
    "tools/drift-check",
)


def input_errors(inputs):
    """Every problem of the drift_schedule role's inputs that argument_specs cannot see, each naming its variable."""
    errors = []
    if not USER.match(str(inputs.get("drift_schedule_user"))) or inputs.get("drift_schedule_user") == "root":
        errors.append(
            "drift_schedule_user %r must be a user name (lowercase letters, digits, _ and -, at most 32), not root"
            % inputs.get("drift_schedule_user")
        )
    for variable in ("drift_schedule_home", "drift_schedule_base_python"):
        if not str(inputs.get(variable) or "").startswith("/"):
            errors.append("%s must be an absolute path, got %r" % (variable, inputs.get(variable)))
    if str(inputs.get("drift_schedule_inventory") or "").startswith("/") or ".." in str(
        inputs.get("drift_schedule_inventory")
    ):
        errors.append(
            "drift_schedule_inventory must be a path inside the project (e.g. inventories/ or inventories/customer_a)"
        )
    for variable in ("drift_schedule_cron_minute", "drift_schedule_cron_hour"):
        if not CRON_FIELD.match(str(inputs.get(variable))):
            errors.append("%s %r is not a cron field (e.g. 17, */15, 0-23/2)" % (variable, inputs.get(variable)))
    int_in_range("drift_schedule_keep_reports", inputs.get("drift_schedule_keep_reports"), 1, 10000, errors)
    for variable in ("drift_schedule_environment", "drift_schedule_credentials"):
        bad = sorted(name for name in inputs.get(variable) or {} if not ENV_NAME.match(str(name)))
        if bad:
            errors.append("%s has names that are not environment variables: %s" % (variable, ", ".join(bad)))
    if not inputs.get("drift_schedule_on_calendar"):
        errors.append("drift_schedule_on_calendar must say when the timer runs (e.g. hourly)")
    return errors


def desired_state(inputs, context):
    """The user, paths, schedule and units of the scheduled drift check."""
    del context
    home = inputs["drift_schedule_home"].rstrip("/")
    # The units, the cron file and the command are named after the user, so two schedules on a host (two users:
    # e.g. one per group of customers) do not meet.
    name = inputs["drift_schedule_user"]
    return {
        "method": inputs["drift_schedule_method"],
        "user": inputs["drift_schedule_user"],
        "home": home,
        "project": "%s/project" % home,
        "project_paths": list(PROJECT_PATHS),
        "venv": "%s/venv" % home,
        "base_python": inputs["drift_schedule_base_python"],
        "packages": list(inputs["drift_schedule_packages"]),
        "reports": "%s/reports" % home,
        "keep_reports": inputs["drift_schedule_keep_reports"],
        "credentials_file": "%s/credentials.env" % home,
        "environment": dict(inputs["drift_schedule_environment"]),
        "credential_names": sorted(inputs["drift_schedule_credentials"]),
        "command": "%s/bin/drift-check" % home,
        "inventory": inputs["drift_schedule_inventory"],
        "service": "/etc/systemd/system/%s.service" % name,
        "timer": "/etc/systemd/system/%s.timer" % name,
        "unit": name,
        "on_calendar": inputs["drift_schedule_on_calendar"],
        "cron_file": name,
        "cron_minute": inputs["drift_schedule_cron_minute"],
        "cron_hour": inputs["drift_schedule_cron_hour"],
        "enable": inputs["drift_schedule_enable"],
    }
