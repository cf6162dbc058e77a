#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: TriFlow AI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: ecs_task_revision
short_description: Register a task definition revision that differs from a base revision in one image only
version_added: 1.0.0
description:
  - Reads the I(base) revision (DescribeTaskDefinition with its tags) and registers a revision of the same family
    that differs from it in the image of I(container_name) only, with the same tags; every other setting (CPU,
    memory, roles, environment, secrets, logging, health check) is copied as it is.
  - When the base already runs I(image), nothing is registered and the base is returned. When one of the family's
    latest ACTIVE revisions already is the wanted definition (a release tried before), it is reused.
  - With I(keep_revisions), deregisters the family's ACTIVE revisions older than the newest I(keep_revisions),
    never those listed in I(keep) (the running revision, the one a rollback would use).
  - C(community.aws.ecs_taskdefinition) cannot do this; its info module returns the revision in snake case, which
    cannot be registered again as it is, and it has no options for several registerable fields.
author: TriFlow AI platform team (@triflow-ai)
options:
  base:
    description: ARN (or C(family:revision)) of the revision to copy.
    type: str
    required: true
  container_name:
    description: The container whose image changes.
    type: str
  image:
    description: The new image of I(container_name); when not given, nothing is registered (prune only).
    type: str
  keep_revisions:
    description: Keep this many of the family's newest ACTIVE revisions and deregister the older ones; 0 keeps all.
    type: int
    default: 0
  keep:
    description: Revisions (ARNs) never deregistered.
    type: list
    elements: str
    default: []
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
attributes:
  check_mode:
    support: full
    description: Says whether a revision would be registered and which revisions would be deregistered.
  diff_mode:
    support: full
    description: The container's image before and after, and the revisions that would be deregistered.
notes:
  - "IAM actions used: ecs:DescribeTaskDefinition, ecs:ListTaskDefinitions, ecs:RegisterTaskDefinition,
    ecs:DeregisterTaskDefinition, ecs:TagResource."
  - Passing the execution and task roles on again needs iam:PassRole on them.
"""

EXAMPLES = r"""
- name: The running revision with the release's image
  triflow.platform.ecs_task_revision:
    base: arn:aws:ecs:ap-northeast-2:123456789012:task-definition/triflow-acme-prod-backend:41
    container_name: backend
    image: 123456789012.dkr.ecr.ap-northeast-2.amazonaws.com/triflow-acme-prod-backend:v1.4.2
  register: revision

- name: Keep the ten newest revisions, the running one and the rollback target
  triflow.platform.ecs_task_revision:
    base: "{{ revision.task_definition_arn }}"
    keep_revisions: 10
    keep: ["{{ revision.task_definition_arn }}", "{{ running_revision }}"]
"""

RETURN = r"""
task_definition_arn:
  description: The revision with I(image) (the base when it runs it already).
  returned: always
  type: str
  sample: arn:aws:ecs:ap-northeast-2:123456789012:task-definition/triflow-acme-prod-backend:42
registered:
  description: Whether a new revision was (or in check mode would be) registered.
  returned: always
  type: bool
image_before:
  description: The image of I(container_name) in the base revision.
  returned: when image is given
  type: str
deregistered:
  description: Revisions deregistered (in check mode, that would be).
  returned: always
  type: list
  elements: str
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.triflow.platform.plugins.module_utils.ecs_task_revision import (
    CANDIDATES,
    RevisionError,
    image_of,
    prune_plan,
    registerable,
    with_image,
)

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule


def describe(client, name):
    answer = client.describe_task_definition(taskDefinition=name, include=["TAGS"])
    return answer["taskDefinition"], answer.get("tags") or []


def active_revisions(client, family, newest_first=True):
    paginator = client.get_paginator("list_task_definitions")
    pages = paginator.paginate(familyPrefix=family, status="ACTIVE", sort="DESC" if newest_first else "ASC")
    arns = pages.build_full_result().get("taskDefinitionArns", [])
    # familyPrefix matches other families that start with the same text: keep this family's only.
    return [arn for arn in arns if arn.rsplit("/", 1)[-1].rsplit(":", 1)[0] == family]


def reusable(client, family, wanted):
    for arn in active_revisions(client, family)[:CANDIDATES]:
        definition = describe(client, arn)[0]
        if registerable(definition) == wanted:
            return definition["taskDefinitionArn"]
    return None


def ensure_image(module, client, base, base_tags, result):
    params = module.params
    before = image_of(base, params["container_name"])
    result["image_before"] = before
    if before == params["image"]:
        return base["taskDefinitionArn"]
    wanted = with_image(base, params["container_name"], params["image"])
    if module._diff:
        result["diff"] = dict(before={"image": before}, after={"image": params["image"]})
    existing = reusable(client, base["family"], wanted)
    if existing:
        return existing
    result["registered"] = True
    result["changed"] = True
    if module.check_mode:
        return ""
    if base_tags:
        wanted["tags"] = base_tags
    return client.register_task_definition(**wanted)["taskDefinition"]["taskDefinitionArn"]


def prune(module, client, family, result):
    params = module.params
    doomed = prune_plan(active_revisions(client, family), params["keep_revisions"], params["keep"])
    result["deregistered"] = doomed
    if doomed:
        result["changed"] = True
        if module._diff:
            result.setdefault("diff", dict(before={}, after={}))
            result["diff"]["before"]["active_revisions_deregistered"] = doomed
    if not module.check_mode:
        for arn in doomed:
            client.deregister_task_definition(taskDefinition=arn)


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            base=dict(type="str", required=True),
            container_name=dict(type="str"),
            image=dict(type="str"),
            keep_revisions=dict(type="int", default=0),
            keep=dict(type="list", elements="str", default=[]),
        ),
        required_by=dict(image=["container_name"]),
        supports_check_mode=True,
    )
    params = module.params
    if params["keep_revisions"] < 0:
        module.fail_json(msg="keep_revisions must be 0 (keep all) or more, got %d" % params["keep_revisions"])
    client = module.client("ecs", retry_decorator=AWSRetry.jittered_backoff())
    result = dict(changed=False, registered=False, deregistered=[])
    try:
        base, tags = describe(client, params["base"])
        arn = base["taskDefinitionArn"]
        if params["image"]:
            arn = ensure_image(module, client, base, tags, result)
        result["task_definition_arn"] = arn
        if params["keep_revisions"]:
            prune(module, client, base["family"], result)
    except RevisionError as error:
        module.fail_json(msg=str(error), **result)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as error:
        module.fail_json_aws(
            error, msg="could not register a revision of %s with image %s" % (params["base"], params["image"])
        )
    module.exit_json(**result)


if __name__ == "__main__":
    main()
