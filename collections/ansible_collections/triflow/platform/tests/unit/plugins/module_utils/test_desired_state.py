"""A role's inputs to its desired state (module_utils/desired_state.py): argument_specs first, then the model."""

from __future__ import annotations

from ansible_collections.triflow.platform.plugins.module_utils import desired_state
from support import roles


def test_the_argument_specs_reject_and_convert_before_the_model_runs(monkeypatch):
    facts = roles.published_facts("rds")
    called = []
    monkeypatch.setattr(desired_state.model("rds"), "input_errors", called.append)
    state, errors = roles.result("rds", facts, rds_allocated_storage="lots")
    assert state is None
    assert errors == [
        "argument 'rds_allocated_storage' is of type str and we were unable to convert to int: "
        "\"'lots'\" cannot be converted to an int"
    ]
    assert called == [], "the model must not see inputs argument_specs rejected"


def test_the_model_sees_converted_values_and_only_the_context_keys():
    options = {"demo_count": {"type": "int"}, "demo_flag": {"type": "bool"}}
    inputs, errors = desired_state.validate_inputs(options, {"demo_count": "3", "demo_flag": "yes"})
    assert (inputs, errors) == ({"demo_count": 3, "demo_flag": True}, [])
    state, errors = desired_state.build(
        "stack", roles.options("stack"), roles.values("stack"), {"region": "x", "other": 1}
    )
    assert errors == [] and state["name_prefix"] == "triflow-acme-prod"


def test_every_role_has_a_model_with_both_functions():
    for role in roles.ORDER:
        model = desired_state.model(role)
        assert callable(model.input_errors) and callable(model.desired_state), role
