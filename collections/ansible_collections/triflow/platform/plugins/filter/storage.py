# -*- coding: utf-8 -*-
# Copyright: TriFlow AI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters for the storage role: input checks, desired state, and check-mode differences."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError
from ansible_collections.triflow.platform.plugins.module_utils.storage import (
    bucket_differences,
    storage_desired_state,
    storage_input_errors,
)


def _desired_state(inputs, account_id=None):
    errors = storage_input_errors(inputs)
    if errors:
        raise AnsibleFilterError("invalid storage inputs: %s" % "; ".join(errors))
    return storage_desired_state(inputs, account_id)


class FilterModule:
    """Storage filters."""

    def filters(self):
        return {
            "storage_input_errors": storage_input_errors,
            "storage_desired_state": _desired_state,
            "storage_bucket_differences": bucket_differences,
        }
