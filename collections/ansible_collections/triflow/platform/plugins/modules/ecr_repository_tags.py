#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: TriFlow AI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: ecr_repository_tags
short_description: Manage the tags of an existing ECR repository
version_added: 1.0.0
description:
  - Sets the tags of an ECR repository, and changes only what differs.
  - C(community.aws.ecs_ecr) creates and configures repositories but has no tags option, and no other module tags
    an ECR repository; run this module after it.
  - The repository must exist; the module fails, naming it, when it does not.
  - In check mode a missing repository is not an error (an earlier task of the same run would have created it);
    every tag in I(tags) counts as added and the result is C(changed).
  - Returns the repository as ECR describes it and its lifecycle policy, so that a play can compare them with what
    it wants in check mode (C(community.aws.ecs_ecr) reports its check-mode changes as skipped, which no recap
    counts).
author: TriFlow AI platform team (@triflow-ai)
options:
  name:
    description: Name of the repository.
    type: str
    required: true
  registry_id:
    description:
      - AWS account ID of the registry holding the repository.
      - When not given, the registry of the account of the credentials.
    type: str
  tags:
    description:
      - Tags of the repository.
      - An empty dict with I(purge_tags=true) removes all tags except those whose key starts with C(aws:).
    type: dict
    required: true
  purge_tags:
    description:
      - Remove tags not named in I(tags).
      - Tags whose key starts with C(aws:) are never removed.
    type: bool
    default: true
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
attributes:
  check_mode:
    support: full
    description: Reports what would change without changing it.
  diff_mode:
    support: full
    description: Returns the tags before and after.
notes:
  - "IAM actions used: ecr:DescribeRepositories, ecr:GetLifecyclePolicy, ecr:ListTagsForResource, ecr:TagResource,
    ecr:UntagResource."
"""

EXAMPLES = r"""
- name: Create the backend repository of a stack
  community.aws.ecs_ecr:
    name: triflow-acme-prod-backend
    image_tag_mutability: immutable

- name: Tag the backend repository
  triflow.platform.ecr_repository_tags:
    name: triflow-acme-prod-backend
    tags:
      Project: triflow
      Customer: acme
      Environment: prod

- name: Add one tag and keep the others
  triflow.platform.ecr_repository_tags:
    name: triflow-acme-prod-backend
    tags:
      Owner: platform
    purge_tags: false
"""

RETURN = r"""
tags:
  description:
    - Tags of the repository after the run.
    - In check mode, the tags the run would leave.
  returned: always
  type: dict
  sample: {"Project": "triflow", "Customer": "acme", "Environment": "prod"}
repository_arn:
  description:
    - ARN of the repository.
    - Empty in check mode when the repository does not exist.
  returned: always
  type: str
  sample: arn:aws:ecr:ap-northeast-2:123456789012:repository/triflow-acme-prod-backend
repository:
  description:
    - The repository as C(DescribeRepositories) reports it (snake_case); empty when it does not exist.
  returned: always
  type: dict
  version_added: 0.2.0
  sample:
    repository_name: triflow-acme-prod-backend
    image_tag_mutability: IMMUTABLE
    image_scanning_configuration: {"scan_on_push": true}
    encryption_configuration: {"encryption_type": "AES256"}
lifecycle_policy:
  description:
    - The repository's lifecycle policy (parsed JSON); null when it has none or does not exist.
  returned: always
  type: dict
  version_added: 0.2.0
  sample: {"rules": [{"rulePriority": 1, "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed",
           "countUnit": "days", "countNumber": 7}, "action": {"type": "expire"}}]}
"""

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.triflow.platform.plugins.module_utils.ecr_repository_tags import (
    describe_repository,
    lifecycle_policy,
    repository_tags,
    update_tags,
)
from ansible_collections.triflow.platform.plugins.module_utils.tags import plan_tags

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule


def run(module, client):
    """Read, compare, write what differs; the module's result."""
    params = module.params
    name = params["name"]
    repository = describe_repository(client, name, params["registry_id"])
    if repository is None and not module.check_mode:
        module.fail_json(
            msg="ECR repository %s does not exist%s; create it first (community.aws.ecs_ecr)"
            % (name, " in registry %s" % params["registry_id"] if params["registry_id"] else "")
        )
    arn = repository["repositoryArn"] if repository else ""
    before = repository_tags(client, arn) if repository else {}
    to_set, to_remove, after = plan_tags(before, params["tags"], params["purge_tags"])
    # check mode only: a repository still to be created counts as a change, whatever the tags
    changed = bool(to_set or to_remove) or repository is None
    if changed and not module.check_mode:
        update_tags(client, arn, to_set, to_remove)
        after = repository_tags(client, arn)
    result = dict(
        changed=changed,
        tags=after,
        repository_arn=arn,
        repository=camel_dict_to_snake_dict(repository or {}),
        lifecycle_policy=lifecycle_policy(client, name, params["registry_id"]) if repository else None,
    )
    if module._diff:
        result["diff"] = dict(before=dict(tags=before), after=dict(tags=after))
    return result


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            registry_id=dict(type="str"),
            tags=dict(type="dict", required=True),
            purge_tags=dict(type="bool", default=True),
        ),
        supports_check_mode=True,
    )
    client = module.client("ecr", retry_decorator=AWSRetry.jittered_backoff())
    try:
        result = run(module, client)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as error:
        module.fail_json_aws(error, msg="could not tag ECR repository %s" % module.params["name"])
    module.exit_json(**result)


if __name__ == "__main__":
    main()
