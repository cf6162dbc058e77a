# -*- coding: utf-8 -*-
# Copyright: TriFlow AI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The model of the ``stack`` role: a stack's identity (name prefix, tags, region, zones) and its checks."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.triflow.platform.plugins.module_utils.naming import (
    extra_tag_errors,
    name_part_errors,
    prefix_length_errors,
    stack_prefix,
    stack_tags,
)

REGION_PATTERN = re.compile(r"^[a-z]{2}(-gov|-iso|-isob)?-[a-z]+-\d$")
# Attempts of one API call at most: botocore's standard mode waits up to 20 s between two, so 25 attempts can hold
# a task for about 8 minutes of throttling, about as long as an operator would wait (the Terraform AWS provider's
# max_retries default is 25).
MAX_ATTEMPTS = 25
ROLE_ARN_PATTERN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+$")


def input_errors(inputs):
    """Every problem of a stack's identity variables that argument_specs cannot see, each naming its variable."""
    errors = []
    for variable in ("stack_project", "stack_customer", "stack_environment"):
        errors.extend(name_part_errors(variable, inputs.get(variable)))
    if not errors:
        prefix = stack_prefix(inputs["stack_project"], inputs["stack_customer"], inputs["stack_environment"])
        errors.extend(
            prefix_length_errors("the stack name prefix (stack_project-stack_customer-stack_environment)", prefix)
        )
    region = inputs.get("stack_region")
    if not isinstance(region, str) or not REGION_PATTERN.match(region):
        errors.append("stack_region '%s' is not an AWS region name such as ap-northeast-2" % region)
    else:
        for zone in inputs.get("stack_availability_zones") or []:
            if not re.match("^%s[a-z]$" % re.escape(region), str(zone)):
                errors.append("stack_availability_zones entry '%s' is not a zone of stack_region '%s'" % (zone, region))
    role_arn = inputs.get("stack_aws_assume_role_arn") or ""
    if role_arn and not ROLE_ARN_PATTERN.match(role_arn):
        errors.append(
            "stack_aws_assume_role_arn '%s' is not an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>)"
            % role_arn
        )
    attempts = inputs.get("stack_aws_max_attempts")
    if isinstance(attempts, bool) or not isinstance(attempts, int) or not 1 <= attempts <= MAX_ATTEMPTS:
        errors.append("stack_aws_max_attempts '%s' must be a whole number from 1 to %d" % (attempts, MAX_ATTEMPTS))
    errors.extend(extra_tag_errors("stack_extra_tags", inputs.get("stack_extra_tags")))
    return errors


# The facts the stack's desired state publishes beside stack_desired_state (desired_state.published), read by every
# role and playbook after it.
PUBLISHED = {
    "stack_name_prefix": "name_prefix",
    "stack_tags": "tags",
    "stack_region": "region",
    "stack_availability_zones": "availability_zones",
}


def desired_state(inputs, context):
    """The stack's name prefix, common tags, region and zones, from validated identity variables."""
    project, customer, environment = inputs["stack_project"], inputs["stack_customer"], inputs["stack_environment"]
    return {
        "name_prefix": stack_prefix(project, customer, environment),
        "tags": stack_tags(project, customer, environment, inputs.get("stack_extra_tags")),
        "region": inputs["stack_region"],
        "availability_zones": list(inputs["stack_availability_zones"]),
        # botocore's retries for every AWS module (the plays' module_defaults pass it as aws_config).
        "aws_config": {
            "retries": {"mode": inputs["stack_aws_retry_mode"], "total_max_attempts": inputs["stack_aws_max_attempts"]}
        },
    }
