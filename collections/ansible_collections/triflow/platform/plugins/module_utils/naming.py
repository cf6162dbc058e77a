# -*- coding: utf-8 -*-
# Copyright: TriFlow AI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Naming and tagging rules shared by every role, filter and module of the collection.

A stack is ``<project>-<customer>-<environment>``; every AWS name starts with it. The longest suffix a role
appends is ``-alb`` or ``-redis`` style; the tightest AWS limit is 32 characters (ALB and target group names),
so a prefix is at most 28 characters.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

NAME_PART_PATTERN = re.compile(r"^[a-z][a-z0-9-]*[a-z0-9]$|^[a-z]$")
PREFIX_MAX_LENGTH = 28
RESERVED_TAG_KEYS = ("Project", "Customer", "Environment", "ManagedBy", "Name")
MANAGED_BY = "ansible"


def name_part_errors(variable, value):
    """Return the problems of one part of a stack name (project, customer, environment, or a whole prefix)."""
    if not isinstance(value, str) or not value:
        return ["%s must be a non-empty string" % variable]
    if not NAME_PART_PATTERN.match(value) or "--" in value:
        return [
            "%s '%s' is invalid: use lowercase letters, digits and single hyphens (a-z, 0-9, -), "
            "starting with a letter and not ending with a hyphen (AWS names such as S3 buckets are lowercase)"
            % (variable, value)
        ]
    return []


def prefix_length_errors(variable, prefix):
    """Return an error when a stack prefix is too long for the AWS names built from it."""
    if len(prefix) > PREFIX_MAX_LENGTH:
        return [
            "%s '%s' is %d characters long; at most %d are allowed, so that '<prefix>-alb' fits the 32-character "
            "limit of load balancer and target group names and '<prefix>-redis' the 40 of ElastiCache"
            % (variable, prefix, len(prefix), PREFIX_MAX_LENGTH)
        ]
    return []


def extra_tag_errors(variable, tags):
    """Return the problems of customer-supplied extra tags."""
    errors = []
    for key, value in (tags or {}).items():
        if key in RESERVED_TAG_KEYS:
            errors.append("%s must not set '%s': the product sets it on every resource" % (variable, key))
        elif str(key).lower().startswith("aws:"):
            errors.append("%s key '%s' is invalid: the 'aws:' prefix is reserved by AWS" % (variable, key))
        elif len(str(key)) > 128 or len(str(value)) > 256:
            errors.append("%s '%s' is too long: keys hold 128 characters and values 256" % (variable, key))
    return errors


def stack_prefix(project, customer, environment):
    """The prefix of every name in one customer's stack."""
    return "%s-%s-%s" % (project, customer, environment)


def stack_tags(project, customer, environment, extra_tags=None):
    """The tags every taggable resource of a stack carries (without Name)."""
    tags = dict(extra_tags or {})
    tags.update({"Project": project, "Customer": customer, "Environment": environment, "ManagedBy": MANAGED_BY})
    return tags


def named_tags(tags, name):
    """A copy of ``tags`` with the resource's Name tag."""
    result = dict(tags)
    result["Name"] = name
    return result


def app_role_names(prefix):
    """Names of the app's two IAM roles: ECS's task execution role and the task role the backend runs as."""
    return {"execution": "%s-ecs-execution" % prefix, "task": "%s-ecs-task" % prefix}
