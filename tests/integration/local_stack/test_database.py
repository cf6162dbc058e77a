"""The stack's database in use: pgvector serves a RAG query through the endpoint RDS reports, and a run never
resets a master password someone changed."""

from __future__ import annotations

import pytest

from .conftest import LOCAL, PREFIX, LocalStack

DATA_ONLY = ("--tags", "data")


def test_pgvector_serves_rag_queries_through_the_endpoint_rds_reports(local_stack: LocalStack):
    with local_stack.reader.connect_db() as conn:
        conn.autocommit = True
        conn.execute("CREATE TEMP TABLE chunks (id int PRIMARY KEY, embedding vector(1536))")
        rows = {1: [1.0] + [0.0] * 1535, 2: [0.0, 1.0] + [0.0] * 1534, 3: [1.0, 1.0] + [0.0] * 1534}
        for key, embedding in rows.items():
            conn.execute("INSERT INTO chunks VALUES (%s, %s::vector)", (key, str(embedding)))
        conn.execute("CREATE INDEX ON chunks USING hnsw (embedding vector_cosine_ops)")
        query = str([0.9, 0.1] + [0.0] * 1534)
        nearest = conn.execute(
            "SELECT id, embedding <=> %s::vector AS distance FROM chunks ORDER BY distance LIMIT 2", (query,)
        ).fetchall()
    assert [row[0] for row in nearest] == [1, 3]
    assert nearest[0][1] == pytest.approx(1 - 0.9 / (0.81 + 0.01) ** 0.5, abs=1e-6)


def test_a_rerun_never_resets_the_master_password(emulator, playbook, local_stack: LocalStack):
    rds = emulator.client("rds")
    identifier = f"{PREFIX}-db"
    secret = local_stack.secret_values[f"{PREFIX}/db-master-password"]
    rds.modify_db_instance(
        DBInstanceIdentifier=identifier, MasterUserPassword="set-by-an-operator-1", ApplyImmediately=True
    )
    try:
        run = playbook("site.yml", LOCAL, extra_args=DATA_ONLY)
        # The stored secret no longer opens the database: the pgvector step says so instead of resetting it.
        assert run.rc != 0
        assert "password authentication failed" in run.output
        local_stack.reader.connect_db("set-by-an-operator-1").close()
    finally:
        # Put the secret's password back, so the stack converges again for the other tests.
        rds.modify_db_instance(DBInstanceIdentifier=identifier, MasterUserPassword=secret, ApplyImmediately=True)
    assert playbook("site.yml", LOCAL, extra_args=DATA_ONLY).rc == 0
    local_stack.reader.connect_db(secret).close()
