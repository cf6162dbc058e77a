"""The ecr role's model (module_utils/roles/ecr.py) on its real defaults: checks, desired state, lifecycle policy."""

from __future__ import annotations

import json
import re

import pytest
from ansible_collections.triflow.platform.plugins.module_utils.roles.ecr import RELEASE_TAG
from support import roles

# Tags playbooks/deploy.yml pushes (-e app_image_tag=<tag>): versions with and without v, short and full git SHAs.
PIPELINE_TAGS = ["v1.4.2", "1.4.2", "v10.0.12", "0.1.0", "3f2a9c1", "deadbeef", "a" * 40, "0123456789abcdef" * 2]


def ecr_pattern_matches(pattern: str, tag: str) -> bool:
    """ECR's tagPatternList semantics: the whole tag against the pattern, '*' any run of characters, else literal."""
    return re.fullmatch(".*".join(re.escape(part) for part in pattern.split("*")), tag) is not None


def ecr_rule_selects(selection: dict, image_tags: list[str]) -> bool:
    """Whether an ECR lifecycle rule's selection takes an image with these tags. Several entries of a pattern or
    prefix list select only images that have a tag for EVERY entry (AWS: "only images with all specified tags")."""
    if selection["tagStatus"] == "untagged":
        return not image_tags
    if selection["tagStatus"] == "any":
        return True
    if not image_tags:
        return False
    if "tagPatternList" in selection:
        return all(any(ecr_pattern_matches(p, tag) for tag in image_tags) for p in selection["tagPatternList"])
    return all(any(tag.startswith(p) for tag in image_tags) for p in selection["tagPrefixList"])


def _rules(**changes):
    return roles.desired_state("ecr", **changes)["lifecycle_policy"]["rules"]


def test_baseline_is_valid_and_names_the_repository_after_the_stack():
    state = roles.desired_state("ecr")
    assert state["name"] == "triflow-acme-prod-backend"
    assert state["shared"] is False
    assert state["uri"] == "123456789012.dkr.ecr.ap-northeast-2.amazonaws.com/triflow-acme-prod-backend"
    assert state["arn"] == "arn:aws:ecr:ap-northeast-2:123456789012:repository/triflow-acme-prod-backend"
    assert state["tags"] == {**roles.values("ecr")["ecr_tags"], "Name": "triflow-acme-prod-backend"}
    assert (state["scan_on_push"], state["image_tag_mutability"], state["encryption_type"]) == (
        True,
        "IMMUTABLE",
        "AES256",
    )


def test_two_stacks_never_share_a_repository_by_default():
    names = {
        roles.desired_state("ecr", ecr_name_prefix=prefix)["name"]
        for prefix in ("triflow-acme-prod", "triflow-acme-dev", "triflow-globex-prod")
    }
    assert len(names) == 3


def test_a_shared_repository_replaces_the_stack_name_and_keeps_the_settings():
    state = roles.desired_state("ecr", ecr_repository_name="triflow/backend")
    assert (state["name"], state["shared"]) == ("triflow/backend", True)
    assert state["uri"].endswith(".amazonaws.com/triflow/backend")
    assert state["lifecycle_policy"] == roles.desired_state("ecr")["lifecycle_policy"]


def test_uri_and_arn_are_unknown_without_account_and_follow_the_partition():
    before_the_account_is_known, _errors = roles.result("ecr", context={"account_id": None})
    assert before_the_account_is_known["uri"] is None
    assert before_the_account_is_known["arn"] is None
    china, _errors = roles.result("ecr", context={"region": "cn-north-1"})
    assert china["uri"] == "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/triflow-acme-prod-backend"
    assert china["arn"].startswith("arn:aws-cn:ecr:cn-north-1:")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"ecr_repository_name": "Triflow/Backend"}, "ecr_repository_name gives the repository name 'Triflow/Backend'"),
        (
            {"ecr_repository_name": "a"},
            "ecr_repository_name gives the repository name 'a', which ECR rejects: 2 to 256",
        ),
        ({"ecr_repository_name": "x" * 257}, "ecr_repository_name gives the repository name"),
        ({"ecr_repository_name": "triflow//backend"}, "with optional '/' namespaces"),
        ({"ecr_repository_name": "triflow--backend"}, "separated by single '.', '_' or '-'"),
        ({"ecr_repository_name": "/backend"}, "ecr_repository_name gives the repository name '/backend'"),
        ({"ecr_name_prefix": "Triflow_Acme"}, "ecr_name_prefix gives the repository name 'Triflow_Acme-backend'"),
        ({"ecr_name_prefix": ""}, "ecr_name_prefix must be a non-empty string"),
        ({"ecr_tags": ["Project"]}, "argument 'ecr_tags' is of type list and we were unable to convert to dict"),
        ({"ecr_image_tag_mutability": "immutable"}, "must be one of: IMMUTABLE, MUTABLE, got: immutable"),
        ({"ecr_scan_on_push": "maybe"}, "argument 'ecr_scan_on_push' is of type str and we were unable to convert"),
        ({"ecr_untagged_expire_days": 0}, "ecr_untagged_expire_days 0 is invalid: a whole number from 1 to 3650"),
        ({"ecr_keep_release_images": 0}, "ecr_keep_release_images 0 is invalid: a whole number from 1 to 10000"),
        ({"ecr_keep_release_images": "thirty"}, "argument 'ecr_keep_release_images' is of type str"),
    ],
)
def test_each_bad_input_names_the_variable_and_what_it_allows(changes, message):
    errors = roles.errors("ecr", **changes)
    assert any(message in error for error in errors), errors


@pytest.mark.parametrize("name", ["ab", "triflow/backend", "team.a/svc_b/api-1", "x" * 256])
def test_valid_repository_names_pass(name):
    assert roles.errors("ecr", ecr_repository_name=name) == []


def test_lifecycle_policy_is_the_json_ecr_takes():
    assert _rules(ecr_untagged_expire_days=3, ecr_keep_release_images=12) == [
        {
            "rulePriority": 1,
            "description": "Expire untagged images 3 days after push",
            "selection": {
                "tagStatus": "untagged",
                "countType": "sinceImagePushed",
                "countUnit": "days",
                "countNumber": 3,
            },
            "action": {"type": "expire"},
        },
        {
            "rulePriority": 2,
            "description": "Keep the last 12 release images (every tag the pipeline pushes: versions, git SHAs)",
            "selection": {
                "tagStatus": "tagged",
                "tagPatternList": ["*"],
                "countType": "imageCountMoreThan",
                "countNumber": 12,
            },
            "action": {"type": "expire"},
        },
    ]
    json.dumps(_rules())


def test_lifecycle_rules_follow_ecr_constraints():
    rules = _rules()
    priorities = [rule["rulePriority"] for rule in rules]
    assert priorities == sorted(set(priorities)), "priorities must be unique, untagged rule first"
    assert rules[0]["selection"]["tagStatus"] == "untagged"
    assert sum(rule["selection"]["tagStatus"] == "untagged" for rule in rules) == 1
    for rule in rules:
        selection = rule["selection"]
        assert not ("tagPatternList" in selection and "tagPrefixList" in selection)
        for pattern in selection.get("tagPatternList", []):
            assert pattern.count("*") <= 4, "ECR allows at most four wildcards per pattern"


@pytest.mark.parametrize("tag", PIPELINE_TAGS)
def test_every_tag_the_pipeline_pushes_is_kept_by_the_release_rule(tag):
    assert RELEASE_TAG.match(tag), "not a tag the pipeline pushes"
    untagged, release = _rules()
    assert ecr_rule_selects(release["selection"], [tag])
    assert not ecr_rule_selects(untagged["selection"], [tag])


def test_an_image_with_a_version_and_a_sha_is_one_release_image():
    release = _rules()[1]
    assert ecr_rule_selects(release["selection"], ["v1.4.2", "3f2a9c1"])


def test_untagged_images_are_left_to_the_untagged_rule():
    untagged, release = _rules()
    assert ecr_rule_selects(untagged["selection"], [])
    assert not ecr_rule_selects(release["selection"], [])


@pytest.mark.parametrize("tag", ["latest", "feature/x", "v1.4", "3f2a9c", "G123456", "v1.4.2.1"])
def test_tags_the_pipeline_does_not_push_are_told_apart(tag):
    assert not RELEASE_TAG.match(tag)


def test_the_matcher_knows_the_keep_rule_traps_of_defect_8():
    """The prefix list a reader might write for "versions or SHAs" selects nothing: ECR ANDs list entries."""
    prefixes = {"tagStatus": "tagged", "tagPrefixList": ["v", *"0123456789abcdef"]}
    assert not any(ecr_rule_selects(prefixes, [tag]) for tag in PIPELINE_TAGS)
    # A keep rule on a tag the pipeline never pushes ("release-*") keeps none of its images.
    release_star = {"tagStatus": "tagged", "tagPatternList": ["release-*"]}
    assert not any(ecr_rule_selects(release_star, [tag]) for tag in PIPELINE_TAGS)
    # The matcher's own semantics: whole-tag match, '*' spans any characters, other characters are literal.
    assert ecr_pattern_matches("v*.*.*", "v1.4.2")
    assert not ecr_pattern_matches("v*", "1.4.2")
    assert not ecr_pattern_matches("1.4", "1.4.2")
    assert not ecr_pattern_matches("1?4", "1x4")
