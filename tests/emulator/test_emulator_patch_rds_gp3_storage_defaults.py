"""Gap 3: gp3 baseline Iops / StorageThroughput (patch rds_gp3_storage_defaults)."""

from typing import Any

import pytest
from support.aws import Endpoint, unique
from support.emulator import gap_message

PATCH = "rds_gp3_storage_defaults"

# (storage type, GiB, explicit Iops, explicit StorageThroughput) -> (Iops, StorageThroughput) on stock / on AWS
CASES = [
    pytest.param(("gp3", 20, None, None), (None, None), (3000, 125), id="gp3-20GiB-baseline"),
    pytest.param(("gp3", 400, None, None), (None, None), (12000, 500), id="gp3-400GiB-scaled-baseline"),
    pytest.param(("gp3", 500, 15000, None), (15000, None), (15000, 500), id="gp3-500GiB-explicit-iops"),
    pytest.param(("gp3", 500, 16000, 1000), (16000, 1000), (16000, 1000), id="gp3-500GiB-explicit-both"),
    pytest.param(("gp2", 20, None, None), (None, None), (None, None), id="gp2-unchanged"),
]


def create_instance(rds: Any, storage_type: str, gib: int, iops: int | None, throughput: int | None) -> str:
    identifier = unique("db")
    optional = {"Iops": iops, "StorageThroughput": throughput}
    rds.create_db_instance(
        DBInstanceIdentifier=identifier,
        DBInstanceClass="db.t4g.micro",
        Engine="postgres",
        MasterUsername="triflow",
        MasterUserPassword="not-a-secret-1",
        StorageType=storage_type,
        AllocatedStorage=gib,
        **{key: value for key, value in optional.items() if value is not None},
    )
    return identifier


@pytest.mark.parametrize(("request_args", "stock", "aws"), CASES)
def test_gp3_reports_iops_and_throughput(
    aws_target: Endpoint,
    request_args: tuple[str, int, int | None, int | None],
    stock: tuple[int | None, int | None],
    aws: tuple[int | None, int | None],
) -> None:
    rds = aws_target.client("rds")
    identifier = create_instance(rds, *request_args)
    (instance,) = rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"]
    observed = (instance.get("Iops"), instance.get("StorageThroughput"))

    if aws_target.patched:
        assert observed == aws
    else:
        assert observed == stock, gap_message(3, PATCH)
