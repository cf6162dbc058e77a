# -*- coding: utf-8 -*-
# Copyright: TriFlow AI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The model of the ``ecr`` role: the stack's container registry, its checks, desired state and lifecycle policy.

The lifecycle policy keeps the last N release images. The deploy pipeline pushes versions (``v1.4.2``, ``1.4.2``)
and git SHAs (7 to 40 hex digits). ECR's tag patterns know one wildcard, ``*``, and no character classes, so no
pattern singles out a SHA; and several entries of one ``tagPatternList`` or ``tagPrefixList`` select only images
that carry ALL of them, so a list such as ``["v", "0", ..., "9", "a", ..., "f"]`` selects nothing (defect 8 of
SPEC.md). The release rule therefore selects every tagged image (``tagPatternList: ["*"]``): with immutable tags
every tag the pipeline pushes names one release, and untagged images have their own rule.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.triflow.platform.plugins.module_utils.arns import arn, dns_suffix
from ansible_collections.triflow.platform.plugins.module_utils.naming import named_tags
from ansible_collections.triflow.platform.plugins.module_utils.rules import int_in_range

# AWS: 2 to 256 characters, lowercase, components separated by '/' (namespaces), each of them letters and digits
# separated by single '.', '_' or '-'.
REPOSITORY_COMPONENT = r"[a-z0-9]+(?:[._-][a-z0-9]+)*"
REPOSITORY_NAME = re.compile(r"^(?:%s/)*%s$" % (REPOSITORY_COMPONENT, REPOSITORY_COMPONENT))
REPOSITORY_NAME_LENGTH = (2, 256)
REPOSITORY_SUFFIX = "-backend"
UNTAGGED_EXPIRE_DAYS = (1, 3650)
# ECR's default quota of images per repository.
RELEASE_IMAGES = (1, 10000)
# The tags the deploy pipeline pushes (playbooks/deploy.yml -e app_image_tag=<tag>): versions and git SHAs.
RELEASE_TAG = re.compile(r"^(?:v?[0-9]+\.[0-9]+\.[0-9]+|[0-9a-f]{7,40})$")
# Every tagged image: the only ECR selection that matches both versions and SHAs (see the module docstring).
RELEASE_TAG_PATTERNS = ["*"]


def repository_name(inputs):
    """The shared repository when ``ecr_repository_name`` is set, else the stack's ``<prefix>-backend``."""
    return inputs.get("ecr_repository_name") or "%s%s" % (inputs.get("ecr_name_prefix"), REPOSITORY_SUFFIX)


def repository_name_errors(variable, name):
    """The problems of an ECR repository name, naming the variable it comes from."""
    low, high = REPOSITORY_NAME_LENGTH
    if not isinstance(name, str) or not low <= len(name) <= high or not REPOSITORY_NAME.match(name):
        return [
            "%s gives the repository name %r, which ECR rejects: %d to %d characters, lowercase letters and digits "
            "separated by single '.', '_' or '-', with optional '/' namespaces (pattern %s)"
            % (variable, name, low, high, REPOSITORY_NAME.pattern)
        ]
    return []


def input_errors(inputs):
    """Every problem of the ecr role's inputs that argument_specs cannot see, each naming its variable and what it
    allows."""
    errors = []
    if inputs.get("ecr_repository_name"):
        errors.extend(repository_name_errors("ecr_repository_name", inputs["ecr_repository_name"]))
    elif not isinstance(inputs.get("ecr_name_prefix"), str) or not inputs.get("ecr_name_prefix"):
        errors.append("ecr_name_prefix must be a non-empty string (the stack prefix) when ecr_repository_name is empty")
    else:
        errors.extend(repository_name_errors("ecr_name_prefix", repository_name(inputs)))
    int_in_range(
        "ecr_untagged_expire_days", inputs.get("ecr_untagged_expire_days"), *UNTAGGED_EXPIRE_DAYS, errors=errors
    )
    int_in_range("ecr_keep_release_images", inputs.get("ecr_keep_release_images"), *RELEASE_IMAGES, errors=errors)
    return errors


def lifecycle_policy(untagged_expire_days, keep_release_images):
    """The lifecycle policy in ECR's shape: untagged images first, then the last N release images."""
    return {
        "rules": [
            {
                "rulePriority": 1,
                "description": "Expire untagged images %d days after push" % untagged_expire_days,
                "selection": {
                    "tagStatus": "untagged",
                    "countType": "sinceImagePushed",
                    "countUnit": "days",
                    "countNumber": untagged_expire_days,
                },
                "action": {"type": "expire"},
            },
            {
                "rulePriority": 2,
                "description": "Keep the last %d release images (every tag the pipeline pushes: versions, git SHAs)"
                % keep_release_images,
                "selection": {
                    "tagStatus": "tagged",
                    "tagPatternList": list(RELEASE_TAG_PATTERNS),
                    "countType": "imageCountMoreThan",
                    "countNumber": keep_release_images,
                },
                "action": {"type": "expire"},
            },
        ]
    }


def repository_uri(name, account_id, region):
    """``<account>.dkr.ecr.<region>.<suffix>/<name>``, or None without account and region."""
    if not account_id or not region:
        return None
    return "%s.dkr.ecr.%s.%s/%s" % (account_id, region, dns_suffix(region), name)


def repository_arn(name, account_id, region):
    """``arn:<partition>:ecr:<region>:<account>:repository/<name>``, or None without account and region."""
    if not account_id or not region:
        return None
    return arn(region, "ecr", "repository/%s" % name, account_id)


def desired_state(inputs, context):
    """The stack's repository: name, settings, lifecycle policy and tags (and its URI and ARN when ``context`` knows
    the ``account_id`` and ``region``, for check mode on a stack whose repository does not exist yet)."""
    account_id, region = context.get("account_id"), context.get("region")
    name = repository_name(inputs)
    return {
        "name": name,
        "shared": bool(inputs.get("ecr_repository_name")),
        "uri": repository_uri(name, account_id, region),
        "arn": repository_arn(name, account_id, region),
        "scan_on_push": inputs["ecr_scan_on_push"],
        "image_tag_mutability": inputs["ecr_image_tag_mutability"],
        # AES256 (S3-managed keys) is ECR's default and cannot change after creation.
        "encryption_type": "AES256",
        "lifecycle_policy": lifecycle_policy(inputs["ecr_untagged_expire_days"], inputs["ecr_keep_release_images"]),
        "tags": named_tags(inputs.get("ecr_tags") or {}, name),
        # What playbooks/deploy.yml may push: every such tag is kept by the release rule.
        "release_tag_regex": RELEASE_TAG.pattern,
    }


def repository_settings(desired):
    """The settings community.aws.ecs_ecr applies, in the shape ``current_repository_settings`` reads them."""
    return {
        "name": desired["name"],
        "scan_on_push": desired["scan_on_push"],
        "image_tag_mutability": desired["image_tag_mutability"],
        "lifecycle_policy": desired["lifecycle_policy"],
    }


def current_repository_settings(repository, policy):
    """The settings of the repository ``triflow.platform.ecr_repository_tags`` returned (``{}`` when there is none).

    community.aws.ecs_ecr reports its check-mode changes as skipped: the ecr role compares this with
    ``repository_settings`` in check mode.
    """
    if not repository:
        return {}
    return {
        "name": repository.get("repository_name"),
        "scan_on_push": (repository.get("image_scanning_configuration") or {}).get("scan_on_push"),
        "image_tag_mutability": repository.get("image_tag_mutability"),
        "lifecycle_policy": policy,
    }
