"""Pinned versions: install, upgrade along pg_extension_update_paths, refusal of downgrades and unknown versions.

The session's server offers 0.7.4 and 0.8.0 with the update path 0.7.4 -> 0.8.0 (conftest.py says how).
"""

from __future__ import annotations

UPDATE_TO_080 = "ALTER EXTENSION \"vector\" UPDATE TO '0.8.0'"


def test_a_pinned_version_is_installed(run_module, module_args, installed):
    run = run_module(dict(module_args, version="0.7.4"))

    assert not run.failed, run.msg
    assert run.result["queries"] == ['CREATE EXTENSION "vector" WITH SCHEMA "public" VERSION \'0.7.4\'']
    assert installed() == ("0.7.4", "public")


def test_upgrade_follows_the_servers_update_path(run_module, module_args, installed, sql_in):
    run_module(dict(module_args, version="0.7.4"))
    assert sql_in(
        "SELECT path FROM pg_extension_update_paths('vector') WHERE source = '0.7.4' AND target = '0.8.0'"
    ) == [("0.7.4--0.8.0",)]

    run = run_module(dict(module_args, version="0.8.0"), diff=True)

    assert not run.failed, run.msg
    assert run.result["changed"] is True
    assert run.result["queries"] == [UPDATE_TO_080]
    assert (run.result["prev_version"], run.result["version"]) == ("0.7.4", "0.8.0")
    assert run.result["diff"] == {
        "before": {"installed": True, "version": "0.7.4", "schema": "public"},
        "after": {"installed": True, "version": "0.8.0", "schema": "public"},
    }
    assert installed() == ("0.8.0", "public")
    assert run_module(dict(module_args, version="0.8.0")).result["changed"] is False


def test_latest_upgrades_an_older_install_and_check_mode_only_says_so(run_module, module_args, installed):
    run_module(dict(module_args, version="0.7.4"))

    predicted = run_module(module_args, check_mode=True)

    assert (predicted.result["changed"], predicted.result["queries"]) == (True, [UPDATE_TO_080])
    assert predicted.result["version"] == "0.8.0"
    assert installed() == ("0.7.4", "public")

    run = run_module(module_args)

    assert run.result["queries"] == [UPDATE_TO_080]
    assert installed() == ("0.8.0", "public")


def test_a_downgrade_fails_naming_the_installed_and_the_reachable_versions(run_module, module_args, installed):
    run_module(dict(module_args, version="0.8.0"))

    run = run_module(dict(module_args, version="0.7.4"))

    assert run.failed
    assert run.msg == (
        "Cannot take the vector extension in database '%s' from installed version 0.8.0 to 0.7.4: the server has "
        "no update path (pg_extension_update_paths); PostgreSQL extensions cannot be downgraded (drop and re-create "
        "it, with its data). Versions reachable from 0.8.0: none." % module_args["login_db"]
    )
    assert run.result["queries"] == []
    assert installed() == ("0.8.0", "public")


def test_a_version_the_server_does_not_offer_fails_naming_server_and_versions(
    run_module, module_args, installed, sql_in
):
    server_version = sql_in("SHOW server_version")[0][0]

    run = run_module(dict(module_args, version="9.9.9"))

    assert run.failed
    assert run.msg == (
        "Version 9.9.9 of the vector extension is not available on this server (PostgreSQL %s); it offers: "
        "0.7.4, 0.8.0." % server_version
    )
    assert run.result["server_version"] == server_version
    assert installed() is None


def test_a_version_the_server_does_not_offer_fails_also_when_installed(run_module, module_args, installed):
    run_module(dict(module_args, version="0.7.4"))

    run = run_module(dict(module_args, version="9.9.9"), check_mode=True)

    assert run.failed
    assert run.msg.startswith("Version 9.9.9 of the vector extension is not available on this server")
    assert run.msg.endswith("Installed in database '%s': 0.7.4; reachable from it: 0.8.0." % module_args["login_db"])
    assert installed() == ("0.7.4", "public")
