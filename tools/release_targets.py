"""The ECR repository of every stack of an inventory, for the release workflow's docker push.

    python tools/release_targets.py -i inventories/customer_a      # prints: <stack host> <repository name>

The names come from the roles' own models (module_utils/roles/stack.py and ecr.py) applied to each host's
variables over the roles' defaults, so the workflow pushes to the repository playbooks/deploy.yml reads.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "collections"))

from ansible.inventory.manager import InventoryManager  # noqa: E402
from ansible.parsing.dataloader import DataLoader  # noqa: E402
from ansible.template import Templar, trust_as_template  # noqa: E402
from ansible.vars.manager import VariableManager  # noqa: E402
from ansible_collections.triflow.platform.plugins.module_utils.naming import stack_prefix  # noqa: E402
from ansible_collections.triflow.platform.plugins.module_utils.roles.ecr import repository_name  # noqa: E402


def role_defaults(role: str) -> dict:
    return yaml.safe_load((REPO / "roles" / role / "defaults" / "main.yml").read_text()) or {}


def targets(inventory: str) -> list[tuple[str, str]]:
    loader = DataLoader()
    manager = InventoryManager(loader=loader, sources=[inventory])
    variables = VariableManager(loader=loader, inventory=manager)
    found = []
    for host in manager.get_hosts("triflow_stacks"):
        values = {**role_defaults("stack"), **role_defaults("ecr")}
        values = {key: trust_as_template(value) if isinstance(value, str) else value for key, value in values.items()}
        values.update(variables.get_vars(host=host))
        templar = Templar(loader=loader, variables=values)
        prefix = stack_prefix(
            templar.template(values["stack_project"]),
            templar.template(values["stack_customer"]),
            templar.template(values["stack_environment"]),
        )
        inputs = {"ecr_name_prefix": prefix, "ecr_repository_name": templar.template(values["ecr_repository_name"])}
        found.append((host.name, repository_name(inputs)))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-i", "--inventory", required=True)
    for host, repository in targets(parser.parse_args().inventory):
        print(host, repository)
    return 0


if __name__ == "__main__":
    sys.exit(main())
