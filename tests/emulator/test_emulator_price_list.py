"""pricing:GetProducts (triflow_emulator/price_list.py): stock moto does not serve the Price List; the emulator
answers it from the catalog a test loads, as the API reference describes (filters, pages, errors)."""

from __future__ import annotations

import json

import pytest
import requests
from botocore.exceptions import ClientError
from support.aws import Endpoint

PATH = "/_triflow/price-list"


def product(sku, usagetype, usd, service="AmazonECS", region="ap-northeast-2"):
    return {
        "product": {
            "sku": sku,
            "productFamily": "Compute",
            "attributes": {"usagetype": usagetype, "regionCode": region},
        },
        "serviceCode": service,
        "terms": {
            "OnDemand": {
                f"{sku}.JRTCKXETXF": {
                    "priceDimensions": {
                        f"{sku}.JRTCKXETXF.6YS6EN2CT7": {
                            "unit": "hours",
                            "beginRange": "0",
                            "endRange": "Inf",
                            "pricePerUnit": {"USD": usd},
                        }
                    }
                }
            }
        },
        "publicationDate": "2026-08-31T00:00:00Z",
    }


CATALOG = [
    product("A", "APN2-Fargate-vCPU-Hours:perCPU", "0.0465600000"),
    product("B", "APN2-Fargate-GB-Hours", "0.0051100000"),
    product("C", "Fargate-GB-Hours", "0.0044450000", region="us-east-1"),
    product("D", "APN2-NatGateway-Hours", "0.0590000000", service="AmazonEC2"),
]


def term(field, value, kind="TERM_MATCH"):
    return {"Type": kind, "Field": field, "Value": value}


@pytest.fixture
def catalog(patched_emulator: Endpoint):
    answer = requests.put(patched_emulator.endpoint + PATH, data=json.dumps(CATALOG), timeout=10)
    assert answer.json() == {"products": 4}
    yield patched_emulator.client("pricing", region="us-east-1")
    assert requests.delete(patched_emulator.endpoint + PATH, timeout=10).json() == {"products": 0}


def test_stock_moto_does_not_serve_the_price_list(stock_moto: Endpoint) -> None:
    pricing = stock_moto.client("pricing", region="us-east-1")
    with pytest.raises(ClientError) as error:  # moto 5.2.5 has no pricing backend: HTTP 500
        pricing.get_products(ServiceCode="AmazonECS")
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500


def test_term_match_filters_return_the_one_product_as_a_json_string(catalog) -> None:
    answer = catalog.get_products(
        ServiceCode="AmazonECS",
        Filters=[term("regionCode", "ap-northeast-2"), term("usagetype", "APN2-Fargate-GB-Hours")],
        FormatVersion="aws_v1",
    )
    assert answer["FormatVersion"] == "aws_v1" and "NextToken" not in answer
    (found,) = [json.loads(item) for item in answer["PriceList"]]
    assert found["product"]["sku"] == "B" and found["serviceCode"] == "AmazonECS"


def test_the_service_code_and_the_other_filter_types(catalog) -> None:
    skus = lambda answer: sorted(json.loads(item)["product"]["sku"] for item in answer["PriceList"])  # noqa: E731
    assert skus(catalog.get_products(ServiceCode="AmazonECS")) == ["A", "B", "C"]
    assert skus(catalog.get_products(ServiceCode="AmazonEC2")) == ["D"]
    assert skus(catalog.get_products(ServiceCode="AmazonECS", Filters=[term("usagetype", "GB-Hours", "CONTAINS")])) == [
        "B",
        "C",
    ]
    any_of = term("regionCode", "us-east-1, eu-west-1", "ANY_OF")
    assert skus(catalog.get_products(ServiceCode="AmazonECS", Filters=[any_of])) == ["C"]
    none_of = term("regionCode", "us-east-1", "NONE_OF")
    assert skus(catalog.get_products(ServiceCode="AmazonECS", Filters=[none_of])) == ["A", "B"]


def test_pages_follow_next_token_and_a_bad_token_or_request_is_refused(catalog) -> None:
    first = catalog.get_products(ServiceCode="AmazonECS", MaxResults=2)
    assert len(first["PriceList"]) == 2 and first["NextToken"]
    second = catalog.get_products(ServiceCode="AmazonECS", MaxResults=2, NextToken=first["NextToken"])
    assert len(second["PriceList"]) == 1 and "NextToken" not in second
    for kwargs, code in [
        ({"NextToken": "not-a-token"}, "InvalidNextTokenException"),
        ({"MaxResults": 101}, "InvalidParameterException"),
        ({"FormatVersion": "aws_v2"}, "InvalidParameterException"),
    ]:
        with pytest.raises(ClientError) as error:
            catalog.get_products(ServiceCode="AmazonECS", **kwargs)
        assert error.value.response["Error"]["Code"] == code, kwargs
        assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
