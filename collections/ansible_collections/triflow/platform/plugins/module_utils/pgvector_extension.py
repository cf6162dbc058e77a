# -*- coding: utf-8 -*-
# Copyright: TriFlow AI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The pgvector extension in one PostgreSQL database: catalog reads, version paths, SQL and error messages.

Small functions that take a psycopg 3 cursor (or plain values) and never the Ansible module, so that
``triflow.platform.pgvector_extension`` (and later modules) stay thin and these stay testable on their own.
Identifiers always go through ``psycopg.sql.Identifier`` and values through ``psycopg.sql.Literal`` or query
parameters: nothing is pasted into SQL with ``%``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

try:
    import psycopg
    from psycopg import errors as pg_errors
    from psycopg import sql
except ImportError:  # the module reports it with missing_required_lib
    psycopg = None
    pg_errors = None
    sql = None

EXTENSION = "vector"
LATEST = "latest"
PSYCOPG_MIN_VERSION = "3.1"
APPLICATION_NAME = "ansible-triflow.platform"
SMOKE_TEST_ROWS = ((1, "[1,0,0]"), (2, "[0,1,0]"), (3, "[1,1,0]"))
SMOKE_TEST_PROBE = "[1,0,0]"


class PgvectorError(Exception):
    """A failure with a message written for the person running the playbook."""


def connection_argument_spec():
    """The argument spec of the connection options (documented by the postgres_connection doc fragment)."""
    return dict(
        login_host=dict(type="str", required=True),
        login_port=dict(type="int", default=5432),
        login_user=dict(type="str", required=True),
        login_password=dict(type="str", no_log=True),
        login_db=dict(type="str", required=True),
        ssl_mode=dict(
            type="str",
            default="prefer",
            choices=["disable", "allow", "prefer", "require", "verify-ca", "verify-full"],
        ),
        ca_cert=dict(type="path", aliases=["ssl_rootcert"]),
        connect_timeout=dict(type="int", default=10),
    )


def connect_params(params):
    """psycopg.connect() keyword arguments from the module's connection options."""
    kwargs = dict(
        host=params["login_host"],
        port=params["login_port"],
        user=params["login_user"],
        dbname=params["login_db"],
        sslmode=params["ssl_mode"],
        connect_timeout=params["connect_timeout"],
        application_name=APPLICATION_NAME,
    )
    if params.get("login_password") is not None:
        kwargs["password"] = params["login_password"]
    if params.get("ca_cert"):
        kwargs["sslrootcert"] = params["ca_cert"]
    return kwargs


def connect(params):
    """Open a connection (not autocommit: the module's changes run in one transaction) or raise PgvectorError."""
    try:
        return psycopg.connect(**connect_params(params))
    except psycopg.OperationalError as exc:
        raise PgvectorError(connection_error_message(exc, params)) from exc


def connection_error_message(exc, params):
    """Say why a connection failed, in terms of the options the user set."""
    where = "PostgreSQL at %s:%s (database '%s', user '%s')" % (
        params["login_host"],
        params["login_port"],
        params["login_db"],
        params["login_user"],
    )
    text = str(exc).strip()
    lowered = text.lower()
    if isinstance(exc, getattr(pg_errors, "ConnectionTimeout", ())) or "timeout expired" in lowered:
        reason = (
            "no answer within connect_timeout=%s s: a firewall or security group dropping the traffic, or a "
            "listener that is not PostgreSQL" % params["connect_timeout"]
        )
    elif "connection refused" in lowered:
        reason = (
            "connection refused: nothing listens on that host and port (is the server running, is login_port right?)"
        )
    elif "password authentication failed" in lowered:
        reason = (
            'password authentication failed for user "%s": check login_user and login_password' % (params["login_user"])
        )
    elif "does not exist" in lowered and "database" in lowered:
        reason = "database '%s' does not exist: create it first" % params["login_db"]
    elif "does not support ssl" in lowered:
        reason = "the server does not offer TLS, but ssl_mode=%s requires it" % params["ssl_mode"]
    elif "no pg_hba.conf entry" in lowered:
        reason = "the server's pg_hba.conf rejects this client, user and database (or this ssl_mode)"
    else:
        reason = "the server or libpq refused the connection"
    return "Cannot connect to %s: %s. libpq said: %s" % (where, reason, " ".join(text.split()))


def version_key(version):
    """Sort key of an extension version string: numeric parts compare as numbers (0.10.0 > 0.9.1)."""
    parts = re.split(r"[.\-_]", str(version))
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in parts)


def sorted_versions(versions):
    return sorted(set(versions), key=version_key)


def read_catalog(cursor, extension=EXTENSION):
    """What the server says about the extension, the connected role and the database, in one dict."""
    cursor.execute("SELECT current_setting('server_version'), current_database(), current_user")
    server_version, database, role = cursor.fetchone()
    cursor.execute(
        "SELECT r.rolsuper, has_database_privilege(current_database(), 'CREATE') FROM pg_roles r "
        "WHERE r.rolname = current_user"
    )
    is_superuser, can_create_in_database = cursor.fetchone()
    cursor.execute("SELECT default_version FROM pg_available_extensions WHERE name = %s", (extension,))
    row = cursor.fetchone()
    default_version = row[0] if row else None
    cursor.execute(
        "SELECT version, trusted, relocatable FROM pg_available_extension_versions WHERE name = %s", (extension,)
    )
    versions = {version: {"trusted": trusted, "relocatable": relocatable} for version, trusted, relocatable in cursor}
    cursor.execute(
        "SELECT e.extversion, n.nspname, pg_get_userbyid(e.extowner), e.extrelocatable "
        "FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = %s",
        (extension,),
    )
    row = cursor.fetchone()
    installed = None
    if row:
        installed = {"version": row[0], "schema": row[1], "owner": row[2], "relocatable": row[3]}
    return {
        "extension": extension,
        "server_version": server_version,
        "database": database,
        "role": role,
        "is_superuser": bool(is_superuser),
        "can_create_in_database": bool(can_create_in_database),
        "default_version": default_version,
        "available_versions": sorted_versions(versions),
        "versions": versions,
        "installed": installed,
    }


def reachable_versions(cursor, from_version, extension=EXTENSION):
    """The versions ``ALTER EXTENSION ... UPDATE TO`` can reach from ``from_version`` (pg_extension_update_paths)."""
    cursor.execute(
        "SELECT target FROM pg_extension_update_paths(%s) WHERE source = %s AND path IS NOT NULL",
        (extension, from_version),
    )
    return sorted_versions(row[0] for row in cursor)


def schema_exists(cursor, schema):
    cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,))
    return cursor.fetchone() is not None


def _offer(versions):
    return ", ".join(versions) if versions else "none"


def not_available_message(catalog, wanted):
    """The extension, or the wanted version of it, is not installable on this server."""
    if not catalog["available_versions"]:
        return (
            "The %s extension is not available on this server (PostgreSQL %s): its extension directory has no "
            "%s.control. Install pgvector on the server (on Amazon RDS: an engine version that ships it)."
            % (catalog["extension"], catalog["server_version"], catalog["extension"])
        )
    return "Version %s of the %s extension is not available on this server (PostgreSQL %s); it offers: %s." % (
        wanted,
        catalog["extension"],
        catalog["server_version"],
        _offer(catalog["available_versions"]),
    )


def resolve_target(catalog, wanted, reachable):
    """The version the extension must end at, or raise PgvectorError when no install or update path leads there.

    ``reachable`` is ``reachable_versions()`` of the installed version (ignored when not installed).
    Returns ``(target, warning)``; ``warning`` is None or a message for the user.
    """
    installed = catalog["installed"]
    available = catalog["available_versions"]
    extension = catalog["extension"]
    if wanted == LATEST:
        target = catalog["default_version"] or (available[-1] if available else None)
        if target is None:
            raise PgvectorError(not_available_message(catalog, wanted))
        if installed is None or installed["version"] == target or target in reachable:
            return target, None
        newer = [v for v in reachable if version_key(v) > version_key(installed["version"])]
        if newer:
            return newer[-1], None
        return installed["version"], (
            "%s %s is installed; the server's default version %s cannot be reached from it, so it stays as is"
            % (extension, installed["version"], target)
        )
    if installed is None:
        if wanted not in available:
            raise PgvectorError(not_available_message(catalog, wanted))
        return wanted, None
    if installed["version"] == wanted or wanted in reachable:
        return wanted, None
    if wanted not in available:
        raise PgvectorError(
            "%s Installed in database '%s': %s; reachable from it: %s."
            % (not_available_message(catalog, wanted), catalog["database"], installed["version"], _offer(reachable))
        )
    downgrade = version_key(wanted) < version_key(installed["version"])
    raise PgvectorError(
        "Cannot take the %s extension in database '%s' from installed version %s to %s: the server has no update "
        "path (pg_extension_update_paths)%s. Versions reachable from %s: %s."
        % (
            extension,
            catalog["database"],
            installed["version"],
            wanted,
            "; PostgreSQL extensions cannot be downgraded (drop and re-create it, with its data)" if downgrade else "",
            installed["version"],
            _offer(reachable),
        )
    )


def create_sql(schema, version, extension=EXTENSION):
    return sql.SQL("CREATE EXTENSION {} WITH SCHEMA {} VERSION {}").format(
        sql.Identifier(extension), sql.Identifier(schema), sql.Literal(version)
    )


def update_sql(version, extension=EXTENSION):
    return sql.SQL("ALTER EXTENSION {} UPDATE TO {}").format(sql.Identifier(extension), sql.Literal(version))


def set_schema_sql(schema, extension=EXTENSION):
    return sql.SQL("ALTER EXTENSION {} SET SCHEMA {}").format(sql.Identifier(extension), sql.Identifier(schema))


def drop_sql(cascade, extension=EXTENSION):
    return sql.SQL("DROP EXTENSION {}{}").format(sql.Identifier(extension), sql.SQL(" CASCADE" if cascade else ""))


def plan_present(catalog, target, schema):
    """The statements (kind, Composed) that put the extension at ``target`` in ``schema``."""
    installed = catalog["installed"]
    extension = catalog["extension"]
    if installed is None:
        return [("create", create_sql(schema, target, extension))]
    steps = []
    if installed["version"] != target:
        steps.append(("update", update_sql(target, extension)))
    if installed["schema"] != schema:
        if not installed["relocatable"]:
            raise PgvectorError(
                "The %s extension is in schema '%s' and is not relocatable, so it cannot move to '%s'"
                % (extension, installed["schema"], schema)
            )
        steps.append(("set_schema", set_schema_sql(schema, extension)))
    return steps


def plan_absent(catalog, cascade):
    if catalog["installed"] is None:
        return []
    return [("drop", drop_sql(cascade, catalog["extension"]))]


def privilege_doubts(catalog, steps, target):
    """What the catalog says will stop the planned statements (for warnings in check mode)."""
    if catalog["is_superuser"]:
        return []
    doubts = []
    for kind, _statement in steps:
        if kind == "create":
            doubts.append(_create_privilege_reason(catalog, target))
        elif catalog["installed"]["owner"] != catalog["role"]:
            doubts.append(_owner_reason(catalog, kind))
    return doubts


def _create_privilege_reason(catalog, target):
    trusted = catalog["versions"].get(target, {}).get("trusted")
    if not trusted:
        return (
            "role '%s' is not a superuser and the %s extension is not trusted on this server (PostgreSQL %s), so "
            "CREATE EXTENSION needs the SUPERUSER attribute (on Amazon RDS: membership in rds_superuser)"
            % (catalog["role"], catalog["extension"], catalog["server_version"])
        )
    if not catalog["can_create_in_database"]:
        return (
            "the %s extension is trusted, so a non-superuser may create it, but role '%s' lacks the CREATE "
            "privilege on database '%s' (GRANT CREATE ON DATABASE %s TO %s)"
            % (catalog["extension"], catalog["role"], catalog["database"], catalog["database"], catalog["role"])
        )
    return "role '%s' lacks a privilege CREATE EXTENSION needs (e.g. CREATE on the target schema)" % catalog["role"]


_ACTIONS = {"update": "update", "set_schema": "move", "drop": "drop", "create": "create"}


def _owner_reason(catalog, kind):
    return (
        "role '%s' may not %s the %s extension: ALTER EXTENSION and DROP EXTENSION need its owner ('%s') or a "
        "superuser" % (catalog["role"], _ACTIONS[kind], catalog["extension"], catalog["installed"]["owner"])
    )


def statement_error_message(catalog, kind, query, exc, target=None):
    """Explain why a planned statement failed."""
    server_said = " ".join(str(exc).split())
    sqlstate = getattr(exc, "sqlstate", None)
    if sqlstate == "42501":  # insufficient_privilege
        if kind == "create":
            reason = _create_privilege_reason(catalog, target)
        elif catalog["installed"] and catalog["installed"]["owner"] != catalog["role"]:
            reason = _owner_reason(catalog, kind)
        else:
            reason = (
                "role '%s' lacks a privilege for this statement (e.g. CREATE on the target schema)" % (catalog["role"])
            )
        return "Permission denied: %s. Statement: %s. Server said: %s" % (reason, query, server_said)
    if sqlstate == "2BP01":  # dependent_objects_still_exist
        return (
            "Cannot drop the %s extension: other objects depend on it (columns, indexes, functions); set "
            "cascade: true to drop them too. Statement: %s. Server said: %s"
            % (catalog["extension"], query, server_said)
        )
    return "Statement failed: %s. Server said: %s" % (query, server_said)


def run_smoke_test(cursor, schema):
    """Use the extension with temporary objects only: a TEMP table with a vector(3) column and a cosine query.

    The caller rolls the transaction back afterwards, so nothing persistent changes (even the temp table goes).
    Returns the rows (id, cosine distance to the probe) nearest first.
    """
    vector_type = sql.SQL("{}.vector(3)").format(sql.Identifier(schema))
    cosine = sql.SQL("OPERATOR({}.<=>)").format(sql.Identifier(schema))
    table = sql.Identifier("triflow_pgvector_smoke_test")
    cursor.execute(
        sql.SQL("CREATE TEMP TABLE {} (id integer PRIMARY KEY, embedding {}) ON COMMIT DROP").format(table, vector_type)
    )
    cursor.executemany(
        sql.SQL("INSERT INTO {} (id, embedding) VALUES (%s, %s::{})").format(table, vector_type), SMOKE_TEST_ROWS
    )
    query = sql.SQL("SELECT id, embedding {} {}::{} AS distance FROM {} ORDER BY distance, id").format(
        cosine, sql.Literal(SMOKE_TEST_PROBE), vector_type, table
    )
    cursor.execute(query)
    rows = [{"id": row[0], "cosine_distance": round(float(row[1]), 6)} for row in cursor]
    return {
        "passed": [row["id"] for row in rows] == [1, 3, 2],
        "probe": SMOKE_TEST_PROBE,
        "query": query.as_string(cursor.connection),
        "rows": rows,
    }
