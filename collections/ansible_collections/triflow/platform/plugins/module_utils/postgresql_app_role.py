# -*- coding: utf-8 -*-
# Copyright: TriFlow AI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""An application's least-privilege PostgreSQL roles: catalog reads, the plan that reaches the wanted state, SQL.

The shape (AWS's "alternating users" rotation strategy, Secrets Manager User Guide, "Rotation strategies"):

* an **owner** role, ``NOLOGIN``, that owns the app database's schema, so every table the app makes belongs to it;
* **login users**, each a member of the owner with ``ALTER ROLE <user> IN DATABASE <db> SET role = <owner>``, so
  whichever user is active, what it creates is the owner's and the other user can use it.

No role gets SUPERUSER, CREATEDB, CREATEROLE, REPLICATION or BYPASSRLS. Passwords are hashed here (SCRAM-SHA-256,
libpq's PQencryptPasswordConn, as psql's ``\\password`` does) and only the verifier is sent: the server's statement
log (``log_statement=mod`` logs DDL) never holds the password. Functions take a psycopg 3 cursor, never the module.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

try:
    from psycopg import sql
except ImportError:  # the module reports it with missing_required_lib
    sql = None

# The attributes every role of the app must not have (pg_roles column -> the keyword that sets it off).
DENIED_ATTRIBUTES = (
    ("rolsuper", "NOSUPERUSER"),
    ("rolcreatedb", "NOCREATEDB"),
    ("rolcreaterole", "NOCREATEROLE"),
    ("rolreplication", "NOREPLICATION"),
    ("rolbypassrls", "NOBYPASSRLS"),
)
DATABASE_PRIVILEGES = ("CONNECT", "TEMPORARY")
RESERVED_PREFIXES = ("pg_", "rds")
MASKED = "********"


def name_errors(params):
    """Problems of the role names the server cannot be asked about yet."""
    errors = []
    for option in ("owner", "user"):
        name = params[option]
        if not name or len(name) > 63:
            errors.append("%s %r must be 1 to 63 characters" % (option, name))
        elif name.lower().startswith(RESERVED_PREFIXES) or name.lower() in ("public", "postgres"):
            errors.append("%s %r is reserved: PostgreSQL and RDS keep pg_*, rds* and postgres" % (option, name))
    if params["owner"] == params["user"]:
        errors.append("owner and user are both %r: the owner is a NOLOGIN role, the user logs in" % params["owner"])
    if params["user"] == params["login_user"] or params["owner"] == params["login_user"]:
        errors.append(
            "login_user %r is one of the app's roles: connect as the master user, which the app never uses"
            % params["login_user"]
        )
    return errors


def read_role(cursor, name):
    """A role's attributes, or None when it does not exist."""
    cursor.execute(
        "SELECT rolcanlogin, rolinherit, rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls "
        "FROM pg_roles WHERE rolname = %s",
        (name,),
    )
    row = cursor.fetchone()
    if row is None:
        return None
    keys = ("rolcanlogin", "rolinherit") + tuple(column for column, _keyword in DENIED_ATTRIBUTES)
    return dict((key, row[index]) for index, key in enumerate(keys))


def read_state(cursor, params):
    """What the server holds of the owner, the user, their membership, the user's role setting, the schema's owner
    and the owner's privileges on the database, in one dict."""
    owner, user, schema = params["owner"], params["user"], params["schema"]
    cursor.execute("SELECT current_database(), (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)")
    database, login_is_superuser = cursor.fetchone()
    cursor.execute(
        "SELECT 1 FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles u ON u.oid = m.member "
        "WHERE g.rolname = %s AND u.rolname = %s",
        (owner, user),
    )
    member = cursor.fetchone() is not None
    cursor.execute(
        "SELECT 1 FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles u ON u.oid = m.member "
        "WHERE g.rolname = %s AND u.rolname = current_user",
        (owner,),
    )
    login_is_member = cursor.fetchone() is not None
    cursor.execute(
        "SELECT s.setconfig FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole "
        "JOIN pg_database d ON d.oid = s.setdatabase WHERE r.rolname = %s AND d.datname = current_database()",
        (user,),
    )
    row = cursor.fetchone()
    settings = dict(entry.split("=", 1) for entry in (row[0] or [])) if row else {}
    cursor.execute("SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = %s", (schema,))
    row = cursor.fetchone()
    schema_exists, schema_owner = row is not None, row[0] if row else None
    cursor.execute(
        "SELECT a.privilege_type FROM pg_database d, aclexplode(d.datacl) a JOIN pg_roles r ON r.oid = a.grantee "
        "WHERE d.datname = current_database() AND r.rolname = %s",
        (owner,),
    )
    privileges = sorted(set(found[0] for found in cursor.fetchall()))
    return {
        "database": database,
        "login_is_superuser": bool(login_is_superuser),
        "login_is_member": login_is_member,
        "owner": read_role(cursor, owner),
        "user": read_role(cursor, user),
        "member": member,
        "role_setting": settings.get("role"),
        "schema_exists": schema_exists,
        "schema_owner": schema_owner,
        "database_privileges": privileges,
    }


def view(state, params, password_changed=False):
    """The diff view of a state: what a person compares before and after (never a password)."""

    def role_view(role):
        if role is None:
            return {"exists": False}
        shown = {"exists": True, "login": role["rolcanlogin"], "inherit": role["rolinherit"]}
        shown.update((keyword.lower()[2:], role[column]) for column, keyword in DENIED_ATTRIBUTES)
        return shown

    user = role_view(state["user"])
    if state["user"] is not None:
        user.update(member_of_owner=state["member"], role_setting=state["role_setting"])
        user["password"] = "changed" if password_changed else "unchanged"
    return {
        "owner": dict(role_view(state["owner"]), name=params["owner"]),
        "user": dict(user, name=params["user"]),
        "schema": {"name": params["schema"], "owner": state["schema_owner"]},
        "database": {"name": state["database"], "owner_privileges": state["database_privileges"]},
    }


def target_state(state, params):
    """The state after the plan ran (for check mode's and diff's "after")."""
    clean = dict((column, False) for column, _keyword in DENIED_ATTRIBUTES)
    after = dict(state)
    after.update(
        owner=dict(clean, rolcanlogin=False, rolinherit=True),
        user=dict(clean, rolcanlogin=True, rolinherit=True),
        member=True,
        role_setting=params["owner"],
        schema_owner=params["owner"],
        database_privileges=sorted(set(state["database_privileges"]) | set(DATABASE_PRIVILEGES)),
    )
    return after


def _attributes(role, login):
    """The keywords that bring an existing role (or a new one, role None) to the wanted attributes."""
    keywords = []
    if role is None or role["rolcanlogin"] != login:
        keywords.append("LOGIN" if login else "NOLOGIN")
    if role is None or not role["rolinherit"]:
        keywords.append("INHERIT")
    keywords.extend(keyword for column, keyword in DENIED_ATTRIBUTES if role is None or role[column])
    return keywords


def plan(state, params, verifier):
    """The statements that bring the server to the wanted state: a list of (shown, statement) where ``shown`` is
    the SQL text with any password verifier masked. ``verifier`` is the SCRAM verifier of the user's new password,
    or None to leave the password as it is."""
    owner, user, schema = (
        sql.Identifier(params["owner"]),
        sql.Identifier(params["user"]),
        sql.Identifier(params["schema"]),
    )
    steps = []

    def add(statement, shown=None):
        steps.append((shown, statement))

    if state["owner"] is None:
        add(sql.SQL("CREATE ROLE {} " + " ".join(_attributes(None, False))).format(owner))
    elif _attributes(state["owner"], False):
        add(sql.SQL("ALTER ROLE {} " + " ".join(_attributes(state["owner"], False))).format(owner))
    keywords = _attributes(state["user"], True)
    verb = "CREATE" if state["user"] is None else "ALTER"
    if verifier is not None:
        statement = sql.SQL(verb + " ROLE {} " + " ".join(keywords + ["PASSWORD"]) + " {}")
        add(statement.format(user, sql.Literal(verifier)), statement.format(user, sql.Literal(MASKED)))
    elif keywords:
        add(sql.SQL(verb + " ROLE {} " + " ".join(keywords)).format(user))
    if not state["member"]:
        add(sql.SQL("GRANT {} TO {}").format(owner, user))
    if state["role_setting"] != params["owner"]:
        add(
            sql.SQL("ALTER ROLE {} IN DATABASE {} SET role = {}").format(
                user, sql.Identifier(state["database"]), sql.Literal(params["owner"])
            )
        )
    if state["schema_owner"] != params["owner"]:
        # Giving an object to a role needs membership in it; a superuser needs none, RDS's master user (a member
        # of rds_superuser with CREATEROLE) grants it to itself first.
        if not state["login_is_superuser"] and not state["login_is_member"]:
            add(sql.SQL("GRANT {} TO CURRENT_USER").format(owner))
        add(sql.SQL("ALTER SCHEMA {} OWNER TO {}").format(schema, owner))
    missing = [privilege for privilege in DATABASE_PRIVILEGES if privilege not in state["database_privileges"]]
    if missing:
        add(
            sql.SQL("GRANT " + ", ".join(missing) + " ON DATABASE {} TO {}").format(
                sql.Identifier(state["database"]), owner
            )
        )
    return steps


def scram_verifier(conn, password, user):
    """The SCRAM-SHA-256 verifier of ``password`` for ``user``, computed by libpq on the client."""
    return conn.pgconn.encrypt_password(password.encode("utf-8"), user.encode("utf-8"), b"scram-sha-256").decode(
        "ascii"
    )
