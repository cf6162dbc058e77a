#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: TriFlow AI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: ecs_run_task
short_description: Run one Fargate task with a command, wait for it to stop, and fail unless it exited 0
version_added: 1.0.0
description:
  - Runs one task of I(task_definition) on Fargate with I(command) as the command of I(container_name), in the
    given subnets and security groups, waits until it is C(STOPPED), and fails when that container's exit code is
    not 0 (or it has none), with the exit code, the stopped reason and the log stream in the message.
  - For one-off jobs such as database migrations before a release. C(community.aws.ecs_task) waits for a task to
    run, not to stop, and returns no exit code.
author: TriFlow AI platform team (@triflow-ai)
options:
  cluster:
    description: Name or ARN of the cluster.
    type: str
    required: true
  task_definition:
    description: ARN or C(family:revision) of the task definition.
    type: str
    required: true
  container_name:
    description: The container whose command is replaced and whose exit code decides.
    type: str
    required: true
  command:
    description: The command, as a list of arguments.
    type: list
    elements: str
    required: true
  subnets:
    description: Subnets of the task.
    type: list
    elements: str
    required: true
  security_groups:
    description: Security groups of the task.
    type: list
    elements: str
    required: true
  assign_public_ip:
    description: Give the task a public IP.
    type: bool
    default: false
  started_by:
    description: The task's C(startedBy), to find it later.
    type: str
    default: triflow-deploy
  timeout:
    description: Seconds to wait for the task to stop.
    type: int
    default: 1800
  poll_interval:
    description: Seconds between two reads of the task.
    type: float
    default: 5
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
attributes:
  check_mode:
    support: full
    description: Runs nothing; says the task would run.
  diff_mode:
    support: none
    description: A one-off task has no before and after.
notes:
  - "IAM actions used: ecs:RunTask, ecs:DescribeTasks, ecs:DescribeTaskDefinition, iam:PassRole on the task's roles."
"""

EXAMPLES = r"""
- name: Migrate the database with the release's image before the service changes
  triflow.platform.ecs_run_task:
    cluster: triflow-acme-prod
    task_definition: arn:aws:ecs:ap-northeast-2:123456789012:task-definition/triflow-acme-prod-backend:42
    container_name: backend
    command: [alembic, upgrade, head]
    subnets: [subnet-0123, subnet-4567]
    security_groups: [sg-0123]
"""

RETURN = r"""
task_arn:
  description: ARN of the task.
  returned: unless in check mode
  type: str
exit_code:
  description: Exit code of I(container_name).
  returned: when the task stopped
  type: int
stopped_reason:
  description: Why ECS says the task stopped.
  returned: when the task stopped
  type: str
log_stream:
  description: The awslogs log group and stream of I(container_name), when it logs with awslogs.
  returned: when known
  type: str
  sample: /aws/ecs/triflow-acme-prod-backend ecs/backend/0123456789abcdef
duration:
  description: Seconds from RunTask to the stop.
  returned: unless in check mode
  type: float
"""

import time

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule


def log_stream(definition, container_name, task_arn):
    """``<group> <prefix>/<container>/<task id>``: the awslogs driver's stream name for the container."""
    for container in definition.get("containerDefinitions") or []:
        if container.get("name") != container_name:
            continue
        logging = container.get("logConfiguration") or {}
        options = logging.get("options") or {}
        if logging.get("logDriver") != "awslogs" or not options.get("awslogs-stream-prefix"):
            return None
        task_id = task_arn.rsplit("/", 1)[-1]
        return "%s %s/%s/%s" % (options.get("awslogs-group"), options["awslogs-stream-prefix"], container_name, task_id)
    return None


def run(module, client):
    params = module.params
    definition = client.describe_task_definition(taskDefinition=params["task_definition"])["taskDefinition"]
    names = [c.get("name") for c in definition.get("containerDefinitions") or []]
    if params["container_name"] not in names:
        module.fail_json(
            msg="task definition %s has no container named %s (it has: %s)"
            % (params["task_definition"], params["container_name"], ", ".join(names))
        )
    if module.check_mode:
        module.exit_json(
            changed=True, msg="would run %s in %s" % (" ".join(params["command"]), params["task_definition"])
        )
    answer = client.run_task(
        cluster=params["cluster"],
        taskDefinition=params["task_definition"],
        launchType="FARGATE",
        count=1,
        startedBy=params["started_by"],
        networkConfiguration={
            "awsvpcConfiguration": {
                "subnets": params["subnets"],
                "securityGroups": params["security_groups"],
                "assignPublicIp": "ENABLED" if params["assign_public_ip"] else "DISABLED",
            }
        },
        overrides={"containerOverrides": [{"name": params["container_name"], "command": params["command"]}]},
    )
    if not answer.get("tasks"):
        module.fail_json(msg="RunTask started no task: %s" % answer.get("failures"), failures=answer.get("failures"))
    task_arn = answer["tasks"][0]["taskArn"]
    started = time.monotonic()
    stream = log_stream(definition, params["container_name"], task_arn)
    while True:
        task = client.describe_tasks(cluster=params["cluster"], tasks=[task_arn])["tasks"][0]
        if task.get("lastStatus") == "STOPPED":
            break
        if time.monotonic() - started > params["timeout"]:
            module.fail_json(
                msg="task %s (%s) did not stop within %d s; it is %s (logs: %s)"
                % (task_arn, " ".join(params["command"]), params["timeout"], task.get("lastStatus"), stream),
                task_arn=task_arn,
                log_stream=stream,
            )
        time.sleep(params["poll_interval"])
    container = [c for c in task.get("containers") or [] if c.get("name") == params["container_name"]]
    exit_code = container[0].get("exitCode") if container else None
    result = dict(
        changed=True,
        task_arn=task_arn,
        exit_code=exit_code,
        stopped_reason=task.get("stoppedReason"),
        log_stream=stream,
        duration=round(time.monotonic() - started, 1),
    )
    if exit_code != 0:
        module.fail_json(
            msg="%s exited with code %s in task %s: %s (logs: %s)"
            % (
                " ".join(params["command"]),
                exit_code,
                task_arn,
                task.get("stoppedReason"),
                stream or "no awslogs stream",
            ),
            **result,
        )
    module.exit_json(**result)


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            cluster=dict(type="str", required=True),
            task_definition=dict(type="str", required=True),
            container_name=dict(type="str", required=True),
            command=dict(type="list", elements="str", required=True),
            subnets=dict(type="list", elements="str", required=True),
            security_groups=dict(type="list", elements="str", required=True),
            assign_public_ip=dict(type="bool", default=False),
            started_by=dict(type="str", default="triflow-deploy"),
            timeout=dict(type="int", default=1800),
            poll_interval=dict(type="float", default=5),
        ),
        supports_check_mode=True,
    )
    if not module.params["command"]:
        module.fail_json(msg="command must name at least the program to run")
    client = module.client("ecs", retry_decorator=AWSRetry.jittered_backoff())
    try:
        run(module, client)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as error:
        module.fail_json_aws(error, msg="could not run %s" % " ".join(module.params["command"]))


if __name__ == "__main__":
    main()
