#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: TriFlow AI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: elasticache_parameter_group
short_description: Manage an ElastiCache parameter group of any family, with check mode and diff
version_added: 0.1.0
description:
  - Creates an ElastiCache parameter group and sets the given parameters; parameters not given keep their values.
  - C(community.aws.elasticache_parameter_group) accepts families only up to redis6.x and has no check mode; this
    module takes any family the API takes (redis7, valkey8...).
  - The family of an existing group cannot change; the module fails, naming it, rather than ignore it.
author: TriFlow AI platform team (@triflow-ai)
options:
  name:
    description: Name of the parameter group.
    type: str
    required: true
  family:
    description: Parameter group family, such as C(redis7). Required to create the group.
    type: str
  description:
    description: Description, used when the group is created.
    type: str
    default: ""
  parameters:
    description: Parameter values by name; values are compared as strings.
    type: dict
    default: {}
  state:
    description: C(present) creates or updates the group; C(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
attributes:
  check_mode:
    support: full
    description: Reports what would change without changing it.
  diff_mode:
    support: full
    description: Returns the family and parameter values before and after.
"""

EXAMPLES = r"""
- name: Redis 7 settings of a stack
  triflow.platform.elasticache_parameter_group:
    name: triflow-acme-prod-redis7
    family: redis7
    description: Redis settings of triflow-acme-prod
    parameters:
      timeout: "300"
      maxmemory-policy: allkeys-lru
"""

RETURN = r"""
parameter_group:
  description: The group after the run.
  returned: when state is present
  type: dict
  contains:
    name:
      description: Name of the group.
      type: str
    family:
      description: Family of the group.
      type: str
    parameters:
      description: Values of the parameters the task names.
      type: dict
  sample: {"name": "triflow-acme-prod-redis7", "family": "redis7", "parameters": {"timeout": "300"}}
"""

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

NOT_FOUND = "CacheParameterGroupNotFound"


def describe_group(client, name):
    try:
        groups = client.describe_cache_parameter_groups(aws_retry=True, CacheParameterGroupName=name)
    except is_boto3_error_code(NOT_FOUND):
        return None
    return groups["CacheParameterGroups"][0]


def current_values(client, name, names):
    """Current values of the parameters in ``names``."""
    parameters = (
        client.get_paginator("describe_cache_parameters")
        .paginate(CacheParameterGroupName=name)
        .build_full_result()
        .get("Parameters", [])
    )
    return dict(
        (parameter["ParameterName"], parameter.get("ParameterValue"))
        for parameter in parameters
        if parameter["ParameterName"] in names
    )


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            family=dict(type="str"),
            description=dict(type="str", default=""),
            parameters=dict(type="dict", default={}),
            state=dict(type="str", choices=["present", "absent"], default="present"),
        ),
        supports_check_mode=True,
    )
    name = module.params["name"]
    wanted = dict((key, str(value)) for key, value in module.params["parameters"].items())
    client = module.client("elasticache", retry_decorator=AWSRetry.jittered_backoff())
    try:
        group = describe_group(client, name)
        if module.params["state"] == "absent":
            changed = group is not None
            if changed and not module.check_mode:
                client.delete_cache_parameter_group(aws_retry=True, CacheParameterGroupName=name)
            result = dict(changed=changed)
            if module._diff:
                result["diff"] = dict(before={"exists": group is not None}, after={"exists": False})
            module.exit_json(**result)

        family = module.params["family"]
        if group is None and not family:
            module.fail_json(msg="family is required to create parameter group %s" % name)
        if group is not None and family and group["CacheParameterGroupFamily"] != family:
            module.fail_json(
                msg="parameter group %s has family %s, not %s: a family cannot change, use a new group name"
                % (name, group["CacheParameterGroupFamily"], family)
            )
        before_values = current_values(client, name, wanted) if group is not None else {}
        to_set = dict((key, value) for key, value in wanted.items() if before_values.get(key) != value)
        changed = group is None or bool(to_set)
        if changed and not module.check_mode:
            if group is None:
                client.create_cache_parameter_group(
                    aws_retry=True,
                    CacheParameterGroupName=name,
                    CacheParameterGroupFamily=family,
                    Description=module.params["description"] or name,
                )
            if to_set:
                client.modify_cache_parameter_group(
                    aws_retry=True,
                    CacheParameterGroupName=name,
                    ParameterNameValues=[
                        {"ParameterName": key, "ParameterValue": value} for key, value in to_set.items()
                    ],
                )
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as error:
        module.fail_json_aws(error, msg="could not manage ElastiCache parameter group %s" % name)

    family_now = group["CacheParameterGroupFamily"] if group else family
    after_values = dict(before_values)
    after_values.update(wanted)
    result = dict(changed=changed, parameter_group=dict(name=name, family=family_now, parameters=after_values))
    if module._diff:
        result["diff"] = dict(
            before=dict(
                exists=group is not None,
                family=group["CacheParameterGroupFamily"] if group else None,
                parameters=before_values,
            ),
            after=dict(exists=True, family=family_now, parameters=after_values),
        )
    module.exit_json(**result)


if __name__ == "__main__":
    main()
