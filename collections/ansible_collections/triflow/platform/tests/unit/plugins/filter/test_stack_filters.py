"""The stack identity filters (plugins/filter/stack.py)."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.triflow.platform.plugins.filter.stack import stack_identity, stack_input_errors

VALID = {
    "stack_project": "triflow",
    "stack_customer": "acme",
    "stack_environment": "prod",
    "stack_region": "ap-northeast-2",
    "stack_availability_zones": ["ap-northeast-2a", "ap-northeast-2c"],
    "stack_aws_assume_role_arn": "",
    "stack_extra_tags": {"CostCenter": "42"},
}


def test_identity_builds_prefix_and_tags():
    identity = stack_identity(VALID)
    assert identity["name_prefix"] == "triflow-acme-prod"
    assert identity["tags"] == {
        "Project": "triflow",
        "Customer": "acme",
        "Environment": "prod",
        "ManagedBy": "ansible",
        "CostCenter": "42",
    }


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"stack_customer": "Acme"}, "stack_customer 'Acme' is invalid"),
        ({"stack_customer": "acme_corp"}, "stack_customer 'acme_corp' is invalid"),
        ({"stack_customer": "acme-"}, "stack_customer 'acme-' is invalid"),
        ({"stack_customer": ""}, "stack_customer must be a non-empty string"),
        ({"stack_environment": "Prod"}, "stack_environment 'Prod' is invalid"),
        ({"stack_customer": "a" * 25}, "at most 28 are allowed"),
        ({"stack_region": "seoul"}, "stack_region 'seoul' is not an AWS region name"),
        ({"stack_availability_zones": ["ap-northeast-1a"]}, "stack_availability_zones entry 'ap-northeast-1a'"),
        ({"stack_aws_assume_role_arn": "role/admin"}, "stack_aws_assume_role_arn 'role/admin' is not an IAM role ARN"),
        ({"stack_extra_tags": {"ManagedBy": "terraform"}}, "stack_extra_tags must not set 'ManagedBy'"),
        ({"stack_extra_tags": {"aws:owner": "x"}}, "stack_extra_tags key 'aws:owner' is invalid"),
    ],
)
def test_each_bad_identity_is_named(changes, message):
    inputs = {**VALID, **changes}
    assert any(message in error for error in stack_input_errors(inputs)), stack_input_errors(inputs)
    with pytest.raises(AnsibleFilterError, match="invalid stack identity"):
        stack_identity(inputs)
