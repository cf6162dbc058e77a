"""Two customers' whole stacks (inventories/customer_a and customer_b) converged side by side once, and shared by
the files of this folder (one pytest worker runs them all: tests/conftest.py). A test that changes a stack puts it
back.
"""

from __future__ import annotations

from typing import Any

import pytest
from support.emulator import Emulator
from support.playbook import PlaybookRun, assert_ok

ACME = "triflow-acme-prod"
GLOBEX = "triflow-globex-staging"
INVENTORIES = ("inventories/customer_a", "inventories/customer_b")
# Releases and rotations: the emulator answers each service's /health (the load balancers' names do not resolve).
HEALTH_URL = (
    "{{ lookup('ansible.builtin.env', 'AWS_ENDPOINT_URL') }}/_triflow/app/"
    "{{ ecs_service_desired_state.cluster.name }}/{{ ecs_service_desired_state.service.name }}/health"
)
FAST = {"deploy_poll_interval": 0.5, "deploy_health_interval": 0.2, "deploy_health_url": HEALTH_URL}


@pytest.fixture(scope="session")
def customers(emulator: Emulator, playbook: Any) -> dict[str, PlaybookRun]:
    """Both customers' whole stacks converged by one run (side by side, under forks), re-run, then checked."""
    emulator.reset()
    first = assert_ok(playbook("site.yml", *INVENTORIES))
    second = assert_ok(playbook("site.yml", *INVENTORIES))
    check = assert_ok(playbook("site.yml", *INVENTORIES, check=True))
    return {"first": first, "second": second, "check": check}
