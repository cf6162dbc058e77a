# -*- coding: utf-8 -*-
# Copyright: TriFlow AI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Small input checks the roles' filters share; each appends a message naming the variable."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

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


def int_in_range(variable, value, low, high, errors):
    """Whether ``value`` is a whole number from ``low`` to ``high``; appends a message to ``errors`` when not."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        errors.append("%s %r is invalid: a whole number from %d to %d" % (variable, value, low, high))
        return False
    return True
