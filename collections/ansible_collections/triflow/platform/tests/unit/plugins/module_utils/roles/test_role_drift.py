"""The drift role's model (module_utils/roles/drift.py) on the real desired states of every other role."""

from __future__ import annotations

import datetime

from ansible_collections.triflow.platform.plugins.module_utils.roles.drift import ROLES
from support import roles

# The default folder reads TRIFLOW_REPORT_DIR with a lookup, which only a play renders.
REPORTS = {"drift_report_dir": "/tmp/reports"}


def test_the_desired_states_are_the_roles_own_unchanged():
    facts = roles.published_facts("drift")
    state = roles.desired_state("drift", **REPORTS)
    assert sorted(state["desired"]) == sorted(ROLES)
    for role in ROLES:
        assert state["desired"][role] == facts[f"{role}_desired_state"], role


def test_the_reports_are_named_by_the_stack_under_the_report_folder():
    state = roles.desired_state("drift", drift_report_dir="/var/lib/triflow/reports/")
    assert state["stack"] == "triflow-acme-prod"
    assert state["report_json"] == "/var/lib/triflow/reports/drift/triflow-acme-prod.json"
    assert state["report_markdown"] == "/var/lib/triflow/reports/drift/triflow-acme-prod.md"


def test_every_area_is_checked_by_default_and_accepted_drift_is_kept_as_given():
    entry = {"resource": "triflow-acme-prod-db", "reason": "OPS-1", "until": datetime.date(2026, 12, 31)}
    state = roles.desired_state("drift", drift_accept=[entry], **REPORTS)
    assert state["areas"][0] == "network" and len(state["areas"]) == 10
    # The tagging API sweep reads what the other areas found, so it comes last.
    assert state["areas"][-1] == "tagged"
    assert state["accept"] == [dict(entry, field=None, until="2026-12-31")]


def test_a_bad_accept_entry_or_area_is_rejected_naming_the_variable():
    assert roles.errors("drift", **REPORTS, drift_accept=[{"resource": "x", "reason": "", "until": "2026-12-31"}]) == [
        "drift_accept[0].reason must say why the drift is accepted"
    ]
    problems = roles.errors("drift", **REPORTS, drift_areas=["network", "dns"])
    assert len(problems) == 1 and "drift_areas" in problems[0] and "dns" in problems[0], problems


def test_the_identity_tags_are_the_stacks_and_all_three_are_needed():
    state = roles.desired_state("drift", **REPORTS)
    assert state["identity_tags"] == {"Project": "triflow", "Customer": "acme", "Environment": "prod"}
    tags = dict(roles.published_facts("drift")["stack_tags"])
    del tags["Environment"]
    assert roles.errors("drift", **REPORTS, drift_tags=tags) == [
        "drift_tags lacks Environment: the identity tags (Project, Customer, Environment) find what is tagged as "
        "the stack"
    ]
