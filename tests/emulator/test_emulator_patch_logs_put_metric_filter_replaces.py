"""Gap 17: PutMetricFilter replaces a filter of the same name (patch logs_put_metric_filter_replaces)."""

from support.aws import Endpoint, unique
from support.emulator import gap_message

PATCH = "logs_put_metric_filter_replaces"


def test_putting_a_filter_again_replaces_it(aws_target: Endpoint) -> None:
    logs = aws_target.client("logs")
    group, other = unique("/app/logs"), unique("/app/other")
    for name in (group, other):
        logs.create_log_group(logGroupName=name)
    transformation = [{"metricName": "Errors", "metricNamespace": "App", "metricValue": "1"}]
    for log_group, pattern in ((group, "ERROR"), (group, '{ $.level = "ERROR" }'), (other, "ERROR")):
        logs.put_metric_filter(
            logGroupName=log_group, filterName="errors", filterPattern=pattern, metricTransformations=transformation
        )
    filters = logs.describe_metric_filters(logGroupName=group)["metricFilters"]

    if not aws_target.patched:
        assert [f["filterPattern"] for f in filters] == ["ERROR", '{ $.level = "ERROR" }'], gap_message(17, PATCH)
        return

    assert [(f["filterName"], f["filterPattern"]) for f in filters] == [("errors", '{ $.level = "ERROR" }')]
    assert [f["filterPattern"] for f in logs.describe_metric_filters(logGroupName=other)["metricFilters"]] == ["ERROR"]
