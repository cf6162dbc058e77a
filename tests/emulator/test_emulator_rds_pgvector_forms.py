"""Every pgvector form an app uses, on the emulator's RDS data plane, at 1536 dimensions and 1,000 rows (issue 9).

The data plane's pgvector used to die of SIGILL on a plain ``float8[]::vector`` cast of 16 or more elements on
CPUs without AVX-512 (its build was ``-march=native`` on a machine with it). These tests run every form through a
DB instance of the patched emulator, the way an app talks to RDS: text literals, ``float4[]`` / ``float8[]``
casts, psycopg's text and binary parameters, the ``vector``, ``halfvec``, ``sparsevec`` and ``bit`` types, the
L2 / inner product / cosine / L1 / Hamming operators checked against numbers computed here, HNSW and IVFFlat
index builds and index scans (EXPLAIN names the index). After each test the session is still alive and the
server's log shows no backend terminated by a signal.

Values are drawn from a seeded generator and rounded here to what PostgreSQL stores (float32 for vector,
float16 for halfvec), so values read back compare exactly and distances to a few ulps.
"""

from __future__ import annotations

import math
import operator
import random
import re
import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg.types.numeric import Float4
from support.aws import unique
from support.emulator import Emulator
from support.rds import connect, create_postgres, describe
from triflow_emulator.pginstall import PGVECTOR_VERSION

DIMENSIONS = 1536
ROWS = 1000
SPARSE_NONZEROS = 8
NEIGHBOURS = 10
SEED = 20261202
CRASH = re.compile(r"terminated by signal|was terminated|server process .* exited|database system was interrupted")
FORMS = ("text literal", "float8[] text parameter", "float8[] binary parameter", "float4[] binary parameter")


def float32(value: float) -> float:
    return struct.unpack("f", struct.pack("f", value))[0]


def float16(value: float) -> float:
    return struct.unpack("e", struct.pack("e", value))[0]


def literal(values: list[float]) -> str:
    return "[" + ",".join(repr(value) for value in values) + "]"


def sparse_literal(entries: dict[int, float]) -> str:
    """pgvector's sparsevec text form: 1-based indices."""
    return "{" + ",".join(f"{index + 1}:{value!r}" for index, value in sorted(entries.items())) + "}/" + str(DIMENSIONS)


def parse_sparse(text: str) -> dict[int, float]:
    entries, _, dims = text.partition("}/")
    assert int(dims) == DIMENSIONS, text
    pairs = (pair.split(":") for pair in entries.lstrip("{").split(",") if pair)
    return {int(index) - 1: float32(float(value)) for index, value in pairs}


def as_float32(values: list[float]) -> list[float]:
    """Values PostgreSQL printed (shortest text that reads back as the same float32) as the float32 they are."""
    return [float32(value) for value in values]


def dense(entries: dict[int, float]) -> list[float]:
    values = [0.0] * DIMENSIONS
    for index, value in entries.items():
        values[index] = value
    return values


def dot(left: list[float], right: list[float]) -> float:
    return math.fsum(map(operator.mul, left, right))


def l2(left: list[float], right: list[float]) -> float:
    return math.sqrt(math.fsum((a - b) ** 2 for a, b in zip(left, right, strict=True)))


def l1(left: list[float], right: list[float]) -> float:
    return math.fsum(abs(a - b) for a, b in zip(left, right, strict=True))


def cosine(left: list[float], right: list[float]) -> float:
    return 1 - dot(left, right) / math.sqrt(dot(left, left) * dot(right, right))


def negative_inner_product(left: list[float], right: list[float]) -> float:
    """pgvector's ``<#>`` is the negative inner product (so ORDER BY ... ASC finds the largest)."""
    return -dot(left, right)


@dataclass(frozen=True)
class Data:
    embeddings: dict[int, list[float]]
    sparse: dict[int, dict[int, float]]

    def halves(self, row: int) -> list[float]:
        return [float16(value) for value in self.embeddings[row]]


@dataclass
class Database:
    conn: psycopg.Connection[Any]
    log: Path
    backend_pid: int

    def rows(self, statement: str, params: Any = None) -> list[tuple[Any, ...]]:
        return self.conn.execute(statement, params).fetchall()

    def assert_unharmed(self) -> None:
        """Same backend as at the start, and no crash or crash-restart in the server's log."""
        assert self.rows("SELECT pg_backend_pid()") == [(self.backend_pid,)]
        crashes = [line for line in self.log.read_text(errors="replace").splitlines() if CRASH.search(line)]
        assert crashes == [], f"{self.log} shows backends killed:\n" + "\n".join(crashes)


def make_data() -> Data:
    draw = random.Random(SEED)
    embeddings = {row: [float32(draw.uniform(-1, 1)) for _ in range(DIMENSIONS)] for row in range(1, ROWS + 1)}
    sparse = {
        row: {index: float32(draw.uniform(0.1, 1)) for index in draw.sample(range(DIMENSIONS), SPARSE_NONZEROS)}
        for row in range(1, ROWS + 1)
    }
    return Data(embeddings, sparse)


def insert(conn: psycopg.Connection[Any], data: Data) -> dict[str, list[int]]:
    """Each quarter of the rows in one client form; returns the rows of each form."""
    by_form: dict[str, list[int]] = {form: [] for form in FORMS}
    statements = {
        FORMS[0]: "INSERT INTO items (id, embedding, sparse) VALUES (%s, %s::vector, %s::sparsevec)",
        FORMS[1]: "INSERT INTO items (id, embedding, sparse) VALUES (%s, %t::vector, %t::float8[]::sparsevec)",
        FORMS[2]: "INSERT INTO items (id, embedding, sparse) VALUES (%s, %b::vector, %b::float8[]::sparsevec)",
        FORMS[3]: "INSERT INTO items (id, embedding, sparse) VALUES (%s, %b::vector, %b::real[]::sparsevec)",
    }
    params: dict[str, list[tuple[Any, ...]]] = {form: [] for form in FORMS}
    for row, values in data.embeddings.items():
        form = FORMS[row % len(FORMS)]
        by_form[form].append(row)
        if form == FORMS[0]:
            params[form].append((row, literal(values), sparse_literal(data.sparse[row])))
        elif form == FORMS[3]:
            as_float4 = [Float4(value) for value in values]
            params[form].append((row, as_float4, [Float4(value) for value in dense(data.sparse[row])]))
        else:
            params[form].append((row, values, dense(data.sparse[row])))
    with conn.cursor() as cursor:
        for form in FORMS:
            cursor.executemany(statements[form], params[form])
    # halfvec: half of the rows cast from the stored vector, half sent as a float8[] binary parameter.
    conn.execute(f"UPDATE items SET half = embedding::halfvec({DIMENSIONS}) WHERE id % 2 = 0")
    with conn.cursor() as cursor:
        cursor.executemany(
            f"UPDATE items SET half = %b::halfvec({DIMENSIONS}) WHERE id = %s",
            [(values, row) for row, values in data.embeddings.items() if row % 2],
        )
    return by_form


@pytest.fixture(scope="module")
def data() -> Data:
    return make_data()


@pytest.fixture(scope="module")
def database(patched_emulator: Emulator, data: Data) -> Iterator[Database]:
    rds = patched_emulator.client("rds")
    identifier, _ = create_postgres(rds, DBInstanceIdentifier=unique("vectors"), EngineVersion="16.6")
    (log,) = patched_emulator.state_dir.glob(f"postgres/*/{identifier}-*/postgresql.log")
    conn = connect(describe(rds, identifier)["Endpoint"], sslmode="prefer")
    try:
        conn.execute("CREATE EXTENSION vector")
        conn.execute(
            f"CREATE TABLE items (id integer PRIMARY KEY, embedding vector({DIMENSIONS}) NOT NULL,"
            f" half halfvec({DIMENSIONS}), sparse sparsevec({DIMENSIONS}) NOT NULL)"
        )
        (pid,) = conn.execute("SELECT pg_backend_pid()").fetchone() or (0,)
        yield Database(conn, log, pid)
    finally:
        conn.close()
        rds.delete_db_instance(DBInstanceIdentifier=identifier, SkipFinalSnapshot=True)


@pytest.fixture(scope="module")
def loaded(database: Database, data: Data) -> dict[str, list[int]]:
    by_form = insert(database.conn, data)
    database.conn.execute("ANALYZE items")
    return by_form


def test_the_version_is_the_portable_build(database: Database) -> None:
    assert database.rows("SELECT extversion FROM pg_extension WHERE extname = 'vector'") == [(PGVECTOR_VERSION,)]
    database.assert_unharmed()


@pytest.mark.parametrize("size", [3, 16, 1536])
def test_server_side_array_casts(database: Database, size: int) -> None:
    """The statement of the report, at 3, 16 and 1536 elements, from float8[], float4[] and numeric[]."""
    for element in ("random()", "random()::real", "random()::numeric"):
        for target in ("vector", "halfvec", "sparsevec"):
            (dims,) = database.rows(
                f"SELECT vector_dims((SELECT array_agg({element}) FROM generate_series(1, %s))::{target}::vector)",
                (size,),
            )[0]
            assert dims == size, (element, target)
    assert database.rows("SELECT '[1,2,3]'::vector <=> '[3,2,1]'::vector")[0][0] == pytest.approx(1 - 10 / 14)
    database.assert_unharmed()


def test_every_client_form_stores_the_same_values(database: Database, data: Data, loaded: dict[str, list[int]]) -> None:
    assert database.rows("SELECT count(*), count(half) FROM items") == [(ROWS, ROWS)]
    for form, rows in loaded.items():
        sample = rows[:: max(1, len(rows) // 25)]
        stored = dict(database.rows("SELECT id, embedding::real[] FROM items WHERE id = ANY(%s)", (sample,)))
        assert {row: as_float32(stored[row]) for row in sample} == {row: data.embeddings[row] for row in sample}, form
        halves = dict(database.rows("SELECT id, half::real[] FROM items WHERE id = ANY(%s)", (sample,)))
        assert {row: as_float32(halves[row]) for row in sample} == {row: data.halves(row) for row in sample}, form
        sparse = dict(database.rows("SELECT id, sparse::text FROM items WHERE id = ANY(%s)", (sample,)))
        assert {row: parse_sparse(sparse[row]) for row in sample} == {row: data.sparse[row] for row in sample}, form
    database.assert_unharmed()


OPERATORS: dict[str, tuple[str, Callable[[list[float], list[float]], float]]] = {
    "L2": ("<->", l2),
    "inner product": ("<#>", negative_inner_product),
    "cosine": ("<=>", cosine),
    "L1": ("<+>", l1),
}


@pytest.mark.parametrize("name", list(OPERATORS))
@pytest.mark.parametrize("column", ["embedding", "half", "sparse"])
def test_exact_distances_match_numbers_computed_here(
    database: Database, data: Data, loaded: dict[str, list[int]], name: str, column: str
) -> None:
    symbol, distance = OPERATORS[name]
    query_row = 17
    kind = {"embedding": "vector", "half": "halfvec", "sparse": "sparsevec"}[column]
    if column == "sparse":
        query_param, vectors = sparse_literal(data.sparse[query_row]), {r: dense(s) for r, s in data.sparse.items()}
    elif column == "half":
        query_param, vectors = literal(data.halves(query_row)), {row: data.halves(row) for row in data.embeddings}
    else:
        query_param, vectors = literal(data.embeddings[query_row]), data.embeddings
    got = dict(database.rows(f"SELECT id, {column} {symbol} %s::{kind} FROM items", (query_param,)))
    query = vectors[query_row]
    expected = {row: distance(values, query) for row, values in vectors.items()}
    assert got.keys() == expected.keys()
    for row, value in expected.items():
        # pgvector sums in float32 (vector, sparsevec) or float32 of float16 elements (halfvec).
        assert got[row] == pytest.approx(value, rel=1e-4, abs=1e-4), (row, got[row], value)
    # The same neighbours in the same order (compared by distance: near-ties may swap at float32 precision).
    nearest = sorted(expected, key=expected.__getitem__)[:NEIGHBOURS]
    ranked = sorted(got, key=got.__getitem__)[:NEIGHBOURS]
    assert ranked[0] == nearest[0] == query_row
    assert [expected[row] for row in ranked] == pytest.approx([expected[row] for row in nearest], rel=1e-4, abs=1e-4)
    database.assert_unharmed()


INDEXES = {
    # name: (USING ..., the ORDER BY expression with %s for the query, the query's type)
    "hnsw_vector_l2": ("hnsw (embedding vector_l2_ops)", "embedding <-> %s::vector", "embedding"),
    "hnsw_halfvec_cosine": ("hnsw (half halfvec_cosine_ops)", "half <=> %s::halfvec", "half"),
    "hnsw_sparsevec_ip": ("hnsw (sparse sparsevec_ip_ops)", "sparse <#> %s::sparsevec", "sparse"),
    "hnsw_bit_hamming": (
        f"hnsw ((binary_quantize(embedding)::bit({DIMENSIONS})) bit_hamming_ops)",
        f"binary_quantize(embedding)::bit({DIMENSIONS}) <~> binary_quantize(%s::vector)",
        "embedding",
    ),
    "ivfflat_vector_ip": (
        "ivfflat (embedding vector_ip_ops) WITH (lists = 20)",
        "embedding <#> %s::vector",
        "embedding",
    ),
    "ivfflat_halfvec_l2": ("ivfflat (half halfvec_l2_ops) WITH (lists = 20)", "half <-> %s::halfvec", "half"),
}


@pytest.mark.parametrize("index", list(INDEXES))
def test_index_build_and_index_scan(database: Database, data: Data, loaded: dict[str, list[int]], index: str) -> None:
    using, order_by, column = INDEXES[index]
    query_row = 421
    draw = random.Random(index)
    if column == "sparse":
        query = sparse_literal(data.sparse[query_row])
    else:
        # Near row 421, not on it: the index has to find it.
        query = literal([float32(value + draw.uniform(-0.05, 0.05)) for value in data.embeddings[query_row]])
    statement = f"SELECT id, {order_by} FROM items ORDER BY 2 LIMIT {NEIGHBOURS}"
    database.conn.execute(f"CREATE INDEX {index} ON items USING {using}")
    try:
        with database.conn.transaction():
            database.conn.execute("SET LOCAL enable_indexscan = off")
            database.conn.execute("SET LOCAL enable_bitmapscan = off")
            exact = database.rows(statement, (query,))
        with database.conn.transaction():
            database.conn.execute("SET LOCAL enable_seqscan = off")
            database.conn.execute("SET LOCAL hnsw.ef_search = 200")
            database.conn.execute("SET LOCAL ivfflat.probes = 20")
            plan = "\n".join(line for (line,) in database.rows(f"EXPLAIN {statement}", (query,)))
            found = database.rows(statement, (query,))
    finally:
        database.conn.execute(f"DROP INDEX {index}")
    assert f"Index Scan using {index} on items" in plan, plan
    assert "Seq Scan" not in plan, plan
    assert exact[0][0] == found[0][0] == query_row
    if index.startswith("ivfflat"):
        # All lists probed: exactly the exact answer (distances compared: equal distances may come in any order).
        assert [distance for _, distance in found] == [distance for _, distance in exact]
    else:
        # HNSW is approximate, even with a wide search: most of the true neighbours (ties counted as found).
        within = [row for row, distance in found if distance <= exact[-1][1]]
        assert len(within) >= 0.8 * NEIGHBOURS, (found, exact)
    database.assert_unharmed()
