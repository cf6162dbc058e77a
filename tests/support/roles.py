"""Each role's inputs as its defaults give them, checked and turned into its desired state as the roles do it.

``desired_state("rds", rds_iops=3000)`` renders the role's defaults/main.yml (its Jinja reads the facts the earlier
roles publish, as in playbooks/provision.yml), applies the overrides, and runs the same code the
``triflow.platform.role_desired_state`` action runs: the role's argument_specs, then its model. So a unit test's
valid input is the product's real default, never a hand-made copy.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import yaml
from ansible.template import Templar, trust_as_template
from ansible_collections.triflow.platform.plugins.module_utils.desired_state import build, published

from support.emulator import REPO

ROLES = REPO / "roles"
# The roles whose desired states every job builds before any AWS call, in their order (group_vars/all: stack_roles).
ORDER = tuple(yaml.safe_load((REPO / "group_vars" / "all" / "main.yml").read_text())["stack_roles"])
# What the inventory and the stack role give: a stack of customer acme, prod, in the baseline region.
STACK = {"stack_customer": "acme", "stack_environment": "prod"}
ACCOUNT_ID = "123456789012"


@cache
def options(role: str) -> dict[str, dict[str, Any]]:
    """The options of the role's ``main`` entry point in meta/argument_specs.yml."""
    spec = yaml.safe_load((ROLES / role / "meta" / "argument_specs.yml").read_text())
    return spec["argument_specs"]["main"]["options"]


@cache
def _defaults(role: str) -> dict[str, Any]:
    return yaml.safe_load((ROLES / role / "defaults" / "main.yml").read_text()) or {}


def _trusted(value: Any) -> Any:
    if isinstance(value, str):
        return trust_as_template(value)
    if isinstance(value, list):
        return [_trusted(item) for item in value]
    if isinstance(value, dict):
        return {key: _trusted(item) for key, item in value.items()}
    return value


def values(role: str, facts: dict[str, Any] | None = None, **overrides: Any) -> dict[str, Any]:
    """The role's inputs as a play sees them: defaults rendered with ``facts``, then ``overrides`` as given."""
    facts = dict(facts if facts is not None else published_facts(role))
    variables = {**facts, **{name: _trusted(value) for name, value in _defaults(role).items()}, **overrides}
    templar = Templar(loader=None, variables=variables)
    return {name: templar.template(variables[name]) for name in options(role) if name in variables}


def result(
    role: str, facts: dict[str, Any] | None = None, context: dict[str, Any] | None = None, **overrides: Any
) -> tuple[Any, list[str]]:
    """``(desired state, errors)`` of the role for its defaults with ``overrides``; ``context`` as the role's
    desired_state task passes it (by default: the stack's region and account)."""
    facts = dict(facts if facts is not None else published_facts(role))
    context = {"account_id": ACCOUNT_ID, "region": facts.get("stack_region"), **(context or {})}
    return build(role, options(role), values(role, facts, **overrides), context)


def desired_state(role: str, **overrides: Any) -> Any:
    state, errors = result(role, **overrides)
    assert errors == [], errors
    return state


def errors(role: str, **overrides: Any) -> list[str]:
    """The messages that reject the role's defaults with ``overrides`` (empty when they are valid)."""
    return result(role, **overrides)[1]


@cache
def _chain() -> dict[str, dict[str, Any]]:
    """The facts each role sees, from the stack's identity through every earlier role's desired state."""
    facts: dict[str, Any] = dict(STACK)
    seen: dict[str, dict[str, Any]] = {}
    for role in ORDER:
        seen[role] = dict(facts)
        state, problems = result(role, facts)
        assert problems == [], f"{role}: {problems}"
        facts.update(published(role, state))
    # What the roles after them (deploy, destroy) see: every desired state.
    seen["*"] = dict(facts)
    return seen


def published_facts(role: str) -> dict[str, Any]:
    """The facts ``role`` sees when provision.yml builds its desired state (before any AWS call); a role after
    them (deploy, destroy) sees every one of their desired states."""
    return dict(_chain()[role]) if role in ORDER else dict(_chain()["*"])
