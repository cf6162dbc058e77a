# -*- coding: utf-8 -*-
# Copyright: TriFlow AI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters for the ecr role: input checks and desired state."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError
from ansible_collections.triflow.platform.plugins.module_utils.registry import ecr_desired_state, ecr_input_errors


def _desired_state(inputs, account_id=None, region=None):
    errors = ecr_input_errors(inputs)
    if errors:
        raise AnsibleFilterError("invalid ecr inputs: %s" % "; ".join(errors))
    return ecr_desired_state(inputs, account_id, region)


class FilterModule:
    """ECR filters."""

    def filters(self):
        return {"ecr_input_errors": ecr_input_errors, "ecr_desired_state": _desired_state}
