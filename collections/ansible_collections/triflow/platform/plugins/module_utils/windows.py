# -*- coding: utf-8 -*-
# Copyright: TriFlow AI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""AWS time windows (daily ``hh24:mi-hh24:mi``, weekly ``ddd:hh24:mi-ddd:hh24:mi``), their checks and overlaps."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY = 24 * 60
WEEK = 7 * DAY
DAILY = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$")
WEEKLY = re.compile(
    r"^(%s):([01]\d|2[0-3]):([0-5]\d)-(%s):([01]\d|2[0-3]):([0-5]\d)$" % ("|".join(DAYS), "|".join(DAYS))
)
MIN_MINUTES = 30


def _span(start, end, period):
    """(start, length) on a circle of ``period`` minutes."""
    return start, (end - start) % period


def daily_window_errors(variable, value):
    match = DAILY.match(str(value))
    if not match:
        return ["%s '%s' is not a daily UTC window hh24:mi-hh24:mi (e.g. 18:00-19:00)" % (variable, value)]
    hour1, minute1, hour2, minute2 = (int(group) for group in match.groups())
    if _span(hour1 * 60 + minute1, hour2 * 60 + minute2, DAY)[1] < MIN_MINUTES:
        return ["%s '%s' is shorter than %d minutes" % (variable, value, MIN_MINUTES)]
    return []


def weekly_window_errors(variable, value):
    match = WEEKLY.match(str(value))
    if not match:
        return [
            "%s '%s' is not a weekly UTC window ddd:hh24:mi-ddd:hh24:mi (e.g. mon:19:00-mon:20:00)" % (variable, value)
        ]
    start, end = _weekly_minutes(match)
    if _span(start, end, WEEK)[1] < MIN_MINUTES:
        return ["%s '%s' is shorter than %d minutes" % (variable, value, MIN_MINUTES)]
    return []


def _weekly_minutes(match):
    day1, hour1, minute1, day2, hour2, minute2 = match.groups()
    start = DAYS.index(day1) * DAY + int(hour1) * 60 + int(minute1)
    end = DAYS.index(day2) * DAY + int(hour2) * 60 + int(minute2)
    return start, end


def _overlap(first, second, period):
    """Whether two (start, length) spans on a circle of ``period`` minutes share a minute."""
    (start1, length1), (start2, length2) = first, second
    return (start2 - start1) % period < length1 or (start1 - start2) % period < length2


def daily_overlaps_weekly(daily, weekly):
    """Whether a daily window (valid) overlaps a weekly one (valid) on any day of the week."""
    hour1, minute1, hour2, minute2 = (int(group) for group in DAILY.match(daily).groups())
    daily_start, daily_length = _span(hour1 * 60 + minute1, hour2 * 60 + minute2, DAY)
    weekly_span = _span(*_weekly_minutes(WEEKLY.match(weekly)), period=WEEK)
    return any(_overlap((day * DAY + daily_start, daily_length), weekly_span, WEEK) for day in range(7))
