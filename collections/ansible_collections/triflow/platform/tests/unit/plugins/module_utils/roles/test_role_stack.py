"""The stack role's model (module_utils/roles/stack.py) on its real defaults: identity checks, prefix and tags."""

from __future__ import annotations

import pytest
from support import roles


def test_identity_builds_prefix_and_tags():
    state = roles.desired_state("stack", stack_extra_tags={"CostCenter": "42"})
    assert state["name_prefix"] == "triflow-acme-prod"
    assert state["tags"] == {
        "Project": "triflow",
        "Customer": "acme",
        "Environment": "prod",
        "ManagedBy": "ansible",
        "CostCenter": "42",
    }
    assert state["availability_zones"] == ["ap-northeast-2a", "ap-northeast-2c"]


def test_the_zones_follow_the_region():
    assert roles.desired_state("stack", stack_region="eu-west-1")["availability_zones"] == ["eu-west-1a", "eu-west-1c"]


def test_every_aws_module_retries_in_botocore_standard_mode_ten_attempts_by_default():
    assert roles.desired_state("stack")["aws_config"] == {"retries": {"mode": "standard", "total_max_attempts": 10}}
    adaptive = roles.desired_state("stack", stack_aws_retry_mode="adaptive", stack_aws_max_attempts=25)
    assert adaptive["aws_config"] == {"retries": {"mode": "adaptive", "total_max_attempts": 25}}


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
        ({"stack_aws_max_attempts": 0}, "stack_aws_max_attempts '0' must be a whole number from 1 to 25"),
        ({"stack_aws_max_attempts": 26}, "stack_aws_max_attempts '26' must be a whole number from 1 to 25"),
        ({"stack_aws_retry_mode": "legacy"}, "stack_aws_retry_mode must be one of: standard, adaptive"),
        ({"stack_extra_tags": {"ManagedBy": "terraform"}}, "stack_extra_tags must not set 'ManagedBy'"),
        ({"stack_extra_tags": {"aws:owner": "x"}}, "stack_extra_tags key 'aws:owner' is invalid"),
    ],
)
def test_each_bad_identity_is_named(changes, message):
    errors = roles.errors("stack", **changes)
    assert any(message in error for error in errors), errors


def test_a_missing_customer_is_named_by_argument_specs():
    facts = {key: value for key, value in roles.published_facts("stack").items() if key != "stack_customer"}
    assert roles.result("stack", facts)[1] == ["missing required arguments: stack_customer"]
