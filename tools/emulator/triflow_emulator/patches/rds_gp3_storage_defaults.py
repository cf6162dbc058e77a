"""Gap 3 -- RDS gp3 baseline IOPS / throughput (measured on moto 5.2.5).

Stock moto reports neither ``Iops`` nor ``StorageThroughput`` for a ``StorageType: gp3`` DB instance created
without them (CreateDBInstance and DescribeDBInstances). AWS always reports the gp3 baseline:

  * MariaDB, MySQL, PostgreSQL, Db2: below 400 GiB 3000 IOPS / 125 MiB/s; at or above 400 GiB 12000 / 500;
  * Oracle: the same with a 200 GiB threshold;
  * SQL Server: 3000 / 125 at any size.

Patch: ``DBInstance.iops`` and ``DBInstance.storage_throughput`` become properties that return the value
given explicitly (CreateDBInstance / ModifyDBInstance) and otherwise, for gp3, the baseline above. The
baseline follows ``AllocatedStorage`` and ``StorageType`` when they are modified. Other storage types are
unchanged.
"""

from typing import Any

NAME = "rds_gp3_storage_defaults"
SUMMARY = "gp3 DB instances report baseline Iops / StorageThroughput (3000/125, or 12000/500 from 400 GiB)"
MEASURED_ON = "5.2.5"

GP3 = "gp3"
BASELINE = (3000, 125)
SCALED_BASELINE = (12000, 500)
DEFAULT_THRESHOLD_GIB = 400
ORACLE_THRESHOLD_GIB = 200


def gp3_baseline(engine: str, allocated_storage: int) -> tuple[int, int]:
    """(iops, throughput MiB/s) AWS reports for a gp3 volume without explicit values."""
    if engine.startswith("sqlserver"):
        return BASELINE
    threshold = ORACLE_THRESHOLD_GIB if engine.startswith("oracle") else DEFAULT_THRESHOLD_GIB
    return SCALED_BASELINE if int(allocated_storage) >= threshold else BASELINE


def baseline_for(instance: Any) -> tuple[int, int] | None:
    if getattr(instance, "storage_type", None) != GP3:
        return None
    allocated = getattr(instance, "allocated_storage", None)
    if allocated is None:
        return None
    return gp3_baseline(str(instance.engine), int(allocated))


def _get_iops(self: Any) -> Any:
    explicit = self.__dict__.get("_triflow_iops")
    if explicit is not None:
        return explicit
    baseline = baseline_for(self)
    return baseline[0] if baseline else None


def _set_iops(self: Any, value: Any) -> None:
    self.__dict__["_triflow_iops"] = value


def _get_storage_throughput(self: Any) -> int | None:
    explicit = self.__dict__.get("_storage_throughput")
    if explicit is not None:
        return int(explicit)
    baseline = baseline_for(self)
    return baseline[1] if baseline else None


def apply() -> None:
    from moto.rds.models import DBInstance

    stock_throughput = DBInstance.storage_throughput
    DBInstance.iops = property(_get_iops, _set_iops)  # type: ignore[assignment,method-assign]
    DBInstance.storage_throughput = property(  # type: ignore[method-assign,assignment]
        _get_storage_throughput, stock_throughput.fset
    )
