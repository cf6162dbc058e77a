"""module_utils/price_list.py against recorded GetProducts answers (botocore Stubber): the shape the Price List
Query API returns (each product a JSON string with product, terms and publicationDate)."""

from __future__ import annotations

import json

import boto3
import pytest
import yaml
from ansible_collections.triflow.platform.plugins.module_utils.price_list import queries_of, read_prices
from botocore.stub import Stubber
from support.emulator import REPO

QUERY = {"service_code": "AmazonECS", "filters": {"regionCode": "ap-northeast-2", "usagetype": "APN2-Fargate-GB-Hours"}}


def product(usd, usagetype="APN2-Fargate-GB-Hours", tiers=None):
    dimensions = tiers or {
        "SKU.JRTCKXETXF.6YS6EN2CT7": {
            "unit": "hours",
            "beginRange": "0",
            "endRange": "Inf",
            "description": "AWS Fargate - Memory - Asia Pacific (Seoul)",
            "pricePerUnit": {"USD": usd},
        }
    }
    return json.dumps(
        {
            "product": {
                "productFamily": "Compute",
                "sku": "SKU",
                "attributes": {"usagetype": usagetype, "regionCode": "ap-northeast-2"},
            },
            "serviceCode": "AmazonECS",
            "terms": {"OnDemand": {"SKU.JRTCKXETXF": {"priceDimensions": dimensions, "sku": "SKU"}}},
            "version": "20260831000000",
            "publicationDate": "2026-08-31T00:00:00Z",
        }
    )


def filters(query):
    return [{"Type": "TERM_MATCH", "Field": f, "Value": v} for f, v in sorted(query["filters"].items())]


@pytest.fixture
def pricing():
    client = boto3.client("pricing", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(client) as stub:
        yield client, stub


def expect(stub, query, products, token=None, next_token=None):
    params = {"ServiceCode": query["service_code"], "Filters": filters(query), "FormatVersion": "aws_v1"}
    if token:
        params["NextToken"] = token
    answer = {"FormatVersion": "aws_v1", "PriceList": products}
    if next_token:
        answer["NextToken"] = next_token
    stub.add_response("get_products", answer, params)


def test_one_product_gives_its_first_tier_with_the_query_and_publication_as_source(pricing):
    client, stub = pricing
    expect(stub, QUERY, [product("0.0051100000")])
    prices, problems = read_prices(client, {"fargate.gb_hour.X86_64": QUERY}, "2026-12-02")
    assert problems == []
    entry = prices["fargate.gb_hour.X86_64"]
    assert entry["usd"] == 0.00511 and entry["as_of"] == "2026-12-02" and entry["price_list_unit"] == "hours"
    assert entry["source"] == (
        "AWS Price List API GetProducts AmazonECS regionCode=ap-northeast-2, usagetype=APN2-Fargate-GB-Hours "
        "(publication 2026-08-31T00:00:00Z)"
    )
    stub.assert_no_pending_responses()


def test_tiers_take_the_one_from_zero_and_scale_multiplies(pricing):
    client, stub = pricing
    tiers = {
        "B": {
            "unit": "GB",
            "beginRange": "10240",
            "endRange": "Inf",
            "description": "next",
            "pricePerUnit": {"USD": "0.1"},
        },
        "A": {
            "unit": "GB",
            "beginRange": "0",
            "endRange": "10240",
            "description": "first",
            "pricePerUnit": {"USD": "0.126"},
        },
    }
    query = dict(QUERY, scale=1000)
    expect(stub, query, [product("0", tiers=tiers)])
    prices = read_prices(client, {"k": query}, "2026-12-02")[0]
    assert prices["k"]["usd"] == 126.0 and prices["k"]["description"] == "first"


def test_pages_are_followed_and_several_products_are_a_problem_not_a_guess(pricing):
    client, stub = pricing
    expect(stub, QUERY, [product("0.1")], next_token="page2")
    expect(stub, QUERY, [product("0.2")], token="page2")
    prices, problems = read_prices(client, {"fargate.gb_hour.X86_64": QUERY}, "2026-12-02")
    assert prices == {}
    assert problems == [
        "fargate.gb_hour.X86_64: 2 products match AmazonECS regionCode=ap-northeast-2, "
        "usagetype=APN2-Fargate-GB-Hours (exactly one must): the table keeps its entry"
    ]


def test_no_product_is_a_problem(pricing):
    client, stub = pricing
    expect(stub, QUERY, [])
    assert read_prices(client, {"k": QUERY}, "2026-12-02") == (
        {},
        [
            "k: 0 products match AmazonECS regionCode=ap-northeast-2, usagetype=APN2-Fargate-GB-Hours "
            "(exactly one must): the table keeps its entry"
        ],
    )


def test_the_price_tables_entries_are_the_queries_and_a_bad_one_is_named():
    table = yaml.safe_load((REPO / "roles/cost/files/prices/ap-northeast-2.yml").read_text())["prices"]
    queries, bad = queries_of(table)
    assert bad == [] and set(queries) == set(table)
    assert queries["fargate.vcpu_hour.X86_64"]["filters"]["usagetype"] == "APN2-Fargate-vCPU-Hours:perCPU"
    assert queries_of({"x": {"filters": {}}, "y": {"usd": 1, "unit": "h"}}) == ({"x": {"filters": {}}}, ["x"])
