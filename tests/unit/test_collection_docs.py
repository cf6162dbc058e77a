"""The triflow.platform collection as a collection: every module and filter has a documentation ansible-doc
renders, the collection README lists each of them, and galaxy.yml names the project's own places and a license
that the LICENSE file holds."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from support.emulator import REPO

COLLECTION = REPO / "collections" / "ansible_collections" / "triflow" / "platform"
ANSIBLE_DOC = str(Path(sys.executable).parent / "ansible-doc")
PLUGIN_PACKAGE = "ansible_collections.triflow.platform.plugins"


def jinja_plugins(kind: str) -> list[str]:
    """The names a Jinja plugin folder declares: FilterModule().filters() or TestModule().tests()."""
    names = []
    for path in sorted((COLLECTION / "plugins" / kind).glob("*.py")):
        module = importlib.import_module(f"{PLUGIN_PACKAGE}.{kind}.{path.stem}")
        holder = module.FilterModule() if kind == "filter" else module.TestModule()
        names += list(getattr(holder, f"{kind}s")())
    return sorted(names)


def filters() -> list[str]:
    return jinja_plugins("filter")


def jinja_tests() -> list[str]:
    return jinja_plugins("test")


def plugins(folder: str) -> list[str]:
    return sorted(path.stem for path in (COLLECTION / "plugins" / folder).glob("*.py") if path.stem != "__init__")


def modules() -> list[str]:
    return plugins("modules")


def rendered(kind: str, names: list[str]) -> dict:
    run = subprocess.run(
        [ANSIBLE_DOC, "-t", kind, "--json", *[f"triflow.platform.{name}" for name in names]],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


@pytest.mark.parametrize(
    ("kind", "names"),
    [("filter", filters()), ("test", jinja_tests()), ("module", modules()), ("callback", plugins("callback"))],
)
def test_every_plugin_has_a_rendered_documentation(kind, names):
    docs = rendered(kind, names)
    undocumented = [name for name in names if not (docs.get(f"triflow.platform.{name}") or {}).get("doc")]
    assert undocumented == [], f"no rendered {kind} documentation: {undocumented}"
    for name in names:
        doc = docs[f"triflow.platform.{name}"]["doc"]
        assert doc["short_description"] and doc.get("description"), name
        if kind != "callback":  # a callback is set in ansible.cfg, not called: it has no EXAMPLES
            assert docs[f"triflow.platform.{name}"].get("examples"), f"{name} has no EXAMPLES"


def test_the_collection_readme_lists_every_module_filter_and_callback():
    readme = (COLLECTION / "README.md").read_text()
    names = filters() + jinja_tests() + modules() + plugins("callback")
    missing = [name for name in names if f"`triflow.platform.{name}`" not in readme]
    assert missing == []


def test_galaxy_yml_names_the_projects_places_and_its_license_file():
    galaxy = yaml.safe_load((COLLECTION / "galaxy.yml").read_text())
    for field in ("repository", "documentation", "homepage", "issues"):
        assert galaxy[field].startswith("https://github.com/triflow-ai/provisioning"), field
    assert galaxy["license"] == ["GPL-3.0-or-later"]
    assert (
        (COLLECTION / "LICENSE")
        .read_text()
        .lstrip()
        .startswith("GNU GENERAL PUBLIC LICENSE\n                       Version 3")
    )
