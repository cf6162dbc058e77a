"""RDS backup and maintenance windows that only touch (patch rds_adjacent_windows)."""

from typing import Any

import pytest
from botocore.exceptions import ClientError
from support.aws import Endpoint, unique
from support.emulator import gap_message

PATCH = "rds_adjacent_windows"


def create(rds: Any, backup: str, maintenance: str) -> None:
    rds.create_db_instance(
        DBInstanceIdentifier=unique("db"),
        DBInstanceClass="db.t4g.micro",
        Engine="mysql",  # no data plane needed to show the window check
        MasterUsername="triflow",
        MasterUserPassword="not-a-secret-1",
        AllocatedStorage=20,
        PreferredBackupWindow=backup,
        PreferredMaintenanceWindow=maintenance,
    )


def test_touching_windows_are_accepted(aws_target: Endpoint) -> None:
    rds = aws_target.client("rds")
    if aws_target.patched:
        create(rds, "18:00-19:00", "mon:19:00-mon:20:00")
    else:
        with pytest.raises(ClientError, match="must not overlap"):
            create(rds, "18:00-19:00", "mon:19:00-mon:20:00")
            pytest.fail(gap_message(10, PATCH))


def test_windows_sharing_time_are_still_refused(patched_emulator: Endpoint) -> None:
    with pytest.raises(ClientError, match="must not overlap"):
        create(patched_emulator.client("rds"), "18:00-19:30", "mon:19:00-mon:20:00")
