# -*- coding: utf-8 -*-
# Copyright: TriFlow AI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The model of the ``storage`` role: the stack's S3 bucket, its checks, its desired state, and the bucket's
settings as check mode compares them (amazon.aws.s3_bucket has no check mode)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re

from ansible_collections.amazon.aws.plugins.module_utils.policy import compare_policies
from ansible_collections.triflow.platform.plugins.module_utils.arns import arn
from ansible_collections.triflow.platform.plugins.module_utils.naming import named_tags
from ansible_collections.triflow.platform.plugins.module_utils.rules import int_in_range

BUCKET_PATTERN = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
IP_LIKE = re.compile(r"^\d+\.\d+\.\d+\.\d+$")
CATEGORY_PATTERN = re.compile(r"^[a-z][a-z0-9-]*$")


def bucket_name(inputs, account_id):
    """The explicit name, else ``<prefix>-files-<account id>`` (bucket names are global across all of AWS)."""
    if inputs.get("storage_bucket_name"):
        return inputs["storage_bucket_name"]
    return "%s-files-%s" % (inputs["storage_name_prefix"], account_id or "ACCOUNT")


def bucket_name_errors(variable, name):
    if not BUCKET_PATTERN.match(name) or ".." in name or IP_LIKE.match(name) or name.startswith("xn--"):
        return [
            "%s '%s' is not a valid S3 bucket name: 3 to 63 lowercase letters, digits, hyphens and dots, "
            "starting and ending with a letter or digit" % (variable, name)
        ]
    return []


def _positive(variable, value, errors):
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        errors.append("%s %r is invalid: a whole number of days, at least 1" % (variable, value))


def input_errors(inputs):
    """Every problem of the storage role's inputs that argument_specs cannot see, each naming its variable."""
    errors = []
    if inputs.get("storage_bucket_name"):
        errors.extend(bucket_name_errors("storage_bucket_name", inputs["storage_bucket_name"]))
    expire = (inputs.get("storage_alb_access_logs") or {}).get("expire_days")
    int_in_range("storage_alb_access_logs.expire_days", expire, 1, 3650, errors)
    if inputs.get("storage_encryption") != "aws:kms" and inputs.get("storage_kms_key_id"):
        errors.append("storage_kms_key_id is set but storage_encryption is not aws:kms")
    for category in inputs.get("storage_archive_categories") or []:
        if not isinstance(category, str) or not CATEGORY_PATTERN.match(category):
            errors.append(
                "storage_archive_categories entry %r is invalid: lowercase letters, digits, hyphens" % category
            )
    for variable in (
        "storage_archive_after_days",
        "storage_logs_expiration_days",
        "storage_abort_multipart_days",
        "storage_noncurrent_version_expiration_days",
    ):
        _positive(variable, inputs.get(variable), errors)
    for variable in ("storage_tenants_prefix", "storage_logs_prefix"):
        value = inputs.get(variable)
        if not isinstance(value, str) or not value.endswith("/") or "*" in value or value.startswith("/"):
            errors.append(
                "%s %r is invalid: a literal key prefix ending with '/' (S3 lifecycle prefixes have no wildcards)"
                % (variable, value)
            )
    return errors


def tls_only_policy(name, region):
    """Deny every request that does not use TLS (aws:SecureTransport false), on the bucket and its objects."""
    bucket = arn(region, "s3", name, regional=False)
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [bucket, bucket + "/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ],
    }


def abort_multipart_rule(inputs):
    """Incomplete multipart uploads are aborted after ``storage_abort_multipart_days``, in the whole bucket."""
    return {
        "ID": "abort-incomplete-multipart-uploads",
        "Status": "Enabled",
        "Filter": {},
        "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": inputs["storage_abort_multipart_days"]},
    }


def lifecycle_rules(inputs):
    """Rules in the S3 API's shape. Archive rules filter on the object tag the app sets (tenants/<id>/<category>/
    keys cannot be matched by a literal prefix per category), logs expire by prefix, multipart uploads everywhere."""
    tag_key = inputs["storage_category_tag_key"]
    rules = []
    for category in inputs["storage_archive_categories"]:
        rules.append(
            {
                "ID": "archive-%s" % category,
                "Status": "Enabled",
                "Filter": {
                    "And": {
                        "Prefix": inputs["storage_tenants_prefix"],
                        "Tags": [{"Key": tag_key, "Value": category}],
                    }
                },
                "Transitions": [
                    {
                        "Days": inputs["storage_archive_after_days"],
                        "StorageClass": inputs["storage_archive_storage_class"],
                    }
                ],
            }
        )
    rules.append(
        {
            "ID": "expire-logs",
            "Status": "Enabled",
            "Filter": {"Prefix": inputs["storage_logs_prefix"]},
            "Expiration": {"Days": inputs["storage_logs_expiration_days"]},
        }
    )
    rules.append(abort_multipart_rule(inputs))
    rules.append(
        {
            "ID": "expire-noncurrent-versions",
            "Status": "Enabled",
            "Filter": {},
            "NoncurrentVersionExpiration": {"NoncurrentDays": inputs["storage_noncurrent_version_expiration_days"]},
        }
    )
    return rules


# The account of Elastic Load Balancing in each region that predates August 2022: its principal writes access logs
# (Elastic Load Balancing User Guide, "Enable access logs for your Application Load Balancer", step 2). Newer regions
# use the service principal logdelivery.elasticloadbalancing.amazonaws.com instead.
ELB_LOG_ACCOUNTS = {
    "us-east-1": "127311923021",
    "us-east-2": "033677994240",
    "us-west-1": "027434742980",
    "us-west-2": "797873946194",
    "af-south-1": "098369216593",
    "ap-east-1": "754344448648",
    "ap-southeast-3": "589379963580",
    "ap-south-1": "718504428378",
    "ap-northeast-3": "383597477331",
    "ap-northeast-2": "600734575586",
    "ap-southeast-1": "114774131450",
    "ap-southeast-2": "783225319266",
    "ap-northeast-1": "582318560864",
    "ca-central-1": "985666609251",
    "eu-central-1": "054676820928",
    "eu-west-1": "156460612806",
    "eu-west-2": "652711504416",
    "eu-south-1": "635631232127",
    "eu-west-3": "009996457667",
    "eu-north-1": "897822967062",
    "me-south-1": "076674570225",
    "sa-east-1": "507241528517",
    "us-gov-west-1": "048591011584",
    "us-gov-east-1": "190560391635",
}
ALB_LOGS_PREFIX = "alb"


def alb_logs_bucket(inputs, account_id):
    """The load balancer's access-logs bucket: SSE-S3 (the only encryption ALB log delivery supports), no public
    access, TLS only, written only by Elastic Load Balancing under ``alb/AWSLogs/<account>/``, expired after
    ``storage_alb_access_logs.expire_days``."""
    settings = inputs["storage_alb_access_logs"]
    region = inputs["storage_region"]
    name = "%s-alb-logs-%s" % (inputs["storage_name_prefix"], account_id or "ACCOUNT")
    bucket = arn(region, "s3", name, regional=False)
    writer = ELB_LOG_ACCOUNTS.get(region)
    principal = (
        {"AWS": arn(region, "iam", "root", writer, regional=False)}
        if writer
        else {"Service": "logdelivery.elasticloadbalancing.amazonaws.com"}
    )
    policy = tls_only_policy(name, region)
    policy["Statement"].append(
        {
            "Sid": "ElasticLoadBalancingWritesAccessLogs",
            "Effect": "Allow",
            "Principal": principal,
            "Action": "s3:PutObject",
            "Resource": "%s/%s/AWSLogs/%s/*" % (bucket, ALB_LOGS_PREFIX, account_id or "ACCOUNT"),
        }
    )
    return {
        "enabled": settings["enabled"],
        "bucket": name,
        "prefix": ALB_LOGS_PREFIX,
        # Logs are written once and expired: no versions to keep.
        "versioning": False,
        "encryption": "AES256",
        "policy": policy,
        "tags": named_tags(inputs.get("storage_tags") or {}, name),
        "lifecycle_rules": [
            {
                "ID": "expire-access-logs",
                "Status": "Enabled",
                "Filter": {},
                "Expiration": {"Days": settings["expire_days"]},
            },
            abort_multipart_rule(inputs),
        ],
    }


def desired_state(inputs, context):
    """The stack's bucket: name, settings, policy, tags and lifecycle rules (``context``: the ``account_id``, which
    the bucket's default name holds, or None before the account is known)."""
    name = bucket_name(inputs, context.get("account_id"))
    return {
        "bucket": name,
        "region": inputs["storage_region"],
        "versioning": True,
        "encryption": inputs["storage_encryption"],
        "kms_key_id": inputs.get("storage_kms_key_id") or None,
        "public_access": {
            "block_public_acls": True,
            "ignore_public_acls": True,
            "block_public_policy": True,
            "restrict_public_buckets": True,
        },
        "object_ownership": "BucketOwnerEnforced",
        "policy": tls_only_policy(name, inputs["storage_region"]),
        "tags": named_tags(inputs.get("storage_tags") or {}, name),
        "category_tag_key": inputs["storage_category_tag_key"],
        "lifecycle_rules": lifecycle_rules(inputs),
        "alb_logs": alb_logs_bucket(inputs, context.get("account_id")),
    }


def bucket_settings(desired):
    """The bucket settings amazon.aws.s3_bucket applies, in the shape ``current_bucket_settings`` reads them."""
    return {
        "name": desired["bucket"],
        "versioning": "Enabled" if desired["versioning"] else "Suspended",
        "encryption": desired["encryption"],
        "public_access_block": {
            "BlockPublicAcls": desired["public_access"]["block_public_acls"],
            "IgnorePublicAcls": desired["public_access"]["ignore_public_acls"],
            "BlockPublicPolicy": desired["public_access"]["block_public_policy"],
            "RestrictPublicBuckets": desired["public_access"]["restrict_public_buckets"],
        },
        "policy": desired["policy"],
        "tags": dict(desired["tags"]),
        "object_ownership": desired["object_ownership"],
    }


def current_bucket_settings(bucket_info, desired):
    """The settings of the bucket ``amazon.aws.s3_bucket_info`` described (``{}`` when there is no bucket).

    amazon.aws.s3_bucket has no check mode: the storage role compares this with ``bucket_settings`` there. A policy
    of the same meaning as the desired one (``compare_policies``: order, one-item lists) is reported as the desired
    one, so only a real difference shows.
    """
    if not bucket_info:
        return {}
    rules = ((bucket_info.get("bucket_encryption") or {}).get("ServerSideEncryptionConfiguration") or {}).get("Rules")
    block = (bucket_info.get("public_access_block") or {}).get("PublicAccessBlockConfiguration") or {}
    policy = bucket_info.get("bucket_policy") or {}
    if isinstance(policy, dict):
        policy = policy.get("Policy")
    if isinstance(policy, str) and policy:
        policy = json.loads(policy)
    ownership = (bucket_info.get("bucket_ownership_controls") or {}).get("OwnershipControls", {}).get("Rules") or [{}]
    return {
        "name": desired["bucket"],
        "versioning": (bucket_info.get("bucket_versioning") or {}).get("Status"),
        "encryption": rules[0].get("ApplyServerSideEncryptionByDefault", {}).get("SSEAlgorithm") if rules else None,
        "public_access_block": dict(
            (key, block.get(key))
            for key in ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
        ),
        "policy": desired["policy"] if policy and not compare_policies(policy, desired["policy"]) else policy or None,
        "tags": dict(bucket_info.get("bucket_tagging") or {}),
        "object_ownership": ownership[0].get("ObjectOwnership"),
    }
