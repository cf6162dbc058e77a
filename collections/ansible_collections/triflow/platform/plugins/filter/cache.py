# -*- coding: utf-8 -*-
# Copyright: TriFlow AI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters for the elasticache role: input checks and desired state."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError
from ansible_collections.triflow.platform.plugins.module_utils.cache import (
    elasticache_desired_state,
    elasticache_input_errors,
)


def _desired_state(inputs):
    errors = elasticache_input_errors(inputs)
    if errors:
        raise AnsibleFilterError("invalid elasticache inputs: %s" % "; ".join(errors))
    return elasticache_desired_state(inputs)


class FilterModule:
    """ElastiCache role filters."""

    def filters(self):
        return {"elasticache_input_errors": elasticache_input_errors, "elasticache_desired_state": _desired_state}
