"""RDS engine-default parameters in DescribeDBParameters (patch rds_default_parameters)."""

from support.aws import Endpoint, unique
from support.emulator import gap_message

PATCH = "rds_default_parameters"


def test_engine_defaults_are_described_and_source_filters(aws_target: Endpoint) -> None:
    rds = aws_target.client("rds")
    name = unique("pg")
    rds.create_db_parameter_group(DBParameterGroupName=name, DBParameterGroupFamily="postgres16", Description="t")
    names = {p["ParameterName"] for p in rds.describe_db_parameters(DBParameterGroupName=name)["Parameters"]}
    if not aws_target.patched:
        assert names == set(), gap_message(12, PATCH)
        return
    assert {"shared_preload_libraries", "max_connections", "log_statement", "rds.force_ssl"} <= names

    rds.modify_db_parameter_group(
        DBParameterGroupName=name,
        Parameters=[{"ParameterName": "log_statement", "ParameterValue": "mod", "ApplyMethod": "immediate"}],
    )
    user = rds.describe_db_parameters(DBParameterGroupName=name, Source="user")["Parameters"]
    assert [(p["ParameterName"], p["ParameterValue"], p["Source"]) for p in user] == [("log_statement", "mod", "user")]
    static = {
        p["ParameterName"]: p["ApplyType"]
        for p in rds.describe_db_parameters(DBParameterGroupName=name, Source="engine-default")["Parameters"]
    }
    assert static["shared_preload_libraries"] == "static"
    assert "log_statement" not in static
