#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: TriFlow AI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: postgresql_app_role
short_description: An application's least-privilege PostgreSQL roles, a NOLOGIN schema owner and its login users
version_added: 1.1.0
description:
  - Keeps, in one PostgreSQL database (for example on Amazon RDS), the roles an application connects with, in the
    shape of AWS's alternating-users rotation strategy.
  - An O(owner) role, C(NOLOGIN), owns the O(schema) and has C(CONNECT) and C(TEMPORARY) on the database.
  - A login O(user) is a member of O(owner) with C(ALTER ROLE <user> IN DATABASE <db> SET role = <owner>), so the
    tables it creates belong to the owner and a second user of the same owner can use them. Call the module once
    per user (two users alternate when their passwords are rotated).
  - Neither role gets C(SUPERUSER), C(CREATEDB), C(CREATEROLE), C(REPLICATION) or C(BYPASSRLS); a role that has one
    of them loses it.
  - The password is sent as a SCRAM-SHA-256 verifier computed on the client (as psql's C(\password) does), never in
    clear text, so a server that logs DDL (C(log_statement=ddl) or C(mod)) logs no password.
  - All changes run in one transaction. In check mode nothing changes and RV(queries) holds the SQL the module
    would run, with the verifier masked.
  - Connects with psycopg 3, as the master user (or another role with C(CREATEROLE)).
author:
  - TriFlow AI platform team (@triflow-ai)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - triflow.platform.postgres_connection
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
    details: Both roles' attributes, the membership, the role setting, the schema's owner and the owner's database
      privileges before and after; of the password only whether it changes.
  platform:
    platforms: posix
options:
  owner:
    description:
      - The C(NOLOGIN) role that owns O(schema) and every object the app creates.
    type: str
    required: true
  user:
    description:
      - The login role the app connects as; a member of O(owner).
    type: str
    required: true
  password:
    description:
      - The password of O(user). Required when O(user) does not exist yet.
      - Set when the user is created, and on an existing user only with O(update_password=always). PostgreSQL keeps
        only a verifier, so the module cannot tell whether an existing password equals this one.
    type: str
  update_password:
    description:
      - V(on_create) sets O(password) only when the module creates O(user); V(always) sets it on every run (a
        rotation).
    type: str
    choices: [on_create, always]
    default: on_create
  schema:
    description:
      - The schema O(owner) owns; it must exist (C(public) does in every new database).
    type: str
    default: public
notes:
  - On Amazon RDS the master user is not a superuser but has C(CREATEROLE); to give the schema to O(owner) it first
    makes itself a member of O(owner) (C(GRANT <owner> TO CURRENT_USER)), which RDS's master user may do.
  - Identifiers are quoted with C(psycopg.sql.Identifier) and values passed as literals, never pasted into SQL.
seealso:
  - name: Rotation strategies
    description: Secrets Manager's alternating-users strategy, which the two login users follow.
    link: https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotation-strategy.html
  - name: ALTER ROLE
    description: PostgreSQL's reference for role attributes and per-database settings.
    link: https://www.postgresql.org/docs/current/sql-alterrole.html
"""

EXAMPLES = r"""
- name: The app's roles in its database (the user's password is set when the user is created)
  triflow.platform.postgresql_app_role:
    login_host: "{{ rds_endpoint_address }}"
    login_user: triflow_admin
    login_password: "{{ master_password }}"
    login_db: triflow
    ssl_mode: verify-full
    ca_cert: /etc/ssl/certs/rds-global-bundle.pem
    owner: triflow_app
    user: triflow_app_a
    password: "{{ app_password }}"
  no_log: true

- name: Rotate the inactive user's password
  triflow.platform.postgresql_app_role:
    login_host: db.internal
    login_user: triflow_admin
    login_password: "{{ master_password }}"
    login_db: triflow
    owner: triflow_app
    user: triflow_app_b
    password: "{{ new_password }}"
    update_password: always
  no_log: true
"""

RETURN = r"""
queries:
  description:
    - The state-changing SQL statements as run (in check mode, as they would run), with the password verifier
      masked. Empty when nothing changes.
  returned: always
  type: list
  elements: str
  sample: ["CREATE ROLE \"triflow_app\" NOLOGIN INHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS"]
password_changed:
  description: Whether the user's password was set (or, in check mode, would be).
  returned: always
  type: bool
  sample: false
database:
  description: The database the roles were checked in.
  returned: always
  type: str
  sample: triflow
"""

import traceback

from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible_collections.triflow.platform.plugins.module_utils import pgvector_extension as pg
from ansible_collections.triflow.platform.plugins.module_utils import postgresql_app_role as app_role

PSYCOPG_IMPORT_ERROR = None
try:
    import psycopg
except ImportError:
    psycopg = None
    PSYCOPG_IMPORT_ERROR = traceback.format_exc()


def argument_spec():
    spec = pg.connection_argument_spec()
    spec.update(
        owner=dict(type="str", required=True),
        user=dict(type="str", required=True),
        password=dict(type="str", no_log=True),
        update_password=dict(type="str", default="on_create", choices=["on_create", "always"], no_log=False),
        schema=dict(type="str", default="public"),
    )
    return spec


def run(module, conn, result):
    params = module.params
    with conn.cursor() as cursor:
        state = app_role.read_state(cursor, params)
    conn.rollback()
    result["database"] = state["database"]
    if not state["schema_exists"]:
        raise pg.PgvectorError(
            "Schema '%s' does not exist in database '%s': create it first (the module does not create schemas)"
            % (params["schema"], state["database"])
        )
    set_password = state["user"] is None or (params["update_password"] == "always")
    if set_password and not params["password"]:
        raise pg.PgvectorError(
            "password is required to %s user '%s'"
            % ("create" if state["user"] is None else "rotate (update_password=always) the password of", params["user"])
        )
    verifier = app_role.scram_verifier(conn, params["password"], params["user"]) if set_password else None
    steps = app_role.plan(state, params, verifier)
    result["queries"] = [(shown or statement).as_string(conn) for shown, statement in steps]
    result["password_changed"] = set_password
    if steps and not module.check_mode:
        with conn.cursor() as cursor:
            for _shown, statement in steps:
                cursor.execute(statement)
        conn.commit()
    result["changed"] = bool(steps)
    if module._diff:
        result["diff"] = {
            "before": app_role.view(state, params),
            "after": app_role.view(app_role.target_state(state, params), params, set_password),
        }
    return result


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    if psycopg is None:
        module.fail_json(
            msg=missing_required_lib("psycopg >= %s" % pg.PSYCOPG_MIN_VERSION), exception=PSYCOPG_IMPORT_ERROR
        )
    result = {"changed": False, "queries": [], "password_changed": False, "database": module.params["login_db"]}
    errors = app_role.name_errors(module.params)
    if errors:
        module.fail_json(msg="; ".join(errors), **result)
    try:
        conn = pg.connect(module.params)
    except pg.PgvectorError as exc:
        module.fail_json(msg=str(exc), **result)
        return
    try:
        run(module, conn, result)
    except pg.PgvectorError as exc:
        conn.rollback()
        module.fail_json(msg=str(exc), **result)
    except psycopg.Error as exc:
        conn.rollback()
        module.fail_json(msg="PostgreSQL error: %s" % " ".join(str(exc).split()), **result)
    finally:
        conn.close()
    module.exit_json(**result)


if __name__ == "__main__":
    main()
