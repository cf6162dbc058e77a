"""playbooks/cost_estimate.yml for real: the reports it writes, read back; no AWS call (the sizes come from the
desired states, the prices from roles/cost/files/prices)."""

from __future__ import annotations

import json

import pytest


@pytest.fixture
def estimate(emulator, playbook, tmp_path):
    """Run the estimate on an inventory and return ``(run, {stack prefix: JSON report})``."""

    def run(inventory, extra_vars=None, name="run"):
        reports = tmp_path / name
        emulator.clear_calls()
        result = playbook(
            "playbooks/cost_estimate.yml", inventory, extra_vars=extra_vars, env={"TRIFLOW_REPORT_DIR": str(reports)}
        )
        assert emulator.calls()["total"] == 0
        found = {path.stem: json.loads(path.read_text()) for path in (reports / "cost").glob("*.json")}
        return result, found

    return run


def test_the_demo_stack_priced_for_seoul_and_for_us_east_1(estimate, tmp_path):
    seoul_run, seoul = estimate("inventories/local", name="seoul")
    assert seoul_run.rc == 0, seoul_run.tail()
    report = seoul["triflow-demo-dev"]
    assert report["region"] == "ap-northeast-2" and report["stack_region"] == "ap-northeast-2"
    assert report["total_monthly_usd"] > 0 and report["max_scale_monthly_usd"] > report["total_monthly_usd"]
    for line in report["lines"]:
        assert set(line) >= {"service", "item", "quantity", "unit", "unit_price_usd", "monthly_usd", "source"}
    assert report["unsourced_lines"], "the Seoul table marks the ElastiCache node price unsourced"
    markdown = (tmp_path / "seoul" / "cost" / "triflow-demo-dev.md").read_text()
    assert f"**Total at the desired count: {report['total_monthly_usd']:.2f} USD a month**" in markdown
    assert "USD a month at the desired count" in seoul_run.output

    virginia_run, virginia = estimate("inventories/local", {"cost_region": "us-east-1"}, name="virginia")
    assert virginia_run.rc == 0, virginia_run.tail()
    assert virginia["triflow-demo-dev"]["region"] == "us-east-1"
    assert virginia["triflow-demo-dev"]["total_monthly_usd"] != report["total_monthly_usd"]


def test_per_az_nat_costs_more_than_one_nat_by_exactly_the_nat_lines(estimate):
    per_az_run, per_az = estimate("inventories/customer_a", name="per_az")
    single_run, single = estimate("inventories/customer_a", {"network_nat_mode": "single"}, name="single")
    assert per_az_run.rc == 0 and single_run.rc == 0, per_az_run.tail() + single_run.tail()
    per_az, single = per_az["triflow-acme-prod"], single["triflow-acme-prod"]
    nat = [line["monthly_usd"] for line in per_az["lines"] if line["group"] == "nat"]
    nat_single = [line["monthly_usd"] for line in single["lines"] if line["group"] == "nat"]
    assert per_az["total_monthly_usd"] - single["total_monthly_usd"] == pytest.approx(
        sum(nat) - sum(nat_single), abs=0.01
    )
    assert sum(nat) == pytest.approx(2 * sum(nat_single), abs=0.01)
    others = [line for line in per_az["lines"] if line["group"] != "nat"]
    assert others == [line for line in single["lines"] if line["group"] != "nat"]


def test_every_customer_at_once(estimate):
    run, reports = estimate("inventories/", name="all")
    assert run.rc == 0, run.tail()
    assert sorted(reports) == ["triflow-acme-prod", "triflow-demo-dev", "triflow-globex-staging"]


@pytest.mark.parametrize(
    ("extra_vars", "expected"),
    [
        ({"rds_instance_class": "db.x9.huge"}, "rds_instance_class: db.x9.huge has no price in the ap-northeast-2"),
        ({"cost_region": "mars-1"}, "cost_region"),
        ({"cost_usage": {"nat_gb": -5}}, "cost_usage.nat_gb must be 0 or more, got -5"),
    ],
)
def test_bad_input_fails_naming_the_variable(estimate, extra_vars, expected):
    run, reports = estimate("inventories/local", extra_vars)
    assert run.rc != 0
    assert expected in run.output, run.tail()
    assert reports == {}
