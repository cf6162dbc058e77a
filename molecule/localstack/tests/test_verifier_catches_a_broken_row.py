"""A SPEC row broken out of band on LocalStack fails its check; put back, it passes again.

The break: an SSH rule from anywhere on the app's security group, the kind of hand-made change the drift of a
real account is made of. The network row must name it; the rule is revoked afterwards, so destroy finds the stack
as converge left it.
"""

from __future__ import annotations

import pytest
from localstack_stack import localstack_stack
from support.spec_rows import ROWS

SSH_FROM_ANYWHERE = [{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]


def test_an_extra_ingress_rule_fails_the_security_group_row() -> None:
    [security_groups] = [spec_row for spec_row in ROWS if spec_row.function.__name__ == "_security_groups"]
    stack = localstack_stack()
    security_groups.check(stack)
    group_id = stack.network["security_groups"][f"{stack.prefix}-app"]["GroupId"]
    ec2 = stack.client("ec2")
    ec2.authorize_security_group_ingress(GroupId=group_id, IpPermissions=SSH_FROM_ANYWHERE)
    try:
        stack.forget()
        with pytest.raises(AssertionError, match="app"):
            security_groups.check(stack)
    finally:
        ec2.revoke_security_group_ingress(GroupId=group_id, IpPermissions=SSH_FROM_ANYWHERE)
    stack.forget()
    security_groups.check(stack)
