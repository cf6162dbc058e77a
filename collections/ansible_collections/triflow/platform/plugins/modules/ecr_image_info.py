#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: TriFlow AI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: ecr_image_info
short_description: Say whether an image tag is in an ECR repository, with its digest and push time
version_added: 1.0.0
description:
  - Looks up one tag of one repository (DescribeImages) and returns whether it is there.
  - A missing tag is not an error (I(found) is false); a missing repository is, naming it.
  - Neither amazon.aws nor community.aws has a module that reads ECR images.
author: TriFlow AI platform team (@triflow-ai)
options:
  repository:
    description: Name of the repository.
    type: str
    required: true
  tag:
    description: The image tag.
    type: str
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
  - "IAM actions used: ecr:DescribeRepositories, ecr:DescribeImages."
"""

EXAMPLES = r"""
- name: Is the release pushed?
  triflow.platform.ecr_image_info:
    repository: triflow-acme-prod-backend
    tag: v1.4.2
  register: release_image
"""

RETURN = r"""
repository_uri:
  description: URI of the repository (C(<registry>/<name>)), to name the image C(<repository_uri>:<tag>).
  returned: always
  type: str
  sample: 123456789012.dkr.ecr.ap-northeast-2.amazonaws.com/triflow-acme-prod-backend
found:
  description: Whether the repository holds the tag.
  returned: always
  type: bool
digest:
  description: The image's digest.
  returned: when found
  type: str
  sample: sha256:0123456789abcdef
pushed_at:
  description: When the image was pushed (ISO 8601).
  returned: when found
  type: str
tags:
  description: Every tag of the image.
  returned: when found
  type: list
  elements: str
"""

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(repository=dict(type="str", required=True), tag=dict(type="str", required=True)),
        supports_check_mode=True,
    )
    repository, tag = module.params["repository"], module.params["tag"]
    client = module.client("ecr", retry_decorator=AWSRetry.jittered_backoff())
    uri = None
    try:
        uri = client.describe_repositories(repositoryNames=[repository])["repositories"][0]["repositoryUri"]
        images = client.describe_images(repositoryName=repository, imageIds=[{"imageTag": tag}])["imageDetails"]
    except is_boto3_error_code("ImageNotFoundException"):
        module.exit_json(changed=False, found=False, repository_uri=uri)
    except is_boto3_error_code("RepositoryNotFoundException"):
        module.fail_json(msg="ECR repository %s does not exist: run site.yml for this stack first" % repository)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as error:  # pylint: disable=duplicate-except
        module.fail_json_aws(error, msg="could not read image %s:%s" % (repository, tag))
    image = images[0] if images else {}
    pushed = image.get("imagePushedAt")
    module.exit_json(
        changed=False,
        repository_uri=uri,
        found=bool(images),
        digest=image.get("imageDigest"),
        pushed_at=pushed.isoformat() if hasattr(pushed, "isoformat") else pushed,
        tags=image.get("imageTags") or [],
    )


if __name__ == "__main__":
    main()
