"""The progress callback's words for a wait: the state it reads from the result, the time so far, the limit."""

from __future__ import annotations

import pytest
from ansible_collections.triflow.platform.plugins.callback.progress import duration, find_state, wait_message


@pytest.mark.parametrize(
    ("seconds", "words"),
    [(0, "0 s"), (42.4, "42 s"), (60, "1 min"), (370, "6 min 10 s"), (2400, "40 min"), (3900, "1 h 5 min")],
)
def test_durations_read_as_an_operator_says_them(seconds, words):
    assert duration(seconds) == words


def test_the_state_is_the_first_status_of_the_result_even_in_a_list():
    result = {"changed": False, "instances": [{"db_instance_identifier": "db", "db_instance_status": "creating"}]}
    assert find_state(result) == "creating"
    assert find_state({"replication_groups": [{"status": "modifying"}], "attempts": 3}) == "modifying"
    assert find_state({"instances": []}) is None


def test_a_wait_says_what_for_its_state_how_long_so_far_and_up_to_when():
    result = {"instances": [{"db_instance_status": "creating"}], "attempts": 37, "retries": 241}
    message = wait_message("triflow-acme-prod", "Wait for the PostgreSQL instance", result, 370.2, 10.0)
    assert message == (
        "Waiting [triflow-acme-prod] Wait for the PostgreSQL instance - creating, 6 min 10 s so far, up to 40 min"
    )


def test_without_a_state_or_a_known_delay_the_wait_says_only_how_long_so_far():
    assert wait_message("h", "Wait", {"attempts": 1, "retries": 3}, 5, None) == "Waiting [h] Wait - 5 s so far"


def test_a_task_run_again_after_a_failure_says_retrying_with_the_aws_error():
    result = {"failed": True, "error": {"code": "EntityAlreadyExists"}, "msg": "Role exists", "attempts": 1}
    assert wait_message("h", "Ensure the role", result, 1, 0) == "Retrying [h] Ensure the role - EntityAlreadyExists"
    without_code = {"failed": True, "msg": "Unable to create security group: failed\nmore"}
    expected = "Retrying [h] Create - Unable to create security group: failed"
    assert wait_message("h", "Create", without_code, 1, 0) == expected
