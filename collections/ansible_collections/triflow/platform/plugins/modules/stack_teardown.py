#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: TriFlow AI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: stack_teardown
short_description: List, or delete in dependency order, every resource of one customer stack
version_added: 1.0.0
description:
  - Looks up each resource of I(resources) by its name (the list playbooks/destroy.yml builds from the roles' desired
    states) and checks its tags against I(identity_tags) - a resource found by its name but tagged as another stack,
    or not tagged as this one, is refused, and nothing is deleted.
  - Without I(execute) (or in check mode) it only answers the plan - what it would delete, what it keeps (final
    snapshots, the S3 bucket, the ECR repository with its images, secrets in their recovery window), what is absent.
  - With I(execute) it stops before deleting anything when a resource is refused, or protected from deletion (the
    database, the load balancer) without I(lift_deletion_protection); then deletes step by step (the order of
    I(resources)' C(step)), starting every deletion of a step and waiting for all of them, so the database, the cache
    and the NAT gateways go side by side. The database and the replication group leave final snapshots named
    C(<name_prefix>-final-<UTC timestamp>). Secrets are scheduled for deletion with a recovery window, never forced.
  - Idempotent and resumable - a teardown killed at any point and run again finds what is left and goes on.
  - It ends by looking for what is left - every resource again by its name, and everything the Resource Groups
    Tagging API lists with the stack's identity tags - and fails listing it, unless it is kept on purpose.
  - The upstream modules (one per kind, each with C(state=absent)) cannot check whose a resource is before deleting
    it, give no plan of the whole stack in check mode (several have no check mode), and cannot start the long
    deletions side by side.
author: TriFlow AI platform team (@triflow-ai)
options:
  name_prefix:
    description: The stack's prefix (e.g. C(triflow-acme-prod)); names the final snapshots.
    type: str
    required: true
  account_id:
    description: The AWS account of the stack, for the ARNs of SNS topics, NAT gateways and the rest.
    type: str
    required: true
  identity_tags:
    description: The tags that say a resource is this stack's (C(Project), C(Customer), C(Environment)).
    type: dict
    required: true
  resources:
    description:
      - The stack's resources in deletion order, each a dict with C(step), C(kind), C(name) and what its kind needs
        (C(vpc) for what lives in the VPC, C(cluster) for the ECS service, C(region) when not the stack's, C(tagged)
        false for what AWS creates untagged).
    type: list
    elements: dict
    required: true
  execute:
    description: Delete; false only lists what would be deleted.
    type: bool
    default: false
  destroy_bucket:
    description: Empty every object version of the S3 bucket and delete it; false keeps it.
    type: bool
    default: false
  destroy_images:
    description: Delete the ECR repository with its images; false keeps a repository that holds images.
    type: bool
    default: false
  lift_deletion_protection:
    description: Turn off deletion protection of this stack's database and load balancer before deleting them.
    type: bool
    default: false
  secrets_recovery_days:
    description: Recovery window of the deleted secrets, 7 to 30 days.
    type: int
    default: 7
  wait_timeout:
    description: Seconds the whole teardown may wait for deletions to finish.
    type: int
    default: 3600
  poll_interval:
    description: Seconds between two reads while waiting.
    type: float
    default: 10
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
attributes:
  check_mode:
    support: full
    description: Answers the plan and whether a real run would delete anything.
  diff_mode:
    support: none
    description: The plan lists every resource and what happens to it.
notes:
  - "IAM actions used: the Describe, List and Get actions of each kind, their Delete actions,
    application-autoscaling:DeregisterScalableTarget, ecs:DeregisterTaskDefinition, ecs:StopTask,
    elasticloadbalancing:ModifyLoadBalancerAttributes, rds:ModifyDBInstance, ec2:ReleaseAddress,
    ec2:DetachInternetGateway, ec2:DisassociateRouteTable, ec2:RevokeSecurityGroupIngress,
    ec2:RevokeSecurityGroupEgress, iam:DetachRolePolicy, iam:RemoveRoleFromInstanceProfile,
    tag:GetResources."
"""

EXAMPLES = r"""
- name: Tear the stack down
  triflow.platform.stack_teardown:
    name_prefix: triflow-acme-prod
    account_id: "123456789012"
    identity_tags: {Project: triflow, Customer: acme, Environment: prod}
    resources: "{{ destroy_desired_state.resources }}"
    execute: true
  register: teardown
"""

RETURN = r"""
plan:
  description: Every resource looked up before anything changed, with what happens to it.
  returned: always
  type: list
  elements: dict
  contains:
    kind:
      description: The kind (vpc, db_instance, secret...).
      type: str
    name:
      description: Its name in the desired state.
      type: str
    id:
      description: Its id in AWS; null when absent.
      type: str
    action:
      description: delete, keep, absent, deleting, scheduled (a secret in its recovery window), refused, protected.
      type: str
    reason:
      description: Why, for keep, refused, protected and scheduled.
      type: str
summary:
  description: One line per resource found, for a person (what happens to it and why).
  returned: always
  type: list
  elements: str
blocked:
  description: The refused and protected resources, which stop a real run before anything is deleted.
  returned: always
  type: list
  elements: dict
actions:
  description: What this run did, in order.
  returned: always
  type: list
  elements: dict
final_snapshots:
  description: The final snapshots this run asked for (kind, name, source).
  returned: always
  type: list
  elements: dict
leftovers:
  description: What is still there after the teardown beyond what is kept (kind, name, id, found_by).
  returned: when executed
  type: list
  elements: dict
tagging_api:
  description: Whether the Resource Groups Tagging API answered the final check (or why not).
  returned: when executed
  type: str
"""

import time

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.triflow.platform.plugins.module_utils.stack_teardown import (
    PROTECTED,
    REFUSED,
    Teardown,
    TeardownError,
)

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule


def plan_rows(rows):
    return [
        {
            "kind": spec["kind"],
            "name": spec["name"],
            "id": found.ident if found is not None else None,
            "action": action,
            "reason": reason,
        }
        for spec, found, action, reason in rows
    ]


def summary(plan, execute):
    """One line per resource that is there, for a person: what happens to it and why."""
    verbs = {"delete": "delete" if execute else "would delete", "keep": "keep"}
    return [
        "%s %s %s%s%s"
        % (
            verbs.get(row["action"], row["action"]),
            row["kind"],
            row["name"],
            " (%s)" % row["id"] if row["id"] != row["name"] else "",
            ": %s" % row["reason"] if row["reason"] else "",
        )
        for row in plan
        if row["action"] != "absent" and row["kind"] != "security_group_rules"
    ]


def tagged_arns(module, teardown, resources):
    """ARNs the tagging API lists with the stack's identity tags, in every region the stack uses."""
    filters = [{"Key": key, "Values": [value]} for key, value in sorted(module.params["identity_tags"].items())]
    regions = sorted(set([module.region] + [spec["region"] for spec in resources if spec.get("region")]))
    found = []
    try:
        for region in regions:
            paginator = teardown.client("resourcegroupstaggingapi", region).get_paginator("get_resources")
            for page in paginator.paginate(TagFilters=filters):
                found.extend(item["ResourceARN"] for item in page["ResourceTagMappingList"])
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as error:
        module.warn("The Resource Groups Tagging API did not answer, so only names were checked: %s" % error)
        return [], "unavailable: %s" % error
    return found, "checked in %s" % ", ".join(regions)


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            name_prefix=dict(type="str", required=True),
            account_id=dict(type="str", required=True),
            identity_tags=dict(type="dict", required=True),
            resources=dict(type="list", elements="dict", required=True),
            execute=dict(type="bool", default=False),
            destroy_bucket=dict(type="bool", default=False),
            destroy_images=dict(type="bool", default=False),
            lift_deletion_protection=dict(type="bool", default=False),
            secrets_recovery_days=dict(type="int", default=7, no_log=False),
            wait_timeout=dict(type="int", default=3600),
            poll_interval=dict(type="float", default=10),
        ),
        supports_check_mode=True,
    )
    params = module.params
    if not 7 <= params["secrets_recovery_days"] <= 30:
        module.fail_json(msg="secrets_recovery_days must be 7 to 30, got %d" % params["secrets_recovery_days"])
    stack = {
        "name_prefix": params["name_prefix"],
        "account_id": params["account_id"],
        "region": module.region,
        "identity_tags": params["identity_tags"],
    }
    options = dict(
        (key, params[key])
        for key in (
            "destroy_bucket",
            "destroy_images",
            "lift_deletion_protection",
            "secrets_recovery_days",
            "wait_timeout",
            "poll_interval",
        )
    )
    teardown = Teardown(
        lambda service, region: module.client(service, region=region), stack, options, now=time.gmtime()
    )
    resources = params["resources"]
    try:
        plan = plan_rows(teardown.survey(resources))
    except TeardownError as error:
        module.fail_json(msg=str(error))
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as error:
        module.fail_json_aws(error, msg="could not read the resources of %s" % params["name_prefix"])
    blocked = [row for row in plan if row["action"] in (REFUSED, PROTECTED)]
    result = dict(plan=plan, summary=summary(plan, params["execute"]), blocked=blocked, actions=[], final_snapshots=[])
    would_delete = any(row["action"] == "delete" for row in plan)
    if params["execute"] and blocked:
        module.fail_json(
            msg="Nothing deleted: %s"
            % "; ".join("%s %s (%s) %s" % (row["kind"], row["name"], row["id"], row["reason"]) for row in blocked),
            **result,
        )
    if not params["execute"] or module.check_mode:
        module.exit_json(changed=bool(params["execute"] and would_delete), **result)
    try:
        teardown.destroy(resources)
        arns, tagging = tagged_arns(module, teardown, resources)
        leftovers = teardown.leftovers(resources, arns)
    except (TeardownError, botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as error:
        result.update(actions=teardown.actions, final_snapshots=teardown.final_snapshots)
        module.fail_json(
            msg="Teardown of %s stopped: %s" % (params["name_prefix"], error), changed=teardown.changed, **result
        )
    result.update(
        actions=teardown.actions, final_snapshots=teardown.final_snapshots, leftovers=leftovers, tagging_api=tagging
    )
    result["summary"] = result["summary"] + [
        "final snapshot %s of %s" % (snapshot["name"], snapshot["source"]) for snapshot in teardown.final_snapshots
    ]
    if leftovers:
        module.fail_json(
            msg="Left behind after the teardown of %s: %s"
            % (
                params["name_prefix"],
                ", ".join("%s %s (%s)" % (item["kind"], item["name"], item["id"]) for item in leftovers),
            ),
            changed=teardown.changed,
            **result,
        )
    module.exit_json(changed=teardown.changed, **result)


if __name__ == "__main__":
    main()
