# -*- coding: utf-8 -*-
# Copyright: TriFlow AI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tags of an ECR repository: reads, comparison and requests, used by the ``ecr_repository_tags`` module; and the
repository's settings and lifecycle policy it returns, so a play can compare them in check mode.

Tags are compared as plain dicts (``{"Project": "triflow"}``); ECR's tag lists spell them ``Key`` / ``Value``.
What to change is planned by module_utils/tags.py, as for every module of the collection.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.tagging import (
    ansible_dict_to_boto3_tag_list,
    boto3_tag_list_to_ansible_dict,
)

REPOSITORY_NOT_FOUND = "RepositoryNotFoundException"
LIFECYCLE_POLICY_NOT_FOUND = "LifecyclePolicyNotFoundException"


def describe_repository(client, name, registry_id=None):
    """The repository as DescribeRepositories answers it, or None when it does not exist."""
    request = dict(repositoryNames=[name])
    if registry_id:
        request["registryId"] = registry_id
    try:
        repositories = client.describe_repositories(aws_retry=True, **request)["repositories"]
    except is_boto3_error_code(REPOSITORY_NOT_FOUND):
        return None
    for repository in repositories:
        if repository.get("repositoryName") == name:
            return repository
    return None


def lifecycle_policy(client, name, registry_id=None):
    """The repository's lifecycle policy (parsed), or None when it has none."""
    request = dict(repositoryName=name)
    if registry_id:
        request["registryId"] = registry_id
    try:
        text = client.get_lifecycle_policy(aws_retry=True, **request)["lifecyclePolicyText"]
    except is_boto3_error_code(LIFECYCLE_POLICY_NOT_FOUND):
        return None
    return json.loads(text)


def repository_tags(client, arn):
    """The repository's tags as a dict."""
    tags = client.list_tags_for_resource(aws_retry=True, resourceArn=arn).get("tags") or []
    return boto3_tag_list_to_ansible_dict(tags, "Key", "Value")


def update_tags(client, arn, tags_to_set, tags_to_remove):
    """UntagResource and TagResource, each only when it has something to do."""
    if tags_to_remove:
        client.untag_resource(aws_retry=True, resourceArn=arn, tagKeys=list(tags_to_remove))
    if tags_to_set:
        client.tag_resource(aws_retry=True, resourceArn=arn, tags=ansible_dict_to_boto3_tag_list(tags_to_set))
