"""Gap 16 -- ELBv2 CreateLoadBalancer and CreateListener are not idempotent (measured on moto 5.2.5).

AWS (Elastic Load Balancing API Reference): CreateLoadBalancer "is idempotent, which means that it completes at
most one time. If you attempt to create multiple load balancers with the same settings, each call succeeds"; a
load balancer of the same name with other settings answers ``DuplicateLoadBalancerName``. CreateListener says the
same of listeners; another listener on the same port answers ``DuplicateListener``.

Stock moto makes a second load balancer of the same name, and a second listener on the same port, on every call
(it looks for duplicates by ARNs that hold a new random id, or a port among ARNs), so a create that botocore
retries after a lost answer leaves two.

Patch: a CreateLoadBalancer naming an existing load balancer of the account and region answers with it when the
settings match (type, scheme, IP address type, subnets, security groups), and fails with
``DuplicateLoadBalancerName`` when they do not; a CreateListener on a port the load balancer already listens on
answers with that listener when the protocol and default actions match, and fails with ``DuplicateListener``
when they do not.
"""

from typing import Any

NAME = "elbv2_idempotent_create"
SUMMARY = "CreateLoadBalancer / CreateListener with the settings of an existing one answer with it"
MEASURED_ON = "5.2.5"


def settings(
    loadbalancer_type: Any, scheme: Any, ip_address_type: Any, subnet_ids: Any, security_groups: Any
) -> tuple[Any, ...]:
    return (
        loadbalancer_type or "application",
        scheme or "internet-facing",
        ip_address_type or "ipv4",
        frozenset(subnet_ids or ()),
        frozenset(security_groups or ()),
    )


def apply() -> None:
    from moto.elbv2.exceptions import DuplicateListenerError, DuplicateLoadBalancerName
    from moto.elbv2.models import ELBv2Backend, FakeAction

    stock = ELBv2Backend.create_load_balancer

    def create_load_balancer(self: Any, name: str, security_groups: list[str], subnet_ids: list[str], **kwargs: Any):
        existing = [balancer for balancer in self.load_balancers.values() if balancer.name == name]
        if not existing:
            return stock(self, name, security_groups, subnet_ids, **kwargs)
        balancer = existing[0]
        mappings = [mapping["SubnetId"] for mapping in kwargs.get("subnet_mappings") or []]
        wanted = settings(
            kwargs.get("loadbalancer_type"),
            kwargs.get("scheme"),
            kwargs.get("ip_address_type"),
            list(subnet_ids or []) + mappings,
            security_groups,
        )
        actual = settings(
            balancer.type,
            balancer.scheme,
            balancer.ip_address_type,
            [subnet.id for subnet in balancer.subnets],
            balancer.security_groups,
        )
        if wanted != actual:
            raise DuplicateLoadBalancerName()
        return balancer

    stock_listener = ELBv2Backend.create_listener

    # moto's CreateListener response calls the backend with keyword arguments only.
    def create_listener(self: Any, load_balancer_arn: str, protocol: str, port: str, **kwargs: Any):
        balancer = self.load_balancers.get(load_balancer_arn)
        same_port = [
            listener
            for listener in (balancer.listeners.values() if balancer else ())
            if str(listener.port) == str(port)
        ]
        if not same_port:
            return stock_listener(self, load_balancer_arn=load_balancer_arn, protocol=protocol, port=port, **kwargs)
        listener = same_port[0]
        wanted = [FakeAction(dict(action)).data for action in kwargs.get("actions") or []]
        if (protocol or "").upper() != listener.protocol or wanted != [a.data for a in listener.default_actions]:
            raise DuplicateListenerError()
        return listener

    ELBv2Backend.create_load_balancer = create_load_balancer  # type: ignore[method-assign]
    ELBv2Backend.create_listener = create_listener  # type: ignore[method-assign]
