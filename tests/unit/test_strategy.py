"""The strategy ansible.cfg sets (plugins/strategy/triflow_linear.py): linear on Mitogen when it is installed, plain
linear with a warning that says how to install it when it is not."""

from __future__ import annotations

import configparser
import importlib.util
import sys
from types import ModuleType

import pytest
from ansible.plugins.loader import strategy_loader
from support.emulator import REPO

PLUGIN = REPO / "plugins" / "strategy" / "triflow_linear.py"


def load_plugin() -> ModuleType:
    spec = importlib.util.spec_from_file_location("triflow_linear_under_test", PLUGIN)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_ansible_cfg_runs_the_strategy_from_the_project():
    config = configparser.ConfigParser()
    config.read(REPO / "ansible.cfg")
    assert config["defaults"]["strategy"] == "triflow_linear"
    assert (REPO / config["defaults"]["strategy_plugins"] / "triflow_linear.py") == PLUGIN


def test_with_mitogen_installed_it_is_linear_on_mitogen():
    import ansible_mitogen.strategy

    strategy = load_plugin().StrategyModule
    assert issubclass(strategy, ansible_mitogen.strategy.StrategyMixin)
    assert issubclass(strategy, strategy_loader.get("linear", class_only=True))


def test_without_mitogen_it_is_plain_linear_and_says_so(monkeypatch: pytest.MonkeyPatch):
    warnings: list[str] = []
    monkeypatch.setitem(sys.modules, "ansible_mitogen", None)  # import ansible_mitogen raises ImportError
    monkeypatch.setattr(
        "ansible.utils.display.Display.warning", lambda self, message, *a, **k: warnings.append(message)
    )

    strategy = load_plugin().StrategyModule

    assert strategy is strategy_loader.get("linear", class_only=True)
    assert len(warnings) == 1
    assert "pip install -r requirements.txt" in warnings[0] and "ANSIBLE_STRATEGY=linear" in warnings[0]
