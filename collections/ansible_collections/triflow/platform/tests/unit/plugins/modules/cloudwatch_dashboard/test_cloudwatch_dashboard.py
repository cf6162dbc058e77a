"""cloudwatch_dashboard's main() run as Ansible runs it, on the project's emulator (moto) and with a stubbed client.

The emulator shows the user-visible cycle (create, no-op re-run, update, check mode, diff, delete); the Stubber
shows what moto never answers: PutDashboard validation messages and a refused body.
"""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from ansible_collections.triflow.platform.plugins.modules import cloudwatch_dashboard
from botocore.exceptions import ClientError
from botocore.stub import Stubber
from support.aws import MODULE_CREDENTIALS, REGION
from support.modules import ModuleRun

ECS_CPU = ["AWS/ECS", "CPUUtilization", "ClusterName", "triflow-acme-test", "ServiceName", "app"]
BODY = {
    "widgets": [
        {
            "type": "metric",
            "x": 0,
            "y": 0,
            "width": 12,
            "height": 6,
            "properties": {
                "title": "ECS CPU and memory",
                "region": REGION,
                "period": 300,
                "stat": "Average",
                "metrics": [ECS_CPU, [".", "MemoryUtilization", ".", ".", ".", "."]],
            },
        },
        {"type": "text", "x": 12, "y": 0, "width": 12, "height": 6, "properties": {"markdown": "Managed by Ansible"}},
    ]
}


def moved_text_widget(body: dict[str, Any]) -> dict[str, Any]:
    body = copy.deepcopy(body)
    body["widgets"][1]["y"] = 6
    return body


@dataclass(frozen=True)
class Emulator:
    """The shared emulator (modules/conftest.py), seen through its dashboards."""

    aws: Any

    @property
    def cloudwatch(self) -> Any:
        return self.aws.client("cloudwatch")

    def args(self, **args: Any) -> dict[str, Any]:
        return self.aws.module_args(**args)

    def stored(self, name: str) -> dict[str, Any] | None:
        """The body the emulator holds, read without the module; None when there is no such dashboard."""
        try:
            return json.loads(self.cloudwatch.get_dashboard(DashboardName=name)["DashboardBody"])
        except ClientError as error:
            # botocore raises its class ResourceNotFound, not DashboardNotFoundError: both shapes have this code.
            if error.response["Error"]["Code"] == "ResourceNotFound":
                return None
            raise


@pytest.fixture(scope="module")
def emulator(emulator: Any) -> Emulator:
    return Emulator(emulator)


@pytest.fixture
def name() -> str:
    return f"triflow-acme-test-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def run_module(run_main: Callable[..., ModuleRun]) -> Callable[..., ModuleRun]:
    def run(args: dict[str, Any], check_mode: bool = False, diff: bool = False) -> ModuleRun:
        return run_main(cloudwatch_dashboard.main, args, check_mode, diff)

    return run


@pytest.fixture
def stubber(stubbed: Callable[[str], Any]) -> Iterator[Stubber]:
    """The module's client is a stubbed one, wrapped in AWSRetry as module.client wraps it."""
    with stubbed("cloudwatch") as stub:
        yield stub.stubber


# On the emulator.


def test_create_then_rerun_changes_nothing(emulator: Emulator, run_module: Callable[..., ModuleRun], name: str) -> None:
    created = run_module(emulator.args(name=name, body=BODY))

    assert not created.failed, created.msg
    assert created.changed
    dashboard = created.result["dashboard"]
    assert dashboard["name"] == name
    assert dashboard["arn"] == f"arn:aws:cloudwatch::123456789012:dashboard/{name}"
    assert dashboard["body"] == BODY
    assert emulator.stored(name) == BODY

    rerun = run_module(emulator.args(name=name, body=BODY))

    assert not rerun.failed, rerun.msg
    assert not rerun.changed
    assert rerun.result["dashboard"] == dashboard


@pytest.mark.parametrize(
    "same",
    [
        pytest.param(json.dumps(BODY, indent=2, sort_keys=True), id="as JSON text"),
        pytest.param({"widgets": list(reversed(BODY["widgets"]))}, id="widgets in another order"),
        pytest.param(
            {
                "widgets": [
                    dict(
                        BODY["widgets"][0],
                        properties=dict(
                            BODY["widgets"][0]["properties"], metrics=[ECS_CPU, ["AWS/ECS", "MemoryUtilization", "..."]]
                        ),
                    ),
                    BODY["widgets"][1],
                ]
            },
            id="metrics written with '...'",
        ),
    ],
)
def test_a_body_with_the_same_meaning_is_not_written(
    emulator: Emulator, run_module: Callable[..., ModuleRun], name: str, same: Any
) -> None:
    assert run_module(emulator.args(name=name, body=BODY)).changed

    rerun = run_module(emulator.args(name=name, body=same), diff=True)

    assert not rerun.failed, rerun.msg
    assert not rerun.changed
    assert rerun.result["diff"]["before"] == rerun.result["diff"]["after"]
    assert emulator.stored(name) == BODY  # the first text stays


def test_a_changed_body_is_written_with_its_diff(
    emulator: Emulator, run_module: Callable[..., ModuleRun], name: str
) -> None:
    run_module(emulator.args(name=name, body=BODY))
    moved = moved_text_widget(BODY)

    updated = run_module(emulator.args(name=name, body=moved), diff=True)

    assert not updated.failed, updated.msg
    assert updated.changed
    assert updated.result["diff"] == {"before": {"name": name, "body": BODY}, "after": {"name": name, "body": moved}}
    assert updated.result["dashboard"]["body"] == moved
    assert emulator.stored(name) == moved


def test_check_mode_creates_nothing(emulator: Emulator, run_module: Callable[..., ModuleRun], name: str) -> None:
    planned = run_module(emulator.args(name=name, body=BODY), check_mode=True, diff=True)

    assert not planned.failed, planned.msg
    assert planned.changed
    assert planned.result["diff"] == {"before": {}, "after": {"name": name, "body": BODY}}
    assert planned.result["dashboard"] == {"name": name, "arn": None, "body": BODY}
    assert emulator.stored(name) is None


def test_check_mode_leaves_a_changed_body_unwritten(
    emulator: Emulator, run_module: Callable[..., ModuleRun], name: str
) -> None:
    run_module(emulator.args(name=name, body=BODY))

    planned = run_module(emulator.args(name=name, body=moved_text_widget(BODY)), check_mode=True, diff=True)

    assert planned.changed
    assert planned.result["diff"]["after"]["body"] == moved_text_widget(BODY)
    assert planned.result["dashboard"]["arn"].endswith(f":dashboard/{name}")
    assert emulator.stored(name) == BODY


def test_absent_deletes_and_then_has_nothing_to_do(
    emulator: Emulator, run_module: Callable[..., ModuleRun], name: str
) -> None:
    run_module(emulator.args(name=name, body=BODY))

    planned = run_module(emulator.args(name=name, state="absent"), check_mode=True)
    assert planned.changed
    assert emulator.stored(name) == BODY

    deleted = run_module(emulator.args(name=name, state="absent"), diff=True)

    assert not deleted.failed, deleted.msg
    assert deleted.changed
    assert deleted.result["diff"] == {"before": {"name": name, "body": BODY}, "after": {}}
    assert "dashboard" not in deleted.result
    assert emulator.stored(name) is None

    again = run_module(emulator.args(name=name, state="absent"), diff=True)

    assert not again.failed, again.msg
    assert not again.changed
    assert again.result["diff"] == {"before": {}, "after": {}}


# Refused before any AWS call (the stubbed client has no answer queued).


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param({"name": "triflow acme", "body": BODY}, "must be 1 to 255 letters", id="name with a space"),
        pytest.param(
            {"name": "triflow-acme"}, "state is present but all of the following are missing: body", id="no body"
        ),
        pytest.param({"name": "triflow-acme", "body": {"start": "-PT6H"}}, "must have a widgets list", id="no widgets"),
        pytest.param({"name": "triflow-acme", "body": '{"widgets": [}'}, "dictionary", id="broken JSON"),
    ],
)
def test_bad_input_is_refused_before_any_call(
    stubber: Stubber, run_module: Callable[..., ModuleRun], args: dict[str, Any], message: str
) -> None:
    refused = run_module(dict(MODULE_CREDENTIALS, **args))

    assert refused.failed
    assert message in refused.msg


# What moto never answers.


def stub_read(stubber: Stubber, name: str, body: dict[str, Any] | None) -> None:
    if body is None:
        stubber.add_client_error(
            "get_dashboard",
            service_error_code="ResourceNotFound",
            http_status_code=404,
            expected_params={"DashboardName": name},
        )
        return
    stubber.add_response(
        "get_dashboard",
        {
            "DashboardName": name,
            "DashboardArn": f"arn:aws:cloudwatch::123456789012:dashboard/{name}",
            "DashboardBody": json.dumps(body),
        },
        {"DashboardName": name},
    )


def test_validation_warnings_of_a_stored_body_are_warnings(
    stubber: Stubber, run_module: Callable[..., ModuleRun]
) -> None:
    stub_read(stubber, "triflow-acme", None)
    stubber.add_response(
        "put_dashboard",
        {"DashboardValidationMessages": [{"DataPath": "/widgets/0/properties/region", "Message": "Unknown region"}]},
        {"DashboardName": "triflow-acme", "DashboardBody": json.dumps(BODY)},
    )
    stub_read(stubber, "triflow-acme", BODY)

    created = run_module(dict(MODULE_CREDENTIALS, name="triflow-acme", body=BODY))

    assert not created.failed, created.msg
    assert created.changed
    # ansible-core gives warnings as text or, with its newer result profile, as {"event": {"msg": ...}}.
    warnings = [text if isinstance(text, str) else text["event"]["msg"] for text in created.result["warnings"]]
    assert warnings == ["dashboard triflow-acme: /widgets/0/properties/region: Unknown region"]


def test_validation_messages_of_a_body_not_stored_fail(stubber: Stubber, run_module: Callable[..., ModuleRun]) -> None:
    stub_read(stubber, "triflow-acme", None)
    stubber.add_response(
        "put_dashboard",
        {
            "DashboardValidationMessages": [
                {"DataPath": "/widgets/0", "Message": "Should have required property 'type'"}
            ]
        },
    )
    stub_read(stubber, "triflow-acme", None)

    refused = run_module(dict(MODULE_CREDENTIALS, name="triflow-acme", body=BODY))

    assert refused.failed
    assert refused.result["validation_messages"] == ["/widgets/0: Should have required property 'type'"]
    assert "did not store dashboard triflow-acme as asked" in refused.msg


def test_a_refused_body_fails_with_its_validation_messages(
    stubber: Stubber, run_module: Callable[..., ModuleRun]
) -> None:
    stub_read(stubber, "triflow-acme", None)
    stubber.add_client_error(
        "put_dashboard",
        service_error_code="InvalidParameterInput",
        service_message="The input for the dashboard is invalid",
        http_status_code=400,
        modeled_fields={
            "message": "The input for the dashboard is invalid",
            "dashboardValidationMessages": [
                {"DataPath": "/widgets/0/properties", "Message": "Should have required property 'metrics'"}
            ],
        },
    )

    refused = run_module(dict(MODULE_CREDENTIALS, name="triflow-acme", body=BODY))

    assert refused.failed
    assert refused.result["validation_messages"] == ["/widgets/0/properties: Should have required property 'metrics'"]
    assert "CloudWatch refused the body of dashboard triflow-acme; /widgets/0/properties" in refused.msg
