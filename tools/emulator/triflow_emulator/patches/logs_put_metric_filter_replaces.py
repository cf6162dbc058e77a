"""Gap 17 -- CloudWatch Logs PutMetricFilter adds a filter of the same name again (measured on moto 5.2.5).

AWS (CloudWatch Logs API Reference, PutMetricFilter): "Creates or updates a metric filter and associates it with
the specified log group"; a filter is named uniquely within its log group, and a PutMetricFilter naming an
existing one replaces its pattern and transformations.

Stock moto appends a second filter of the same name on every call: DescribeMetricFilters then lists both, and a
changed pattern leaves the old filter beside the new one.

Patch: PutMetricFilter first drops the log group's filter of that name, then adds the new one.
"""

from typing import Any

NAME = "logs_put_metric_filter_replaces"
SUMMARY = "PutMetricFilter replaces the log group's filter of the same name"
MEASURED_ON = "5.2.5"


def apply() -> None:
    from moto.logs.metric_filters import MetricFilters

    stock = MetricFilters.add_filter

    def add_filter(self: Any, filter_name: str, filter_pattern: str, log_group_name: str, *args: Any) -> None:
        self.metric_filters = [
            kept
            for kept in self.metric_filters
            if not (kept["filterName"] == filter_name and kept["logGroupName"] == log_group_name)
        ]
        stock(self, filter_name, filter_pattern, log_group_name, *args)

    MetricFilters.add_filter = add_filter  # type: ignore[method-assign]
