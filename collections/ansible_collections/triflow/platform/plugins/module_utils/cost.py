# -*- coding: utf-8 -*-
# Copyright: TriFlow AI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A stack's bill of quantities (module_utils/roles/cost.py) priced with a region's price table.

A price table (roles/cost/files/prices/<region>.yml) maps a price key (``fargate.vcpu_hour.X86_64``) to
``{usd, unit, source, as_of}``; ``usd: null`` with ``source: unsourced`` is a price nobody could source, which the
estimate reports as such and leaves out of the totals (never a guessed figure). A key the table does not hold at all
is an error naming the variable that chose it (``rds_instance_class``), with the values the table prices.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

UNSOURCED = "unsourced"
# On-demand price keys whose reserved counterpart a table may hold (the effective hourly price of a 1-year, no
# upfront reservation); when it does, with a source, the estimate shows what reserving saves.
RESERVED = (
    ("rds.instance_hour.", "rds.reserved_instance_hour.", "reserved database instance (1 year, no upfront)"),
    ("elasticache.node_hour.", "elasticache.reserved_node_hour.", "reserved cache nodes (1 year, no upfront)"),
)


class PriceError(ValueError):
    """A line whose price key the table does not hold."""


def _unit_price(table, line):
    prices = table["prices"]
    key = line["price"]
    if key not in prices:
        # Names like rds.instance_hour.db.t4g.medium: the stem is the first two dotted parts.
        stem = ".".join(key.split(".")[:2])
        known = sorted(name[len(stem) + 1 :] for name in prices if name.startswith(stem + "."))
        raise PriceError(
            "%s: %s has no price in the %s price table (%s); it prices %s"
            % (
                line["variable"],
                line["choice"],
                table["region"],
                table.get("file", "the table"),
                ", ".join(known) or "none",
            )
        )
    return prices[key]


def _round(value, digits=2):
    return None if value is None else round(value + 0.0, digits)


def price_lines(lines, table):
    """Each line with its unit price, monthly USD and source; ``monthly_usd`` is None for an unsourced price
    (0 when the quantity is 0: nothing is billed, whatever the price)."""
    priced = []
    for line in lines:
        entry = _unit_price(table, line)
        usd = entry.get("usd")
        sourced = usd is not None and entry.get("source") not in (None, "", UNSOURCED)
        if not sourced:
            usd = None
        # Nothing is billed for a quantity of 0, whatever the price.
        monthly = 0.0 if line["quantity"] == 0 else (None if usd is None else line["quantity"] * usd)
        priced.append(
            dict(
                line,
                unit_price_usd=usd,
                monthly_usd=_round(monthly, 4),
                source=entry.get("source") if sourced else UNSOURCED,
                as_of=entry.get("as_of") if sourced else None,
            )
        )
    return priced


def total(priced):
    return _round(sum(line["monthly_usd"] for line in priced if line["monthly_usd"] is not None))


def unsourced(priced):
    return [line for line in priced if line["monthly_usd"] is None]


def saved(lines, alternative):
    """What the alternative (other quantities, or other prices) saves a month; None when a line it changes has an
    unsourced price."""
    saving = 0.0
    for index, line in enumerate(lines):
        other = alternative[index]
        if line["quantity"] == other["quantity"] and line["price"] == other["price"]:
            continue
        if line["monthly_usd"] is None or other["monthly_usd"] is None:
            return None
        saving += line["monthly_usd"] - other["monthly_usd"]
    return _round(saving)


def estimate(bill, table, currency=None):
    """The cost report of one stack: lines at the desired count, totals at desired and at max scale, savings."""
    lines = price_lines(bill["lines"], table)
    max_lines = price_lines(bill["max_scale_lines"], table)
    report = {
        "stack": bill["stack"],
        "region": table["region"],
        "stack_region": bill["stack_region"],
        "price_table": table.get("file"),
        "price_table_as_of": table.get("as_of"),
        "hours_per_month": bill["hours_per_month"],
        "usage": bill["usage"],
        "total_monthly_usd": total(lines),
        "max_scale_monthly_usd": total(max_lines),
        "lines": lines,
        "unsourced_lines": ["%s: %s" % (line["service"], line["item"]) for line in unsourced(lines)],
        "savings": [],
    }
    for option in bill["options"]:
        alternative = price_lines(option["lines"], table)
        report["savings"].append(
            {
                "option": option["option"],
                "variable": option["variable"],
                "monthly_usd": total(alternative),
                "saves_monthly_usd": saved(lines, alternative),
            }
        )
    for on_demand, reserved, name in RESERVED:
        swapped = [
            dict(line, price=reserved + line["price"][len(on_demand) :])
            if line["price"].startswith(on_demand)
            else line
            for line in bill["lines"]
        ]
        keys = [line["price"] for line in swapped if line["price"].startswith(reserved)]
        if keys and all((table["prices"].get(key) or {}).get("usd") is not None for key in keys):
            alternative = price_lines(swapped, table)
            report["savings"].append(
                {
                    "option": name,
                    "variable": "a reservation bought in the account (no inventory variable)",
                    "monthly_usd": total(alternative),
                    "saves_monthly_usd": saved(lines, alternative),
                }
            )
    if currency:
        rate = float(currency["per_usd"])
        report["currency"] = {"code": currency["code"], "per_usd": rate}
        report["total_monthly_local"] = _round(report["total_monthly_usd"] * rate, 0)
        report["max_scale_monthly_local"] = _round(report["max_scale_monthly_usd"] * rate, 0)
        for line in report["lines"]:
            line["monthly_local"] = None if line["monthly_usd"] is None else _round(line["monthly_usd"] * rate, 0)
    return report


def _money(value, digits=2):
    return "unsourced" if value is None else ("%.*f" % (digits, value))


def markdown(report):
    """The report as a Markdown table for people (the JSON holds the same figures)."""
    local = report.get("currency")
    head = "| Service | Item | Quantity | Unit | Unit price (USD) | Monthly (USD) |"
    rule = "|---|---|---:|---|---:|---:|"
    if local:
        head += " Monthly (%s) |" % local["code"]
        rule += "---:|"
    out = [
        "# Monthly cost of %s (%s prices)" % (report["stack"], report["region"]),
        "",
        "Price table: %s, prices as of %s; %g hours a month."
        % (report["price_table"], report["price_table_as_of"], report["hours_per_month"]),
        "",
        head,
        rule,
    ]
    for line in report["lines"]:
        row = "| %s | %s | %s | %s | %s | %s |" % (
            line["service"],
            line["item"],
            ("%.4f" % line["quantity"]).rstrip("0").rstrip("."),
            line["unit"],
            "unsourced" if line["unit_price_usd"] is None else ("%.6f" % line["unit_price_usd"]).rstrip("0"),
            _money(line["monthly_usd"]),
        )
        if local:
            row += " %s |" % ("unsourced" if line["monthly_local"] is None else "%.0f" % line["monthly_local"])
        out.append(row)
    out += [
        "",
        "**Total at the desired count: %s USD a month**; at the autoscaling maximum: %s USD."
        % (_money(report["total_monthly_usd"]), _money(report["max_scale_monthly_usd"])),
    ]
    if local:
        out.append(
            "In %s at %s per USD: %.0f (desired count), %.0f (maximum)."
            % (local["code"], local["per_usd"], report["total_monthly_local"], report["max_scale_monthly_local"])
        )
    if report["unsourced_lines"]:
        out += [
            "",
            "Not in the totals, their price is unsourced in the table: %s." % "; ".join(report["unsourced_lines"]),
        ]
    if report["savings"]:
        out += ["", "| Option | Variable | Monthly (USD) | Saves (USD) |", "|---|---|---:|---:|"]
        for option in report["savings"]:
            out.append(
                "| %s | %s | %s | %s |"
                % (
                    option["option"],
                    option["variable"],
                    _money(option["monthly_usd"]),
                    _money(option["saves_monthly_usd"]),
                )
            )
    out += ["", "Sources of the unit prices:", ""]
    for line in report["lines"]:
        if line["source"] != UNSOURCED:
            out.append("- %s, %s: %s (as of %s)" % (line["service"], line["item"], line["source"], line["as_of"]))
    return "\n".join(out) + "\n"
