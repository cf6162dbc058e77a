# -*- coding: utf-8 -*-
# Copyright: TriFlow AI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action of triflow.platform.role_desired_state: a role's inputs, checked, to its desired state (no AWS call)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase
from ansible_collections.triflow.platform.plugins.module_utils.desired_state import CONTEXT_KEYS, build


class ActionModule(ActionBase):
    """Reads the calling role's argument_specs, templates its inputs from the task's variables, builds the state."""

    TRANSFERS_FILES = False
    _requires_connection = False
    _VALID_ARGS = frozenset(CONTEXT_KEYS)

    def _role(self):
        role = self._task._role
        if role is None:
            raise AnsibleActionFail(
                "triflow.platform.role_desired_state runs in a role's tasks (tasks/desired_state.yml)"
            )
        return role

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        role = self._role()
        name = role.get_name(include_role_fqcn=False)
        spec_file = os.path.join(role.get_role_path(), "meta", "argument_specs.yml")
        try:
            options = self._loader.load_from_file(spec_file)["argument_specs"]["main"]["options"]
        except (KeyError, TypeError):
            raise AnsibleActionFail(
                "%s has no argument_specs.main.options: the role declares no inputs" % spec_file
            ) from None
        values = self._templar.template(dict((key, task_vars[key]) for key in options if key in task_vars))
        context = dict((key, self._task.args.get(key)) for key in CONTEXT_KEYS)
        state, errors = build(name, options, values, context)
        result["changed"] = False
        if errors:
            result.update(failed=True, errors=errors, msg="Invalid %s inputs: %s" % (name, "; ".join(errors)))
            return result
        result["desired_state"] = state
        return result
