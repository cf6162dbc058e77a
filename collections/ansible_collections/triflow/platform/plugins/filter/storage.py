# -*- coding: utf-8 -*-
# Copyright: TriFlow AI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the storage role: the bucket's settings as check mode compares them (s3_bucket has no check mode)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.triflow.platform.plugins.module_utils.roles.storage import (
    bucket_settings,
    current_bucket_settings,
)


class FilterModule:
    """Storage filters."""

    def filters(self):
        return {
            "storage_bucket_settings": bucket_settings,
            "storage_current_bucket_settings": current_bucket_settings,
        }
