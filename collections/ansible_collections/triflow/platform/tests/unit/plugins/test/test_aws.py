from ansible_collections.triflow.platform.plugins.test.aws import own_retry_conflict


def failed(code=None, attempts=None, msg="failed"):
    result = {"failed": True, "msg": msg}
    if code:
        result["error"] = {"code": code}
    if attempts is not None:
        result["response_metadata"] = {"retry_attempts": attempts}
    return result


def test_a_conflict_on_a_retried_call_is_the_calls_own():
    assert own_retry_conflict(failed("EntityAlreadyExists", 1))
    assert own_retry_conflict(failed("Resource.AlreadyAssociated", 3))


def test_a_conflict_on_a_call_sent_once_is_a_real_one():
    assert not own_retry_conflict(failed("EntityAlreadyExists", 0))


def test_other_errors_and_successes_are_not_conflicts():
    assert not own_retry_conflict(failed("AccessDenied", 2))
    assert not own_retry_conflict({"changed": True, "error": {"code": "EntityAlreadyExists"}})
    assert not own_retry_conflict(failed())


def test_the_code_is_read_from_botocores_message_when_the_module_leaves_it_out():
    msg = (
        "<class 'Exception'>: An error occurred (RepositoryAlreadyExistsException) "
        "when calling the CreateRepository operation: x"
    )
    assert own_retry_conflict(failed(msg=msg))
    assert own_retry_conflict(failed(msg=msg, attempts=1))
    assert not own_retry_conflict(failed(msg=msg, attempts=0))


def test_a_loop_result_is_a_conflict_when_one_item_is():
    assert own_retry_conflict({"results": [{"changed": False}, failed("DBSubnetGroupAlreadyExists", 1)]})
    assert not own_retry_conflict({"results": [{"changed": False}]})
