"""Every value a role's task sends to AWS is read from that role's desired state (``<role>_desired_state``, built
by its model in module_utils/roles), so provisioning, the drift check and the teardown read one truth.

The test reads each role's task files and, for every argument of an AWS module (amazon.aws, community.aws,
community.postgresql, triflow.platform), follows each variable the argument's Jinja names, through the task's and
the includes' ``vars`` and the role's ``set_fact`` expressions, to its roots. A root must be the role's own
desired state, a result the role registered (what AWS answered), or a loop variable. A literal (a value with no
Jinja) or any other variable (an input of the role read raw, another role's fact) fails.

Reads (``*_info`` modules) send no setting and are not checked. ``ALLOWED`` holds what is how a module is driven,
not a setting the resource holds.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from jinja2 import Environment, nodes

ROLES = Path(__file__).resolve().parents[2] / "roles"
# The roles that own AWS resources (the provisioning roles of stack_roles, and the data plane's pgvector).
PROVISIONING = ("network", "secrets", "storage", "rds", "elasticache", "ecr", "ecs_service", "alarms")
AWS_MODULE = re.compile(r"^(amazon\.aws|community\.aws|community\.postgresql|triflow\.platform)\.")
NOT_AWS = {"triflow.platform.role_desired_state"}
TASK_KEYWORDS = {
    "name", "when", "register", "vars", "loop", "loop_control", "until", "retries", "delay", "no_log", "tags",
    "changed_when", "failed_when", "check_mode", "diff", "environment", "delegate_to", "run_once", "notify",
    "module_defaults", "throttle", "block", "rescue", "always",
}  # fmt: skip
# Jinja's and Ansible's globals, and the loop variable Ansible names by default.
GLOBALS = {"omit", "lookup", "query", "dict", "range", "true", "false", "none", "item"}
# How a module is driven, by argument name: whether to wait or remove what is not declared (purge_*), how the module
# finds or replaces what exists, and the state; in_vpc, because EC2-Classic is retired and every Elastic IP is a VPC
# address. None of them is a setting of the resource.
CONTROL = re.compile(
    r"^(state|wait|wait_timeout|purge_[a-z_]+|multi_ok|convert_tags|if_exist_do_not_create|reuse_existing_ip_allowed"
    r"|tag_name|release_eip|overwrite|secret_type|force_update_password|modify_targets|override_task_capacity"
    r"|create_instance_profile|iam_type|resource_type|in_vpc)$"
)
# The short allow-list, each with its reason.
ALLOWED = {
    # Secret values are read from Secrets Manager at the moment of use, with the connection's lookup arguments; by
    # design they never enter a desired state (which the drift check writes to its reports).
    ("*", "stack_aws_lookup_args"),
    # The rotation's one-off values: the AUTH token being set and how (SET/ROTATE), not a setting the group keeps.
    ("elasticache", "__elasticache_auth_token_update"),
    ("elasticache", "apply_immediately"),
    # RDS's parameter groups: the dynamic parameters at once, the static ones at the next reboot (AWS's rule).
    ("rds", "immediate"),
    # What AWS assigned and the earlier roles publish: the secrets' ARNs (AWS adds a random suffix) and the
    # repository's URI, which the image as deployed is read against.
    ("ecs_service", "secrets_arns"),
    ("ecs_service", "ecr_repository"),
}


def _tasks(tasks: list[dict], inherited: dict | None = None) -> list[dict]:
    """Every task, in blocks too, with the vars of the blocks around it."""
    found = []
    for task in tasks or []:
        scope = {**(inherited or {}), **(task.get("vars") or {})}
        found.append({**task, "vars": scope})
        for key in ("block", "rescue", "always"):
            found.extend(_tasks(task.get(key) or [], scope))
    return found


def _leaves(value: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    if isinstance(value, dict):
        return [leaf for key, item in value.items() for leaf in _leaves(item, (*path, str(key)))]
    if isinstance(value, list):
        return [leaf for index, item in enumerate(value) for leaf in _leaves(item, (*path, str(index)))]
    return [(path, value)]


def _names(expression: str) -> set[str]:
    """The variables a template reads (its own loop and set variables left out)."""
    tree = Environment().parse(expression)
    stored = {node.name for node in tree.find_all(nodes.Name) if node.ctx in ("store", "param")}
    return {node.name for node in tree.find_all(nodes.Name) if node.ctx == "load"} - stored


def _allowed(role: str, name: str) -> bool:
    return (role, name) in ALLOWED or ("*", name) in ALLOWED


def role_violations(role: str, roles: Path = ROLES) -> list[str]:
    """Each AWS module argument of the role's tasks that is a literal or reads something besides the desired state."""
    tasks = [
        (path.name, task)
        for path in sorted((roles / role / "tasks").glob("*.yml"))
        for task in _tasks(yaml.safe_load(path.read_text()))
    ]
    registered = {task["register"] for _, task in tasks if "register" in task}
    # What the role derives: its vars/main.yml, its facts and the vars their tasks and its includes pass.
    role_vars = roles / role / "vars" / "main.yml"
    derived: dict[str, Any] = dict(yaml.safe_load(role_vars.read_text()) or {}) if role_vars.exists() else {}
    for _, task in tasks:
        if "ansible.builtin.set_fact" in task or "ansible.builtin.include_tasks" in task:
            derived.update(task["vars"])
            derived.update(task.get("ansible.builtin.set_fact") or {})
    roots = {f"{role}_desired_state"} | registered | GLOBALS
    violations = []
    for file_name, task in tasks:
        module = next((key for key in task if key not in TASK_KEYWORDS), "")
        if not AWS_MODULE.match(module) or module in NOT_AWS or module.endswith("_info"):
            continue
        local = {**derived, **(task.get("vars") or {})}
        loop_var = (task.get("loop_control") or {}).get("loop_var", "item")
        for path, value in _leaves(task[module] or {}):
            where = f"{file_name}: {task.get('name')}: {'.'.join(path)}"
            if CONTROL.match(path[0]) or _allowed(role, path[0]):
                continue
            if not isinstance(value, str) or "{{" not in value:
                violations.append(f"{where} is the literal {value!r}")
                continue
            pending, seen, raw = [value], set(), set()
            while pending:
                for name in _names(pending.pop()):
                    if name in roots or name == loop_var or name in seen or _allowed(role, name):
                        continue
                    seen.add(name)
                    if name not in local:
                        raw.add(name)
                        continue
                    if isinstance(local[name], str) and "{{" not in local[name]:
                        raw.add(f"the literal in {name}")
                    pending.extend(leaf for _, leaf in _leaves(local[name]) if isinstance(leaf, str) and "{{" in leaf)
            if raw:
                violations.append(f"{where} reads {', '.join(sorted(raw))}, not {role}_desired_state")
    return violations


@pytest.mark.parametrize("role", PROVISIONING)
def test_every_value_sent_to_aws_comes_from_the_roles_desired_state(role):
    assert role_violations(role) == []


def test_the_check_sees_a_literal_and_a_raw_input(tmp_path):
    tasks = tmp_path / "demo" / "tasks"
    tasks.mkdir(parents=True)
    (tasks / "main.yml").write_text(
        yaml.safe_dump(
            [
                {
                    "name": "Ensure the thing",
                    "amazon.aws.thing": {
                        "name": "{{ demo_desired_state.name }}",
                        "engine": "redis",
                        "size": "{{ demo_size }}",
                        "state": "present",
                    },
                }
            ]
        )
    )
    assert role_violations("demo", tmp_path) == [
        "main.yml: Ensure the thing: engine is the literal 'redis'",
        "main.yml: Ensure the thing: size reads demo_size, not demo_desired_state",
    ]
