# -*- coding: utf-8 -*-
# Copyright: TriFlow AI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the ecs_service role: IAM policies, the container, the app's URLs, what ecs_service does not compare."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.triflow.platform.plugins.module_utils.roles.ecs_service import (
    container_definition,
    database_url,
    iam_policies,
    redis_url,
    service_unmanaged_differences,
)


def _container(desired, image, environment, secret_arns, region):
    return container_definition(desired, image, environment, secret_arns, region)


def _database_url(password, username, host, port, database):
    return database_url(username, password, host, port, database)


def _redis_url(token, host, port):
    return redis_url(token, host, port)


class FilterModule:
    """Application tier filters."""

    def filters(self):
        return {
            "ecs_service_iam_policies": iam_policies,
            "ecs_service_container": _container,
            "ecs_service_database_url": _database_url,
            "ecs_service_redis_url": _redis_url,
            "ecs_service_unmanaged_differences": service_unmanaged_differences,
        }
