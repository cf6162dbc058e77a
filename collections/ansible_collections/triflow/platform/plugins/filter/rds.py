# -*- coding: utf-8 -*-
# Copyright: TriFlow AI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters for the rds role: input checks and desired state."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError
from ansible_collections.triflow.platform.plugins.module_utils.rds import rds_desired_state, rds_input_errors


def _desired_state(inputs):
    errors = rds_input_errors(inputs)
    if errors:
        raise AnsibleFilterError("invalid rds inputs: %s" % "; ".join(errors))
    return rds_desired_state(inputs)


class FilterModule:
    """RDS filters."""

    def filters(self):
        return {"rds_input_errors": rds_input_errors, "rds_desired_state": _desired_state}
