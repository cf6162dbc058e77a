# -*- coding: utf-8 -*-
# Copyright: TriFlow AI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tests of AWS module results."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

# The errors AWS answers a create or attach whose resource is already there: the one an SDK retry of a write
# gets when the first attempt went through and only its answer was lost (a 500 or a timeout after the write).
# Each is the code the service's API reference documents for the operation.
CONFLICT_CODES = frozenset(
    (
        # EC2 API Reference, "Error codes"
        "Resource.AlreadyAssociated",  # AttachInternetGateway, AssociateRouteTable
        "InvalidPermission.Duplicate",  # AuthorizeSecurityGroupIngress / Egress
        "InvalidPermission.NotFound",  # RevokeSecurityGroupIngress / Egress: the first attempt revoked it
        "InvalidGroup.Duplicate",  # CreateSecurityGroup
        "InvalidSubnet.Conflict",  # CreateSubnet: the CIDR is taken (by the first attempt)
        "RouteAlreadyExists",  # CreateRoute
        # IAM: CreateRole, CreatePolicy, CreateInstanceProfile
        "EntityAlreadyExists",
        # CloudWatch Logs: CreateLogGroup; ECR: CreateRepository; Secrets Manager: CreateSecret
        "ResourceAlreadyExistsException",
        "RepositoryAlreadyExistsException",
        "ResourceExistsException",
        # ElastiCache and RDS create calls
        "ReplicationGroupAlreadyExists",
        "CacheParameterGroupAlreadyExists",
        "CacheSubnetGroupAlreadyExists",
        "DBInstanceAlreadyExists",
        "DBParameterGroupAlreadyExists",
        "DBSubnetGroupAlreadyExists",
        # S3 CreateBucket outside us-east-1
        "BucketAlreadyOwnedByYou",
        # Elastic Load Balancing v2
        "DuplicateLoadBalancerName",
        "DuplicateTargetGroupName",
        "DuplicateListener",
    )
)


def _results(result):
    """The result itself, or each item's result of a loop."""
    if isinstance(result, dict) and isinstance(result.get("results"), list):
        return [item for item in result["results"] if isinstance(item, dict)]
    return [result] if isinstance(result, dict) else []


# botocore's message, in the module's msg or traceback when it reports an error without its code
# (community.aws.ecs_ecr: "<class 'Exception'>: An error occurred (RepositoryAlreadyExistsException) ...").
BOTOCORE_MESSAGE = re.compile(r"An error occurred \(([A-Za-z0-9.]+)\) when calling the \w+ operation")


def _code_and_attempts(item):
    """The AWS error code of a failed result and the retries botocore made (None when the result does not say)."""
    error = item.get("error") if isinstance(item.get("error"), dict) else {}
    metadata = item.get("response_metadata") if isinstance(item.get("response_metadata"), dict) else {}
    code = error.get("code")
    if not code:
        found = BOTOCORE_MESSAGE.findall("%s %s" % (item.get("msg") or "", item.get("exception") or ""))
        code = found[-1] if found else None
    try:
        attempts = int(metadata["retry_attempts"]) if "retry_attempts" in metadata else None
    except (TypeError, ValueError):
        attempts = None
    return code, attempts


def own_retry_conflict(result):
    """True when a failed AWS module result is a conflict with the call's own earlier attempt: AWS answered that the
    resource already exists (or is already attached) to a request botocore had sent more than once. When the result
    does not say how often the request was sent, a conflict passes: running the module once more looks the resource
    up by its name, as the next run would."""
    for item in _results(result):
        if not item.get("failed"):
            continue
        code, attempts = _code_and_attempts(item)
        if code in CONFLICT_CODES and (attempts is None or attempts > 0):
            return True
    return False


class TestModule(object):
    def tests(self):
        return {"own_retry_conflict": own_retry_conflict}
