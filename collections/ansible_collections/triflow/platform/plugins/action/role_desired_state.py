# -*- coding: utf-8 -*-
# Copyright: TriFlow AI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action of triflow.platform.role_desired_state: roles' inputs, checked, to their desired states (no AWS call).

In a role's tasks it builds that role's state. With ``roles`` (a playbook's checks before any AWS call) it builds
each listed role in order, as an include_role of each role's tasks/desired_state.yml would, in one task: each role's
inputs are the play's variables, else the role's defaults/main.yml, templated with the facts the roles before it
published. One task instead of three per role (the include, Ansible's argument check, the set_fact): the drift
check's checks went from 27 tasks to 2.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible import constants as C
from ansible.errors import AnsibleActionFail, AnsibleError
from ansible.plugins.action import ActionBase
from ansible_collections.triflow.platform.plugins.module_utils.desired_state import CONTEXT_KEYS, build, published


class ActionModule(ActionBase):
    """Reads each role's argument_specs, templates its inputs from the task's variables, builds its state."""

    TRANSFERS_FILES = False
    _requires_connection = False
    _VALID_ARGS = frozenset(CONTEXT_KEYS + ("roles", "variables"))

    def _calling_role(self):
        role = self._task._role
        if role is None:
            raise AnsibleActionFail(
                "triflow.platform.role_desired_state runs in a role's tasks (tasks/desired_state.yml), "
                "or in a play with roles: the roles to build in order"
            )
        return role

    def _role_path(self, name, task_vars):
        """Where Ansible finds the role: beside the playbook, then on the configured roles path."""
        playbook_dir = task_vars.get("playbook_dir") or ""
        candidates = [os.path.join(playbook_dir, "roles"), playbook_dir] + list(C.DEFAULT_ROLES_PATH)
        for folder in candidates:
            path = os.path.join(folder, name)
            if os.path.isfile(os.path.join(path, "meta", "argument_specs.yml")):
                return path
        raise AnsibleActionFail(
            "role_desired_state: no role %s with meta/argument_specs.yml in %s (roles)" % (name, ", ".join(candidates))
        )

    def _options(self, path):
        spec_file = os.path.join(path, "meta", "argument_specs.yml")
        try:
            return self._loader.load_from_file(spec_file)["argument_specs"]["main"]["options"]
        except (KeyError, TypeError):
            raise AnsibleActionFail(
                "%s has no argument_specs.main.options: the role declares no inputs" % spec_file
            ) from None

    def _defaults(self, path):
        """The role's defaults/main.yml, trusted as templates as the role loader trusts them."""
        defaults_file = os.path.join(path, "defaults", "main.yml")
        if not os.path.isfile(defaults_file):
            return {}
        return self._loader.load_from_file(defaults_file, trusted_as_template=True) or {}

    def _build(self, name, options, variables, context):
        """``(state, errors)`` of one role, its inputs templated from ``variables``."""
        templar = self._templar.copy_with_new_env(available_variables=variables)
        values, errors = {}, []
        for key in options:
            if key not in variables:
                continue
            try:
                values[key] = templar.template(variables[key])
            except AnsibleError as error:
                errors.append("%s: %s" % (key, error.message))
        if errors:
            return None, errors
        return build(name, options, values, context)

    def _failed(self, result, name, errors):
        result.update(failed=True, errors=errors, role=name, msg="Invalid %s inputs: %s" % (name, "; ".join(errors)))
        return result

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        result["changed"] = False
        roles = self._task.args.get("roles")
        if roles is None:
            role = self._calling_role()
            name = role.get_name(include_role_fqcn=False)
            context = dict((key, self._task.args.get(key)) for key in CONTEXT_KEYS)
            state, errors = self._build(name, self._options(role.get_role_path()), task_vars, context)
            if errors:
                return self._failed(result, name, errors)
            result.update(desired_state=state, facts=published(name, state))
            return result
        if not isinstance(roles, list) or not all(isinstance(name, str) for name in roles):
            raise AnsibleActionFail("role_desired_state: roles must be a list of role names, got %r" % (roles,))
        extra = self._task.args.get("variables") or {}
        if not isinstance(extra, dict):
            raise AnsibleActionFail("role_desired_state: variables must be a dict, got %r" % (extra,))
        # Each role sees the facts of the roles before it, as after their set_fact in a loop of include_role.
        variables, facts, states = dict(task_vars, **extra), {}, {}
        for name in roles:
            path = self._role_path(name, task_vars)
            defaults = self._defaults(path)
            scope = dict(variables, role_path=path, role_name=name)
            for key, value in defaults.items():
                scope.setdefault(key, value)
            context = {
                "account_id": self._task.args.get("account_id"),
                "region": self._task.args.get("region") or variables.get("stack_region"),
            }
            state, errors = self._build(name, self._options(path), scope, context)
            if errors:
                return self._failed(result, name, errors)
            states[name] = state
            facts.update(published(name, state))
            variables.update(published(name, state))
        result.update(desired_states=states, facts=facts)
        return result
