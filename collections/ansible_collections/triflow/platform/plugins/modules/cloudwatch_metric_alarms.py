#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: TriFlow AI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: cloudwatch_metric_alarms
short_description: Manage a set of CloudWatch metric alarms in one task, compared field by field
version_added: 0.1.0
description:
  - Creates or updates every alarm of O(alarms) and, with O(purge_prefix), deletes the alarms under that prefix
    which match O(purge_pattern) and are not in O(alarms).
  - Reads them all with one C(DescribeAlarms) call per 100 names, writes (C(PutMetricAlarm)) only the alarms whose
    managed fields differ, and deletes with one C(DeleteAlarms) call per 100 names. An unchanged set costs one
    call (one more, per page of the names under it, with O(purge_prefix)), where
    M(amazon.aws.cloudwatch_metric_alarm) in a loop costs a task and two calls per alarm.
  - The order of dimensions and of actions does not count, nor C(5) against C(5.0) for a threshold; an alarm
    without C(TreatMissingData) counts as C(missing). The alarm's state and ARN are CloudWatch's and never compared.
  - C(PutMetricAlarm) replaces an alarm whole, so a field left unset here is cleared on the alarm when the alarm is
    written.
  - The IAM actions needed are C(cloudwatch:DescribeAlarms), C(cloudwatch:PutMetricAlarm) and
    C(cloudwatch:DeleteAlarms).
author: TriFlow AI platform team (@triflow-ai)
options:
  alarms:
    description: The metric alarms to have, each with a name unique in the list.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: Name of the alarm.
        type: str
        required: true
      description:
        description: The alarm's description.
        type: str
      namespace:
        description: Namespace of the metric, e.g. C(AWS/RDS).
        type: str
        required: true
      metric_name:
        description: Name of the metric.
        type: str
        required: true
      statistic:
        description:
          - Statistic of the metric, one of C(SampleCount), C(Average), C(Sum), C(Minimum) and C(Maximum).
          - Give this or O(alarms[].extended_statistic), not both; C(null) counts as not given.
        type: str
      extended_statistic:
        description: A percentile such as C(p99); give this or O(alarms[].statistic), not both.
        type: str
      comparison:
        description: How the statistic is compared with the threshold.
        type: str
        required: true
        choices:
          - GreaterThanOrEqualToThreshold
          - GreaterThanThreshold
          - LessThanThreshold
          - LessThanOrEqualToThreshold
      threshold:
        description: The value the statistic is compared with.
        type: float
        required: true
      period:
        description: Length of one evaluated period, seconds (10, 20, 30 or a multiple of 60).
        type: int
        required: true
      evaluation_periods:
        description: Number of periods evaluated.
        type: int
        required: true
      datapoints_to_alarm:
        description: Breaching data points among O(alarms[].evaluation_periods) that raise the alarm (M out of N).
        type: int
      unit:
        description: Unit of the metric.
        type: str
      dimensions:
        description: The metric's dimensions, name to value.
        type: dict
      treat_missing_data:
        description: How missing data points count.
        type: str
        choices: [breaching, notBreaching, ignore, missing]
        default: missing
      actions_enabled:
        description: Whether the actions run.
        type: bool
        default: true
      alarm_actions:
        description: ARNs notified on ALARM; O(alarm_actions) when not given.
        type: list
        elements: str
      ok_actions:
        description: ARNs notified on OK; O(ok_actions) when not given.
        type: list
        elements: str
      insufficient_data_actions:
        description: ARNs notified on INSUFFICIENT_DATA; O(insufficient_data_actions) when not given.
        type: list
        elements: str
  alarm_actions:
    description: ARNs notified on ALARM by every alarm that does not list its own.
    type: list
    elements: str
    default: []
  ok_actions:
    description: ARNs notified on OK by every alarm that does not list its own.
    type: list
    elements: str
    default: []
  insufficient_data_actions:
    description: ARNs notified on INSUFFICIENT_DATA by every alarm that does not list its own.
    type: list
    elements: str
    default: []
  purge_prefix:
    description:
      - Alarms whose names start with this, match O(purge_pattern) and are not in O(alarms) are deleted.
      - Nothing is deleted when it is not given.
    type: str
  purge_pattern:
    description: A regular expression matched at the start of the names under O(purge_prefix) (as Jinja's C(match)).
    type: str
    default: ""
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
attributes:
  check_mode:
    support: full
    description: Reports what would be created, updated and deleted without doing it.
  diff_mode:
    support: full
    description: Returns each written or deleted alarm before and after, keyed by name.
"""

EXAMPLES = r"""
- name: The stack's alarms, notifying its topic; member alarms of removed Redis nodes deleted
  triflow.platform.cloudwatch_metric_alarms:
    alarms:
      - name: triflow-acme-prod-rds-cpu-high
        description: RDS CPU above 80 % for 15 minutes
        namespace: AWS/RDS
        metric_name: CPUUtilization
        statistic: Average
        comparison: GreaterThanThreshold
        threshold: 80
        period: 300
        evaluation_periods: 3
        dimensions:
          DBInstanceIdentifier: triflow-acme-prod-db
      - name: triflow-acme-prod-alb-latency-high
        namespace: AWS/ApplicationELB
        metric_name: TargetResponseTime
        extended_statistic: p99
        comparison: GreaterThanThreshold
        threshold: 2
        period: 300
        evaluation_periods: 3
        treat_missing_data: notBreaching
        dimensions:
          LoadBalancer: app/triflow-acme-prod-alb/50dc6c495c0c9188
    alarm_actions: [arn:aws:sns:ap-northeast-2:123456789012:triflow-acme-prod-alarms]
    ok_actions: [arn:aws:sns:ap-northeast-2:123456789012:triflow-acme-prod-alarms]
    purge_prefix: triflow-acme-prod-redis-
    purge_pattern: "(cpu-high|memory-high|evictions)-[0-9]{3}$"
"""

RETURN = r"""
alarms:
  description: Every alarm of O(alarms) after the run (in check mode, as it would be), in the order given.
  returned: always
  type: list
  elements: dict
  sample:
    - name: triflow-acme-prod-rds-cpu-high
      namespace: AWS/RDS
      metric_name: CPUUtilization
      statistic: Average
      comparison: GreaterThanThreshold
      threshold: 80.0
      period: 300
      evaluation_periods: 3
      dimensions: {DBInstanceIdentifier: triflow-acme-prod-db}
      treat_missing_data: missing
      actions_enabled: true
      alarm_actions: [arn:aws:sns:ap-northeast-2:123456789012:triflow-acme-prod-alarms]
      ok_actions: [arn:aws:sns:ap-northeast-2:123456789012:triflow-acme-prod-alarms]
      insufficient_data_actions: []
created:
  description: Names of the alarms created (or that would be).
  returned: always
  type: list
  elements: str
updated:
  description: Names of the alarms rewritten, with the fields that differed.
  returned: always
  type: dict
  sample: {triflow-acme-prod-rds-cpu-high: [threshold]}
deleted:
  description: Names of the alarms deleted under O(purge_prefix) (or that would be).
  returned: always
  type: list
  elements: str
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.triflow.platform.plugins.module_utils.cloudwatch_metric_alarms import (
    chunks,
    describe_alarms,
    described_view,
    differences,
    input_problems,
    put_params,
    to_purge,
    wanted_view,
)

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

ALARM_OPTIONS = dict(
    name=dict(type="str", required=True),
    description=dict(type="str"),
    namespace=dict(type="str", required=True),
    metric_name=dict(type="str", required=True),
    # Checked by input_problems: an alarm of a desired state carries statistic=None beside an extended statistic.
    statistic=dict(type="str"),
    extended_statistic=dict(type="str"),
    comparison=dict(
        type="str",
        required=True,
        choices=[
            "GreaterThanOrEqualToThreshold",
            "GreaterThanThreshold",
            "LessThanThreshold",
            "LessThanOrEqualToThreshold",
        ],
    ),
    threshold=dict(type="float", required=True),
    period=dict(type="int", required=True),
    evaluation_periods=dict(type="int", required=True),
    datapoints_to_alarm=dict(type="int"),
    unit=dict(type="str"),
    dimensions=dict(type="dict"),
    treat_missing_data=dict(type="str", choices=["breaching", "notBreaching", "ignore", "missing"], default="missing"),
    actions_enabled=dict(type="bool", default=True),
    alarm_actions=dict(type="list", elements="str"),
    ok_actions=dict(type="list", elements="str"),
    insufficient_data_actions=dict(type="list", elements="str"),
)


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            alarms=dict(type="list", elements="dict", required=True, options=ALARM_OPTIONS),
            alarm_actions=dict(type="list", elements="str", default=[]),
            ok_actions=dict(type="list", elements="str", default=[]),
            insufficient_data_actions=dict(type="list", elements="str", default=[]),
            purge_prefix=dict(type="str"),
            purge_pattern=dict(type="str", default=""),
        ),
        supports_check_mode=True,
    )
    params = module.params
    problems = input_problems(params["alarms"])
    if problems:
        module.fail_json(msg="alarms: " + "; ".join(problems))
    defaults = dict((key, params[key]) for key in ("alarm_actions", "ok_actions", "insufficient_data_actions"))
    wanted = [wanted_view(alarm, defaults) for alarm in params["alarms"]]
    names = [view["name"] for view in wanted]

    client = module.client("cloudwatch", retry_decorator=AWSRetry.jittered_backoff())
    try:
        found = describe_alarms(client, names=names) if names else {}
        under_prefix = describe_alarms(client, prefix=params["purge_prefix"]) if params["purge_prefix"] else {}
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as error:
        module.fail_json_aws(error, msg="could not read the CloudWatch alarms")
    actual = dict((name, described_view(alarm)) for name, alarm in found.items())
    created = [view["name"] for view in wanted if view["name"] not in actual]
    updated = {}
    for view in wanted:
        if view["name"] in actual:
            fields = differences(view, actual[view["name"]])
            if fields:
                updated[view["name"]] = fields
    deleted = to_purge(under_prefix, names, params["purge_pattern"]) if params["purge_prefix"] else []

    if not module.check_mode:
        for view in wanted:
            if view["name"] in created or view["name"] in updated:
                try:
                    client.put_metric_alarm(aws_retry=True, **put_params(view))
                except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as error:
                    module.fail_json_aws(error, msg="could not write CloudWatch alarm %s" % view["name"])
        for batch in chunks(deleted):
            try:
                client.delete_alarms(aws_retry=True, AlarmNames=batch)
            except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as error:
                module.fail_json_aws(error, msg="could not delete CloudWatch alarms %s" % ", ".join(batch))

    result = dict(
        changed=bool(created or updated or deleted), alarms=wanted, created=created, updated=updated, deleted=deleted
    )
    if module._diff:
        written = set(created) | set(updated)
        result["diff"] = dict(
            before=dict((name, actual[name]) for name in sorted(written) if name in actual),
            after=dict((view["name"], view) for view in wanted if view["name"] in written),
        )
        for name in deleted:
            result["diff"]["before"][name] = described_view(under_prefix[name])
    module.exit_json(**result)


if __name__ == "__main__":
    main()
