"""Each role input is declared once (meta/argument_specs.yml): defaults/main.yml and the README tables agree with it.

tools/declarations.py generates both (``make declarations``); these tests fail on any difference, naming it.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tools"))

import declarations  # noqa: E402

ROLES = declarations.roles()


@pytest.mark.parametrize("role", ROLES, ids=[role.name for role in ROLES])
def test_defaults_and_readme_are_what_the_argument_specs_generate(role):
    assert declarations.differences(role) == []


def _role(tmp_path: Path, spec_default: int, file_default: int | None, readme: str | None = None) -> declarations.Role:
    """A role whose argument_specs says ``spec_default`` and whose defaults/main.yml says ``file_default``."""
    options = {"demo_retries": {"type": "int", "default": spec_default, "description": "How often to retry."}}
    role = tmp_path / "roles" / "demo"
    (role / "meta").mkdir(parents=True)
    (role / "defaults").mkdir()
    (role / "meta" / "argument_specs.yml").write_text(
        yaml.safe_dump({"argument_specs": {"main": {"options": options}}})
    )
    defaults = declarations.render_defaults(options)
    if file_default is not None:
        defaults = defaults.replace(f"demo_retries: {spec_default}", f"demo_retries: {file_default}")
    (role / "defaults" / "main.yml").write_text(defaults)
    table = declarations.render_table(options)
    (role / "README.md").write_text(readme if readme is not None else f"# demo\n\n{table}\n")
    return declarations.Role(role)


def test_a_default_that_disagrees_with_its_argument_spec_is_named(tmp_path):
    role = _role(tmp_path, spec_default=5, file_default=6)
    assert declarations.differences(role) == [
        "roles/demo/defaults/main.yml: demo_retries is 6, but meta/argument_specs.yml says 5"
    ]


def test_an_agreeing_pair_passes_and_a_stale_readme_table_is_named(tmp_path):
    assert declarations.differences(_role(tmp_path / "a", spec_default=5, file_default=None)) == []
    stale = declarations.render_table({"demo_retries": {"type": "int", "default": 3, "description": "Old."}})
    role = _role(tmp_path / "b", spec_default=5, file_default=None, readme=f"# demo\n\n{stale}\n")
    assert declarations.differences(role) == [
        "roles/demo/README.md: the variable table is not the specification's: run make declarations"
    ]


def test_a_variable_only_in_defaults_or_only_in_the_spec_is_named(tmp_path):
    options = {"demo_a": {"type": "str", "default": "x"}, "demo_b": {"type": "str"}}
    problems = declarations.value_differences(options, {"demo_b": "y", "demo_c": 1}, "defaults")
    assert problems == [
        "defaults lacks demo_a (meta/argument_specs.yml: default 'x')",
        "defaults sets demo_b, which meta/argument_specs.yml declares without a default",
        "defaults sets demo_c, which meta/argument_specs.yml does not declare",
    ]


def test_make_declarations_writes_what_the_check_wants(tmp_path):
    role = _role(tmp_path, spec_default=5, file_default=6)
    assert declarations.write(role) == [role.path / "defaults" / "main.yml"]
    assert declarations.differences(role) == []
    assert yaml.safe_load((role.path / "defaults" / "main.yml").read_text()) == {"demo_retries": 5}
