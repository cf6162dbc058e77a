# -*- coding: utf-8 -*-
# Copyright: TriFlow AI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""AWS time windows (daily ``hh24:mi-hh24:mi``, weekly ``ddd:hh24:mi-ddd:hh24:mi``, UTC): parsing, checks and
overlaps, for RDS (backup / maintenance, 30 minutes at least) and ElastiCache (snapshot / maintenance, 60)."""

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
RDS_MINIMUM = 30


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


def spans_overlap(daily, weekly):
    """Whether a parsed daily window overlaps a parsed weekly one on any day of the week."""
    return any(_share_time((day * DAY + daily[0], daily[1]), weekly, WEEK) for day in range(7))


def daily_window_errors(variable, value, minimum=RDS_MINIMUM):
    span = parse_daily(value)
    if span is None:
        return ["%s '%s' is not a daily UTC window hh24:mi-hh24:mi (e.g. 18:00-19:00)" % (variable, value)]
    if span[1] < minimum:
        return ["%s '%s' is shorter than %d minutes" % (variable, value, minimum)]
    return []


def weekly_window_errors(variable, value, minimum=RDS_MINIMUM):
    span = parse_weekly(value)
    if span is None:
        return [
            "%s '%s' is not a weekly UTC window ddd:hh24:mi-ddd:hh24:mi (e.g. mon:19:00-mon:20:00)" % (variable, value)
        ]
    if span[1] < minimum:
        return ["%s '%s' is shorter than %d minutes" % (variable, value, minimum)]
    return []


def daily_overlaps_weekly(daily, weekly):
    """Whether a valid daily window overlaps a valid weekly one on any day of the week."""
    return spans_overlap(parse_daily(daily), parse_weekly(weekly))
