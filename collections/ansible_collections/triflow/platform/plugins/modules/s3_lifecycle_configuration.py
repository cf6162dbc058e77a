#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: TriFlow AI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: s3_lifecycle_configuration
short_description: Manage the whole lifecycle configuration of an S3 bucket, tag filters included
version_added: 0.1.0
description:
  - Sets the lifecycle configuration of an S3 bucket to exactly the given rules, in the S3 API's own shape, so
    every filter S3 offers works, object tags included (C(community.aws.s3_lifecycle) has prefix and size
    filters only, and no check mode).
  - Compares by meaning (rule order, empty parts and AWS's defaults do not count) and writes only when the rules
    differ. Rules not given are removed.
author: TriFlow AI platform team (@triflow-ai)
options:
  bucket:
    description: Name of the bucket.
    type: str
    required: true
  rules:
    description:
      - The lifecycle rules, as C(PutBucketLifecycleConfiguration) takes them (C(ID), C(Status), C(Filter),
        C(Transitions), C(Expiration), C(NoncurrentVersionExpiration), C(AbortIncompleteMultipartUpload)...).
      - Every rule needs an C(ID). Required when O(state=present).
    type: list
    elements: dict
  state:
    description: C(present) sets the rules; C(absent) removes the bucket's lifecycle configuration.
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
    description: Returns the rules before and after.
"""

EXAMPLES = r"""
- name: Archive workflow files after 90 days, expire logs after a year
  triflow.platform.s3_lifecycle_configuration:
    bucket: triflow-acme-prod-files-123456789012
    rules:
      - ID: archive-workflow
        Status: Enabled
        Filter:
          And:
            Prefix: tenants/
            Tags: [{Key: triflow-category, Value: workflow}]
        Transitions: [{Days: 90, StorageClass: GLACIER}]
      - ID: expire-logs
        Status: Enabled
        Filter: {Prefix: logs/}
        Expiration: {Days: 365}
"""

RETURN = r"""
rules:
  description: The bucket's lifecycle rules after the run (normalized, sorted by ID).
  returned: always
  type: list
  elements: dict
  sample: [{"ID": "expire-logs", "Status": "Enabled", "Filter": {"Prefix": "logs/"}, "Expiration": {"Days": 365}}]
"""

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.triflow.platform.plugins.module_utils.s3_lifecycle_configuration import (
    normalize_rules,
    rule_ids_missing,
)

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule


def _current(module, client, bucket):
    try:
        return client.get_bucket_lifecycle_configuration(aws_retry=True, Bucket=bucket).get("Rules", [])
    except is_boto3_error_code("NoSuchLifecycleConfiguration"):
        return []
    except is_boto3_error_code("NoSuchBucket"):
        module.fail_json(msg="bucket %s does not exist" % bucket)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as error:  # pylint: disable=duplicate-except
        module.fail_json_aws(error, msg="could not read the lifecycle configuration of bucket %s" % bucket)
    return []


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            bucket=dict(type="str", required=True),
            rules=dict(type="list", elements="dict"),
            state=dict(type="str", choices=["present", "absent"], default="present"),
        ),
        required_if=[("state", "present", ["rules"])],
        supports_check_mode=True,
    )
    bucket = module.params["bucket"]
    state = module.params["state"]
    wanted = module.params["rules"] if state == "present" else []
    missing_ids = rule_ids_missing(wanted)
    if missing_ids:
        module.fail_json(msg="rules[%s] need an ID" % ", ".join(str(index) for index in missing_ids))

    client = module.client("s3", retry_decorator=AWSRetry.jittered_backoff())
    before = normalize_rules(_current(module, client, bucket))
    after = normalize_rules(wanted)
    changed = before != after
    if changed and not module.check_mode:
        try:
            if after:
                client.put_bucket_lifecycle_configuration(
                    aws_retry=True, Bucket=bucket, LifecycleConfiguration={"Rules": wanted}
                )
            else:
                client.delete_bucket_lifecycle(aws_retry=True, Bucket=bucket)
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as error:
            module.fail_json_aws(error, msg="could not set the lifecycle configuration of bucket %s" % bucket)
    result = dict(changed=changed, rules=after if changed else before)
    if module._diff:
        result["diff"] = dict(before={"rules": before}, after={"rules": after})
    module.exit_json(**result)


if __name__ == "__main__":
    main()
