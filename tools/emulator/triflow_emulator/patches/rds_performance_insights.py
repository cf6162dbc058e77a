"""RDS Performance Insights flag (measured on moto 5.2.5).

Stock moto drops ``EnablePerformanceInsights`` and ``PerformanceInsightsRetentionPeriod`` of CreateDBInstance
(ModifyDBInstance keeps them) and DescribeDBInstances never reports ``PerformanceInsightsEnabled``, so
amazon.aws.rds_instance sees ``enable_performance_insights: true`` as a change on the run after the creation.

Patch: DBInstance keeps both settings given at creation, and ``performance_insights_enabled`` reports the stored
flag (false when never given), which moto's serializer turns into ``PerformanceInsightsEnabled``.
"""

from typing import Any

NAME = "rds_performance_insights"
SUMMARY = "DescribeDBInstances reports PerformanceInsightsEnabled"
MEASURED_ON = "5.2.5"


def _enabled(instance: Any) -> bool:
    return bool(instance.__dict__.get("enable_performance_insights", False))


KEPT = ("enable_performance_insights", "performance_insights_retention_period", "performance_insights_kms_key_id")


def apply() -> None:
    from moto.rds.models import DBInstance

    stock_init = DBInstance.__init__

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        stock_init(self, *args, **kwargs)
        for key in KEPT:
            if kwargs.get(key) is not None:
                setattr(self, key, kwargs[key])

    DBInstance.__init__ = init  # type: ignore[method-assign]
    DBInstance.performance_insights_enabled = property(_enabled)  # type: ignore[attr-defined]
