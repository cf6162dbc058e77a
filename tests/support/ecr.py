"""Images in an emulator's ECR repository, as a pipeline's docker push would leave them."""

from __future__ import annotations

import hashlib
import json
from typing import Any


def manifest(tag: str) -> str:
    """A Docker image manifest (schema 2) whose layer digest depends on the tag: each tag is its own image."""
    layer = hashlib.sha256(tag.encode()).hexdigest()
    return json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
            "config": {
                "mediaType": "application/vnd.docker.container.image.v1+json",
                "size": 1457,
                "digest": f"sha256:{hashlib.sha256(('config' + tag).encode()).hexdigest()}",
            },
            "layers": [
                {
                    "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
                    "size": 3208942,
                    "digest": f"sha256:{layer}",
                }
            ],
        }
    )


def push_image(ecr: Any, repository: str, tag: str) -> str:
    """Put ``repository:tag`` (PutImage, as docker push ends); its digest."""
    answer = ecr.put_image(repositoryName=repository, imageManifest=manifest(tag), imageTag=tag)
    return str(answer["image"]["imageId"]["imageDigest"])
