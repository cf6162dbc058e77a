"""Gap 15 -- EC2 ignores ClientToken (measured on moto 5.2.5).

AWS ("Ensuring idempotency in Amazon EC2 API requests", EC2 API Reference): a create call that carries a
``ClientToken`` and is repeated with the same token and the same parameters creates nothing more and answers
with the resource the first call made; the same token with other parameters fails with
``IdempotentParameterMismatch``. botocore fills the token itself for the operations whose model marks it an
idempotency token (CreateNatGateway, CreateRouteTable among the project's calls), once per call, so its
retries of a call whose first answer was lost (a 500 after the write) carry the same token; CreateVpcEndpoint
takes the token the caller gives (amazon.aws.ec2_vpc_endpoint's ``client_token``).

Stock moto reads no ``ClientToken``: the retried CreateNatGateway fails with ``Resource.AlreadyAssociated``
(the Elastic IP is taken by the first gateway), a retried CreateRouteTable makes a second table and a retried
CreateVpcEndpoint a second endpoint.

Patch: CreateNatGateway, CreateRouteTable and CreateVpcEndpoint remember each token with the call's other
parameters and the resource made; a repeat with the same token answers with that resource (as it is now), a
repeat with other parameters fails with ``IdempotentParameterMismatch``. Calls without a token are unchanged.
"""

from typing import Any

NAME = "ec2_client_token"
SUMMARY = "CreateNatGateway, CreateRouteTable, CreateVpcEndpoint honour ClientToken (same token: the first resource)"
MEASURED_ON = "5.2.5"

# operation (the response method) -> (the backend's dict of its resources, the answer's key)
IDEMPOTENT = {
    "create_nat_gateway": ("nat_gateways", "NatGateway"),
    "create_route_table": ("route_tables", "RouteTable"),
    "create_vpc_endpoint": ("vpc_end_points", "VpcEndpoint"),
}
IGNORED_PARAMETERS = frozenset({"Action", "Version", "ClientToken"})


def parameters(querystring: dict[str, list[str]]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The call's parameters but its token, in a comparable form."""
    return tuple(sorted((key, tuple(values)) for key, values in querystring.items() if key not in IGNORED_PARAMETERS))


def apply() -> None:
    from moto.core.responses import ActionResult
    from moto.ec2.exceptions import EC2ClientError
    from moto.ec2.responses.nat_gateways import NatGateways
    from moto.ec2.responses.route_tables import RouteTables
    from moto.ec2.responses.vpcs import VPCs

    class IdempotentParameterMismatch(EC2ClientError):
        def __init__(self, token: str) -> None:
            super().__init__(
                "IdempotentParameterMismatch",
                f"The client token {token} was already used with different parameters.",
            )

    def idempotent(operation: str, stock: Any) -> Any:
        resources_attribute, answer_key = IDEMPOTENT[operation]

        def create(self: Any) -> Any:
            token = self._get_param("ClientToken")
            if not token:
                return stock(self)
            backend = self.ec2_backend
            tokens = backend.__dict__.setdefault("_triflow_client_tokens", {})
            wanted = parameters(self.querystring)
            known = tokens.get((operation, token))
            if known is not None:
                given, resource_id = known
                if given != wanted:
                    raise IdempotentParameterMismatch(token)
                resource = getattr(backend, resources_attribute).get(resource_id)
                if resource is not None:
                    return ActionResult({answer_key: resource, "ClientToken": token})
            made = stock(self).result
            tokens[(operation, token)] = (wanted, made[answer_key].id)
            return ActionResult({**made, "ClientToken": token})

        return create

    for cls, operation in (
        (NatGateways, "create_nat_gateway"),
        (RouteTables, "create_route_table"),
        (VPCs, "create_vpc_endpoint"),
    ):
        setattr(cls, operation, idempotent(operation, getattr(cls, operation)))
