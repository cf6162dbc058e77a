#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: TriFlow AI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: ec2_vpc_endpoint_policy
short_description: Set the policy of an existing VPC endpoint
version_added: 1.0.0
description:
  - Sets the policy document of a VPC endpoint when it differs from the one given (policies of the same meaning,
    whatever their key order, one-item lists or C(Version), count as equal).
  - C(amazon.aws.ec2_vpc_endpoint) sends its O(policy) only when it creates an endpoint and never changes the policy
    of an existing one; run this module after it.
  - The policy C(DescribeVpcEndpoints) returns may lack the C(Version) element the policy was set with (LocalStack
    strips it, for parity with AWS by its own account). A policy that differs only by a C(Version) the answer lacks
    counts as equal, so a converged endpoint never reports a change.
  - The endpoint must exist; the module fails, naming it, when it does not (in check mode too, unless
    O(vpc_endpoint_id) is empty, which stands for an endpoint an earlier task of the run would create).
author: TriFlow AI platform team (@triflow-ai)
options:
  vpc_endpoint_id:
    description: ID of the endpoint; empty only in check mode, for one not created yet.
    type: str
    required: true
  policy:
    description: The policy document (a dict, or JSON text).
    type: json
    required: true
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
    description: Returns the policy before and after.
notes:
  - "IAM actions used: ec2:DescribeVpcEndpoints, ec2:ModifyVpcEndpoint."
"""

EXAMPLES = r"""
- name: Limit the S3 gateway endpoint to the account's principals
  triflow.platform.ec2_vpc_endpoint_policy:
    vpc_endpoint_id: vpce-0123456789abcdef0
    policy:
      Version: "2012-10-17"
      Statement:
        - Effect: Allow
          Principal: "*"
          Action: "s3:*"
          Resource: ["arn:aws:s3:::triflow-acme-prod-files-123456789012/*"]
          Condition:
            StringEquals:
              aws:PrincipalAccount: "123456789012"
"""

RETURN = r"""
policy:
  description: The endpoint's policy after the run (in check mode, the one it would have).
  returned: always
  type: dict
  sample: {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:*",
           "Resource": "*"}]}
"""

import json

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.policy import compare_policies
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule


def run(module, client):
    endpoint_id = module.params["vpc_endpoint_id"]
    wanted = json.loads(module.params["policy"])
    if not endpoint_id:
        if not module.check_mode:
            module.fail_json(msg="vpc_endpoint_id is empty: give the id of an existing endpoint")
        return dict(changed=True, policy=wanted, diff=dict(before={}, after=dict(policy=wanted)))
    try:
        endpoints = client.describe_vpc_endpoints(VpcEndpointIds=[endpoint_id]).get("VpcEndpoints", [])
    except is_boto3_error_code("InvalidVpcEndpointId.NotFound"):
        endpoints = []
    endpoints = [item for item in endpoints if item.get("State", "").lower() not in ("deleted", "deleting")]
    if not endpoints:
        module.fail_json(
            msg="VPC endpoint %s does not exist; create it first (amazon.aws.ec2_vpc_endpoint)" % endpoint_id
        )
    current = json.loads(endpoints[0].get("PolicyDocument") or "{}")
    compared = wanted if "Version" in current else dict((k, v) for k, v in wanted.items() if k != "Version")
    changed = compare_policies(current, compared)
    if changed and not module.check_mode:
        client.modify_vpc_endpoint(VpcEndpointId=endpoint_id, PolicyDocument=json.dumps(wanted))
    return dict(
        changed=changed,
        policy=wanted if changed else current,
        diff=dict(before=dict(policy=current), after=dict(policy=wanted if changed else current)),
    )


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(vpc_endpoint_id=dict(type="str", required=True), policy=dict(type="json", required=True)),
        supports_check_mode=True,
    )
    client = module.client("ec2", retry_decorator=AWSRetry.jittered_backoff())
    try:
        result = run(module, client)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as error:  # pylint: disable=duplicate-except
        module.fail_json_aws(
            error, msg="could not set the policy of VPC endpoint %s" % module.params["vpc_endpoint_id"]
        )
    if not module._diff:
        result.pop("diff")
    module.exit_json(**result)


if __name__ == "__main__":
    main()
