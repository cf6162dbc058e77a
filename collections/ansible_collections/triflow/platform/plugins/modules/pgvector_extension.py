#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: TriFlow AI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: pgvector_extension
short_description: Install, update, move or remove the pgvector extension in a PostgreSQL database
version_added: 0.1.0
description:
  - Keeps the pgvector extension (C(vector)) of one PostgreSQL database (for example on Amazon RDS) at a wanted
    version and schema, or removes it.
  - Reads the catalog first (C(pg_extension), C(pg_available_extension_versions), C(pg_extension_update_paths))
    and fails with a specific message when the wanted version has no install or update path, naming the installed
    version and the versions the server offers.
  - All changes run in one transaction. In check mode nothing is changed and RV(queries) holds the exact SQL the
    module would run.
  - Connects with psycopg 3.
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
    details: The diff shows the extension's C(installed), C(version) and C(schema) before and after.
  platform:
    platforms: posix
options:
  state:
    description:
      - V(present) installs the extension, or updates or moves it to O(version) and O(schema).
      - V(absent) drops it.
    type: str
    choices: [present, absent]
    default: present
  version:
    description:
      - The version the extension must be at, for example V(0.8.1).
      - V(latest) means the server's default version of the extension (C(default_version) in
        C(pg_available_extensions)); when that is not reachable from the installed version, the highest reachable
        one, and when none is higher, the installed version stays (with a warning).
      - A pinned version that is lower than the installed one fails, because PostgreSQL has no downgrade path.
      - Only with O(state=present).
    type: str
    default: latest
  schema:
    description:
      - The schema the extension's objects (the C(vector) type, operators, functions) live in.
      - An extension installed in another schema is moved there (C(ALTER EXTENSION ... SET SCHEMA)).
      - The schema must exist; the module does not create it.
      - Only with O(state=present).
    type: str
    default: public
  cascade:
    description:
      - With O(state=absent), also drop the objects that depend on the extension (C(vector) columns, indexes).
      - Without it, dropping an extension that is in use fails and says so.
    type: bool
    default: false
  smoke_test:
    description:
      - After the extension is in place, use it with temporary objects only, then roll back. It creates a
        C(TEMP) table with a three-dimensional C(vector) column, inserts three rows and orders them by cosine
        distance (C(<=>)) to a probe vector. Fails when the result is wrong. Returns RV(smoke_test).
      - Nothing persistent changes, so this also runs in check mode when the extension needs no change.
      - Only with O(state=present).
    type: bool
    default: false
notes:
  - C(vector) is not a trusted extension (its control file has no C(trusted = true)), so C(CREATE EXTENSION) needs
    a superuser (on Amazon RDS a member of C(rds_superuser)); C(ALTER EXTENSION) and C(DROP EXTENSION) need the
    extension's owner or a superuser. In check mode the module warns when the catalog says a statement would fail.
  - Identifiers are quoted with C(psycopg.sql.Identifier) and versions passed as literals, never pasted into SQL.
seealso:
  - name: pgvector
    description: The pgvector extension, its versions and upgrade notes.
    link: https://github.com/pgvector/pgvector
  - name: ALTER EXTENSION
    description: PostgreSQL's reference for extension updates and schema moves.
    link: https://www.postgresql.org/docs/current/sql-alterextension.html
"""

EXAMPLES = r"""
- name: Install pgvector (the server's default version) in the app database
  triflow.platform.pgvector_extension:
    login_host: "{{ rds_endpoint_address }}"
    login_user: "{{ rds_master_username }}"
    login_password: "{{ rds_master_password }}"
    login_db: triflow
    ssl_mode: verify-full
    ca_cert: /etc/ssl/certs/rds-global-bundle.pem
  no_log: true

- name: Pin pgvector to 0.8.1 in schema extensions and check it works
  triflow.platform.pgvector_extension:
    login_host: db.internal
    login_user: postgres
    login_password: "{{ vault_db_password }}"
    login_db: triflow
    version: 0.8.1
    schema: extensions
    smoke_test: true
  register: pgvector

- name: Show what an upgrade would run, without running it
  triflow.platform.pgvector_extension:
    login_host: db.internal
    login_user: postgres
    login_db: triflow
    version: latest
  check_mode: true
  diff: true

- name: Remove pgvector and every vector column with it
  triflow.platform.pgvector_extension:
    login_host: db.internal
    login_user: postgres
    login_db: scratch
    state: absent
    cascade: true
"""

RETURN = r"""
queries:
  description:
    - The state-changing SQL statements, exactly as run (or, in check mode, as they would run). Empty when nothing
      changes.
  returned: always
  type: list
  elements: str
  sample: ["ALTER EXTENSION \"vector\" UPDATE TO '0.8.2'"]
prev_version:
  description: The installed version before the module ran; null when the extension was not installed.
  returned: always
  type: str
  sample: 0.8.1
version:
  description: The installed version after the module ran (in check mode, the version it would have); null when absent.
  returned: always
  type: str
  sample: 0.8.2
prev_schema:
  description: The extension's schema before the module ran; null when it was not installed.
  returned: always
  type: str
  sample: public
schema:
  description: The extension's schema after the module ran (in check mode, the schema it would have); null when absent.
  returned: always
  type: str
  sample: public
server_version:
  description: The PostgreSQL server's version (C(server_version) setting).
  returned: always
  type: str
  sample: "16.4"
available_versions:
  description: The versions of the extension the server can install (C(pg_available_extension_versions)), lowest first.
  returned: always
  type: list
  elements: str
  sample: ["0.8.1", "0.8.2"]
smoke_test:
  description: The result of O(smoke_test).
  returned: when O(smoke_test=true)
  type: dict
  contains:
    passed:
      description: Whether the rows came back in the expected cosine-distance order.
      type: bool
      returned: unless skipped
    skipped:
      description: True when check mode could not run it (the extension would first be created or changed).
      type: bool
      returned: when skipped
    reason:
      description: Why it was skipped.
      type: str
      returned: when skipped
    probe:
      description: The probe vector.
      type: str
      returned: unless skipped
      sample: "[1,0,0]"
    query:
      description: The distance query that ran.
      type: str
      returned: unless skipped
    rows:
      description: The rows nearest first, with their cosine distance to the probe.
      type: list
      elements: dict
      returned: unless skipped
      sample: [{"id": 1, "cosine_distance": 0.0}, {"id": 3, "cosine_distance": 0.292893}]
"""

import traceback

from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible.module_utils.compat.version import LooseVersion
from ansible_collections.triflow.platform.plugins.module_utils import pgvector_extension as pgvector

PSYCOPG_IMPORT_ERROR = None
try:
    import psycopg
except ImportError:
    psycopg = None
    PSYCOPG_IMPORT_ERROR = traceback.format_exc()


def argument_spec():
    spec = pgvector.connection_argument_spec()
    spec.update(
        state=dict(type="str", default="present", choices=["present", "absent"]),
        version=dict(type="str", default=pgvector.LATEST),
        schema=dict(type="str", default="public"),
        cascade=dict(type="bool", default=False),
        smoke_test=dict(type="bool", default=False),
    )
    return spec


def check_requirements(module):
    if psycopg is None:
        module.fail_json(
            msg=missing_required_lib("psycopg >= %s" % pgvector.PSYCOPG_MIN_VERSION), exception=PSYCOPG_IMPORT_ERROR
        )
    if LooseVersion(psycopg.__version__) < LooseVersion(pgvector.PSYCOPG_MIN_VERSION):
        module.fail_json(
            msg="psycopg >= %s is required; found %s" % (pgvector.PSYCOPG_MIN_VERSION, psycopg.__version__)
        )
    if module.params["state"] == "absent" and module.params["smoke_test"]:
        module.fail_json(msg="smoke_test needs state=present: there is no extension to test after it is dropped")


def extension_view(installed):
    if installed is None:
        return {"installed": False, "version": None, "schema": None}
    return {"installed": True, "version": installed["version"], "schema": installed["schema"]}


def plan(module, cursor, catalog):
    """The target view of the extension and the (kind, statement) steps that lead there."""
    params = module.params
    if params["state"] == "absent":
        return extension_view(None), pgvector.plan_absent(catalog, params["cascade"]), None
    if not catalog["available_versions"]:
        raise pgvector.PgvectorError(pgvector.not_available_message(catalog, params["version"]))
    if not pgvector.schema_exists(cursor, params["schema"]):
        raise pgvector.PgvectorError(
            "Schema '%s' does not exist in database '%s': create it first (the module does not create schemas)"
            % (params["schema"], catalog["database"])
        )
    installed = catalog["installed"]
    reachable = pgvector.reachable_versions(cursor, installed["version"]) if installed else []
    target, warning = pgvector.resolve_target(catalog, params["version"], reachable)
    if warning:
        module.warn(warning)
    steps = pgvector.plan_present(catalog, target, params["schema"])
    return {"installed": True, "version": target, "schema": params["schema"]}, steps, target


def apply(conn, catalog, steps, target):
    """Run the steps in one transaction; on failure roll back and raise PgvectorError explaining why."""
    with conn.cursor() as cursor:
        for kind, statement in steps:
            try:
                cursor.execute(statement)
            except psycopg.Error as exc:
                conn.rollback()
                raise pgvector.PgvectorError(
                    pgvector.statement_error_message(catalog, kind, statement.as_string(conn), exc, target)
                ) from exc
    conn.commit()


def smoke_test(module, conn, after, changed):
    if module.check_mode and changed:
        return {"skipped": True, "reason": "check mode: the extension would be created or changed first"}
    try:
        with conn.cursor() as cursor:
            result = pgvector.run_smoke_test(cursor, after["schema"])
    except psycopg.Error as exc:
        raise pgvector.PgvectorError("The pgvector smoke test failed: %s" % " ".join(str(exc).split())) from exc
    finally:
        conn.rollback()
    if not result["passed"]:
        raise pgvector.PgvectorError(
            "The pgvector smoke test returned the rows in the wrong order (expected ids 1, 3, 2 by cosine distance "
            "to %s): %s" % (result["probe"], result["rows"])
        )
    return result


def run(module, conn, result):
    """Read, plan, apply (unless check mode), report. ``result`` collects what is known so far for fail_json."""
    with conn.cursor() as cursor:
        catalog = pgvector.read_catalog(cursor)
        before = extension_view(catalog["installed"])
        result.update(
            server_version=catalog["server_version"],
            available_versions=catalog["available_versions"],
            prev_version=before["version"],
            prev_schema=before["schema"],
        )
        after, steps, target = plan(module, cursor, catalog)
    conn.rollback()
    result["queries"] = [statement.as_string(conn) for _kind, statement in steps]
    if module.check_mode:
        for doubt in pgvector.privilege_doubts(catalog, steps, target):
            module.warn("This would fail: %s" % doubt)
    elif steps:
        apply(conn, catalog, steps, target)
        result["changed"] = True
        with conn.cursor() as cursor:
            after = extension_view(pgvector.read_catalog(cursor)["installed"])
        conn.rollback()
    result.update(changed=bool(steps), version=after["version"], schema=after["schema"])
    if module._diff:
        result["diff"] = {"before": before, "after": after}
    if module.params["smoke_test"]:
        result["smoke_test"] = smoke_test(module, conn, after, bool(steps))
    return result


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    check_requirements(module)
    result = {"changed": False, "queries": []}
    try:
        conn = pgvector.connect(module.params)
    except pgvector.PgvectorError as exc:
        module.fail_json(msg=str(exc), **result)
        return
    # result["changed"] turns true only once a change is committed, so a later failure (the smoke test) reports it.
    try:
        run(module, conn, result)
    except pgvector.PgvectorError as exc:
        module.fail_json(msg=str(exc), **result)
    except psycopg.Error as exc:
        module.fail_json(msg="PostgreSQL error: %s" % " ".join(str(exc).split()), **result)
    finally:
        conn.close()
    module.exit_json(**result)


if __name__ == "__main__":
    main()
