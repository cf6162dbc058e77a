"""The app's owner role and login users: creation, idempotence, check mode, diff, rotation, least privilege, errors."""

from __future__ import annotations

import psycopg
import pytest

# The conftest's passwords (module_args carries PASSWORD_A); repeated here as test data, not imported.
PASSWORD_A = "first-password-aaaa"
PASSWORD_B = "second-password-bbbb"


def test_creates_the_owner_and_the_user_with_nothing_more_than_the_database(
    run_module, module_args, names, sql_in, connect_as, database
):
    run = run_module(module_args)

    assert not run.failed, run.msg
    assert run.result["changed"] is True and run.result["password_changed"] is True
    rows = sql_in(
        "SELECT rolname, rolcanlogin, rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls "
        "FROM pg_roles WHERE rolname = ANY(%s) ORDER BY rolname",
        ([names["owner"], names["a"]],),
    )
    assert rows == [
        (names["a"], True, False, False, False, False, False),
        (names["owner"], False, False, False, False, False, False),
    ]
    assert sql_in("SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = 'public'") == [(names["owner"],)]
    with connect_as(names["a"], PASSWORD_A) as conn:
        assert conn.execute("SELECT current_user").fetchone() == (names["owner"],)
        conn.execute("CREATE TABLE documents (id int)")
    assert sql_in("SELECT tableowner FROM pg_tables WHERE tablename = 'documents'") == [(names["owner"],)]


def test_no_password_reaches_the_sql_or_the_result(run_module, module_args):
    run = run_module(module_args, diff=True)

    text = repr(run.result)
    assert PASSWORD_A not in text and "SCRAM-SHA-256" not in text
    assert any("PASSWORD '********'" in query for query in run.result["queries"])
    assert run.result["diff"]["after"]["user"]["password"] == "changed"


def test_the_password_is_stored_as_a_scram_verifier(run_module, module_args, names, sql_in):
    run_module(module_args)

    ((stored,),) = sql_in("SELECT rolpassword FROM pg_authid WHERE rolname = %s", (names["a"],))
    assert stored.startswith("SCRAM-SHA-256$") and PASSWORD_A not in stored


def test_a_second_run_changes_nothing_and_keeps_the_password(run_module, module_args, names, connect_as):
    run_module(module_args)
    again = run_module(dict(module_args, password="another-password-ignored"), diff=True)

    assert not again.failed, again.msg
    assert again.result["changed"] is False and again.result["queries"] == []
    assert again.result["password_changed"] is False
    assert again.result["diff"]["before"] == again.result["diff"]["after"]
    with connect_as(names["a"], PASSWORD_A):
        pass


def test_check_mode_reports_the_plan_and_changes_nothing(run_module, module_args, names, sql_in):
    run = run_module(module_args, check_mode=True, diff=True)

    assert not run.failed, run.msg
    assert run.result["changed"] is True
    assert run.result["queries"][0].startswith('CREATE ROLE "%s" NOLOGIN' % names["owner"])
    assert run.result["diff"]["before"]["owner"] == {"exists": False, "name": names["owner"]}
    assert run.result["diff"]["after"]["user"]["member_of_owner"] is True
    assert sql_in("SELECT count(*) FROM pg_roles WHERE rolname = ANY(%s)", ([names["owner"], names["a"]],)) == [(0,)]


def test_rotation_sets_a_new_password_while_the_other_user_keeps_working(run_module, module_args, names, connect_as):
    run_module(module_args)
    run_module(dict(module_args, user=names["b"], password=PASSWORD_B))
    rotated = run_module(dict(module_args, password="rotated-password-a", update_password="always"))

    assert rotated.result["changed"] is True and rotated.result["password_changed"] is True
    with connect_as(names["b"], PASSWORD_B) as conn:
        conn.execute("CREATE TABLE t (id int)")
    with connect_as(names["a"], "rotated-password-a") as conn:
        conn.execute("INSERT INTO t VALUES (1)")
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        connect_as(names["a"], PASSWORD_A)


def test_an_rds_like_master_without_superuser_gives_the_schema_to_the_owner(
    run_module, rds_args, names, sql_in, connect_as
):
    run = run_module(rds_args)

    assert not run.failed, run.msg
    assert 'GRANT "%s" TO CURRENT_USER' % names["owner"] in run.result["queries"]
    assert sql_in("SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = 'public'") == [(names["owner"],)]
    assert run_module(rds_args).result["changed"] is False
    with connect_as(names["a"], PASSWORD_A) as conn:
        conn.execute("CREATE TABLE t (id int)")


def test_wider_attributes_given_by_hand_are_taken_back(run_module, module_args, names, sql_in):
    run_module(module_args)
    sql_in('ALTER ROLE "%s" CREATEDB BYPASSRLS' % names["a"])
    sql_in('ALTER ROLE "%s" LOGIN' % names["owner"])

    run = run_module(module_args)

    assert run.result["changed"] is True
    assert sql_in(
        "SELECT rolname, rolcanlogin, rolcreatedb, rolbypassrls FROM pg_roles WHERE rolname = ANY(%s) ORDER BY 1",
        ([names["owner"], names["a"]],),
    ) == [(names["a"], True, False, False), (names["owner"], False, False, False)]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"user": "app_owner_x", "owner": "app_owner_x"}, "owner and user are both 'app_owner_x'"),
        ({"user": "rds_app"}, "user 'rds_app' is reserved"),
        ({"owner": "pg_app"}, "owner 'pg_app' is reserved"),
        ({"user": "triflow_admin"}, "login_user 'triflow_admin' is one of the app's roles"),
    ],
)
def test_bad_names_are_rejected_before_connecting(run_module, module_args, overrides, message):
    run = run_module(dict(module_args, login_port=1, **overrides))

    assert run.failed and message in run.msg


def test_a_new_user_without_a_password_fails_naming_it(run_module, module_args, names):
    run = run_module(dict(module_args, password=None))

    assert run.failed and "password is required to create user '%s'" % names["a"] in run.msg


def test_a_missing_schema_fails_naming_it(run_module, module_args, database):
    run = run_module(dict(module_args, schema="app"))

    assert run.failed and "Schema 'app' does not exist in database '%s'" % database in run.msg
