"""The planning functions of module_utils/pgvector_extension.py on plain catalog dicts: the branches one real
server with pgvector 0.7.4/0.8.0 cannot produce (versions >= 0.10, a trusted build, a newer-than-default install)."""

from __future__ import annotations

import pytest
from ansible_collections.triflow.platform.plugins.module_utils import pgvector_extension as pgvector


def catalog(installed_version=None, default="0.8.2", available=("0.8.1", "0.8.2"), trusted=False, superuser=False):
    return {
        "extension": "vector",
        "server_version": "16.4",
        "database": "triflow",
        "role": "app",
        "is_superuser": superuser,
        "can_create_in_database": False,
        "default_version": default,
        "available_versions": list(available),
        "versions": {v: {"trusted": trusted, "relocatable": True} for v in available},
        "installed": None
        if installed_version is None
        else {"version": installed_version, "schema": "public", "owner": "postgres", "relocatable": True},
    }


def test_versions_sort_numerically():
    assert pgvector.sorted_versions(["0.10.0", "0.9.1", "0.8.2", "0.9.1"]) == ["0.8.2", "0.9.1", "0.10.0"]


def test_latest_is_the_servers_default_version():
    assert pgvector.resolve_target(catalog(), "latest", []) == ("0.8.2", None)


def test_latest_takes_the_highest_reachable_version_when_the_default_is_not_reachable():
    installed = catalog(installed_version="0.7.0", default="0.8.2", available=("0.7.0", "0.8.2"))

    assert pgvector.resolve_target(installed, "latest", ["0.7.4", "0.8.0"]) == ("0.8.0", None)


def test_latest_keeps_a_newer_install_and_warns():
    newer = catalog(installed_version="0.9.0")

    target, warning = pgvector.resolve_target(newer, "latest", [])

    assert target == "0.9.0"
    assert warning == (
        "vector 0.9.0 is installed; the server's default version 0.8.2 cannot be reached from it, so it stays as is"
    )
    assert pgvector.plan_present(newer, target, "public") == []


def test_a_trusted_build_needs_create_on_the_database_and_the_message_says_so():
    trusted = catalog(trusted=True)

    reason = pgvector.privilege_doubts(trusted, [("create", None)], "0.8.2")

    assert reason == [
        "the vector extension is trusted, so a non-superuser may create it, but role 'app' lacks the CREATE "
        "privilege on database 'triflow' (GRANT CREATE ON DATABASE triflow TO app)"
    ]


def test_a_superuser_raises_no_privilege_doubt():
    assert pgvector.privilege_doubts(catalog(superuser=True), [("create", None)], "0.8.2") == []


def test_an_extension_that_is_not_relocatable_is_not_moved():
    pinned = catalog(installed_version="0.8.2")
    pinned["installed"]["relocatable"] = False

    with pytest.raises(pgvector.PgvectorError, match="is in schema 'public' and is not relocatable"):
        pgvector.plan_present(pinned, "0.8.2", "embeddings")


def test_a_server_without_pgvector_is_named():
    bare = catalog(default=None, available=())

    with pytest.raises(pgvector.PgvectorError) as raised:
        pgvector.resolve_target(bare, "latest", [])

    assert str(raised.value).startswith(
        "The vector extension is not available on this server (PostgreSQL 16.4): its extension directory has no "
        "vector.control."
    )
