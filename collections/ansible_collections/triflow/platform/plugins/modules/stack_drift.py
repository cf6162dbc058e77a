#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: TriFlow AI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: stack_drift
short_description: Compare one customer stack, resource by resource and field by field, with its desired state
version_added: 1.1.0
description:
  - Strictly read-only - every call it makes is a Describe, List or Get. One call of the module checks a whole stack.
  - Looks up each resource the roles' desired states name (I(desired), the same structures site.yml applies) and
    compares every field the desired state holds with what AWS reports. Findings are C(missing) (the resource is
    not there), C(changed) (a field holds another value; desired and actual side by side) and C(extra) (what
    matters for safety though nothing declares it - security-group rules, routes, listeners, NAT gateways, IAM
    policies on the stack's roles, SNS subscriptions, lifecycle rules).
  - Normalised, so a converged stack has no finding - numbers by value, lists as sets, policy documents by meaning,
    the ALB's and the database's AWS defaults; and by design it leaves out what AWS or the deploy own (the running
    image and task definition, the autoscaled desired count) and compares as lower bounds what AWS raises by
    itself (the database's storage under storage autoscaling, its minor version under automatic minor upgrades).
  - A finding that an entry of I(accept) names (same resource, same field or no field given) is reported as
    C(accepted) until the entry's C(until) date passes, then as drift again.
  - The upstream modules' check mode is no drift check - several have none (s3_bucket, elb_target_group,
    elasticache_subnet_group), some compare part of their settings, and none says which field differs.
author: TriFlow AI platform team (@triflow-ai)
options:
  stack:
    description: The stack's prefix (e.g. C(triflow-acme-prod)), which names its reports.
    type: str
    required: true
  account_id:
    description: The AWS account of the stack, for the ARNs of its SNS topic and alarm actions.
    type: str
    required: true
  desired:
    description:
      - The desired states of the stack's roles, keyed C(network), C(storage), C(rds), C(elasticache), C(ecr),
        C(ecs_service), C(alarms), C(secrets) (each role's C(<role>_desired_state)).
    type: dict
    required: true
  areas:
    description:
      - The resource kinds to check (SPEC.md's list); every one by default.
      - C(tagged) lists, through the Resource Groups Tagging API, what carries the stack's O(identity_tags) and no
        desired state holds (an C(extra) finding of resource type C(tagged_resource) per ARN). It reads the names
        and ids the other areas found, so it is checked last.
    type: list
    elements: str
    choices: [network, storage, database, cache, registry, application, iam, observability, secrets, tagged]
    default: [network, storage, database, cache, registry, application, iam, observability, secrets, tagged]
  identity_tags:
    description:
      - The tags that say a resource is the stack's (C(Project), C(Customer), C(Environment) with the stack's
        values), for the C(tagged) area. Empty, that area checks nothing.
    type: dict
    default: {}
  accept:
    description:
      - Accepted drift - C(resource) (the finding's resource), C(field) (the finding's field; left out, every field
        of the resource), C(reason), C(until) (C(YYYY-MM-DD), the last day it is accepted).
    type: list
    elements: dict
    default: []
  today:
    description: The date the I(accept) entries are compared with (C(YYYY-MM-DD)); the UTC date by default.
    type: str
  findings:
    description:
      - Findings of what the module does not read itself, in the shape of its own (C(kind), C(resource_type),
        C(resource), C(field), C(desired), C(actual)) - the pgvector extension in the database, which the rds
        role's drift step reads. They join the report and I(accept) applies to them as to the module's.
    type: list
    elements: dict
    default: []
  notes:
    description: What was not checked and why (e.g. a database the runner cannot reach), written in the report.
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
    description: It changes nothing in any mode.
  diff_mode:
    support: none
    description: It changes nothing, so it has no diff; the findings hold desired and actual side by side.
"""

EXAMPLES = r"""
- name: Compare the stack with its desired state
  triflow.platform.stack_drift:
    stack: "{{ stack_name_prefix }}"
    account_id: "{{ stack_aws_account_id }}"
    identity_tags: {Project: triflow, Customer: acme, Environment: prod}
    desired:
      network: "{{ network_desired_state }}"
      storage: "{{ storage_desired_state }}"
      rds: "{{ rds_desired_state }}"
      elasticache: "{{ elasticache_desired_state }}"
      ecr: "{{ ecr_desired_state }}"
      ecs_service: "{{ ecs_service_desired_state }}"
      alarms: "{{ alarms_desired_state }}"
      secrets: "{{ secrets_desired_state }}"
    accept:
      - resource: triflow-acme-prod-db
        field: instance_class
        reason: Load test until the end of the month (TICKET-42)
        until: "2026-12-31"
  register: drift
"""

RETURN = r"""
report:
  description: The stack's drift report (the JSON report playbooks/drift_check.yml writes).
  returned: always
  type: dict
  contains:
    stack:
      description: The stack's prefix.
      type: str
    checked_at:
      description: When the check started (UTC, ISO 8601).
      type: str
    findings:
      description: Every finding - kind, resource_type, resource, field, desired, actual, accepted.
      type: list
      elements: dict
      sample:
        - kind: changed
          resource_type: db_instance
          resource: triflow-acme-prod-db
          field: multi_az
          desired: true
          actual: false
          accepted: false
    counts:
      description: Findings by kind (drift only), and how many are drift and how many accepted.
      type: dict
      sample: {missing: 0, changed: 1, extra: 0, accepted: 0, drift: 1}
    duration:
      description: Seconds the check took.
      type: float
    api_calls:
      description: How many AWS API calls it made.
      type: int
    notes:
      description: What was not checked and why (I(notes)).
      type: list
      elements: str
drift:
  description: Whether any finding is drift (not accepted).
  returned: always
  type: bool
markdown:
  description: The report as Markdown, for a person (a CI job summary, a chat message).
  returned: always
  type: str
calls:
  description: The API operations it called, in order (C(service.Operation)).
  returned: always
  type: list
  elements: str
"""

import datetime
import time

from ansible_collections.amazon.aws.plugins.module_utils.botocore import get_aws_connection_info
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.triflow.platform.plugins.module_utils.drift import (
    KINDS,
    accept_errors,
    apply_accepted,
    counts,
    finding,
    markdown,
)
from ansible_collections.triflow.platform.plugins.module_utils.stack_drift import AREAS, StackDrift

try:
    import boto3
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

DESIRED_KEYS = ("network", "storage", "rds", "elasticache", "ecr", "ecs_service", "alarms", "secrets")


def client_factory(module):
    """Clients of one boto3 session, made with the module's connection options (as ``module.client`` makes them).

    ``module.client`` starts a new session for every client, which loads botocore's data again: for the dozen
    services a stack uses that is about a second of a check that otherwise takes less (measured: 13 clients in
    1.49 s with a session each, 0.33 s from one session)."""
    region, endpoint, params = get_aws_connection_info(module)
    params = dict(params)
    profile = params.pop("profile_name", None)
    config = botocore.config.Config(user_agent_extra="triflow.platform.stack_drift")
    for key in ("config", "aws_config"):
        extra = params.pop(key, None)
        if extra:
            config = config.merge(
                extra if isinstance(extra, botocore.config.Config) else botocore.config.Config(**extra)
            )
    session = boto3.session.Session(profile_name=profile)

    def client(service, client_region=None):
        return session.client(
            service, config=config, region_name=client_region or region, endpoint_url=endpoint, **params
        )

    return client


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            stack=dict(type="str", required=True),
            account_id=dict(type="str", required=True),
            desired=dict(type="dict", required=True),
            areas=dict(type="list", elements="str", choices=list(AREAS), default=list(AREAS)),
            identity_tags=dict(type="dict", default={}),
            accept=dict(type="list", elements="dict", default=[]),
            today=dict(type="str"),
            findings=dict(type="list", elements="dict", default=[]),
            notes=dict(type="list", elements="str", default=[]),
        ),
        supports_check_mode=True,
    )
    params = module.params
    problems = accept_errors(params["accept"], "accept")
    for index, item in enumerate(params["findings"]):
        if item.get("kind") not in KINDS or not item.get("resource_type") or not item.get("resource"):
            problems.append(
                "findings[%d] needs kind (one of %s), resource_type and resource, got %r"
                % (index, ", ".join(KINDS), item)
            )
    missing = [key for key in DESIRED_KEYS if key not in params["desired"]]
    if missing:
        problems.append("desired lacks %s: every role's desired state is needed" % ", ".join(missing))
    today = datetime.datetime.now(datetime.timezone.utc).date()
    if params["today"]:
        try:
            today = datetime.datetime.strptime(params["today"], "%Y-%m-%d").date()
        except ValueError:
            problems.append("today must be a date YYYY-MM-DD, got %r" % params["today"])
    if problems:
        module.fail_json(msg="; ".join(problems), errors=problems)
    started = time.time()
    checked_at = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    stack = {"name_prefix": params["stack"], "account_id": params["account_id"], "region": module.region}
    # Throttling is retried by botocore itself: the play's module_defaults give every AWS module the stack's
    # aws_config (standard retry mode, stack_aws_max_attempts attempts).
    try:
        client = client_factory(module)
    except (ValueError, botocore.exceptions.BotoCoreError) as error:
        module.fail_json_aws(error, msg="Could not connect to AWS for %s" % params["stack"])
    drift = StackDrift(client, stack, params["desired"], params["identity_tags"])
    try:
        findings = drift.check(params["areas"])
        findings.extend(
            finding(
                item["kind"],
                item["resource_type"],
                item["resource"],
                item.get("field"),
                item.get("desired"),
                item.get("actual"),
            )
            for item in params["findings"]
        )
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as error:
        module.fail_json_aws(error, msg="Could not read the resources of %s" % params["stack"], calls=drift.calls)
    apply_accepted(findings, params["accept"], today)
    report = {
        "stack": params["stack"],
        "region": module.region,
        "checked_at": checked_at,
        "areas": params["areas"],
        "findings": findings,
        "counts": counts(findings),
        "duration": round(time.time() - started, 2),
        "api_calls": len(drift.calls),
        "notes": params["notes"],
    }
    module.exit_json(
        changed=False,
        report=report,
        drift=bool(report["counts"]["drift"]),
        markdown=markdown(report),
        calls=drift.calls,
    )


if __name__ == "__main__":
    main()
