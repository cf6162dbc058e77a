"""The execution environment AWX builds (execution-environment.yml): ansible-builder renders its build context here
(no container engine needed for that), finds the collection's own dependencies, and every pin agrees with the
project's (requirements.txt, requirements.yml)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml
from support.emulator import REPO

BUILDER = str(Path(sys.executable).parent / "ansible-builder")
COLLECTION = REPO / "collections" / "ansible_collections" / "triflow" / "platform"


def pins() -> dict[str, str]:
    lines = (REPO / "requirements.txt").read_text().splitlines()
    return dict(line.split("==", 1) for line in lines if "==" in line and not line.startswith("#"))


def test_the_pins_are_the_projects():
    ee = yaml.safe_load((REPO / "execution-environment.yml").read_text())
    assert ee["version"] == 3
    project = pins()
    assert ee["dependencies"]["ansible_core"]["package_pip"] == f"ansible-core=={project['ansible-core']}"
    assert ee["dependencies"]["ansible_runner"]["package_pip"] == f"ansible-runner=={project['ansible-runner']}"
    assert ee["dependencies"]["python"] == [f"mitogen=={project['mitogen']}"]
    galaxy = {item["name"]: item.get("version") for item in ee["dependencies"]["galaxy"]["collections"]}
    wanted = {
        item["name"]: item["version"] for item in yaml.safe_load((REPO / "requirements.yml").read_text())["collections"]
    }
    assert {name: version for name, version in galaxy.items() if version} == wanted
    collection_python = (COLLECTION / "meta" / "ee-requirements.txt").read_text().splitlines()
    for line in collection_python:
        if line and not line.startswith("#"):
            name, version = line.split("#")[0].strip().split("==")
            assert project[name.split("[")[0]] == version, line


def test_ansible_builder_finds_the_collections_own_dependencies():
    out = subprocess.run(
        [BUILDER, "introspect", "--sanitize", str(REPO / "collections")], capture_output=True, text=True, check=True
    ).stdout
    data = yaml.safe_load(out.split("\n", 1)[1])
    python = [line.split("#")[0].strip() for line in data["python"] if "triflow.platform" in line]
    assert python == ["boto3==1.44.8", "botocore==1.44.8", "psycopg[binary]==3.3.9"]
    assert any(line.startswith("postgresql-client [platform:dpkg]") for line in data["system"])


def test_ansible_builder_renders_the_build_context(tmp_path):
    context = tmp_path / "context"
    run = subprocess.run(
        [BUILDER, "create", "-f", "execution-environment.yml", "-c", str(context)],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    containerfile = (context / "Dockerfile").read_text()
    assert 'ARG EE_BASE_IMAGE="quay.io/fedora/python-311:latest"' in containerfile
    assert "ansible-galaxy collection install" in containerfile and "introspect.py introspect" in containerfile
    requirements = yaml.safe_load((context / "_build" / "requirements.yml").read_text())["collections"]
    assert {"name": "collections/triflow.platform", "type": "dir"} in requirements
    assert "mitogen==" in (context / "_build" / "requirements.txt").read_text()
    copied = context / "_build" / "collections" / "triflow.platform"
    assert yaml.safe_load((copied / "galaxy.yml").read_text())["name"] == "platform"
    assert (copied / "meta" / "execution-environment.yml").is_file()
