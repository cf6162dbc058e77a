# -*- coding: utf-8 -*-
# Copyright: TriFlow AI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The model of the ``drift`` role: which stack is checked, against which desired states, what drift is accepted.

The desired states are the other roles' own (``<role>_desired_state``, the structures site.yml applies), passed
through unchanged: the drift check never holds a copy of a value.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.triflow.platform.plugins.module_utils.drift import accept_errors
from ansible_collections.triflow.platform.plugins.module_utils.tags import IDENTITY_TAGS

# The stack_drift module's ``desired`` keys, each the desired state of the role of that name.
ROLES = ("network", "storage", "rds", "elasticache", "ecr", "ecs_service", "alarms", "secrets")


def input_errors(inputs):
    """Every problem of the drift role's inputs that argument_specs cannot see, each naming its variable."""
    errors = accept_errors(inputs.get("drift_accept") or [])
    missing = [key for key in IDENTITY_TAGS if not (inputs.get("drift_tags") or {}).get(key)]
    if missing:
        errors.append(
            "drift_tags lacks %s: the identity tags (%s) find what is tagged as the stack"
            % (", ".join(missing), ", ".join(IDENTITY_TAGS))
        )
    return errors


def desired_state(inputs, context):
    """The stack, its areas, the accepted drift, where its reports go, and the roles' desired states."""
    del context
    stack = inputs["drift_name_prefix"]
    folder = "%s/drift" % inputs["drift_report_dir"].rstrip("/")
    return {
        "stack": stack,
        "areas": list(inputs["drift_areas"]),
        "identity_tags": dict((key, inputs["drift_tags"][key]) for key in IDENTITY_TAGS),
        "accept": [
            dict(entry, field=entry.get("field"), until=str(entry["until"])) for entry in inputs["drift_accept"]
        ],
        "report_dir": folder,
        "report_json": "%s/%s.json" % (folder, stack),
        "report_markdown": "%s/%s.md" % (folder, stack),
        "desired": dict((role, inputs["drift_%s" % role]) for role in ROLES),
    }
