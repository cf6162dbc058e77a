"""Credential rotation with playbooks/rotate_secrets.yml on ACME's converged stack, while an app keeps connecting.

The emulator's RDS runs a real PostgreSQL (patch rds_data_plane), so the database side is checked as the app sees
it: a client that read DATABASE_URL before the rotation connects again and again, through the rotation and the
service roll, and must never fail. ElastiCache has no data plane here: the Redis side is checked through what AWS
reports (the token changes, ROTATE before the roll and SET after it) and the secrets. The emulator's PostgreSQL has
no TLS, so the clients replace DATABASE_URL's sslmode=require with disable; everything else is the URL as stored.
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any
from urllib.parse import unquote, urlsplit

import psycopg
import pytest
from support.emulator import Emulator
from support.playbook import PlaybookRun, assert_ok

from .conftest import ACME, FAST, INVENTORIES

CUSTOMER_A = INVENTORIES[0]
SECRETS = ("db-master-password", "db-app-credentials", "redis-auth-token", "database-url", "redis-url")


def values(emulator: Emulator) -> dict[str, str]:
    manager = emulator.client("secretsmanager")
    return {key: manager.get_secret_value(SecretId=f"{ACME}/{key}")["SecretString"] for key in SECRETS}


def connect(url: str, **overrides: Any) -> psycopg.Connection[Any]:
    parts = urlsplit(url)
    settings = dict(
        host=parts.hostname,
        port=parts.port,
        user=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        dbname=parts.path.lstrip("/"),
        sslmode="disable",
        connect_timeout=5,
        autocommit=True,
    )
    settings.update(overrides)
    return psycopg.connect(**settings)


class ClientLoop(threading.Thread):
    """An app task that read DATABASE_URL once: it opens a new connection and runs a query, again and again."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.stop = threading.Event()
        self.ok: list[float] = []
        self.failures: list[str] = []

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                with connect(self.url) as conn:
                    conn.execute("SELECT count(*) FROM pg_class").fetchone()
                self.ok.append(time.monotonic())
            except psycopg.Error as error:
                self.failures.append(str(error))
            time.sleep(0.05)


def rotate(playbook: Any, **extra: Any) -> PlaybookRun:
    return playbook("playbooks/rotate_secrets.yml", CUSTOMER_A, extra_vars={**FAST, **extra})


@pytest.fixture(scope="module")
def rotation(emulator: Emulator, playbook: Any, customers: Any) -> dict[str, Any]:
    """One rotation of ACME's credentials with a client loop running through it, and what was there before."""
    before = values(emulator)
    loop = ClientLoop(before["database-url"])
    loop.start()
    time.sleep(0.5)
    started = time.monotonic()
    run = rotate(playbook)
    ended = time.monotonic()
    time.sleep(0.5)
    loop.stop.set()
    loop.join(timeout=30)
    assert run.rc == 0, run.tail()
    return {"before": before, "after": values(emulator), "run": run, "loop": loop, "window": (started, ended)}


def test_a_client_with_the_credentials_from_before_never_fails_through_the_rotation_and_the_roll(rotation):
    loop = rotation["loop"]
    started, ended = rotation["window"]
    assert loop.failures == []
    # It kept connecting during the whole run, the roll included, not only before or after it.
    during = [moment for moment in loop.ok if started <= moment <= ended]
    assert len(during) >= 20, (len(loop.ok), ended - started)
    assert max(during) - min(during) >= 0.8 * (ended - started)


def test_the_app_logs_in_as_the_other_user_with_new_values_everywhere(rotation):
    before, after = rotation["before"], rotation["after"]
    assert all(before[key] != after[key] for key in SECRETS), "a secret kept its value"
    old_login, new_login = json.loads(before["db-app-credentials"]), json.loads(after["db-app-credentials"])
    assert {old_login["username"], new_login["username"]} == {"triflow_app_a", "triflow_app_b"}
    assert urlsplit(after["database-url"]).username == new_login["username"]
    with connect(after["database-url"]) as conn:
        assert conn.execute("SELECT session_user, current_user").fetchone() == (new_login["username"], "triflow_app")
    assert f":{after['redis-auth-token']}@" in after["redis-url"]


def test_the_master_password_changed_and_the_old_one_no_longer_logs_in(rotation):
    url = rotation["after"]["database-url"]
    with connect(url, user="triflow_admin", password=rotation["after"]["db-master-password"]) as conn:
        assert conn.execute("SELECT current_user").fetchone() == ("triflow_admin",)
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        connect(url, user="triflow_admin", password=rotation["before"]["db-master-password"])


def test_redis_gets_the_new_token_beside_the_old_one_before_the_roll_and_alone_after_it(emulator, rotation):
    output = rotation["run"].output
    steps = [
        output.index("Update the replication group's AUTH token with ROTATE"),
        output.index("Roll the service on its running revision and verify it"),
        output.index("Update the replication group's AUTH token with SET"),
    ]
    assert steps == sorted(steps)
    (group,) = emulator.client("elasticache").describe_replication_groups(ReplicationGroupId=f"{ACME}-redis")[
        "ReplicationGroups"
    ]
    assert group["AuthTokenEnabled"] is True and group["Status"] == "available"
    service = emulator.client("ecs").describe_services(cluster=ACME, services=[f"{ACME}-backend"])["services"][0]
    (deployment,) = service["deployments"]
    assert deployment["rolloutState"] == "COMPLETED"
    assert f"The service rolled ({deployment['id']})" in output


def test_the_app_role_owns_its_schema_and_nothing_else(rotation):
    after = rotation["after"]
    with connect(after["database-url"], user="triflow_admin", password=after["db-master-password"]) as conn:
        attributes = conn.execute(
            "SELECT rolname, rolcanlogin, rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls "
            "FROM pg_roles WHERE rolname LIKE 'triflow\\_app%' ORDER BY rolname"
        ).fetchall()
        assert attributes == [
            ("triflow_app", False, False, False, False, False, False),
            ("triflow_app_a", True, False, False, False, False, False),
            ("triflow_app_b", True, False, False, False, False, False),
        ]
        memberships = conn.execute(
            "SELECT u.rolname, g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid "
            "JOIN pg_roles u ON u.oid = m.member WHERE u.rolname LIKE 'triflow\\_app%' ORDER BY 1"
        ).fetchall()
        assert memberships == [("triflow_app_a", "triflow_app"), ("triflow_app_b", "triflow_app")]
        owned_schemas = conn.execute(
            "SELECT nspname FROM pg_namespace WHERE pg_get_userbyid(nspowner) LIKE 'triflow\\_app%'"
        ).fetchall()
        assert owned_schemas == [("public",)]
        owned_databases = conn.execute(
            "SELECT datname FROM pg_database WHERE pg_get_userbyid(datdba) LIKE 'triflow\\_app%'"
        ).fetchall()
        assert owned_databases == []
    # What the app creates belongs to the owner, so the other login can use it after the next rotation.
    with connect(after["database-url"]) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS rotation_probe (id int)")
        assert conn.execute("SELECT tableowner FROM pg_tables WHERE tablename = 'rotation_probe'").fetchone() == (
            "triflow_app",
        )
        conn.execute("DROP TABLE rotation_probe")


def test_site_yml_after_a_rotation_changes_nothing(playbook, rotation):
    run = assert_ok(playbook("site.yml", CUSTOMER_A))
    assert run.changed() == 0, run.tail()


def test_check_mode_previews_a_rotation_and_changes_nothing(emulator, playbook, rotation):
    before = values(emulator)
    run = assert_ok(playbook("playbooks/rotate_secrets.yml", CUSTOMER_A, check=True, extra_vars=FAST))
    assert values(emulator) == before
    assert run.changed() > 0


def test_the_next_rotation_alternates_back_and_retires_the_first_login(emulator, playbook, rotation):
    first = rotation["before"]
    run = assert_ok(rotate(playbook, rotate_secrets_which=["database_app"]))
    now = values(emulator)
    assert json.loads(now["db-app-credentials"])["username"] == json.loads(first["db-app-credentials"])["username"]
    # Only the app login rotated, and the master password and the token stayed.
    assert now["db-master-password"] == rotation["after"]["db-master-password"]
    assert now["redis-auth-token"] == rotation["after"]["redis-auth-token"]
    with connect(now["database-url"]) as conn:
        conn.execute("SELECT 1")
    # The login from before the first rotation has had its password changed: two rotations retire a credential.
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        connect(first["database-url"])
    assert "AUTH token with" not in run.output
