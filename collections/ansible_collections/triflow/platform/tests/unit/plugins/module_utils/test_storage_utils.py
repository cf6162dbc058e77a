"""The storage role's checks, desired state and check-mode differences (module_utils/storage.py)."""

from __future__ import annotations

import json

import pytest
from ansible_collections.triflow.platform.plugins.module_utils.storage import (
    bucket_differences,
    storage_desired_state,
    storage_input_errors,
)

VALID = {
    "storage_name_prefix": "triflow-acme-prod",
    "storage_tags": {"Project": "triflow", "Customer": "acme", "Environment": "prod", "ManagedBy": "ansible"},
    "storage_region": "ap-northeast-2",
    "storage_bucket_name": "",
    "storage_encryption": "AES256",
    "storage_kms_key_id": "",
    "storage_tenants_prefix": "tenants/",
    "storage_archive_categories": ["workflow", "export"],
    "storage_category_tag_key": "triflow-category",
    "storage_archive_after_days": 90,
    "storage_archive_storage_class": "GLACIER",
    "storage_logs_prefix": "logs/",
    "storage_logs_expiration_days": 365,
    "storage_abort_multipart_days": 7,
    "storage_noncurrent_version_expiration_days": 90,
}


def test_baseline_is_valid_and_names_the_bucket_after_prefix_and_account():
    assert storage_input_errors(VALID) == []
    state = storage_desired_state(VALID, "123456789012")
    assert state["bucket"] == "triflow-acme-prod-files-123456789012"
    assert state["tags"]["Name"] == state["bucket"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"storage_bucket_name": "Acme_Files"}, "storage_bucket_name 'Acme_Files' is not a valid S3 bucket name"),
        ({"storage_bucket_name": "192.168.0.1"}, "storage_bucket_name '192.168.0.1' is not a valid S3 bucket name"),
        ({"storage_tenants_prefix": "tenants/*/workflow/"}, "storage_tenants_prefix 'tenants/*/workflow/' is invalid"),
        ({"storage_logs_prefix": "logs"}, "storage_logs_prefix 'logs' is invalid"),
        ({"storage_archive_after_days": 0}, "storage_archive_after_days 0 is invalid"),
        ({"storage_encryption": "SSE-C"}, "storage_encryption 'SSE-C' is invalid; allowed values: AES256, aws:kms"),
        ({"storage_kms_key_id": "alias/x"}, "storage_kms_key_id is set but storage_encryption is not aws:kms"),
        ({"storage_archive_categories": ["Workflow"]}, "storage_archive_categories entry 'Workflow' is invalid"),
    ],
)
def test_each_bad_input_is_named(changes, message):
    errors = storage_input_errors({**VALID, **changes})
    assert any(message in error for error in errors), errors


def test_lifecycle_archives_categories_by_tag_and_never_uses_wildcards():
    rules = {rule["ID"]: rule for rule in storage_desired_state(VALID, "1")["lifecycle_rules"]}
    assert rules["archive-export"]["Filter"]["And"]["Tags"] == [{"Key": "triflow-category", "Value": "export"}]
    assert "*" not in json.dumps(rules)


def _info(**changes):
    state = storage_desired_state(VALID, "123456789012")
    info = {
        "bucket_versioning": {"Status": "Enabled"},
        "bucket_encryption": {
            "ServerSideEncryptionConfiguration": {
                "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
            }
        },
        "public_access_block": {
            "PublicAccessBlockConfiguration": {
                "BlockPublicAcls": True,
                "IgnorePublicAcls": True,
                "BlockPublicPolicy": True,
                "RestrictPublicBuckets": True,
            }
        },
        "bucket_policy": {"Policy": json.dumps(state["policy"])},
        "bucket_tagging": dict(state["tags"]),
        "bucket_ownership_controls": {"OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}},
    }
    info.update(changes)
    return info, state


def test_a_conforming_bucket_has_no_differences():
    info, state = _info()
    assert bucket_differences(info, state) == []


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"bucket_versioning": {"Status": "Suspended"}}, "versioning: Suspended -> Enabled"),
        ({"bucket_policy": {}}, "policy: differs from the TLS-only policy"),
        ({"public_access_block": {}}, "public access block"),
        ({"bucket_tagging": {}}, "tags:"),
        ({"bucket_ownership_controls": {}}, "object ownership: None -> BucketOwnerEnforced"),
    ],
)
def test_each_drifted_setting_is_reported(changes, expected):
    info, state = _info(**changes)
    assert any(expected in difference for difference in bucket_differences(info, state))


def test_a_missing_bucket_would_be_created():
    state = _info()[1]
    assert bucket_differences({}, state) == ["bucket triflow-acme-prod-files-123456789012 would be created"]
