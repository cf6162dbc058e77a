# -*- coding: utf-8 -*-
# Copyright: TriFlow AI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters for the ecs_service role: input checks, desired state, IAM policies, container and app URLs."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError
from ansible_collections.triflow.platform.plugins.module_utils.application import (
    container_definition,
    database_url,
    ecs_service_assume_role_policy,
    ecs_service_iam_policies,
    ecs_service_input_errors,
    redis_url,
    service_unmanaged_differences,
)
from ansible_collections.triflow.platform.plugins.module_utils.application import (
    ecs_service_desired_state as _build_desired_state,
)


def _desired_state(inputs):
    errors = ecs_service_input_errors(inputs)
    if errors:
        raise AnsibleFilterError("invalid ecs_service inputs: %s" % "; ".join(errors))
    return _build_desired_state(inputs)


def _iam_policies(desired, account_id, region, secret_arns, bucket, repository_arn, partition="aws"):
    return ecs_service_iam_policies(desired, account_id, region, partition, secret_arns, bucket, repository_arn)


def _assume_role_policy(desired):
    return ecs_service_assume_role_policy()


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
            "ecs_service_input_errors": ecs_service_input_errors,
            "ecs_service_desired_state": _desired_state,
            "ecs_service_iam_policies": _iam_policies,
            "ecs_service_assume_role_policy": _assume_role_policy,
            "ecs_service_container": _container,
            "ecs_service_database_url": _database_url,
            "ecs_service_redis_url": _redis_url,
            "ecs_service_unmanaged_differences": service_unmanaged_differences,
        }
