"""playbooks/cost_prices_refresh.yml for real, against the emulator's Price List (a catalog of products this test
loads, as GetProducts answers them): the rewritten table, its sources and dates, the queries it could not settle,
and the estimate priced with it."""

from __future__ import annotations

import datetime
import json
import shutil

import requests
import yaml
from support.emulator import REPO

PRICES = REPO / "roles" / "cost" / "files" / "prices"
REGION = "ap-northeast-2"
NO_PRODUCT = "cloudwatch.dashboard_month"
TWO_PRODUCTS = "rds.backup_gb_month"


def product(sku, query, usd):
    attributes = {name: value for name, value in query["filters"].items() if name != "productFamily"}
    family = query["filters"].get("productFamily", "Test")
    return {
        "product": {"sku": sku, "productFamily": family, "attributes": attributes},
        "serviceCode": query["service_code"],
        "terms": {
            "OnDemand": {
                f"{sku}.T": {
                    "priceDimensions": {
                        f"{sku}.T.D": {
                            "unit": "Hrs",
                            "beginRange": "0",
                            "endRange": "Inf",
                            "pricePerUnit": {"USD": usd},
                        }
                    }
                }
            }
        },
        "publicationDate": "2026-11-20T00:00:00Z",
    }


def test_the_refresh_rewrites_the_table_from_the_price_list(emulator, playbook, tmp_path):
    prices = tmp_path / "prices"
    shutil.copytree(PRICES, prices)
    table = yaml.safe_load((prices / f"{REGION}.yml").read_text())["prices"]
    catalog, expected = [], {}
    for number, (key, entry) in enumerate(sorted(table.items())):
        if key == NO_PRODUCT:
            continue
        usd = f"{0.001 * (number + 1):.10f}"
        catalog.append(product(f"SKU{number}", entry["query"], usd))
        if key == TWO_PRODUCTS:
            catalog.append(product(f"SKU{number}B", entry["query"], "9.0"))
        else:
            expected[key] = float(usd) * entry["query"].get("scale", 1)
    loaded = requests.put(f"{emulator.endpoint}/_triflow/price-list", data=json.dumps(catalog), timeout=10)
    assert loaded.json() == {"products": len(catalog)}
    try:
        emulator.clear_calls()
        run = playbook(
            "playbooks/cost_prices_refresh.yml",
            "inventories/local",
            extra_vars={"cost_prices_dir": str(prices), "cost_refresh_regions": [REGION]},
        )
        assert run.rc == 0, run.tail()
        assert emulator.calls()["calls"] == {"pricing.GetProducts": len(table)}
    finally:
        requests.delete(f"{emulator.endpoint}/_triflow/price-list", timeout=10)

    refreshed = yaml.safe_load((prices / f"{REGION}.yml").read_text())
    today = datetime.datetime.now(datetime.UTC).date().isoformat()
    assert refreshed["region"] == REGION and refreshed["as_of"] == today
    for key, usd in expected.items():
        entry = refreshed["prices"][key]
        assert entry["usd"] == round(usd, 8), key
        assert entry["source"].startswith(f"AWS Price List API GetProducts {table[key]['query']['service_code']} ")
        assert entry["source"].endswith("(publication 2026-11-20T00:00:00Z)") and entry["as_of"] == today
        assert entry["query"] == table[key]["query"] and entry["unit"] == table[key]["unit"]
    for key in (NO_PRODUCT, TWO_PRODUCTS):
        assert refreshed["prices"][key] == table[key], key
    assert f"{NO_PRODUCT}: 0 products match" in run.output and f"{TWO_PRODUCTS}: 2 products match" in run.output
    assert (prices / "us-east-1.yml").read_text() == (PRICES / "us-east-1.yml").read_text()

    reports = tmp_path / "reports"
    estimate = playbook(
        "playbooks/cost_estimate.yml",
        "inventories/local",
        extra_vars={"cost_prices_dir": str(prices)},
        env={"TRIFLOW_REPORT_DIR": str(reports)},
    )
    assert estimate.rc == 0, estimate.tail()
    report = json.loads((reports / "cost" / "triflow-demo-dev.json").read_text())
    nodes = next(line for line in report["lines"] if line["service"] == "ElastiCache")
    assert nodes["unit_price_usd"] == expected[nodes["price"]] and nodes["monthly_usd"] is not None
    assert report["unsourced_lines"] == []
