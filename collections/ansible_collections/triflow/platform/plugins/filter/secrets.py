# -*- coding: utf-8 -*-
# Copyright: TriFlow AI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters for the secrets role: its input checks and desired state."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError
from ansible_collections.triflow.platform.plugins.module_utils.secrets import (
    secrets_desired_state,
    secrets_input_errors,
)


def _desired_state(inputs):
    errors = secrets_input_errors(inputs)
    if errors:
        raise AnsibleFilterError("invalid secrets inputs: %s" % "; ".join(errors))
    return secrets_desired_state(inputs)


class FilterModule:
    """Secrets filters."""

    def filters(self):
        return {"secrets_input_errors": secrets_input_errors, "secrets_desired_state": _desired_state}
