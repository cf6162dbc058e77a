"""ARNs for every partition (module_utils/arns.py) and tag plans (module_utils/tags.py), shared by every module."""

from __future__ import annotations

import pytest
from ansible_collections.triflow.platform.plugins.module_utils.arns import arn, dns_suffix, partition
from ansible_collections.triflow.platform.plugins.module_utils.tags import plan_tags


@pytest.mark.parametrize(
    ("region", "expected", "suffix"),
    [
        ("ap-northeast-2", "aws", "amazonaws.com"),
        ("cn-north-1", "aws-cn", "amazonaws.com.cn"),
        ("us-gov-west-1", "aws-us-gov", "amazonaws.com"),
        ("us-iso-east-1", "aws-iso", "c2s.ic.gov"),
        ("us-isob-east-1", "aws-iso-b", "sc2s.sgov.gov"),
    ],
)
def test_partition_and_dns_suffix_of_a_region(region, expected, suffix):
    assert (partition(region), dns_suffix(region)) == (expected, suffix)


def test_arns_of_regional_global_and_aws_managed_resources():
    assert arn("ap-northeast-2", "sns", "t", "123456789012") == "arn:aws:sns:ap-northeast-2:123456789012:t"
    assert arn("cn-north-1", "s3", "bucket", regional=False) == "arn:aws-cn:s3:::bucket"
    assert arn("us-gov-west-1", "iam", "policy/x", "aws", regional=False) == "arn:aws-us-gov:iam::aws:policy/x"


@pytest.mark.parametrize(
    ("current", "wanted", "purge", "to_set", "to_remove", "after"),
    [
        ({"a": "1"}, {"a": "1"}, True, {}, [], {"a": "1"}),
        ({"a": "1", "old": "x"}, {"a": "2"}, True, {"a": "2"}, ["old"], {"a": "2"}),
        ({"a": "1", "old": "x"}, {"a": "2"}, False, {"a": "2"}, [], {"a": "2", "old": "x"}),
        ({"aws:cloudformation:stack-name": "s"}, {}, True, {}, [], {"aws:cloudformation:stack-name": "s"}),
        ({}, {"n": 5}, True, {"n": "5"}, [], {"n": "5"}),  # AWS stores text
        ({"A": "1"}, {"A": 1}, True, {}, [], {"A": "1"}),  # the same value as text is no change
        ({"A": "1"}, {"A": True}, True, {"A": "True"}, [], {"A": "True"}),
        ({"B": "1", "A": "1"}, {}, True, {}, ["A", "B"], {}),  # keys to remove sorted
        ({"a": "1"}, None, True, {}, [], {"a": "1"}),  # tags left alone
    ],
)
def test_a_tag_plan_says_what_to_set_remove_and_the_tags_after(current, wanted, purge, to_set, to_remove, after):
    assert plan_tags(current, wanted, purge) == (to_set, to_remove, after)
