#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: TriFlow AI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: cloudwatch_dashboard
short_description: Manage a CloudWatch dashboard, compared by meaning, with check mode and diff
version_added: 0.1.0
description:
  - Creates, updates or deletes one CloudWatch dashboard (C(PutDashboard), C(GetDashboard), C(DeleteDashboards)).
  - The body is written only when it means something else than the stored one. Key order and whitespace never
    count; nor does the order of the widgets when every widget has C(x) and C(y); the metric shorthand C(".") and
    C("...") is written out before comparing; C(300) equals C(300.0).
  - Counted as differences are a number against a numeric string (C(300) against C("300")) and a value left to
    CloudWatch's default against the same value written out.
  - The IAM actions needed are C(cloudwatch:GetDashboard), C(cloudwatch:PutDashboard) and
    C(cloudwatch:DeleteDashboards).
author: TriFlow AI platform team (@triflow-ai)
options:
  name:
    description: Name of the dashboard (letters, digits, C(-) and C(_), at most 255).
    type: str
    required: true
  body:
    description:
      - The dashboard body as data, a mapping in the format of CloudWatch's dashboard body structure; a JSON
        string of it is accepted too.
      - It must have a C(widgets) list. Required when O(state=present).
    type: dict
  state:
    description: C(present) creates or updates the dashboard; C(absent) deletes it.
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
    description: Returns the name and body before and after.
notes:
  - "C(PutDashboard) validation messages of a successful call are warnings; when the dashboard CloudWatch then holds
    is not the one asked for, or the call is refused, the module fails and lists them in RV(validation_messages)."
"""

EXAMPLES = r"""
- name: Dashboard of a stack
  triflow.platform.cloudwatch_dashboard:
    name: triflow-acme-prod
    body:
      widgets:
        - type: metric
          x: 0
          y: 0
          width: 12
          height: 6
          properties:
            title: ECS CPU and memory
            region: ap-northeast-2
            period: 300
            stat: Average
            metrics:
              - [AWS/ECS, CPUUtilization, ClusterName, triflow-acme-prod, ServiceName, app]
              - [".", MemoryUtilization, ".", ".", ".", "."]

- name: Dashboard from a JSON file
  triflow.platform.cloudwatch_dashboard:
    name: triflow-acme-prod
    body: "{{ lookup('ansible.builtin.file', 'dashboard.json') }}"

- name: Remove the dashboard
  triflow.platform.cloudwatch_dashboard:
    name: triflow-acme-prod
    state: absent
"""

RETURN = r"""
dashboard:
  description: The dashboard after the run (in check mode, what it would be).
  returned: when state is present
  type: dict
  contains:
    name:
      description: Name of the dashboard.
      type: str
    arn:
      description: ARN of the dashboard; null in check mode when the dashboard does not exist yet.
      type: str
    body:
      description: The body as data.
      type: dict
  sample:
    name: triflow-acme-prod
    arn: "arn:aws:cloudwatch::123456789012:dashboard/triflow-acme-prod"
    body: {"widgets": [{"type": "text", "x": 0, "y": 0, "width": 6, "height": 3, "properties": {"markdown": "Hi"}}]}
validation_messages:
  description: "C(PutDashboard)'s validation messages, one C(DataPath: Message) line each."
  returned: when CloudWatch refused the body
  type: list
  elements: str
  sample: ["/widgets/0/properties: Should have required property 'metrics'"]
"""

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.triflow.platform.plugins.module_utils.cloudwatch_dashboard import (
    INVALID_INPUT,
    delete_dashboard,
    format_validation_messages,
    get_dashboard,
    name_problem,
    parse_body,
    put_dashboard,
    same_body,
    stored_body,
)

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule


def _described(dashboard):
    """GetDashboard's answer as the module returns it."""
    return dict(name=dashboard["DashboardName"], arn=dashboard.get("DashboardArn"), body=stored_body(dashboard))


def _diff_view(dashboard):
    return dict(name=dashboard["name"], body=dashboard["body"]) if dashboard else {}


def _write(module, client, name, wanted):
    """Put the dashboard and read it back; fail with CloudWatch's validation messages when it refused the body."""
    try:
        messages = put_dashboard(client, name, wanted)
        written = get_dashboard(client, name)
    except is_boto3_error_code(INVALID_INPUT) as error:
        lines = format_validation_messages(error.response.get("dashboardValidationMessages"))
        module.fail_json_aws(
            error,
            msg="CloudWatch refused the body of dashboard %s%s" % (name, "".join("; " + line for line in lines)),
            validation_messages=lines,
        )
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as error:  # pylint: disable=duplicate-except
        module.fail_json_aws(error, msg="could not write CloudWatch dashboard %s" % name)
    lines = format_validation_messages(messages)
    if lines and (written is None or not same_body(stored_body(written), wanted)):
        module.fail_json(
            msg="CloudWatch did not store dashboard %s as asked: %s" % (name, "; ".join(lines)),
            validation_messages=lines,
        )
    for line in lines:
        module.warn("dashboard %s: %s" % (name, line))
    return _described(written) if written else dict(name=name, arn=None, body=wanted)


def ensure_absent(module, client, name, before):
    changed = before is not None
    if changed and not module.check_mode:
        try:
            delete_dashboard(client, name)
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as error:
            module.fail_json_aws(error, msg="could not delete CloudWatch dashboard %s" % name)
    result = dict(changed=changed)
    if module._diff:
        result["diff"] = dict(before=_diff_view(before), after={})
    module.exit_json(**result)


def ensure_present(module, client, name, wanted, before):
    changed = before is None or not same_body(before["body"], wanted)
    after = dict(before or {}, name=name, body=wanted) if changed else before
    after.setdefault("arn", None)
    if changed and not module.check_mode:
        after = _write(module, client, name, wanted)
    result = dict(changed=changed, dashboard=after)
    if module._diff:
        result["diff"] = dict(
            before=_diff_view(before), after=_diff_view(dict(name=name, body=wanted) if changed else before)
        )
    module.exit_json(**result)


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            body=dict(type="dict"),
            state=dict(type="str", choices=["present", "absent"], default="present"),
        ),
        required_if=[("state", "present", ["body"])],
        supports_check_mode=True,
    )
    name = module.params["name"]
    problem = name_problem(name)
    if problem:
        module.fail_json(msg=problem)
    wanted = None
    if module.params["state"] == "present":
        try:
            wanted = parse_body(module.params["body"])
        except ValueError as error:
            module.fail_json(msg="body of dashboard %s: %s" % (name, error))

    client = module.client("cloudwatch", retry_decorator=AWSRetry.jittered_backoff())
    try:
        current = get_dashboard(client, name)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as error:
        module.fail_json_aws(error, msg="could not read CloudWatch dashboard %s" % name)
    before = _described(current) if current else None

    if module.params["state"] == "absent":
        ensure_absent(module, client, name, before)
    else:
        ensure_present(module, client, name, wanted, before)


if __name__ == "__main__":
    main()
