"""Run LocalStack's community runtime (4.13.1, its own virtualenv), with three of its answers made AWS's.

Run by tools/localstack/control.py with the LocalStack virtualenv's Python: ``python serve.py [--stock]``.
LocalStack serves EC2 through its fork of moto (moto-ext 5.1.54) and CloudWatch with a provider of its own; three
calls the product makes are answered unlike AWS, so that amazon.aws modules or the teardown fail or never converge
on LocalStack though they do on AWS. Each patch below says what AWS answers and where that is documented;
tests/localstack/test_localstack_patches.py shows each one stock and patched. ``--stock`` runs LocalStack as it is
(for those tests). Everything else LocalStack answers is its own.
"""

from __future__ import annotations

import importlib.util
import runpy
import sys
from pathlib import Path

EMULATOR_PATCHES = Path(__file__).resolve().parents[1] / "emulator" / "triflow_emulator" / "patches"


def ec2_nat_gateway_tags() -> None:
    """DescribeTags names a NAT gateway's resource type ``natgateway`` (EC2 API Reference, DescribeTags,
    ``resource-type`` filter values) and DescribeNatGateways honours ``tag:<key>`` filters; moto-ext says
    ``nat-gateway`` and ignores them, as moto 5.2.5 does: the project emulator's own patch, loaded from its file.
    Without it amazon.aws.ec2_vpc_nat_gateway finds no tags (its filter is resource-type=natgateway) and reports
    changed on every run."""
    spec = importlib.util.spec_from_file_location("ec2_nat_gateway_tags", EMULATOR_PATCHES / "ec2_nat_gateway_tags.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.apply()


def ec2_create_route_table_origin() -> None:
    """CreateRouteTable answers the table's local route with ``Origin: CreateRouteTable``, as DescribeRouteTables does
    (EC2 API Reference, Route: "Origin - How the route was created. CreateRouteTable - The route was automatically
    created when the route table was created"; the AWS CLI's create-route-table output shows it). moto-ext's
    response template leaves it out (moto 5.2 has it); amazon.aws.ec2_vpc_route_table then fails creating a table
    with routes: KeyError 'Origin'."""
    from moto.ec2.responses import route_tables

    stock = route_tables.CREATE_ROUTE_TABLE_RESPONSE
    local_route = "<gatewayId>local</gatewayId>\n             <state>active</state>"
    assert local_route in stock, "moto-ext's CreateRouteTable template changed: check the patch"
    route_tables.CREATE_ROUTE_TABLE_RESPONSE = stock.replace(
        local_route, local_route + "\n             <origin>CreateRouteTable</origin>"
    )


def cloudwatch_get_dashboard_not_found() -> None:
    """GetDashboard of a dashboard that does not exist answers ``ResourceNotFound`` (HTTP 404: botocore's CloudWatch
    model, DashboardNotFoundError; seen from AWS in hashicorp/terraform-provider-aws#25548: "ResourceNotFound:
    Dashboard ... does not exist, status code: 404"). LocalStack's CloudWatch provider answers InvalidParameterValue
    (HTTP 400), which the teardown takes for a bad request, not for a dashboard already gone."""
    import functools

    from localstack.aws.api.cloudwatch import DashboardNotFoundError, InvalidParameterValueException
    from localstack.services.cloudwatch.provider_v2 import CloudwatchProvider

    stock = CloudwatchProvider.get_dashboard

    @functools.wraps(stock)
    def get_dashboard(self, context, dashboard_name, **kwargs):
        try:
            return stock(self, context, dashboard_name, **kwargs)
        except InvalidParameterValueException as error:
            if "does not exist" not in str(error):
                raise
            raise DashboardNotFoundError(f"Dashboard {dashboard_name} does not exist") from None

    CloudwatchProvider.get_dashboard = get_dashboard


PATCHES = (ec2_nat_gateway_tags, ec2_create_route_table_origin, cloudwatch_get_dashboard_not_found)


def main() -> None:
    stock = "--stock" in sys.argv[1:]
    if not stock:
        for patch in PATCHES:
            patch()
    print("LocalStack answers: %s" % ("stock" if stock else "patched: " + ", ".join(p.__name__ for p in PATCHES)))
    sys.stdout.flush()
    sys.argv = [sys.argv[0]]
    runpy.run_module("localstack.runtime.main", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
