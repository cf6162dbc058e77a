# -*- coding: utf-8 -*-
# Copyright: TriFlow AI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""ARNs and endpoints of AWS resources, for every partition (aws, aws-cn, aws-us-gov, the ISO regions).

Every ARN the collection builds goes through ``arn()``, so no ``arn:aws:`` is typed for a region that is in
another partition. Partitions and DNS suffixes as botocore's endpoints data lists them.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

# (region name prefix, partition, DNS suffix), the most specific prefix first.
PARTITIONS = (
    ("us-gov-", "aws-us-gov", "amazonaws.com"),
    ("us-isob-", "aws-iso-b", "sc2s.sgov.gov"),
    ("us-iso-", "aws-iso", "c2s.ic.gov"),
    ("cn-", "aws-cn", "amazonaws.com.cn"),
)
DEFAULT_PARTITION = ("aws", "amazonaws.com")


def _partition_of(region):
    for prefix, partition, suffix in PARTITIONS:
        if str(region or "").startswith(prefix):
            return partition, suffix
    return DEFAULT_PARTITION


def partition(region):
    """The ARN partition of a region: ``aws``, ``aws-cn``, ``aws-us-gov``..."""
    return _partition_of(region)[0]


def dns_suffix(region):
    """The DNS suffix of a region's endpoints: ``amazonaws.com``, ``amazonaws.com.cn``..."""
    return _partition_of(region)[1]


def arn(region, service, resource, account_id="", regional=True):
    """``arn:<partition>:<service>:<region>:<account>:<resource>``.

    ``region`` chooses the partition; it is left out of the ARN when ``regional`` is false (S3 buckets, IAM).
    AWS managed IAM policies have the account ``aws``.
    """
    return "arn:%s:%s:%s:%s:%s" % (partition(region), service, region if regional else "", account_id or "", resource)
