"""Each role input is declared once, in the role's meta/argument_specs.yml; the rest is generated from it.

    python tools/declarations.py           # write roles/*/defaults/main.yml and the README variable tables
    python tools/declarations.py --check   # say what differs from the specifications; exit 1 if anything does

(``make declarations`` runs the first.) From the ``main`` entry point of each role's specification:

* ``defaults/main.yml``: every option with a default, its description as the comment above it;
* the variable table of ``README.md``, between the ``BEGIN VARIABLES`` and ``END VARIABLES`` markers: name, type,
  default (or "required", or "not set" for an optional input without one), allowed values, description.

The role's tasks read the inputs through ``triflow.platform.role_desired_state``, which takes the option names from
the same specification, so no third list of inputs exists.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
ROLES = REPO / "roles"
SPEC = Path("meta") / "argument_specs.yml"
DEFAULTS = Path("defaults") / "main.yml"
README = Path("README.md")
GENERATED = "Generated from meta/argument_specs.yml by `make declarations`: change an input there, not here."
BEGIN = "<!-- BEGIN VARIABLES: generated from meta/argument_specs.yml by `make declarations`; edit the spec -->"
END = "<!-- END VARIABLES -->"
COMMENT_WIDTH = 118
MARKUP = re.compile(r"\b[CIBMOV]\(([^)]*)\)")
# <placeholders> in a description, shown as code in Markdown (else they read as HTML tags and vanish).
ANGLED = re.compile(r"([\w./:-]*<[\w ]+>[\w./*:-]*)")


class _Dumper(yaml.SafeDumper):
    """Block style with indented sequences (yamllint's default), double quotes for Jinja and apostrophes."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        return super().increase_indent(flow, False)


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = '"' if ("{{" in value or "'" in value) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


@dataclass(frozen=True)
class Role:
    """One role's folder and the options of its ``main`` entry point."""

    path: Path

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def options(self) -> dict[str, dict[str, Any]]:
        spec = yaml.safe_load((self.path / SPEC).read_text())
        return spec["argument_specs"]["main"]["options"]


def roles(root: Path = ROLES) -> list[Role]:
    return [Role(path) for path in sorted(root.iterdir()) if (path / SPEC).is_file()]


def _text(description: Any) -> str:
    """A description (a string or a list of paragraphs) as plain text, without ansible-doc markup."""
    parts = description if isinstance(description, list) else [description or ""]
    return MARKUP.sub(r"\1", " ".join(str(part).strip() for part in parts)).strip()


def _yaml_entry(name: str, value: Any) -> str:
    return yaml.dump({name: value}, Dumper=_Dumper, default_flow_style=False, sort_keys=False, width=COMMENT_WIDTH)


def render_defaults(options: dict[str, dict[str, Any]]) -> str:
    """defaults/main.yml: each option that has a default, after its description as a comment."""
    lines = ["---", "# " + GENERATED]
    for name, option in options.items():
        if "default" not in option:
            continue
        comment = _text(option.get("description"))
        lines.extend(textwrap.wrap(comment, COMMENT_WIDTH, initial_indent="# ", subsequent_indent="# "))
        lines.append(_yaml_entry(name, option["default"]).rstrip("\n"))
    return "\n".join(lines) + "\n"


def _type(option: dict[str, Any]) -> str:
    kind = option.get("type", "str")
    return f"list of {option['elements']}" if kind == "list" and option.get("elements") else kind


def _inline(value: Any) -> str:
    text = json.dumps(value) if not isinstance(value, str) else value
    if isinstance(value, (list, dict)):
        text = yaml.dump(value, Dumper=_Dumper, default_flow_style=True, width=10000, sort_keys=False).strip()
    escaped = text.replace("|", "\\|")
    return f"`{escaped}`" if text != "" else '`""`'


def render_table(options: dict[str, dict[str, Any]]) -> str:
    """The README's variable table, between its markers."""
    rows = [BEGIN, "| variable | type | default | meaning |", "|---|---|---|---|"]
    for name, option in options.items():
        if "default" in option:
            default = _inline(option["default"])
        else:
            default = "required" if option.get("required") else "not set"
        meaning = ANGLED.sub(r"`\1`", _text(option.get("description"))).replace("|", "\\|")
        if option.get("choices"):
            choices = ", ".join(_inline(choice) for choice in option["choices"])
            meaning += f" One of {choices}."
        rows.append(f"| `{name}` | {_type(option)} | {default} | {meaning} |")
    rows.append(END)
    return "\n".join(rows)


def readme_with_table(readme: str, table: str, where: str) -> str:
    """``readme`` with its generated table replaced; a README without the markers is an error."""
    start, end = readme.find(BEGIN), readme.find(END)
    if start < 0 or end < start:
        raise ValueError(f"{where} has no {BEGIN!r} ... {END!r} markers for the variable table")
    return readme[:start] + table + readme[end + len(END) :]


def value_differences(options: dict[str, dict[str, Any]], defaults: dict[str, Any], where: str) -> list[str]:
    """Each variable whose default in ``defaults`` is not the specification's, named, with both values."""
    problems = []
    for name, option in options.items():
        if "default" not in option:
            if name in defaults:
                problems.append(f"{where} sets {name}, which meta/argument_specs.yml declares without a default")
        elif name not in defaults:
            problems.append(f"{where} lacks {name} (meta/argument_specs.yml: default {option['default']!r})")
        elif defaults[name] != option["default"]:
            problems.append(
                f"{where}: {name} is {defaults[name]!r}, but meta/argument_specs.yml says {option['default']!r}"
            )
    for name in defaults:
        if name not in options:
            problems.append(f"{where} sets {name}, which meta/argument_specs.yml does not declare")
    return problems


def _current(path: Path) -> str:
    return path.read_text() if path.is_file() else ""


def generated(role: Role) -> dict[Path, str]:
    """The text the role's defaults/main.yml and README.md must have (ValueError: a README without markers)."""
    options = role.options
    readme = role.path / README
    return {
        role.path / DEFAULTS: render_defaults(options),
        readme: readme_with_table(_current(readme), render_table(options), f"roles/{role.name}/{README}"),
    }


def differences(role: Role) -> list[str]:
    """Everything in the role's defaults and README that is not what its specification generates, each named."""
    defaults_file, readme = role.path / DEFAULTS, role.path / README
    problems = value_differences(role.options, yaml.safe_load(_current(defaults_file)) or {}, _where(role, DEFAULTS))
    try:
        wanted = generated(role)
    except ValueError as exc:
        return [*problems, str(exc)]
    if not problems and _current(defaults_file) != wanted[defaults_file]:
        problems.append(f"{_where(role, DEFAULTS)} is not as generated (comments or layout): run make declarations")
    if _current(readme) != wanted[readme]:
        problems.append(f"{_where(role, README)}: the variable table is not the specification's: run make declarations")
    return problems


def _where(role: Role, path: Path) -> str:
    return f"roles/{role.name}/{path}"


def write(role: Role) -> list[Path]:
    """Generate the role's defaults and README table; the files that changed."""
    changed = []
    for path, text in generated(role).items():
        if _current(path) != text:
            path.parent.mkdir(exist_ok=True)
            path.write_text(text)
            changed.append(path)
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="report differences, change nothing (exit 1 if any)")
    args = parser.parse_args(argv)
    if args.check:
        problems = [problem for role in roles() for problem in differences(role)]
        for problem in problems:
            print(problem, file=sys.stderr)
        return 1 if problems else 0
    for role in roles():
        for path in write(role):
            print(f"wrote {path.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
