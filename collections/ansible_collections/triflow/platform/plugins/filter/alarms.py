# -*- coding: utf-8 -*-
# Copyright: TriFlow AI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters for the alarms role: input checks and desired state."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError
from ansible_collections.triflow.platform.plugins.module_utils.alarms import (
    alarms_desired_state,
    alarms_input_errors,
)


def _desired_state(inputs):
    errors = alarms_input_errors(inputs)
    if errors:
        raise AnsibleFilterError("invalid alarms inputs: %s" % "; ".join(errors))
    return alarms_desired_state(inputs)


class FilterModule:
    """Alarms filters."""

    def filters(self):
        return {"alarms_input_errors": alarms_input_errors, "alarms_desired_state": _desired_state}
