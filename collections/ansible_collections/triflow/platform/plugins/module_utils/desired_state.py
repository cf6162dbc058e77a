# -*- coding: utf-8 -*-
# Copyright: TriFlow AI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A role's inputs to its desired state, the same way for every role.

1. The role's ``meta/argument_specs.yml`` (entry point ``main``) checks and converts every input: types, choices,
   required options, sub-options (``-e rds_allocated_storage=50`` gives a string; it becomes 50 here).
2. The role's model, ``module_utils/roles/<role>.py``, checks what argument_specs cannot (ranges, formats, rules
   across inputs) in ``input_errors(inputs)``, each message naming its variable.
3. ``desired_state(inputs, context)`` of the model builds every name and setting the role applies; ``context``
   holds what only the run knows (``account_id``, ``region``).
4. The state is published as the fact ``<role>_desired_state``, with the facts the model's ``PUBLISHED`` names
   (the stack's ``stack_name_prefix``, for one), which the roles after it read.

The ``triflow.platform.role_desired_state`` action runs this for the role whose task calls it; the unit tests run
it on each role's defaults. argument_specs is the one declaration of an input: defaults/main.yml and the README
tables are generated from it (``make declarations``).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import importlib

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

MODELS = "ansible_collections.triflow.platform.plugins.module_utils.roles"
CONTEXT_KEYS = ("account_id", "region")


def model(role):
    """The model module of a role (``module_utils/roles/<role>.py``)."""
    return importlib.import_module("%s.%s" % (MODELS, role))


def validate_inputs(options, values):
    """``(inputs, errors)``: ``values`` checked and converted by argument_specs ``options``."""
    result = ArgumentSpecValidator(options).validate(values)
    return result.validated_parameters, list(result.error_messages)


def build(role, options, values, context=None):
    """``(desired state, [])`` for valid inputs, else ``(None, errors)``; every error names its variable."""
    inputs, errors = validate_inputs(options, values)
    if errors:
        return None, errors
    role_model = model(role)
    errors = role_model.input_errors(inputs)
    if errors:
        return None, errors
    context = dict((key, (context or {}).get(key)) for key in CONTEXT_KEYS)
    return role_model.desired_state(inputs, context), []


def published(role, state):
    """The facts a role's desired state publishes: ``<role>_desired_state``, and each fact the model's
    ``PUBLISHED`` maps to a key of the state (e.g. the stack's ``stack_name_prefix``)."""
    facts = {"%s_desired_state" % role: state}
    for fact, key in getattr(model(role), "PUBLISHED", {}).items():
        facts[fact] = state[key]
    return facts
