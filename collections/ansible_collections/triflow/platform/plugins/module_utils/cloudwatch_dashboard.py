# -*- coding: utf-8 -*-
# Copyright: TriFlow AI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""CloudWatch dashboards compared by meaning, and the few API calls of the cloudwatch_dashboard module.

What counts as the same dashboard (``same_body``):

* key order and whitespace: bodies are compared as parsed JSON, never as text;
* ``300`` and ``300.0`` (one JSON number), but not ``300`` and ``"300"`` nor ``true`` and ``1``;
* the order of the widgets when every widget has both ``x`` and ``y`` (their place on the grid is then fixed by
  those, so the widgets are compared as a set keyed by position); when one has no position CloudWatch places the
  widgets in their order, so order counts;
* the shorthand of a ``metrics`` array: ``"."`` repeats the value at that position of the previous row and
  ``"..."`` stands for the previous row's values that the row does not give itself, so
  ``["...", "i-2"]`` after ``["AWS/EC2", "CPUUtilization", "InstanceId", "i-1"]`` is
  ``["AWS/EC2", "CPUUtilization", "InstanceId", "i-2"]``.

Nothing else is normalised: CloudWatch's defaults (a widget's width, a graph's view) are not filled in.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code

NOT_FOUND = "ResourceNotFound"
INVALID_INPUT = "InvalidParameterInput"
NAME_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
REPEAT_ONE = "."
REPEAT_REST = "..."


def name_problem(name):
    """Why CloudWatch would refuse ``name`` as a dashboard name, or None."""
    if not NAME_PATTERN.match(name or ""):
        return "dashboard name %r must be 1 to 255 letters, digits, '-' or '_'" % (name,)
    return None


def parse_body(body):
    """The dashboard body as data: ``body`` may already be a dict or be its JSON text. Raises ValueError."""
    if isinstance(body, (str, bytes)):
        body = json.loads(body)  # json's ValueError says where the text is wrong
    if not isinstance(body, dict):
        raise ValueError("the dashboard body must be an object with a widgets list, not %s" % type(body).__name__)
    if not isinstance(body.get("widgets"), list):
        raise ValueError("the dashboard body must have a widgets list")
    return body


def _split_options(row):
    """A metrics row as (its values, its options object or None)."""
    if row and isinstance(row[-1], dict):
        return list(row[:-1]), row[-1]
    return list(row), None


def expand_metric_row(row, previous):
    """``row`` with its "." and "..." replaced by the values of ``previous`` (the expanded row before it).

    A row that cannot be expanded (no previous row with values, a "..." that leaves nothing to fill, two "...") is
    returned as it is, so it can only equal a body that says the very same.
    """
    if not isinstance(row, list):
        return row
    values, options = _split_options(row)
    previous_values = _split_options(previous)[0] if isinstance(previous, list) else []
    uses_shorthand = any(value in (REPEAT_ONE, REPEAT_REST) for value in values)
    if not uses_shorthand:
        return row
    if not previous_values or values.count(REPEAT_REST) > 1:
        return row
    if REPEAT_REST in values:
        at = values.index(REPEAT_REST)
        head, tail = values[:at], values[at + 1 :]
        if len(head) + len(tail) > len(previous_values):
            return row
        values = head + previous_values[at : len(previous_values) - len(tail)] + tail
    expanded = []
    for position, value in enumerate(values):
        if value == REPEAT_ONE:
            if position >= len(previous_values):
                return row
            value = previous_values[position]
        expanded.append(value)
    return expanded + ([options] if options is not None else [])


def expand_metrics(metrics):
    """A widget's ``metrics`` array with every row written out in full."""
    if not isinstance(metrics, list):
        return metrics
    expanded = []
    previous = None
    for row in metrics:
        row = expand_metric_row(row, previous)
        expanded.append(row)
        previous = row
    return expanded


def _canonical_value(value):
    """JSON data with integral floats as ints (one JSON number), so that 300 and 300.0 compare equal."""
    if isinstance(value, dict):
        return dict((key, _canonical_value(item)) for key, item in value.items())
    if isinstance(value, list):
        return [_canonical_value(item) for item in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _sort_key(value):
    return json.dumps(value, sort_keys=True)


def _canonical_widget(widget):
    if not isinstance(widget, dict):
        return widget
    widget = dict(widget)
    properties = widget.get("properties")
    if isinstance(properties, dict) and "metrics" in properties:
        widget["properties"] = dict(properties, metrics=expand_metrics(properties["metrics"]))
    return widget


def _has_position(widget):
    return isinstance(widget, dict) and "x" in widget and "y" in widget


def normalize_body(body):
    """The body in a canonical form: two bodies CloudWatch shows alike normalise to equal values."""
    body = _canonical_value(body)
    widgets = [_canonical_widget(widget) for widget in body.get("widgets") or []]
    if widgets and all(_has_position(widget) for widget in widgets):
        # Each widget carries its place on the grid: compare them as a set (sorted the same way on both sides).
        widgets = sorted(widgets, key=_sort_key)
    return dict(body, widgets=widgets)


def same_body(first, second):
    """Whether two dashboard bodies (dicts or JSON text) mean the same dashboard."""
    try:
        first, second = parse_body(first), parse_body(second)
    except ValueError:
        return first == second
    # Compared as sorted JSON text: in Python True == 1, in a dashboard body they differ.
    return _sort_key(normalize_body(first)) == _sort_key(normalize_body(second))


def format_validation_messages(messages):
    """PutDashboard's DashboardValidationMessages as one line each, "DataPath: Message"."""
    lines = []
    for message in messages or []:
        path = message.get("DataPath") or message.get("dataPath") or "/"
        text = message.get("Message") or message.get("message") or ""
        lines.append("%s: %s" % (path, text))
    return lines


def get_dashboard(client, name):
    """The dashboard as GetDashboard describes it, or None when there is none of that name."""
    try:
        return client.get_dashboard(aws_retry=True, DashboardName=name)
    except is_boto3_error_code(NOT_FOUND):
        return None


def put_dashboard(client, name, body):
    """Write the dashboard; returns PutDashboard's validation messages (warnings when the call succeeded)."""
    response = client.put_dashboard(aws_retry=True, DashboardName=name, DashboardBody=json.dumps(body))
    return response.get("DashboardValidationMessages") or []


def delete_dashboard(client, name):
    """Delete the dashboard; True when it was there."""
    try:
        client.delete_dashboards(aws_retry=True, DashboardNames=[name])
    except is_boto3_error_code(NOT_FOUND):
        return False
    return True


def stored_body(dashboard):
    """The body GetDashboard returned, as data (the raw text when it is not valid JSON)."""
    text = dashboard.get("DashboardBody")
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        return text
