"""Gap 2: DescribeDBParameterGroups for a missing name (patch rds_parameter_group_not_found)."""

from typing import Any

import pytest
from botocore.exceptions import ClientError
from support.aws import Endpoint, unique
from support.emulator import gap_message

PATCH = "rds_parameter_group_not_found"


def describe(rds: Any, name: str) -> list[dict[str, Any]]:
    return list(rds.describe_db_parameter_groups(DBParameterGroupName=name)["DBParameterGroups"])


def describe_on_stock(rds: Any, name: str) -> list[dict[str, Any]] | str:
    """Like describe(), but an error (what AWS does, so moto fixed the gap) comes back as its code."""
    try:
        return describe(rds, name)
    except ClientError as error:
        return str(error.response["Error"]["Code"])


def test_missing_parameter_group_raises_not_found(aws_target: Endpoint) -> None:
    rds = aws_target.client("rds")
    missing = unique("missing-pg")

    if not aws_target.patched:
        assert describe_on_stock(rds, missing) == [], gap_message(2, PATCH)
        return

    with pytest.raises(ClientError) as raised:
        describe(rds, missing)
    error = raised.value.response
    assert error["Error"]["Code"] == "DBParameterGroupNotFound"
    assert error["Error"]["Message"] == f"DBParameterGroup not found: {missing}"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_parameter_group_lookup_by_name(aws_target: Endpoint) -> None:
    """AWS stores names lower-case and matches them case-insensitively; default.<family> groups always exist."""
    rds = aws_target.client("rds")
    name = unique("MyGroup")
    rds.create_db_parameter_group(DBParameterGroupName=name, DBParameterGroupFamily="postgres16", Description="t")

    if not aws_target.patched:
        assert describe_on_stock(rds, name) == [], gap_message(2, PATCH)
        # A family no other test's instance uses: stock moto creates default.<family> when an instance needs it.
        assert describe_on_stock(rds, "default.postgres13") == [], gap_message(2, PATCH)
        return

    assert [group["DBParameterGroupName"] for group in describe(rds, name)] == [name.lower()]
    assert [group["DBParameterGroupName"] for group in describe(rds, name.lower())] == [name.lower()]
    (default,) = describe(rds, "default.postgres13")
    assert default["DBParameterGroupFamily"] == "postgres13"
