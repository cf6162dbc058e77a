# -*- coding: utf-8 -*-
# Copyright: TriFlow AI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tags of an ECR repository: reads, comparison and requests, used by the ``ecr_repository_tags`` module.

Tags are compared as plain dicts (``{"Project": "triflow"}``); ECR's tag lists spell them ``Key`` / ``Value``.
Keys starting with ``aws:`` belong to AWS and are never removed (``compare_aws_tags`` skips them on purge).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.common.text.converters import to_text
from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.tagging import (
    ansible_dict_to_boto3_tag_list,
    boto3_tag_list_to_ansible_dict,
    compare_aws_tags,
)

REPOSITORY_NOT_FOUND = "RepositoryNotFoundException"


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


def repository_tags(client, arn):
    """The repository's tags as a dict."""
    tags = client.list_tags_for_resource(aws_retry=True, resourceArn=arn).get("tags") or []
    return boto3_tag_list_to_ansible_dict(tags, "Key", "Value")


def plan_tags(current, wanted, purge_tags):
    """What to change: ``(tags_to_set, tags_to_remove)``, a dict of text values and a sorted list of keys."""
    to_set, to_remove = compare_aws_tags(current, wanted, purge_tags)
    return dict((key, to_text(value)) for key, value in to_set.items()), sorted(to_remove)


def tags_after(current, tags_to_set, tags_to_remove):
    """The tags once ``tags_to_set`` are set and ``tags_to_remove`` removed."""
    after = dict(current)
    for key in tags_to_remove:
        after.pop(key, None)
    after.update(tags_to_set)
    return after


def update_tags(client, arn, tags_to_set, tags_to_remove):
    """UntagResource and TagResource, each only when it has something to do."""
    if tags_to_remove:
        client.untag_resource(aws_retry=True, resourceArn=arn, tagKeys=list(tags_to_remove))
    if tags_to_set:
        client.tag_resource(aws_retry=True, resourceArn=arn, tags=ansible_dict_to_boto3_tag_list(tags_to_set))
