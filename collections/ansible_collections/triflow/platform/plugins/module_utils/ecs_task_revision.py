# -*- coding: utf-8 -*-
# Copyright: TriFlow AI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A task definition revision that differs from a base revision in one container's image only
(triflow.platform.ecs_task_revision), and pruning a family's old revisions."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

# What RegisterTaskDefinition takes that DescribeTaskDefinition reports (botocore's ECS model); the rest
# (ARN, revision, status, requiresAttributes, compatibilities, registeredAt/By) is AWS's own.
REGISTERABLE = (
    "family",
    "taskRoleArn",
    "executionRoleArn",
    "networkMode",
    "containerDefinitions",
    "volumes",
    "placementConstraints",
    "requiresCompatibilities",
    "cpu",
    "memory",
    "pidMode",
    "ipcMode",
    "proxyConfiguration",
    "inferenceAccelerators",
    "ephemeralStorage",
    "runtimePlatform",
    "enableFaultInjection",
)
CANDIDATES = 10


class RevisionError(Exception):
    pass


def registerable(definition):
    """The fields of ``definition`` that a RegisterTaskDefinition call would send, empty ones left out."""
    return dict(
        (key, copy.deepcopy(definition[key])) for key in REGISTERABLE if definition.get(key) not in (None, [], {})
    )


def image_of(definition, container_name):
    for container in definition.get("containerDefinitions") or []:
        if container.get("name") == container_name:
            return container.get("image")
    names = ", ".join(c.get("name", "?") for c in definition.get("containerDefinitions") or [])
    raise RevisionError(
        "task definition %s has no container named %s (it has: %s)"
        % (definition.get("taskDefinitionArn"), container_name, names)
    )


def with_image(definition, container_name, image):
    """The registerable fields of ``definition`` with ``container_name``'s image replaced."""
    image_of(definition, container_name)
    wanted = registerable(definition)
    for container in wanted["containerDefinitions"]:
        if container.get("name") == container_name:
            container["image"] = image
    return wanted


def same_definition(left, right):
    return registerable(left) == registerable(right)


def revision_number(arn):
    return int(arn.rsplit(":", 1)[-1])


def prune_plan(active_arns, keep_revisions, keep):
    """The ACTIVE revisions to deregister: all but the newest ``keep_revisions`` and those in ``keep``."""
    ordered = sorted(active_arns, key=revision_number, reverse=True)
    protected = set(ordered[:keep_revisions]) | set(keep)
    return [arn for arn in sorted(ordered, key=revision_number) if arn not in protected]
