"""Secrets and S3 storage of inventories/local against the emulator, property by property against SPEC.md."""

from __future__ import annotations

import json
import string

import pytest

from .network_state import tags_of

LOCAL = "inventories/local"
PREFIX = "triflow-demo-dev"
BUCKET = f"{PREFIX}-files-123456789012"
BASE_TAGS = {"Project": "triflow", "Customer": "demo", "Environment": "dev", "ManagedBy": "ansible"}
SECRET_LENGTHS = {"db-master-password": 40, "redis-auth-token": 64, "app-secret-key": 64}


def _secret_values(secretsmanager) -> dict[str, str]:
    return {
        secret["Name"]: secretsmanager.get_secret_value(SecretId=secret["ARN"])["SecretString"]
        for secret in secretsmanager.list_secrets()["SecretList"]
        if secret["Name"].startswith(f"{PREFIX}/")
    }


@pytest.fixture(scope="module")
def stack(emulator, playbook):
    """A fresh check-mode preview, then a converge at -vvv, a re-run and a check run of inventories/local."""
    emulator.reset()
    preview = playbook("site.yml", LOCAL, check=True)
    assert preview.rc == 0, preview.output[-6000:]
    created_by_preview = emulator.client("s3").list_buckets()["Buckets"]
    first = playbook("site.yml", LOCAL, extra_args=("-vvv",))
    assert first.rc == 0, first.output[-6000:]
    values = _secret_values(emulator.client("secretsmanager"))
    second = playbook("site.yml", LOCAL)
    assert second.rc == 0, second.output[-6000:]
    check = playbook("site.yml", LOCAL, check=True)
    assert check.rc == 0, check.output[-6000:]
    return {
        "preview": preview,
        "created_by_preview": created_by_preview,
        "first": first,
        "second": second,
        "check": check,
        "values": values,
    }


def test_check_mode_on_a_fresh_stack_reports_the_bucket_and_creates_nothing(stack):
    assert f"bucket {BUCKET} would be created" in stack["preview"].output
    assert stack["created_by_preview"] == []


def test_rerun_and_check_change_nothing(stack):
    assert stack["second"].changed(PREFIX) == 0, stack["second"].output[-4000:]
    assert stack["check"].changed(PREFIX) == 0, stack["check"].output[-4000:]


def test_generated_secrets_exist_once_with_their_lengths_and_tags(emulator, stack):
    secretsmanager = emulator.client("secretsmanager")
    for key, length in SECRET_LENGTHS.items():
        name = f"{PREFIX}/{key}"
        value = stack["values"][name]
        assert len(value) == length
        assert set(value) <= set(string.ascii_letters + string.digits)
        described = secretsmanager.describe_secret(SecretId=name)
        assert {t["Key"]: t["Value"] for t in described["Tags"]} == {**BASE_TAGS, "Name": name}
    assert len(set(stack["values"].values())) == len(stack["values"]), "two secrets share a value"


def test_provided_secret_starts_as_a_placeholder_and_the_run_says_so(stack):
    assert stack["values"][f"{PREFIX}/anthropic-api-key"].startswith("PLACEHOLDER")
    assert f"{PREFIX}/anthropic-api-key still holds a placeholder" in stack["second"].output


def test_reruns_keep_every_secret_value(emulator, stack):
    assert _secret_values(emulator.client("secretsmanager")) == stack["values"]


def test_no_secret_value_appears_in_verbose_output(stack):
    for name, value in stack["values"].items():
        for run in ("first", "second", "check"):
            assert value not in stack[run].output, f"{name} leaked in the {run} run"


def test_an_operator_set_value_survives_a_run(emulator, playbook, stack):
    secretsmanager = emulator.client("secretsmanager")
    name = f"{PREFIX}/anthropic-api-key"
    secretsmanager.put_secret_value(SecretId=name, SecretString="sk-ant-operator-value")
    run = playbook("site.yml", LOCAL)
    assert run.rc == 0, run.output[-6000:]
    assert secretsmanager.get_secret_value(SecretId=name)["SecretString"] == "sk-ant-operator-value"
    assert "still holds a placeholder" not in run.output


def test_bucket_settings(emulator, stack):
    s3 = emulator.client("s3")
    assert s3.get_bucket_versioning(Bucket=BUCKET)["Status"] == "Enabled"
    rules = s3.get_bucket_encryption(Bucket=BUCKET)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    assert s3.get_public_access_block(Bucket=BUCKET)["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": True,
        "BlockPublicPolicy": True,
        "RestrictPublicBuckets": True,
    }
    ownership = s3.get_bucket_ownership_controls(Bucket=BUCKET)["OwnershipControls"]["Rules"]
    assert ownership == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    assert tags_of({"Tags": s3.get_bucket_tagging(Bucket=BUCKET)["TagSet"]}) == {**BASE_TAGS, "Name": BUCKET}
    assert s3.get_bucket_location(Bucket=BUCKET)["LocationConstraint"] == "ap-northeast-2"


def test_bucket_policy_denies_every_request_without_tls(emulator, stack):
    policy = json.loads(emulator.client("s3").get_bucket_policy(Bucket=BUCKET)["Policy"])
    [statement] = policy["Statement"]
    assert statement["Effect"] == "Deny"
    assert statement["Principal"] == "*"
    assert statement["Action"] == "s3:*"
    assert sorted(statement["Resource"]) == [f"arn:aws:s3:::{BUCKET}", f"arn:aws:s3:::{BUCKET}/*"]
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_lifecycle_rules_match_the_app_key_layout(emulator, stack):
    rules = {r["ID"]: r for r in emulator.client("s3").get_bucket_lifecycle_configuration(Bucket=BUCKET)["Rules"]}
    for category in ("workflow", "export"):
        rule = rules[f"archive-{category}"]
        assert rule["Status"] == "Enabled"
        # tenants/<tenant_id>/<category>/...: a literal prefix cannot name the category, the object tag does.
        assert rule["Filter"]["And"]["Prefix"] == "tenants/"
        assert rule["Filter"]["And"]["Tags"] == [{"Key": "triflow-category", "Value": category}]
        assert rule["Transitions"] == [{"Days": 90, "StorageClass": "GLACIER"}]
    assert rules["expire-logs"]["Filter"] == {"Prefix": "logs/"}
    assert rules["expire-logs"]["Expiration"] == {"Days": 365}
    assert rules["abort-incomplete-multipart-uploads"]["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 7}
    assert not any("*" in json.dumps(rule.get("Filter", {})) for rule in rules.values())


def test_out_of_band_bucket_changes_are_previewed_then_reverted(emulator, playbook, stack):
    s3 = emulator.client("s3")
    s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Suspended"})
    s3.delete_public_access_block(Bucket=BUCKET)
    s3.delete_bucket_lifecycle(Bucket=BUCKET)

    check = playbook("site.yml", LOCAL, check=True)
    assert check.rc == 0, check.output[-6000:]
    assert "versioning: Suspended -> Enabled" in check.output
    assert "public access block" in check.output
    assert check.changed(PREFIX) == 2, check.output[-4000:]  # the bucket preview and the lifecycle rules
    assert s3.get_bucket_versioning(Bucket=BUCKET)["Status"] == "Suspended", "check mode changed the bucket"

    run = playbook("site.yml", LOCAL)
    assert run.rc == 0, run.output[-6000:]
    assert s3.get_bucket_versioning(Bucket=BUCKET)["Status"] == "Enabled"
    assert s3.get_public_access_block(Bucket=BUCKET)["PublicAccessBlockConfiguration"]["BlockPublicPolicy"] is True
    assert len(s3.get_bucket_lifecycle_configuration(Bucket=BUCKET)["Rules"]) == 5
