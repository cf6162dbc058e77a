# -*- coding: utf-8 -*-
# Copyright: TriFlow AI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The model of the ``rotate_secrets`` role: a rotation's checked inputs and its plan (playbooks/rotate_secrets.yml).

The secrets rotated, where they live and how long they are come from the rds, elasticache and secrets roles'
desired states; this model only says which to rotate and how the service roll is followed.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.triflow.platform.plugins.module_utils.roles.deploy import interval_errors
from ansible_collections.triflow.platform.plugins.module_utils.rules import int_in_range

# The order a rotation runs in: the master first (the app user's step logs in with it), Redis last.
ORDER = ("database_master", "database_app", "redis")
# What the app reads at task start: rotating it rolls the service.
ROLLS_THE_SERVICE = ("database_app", "redis")
# rotate_secrets_health_url's word for "the load balancer's URL + /health" (deploy_health_url not set).
LOAD_BALANCER = "load_balancer"


def input_errors(inputs):
    """Every problem of a rotation's inputs that argument_specs cannot see, each naming its variable."""
    errors = []
    if not inputs.get("rotate_secrets_which"):
        errors.append("rotate_secrets_which is empty: name one or more of %s" % ", ".join(ORDER))
    int_in_range("rotate_secrets_rollout_timeout", inputs.get("rotate_secrets_rollout_timeout"), 60, 14400, errors)
    int_in_range("rotate_secrets_health_checks", inputs.get("rotate_secrets_health_checks"), 1, 100, errors)
    for name in ("rotate_secrets_poll_interval", "rotate_secrets_health_interval"):
        errors.extend(interval_errors(name, inputs.get(name)))
    url = inputs.get("rotate_secrets_health_url")
    if url and url != LOAD_BALANCER and not re.match(r"^https?://[^/\s]+", url):
        errors.append(
            "rotate_secrets_health_url must be an http:// or https:// URL, %s, or empty to skip the check; got %r"
            % (LOAD_BALANCER, url)
        )
    return errors


def desired_state(inputs, context):
    """What to rotate, in the order it runs, and whether (and how) the service rolls. ``health_url`` None: the
    load balancer's URL."""
    del context
    url = inputs.get("rotate_secrets_health_url")
    which = [item for item in ORDER if item in inputs["rotate_secrets_which"]]
    return {
        "stack": inputs["rotate_secrets_name_prefix"],
        "rotate": which,
        "roll": any(item in ROLLS_THE_SERVICE for item in which),
        "rollout": {
            "timeout": inputs["rotate_secrets_rollout_timeout"],
            "poll_interval": inputs["rotate_secrets_poll_interval"],
            "health_checks": inputs["rotate_secrets_health_checks"],
            "health_interval": inputs["rotate_secrets_health_interval"],
            "health_url": None if url == LOAD_BALANCER else url,
        },
    }
