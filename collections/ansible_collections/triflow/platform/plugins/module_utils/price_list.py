# -*- coding: utf-8 -*-
# Copyright: TriFlow AI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""On-demand unit prices from the AWS Price List Query API (pricing:GetProducts), for the cost role's tables.

Each query names an offer (``service_code``, e.g. AmazonECS) and TERM_MATCH filters (``regionCode``,
``usagetype``, ...); it must match exactly one product (a query matching none or several is reported, never
guessed). The price is the product's OnDemand term's first tier (``beginRange`` 0), times ``scale`` (1000 for a
price per 1,000 requests). GetProducts answers each product as a JSON string with ``product``, ``terms`` and
``publicationDate``: https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_pricing_GetProducts.html
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

# The Price List Query API answers in us-east-1 (and eu-central-1, ap-south-1), whatever region is priced.
PRICING_REGION = "us-east-1"


def queries_of(values):
    """``(queries, bad keys)``: each value a query, or a price-table entry holding one in ``query`` (an entry
    without a query is left out: nothing to ask)."""
    queries = {}
    for key, value in values.items():
        if isinstance(value, dict) and "usd" in value:
            if not value.get("query"):
                continue
            value = value["query"]
        queries[key] = value
    bad = sorted(
        key
        for key, query in queries.items()
        if not isinstance(query, dict) or "service_code" not in query or not isinstance(query.get("filters"), dict)
    )
    return queries, bad


def _products(client, query):
    filters = [
        {"Type": "TERM_MATCH", "Field": field, "Value": value} for field, value in sorted(query["filters"].items())
    ]
    products, token = [], None
    while True:
        kwargs = {"ServiceCode": query["service_code"], "Filters": filters, "FormatVersion": "aws_v1"}
        if token:
            kwargs["NextToken"] = token
        page = client.get_products(**kwargs)
        products.extend(json.loads(item) if isinstance(item, str) else item for item in page.get("PriceList", []))
        token = page.get("NextToken")
        if not token:
            return products


def first_tier(product):
    """``(usd per unit, unit, description)`` of the product's OnDemand first tier, or None."""
    for term in (product.get("terms") or {}).get("OnDemand", {}).values():
        dimensions = sorted(term.get("priceDimensions", {}).values(), key=lambda d: float(d.get("beginRange") or 0))
        for dimension in dimensions:
            usd = dimension.get("pricePerUnit", {}).get("USD")
            if usd is not None:
                return float(usd), dimension.get("unit"), dimension.get("description")
    return None


def describe(query):
    return "%s %s" % (query["service_code"], ", ".join("%s=%s" % item for item in sorted(query["filters"].items())))


def read_prices(client, queries, today):
    """``(prices, problems)``: for each key of ``queries`` its price entry, else a problem naming the key."""
    prices, problems = {}, []
    for key in sorted(queries):
        query = queries[key]
        products = _products(client, query)
        if len(products) != 1:
            problems.append(
                "%s: %d products match %s (exactly one must): the table keeps its entry"
                % (key, len(products), describe(query))
            )
            continue
        tier = first_tier(products[0])
        if tier is None:
            problems.append("%s: the product matching %s has no OnDemand price" % (key, describe(query)))
            continue
        usd, unit, description = tier
        prices[key] = {
            "usd": round(usd * float(query.get("scale", 1)), 8),
            "price_list_unit": unit,
            "description": description,
            "source": "AWS Price List API GetProducts %s (publication %s)"
            % (describe(query), products[0].get("publicationDate", "unknown")),
            "as_of": today,
            # A note of the entry (e.g. a conflicting record) no longer applies once the API answered.
            "note": None,
        }
    return prices, problems
