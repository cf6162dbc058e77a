"""Gap 1 -- EC2 NAT gateway tags (measured on moto 5.2.5).

Stock moto:
  * ``DescribeTags`` reports NAT gateway tags with ``ResourceType: nat-gateway``; AWS says ``natgateway``.
    So ``DescribeTags`` filtered on ``resource-type=natgateway`` returns nothing.
  * ``DescribeNatGateways`` ignores ``tag:<key>``, ``tag-key`` and ``tag-value`` filters: every NAT gateway
    matches, so a lookup by ``tag:Name`` (as amazon.aws.ec2_vpc_nat_gateway and inventory roles do) finds
    the wrong gateways.
  (Tags given as TagSpecifications at creation, CreateTags / DeleteTags on a ``nat-...`` id and the
  ``Tags`` shown by DescribeNatGateways already work.)

Patch:
  * map the ``nat`` id prefix to resource type ``natgateway`` in moto's prefix table (used by DescribeTags);
  * apply tag filters in ``NatGatewayBackend.describe_nat_gateways`` after moto's own filters.
"""

from typing import Any

NAME = "ec2_nat_gateway_tags"
SUMMARY = "DescribeTags ResourceType natgateway; DescribeNatGateways honours tag:<key>/tag-key/tag-value filters"
MEASURED_ON = "5.2.5"

AWS_RESOURCE_TYPE = "natgateway"
TAG_FILTER_NAMES = frozenset({"tag-key", "tag-value"})


def is_tag_filter(name: str) -> bool:
    return name.startswith("tag:") or name in TAG_FILTER_NAMES


def apply() -> None:
    from moto.ec2 import utils as ec2_utils
    from moto.ec2.models.nat_gateways import NatGateway, NatGatewayBackend

    # Same dict object that moto.ec2.models.tags imported, so mutate it in place.
    ec2_utils.EC2_PREFIX_TO_RESOURCE[ec2_utils.EC2_RESOURCE_TO_PREFIX["nat-gateway"]] = AWS_RESOURCE_TYPE

    stock_describe = NatGatewayBackend.describe_nat_gateways

    def describe_nat_gateways(self: Any, filters: Any, nat_gateway_ids: list[str] | None) -> list[NatGateway]:
        nat_gateways = stock_describe(self, filters, nat_gateway_ids)
        for name, values in (filters or {}).items():
            if is_tag_filter(name):
                nat_gateways = [nat for nat in nat_gateways if ec2_utils.tag_filter_matches(nat, name, values)]
        return nat_gateways

    NatGatewayBackend.describe_nat_gateways = describe_nat_gateways  # type: ignore[method-assign]
