# -*- coding: utf-8 -*-
# Copyright: TriFlow AI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Rules of AWS that roles and modules check before any call, each written once.

* ``int_in_range``: a whole number within bounds (argument_specs checks the type, not the range).
* ``LOG_RETENTION_DAYS``: the only retentions CloudWatch Logs accepts; ``log_retention_in_range`` checks one.
* ``window_errors``: a daily window (RDS backups, ElastiCache snapshots, ``hh24:mi-hh24:mi``) and a weekly one
  (maintenance, ``ddd:hh24:mi-ddd:hh24:mi``), UTC: format, minimum length, and no overlap on any day of the week.
  RDS wants 30 minutes at least, ElastiCache 60; touching windows are allowed (AWS allows them).
* ``failover_errors``: ElastiCache automatic failover needs a replica, Multi-AZ needs automatic failover.

Each message names the variable (or module option) it is about: callers pass the names.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

# The only values CloudWatch Logs accepts as a retention in days (15 is not one of them).
LOG_RETENTION_DAYS = (
    1,
    3,
    5,
    7,
    14,
    30,
    60,
    90,
    120,
    150,
    180,
    365,
    400,
    545,
    731,
    1096,
    1827,
    2192,
    2557,
    2922,
    3288,
    3653,
)

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY = 24 * 60
WEEK = 7 * DAY
DAILY = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$")
WEEKLY = re.compile(
    r"^(%s):([01]\d|2[0-3]):([0-5]\d)-(%s):([01]\d|2[0-3]):([0-5]\d)$" % ("|".join(DAYS), "|".join(DAYS))
)
# Shortest windows AWS accepts, in minutes.
RDS_WINDOW_MINUTES = 30
ELASTICACHE_WINDOW_MINUTES = 60


def int_in_range(variable, value, low, high, errors):
    """Whether ``value`` is a whole number from ``low`` to ``high``; appends a message to ``errors`` when not."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        errors.append("%s %r is invalid: a whole number from %d to %d" % (variable, value, low, high))
        return False
    return True


def log_retention_in_range(variable, value, errors):
    """Whether ``value`` is a retention CloudWatch Logs accepts; appends a message to ``errors`` when not."""
    if isinstance(value, bool) or value not in LOG_RETENTION_DAYS:
        errors.append(
            "%s %r is not a CloudWatch Logs retention; allowed values: %s"
            % (variable, value, ", ".join(map(str, LOG_RETENTION_DAYS)))
        )
        return False
    return True


def parse_daily(value):
    """``(start minute of the day, length in minutes)``, or None when malformed."""
    match = DAILY.match(str(value or ""))
    if not match:
        return None
    hour1, minute1, hour2, minute2 = (int(group) for group in match.groups())
    start = hour1 * 60 + minute1
    return start, (hour2 * 60 + minute2 - start) % DAY


def parse_weekly(value):
    """``(start minute of the week, length in minutes)``, or None when malformed; day names in any case."""
    match = WEEKLY.match(str(value or "").lower())
    if not match:
        return None
    day1, hour1, minute1, day2, hour2, minute2 = match.groups()
    start = DAYS.index(day1) * DAY + int(hour1) * 60 + int(minute1)
    end = DAYS.index(day2) * DAY + int(hour2) * 60 + int(minute2)
    return start, (end - start) % WEEK


def _share_time(first, second, period):
    """Whether two (start, length) spans on a circle of ``period`` minutes share a minute (touching does not)."""
    (start1, length1), (start2, length2) = first, second
    return (start2 - start1) % period < length1 or (start1 - start2) % period < length2


def _spans_overlap(daily, weekly):
    """Whether a parsed daily window overlaps a parsed weekly one on any day of the week."""
    return any(_share_time((day * DAY + daily[0], daily[1]), weekly, WEEK) for day in range(7))


def window_errors(daily_variable, daily, weekly_variable, weekly, minimum):
    """Problems of a daily and a weekly window; a window given as None is not checked (nor their overlap)."""
    errors = []
    daily_span = weekly_span = None
    if daily is not None:
        daily_span = parse_daily(daily)
        if daily_span is None:
            errors.append(
                "%s '%s' is not a daily UTC window hh24:mi-hh24:mi (e.g. 18:00-19:00)" % (daily_variable, daily)
            )
        elif daily_span[1] < minimum:
            errors.append("%s '%s' is shorter than %d minutes" % (daily_variable, daily, minimum))
            daily_span = None
    if weekly is not None:
        weekly_span = parse_weekly(weekly)
        if weekly_span is None:
            errors.append(
                "%s '%s' is not a weekly UTC window ddd:hh24:mi-ddd:hh24:mi (e.g. mon:19:00-mon:20:00)"
                % (weekly_variable, weekly)
            )
        elif weekly_span[1] < minimum:
            errors.append("%s '%s' is shorter than %d minutes" % (weekly_variable, weekly, minimum))
            weekly_span = None
    if daily_span and weekly_span and _spans_overlap(daily_span, weekly_span):
        errors.append(
            "%s '%s' overlaps %s '%s': AWS requires them apart" % (daily_variable, daily, weekly_variable, weekly)
        )
    return errors


def failover_errors(names, replicas, automatic_failover, multi_az):
    """ElastiCache's replica / automatic failover / Multi-AZ rules; a value given as None is not checked.

    ``names`` maps ``replicas``, ``automatic_failover`` and ``multi_az`` to the variable or option names to report.
    """
    errors = []
    if automatic_failover and replicas is not None and replicas < 1:
        errors.append(
            "%s needs %s of at least 1, a replica to fail over to (it is %d)"
            % (names["automatic_failover"], names["replicas"], replicas)
        )
    if multi_az and automatic_failover is False:
        errors.append("%s needs %s" % (names["multi_az"], names["automatic_failover"]))
    return errors
