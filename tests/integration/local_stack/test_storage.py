"""The stack's bucket changed out of band: --check shows the change with its diff, a run puts it back."""

from __future__ import annotations

from .conftest import LOCAL, PREFIX, LocalStack

DATA_ONLY = ("--tags", "data")


def test_out_of_band_bucket_changes_are_previewed_then_reverted(emulator, playbook, local_stack: LocalStack):
    s3 = emulator.client("s3")
    bucket = local_stack.reader.bucket
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
    s3.delete_public_access_block(Bucket=bucket)
    s3.delete_bucket_lifecycle(Bucket=bucket)

    check = playbook("site.yml", LOCAL, check=True, extra_args=DATA_ONLY)
    assert check.rc == 0, check.tail()
    # The comparison's diff: the bucket as it is (-) and as it will be (+).
    assert '-    "versioning": "Suspended"\n+    "versioning": "Enabled"' in check.output
    assert (
        '-        "BlockPublicPolicy": null,' in check.output and '+        "BlockPublicPolicy": true,' in check.output
    )
    assert check.changed(PREFIX) == 2, check.tail(4000)  # the bucket's settings and its lifecycle rules
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Suspended", "check mode changed the bucket"

    run = playbook("site.yml", LOCAL, extra_args=DATA_ONLY)
    assert run.rc == 0, run.tail()
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    assert s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]["BlockPublicPolicy"] is True
    assert len(s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]) == 5
