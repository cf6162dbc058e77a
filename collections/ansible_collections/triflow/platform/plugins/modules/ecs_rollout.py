#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: TriFlow AI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: ecs_rollout
short_description: Roll an ECS service out to a task definition, verify the release, and roll back when it fails
version_added: 1.0.0
description:
  - Puts an ECS service on I(task_definition) (UpdateService) unless it runs it already, then follows THAT
    deployment, by its id and, where the API answers, by its service deployment (DescribeServiceDeployments),
    until it succeeds, fails or the I(timeout) passes. With I(deployment_id), it follows a deployment started
    elsewhere instead.
  - Success only when that deployment is PRIMARY and C(COMPLETED) (its service deployment C(SUCCESSFUL)), the
    service still runs I(task_definition), its running count equals its desired count, every target of its target
    groups is C(healthy), and I(health_checks) consecutive GETs of I(health_url) return a JSON body whose
    C(status) is C(healthy) (a 200 that says C(degraded) is a failure).
  - Failure when the deployment C(FAILED) or was rolled back by the circuit breaker (even when the service is
    stable again, on the old revision; botocore's C(services_stable) waiter calls that a success), when tasks keep
    failing without a breaker, when the health check fails, or at the timeout.
  - On failure, with I(rollback) and a I(previous_task_definition), the module puts the service back on it (or
    follows the rollback ECS has started) and waits for that deployment; it then fails, saying it rolled back,
    to which revision and why (I(result) C(rolled_back)), or that the rollback failed too (C(rollback_failed)).
    Without a revision to return to it fails with C(failed_without_rollback). It never reports success after a
    rollback.
author: TriFlow AI platform team (@triflow-ai)
options:
  cluster:
    description: Name or ARN of the cluster.
    type: str
    required: true
  service:
    description: Name or ARN of the service.
    type: str
    required: true
  task_definition:
    description: ARN of the task definition revision the service must run once the rollout succeeds.
    type: str
    required: true
  deployment_id:
    description:
      - Id (C(ecs-svc/...)) of a deployment already started, to follow instead of updating the service.
      - When not given, the module updates the service if it does not run I(task_definition) yet, else follows
        the PRIMARY deployment of I(task_definition).
    type: str
  force_new_deployment:
    description:
      - Start a new deployment of I(task_definition) even when the service runs it already (UpdateService with
        C(forceNewDeployment)), then follow and verify it like a release. New tasks resolve the container's secrets
        again, so this is how rotated credentials reach the app. Always reports a change.
      - Not with I(deployment_id).
    type: bool
    default: false
  service_deployment_arn:
    description: ARN of the service deployment of I(deployment_id), when known.
    type: str
  previous_task_definition:
    description:
      - ARN of the revision to roll back to; empty when there is no earlier release (a new stack's placeholder).
    type: str
    default: ""
  rollback:
    description: Roll back on failure (when I(previous_task_definition) is set).
    type: bool
    default: true
  timeout:
    description: Seconds the rollout (and the health checks) may take before it counts as failed.
    type: int
    default: 900
  rollback_timeout:
    description: Seconds the rollback deployment may take.
    type: int
    default: 900
  poll_interval:
    description: Seconds between two reads of the service.
    type: float
    default: 5
  health_url:
    description:
      - URL of the app's health endpoint (its JSON body carries C(status)); empty skips the body check (the
        result says so).
    type: str
    default: ""
  health_checks:
    description: Consecutive healthy answers of I(health_url) needed.
    type: int
    default: 3
  health_interval:
    description: Seconds between two health checks.
    type: float
    default: 2
  health_timeout:
    description: Seconds one health check may take.
    type: float
    default: 5
  validate_certs:
    description: Verify the TLS certificate of I(health_url).
    type: bool
    default: true
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
attributes:
  check_mode:
    support: full
    description: Reads the service once and says whether it would update it; follows and changes nothing.
  diff_mode:
    support: full
    description: The service's task definition before and after, when the module updates it or rolls it back.
notes:
  - "IAM actions used: ecs:DescribeServices, ecs:UpdateService, ecs:DescribeServiceDeployments, ecs:ListTasks,
    ecs:DescribeTasks, elasticloadbalancing:DescribeTargetHealth."
  - The circuit breaker's threshold is 0.5 x the desired count, at least 3, at most 200 (ECS API reference,
    ServiceDeploymentCircuitBreaker).
"""

EXAMPLES = r"""
- name: Release revision 42 and verify it, rolling back to 41 on failure
  triflow.platform.ecs_rollout:
    cluster: triflow-acme-prod-cluster
    service: triflow-acme-prod-backend
    task_definition: arn:aws:ecs:ap-northeast-2:123456789012:task-definition/triflow-acme-prod-backend:42
    previous_task_definition: arn:aws:ecs:ap-northeast-2:123456789012:task-definition/triflow-acme-prod-backend:41
    health_url: https://api.acme.example/health
    timeout: 900
  register: rollout
"""

RETURN = r"""
result:
  description:
    - C(succeeded), C(rolled_back), C(rollback_failed) or C(failed_without_rollback).
    - In check mode C(would_update) or C(would_follow).
  returned: always
  type: str
  sample: succeeded
deployment_id:
  description: The deployment followed.
  returned: when a deployment was followed
  type: str
  sample: ecs-svc/1234567890123456789
service_deployment_arn:
  description: Its service deployment, when the API reported one.
  returned: when known
  type: str
task_definition:
  description: The revision released.
  returned: always
  type: str
previous_task_definition:
  description: The revision before the release (the rollback target).
  returned: always
  type: str
rolled_back_to:
  description: The revision the service runs after a rollback.
  returned: on rollback
  type: str
rolled_back_by:
  description: C(ecs) when the circuit breaker rolled back, C(ecs_rollout) when this module did.
  returned: on rollback
  type: str
reason:
  description:
    - Why the release failed, with its evidence; C(kind) is one of circuit_breaker, rolled_back_by_ecs,
      service_deployment_stopped, deployment_replaced, tasks_stopping, health_check, timeout, service_missing.
  returned: on failure
  type: dict
  contains:
    kind:
      description: The kind of failure.
      type: str
    message:
      description: What happened, naming the deployment.
      type: str
    stopped_tasks:
      description: The deployment's latest stopped tasks, with stopped reason, stop code and exit codes.
      type: list
      elements: dict
    unhealthy_targets:
      description: Targets not healthy, with state, reason code and description.
      type: list
      elements: dict
    events:
      description: The service's last events.
      type: list
      elements: str
duration:
  description: Seconds from the start of the module to its verdict.
  returned: always
  type: float
events:
  description: The service's last events at the verdict.
  returned: always
  type: list
  elements: str
observations:
  description: Every poll's observation (rollout state, counts, task definition, target states, health answers).
  returned: always
  type: list
  elements: dict
health_check:
  description: Whether the app's health body was checked, and where.
  returned: always
  type: str
  sample: 3 consecutive healthy answers from https://api.acme.example/health
"""

import time

from ansible.module_utils.six.moves.urllib.error import HTTPError, URLError
from ansible.module_utils.urls import open_url
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.triflow.platform.plugins.module_utils.ecs_rollout import (
    FAILED_NO_ROLLBACK,
    ROLLBACK_FAILED,
    ROLLED_BACK,
    SUCCEEDED,
    Follower,
    RolloutFailed,
    primary_deployment,
)

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule


def http_getter(validate_certs):
    def get(url, timeout):
        try:
            response = open_url(url, timeout=timeout, validate_certs=validate_certs, method="GET")
            return response.getcode(), response.read().decode("utf-8", "replace")
        except HTTPError as error:
            body = error.read().decode("utf-8", "replace") if hasattr(error, "read") else ""
            return error.code, body
        except (URLError, OSError, ValueError) as error:
            return None, "no answer: %s" % error

    return get


def health_settings(params):
    if not params["health_url"]:
        return None, "skipped: health_url is empty, so the app's /health body was not checked"
    health = dict(
        url=params["health_url"],
        checks=params["health_checks"],
        interval=params["health_interval"],
        timeout=params["health_timeout"],
    )
    return health, "%d consecutive healthy answers from %s" % (params["health_checks"], params["health_url"])


def base_result(params, follower, health_note):
    return dict(
        task_definition=params["task_definition"],
        previous_task_definition=params["previous_task_definition"],
        health_check=health_note,
        observations=follower.observations,
    )


def fail_release(module, follower, failure, deployment_id, arn, result):
    """Roll back if allowed and possible, then fail with the verdict; never returns."""
    params = module.params
    previous = params["previous_task_definition"]
    result.update(deployment_id=deployment_id, service_deployment_arn=arn, reason=failure.reason)
    what = failure.reason["message"]
    if not (params["rollback"] and previous):
        why = "rollback is off" if previous else "there is no earlier release to roll back to"
        result.update(result=FAILED_NO_ROLLBACK, changed=True)
        finish(module, follower, result, "release of %s failed, and %s: %s" % (params["task_definition"], why, what))
    try:
        by_ecs, rollback_id = follower.roll_back(previous, params["rollback_timeout"])
    except RolloutFailed as rollback_failure:
        result.update(result=ROLLBACK_FAILED, changed=True, rollback_reason=rollback_failure.reason)
        finish(
            module,
            follower,
            result,
            "release of %s failed (%s) and the rollback to %s failed too: %s"
            % (params["task_definition"], what, previous, rollback_failure.reason["message"]),
        )
    who = "ecs" if by_ecs else "ecs_rollout"
    result.update(
        result=ROLLED_BACK,
        changed=True,
        rolled_back_to=previous,
        rolled_back_by=who,
        rollback_deployment_id=rollback_id,
    )
    if module._diff:
        result["diff"] = dict(
            before={"task_definition": params["task_definition"]}, after={"task_definition": previous}
        )
    finish(
        module,
        follower,
        result,
        "release of %s failed and was rolled back to %s (%s): %s"
        % (
            params["task_definition"],
            previous,
            "by the ECS circuit breaker" if by_ecs else "by ecs_rollout",
            what,
        ),
    )


def finish(module, follower, result, failure_message=None):
    result["duration"] = round(time.monotonic() - follower.started, 1)
    result["events"] = follower.events(follower.last_service or {})
    if failure_message:
        module.fail_json(msg=failure_message, **result)
    module.exit_json(**result)


def run(module, follower):
    params = module.params
    health, health_note = health_settings(params)
    result = base_result(params, follower, health_note)
    service = follower.describe()
    deployment_id, arn = params["deployment_id"], params["service_deployment_arn"]
    updated = False
    if not deployment_id:
        if service.get("taskDefinition") != params["task_definition"] or params["force_new_deployment"]:
            updated = True
            if module._diff:
                result["diff"] = dict(
                    before={"task_definition": service.get("taskDefinition")},
                    after={"task_definition": params["task_definition"]},
                )
            if module.check_mode:
                result.update(changed=True, result="would_update", duration=0.0, events=follower.events(service))
                module.exit_json(**result)
            deployment_id, arn = follower.update(params["task_definition"], params["force_new_deployment"])
        else:
            primary = primary_deployment(service, params["task_definition"])
            deployment_id = primary["id"] if primary else None
            if deployment_id is None:
                message = "the service runs %s but has no PRIMARY deployment of it" % params["task_definition"]
                result.update(result=FAILED_NO_ROLLBACK, reason={"kind": "deployment_replaced", "message": message})
                finish(module, follower, result, message)
    if module.check_mode:
        result.update(
            changed=False, result="would_follow", deployment_id=deployment_id, events=follower.events(service)
        )
        module.exit_json(**result)
    try:
        follower.follow(deployment_id, params["task_definition"], params["timeout"], arn, health)
    except RolloutFailed as failure:
        fail_release(module, follower, failure, deployment_id, arn, result)
    result.update(changed=updated, result=SUCCEEDED, deployment_id=deployment_id, service_deployment_arn=arn)
    finish(module, follower, result)


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            cluster=dict(type="str", required=True),
            service=dict(type="str", required=True),
            task_definition=dict(type="str", required=True),
            deployment_id=dict(type="str"),
            force_new_deployment=dict(type="bool", default=False),
            service_deployment_arn=dict(type="str"),
            previous_task_definition=dict(type="str", default=""),
            rollback=dict(type="bool", default=True),
            timeout=dict(type="int", default=900),
            rollback_timeout=dict(type="int", default=900),
            poll_interval=dict(type="float", default=5),
            health_url=dict(type="str", default=""),
            health_checks=dict(type="int", default=3),
            health_interval=dict(type="float", default=2),
            health_timeout=dict(type="float", default=5),
            validate_certs=dict(type="bool", default=True),
        ),
        supports_check_mode=True,
        mutually_exclusive=[["deployment_id", "force_new_deployment"]],
    )
    params = module.params
    for name in ("timeout", "rollback_timeout", "health_checks"):
        if params[name] < 1:
            module.fail_json(msg="%s must be at least 1, got %d" % (name, params[name]))
    follower = Follower(
        module.client("ecs", retry_decorator=AWSRetry.jittered_backoff()),
        module.client("elbv2", retry_decorator=AWSRetry.jittered_backoff()),
        params["cluster"],
        params["service"],
        time.monotonic,
        time.sleep,
        http_getter(params["validate_certs"]),
        params["poll_interval"],
    )
    try:
        run(module, follower)
    except RolloutFailed as failure:
        module.fail_json(msg=failure.reason["message"], result=FAILED_NO_ROLLBACK, reason=failure.reason)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as error:
        module.fail_json_aws(error, msg="could not follow the rollout of ECS service %s" % params["service"])


if __name__ == "__main__":
    main()
