#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: TriFlow AI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: ec2_vpc_flow_log
short_description: Manage the flow log of a VPC that CloudWatch Logs receives
version_added: 1.0.0
description:
  - Ensures one flow log of a VPC writes to a CloudWatch Logs group, with the traffic type, aggregation interval,
    delivery role and tags given, or that the VPC has no flow log to that group.
  - Neither amazon.aws nor community.aws has a module for VPC flow logs.
  - A flow log's settings cannot be changed (EC2 has no ModifyFlowLogs); when one differs the flow log is deleted and
    created again, and the result says which settings differed. Tags are changed in place.
  - The flow log is found by VPC and log group; more than one such flow log is an error that names them.
author: TriFlow AI platform team (@triflow-ai)
options:
  vpc_id:
    description: ID of the VPC.
    type: str
    required: true
  log_group_name:
    description: Name of the CloudWatch Logs group the flow log writes to. It must exist.
    type: str
    required: true
  deliver_logs_permission_arn:
    description:
      - ARN of the IAM role the flow logs service assumes to write to the group.
      - Required with O(state=present).
    type: str
  traffic_type:
    description: Traffic recorded.
    type: str
    choices: [ALL, ACCEPT, REJECT]
    default: ALL
  max_aggregation_interval:
    description: Seconds over which a flow is aggregated into one record.
    type: int
    choices: [60, 600]
    default: 600
  tags:
    description: Tags of the flow log.
    type: dict
    default: {}
  purge_tags:
    description: Remove tags not named in O(tags) (tags whose key starts with C(aws:) are kept).
    type: bool
    default: true
  state:
    description: V(present) ensures the flow log; V(absent) deletes the VPC's flow logs to O(log_group_name).
    type: str
    choices: [present, absent]
    default: present
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
    description: Returns the flow log's settings before and after.
notes:
  - "IAM actions used: ec2:DescribeFlowLogs, ec2:CreateFlowLogs, ec2:DeleteFlowLogs, ec2:CreateTags,
    ec2:DeleteTags, iam:PassRole (the delivery role)."
"""

EXAMPLES = r"""
- name: Record the traffic of a stack's VPC
  triflow.platform.ec2_vpc_flow_log:
    vpc_id: vpc-0123456789abcdef0
    log_group_name: /aws/vpc/triflow-acme-prod-flow-logs
    deliver_logs_permission_arn: arn:aws:iam::123456789012:role/triflow-acme-prod-flow-logs
    traffic_type: ALL
    tags:
      Name: triflow-acme-prod-flow-logs

- name: Stop recording
  triflow.platform.ec2_vpc_flow_log:
    vpc_id: vpc-0123456789abcdef0
    log_group_name: /aws/vpc/triflow-acme-prod-flow-logs
    state: absent
"""

RETURN = r"""
flow_log:
  description:
    - The flow log as DescribeFlowLogs reports it (snake_case); empty when there is none (state absent, or check
      mode before its creation).
  returned: always
  type: dict
  sample:
    flow_log_id: fl-0123456789abcdef0
    resource_id: vpc-0123456789abcdef0
    log_group_name: /aws/vpc/triflow-acme-prod-flow-logs
    traffic_type: ALL
    max_aggregation_interval: 600
differences:
  description: Settings that differed and made the module replace the flow log.
  returned: always
  type: list
  elements: str
  sample: [traffic_type]
"""

import uuid

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict
from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.triflow.platform.plugins.module_utils.tags import plan_tags

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule


def find(client, vpc_id, group):
    pages = client.get_paginator("describe_flow_logs").paginate(
        Filters=[{"Name": "resource-id", "Values": [vpc_id]}, {"Name": "log-group-name", "Values": [group]}]
    )
    found = [log for page in pages for log in page["FlowLogs"] if log.get("LogGroupName") == group]
    return [log for log in found if log.get("FlowLogStatus", "ACTIVE") == "ACTIVE"]


# Option -> the flow log's field, for the settings EC2 cannot change in place.
SETTINGS = (
    ("traffic_type", "TrafficType"),
    ("max_aggregation_interval", "MaxAggregationInterval"),
    ("deliver_logs_permission_arn", "DeliverLogsPermissionArn"),
)


def differences(found, params):
    """The options whose value differs from the flow log's (sorted); a destination other than CloudWatch Logs too."""
    changed = [option for option, field in SETTINGS if found.get(field) != params[option]]
    if found.get("LogDestinationType", "cloud-watch-logs") != "cloud-watch-logs":
        changed.append("log_destination_type")
    return sorted(changed)


def tags_of(log):
    return dict((tag["Key"], tag["Value"]) for tag in log.get("Tags") or [])


ALREADY_EXISTS = "FlowLogAlreadyExists"


def create(client, params):
    request = dict(
        ResourceIds=[params["vpc_id"]],
        ResourceType="VPC",
        TrafficType=params["traffic_type"],
        LogDestinationType="cloud-watch-logs",
        LogGroupName=params["log_group_name"],
        DeliverLogsPermissionArn=params["deliver_logs_permission_arn"],
        MaxAggregationInterval=params["max_aggregation_interval"],
    )
    if params["tags"]:
        request["TagSpecifications"] = [
            {"ResourceType": "vpc-flow-log", "Tags": [{"Key": k, "Value": v} for k, v in params["tags"].items()]}
        ]
    # One token for the call and botocore's retries of it: AWS answers a retried call with the flow log its first
    # attempt made. An EC2 that ignores the token answers FlowLogAlreadyExists: run() found none before this call
    # (or deleted it), so that flow log is this call's own, and run() reads it back.
    request["ClientToken"] = str(uuid.uuid4())
    try:
        answer = client.create_flow_logs(**request)
    except is_boto3_error_code(ALREADY_EXISTS):
        return
    failures = [item for item in answer.get("Unsuccessful") or [] if item["Error"].get("Code") != ALREADY_EXISTS]
    if failures:
        raise FlowLogError(
            "could not create the flow log of %s: %s"
            % (params["vpc_id"], "; ".join(item["Error"]["Message"] for item in failures))
        )


class FlowLogError(Exception):
    pass


def run(module, client):
    params = module.params
    found = find(client, params["vpc_id"], params["log_group_name"])
    if len(found) > 1:
        raise FlowLogError(
            "VPC %s has %d flow logs to %s (%s): delete all but one"
            % (params["vpc_id"], len(found), params["log_group_name"], ", ".join(log["FlowLogId"] for log in found))
        )
    current = found[0] if found else None
    before = camel_dict_to_snake_dict(current or {})
    if params["state"] == "absent":
        if current and not module.check_mode:
            client.delete_flow_logs(FlowLogIds=[current["FlowLogId"]])
        return dict(changed=bool(current), flow_log={}, differences=[], diff=dict(before=before, after={}))
    if not params["deliver_logs_permission_arn"]:
        raise FlowLogError("deliver_logs_permission_arn is required with state=present")
    changed_settings = differences(current, params) if current else []
    changed = current is None or bool(changed_settings)
    to_set, to_remove, after_tags = plan_tags(tags_of(current or {}), params["tags"], params["purge_tags"])
    if not changed and (to_set or to_remove):
        changed = True
        if not module.check_mode:
            if to_set:
                client.create_tags(
                    Resources=[current["FlowLogId"]], Tags=[{"Key": k, "Value": v} for k, v in to_set.items()]
                )
            if to_remove:
                client.delete_tags(Resources=[current["FlowLogId"]], Tags=[{"Key": key} for key in to_remove])
    elif changed and not module.check_mode:
        if current:
            client.delete_flow_logs(FlowLogIds=[current["FlowLogId"]])
        create(client, dict(params, tags=after_tags))
    if module.check_mode:
        after = dict(before) if current else {}
        after.update(
            dict(
                resource_id=params["vpc_id"],
                log_group_name=params["log_group_name"],
                traffic_type=params["traffic_type"],
                max_aggregation_interval=params["max_aggregation_interval"],
                deliver_logs_permission_arn=params["deliver_logs_permission_arn"],
            )
        )
        after["tags"] = [{"key": k, "value": v} for k, v in after_tags.items()]
        result_log = after if current else {}
    else:
        fresh = find(client, params["vpc_id"], params["log_group_name"])
        result_log = camel_dict_to_snake_dict(fresh[0]) if fresh else {}
        after = result_log
    return dict(
        changed=changed, flow_log=result_log, differences=changed_settings, diff=dict(before=before, after=after)
    )


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            vpc_id=dict(type="str", required=True),
            log_group_name=dict(type="str", required=True),
            deliver_logs_permission_arn=dict(type="str"),
            traffic_type=dict(type="str", choices=["ALL", "ACCEPT", "REJECT"], default="ALL"),
            max_aggregation_interval=dict(type="int", choices=[60, 600], default=600),
            tags=dict(type="dict", default={}),
            purge_tags=dict(type="bool", default=True),
            state=dict(type="str", choices=["present", "absent"], default="present"),
        ),
        required_if=[("state", "present", ["deliver_logs_permission_arn"])],
        supports_check_mode=True,
    )
    client = module.client("ec2", retry_decorator=AWSRetry.jittered_backoff())
    try:
        result = run(module, client)
    except FlowLogError as error:
        module.fail_json(msg=str(error))
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as error:
        module.fail_json_aws(error, msg="could not manage the flow log of VPC %s" % module.params["vpc_id"])
    if not module._diff:
        result.pop("diff")
    module.exit_json(**result)


if __name__ == "__main__":
    main()
