# -*- coding: utf-8 -*-
# Copyright: TriFlow AI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the network role: its desired routes and rules in the shapes the amazon.aws modules take."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError


def _routes(routes, gateway_ids):
    """Desired routes ({dest, gateway name}) as ec2_vpc_route_table takes them ({dest, gateway_id})."""
    missing = [route["gateway"] for route in routes if not gateway_ids.get(route["gateway"])]
    if missing:
        raise AnsibleFilterError("no id known for gateway(s) %s" % ", ".join(missing))
    return [{"dest": route["dest"], "gateway_id": gateway_ids[route["gateway"]]} for route in routes]


def _security_group_rules(rules, group_ids):
    """Desired rules, whose ``group`` names a peer group by key, as ec2_security_group takes them (group_id)."""
    result = []
    for rule in rules:
        rule = dict(rule)
        if "group" in rule:
            key = rule.pop("group")
            if not group_ids.get(key):
                raise AnsibleFilterError("no id known for security group '%s'" % key)
            rule["group_id"] = group_ids[key]
        result.append(rule)
    return result


class FilterModule:
    """Network filters."""

    def filters(self):
        return {
            "network_routes": _routes,
            "network_security_group_rules": _security_group_rules,
        }
