"""The PostgreSQL + pgvector install behind the RDS data plane and the module tests: built once, cached.

* PostgreSQL 16.2: the binaries of the PyPI wheel ``pgserver`` 0.1.4 (a relocatable build; no Docker, no root).
  They are found without importing ``pgserver``, whose import has side effects.
* pgvector 0.8.0: compiled here from its release source, Debian's ``pgvector_0.8.0.orig.tar.gz`` (the source of
  trixie's postgresql-17-pgvector; sha256 pinned below), against that PostgreSQL, with ``OPTFLAGS=""``.
  pgvector's Makefile defaults to ``-march=native`` ("To compile for portability, run: make OPTFLAGS=\"\"", its
  own comment), which ties a build to the CPU that compiled it: the pgvector the wheels ship carries AVX-512
  code outside any CPU check, and a backend running it on a CPU without AVX-512 dies of SIGILL (issue 9). A
  portable build still uses AVX2/F16C/AVX-512 where pgvector itself checks the CPU at run time.

The install is a copy of the wheel's ``pginstall`` tree (and its bundled libraries) with the wheel's own pgvector
files removed and this build installed in their place (PostgreSQL finds its ``share`` and ``lib`` folders relative
to its binaries, so the copy runs where it lies), in ``<dir>/<name>/``: ``<dir>`` is
``$TRIFLOW_EMULATOR_POSTGRES_DIR`` or ``<repo>/.cache/postgres``, ``<name>`` names PostgreSQL, the wheel, pgvector
and the build recipe, so a new pin builds a new tree. ``make setup`` builds it (``python -m triflow_emulator
build-postgres``); otherwise the first server start does. The build takes ~10 s (two cores), runs under a file
lock (parallel test workers wait for one build) in a temporary folder that is renamed into place when complete,
so a half-built tree is never used. ``BUILD.json`` in the tree says what it holds. Folders are 0755: when the
emulator runs as root, PostgreSQL runs as another OS user, which must read the tree.
"""

from __future__ import annotations

import fcntl
import hashlib
import importlib.metadata
import importlib.util
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from triflow_emulator.config import REPO_ROOT

DIR_ENV = "TRIFLOW_EMULATOR_POSTGRES_DIR"
WHEEL = "pgserver"
WHEEL_VERSION = "0.1.4"
POSTGRES_VERSION = "16.2"
PGVECTOR_VERSION = "0.8.0"
PGVECTOR_TARBALL = f"pgvector_{PGVECTOR_VERSION}.orig.tar.gz"
# Debian's archive (trixie, main): https://packages.debian.org/source/trixie/pgvector
PGVECTOR_URL = f"https://deb.debian.org/debian/pool/main/p/pgvector/{PGVECTOR_TARBALL}"
PGVECTOR_SHA256 = "867a2c328d4928a5a9d6f052cd3bc78c7d60228a9b914ad32aa3db88e9de27b0"
# Bump when the way the tree is built changes: the tree's name changes with it, so it is rebuilt.
RECIPE = 1
MAKE_FLAGS = ("OPTFLAGS=",)
DOWNLOAD_TIMEOUT = 60.0
BUILD_TIMEOUT = 600.0
BUILD_INFO = "BUILD.json"
# What the wheel installs for its own pgvector, relative to its pginstall tree.
WHEEL_PGVECTOR_FILES = ("lib/postgresql/vector.so", "include/postgresql/server/extension/vector")


class BuildError(RuntimeError):
    """The install could not be found or built; the message says why and what to do."""


@dataclass(frozen=True)
class Install:
    """A built install: the wheel's layout, ``base/pgserver/pginstall/{bin,lib,share}`` and ``base/pgserver.libs``
    (the wheel's programs find their bundled libpq at ``$ORIGIN/../../../pgserver.libs``, their RPATH)."""

    base: Path

    @property
    def root(self) -> Path:
        """The PostgreSQL install (``pg_config --bindir`` is ``root/bin``)."""
        return self.base / WHEEL / "pginstall"

    def binary(self, name: str) -> Path:
        path = self.root / "bin" / name
        if not os.access(path, os.X_OK):
            raise BuildError(f"{path} is missing or not executable (delete {self.root} to rebuild it)")
        return path

    @property
    def extension_dir(self) -> Path:
        """The folder of the control and SQL files of extensions (``pg_config --sharedir``/extension)."""
        return self.root / "share" / "postgresql" / "extension"

    @property
    def info(self) -> dict[str, object]:
        return json.loads((self.base / BUILD_INFO).read_text())


def cache_dir() -> Path:
    raw = os.environ.get(DIR_ENV, "").strip()
    return Path(raw).expanduser().resolve() if raw else REPO_ROOT / ".cache" / "postgres"


def wheel_tree() -> Path:
    spec = importlib.util.find_spec(WHEEL)
    if spec is None or not spec.submodule_search_locations:
        raise BuildError(f"the {WHEEL} wheel is not installed (pip install {WHEEL}=={WHEEL_VERSION}, or make setup)")
    installed = importlib.metadata.version(WHEEL)
    if installed != WHEEL_VERSION:
        raise BuildError(f"{WHEEL} {installed} is installed; the data plane is built on {WHEEL} {WHEEL_VERSION}")
    return Path(next(iter(spec.submodule_search_locations))).resolve() / "pginstall"


def tree_name() -> str:
    return f"postgresql-{POSTGRES_VERSION}-{WHEEL}-{WHEEL_VERSION}-pgvector-{PGVECTOR_VERSION}-r{RECIPE}"


def install(build: bool = True) -> Install:
    """The built tree; build it first (under a lock) unless it is there. ``build=False``: raise instead."""
    base = cache_dir() / tree_name()
    if (base / BUILD_INFO).is_file():
        return Install(base)
    if not build:
        raise BuildError(f"{base} is not built (python -m triflow_emulator build-postgres, or make setup)")
    try:
        base.parent.mkdir(parents=True, exist_ok=True)
        with (base.parent / ".lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not (base / BUILD_INFO).is_file():
                _build(base)
    except OSError as exc:
        raise BuildError(f"could not build in {base.parent} ({exc}); set {DIR_ENV} to a writable folder") from None
    return Install(base)


def source_tarball(folder: Path) -> Path:
    """pgvector's release source in ``folder`` (downloaded once); its sha256 is checked every time."""
    path = folder / PGVECTOR_TARBALL
    if not path.is_file():
        partial = folder / f"{PGVECTOR_TARBALL}.part"
        try:
            with urllib.request.urlopen(PGVECTOR_URL, timeout=DOWNLOAD_TIMEOUT) as response, partial.open("wb") as out:
                shutil.copyfileobj(response, out)
        except (OSError, urllib.error.URLError) as exc:
            partial.unlink(missing_ok=True)
            raise BuildError(
                f"could not download pgvector's source from {PGVECTOR_URL}: {exc}. "
                f"Offline: put {PGVECTOR_TARBALL} (sha256 {PGVECTOR_SHA256}) into {folder}"
            ) from None
        partial.rename(path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != PGVECTOR_SHA256:
        path.unlink()
        raise BuildError(f"{PGVECTOR_TARBALL} has sha256 {digest}, expected {PGVECTOR_SHA256}; deleted it, try again")
    return path


def _run(args: list[str], cwd: Path, log: Path) -> None:
    env = {"PATH": os.environ.get("PATH", os.defpath), "LC_ALL": "C"}
    with log.open("ab") as out:
        try:
            result = subprocess.run(
                args, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, timeout=BUILD_TIMEOUT, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise BuildError(f"{' '.join(args)} failed: {exc} (log: {log})") from None
    if result.returncode != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-15:])
        raise BuildError(f"{' '.join(args)} failed (exit {result.returncode}); last lines of {log}:\n{tail}")


def _build(base: Path) -> None:
    wheel = wheel_tree()
    tarball = source_tarball(base.parent)
    work = Path(tempfile.mkdtemp(prefix=f".{base.name}-", dir=base.parent))
    log = base.parent / f"{base.name}.build.log"
    log.write_text("")
    try:
        built = Install(work / "install")
        shutil.copytree(wheel, built.root, symlinks=True)
        shutil.copytree(wheel.parent.parent / f"{WHEEL}.libs", built.base / f"{WHEEL}.libs", symlinks=True)
        tree = built.root
        for relative in WHEEL_PGVECTOR_FILES:
            target = tree / relative
            if target.is_dir():
                shutil.rmtree(target)
            else:
                target.unlink(missing_ok=True)
        for path in built.extension_dir.glob("vector[.-]*"):
            path.unlink()
        with tarfile.open(tarball) as archive:
            archive.extractall(work / "src", filter="data")
        source = work / "src" / f"pgvector-{PGVECTOR_VERSION}"
        make = ["make", f"PG_CONFIG={built.binary('pg_config')}", *MAKE_FLAGS]
        _run([*make, f"-j{min(os.cpu_count() or 1, 4)}"], source, log)
        _run([*make, "install"], source, log)
        control = (built.extension_dir / "vector.control").read_text()
        if f"default_version = '{PGVECTOR_VERSION}'" not in control:
            raise BuildError(f"the built vector.control does not offer {PGVECTOR_VERSION}:\n{control}")
        info = {
            "postgresql": POSTGRES_VERSION,
            "wheel": f"{WHEEL}=={WHEEL_VERSION}",
            "pgvector": PGVECTOR_VERSION,
            "pgvector_source": PGVECTOR_URL,
            "pgvector_sha256": PGVECTOR_SHA256,
            "make_flags": list(MAKE_FLAGS),
            "recipe": RECIPE,
        }
        (built.base / BUILD_INFO).write_text(json.dumps(info, indent=2) + "\n")
        for folder, _dirs, _files in os.walk(built.base):
            Path(folder).chmod(0o755)
        built.base.rename(base)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> int:
    """``python -m triflow_emulator build-postgres``: build the tree unless it is there, print where it is."""
    try:
        built = install()
    except BuildError as exc:
        print(f"triflow-emulator build-postgres: {exc}")
        return 1
    info = built.info
    print(f"PostgreSQL {info['postgresql']} + pgvector {info['pgvector']} (portable build): {built.base}")
    return 0
