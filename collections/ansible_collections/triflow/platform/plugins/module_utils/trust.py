# -*- coding: utf-8 -*-
# Copyright: TriFlow AI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Trust policies of the roles AWS services assume for the stack, with confused-deputy prevention.

Each trusts one service principal, and only when the service acts for this account (``aws:SourceAccount``) and, for
services that send it, for this account's resources of the kind named (``aws:SourceArn``), as IAM's "The confused
deputy problem" and each service's guide recommend (ECS: "Task IAM role"; RDS: "Setting up and enabling Enhanced
Monitoring"; VPC: "IAM role for publishing flow logs to CloudWatch Logs").
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.triflow.platform.plugins.module_utils.arns import arn


def service_trust_policy(service, region, account_id, source_service, source_resource):
    """``service`` (``ecs-tasks.amazonaws.com``) may assume the role for ``arn:<partition>:<source_service>:
    <region>:<account>:<source_resource>`` only (``source_resource`` may end in ``*``)."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": service},
                "Action": "sts:AssumeRole",
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": account_id or ""},
                    "ArnLike": {"aws:SourceArn": arn(region, source_service, source_resource, account_id or "")},
                },
            }
        ],
    }
