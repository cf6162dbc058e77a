# -*- coding: utf-8 -*-
# Copyright: TriFlow AI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the ecr role: the repository's settings as check mode compares them (ecs_ecr reports them skipped)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.triflow.platform.plugins.module_utils.roles.ecr import (
    current_repository_settings,
    repository_settings,
)


class FilterModule:
    """ECR filters."""

    def filters(self):
        return {
            "ecr_repository_settings": repository_settings,
            "ecr_current_repository_settings": current_repository_settings,
        }
