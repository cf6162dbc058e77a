"""Gap 9: RDS instances have no data plane and are created instantly (patch rds_data_plane).

The patched emulator backs a postgres DB instance with a real PostgreSQL 16 + pgvector listening at the endpoint
it reports; the tests use it as the project's pgvector step does on AWS (psycopg, master credentials). Every
pgvector form at scale: test_emulator_rds_pgvector_forms.py.
"""

import json
import math
import os
import shutil
import signal
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from botocore.exceptions import ClientError
from support.aws import Endpoint, unique
from support.emulator import Emulator, Launcher, fresh_state_dir, gap_message
from support.rds import DB_NAME, MASTER_USER, connect, create_postgres, describe
from triflow_emulator.pginstall import PGVECTOR_VERSION

PATCH = "rds_data_plane"
DIMENSIONS = 1536
DELAY = 4.0
PROC = Path("/proc")


# --- helpers ---------------------------------------------------------------------------------------------------


def port_answers(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def postmasters_under(folder: Path) -> list[int]:
    """Pids of the live PostgreSQL servers whose data dir is under ``folder``.

    A child the postmaster has just forked still shows the postmaster's command line until it sets its own process
    title; only processes whose parent is not one of the matches are servers.
    """
    parents = {}
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            args = [arg.decode(errors="replace") for arg in (entry / "cmdline").read_bytes().split(b"\0") if arg]
            state, ppid = (entry / "stat").read_text().rsplit(")", 1)[-1].split()[:2]
        except OSError:
            continue
        if state == "Z" or not args or Path(args[0]).name != "postgres" or "-D" not in args:
            continue
        data_dir = Path(args[args.index("-D") + 1])
        if data_dir.is_relative_to(folder):
            parents[int(entry.name)] = int(ppid)
    return sorted(pid for pid, ppid in parents.items() if ppid not in parents)


def vector(weights: dict[int, float]) -> list[float]:
    values = [0.0] * DIMENSIONS
    for index, weight in weights.items():
        values[index] = weight
    return values


def literal(values: list[float]) -> str:
    return "[" + ",".join(f"{value:g}" for value in values) + "]"


def cosine_distance(left: list[float], right: list[float]) -> float:
    dot = sum(a * b for a, b in zip(left, right, strict=True))
    return 1 - dot / (math.sqrt(sum(a * a for a in left)) * math.sqrt(sum(b * b for b in right)))


@pytest.fixture
def own_emulator(dummy_aws_env: None) -> Iterator[Callable[..., Emulator]]:
    """Start emulators of this test's own (with extra env); every one is stopped and its folder removed at the end."""
    launchers: list[Launcher] = []

    def start(**env: str) -> Emulator:
        launcher = Launcher(state_dir=fresh_state_dir("data-plane"))
        launchers.append(launcher)
        return launcher.start(**env)

    yield start
    for launcher in launchers:
        launcher.run("stop")
        shutil.rmtree(launcher.state_dir, ignore_errors=True)


# --- stock moto: the gap ---------------------------------------------------------------------------------------


def test_stock_endpoint_cannot_be_connected(stock_moto: Endpoint) -> None:
    rds = stock_moto.client("rds")
    identifier, _ = create_postgres(rds)
    endpoint = describe(rds, identifier)["Endpoint"]
    try:
        connect(endpoint).close()
    except psycopg.OperationalError:
        return
    pytest.fail(gap_message(9, PATCH))


# --- patched: a real PostgreSQL + pgvector behind the endpoint ---------------------------------------------------


def test_postgres_instance_serves_pgvector(patched_emulator: Endpoint) -> None:
    rds = patched_emulator.client("rds")
    identifier, created = create_postgres(rds)
    instance = describe(rds, identifier)

    assert created["DBInstanceStatus"] == instance["DBInstanceStatus"] == "available"
    endpoint = instance["Endpoint"]
    assert endpoint["Address"] == "127.0.0.1"
    assert endpoint["Port"] != 5432
    assert instance["DbInstancePort"] == endpoint["Port"]
    # Everything else as moto (and the other patches) report it.
    assert instance["Engine"] == "postgres"
    assert instance["EngineVersion"] == "16.4"
    assert instance["MasterUsername"] == MASTER_USER
    assert instance["DBName"] == DB_NAME
    assert (instance["StorageType"], instance["AllocatedStorage"], instance["MaxAllocatedStorage"]) == ("gp3", 100, 200)
    assert (instance["Iops"], instance["StorageThroughput"]) == (3000, 125)
    assert instance["MultiAZ"] is True
    assert instance["StorageEncrypted"] is True

    rows = {
        1: vector({0: 1.0}),
        2: vector({0: 0.8, 1: 0.6}),
        3: vector({1: 1.0}),
        4: vector({2: 1.0}),
        5: vector({0: -1.0}),
    }
    query = vector({0: 0.9, 1: 0.2})
    expected = sorted(rows, key=lambda row: cosine_distance(rows[row], query))[:3]
    assert expected == [1, 2, 3]

    with connect(endpoint) as conn:
        assert conn.execute("SELECT current_user, current_database()").fetchone() == (MASTER_USER, DB_NAME)
        conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
        (version,) = conn.execute("SELECT extversion FROM pg_extension WHERE extname = 'vector'").fetchone() or ("",)
        assert version == PGVECTOR_VERSION
        conn.execute(f"CREATE TABLE items (id integer PRIMARY KEY, embedding vector({DIMENSIONS}) NOT NULL)")
        conn.execute("CREATE INDEX items_embedding_idx ON items USING hnsw (embedding vector_cosine_ops)")
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO items (id, embedding) VALUES (%s, %s::vector)",
                [(row, literal(values)) for row, values in rows.items()],
            )
        conn.execute("SET enable_seqscan = off")
        sql = "SELECT id, embedding <=> %(q)s::vector FROM items ORDER BY embedding <=> %(q)s::vector LIMIT 3"
        plan = "\n".join(line for (line,) in conn.execute(f"EXPLAIN {sql}", {"q": literal(query)}).fetchall())
        found = conn.execute(sql, {"q": literal(query)}).fetchall()

    assert "items_embedding_idx" in plan
    assert [row for row, _ in found] == expected
    for row, distance in found:
        assert distance == pytest.approx(cosine_distance(rows[row], query), abs=1e-5)


def test_server_has_no_tls_so_clients_use_sslmode_prefer(patched_emulator: Endpoint) -> None:
    """The pgserver wheel's PostgreSQL is built without SSL: sslmode=require fails, prefer falls back to plain TCP
    (on RDS, with rds.force_ssl=1, prefer gets TLS). The roles default to prefer for that reason."""
    rds = patched_emulator.client("rds")
    identifier, _ = create_postgres(rds)
    endpoint = describe(rds, identifier)["Endpoint"]
    with pytest.raises(psycopg.OperationalError, match="does not support SSL"):
        connect(endpoint, sslmode="require").close()
    with connect(endpoint, sslmode="prefer") as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)


def test_modify_master_password(patched_emulator: Endpoint) -> None:
    rds = patched_emulator.client("rds")
    identifier, _ = create_postgres(rds)
    endpoint = describe(rds, identifier)["Endpoint"]
    connect(endpoint).close()

    new_password = "not-a-secret-2"
    rds.modify_db_instance(DBInstanceIdentifier=identifier, MasterUserPassword=new_password, ApplyImmediately=True)

    with connect(endpoint, password=new_password) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        connect(endpoint).close()


def test_managed_master_password_is_the_secret(patched_emulator: Endpoint) -> None:
    rds = patched_emulator.client("rds")
    identifier, _ = create_postgres(rds, MasterUserPassword=None, ManageMasterUserPassword=True)
    instance = describe(rds, identifier)
    secret = patched_emulator.client("secretsmanager").get_secret_value(
        SecretId=instance["MasterUserSecret"]["SecretArn"]
    )
    password = json.loads(secret["SecretString"])["password"]
    with connect(instance["Endpoint"], password=password) as conn:
        assert conn.execute("SELECT current_user").fetchone() == (MASTER_USER,)


def test_delete_stops_the_server(patched_emulator: Endpoint) -> None:
    assert patched_emulator.launcher is not None
    state_dir = patched_emulator.launcher.state_dir
    rds = patched_emulator.client("rds")
    identifier, _ = create_postgres(rds)
    port = describe(rds, identifier)["Endpoint"]["Port"]
    assert port_answers(port)
    before = set(postmasters_under(state_dir))

    rds.delete_db_instance(DBInstanceIdentifier=identifier, SkipFinalSnapshot=True)

    assert not port_answers(port)
    gone = before - set(postmasters_under(state_dir))
    assert len(gone) == 1, f"exactly one PostgreSQL server should have stopped, got {gone}"
    assert not list(state_dir.glob(f"postgres/*/{identifier}-*")), "its data dir should be deleted"


def test_failed_start_fails_the_call_and_leaves_no_instance(patched_emulator: Endpoint) -> None:
    rds = patched_emulator.client("rds")
    identifier = unique("db")
    # PostgreSQL reserves role names starting with pg_, so the master user cannot be created.
    with pytest.raises(ClientError) as raised:
        create_postgres(rds, DBInstanceIdentifier=identifier, MasterUsername="pg_admin")
    error = raised.value.response["Error"]
    assert error["Code"] == "TriflowEmulatorDataPlaneError"
    assert f"could not start PostgreSQL for DB instance {identifier}" in error["Message"]
    assert '"pg_admin" is reserved' in error["Message"]
    with pytest.raises(ClientError) as missing:
        describe(rds, identifier)
    assert missing.value.response["Error"]["Code"] == "DBInstanceNotFound"
    assert rds.describe_db_snapshots(DBInstanceIdentifier=identifier)["DBSnapshots"] == []


def test_master_credentials_are_required(patched_emulator: Endpoint) -> None:
    rds = patched_emulator.client("rds")
    for overrides, wanted in (
        ({"MasterUserPassword": None}, "MasterUserPassword must be provided"),
        ({"MasterUsername": "rdsadmin"}, "reserved word"),
    ):
        with pytest.raises(ClientError) as raised:
            create_postgres(rds, **overrides)
        assert raised.value.response["Error"]["Code"] == "InvalidParameterValue"
        assert wanted in raised.value.response["Error"]["Message"]


def test_other_engines_keep_the_moto_endpoint(patched_emulator: Endpoint) -> None:
    rds = patched_emulator.client("rds")
    identifier, _ = create_postgres(rds, Engine="mysql", EngineVersion="8.0.40")
    endpoint = describe(rds, identifier)["Endpoint"]
    assert endpoint["Address"].endswith(".rds.amazonaws.com")
    assert endpoint["Port"] == 3306


# --- reset, shutdown, creation delay: emulators of their own ------------------------------------------------------


def test_reset_and_stop_leave_no_postgres(own_emulator: Callable[..., Emulator]) -> None:
    target = own_emulator()
    launcher = target.launcher
    assert launcher is not None
    rds = target.client("rds")
    ports = [describe(rds, create_postgres(rds)[0])["Endpoint"]["Port"] for _ in range(2)]
    assert all(port_answers(port) for port in ports)
    assert len(postmasters_under(launcher.state_dir)) == 2

    reset = launcher.run("reset")
    assert reset.returncode == 0, reset.stderr
    assert rds.describe_db_instances()["DBInstances"] == []
    assert not any(port_answers(port) for port in ports)
    assert postmasters_under(launcher.state_dir) == []

    port = describe(rds, create_postgres(rds)[0])["Endpoint"]["Port"]
    assert port_answers(port)
    stopped = launcher.run("stop")
    assert stopped.returncode == 0, stopped.stderr
    assert postmasters_under(launcher.state_dir) == []
    assert not port_answers(port)
    assert not any((launcher.state_dir / "postgres").iterdir()), "the emulator's PostgreSQL folders should be gone"


def test_creation_delay(own_emulator: Callable[..., Emulator]) -> None:
    target = own_emulator(TRIFLOW_EMULATOR_CREATION_DELAY=str(DELAY))
    rds = target.client("rds")
    started = time.monotonic()
    identifier, created = create_postgres(rds)
    assert created["DBInstanceStatus"] == "creating"
    instance = describe(rds, identifier)
    assert instance["DBInstanceStatus"] == "creating"
    assert "Endpoint" not in instance

    rds.get_waiter("db_instance_available").wait(
        DBInstanceIdentifier=identifier, WaiterConfig={"Delay": 0.5, "MaxAttempts": 20}
    )
    elapsed = time.monotonic() - started
    assert DELAY - 0.5 <= elapsed < DELAY + 5
    instance = describe(rds, identifier)
    assert instance["DBInstanceStatus"] == "available"
    with connect(instance["Endpoint"]) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)


def test_bad_creation_delay_stops_the_start(tmp_path: Path) -> None:
    launcher = Launcher(state_dir=tmp_path / "state")
    result = launcher.run("start", "--timeout", "20", TRIFLOW_EMULATOR_CREATION_DELAY="soon")
    try:
        assert result.returncode == 1
        assert "TRIFLOW_EMULATOR_CREATION_DELAY" in result.stdout + result.stderr
    finally:
        launcher.run("stop")


def test_servers_of_a_killed_emulator_are_removed_at_next_start(dummy_aws_env: None) -> None:
    launcher = Launcher(state_dir=fresh_state_dir("data-plane"))
    target = launcher.start()
    try:
        rds = target.client("rds")
        port = describe(rds, create_postgres(rds)[0])["Endpoint"]["Port"]
        os.kill(int(launcher.pid_file.read_text()), signal.SIGKILL)
        assert len(postmasters_under(launcher.state_dir)) == 1, "SIGKILL leaves the server behind"

        restarted = launcher.run("start")
        assert restarted.returncode == 0, restarted.stderr
        assert postmasters_under(launcher.state_dir) == []
        assert not port_answers(port)
    finally:
        launcher.run("stop")
        shutil.rmtree(launcher.state_dir, ignore_errors=True)
