"""ELBv2 load balancer attributes AWS always reports (measured on moto 5.2.5).

Stock moto leaves ``idle_timeout.timeout_seconds`` out of DescribeLoadBalancerAttributes of a new application
load balancer ("commented out for TF compatibility"), and never reports ``routing.http2.enabled``,
``access_logs.s3.enabled`` or ``routing.http.drop_invalid_header_fields.enabled``. AWS reports every attribute of an
application load balancer, with its default (60, true, false, false: Elastic Load Balancing API Reference,
LoadBalancerAttribute). amazon.aws.elb_application_lb reads ``idle_timeout_timeout_seconds`` and, when access logs
are managed, ``access_logs_s3_enabled`` from the attributes unconditionally and fails with a KeyError on an ALB
where they were never set.

Patch: a new application load balancer starts with AWS's defaults for these attributes;
ModifyLoadBalancerAttributes still overrides them.
"""

from typing import Any

NAME = "elbv2_default_attributes"
SUMMARY = "Application load balancers report AWS's default idle timeout, HTTP/2, access-log and header attributes"
MEASURED_ON = "5.2.5"

DEFAULTS = {
    "idle_timeout.timeout_seconds": "60",
    "routing.http2.enabled": "true",
    "access_logs.s3.enabled": "false",
    "routing.http.drop_invalid_header_fields.enabled": "false",
}


def apply() -> None:
    from moto.elbv2.models import FakeLoadBalancer

    stock_init = FakeLoadBalancer.__init__

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        stock_init(self, *args, **kwargs)
        if self.type == "application":
            for key, value in DEFAULTS.items():
                self.attrs.setdefault(key, value)

    FakeLoadBalancer.__init__ = init  # type: ignore[method-assign]
