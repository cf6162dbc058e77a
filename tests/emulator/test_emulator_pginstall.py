"""The data plane's PostgreSQL + pgvector install (triflow_emulator.pginstall): portable, checked, built once.

The CPU tests run the installed ``postgres`` in single-user mode under qemu's user-mode emulator with CPU models
of other generations: ``Haswell`` has AVX2, FMA and F16C but no AVX-512 (the CPU of issue 9's report), ``Nehalem``
not even AVX. A tiny program with one AVX-512 instruction shows first that the emulated CPU really lacks it (it
dies of SIGILL there), so a pass means pgvector never ran such an instruction. (qemu 7.2's TCG has no AVX-512 at
all, so no CPU model with it can be emulated; the host's own CPU is the emulator tests' everyday run.) qemu-user
comes from Debian
(``make cpu-emulator``, which ``make integration`` runs).
"""

from __future__ import annotations

import hashlib
import os
import platform
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from triflow_emulator import pginstall
from triflow_emulator.postgres import as_os_user, run_as

QEMU = "qemu-x86_64"
SIGILL_EXIT = 128 + 4
AVX512_PROGRAM = """
int main(void) {
    __asm__ volatile ("vpxord %zmm0, %zmm0, %zmm0");
    return 0;
}
"""
# The report's statement, then every element type pgvector's SIMD paths touch: float32 distances (vector),
# float16 conversion (halfvec, F16C), popcount (bit, Hamming/Jaccard) and an HNSW build that uses them.
SQL = """
CREATE EXTENSION vector;
SELECT vector_dims((SELECT array_agg(random()) FROM generate_series(1, 16))::vector);
CREATE TABLE t (id int, v vector(1536));
INSERT INTO t SELECT i, (SELECT array_agg(random() - 0.5) FROM generate_series(1, 1536) WHERE i > 0)::vector
  FROM generate_series(1, 40) i;
SELECT count(*) FROM t WHERE v <-> v = 0 AND (v <#> v) < 0 AND v <=> v < 1e-6 AND v <+> v = 0;
SELECT count(*) FROM t WHERE v::halfvec(1536) <=> v::halfvec(1536) < 1e-3 AND l2_norm(v::halfvec(1536)) > 0;
SELECT count(*) FROM t
  WHERE binary_quantize(v)::bit(1536) <~> binary_quantize(v) = 0
  AND binary_quantize(v)::bit(1536) <%> binary_quantize(v) = 0;
SELECT count(*) FROM t WHERE v::sparsevec <-> v::sparsevec = 0;
CREATE INDEX ON t USING hnsw (v vector_cosine_ops);
CREATE INDEX ON t USING hnsw ((v::halfvec(1536)) halfvec_l2_ops);
CREATE INDEX ON t USING ivfflat (v vector_ip_ops) WITH (lists = 4);
SELECT 'finished ' || count(*) FROM t;
"""


def qemu() -> str:
    if platform.machine() != "x86_64":
        pytest.skip(f"the CPU-generation tests emulate x86-64 CPUs; this host is {platform.machine()}")
    path = shutil.which(QEMU)
    assert path, f"{QEMU} is missing: make cpu-emulator installs Debian's qemu-user"
    return path


def as_postgres_os_user() -> dict[str, object]:
    return as_os_user(run_as())


def postgres_folder(prefix: str) -> Path:
    """A temporary folder the OS user PostgreSQL runs as owns (tempfile's 0700 folders of root are closed to it)."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    folder.chmod(0o755)
    user = run_as()
    if user:
        os.chown(folder, user.uid, user.gid)
    return folder


@pytest.fixture(scope="module")
def cluster() -> Iterator[Path]:
    """A data dir made by the install's initdb (natively), owned by the OS user PostgreSQL runs as."""
    folder = postgres_folder("pginstall-cpu-")
    initdb = pginstall.install().binary("initdb")
    subprocess.run(
        [str(initdb), "-D", str(folder / "data"), "-U", "admin", "--auth", "trust", "--no-sync", "--no-instructions"],
        check=True,
        capture_output=True,
        **as_postgres_os_user(),
    )
    yield folder / "data"
    shutil.rmtree(folder, ignore_errors=True)


def single_user(cpu: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    postgres = pginstall.install().binary("postgres")
    # A copy per run, so each run starts from the same empty cluster.
    folder = postgres_folder("pginstall-run-")
    try:
        target = folder / "data"
        subprocess.run(["cp", "-a", str(data_dir), str(target)], check=True, **as_postgres_os_user())
        return subprocess.run(
            [qemu(), "-cpu", cpu, str(postgres), "--single", "-D", str(target), "-j", "postgres"],
            input=SQL.replace(";\n", ";\n\n"),  # -j: a statement ends at a semicolon followed by an empty line
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
            env={"PATH": os.defpath, "LC_ALL": "C"},
            **as_postgres_os_user(),
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def avx512_program() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="avx512-"))
    (folder / "avx512.c").write_text(AVX512_PROGRAM)
    subprocess.run(["gcc", "-mavx512f", "-o", str(folder / "avx512"), str(folder / "avx512.c")], check=True)
    yield folder / "avx512"
    shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.parametrize("cpu", ["Haswell", "Nehalem"])
def test_the_emulated_cpu_lacks_avx512(avx512_program: Path, cpu: str) -> None:
    run = subprocess.run([qemu(), "-cpu", cpu, str(avx512_program)], capture_output=True, check=False)
    assert run.returncode in (-4, SIGILL_EXIT), (run.returncode, run.stderr)


@pytest.mark.parametrize("cpu", ["Haswell", "Nehalem"])
def test_pgvector_runs_on_cpus_of_other_generations(cluster: Path, cpu: str) -> None:
    run = single_user(cpu, cluster)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    assert "ERROR" not in run.stdout + run.stderr, run.stderr[-3000:]
    assert 'vector_dims = "16"' in run.stdout
    assert run.stdout.count('count = "40"') == 4, run.stdout[-3000:]
    assert '?column? = "finished 40"' in run.stdout, run.stdout[-3000:]


def test_build_info_says_what_was_built() -> None:
    built = pginstall.install(build=False)
    assert built.info == {
        "postgresql": pginstall.POSTGRES_VERSION,
        "wheel": f"{pginstall.WHEEL}=={pginstall.WHEEL_VERSION}",
        "pgvector": pginstall.PGVECTOR_VERSION,
        "pgvector_source": pginstall.PGVECTOR_URL,
        "pgvector_sha256": pginstall.PGVECTOR_SHA256,
        "make_flags": ["OPTFLAGS="],
        "recipe": pginstall.RECIPE,
    }
    version = subprocess.run([str(built.binary("postgres")), "--version"], capture_output=True, text=True, check=True)
    assert version.stdout.strip() == f"postgres (PostgreSQL) {pginstall.POSTGRES_VERSION}"
    # Only this build's pgvector: the wheel's own install script (0.6.2) is gone, its .so replaced.
    assert sorted(path.name for path in built.extension_dir.glob("vector--*.*.*.sql") if "--" not in path.stem[8:]) == [
        f"vector--{pginstall.PGVECTOR_VERSION}.sql"
    ]
    assert f"default_version = '{pginstall.PGVECTOR_VERSION}'" in (built.extension_dir / "vector.control").read_text()


def test_a_tarball_with_the_wrong_checksum_is_refused_and_deleted(tmp_path: Path) -> None:
    bogus = tmp_path / pginstall.PGVECTOR_TARBALL
    bogus.write_bytes(b"not pgvector")
    with pytest.raises(pginstall.BuildError) as raised:
        pginstall.source_tarball(tmp_path)
    digest = hashlib.sha256(b"not pgvector").hexdigest()
    assert str(raised.value) == (
        f"{pginstall.PGVECTOR_TARBALL} has sha256 {digest}, expected {pginstall.PGVECTOR_SHA256}; deleted it, try again"
    )
    assert not bogus.exists()


def test_a_failed_download_says_where_to_put_the_tarball(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pginstall, "PGVECTOR_URL", "http://127.0.0.1:9/pgvector.tar.gz")
    with pytest.raises(pginstall.BuildError) as raised:
        pginstall.source_tarball(tmp_path)
    message = str(raised.value)
    assert message.startswith("could not download pgvector's source from http://127.0.0.1:9/pgvector.tar.gz: ")
    assert f"Offline: put {pginstall.PGVECTOR_TARBALL} (sha256 {pginstall.PGVECTOR_SHA256}) into {tmp_path}" in message
    assert list(tmp_path.iterdir()) == []


def test_an_unbuilt_install_is_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(pginstall.DIR_ENV, str(tmp_path))
    with pytest.raises(pginstall.BuildError, match=r"is not built \(python -m triflow_emulator build-postgres"):
        pginstall.install(build=False)


def test_an_unwritable_cache_names_the_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv(pginstall.DIR_ENV, str(blocker / "cache"))
    with pytest.raises(pginstall.BuildError) as raised:
        pginstall.install()
    assert str(raised.value).startswith(f"could not build in {blocker / 'cache'} (")
    assert str(raised.value).endswith(f"set {pginstall.DIR_ENV} to a writable folder")


def test_parallel_first_starts_build_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two workers asking at once: one builds (under the lock), the other waits and uses that tree."""
    cache = tmp_path / "cache"
    cache.mkdir()
    shutil.copy(pginstall.install().base.parent / pginstall.PGVECTOR_TARBALL, cache)  # no download
    monkeypatch.setenv(pginstall.DIR_ENV, str(cache))
    builds: list[Path] = []
    real_build = pginstall._build

    def counted(base: Path) -> None:
        builds.append(base)
        real_build(base)

    monkeypatch.setattr(pginstall, "_build", counted)
    results: list[pginstall.Install] = []
    workers = [threading.Thread(target=lambda: results.append(pginstall.install())) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert len(builds) == 1
    assert [result.base for result in results] == [cache / pginstall.tree_name()] * 2
    assert sorted(path.name for path in cache.iterdir()) == sorted(
        [".lock", pginstall.PGVECTOR_TARBALL, pginstall.tree_name(), f"{pginstall.tree_name()}.build.log"]
    ), "no temporary build folder is left"
    assert (results[0].root / "lib" / "postgresql" / "vector.so").is_file()
