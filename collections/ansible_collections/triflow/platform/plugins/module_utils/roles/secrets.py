# -*- coding: utf-8 -*-
# Copyright: TriFlow AI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The model of the ``secrets`` role: the stack's secrets, their checks and desired state (names, descriptions,
tags; never values)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.triflow.platform.plugins.module_utils.arns import arn
from ansible_collections.triflow.platform.plugins.module_utils.naming import app_role_names, named_tags
from ansible_collections.triflow.platform.plugins.module_utils.rules import int_in_range

KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
# An IAM role or user, or an account's root user, as aws:PrincipalArn names them.
PRINCIPAL_PATTERN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:((role|user)/[^*]+|root)$")
MIN_LENGTH = 16
MAX_LENGTH = 128


def secret_name(prefix, key):
    """``<prefix>/<key with hyphens>``: triflow-acme-prod/db-master-password."""
    return "%s/%s" % (prefix, key.replace("_", "-"))


def input_errors(inputs):
    """Every problem of the secrets role's inputs that argument_specs cannot see, each naming its variable."""
    errors = []
    keys = []
    for variable in ("secrets_generated", "secrets_provided"):
        for index, secret in enumerate(inputs.get(variable) or []):
            key = secret.get("key")
            keys.append(key)
            if not isinstance(key, str) or not KEY_PATTERN.match(key):
                errors.append(
                    "%s[%d].key '%s' is invalid: use lowercase letters, digits and underscores" % (variable, index, key)
                )
            if variable == "secrets_generated":
                int_in_range("%s[%d].length" % (variable, index), secret.get("length"), MIN_LENGTH, MAX_LENGTH, errors)
    duplicates = sorted(set(key for key in keys if keys.count(key) > 1))
    if duplicates:
        errors.append("secrets_generated and secrets_provided list %s more than once" % ", ".join(map(str, duplicates)))
    int_in_range("secrets_recovery_window_days", inputs.get("secrets_recovery_window_days"), 7, 30, errors)
    for index, principal in enumerate(inputs.get("secrets_operator_arns") or []):
        if not PRINCIPAL_PATTERN.match(str(principal)):
            errors.append(
                "secrets_operator_arns[%d] %r is invalid: the ARN of an IAM role or user (or root), without wildcards "
                "(arn:aws:iam::123456789012:role/triflow-provisioner)" % (index, principal)
            )
    return errors


def resource_policy(inputs, context):
    """The policy of every secret of the stack: anyone but the app's two roles and the operators is denied every
    Secrets Manager action on it, whatever their identity policies allow (Secrets Manager User Guide, "Resource-
    based policies": deny with aws:PrincipalArn). None before the account is known.

    Roles are named in a condition, not as principals, so the policy can be set before the roles exist.
    """
    account_id = context.get("account_id")
    operators = list(inputs.get("secrets_operator_arns") or [])
    if not account_id or not operators:
        return None
    region = context.get("region")
    roles = app_role_names(inputs["secrets_name_prefix"])
    readers = [arn(region, "iam", "role/%s" % roles[key], account_id, regional=False) for key in ("execution", "task")]
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "OnlyTheStackAndItsOperators",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "secretsmanager:*",
                "Resource": "*",
                "Condition": {"StringNotEquals": {"aws:PrincipalArn": sorted(set(readers + operators))}},
            }
        ],
    }


# Marks a provided secret nobody has set yet; the run warns while a secret still holds it.
PLACEHOLDER = "PLACEHOLDER: set this secret's value in AWS Secrets Manager"


def desired_state(inputs, context):
    """One entry per secret: key, name, description, generated (bool), length, the placeholder a provided secret is
    created with, the recovery window its deletion waits, resource policy, tags."""
    prefix = inputs["secrets_name_prefix"]
    policy = resource_policy(inputs, context)
    tags = inputs.get("secrets_tags") or {}
    state = []
    for variable, generated in (("secrets_generated", True), ("secrets_provided", False)):
        for secret in inputs.get(variable) or []:
            name = secret_name(prefix, secret["key"])
            state.append(
                {
                    "key": secret["key"],
                    "name": name,
                    "description": secret["description"],
                    "generated": generated,
                    "length": secret.get("length", 0) if generated else 0,
                    "placeholder": "" if generated else PLACEHOLDER,
                    "recovery_window_days": inputs["secrets_recovery_window_days"],
                    "resource_policy": policy,
                    "tags": named_tags(tags, name),
                }
            )
    return state
