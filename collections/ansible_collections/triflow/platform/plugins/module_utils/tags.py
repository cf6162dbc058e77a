# -*- coding: utf-8 -*-
# Copyright: TriFlow AI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tag changes of one resource, planned once for every module of the collection.

Tags are plain dicts (``{"Project": "triflow"}``). Keys starting with ``aws:`` belong to AWS and are never removed
(``compare_aws_tags`` skips them on purge).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.common.text.converters import to_text
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags

# The tags that say which stack a resource belongs to (SPEC.md "Tags"): the teardown's and the drift check's
# searches of the Resource Groups Tagging API.
IDENTITY_TAGS = ("Project", "Customer", "Environment")


def plan_tags(current, wanted, purge_tags=True):
    """``(tags_to_set, tags_to_remove, tags_after)``: what to change and the tags once changed.

    ``wanted`` None leaves the tags alone. Values to set are text (AWS stores strings); keys to remove are sorted.
    """
    current = dict(current or {})
    if wanted is None:
        return {}, [], current
    to_set, to_remove = compare_aws_tags(current, wanted, purge_tags)
    to_set = dict((key, to_text(value)) for key, value in to_set.items())
    after = dict(current)
    for key in to_remove:
        after.pop(key, None)
    after.update(to_set)
    return to_set, sorted(to_remove), after
