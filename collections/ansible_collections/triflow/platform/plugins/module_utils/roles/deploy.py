# -*- coding: utf-8 -*-
# Copyright: TriFlow AI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The model of the ``deploy`` role: a release's checked inputs and settings (playbooks/deploy.yml)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.triflow.platform.plugins.module_utils.rules import int_in_range

# ECR: an image tag is 1 to 128 letters, digits, '_', '.', '-', not starting with '.' or '-'.
IMAGE_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
TIMEOUT = (10, 14400)
HEALTH_CHECKS = (1, 100)
# The running revision and the rollback target are always kept, so fewer than 2 cannot be asked for.
KEEP_REVISIONS = (2, 1000)
INTERVAL = (0.1, 300.0)


def interval_errors(name, value):
    low, high = INTERVAL
    if not isinstance(value, (int, float)) or not low <= value <= high:
        return ["%s must be a number of seconds from %g to %g, got %r" % (name, low, high, value)]
    return []


def input_errors(inputs):
    """Every problem of a release's inputs that argument_specs cannot see, each naming its variable."""
    errors = []
    tag = inputs.get("app_image_tag")
    if not isinstance(tag, str) or not IMAGE_TAG.match(tag):
        errors.append(
            "app_image_tag %r is not an image tag ECR accepts: 1 to 128 letters, digits, '_', '.' or '-', not starting "
            "with '.' or '-' (e.g. v1.4.2 or a git SHA)" % (tag,)
        )
    for name in ("deploy_migration_timeout", "deploy_rollout_timeout", "deploy_rollback_timeout"):
        int_in_range(name, inputs.get(name), *TIMEOUT, errors=errors)
    int_in_range("deploy_health_checks", inputs.get("deploy_health_checks"), *HEALTH_CHECKS, errors=errors)
    int_in_range("deploy_keep_revisions", inputs.get("deploy_keep_revisions"), *KEEP_REVISIONS, errors=errors)
    errors.extend(interval_errors("deploy_poll_interval", inputs.get("deploy_poll_interval")))
    errors.extend(interval_errors("deploy_health_interval", inputs.get("deploy_health_interval")))
    url = inputs.get("deploy_health_url")
    if url and not re.match(r"^https?://[^/\s]+", url):
        errors.append("deploy_health_url must be an http:// or https:// URL (or empty to skip the check), got %r" % url)
    if any(not part for part in inputs.get("deploy_migration_command") or []):
        errors.append("deploy_migration_command holds an empty argument: %r" % (inputs["deploy_migration_command"],))
    return errors


def desired_state(inputs, context):
    """The release: what to deploy, how long to wait, where to report. ``health_url`` None: the ALB's URL."""
    del context
    return {
        "image_tag": inputs["app_image_tag"],
        "stack": inputs["deploy_name_prefix"],
        "migration": {
            "command": list(inputs["deploy_migration_command"]),
            "timeout": inputs["deploy_migration_timeout"],
        },
        "rollout": {
            "timeout": inputs["deploy_rollout_timeout"],
            "rollback": inputs["deploy_rollback"],
            "rollback_timeout": inputs["deploy_rollback_timeout"],
            "poll_interval": inputs["deploy_poll_interval"],
        },
        "health": {
            "url": inputs.get("deploy_health_url"),
            "checks": inputs["deploy_health_checks"],
            "interval": inputs["deploy_health_interval"],
        },
        "keep_revisions": inputs["deploy_keep_revisions"],
        "notify": inputs["deploy_notify"],
        "report_dir": "%s/deploy" % inputs["deploy_report_dir"].rstrip("/"),
    }
