#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: TriFlow AI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: role_desired_state
version_added: 0.2.0
short_description: Check a role's inputs and build its desired state
description:
  - Runs on the controller, in a role of the project, with no AWS call. Reads the role's C(meta/argument_specs.yml)
    (entry point C(main)), takes the value of each of its options from the task's variables, checks and converts
    them with that specification (types, choices, required options), then runs the role's model
    (C(module_utils/roles/<role>.py)), its own checks first and then the desired state, every name and setting
    the role applies.
  - Fails before any AWS call when an input is invalid, with one message per problem, each naming the variable
    and what it allows.
  - The argument specification is the one declaration of a role's inputs; C(defaults/main.yml) and the role
    README's variable table are generated from it.
  - With O(roles), in a play rather than a role, it builds each listed role's state in that order, in one task,
    as an include_role of each role's C(tasks/desired_state.yml) would. Each input is the play's variable, else the
    role's C(defaults/main.yml), templated with the facts the roles before it published; the playbooks build
    every role's state this way before any AWS call (the stack role's C(tasks/desired_states.yml)).
options:
  roles:
    description:
      - The roles to build, in order, when the task is not in a role. Omit in a role's own tasks.
    type: list
    elements: str
  variables:
    description:
      - With O(roles), variables that the roles' inputs are templated with, over the play's (for example what a
        role publishes in a provisioning run and another job reads from AWS).
    type: dict
  account_id:
    description:
      - The stack's AWS account, for names and ARNs that hold it; omit before it is known (the checks run first).
    type: str
  region:
    description:
      - The stack's region, for ARNs (their partition) and endpoints. With O(roles), the stack's own
        (C(stack_region)) once the stack role is built, unless set.
    type: str
attributes:
  action:
    support: full
    description: Runs on the controller as an action plugin; no module is sent to a host.
  async:
    support: none
    description: It returns at once.
  bypass_host_loop:
    support: none
    description: It runs for each host (each stack) of the play.
  check_mode:
    support: full
    description: Computes the same state in check mode; it changes nothing in any mode.
  diff_mode:
    support: none
    description: It changes nothing, so it has no diff.
  platform:
    support: full
    platforms: all
    description: Any controller.
author: TriFlow AI platform team (@triflow-ai)
"""

EXAMPLES = r"""
- name: Check the database's inputs and build its desired state
  triflow.platform.role_desired_state:
    region: "{{ stack_region }}"
  register: __rds_desired

- name: Set the database's desired state
  ansible.builtin.set_fact:
    rds_desired_state: "{{ __rds_desired.desired_state }}"

- name: Check every role's inputs and build their desired states, before any AWS call
  triflow.platform.role_desired_state:
    roles: "{{ stack_roles }}"
  register: __stack_desired_states

- name: Set the roles' desired states
  ansible.builtin.set_fact:
    "{{ item.key }}": "{{ item.value }}"
  loop: "{{ __stack_desired_states.facts | dict2items }}"
"""

RETURN = r"""
desired_state:
  description: The role's desired state, as its model builds it (a dict; a list for the secrets role).
  returned: success, in a role
  type: raw
desired_states:
  description: Each role's desired state, by role name.
  returned: success, with O(roles)
  type: dict
facts:
  description:
    - The facts to set, C(<role>_desired_state) for each role and what a role's model publishes beside it
      (the stack's C(stack_name_prefix), C(stack_tags), C(stack_region), C(stack_availability_zones)).
  returned: success
  type: dict
role:
  description: The role whose inputs were rejected.
  returned: failure
  type: str
errors:
  description: Every problem of the inputs, each naming its variable.
  returned: failure
  type: list
  elements: str
  sample:
    - "rds_backup_window '18:30-19:30' overlaps rds_maintenance_window 'mon:19:00-mon:20:00': AWS requires them apart"
"""
