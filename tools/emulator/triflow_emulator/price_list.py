"""The AWS Price List Query API's GetProducts (service ``pricing``), which moto does not serve.

AWS's catalog is data AWS publishes, not account state, so the emulator starts with none: a test (or an operator)
loads one with ``PUT /_triflow/price-list`` (a JSON list of product documents, each as GetProducts returns it:
``product`` with ``sku``, ``productFamily`` and ``attributes``, ``serviceCode``, ``terms``, ``publicationDate``);
``GET`` answers how many products it holds, ``DELETE`` and moto's reset empty it.

GetProducts behaves as the API reference says
(https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_pricing_GetProducts.html and
https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_pricing_Filter.html):
- ``ServiceCode`` is required; each filter's ``Field`` is ``ServiceCode`` or a product attribute name (and
  ``sku`` / ``productFamily``); ``Type`` is TERM_MATCH or EQUALS (exact value), CONTAINS (substring), ANY_OF /
  NONE_OF (comma-separated values); another type is an ``InvalidParameterException``.
- ``FormatVersion`` ``aws_v1`` (the default); ``PriceList`` holds each product as a JSON string.
- ``MaxResults`` 1..100 (default 100); ``NextToken`` pages on, an unknown one is ``InvalidNextTokenException``.
Errors answer HTTP 400 with the JSON protocol's ``__type`` and ``Message``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable
from typing import Any

PATH = "/_triflow/price-list"
TARGET_PREFIX = "AWSPriceListService."
FILTER_TYPES = ("TERM_MATCH", "EQUALS", "CONTAINS", "ANY_OF", "NONE_OF")
MAX_RESULTS = 100

_catalog: list[dict[str, Any]] = []
_lock = threading.Lock()


class PricingError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def _value(product: dict[str, Any], field: str) -> str | None:
    if field == "ServiceCode":
        return product.get("serviceCode")
    details = product.get("product", {})
    if field in ("sku", "productFamily"):
        return details.get(field)
    return details.get("attributes", {}).get(field)


def _matches(product: dict[str, Any], flt: dict[str, Any]) -> bool:
    kind, wanted = flt.get("Type"), str(flt.get("Value", ""))
    value = _value(product, str(flt.get("Field", "")))
    if kind == "NONE_OF":
        return value is None or value not in [item.strip() for item in wanted.split(",")]
    if value is None:
        return False
    if kind in ("TERM_MATCH", "EQUALS"):
        return value == wanted
    if kind == "CONTAINS":
        return wanted in value
    return value in [item.strip() for item in wanted.split(",")]  # ANY_OF


def get_products(request: dict[str, Any]) -> dict[str, Any]:
    service = request.get("ServiceCode")
    if not service:
        raise PricingError("InvalidParameterException", "ServiceCode is required")
    filters = request.get("Filters") or []
    for flt in filters:
        if flt.get("Type") not in FILTER_TYPES:
            raise PricingError(
                "InvalidParameterException",
                f"Filter Type {flt.get('Type')!r} is not one of {', '.join(FILTER_TYPES)}",
            )
    version = request.get("FormatVersion", "aws_v1")
    if version != "aws_v1":
        raise PricingError("InvalidParameterException", f"FormatVersion {version!r} is not supported: aws_v1")
    size = int(request.get("MaxResults") or MAX_RESULTS)
    if not 1 <= size <= MAX_RESULTS:
        raise PricingError("InvalidParameterException", f"MaxResults must be 1..100, got {size}")
    with _lock:
        found = [p for p in _catalog if p.get("serviceCode") == service and all(_matches(p, f) for f in filters)]
    token = request.get("NextToken")
    start = 0
    if token:
        if not (token.isdigit() and 0 < int(token) < len(found)):
            raise PricingError("InvalidNextTokenException", "The NextToken is not valid")
        start = int(token)
    page = found[start : start + size]
    answer: dict[str, Any] = {"FormatVersion": "aws_v1", "PriceList": [json.dumps(p) for p in page]}
    if start + size < len(found):
        answer["NextToken"] = str(start + size)
    return answer


def _respond(start_response: Callable[..., Any], status: str, body: dict[str, Any], kind: str) -> list[bytes]:
    payload = json.dumps(body).encode()
    start_response(status, [("Content-Type", kind), ("Content-Length", str(len(payload)))])
    return [payload]


def reset() -> None:
    with _lock:
        _catalog.clear()


def with_price_list(app: Callable[..., Iterable[bytes]]) -> Callable[..., Iterable[bytes]]:
    """Serve pricing:GetProducts and ``PATH`` in front of moto."""

    def wrapped(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "GET")
        if path == PATH:
            if method == "PUT":
                products = json.loads(environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0)) or b"[]")
                with _lock:
                    _catalog[:] = list(products)
            elif method == "DELETE":
                reset()
            with _lock:
                return _respond(start_response, "200 OK", {"products": len(_catalog)}, "application/json")
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        if target.startswith(TARGET_PREFIX):
            kind = "application/x-amz-json-1.1"
            body = json.loads(environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0)) or b"{}")
            action = target[len(TARGET_PREFIX) :]
            try:
                if action != "GetProducts":
                    raise PricingError("InvalidParameterException", f"{action} is not served by the emulator")
                return _respond(start_response, "200 OK", get_products(body), kind)
            except PricingError as error:
                return _respond(start_response, "400 Bad Request", {"__type": error.code, "Message": str(error)}, kind)
        if path == "/moto-api/reset":
            reset()
        return app(environ, start_response)

    return wrapped
