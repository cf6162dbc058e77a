#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: TriFlow AI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: price_list_info
short_description: Read on-demand unit prices from the AWS Price List API
version_added: 1.0.0
description:
  - For each named query (an offer and TERM_MATCH filters), calls pricing GetProducts and returns the price of the
    one product it matches (its OnDemand first tier), with the query and the offer's publication date as its source.
  - A query that matches no product or several, or a product without an OnDemand price, is reported in
    I(problems), never guessed.
  - The Price List API answers in us-east-1 whatever region is priced; the module asks there.
  - No module of amazon.aws or community.aws reads the Price List.
author: TriFlow AI platform team (@triflow-ai)
options:
  queries:
    description:
      - Price key to query, each a dict with C(service_code) (e.g. AmazonECS), C(filters) (field to value, e.g.
        C(regionCode), C(usagetype)) and optional C(scale) (multiplies the price, e.g. 1000 for a price per 1,000
        requests).
      - A value may instead be an entry of a price table of the cost role (roles/cost/files/prices), whose C(query)
        is used; entries without one (nothing to ask the Price List) are left out.
    type: dict
    required: true
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
attributes:
  check_mode:
    support: full
    description: Reads only.
  diff_mode:
    support: none
    description: Nothing changes, so there is nothing to compare.
notes:
  - "IAM actions used: pricing:GetProducts."
"""

EXAMPLES = r"""
- name: Read Seoul's Fargate vCPU price
  triflow.platform.price_list_info:
    queries:
      fargate.vcpu_hour.X86_64:
        service_code: AmazonECS
        filters:
          regionCode: ap-northeast-2
          usagetype: APN2-Fargate-vCPU-Hours:perCPU
  register: read
"""

RETURN = r"""
prices:
  description: Each price key read, with C(usd), C(price_list_unit), C(description), C(source) and C(as_of).
  returned: always
  type: dict
problems:
  description: One message per key that could not be read, naming the key and the query.
  returned: always
  type: list
  elements: str
"""

import datetime

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.triflow.platform.plugins.module_utils.price_list import PRICING_REGION, queries_of, read_prices

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule


def main():
    module = AnsibleAWSModule(argument_spec=dict(queries=dict(type="dict", required=True)), supports_check_mode=True)
    queries, bad = queries_of(module.params["queries"])
    if bad:
        module.fail_json(msg="queries: each needs service_code and a filters dict; not so: %s" % ", ".join(bad))
    client = module.client("pricing", retry_decorator=AWSRetry.jittered_backoff(), region=PRICING_REGION)
    try:
        prices, problems = read_prices(client, queries, datetime.date.today().isoformat())
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as error:
        module.fail_json_aws(error, msg="could not read the AWS Price List")
    module.exit_json(changed=False, prices=prices, problems=problems)


if __name__ == "__main__":
    main()
