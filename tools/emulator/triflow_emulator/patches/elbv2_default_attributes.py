"""ELBv2 load balancer attributes AWS always reports (measured on moto 5.2.5).

Stock moto leaves ``idle_timeout.timeout_seconds`` out of DescribeLoadBalancerAttributes of a new application
load balancer ("commented out for TF compatibility") and never reports ``routing.http2.enabled``. AWS reports
both (60 and true by default). amazon.aws.elb_application_lb reads ``idle_timeout_timeout_seconds`` from the
attributes unconditionally and fails with a KeyError on any ALB whose idle timeout was never set.

Patch: a new application load balancer starts with AWS's defaults for both attributes; ModifyLoadBalancerAttributes
still overrides them.
"""

from typing import Any

NAME = "elbv2_default_attributes"
SUMMARY = "Application load balancers report AWS's default idle timeout and HTTP/2 attributes"
MEASURED_ON = "5.2.5"

DEFAULTS = {"idle_timeout.timeout_seconds": "60", "routing.http2.enabled": "true"}


def apply() -> None:
    from moto.elbv2.models import FakeLoadBalancer

    stock_init = FakeLoadBalancer.__init__

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        stock_init(self, *args, **kwargs)
        if self.type == "application":
            for key, value in DEFAULTS.items():
                self.attrs.setdefault(key, value)

    FakeLoadBalancer.__init__ = init  # type: ignore[method-assign]
