"""The storage role's model (module_utils/roles/storage.py) on its real defaults: checks, desired state, and the
bucket settings check mode compares."""

from __future__ import annotations

import json

import pytest
from ansible_collections.triflow.platform.plugins.module_utils.roles.storage import (
    bucket_settings,
    current_bucket_settings,
)
from support import roles


def test_baseline_is_valid_and_names_the_bucket_after_prefix_and_account():
    state = roles.desired_state("storage")
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
        ({"storage_encryption": "SSE-C"}, "value of storage_encryption must be one of: AES256, aws:kms, got: SSE-C"),
        ({"storage_kms_key_id": "alias/x"}, "storage_kms_key_id is set but storage_encryption is not aws:kms"),
        ({"storage_archive_categories": ["Workflow"]}, "storage_archive_categories entry 'Workflow' is invalid"),
    ],
)
def test_each_bad_input_is_named(changes, message):
    errors = roles.errors("storage", **changes)
    assert any(message in error for error in errors), errors


def test_lifecycle_archives_categories_by_tag_and_never_uses_wildcards():
    rules = {rule["ID"]: rule for rule in roles.desired_state("storage")["lifecycle_rules"]}
    assert rules["archive-export"]["Filter"]["And"]["Tags"] == [{"Key": "triflow-category", "Value": "export"}]
    assert "*" not in json.dumps(rules)


def _info(**changes):
    state = roles.desired_state("storage")
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
        # The same policy as AWS may return it: another key order and a one-item list as a string.
        "bucket_policy": {"Policy": json.dumps(_reordered(state["policy"]))},
        "bucket_tagging": dict(state["tags"]),
        "bucket_ownership_controls": {"OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}},
    }
    info.update(changes)
    return info, state


def _reordered(policy):
    statement = dict(reversed(list(policy["Statement"][0].items())))
    statement["Resource"] = list(reversed(statement["Resource"]))
    return {"Statement": [statement], "Version": policy["Version"]}


def test_a_conforming_bucket_reads_as_its_desired_settings():
    info, state = _info()
    assert current_bucket_settings(info, state) == bucket_settings(state)


@pytest.mark.parametrize(
    ("changes", "key", "now"),
    [
        ({"bucket_versioning": {"Status": "Suspended"}}, "versioning", "Suspended"),
        ({"bucket_policy": {}}, "policy", None),
        (
            {"public_access_block": {}},
            "public_access_block",
            dict.fromkeys(("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")),
        ),
        ({"bucket_tagging": {}}, "tags", {}),
        ({"bucket_ownership_controls": {}}, "object_ownership", None),
        ({"bucket_encryption": {}}, "encryption", None),
    ],
)
def test_each_drifted_setting_is_the_one_difference(changes, key, now):
    info, state = _info(**changes)
    current, wanted = current_bucket_settings(info, state), bucket_settings(state)
    assert [name for name in wanted if current[name] != wanted[name]] == [key]
    assert current[key] == now


def test_a_missing_bucket_reads_as_nothing():
    state = _info()[1]
    assert current_bucket_settings({}, state) == {}
    assert bucket_settings(state)["name"] == "triflow-acme-prod-files-123456789012"
