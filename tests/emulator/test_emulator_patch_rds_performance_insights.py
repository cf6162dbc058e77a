"""RDS PerformanceInsightsEnabled (patch rds_performance_insights)."""

import pytest
from support.aws import Endpoint, unique
from support.emulator import gap_message

PATCH = "rds_performance_insights"


@pytest.mark.parametrize("enabled", [True, False])
def test_describe_reports_performance_insights(aws_target: Endpoint, enabled: bool) -> None:
    rds = aws_target.client("rds")
    identifier = unique("db")
    rds.create_db_instance(
        DBInstanceIdentifier=identifier,
        DBInstanceClass="db.t4g.micro",
        Engine="mysql",
        MasterUsername="triflow",
        MasterUserPassword="not-a-secret-1",
        AllocatedStorage=20,
        EnablePerformanceInsights=enabled,
        PerformanceInsightsRetentionPeriod=7,
    )
    described = rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]
    if aws_target.patched:
        assert described["PerformanceInsightsEnabled"] is enabled
        assert described["PerformanceInsightsRetentionPeriod"] == 7
    else:
        assert "PerformanceInsightsEnabled" not in described, gap_message(11, PATCH)
