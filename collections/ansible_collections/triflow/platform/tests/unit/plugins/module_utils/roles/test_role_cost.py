"""The cost role's model (module_utils/roles/cost.py) and its pricing (module_utils/cost.py), on the real desired
states of the other roles and the real price tables; each expected figure is computed by hand from the table."""

from __future__ import annotations

import pytest
import yaml
from ansible_collections.triflow.platform.plugins.module_utils.cost import PriceError, estimate, markdown
from support import roles
from support.emulator import REPO

PRICES = REPO / "roles" / "cost" / "files" / "prices"
FOLDERS = {"cost_report_dir": "reports/cost", "cost_prices_dir": str(PRICES)}


def table(region):
    return dict(yaml.safe_load((PRICES / f"{region}.yml").read_text()), file=f"{region}.yml")


def bill(**overrides):
    """The cost role's desired state for the defaults with ``overrides`` (the folders' defaults read the environment
    and the role's path, which the unit tests' templar has not)."""
    return roles.desired_state("cost", **{**FOLDERS, **overrides})


def by_item(report):
    return {(line["service"], line["item"].split(" (")[0]): line for line in report["lines"]}


def test_the_price_tables_are_the_regions_cost_region_allows_and_every_price_is_sourced_or_marked():
    choices = roles.options("cost")["cost_region"]["choices"]
    assert sorted(path.stem for path in PRICES.glob("*.yml")) == sorted(choices)
    for region in choices:
        prices = table(region)
        assert prices["region"] == region
        for key, entry in prices["prices"].items():
            if entry["usd"] is None:
                assert entry["source"] == "unsourced", key
            else:
                assert entry["source"] not in ("", "unsourced") and entry["as_of"], key
            filters = entry["query"]["filters"]
            # A product of every region (CloudWatch dashboards) is priced in location Any, without a region code.
            assert filters.get("regionCode") == region or filters.get("location") == "Any", key


def test_each_line_of_the_default_stack_priced_for_seoul():
    state = bill()
    assert state["prices_file"] == f"{PRICES}/ap-northeast-2.yml"
    report = estimate(state, table("ap-northeast-2"))
    lines = by_item(report)
    # 2 tasks of 1 vCPU / 2 GB (ecs_service_desired_count, task cpu 1024, memory 2048), 730 hours.
    assert lines["Fargate", "vCPU"]["monthly_usd"] == pytest.approx(2 * 1 * 730 * 0.04656, abs=1e-4)
    assert lines["Fargate", "memory"]["monthly_usd"] == pytest.approx(2 * 2 * 730 * 0.00511, abs=1e-4)
    # db.t4g.medium, Multi-AZ: two instances; 100 GB gp3 on each.
    assert lines["RDS", "db.t4g.medium instance"]["quantity"] == 1460
    assert lines["RDS", "db.t4g.medium instance"]["monthly_usd"] == pytest.approx(1460 * 0.102, abs=1e-4)
    assert lines["RDS", "gp3 storage"]["monthly_usd"] == pytest.approx(200 * 0.131, abs=1e-4)
    # 100 GB of backups (cost_usage default) within the free 100 % of provisioned storage: nothing billed.
    assert lines["RDS", "backup storage beyond the free allowance"]["monthly_usd"] == 0
    # A single NAT gateway (network_nat_mode single), its Elastic IP, 50 GB processed.
    assert lines["VPC", "NAT gateways"]["monthly_usd"] == pytest.approx(730 * 0.059, abs=1e-4)
    assert lines["VPC", "public IPv4 of the NAT gateways"]["monthly_usd"] == pytest.approx(730 * 0.005, abs=1e-4)
    assert lines["VPC", "NAT data processing"]["monthly_usd"] == pytest.approx(50 * 0.059, abs=1e-4)
    # The ALB: its hours, one public IPv4 per zone (2), LCUs = max(100 GB / 730 h, 5e6 req / (730 * 3600 s) / 25).
    assert lines["ELB", "Application Load Balancer"]["monthly_usd"] == pytest.approx(730 * 0.0225, abs=1e-4)
    assert lines["VPC", "public IPv4 of the load balancer"]["monthly_usd"] == pytest.approx(2 * 730 * 0.005, abs=1e-4)
    lcu = max(100 / 730, 5e6 / (730 * 3600) / 25)
    assert lines["ELB", "load balancer capacity units"]["monthly_usd"] == pytest.approx(lcu * 730 * 0.008, abs=1e-3)
    assert lines["Data transfer", "out to the internet"]["monthly_usd"] == pytest.approx(100 * 0.126, abs=1e-4)
    assert lines["S3", "Standard storage"]["monthly_usd"] == pytest.approx(50 * 0.025, abs=1e-4)
    assert lines["S3", "PUT, COPY, POST, LIST requests"]["monthly_usd"] == pytest.approx(100 * 0.0045, abs=1e-4)
    assert lines["ECR", "image storage"]["monthly_usd"] == pytest.approx(5 * 0.10, abs=1e-4)
    # 12 alarms + 3 ALB alarms; 10 GB of app logs kept 14 days; 2 GB of Container Insights events.
    assert lines["CloudWatch", "alarms"]["quantity"] == 15
    assert lines["CloudWatch", "alarms"]["monthly_usd"] == pytest.approx(15 * 0.10, abs=1e-4)
    assert lines["CloudWatch", "dashboard"]["monthly_usd"] == 3.0
    assert lines["CloudWatch", "logs ingested"]["monthly_usd"] == pytest.approx(10 * 0.76, abs=1e-4)
    assert lines["CloudWatch", "logs stored"]["monthly_usd"] == pytest.approx(10 * 14 / 30 * 0.0314, abs=1e-4)
    assert lines["CloudWatch", "Container Insights performance events ingested"]["monthly_usd"] == pytest.approx(
        2 * 0.76, abs=1e-4
    )
    # 4 secrets of the secrets role + the app's database login + DATABASE_URL and REDIS_URL.
    assert lines["Secrets Manager", "secrets"]["monthly_usd"] == pytest.approx(7 * 0.40, abs=1e-4)
    # Unsourced in the table: shown as such, out of the totals, named.
    assert lines["ElastiCache", "cache.t4g.small nodes"]["monthly_usd"] is None
    assert lines["ElastiCache", "cache.t4g.small nodes"]["source"] == "unsourced"
    assert "ElastiCache: cache.t4g.small nodes (primary + 1 replica(s))" in report["unsourced_lines"]
    assert report["total_monthly_usd"] == pytest.approx(
        sum(line["monthly_usd"] for line in report["lines"] if line["monthly_usd"] is not None), abs=0.01
    )


def test_the_maximum_scale_adds_only_the_extra_tasks():
    report = estimate(bill(), table("ap-northeast-2"))
    extra_tasks = 5 - 2  # ecs_service_max_count - ecs_service_desired_count
    per_task = 730 * (1 * 0.04656 + 2 * 0.00511)
    assert report["max_scale_monthly_usd"] - report["total_monthly_usd"] == pytest.approx(
        extra_tasks * per_task, abs=0.02
    )


def test_seoul_and_us_east_1_give_different_fargate_lines_and_totals():
    state = bill()
    seoul, virginia = estimate(state, table("ap-northeast-2")), estimate(state, table("us-east-1"))
    assert seoul["region"] == "ap-northeast-2" and virginia["region"] == "us-east-1"
    assert by_item(virginia)["Fargate", "vCPU"]["monthly_usd"] == pytest.approx(2 * 730 * 0.04048, abs=1e-4)
    assert by_item(seoul)["Fargate", "vCPU"]["monthly_usd"] > by_item(virginia)["Fargate", "vCPU"]["monthly_usd"]
    assert seoul["total_monthly_usd"] != virginia["total_monthly_usd"]


def test_per_az_nat_costs_more_than_one_nat_by_exactly_the_nat_lines():
    per_az = bill(cost_network=roles.desired_state("network", network_nat_mode="per_az"))
    single = bill()
    prices = table("ap-northeast-2")
    per_az_report, single_report = estimate(per_az, prices), estimate(single, prices)
    nat_lines = [line for line in per_az_report["lines"] if line["group"] == "nat"]
    assert [line["quantity"] for line in nat_lines] == [2 * 730, 2 * 730]
    one_nat = sum(line["monthly_usd"] for line in nat_lines) / 2
    assert per_az_report["total_monthly_usd"] - single_report["total_monthly_usd"] == pytest.approx(one_nat, abs=0.01)
    saving = next(option for option in per_az_report["savings"] if option["variable"] == "network_nat_mode=single")
    assert saving["saves_monthly_usd"] == pytest.approx(one_nat, abs=0.01)
    assert saving["monthly_usd"] == single_report["total_monthly_usd"]


def test_an_option_that_changes_an_unsourced_line_saves_an_unknown_amount():
    report = estimate(bill(), table("ap-northeast-2"))
    savings = {option["variable"]: option["saves_monthly_usd"] for option in report["savings"]}
    assert savings["rds_multi_az=false"] == pytest.approx(730 * 0.102 + 100 * 0.131, abs=0.01)
    assert savings["elasticache_replicas=0"] is None  # the node price is unsourced for Seoul


def test_an_instance_class_the_table_does_not_price_fails_naming_the_variable():
    rds = roles.desired_state("rds", rds_instance_class="db.r7g.4xlarge")
    with pytest.raises(PriceError) as error:
        estimate(bill(cost_rds=rds), table("ap-northeast-2"))
    message = str(error.value)
    assert message.startswith("rds_instance_class: db.r7g.4xlarge has no price in the ap-northeast-2 price table")
    assert "db.t4g.medium" in message


def test_a_local_currency_converts_every_figure_and_the_markdown_names_it():
    state = bill(cost_currency={"code": "KRW", "per_usd": 1400})
    report = estimate(state, table("ap-northeast-2"), state["currency"])
    assert report["total_monthly_local"] == round(report["total_monthly_usd"] * 1400)
    text = markdown(report)
    assert "Monthly (KRW)" in text and "In KRW at 1400.0 per USD" in text
    assert "Not in the totals, their price is unsourced" in text


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"cost_region": "eu-west-1"}, "cost_region"),
        ({"cost_usage": {"nat_gb": -1}}, "cost_usage.nat_gb must be 0 or more, got -1"),
        ({"cost_currency": {"code": "KRW", "per_usd": 0}}, "cost_currency.per_usd must be above 0"),
        ({"cost_currency": {"code": "KRW"}}, "per_usd"),
    ],
)
def test_bad_inputs_are_rejected_naming_the_variable(overrides, message):
    errors = roles.errors("cost", **FOLDERS, **overrides)
    assert any(message in error for error in errors), errors


def test_a_reserved_price_in_the_table_shows_what_reserving_saves():
    prices = table("ap-northeast-2")
    assert not [key for key in prices["prices"] if "reserved" in key]  # none is sourced today: no such option
    assert [o["option"] for o in estimate(bill(), prices)["savings"] if "reserved" in o["option"]] == []
    prices["prices"]["rds.reserved_instance_hour.db.t4g.medium"] = {"usd": 0.07, "unit": "instance-hour", "source": "x"}
    option = next(o for o in estimate(bill(), prices)["savings"] if o["option"].startswith("reserved database"))
    assert option["saves_monthly_usd"] == pytest.approx(1460 * (0.102 - 0.07), abs=0.01)
