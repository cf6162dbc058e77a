# -*- coding: utf-8 -*-
# Copyright: TriFlow AI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""CloudWatch metric alarms compared field by field, and the API calls of the cloudwatch_metric_alarms module.

An alarm is written (``PutMetricAlarm``, which creates or replaces it whole) only when one of the fields the module
manages differs from what ``DescribeAlarms`` reports. What does not count as a difference:

* the order of the dimensions and of each list of actions (CloudWatch keeps them as sets);
* ``5`` against ``5.0`` for the threshold (a double in the API);
* an alarm described without ``TreatMissingData`` (made before the field existed) against ``missing``, its meaning;
* an alarm described without ``ActionsEnabled`` against ``true``, CloudWatch's default.

The state (``StateValue``, ``StateReason``, timestamps) and the ARN are CloudWatch's, never compared.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

# option name: the API's field, for the fields written as they are
FIELDS = (
    ("description", "AlarmDescription"),
    ("namespace", "Namespace"),
    ("metric_name", "MetricName"),
    ("statistic", "Statistic"),
    ("extended_statistic", "ExtendedStatistic"),
    ("comparison", "ComparisonOperator"),
    ("threshold", "Threshold"),
    ("period", "Period"),
    ("evaluation_periods", "EvaluationPeriods"),
    ("datapoints_to_alarm", "DatapointsToAlarm"),
    ("unit", "Unit"),
    ("treat_missing_data", "TreatMissingData"),
    ("actions_enabled", "ActionsEnabled"),
)
ACTIONS = (
    ("alarm_actions", "AlarmActions"),
    ("ok_actions", "OKActions"),
    ("insufficient_data_actions", "InsufficientDataActions"),
)
STATISTICS = ("SampleCount", "Average", "Sum", "Minimum", "Maximum")
# DescribeAlarms takes at most 100 names a call, DeleteAlarms at most 100 names.
BATCH = 100


def _dimensions(dimensions):
    """``{Name: Value}`` of the API's ``[{Name, Value}]``, or of a mapping already."""
    if isinstance(dimensions, dict):
        return dict((str(key), str(value)) for key, value in dimensions.items())
    return dict((item["Name"], item["Value"]) for item in dimensions or [])


def wanted_view(alarm, default_actions):
    """The alarm as the module compares and returns it: every managed field, actions and dimensions as sorted
    data; ``default_actions`` (``{alarm_actions: [...], ...}``) fills the lists the alarm does not give."""
    view = dict((option, alarm.get(option)) for option, _field in FIELDS)
    view["name"] = alarm["name"]
    view["threshold"] = float(alarm["threshold"])
    view["treat_missing_data"] = alarm.get("treat_missing_data") or "missing"
    view["actions_enabled"] = True if alarm.get("actions_enabled") is None else bool(alarm["actions_enabled"])
    view["dimensions"] = _dimensions(alarm.get("dimensions"))
    for option, _field in ACTIONS:
        given = alarm.get(option)
        if given is None:
            given = default_actions.get(option) or []
        view[option] = sorted(given)
    return view


def described_view(metric_alarm):
    """``DescribeAlarms``' ``MetricAlarms`` entry in the shape of ``wanted_view``."""
    view = dict((option, metric_alarm.get(field)) for option, field in FIELDS)
    view["name"] = metric_alarm["AlarmName"]
    if view["threshold"] is not None:
        view["threshold"] = float(view["threshold"])
    view["treat_missing_data"] = view["treat_missing_data"] or "missing"
    view["actions_enabled"] = True if view["actions_enabled"] is None else view["actions_enabled"]
    view["dimensions"] = _dimensions(metric_alarm.get("Dimensions"))
    for option, field in ACTIONS:
        view[option] = sorted(metric_alarm.get(field) or [])
    return view


def differences(wanted, actual):
    """The fields of ``wanted`` that ``actual`` (both views) holds otherwise, sorted; every field when absent."""
    if actual is None:
        return sorted(key for key in wanted if key != "name")
    return sorted(key for key in wanted if key != "name" and wanted[key] != actual.get(key))


def put_params(view):
    """``PutMetricAlarm``'s parameters for a wanted view (fields left unset are not sent)."""
    params = {"AlarmName": view["name"]}
    for option, field in FIELDS + ACTIONS:
        if view[option] is not None:
            params[field] = view[option]
    params["Dimensions"] = [{"Name": key, "Value": value} for key, value in sorted(view["dimensions"].items())]
    return params


def input_problems(alarms):
    """What CloudWatch would refuse in the alarms, each naming the alarm and option (an empty list when none)."""
    problems = []
    names = [alarm["name"] for alarm in alarms]
    for name in sorted(set(name for name in names if names.count(name) > 1)):
        problems.append("alarm %s is given %d times" % (name, names.count(name)))
    for alarm in alarms:
        if bool(alarm.get("statistic")) == bool(alarm.get("extended_statistic")):
            problems.append("alarm %s needs exactly one of statistic and extended_statistic" % alarm["name"])
        elif alarm.get("statistic") and alarm["statistic"] not in STATISTICS:
            problems.append(
                "alarm %s: statistic must be one of %s, not %r"
                % (alarm["name"], ", ".join(STATISTICS), alarm["statistic"])
            )
    return problems


def to_purge(described_names, wanted_names, pattern):
    """Names found under the purge prefix that match ``pattern`` (anchored at the start, as Jinja's ``match``) and
    are not wanted, sorted."""
    compiled = re.compile(pattern)
    return sorted(name for name in set(described_names) - set(wanted_names) if compiled.match(name))


def chunks(items, size=BATCH):
    return [items[start : start + size] for start in range(0, len(items), size)]


def describe_alarms(client, names=None, prefix=None):
    """``{name: MetricAlarms entry}`` of the named alarms (those that exist) or of those under ``prefix``."""
    found = {}
    paginator = client.get_paginator("describe_alarms")
    requests = [dict(AlarmNamePrefix=prefix)] if prefix else [dict(AlarmNames=batch) for batch in chunks(names)]
    for request in requests:
        for page in paginator.paginate(AlarmTypes=["MetricAlarm"], **request):
            for alarm in page.get("MetricAlarms", []):
                found[alarm["AlarmName"]] = alarm
    return found
