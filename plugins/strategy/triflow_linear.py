"""Strategy ``triflow_linear`` (ansible.cfg): Ansible's ``linear`` strategy, run on Mitogen for Ansible when it is
installed (requirements.txt pins it), else plain ``linear`` with a warning.

Why: a run that changes nothing spends most of its time starting module processes, not talking to AWS. Each
amazon.aws task forks a worker, starts a Python, unpacks its AnsiballZ payload and imports botocore (about 0.6 s,
of which 0.3 s is the import and client setup). Mitogen keeps one interpreter per host with those imports done and
forks each task from it, so the same task takes about 0.3 s and the full-stack no-op about half as long
(``make bench`` prints both strategies side by side). The modules are the same ones; only how they are started
changes. Mitogen runs every module that uses a collection's module_utils (every amazon.aws, community.aws and
triflow.platform module) in a fresh fork, so no module sees another's state.

Opt out, e.g. to compare or to rule Mitogen out when something behaves oddly: ``ANSIBLE_STRATEGY=linear``.
"""

from __future__ import annotations

from ansible.plugins.loader import strategy_loader
from ansible.utils.display import Display

try:
    import ansible_mitogen.loaders  # Mitogen's own strategies import this first: it checks the Ansible version
    import ansible_mitogen.strategy
except ImportError as error:  # an execution environment built without it
    Display().warning(
        f"Mitogen for Ansible is not installed ({error}): the strategy triflow_linear runs as plain linear, about "
        "twice as slow. Install it with pip install -r requirements.txt, or set ANSIBLE_STRATEGY=linear to say so."
    )
    StrategyModule = strategy_loader.get("linear", class_only=True)
else:

    class StrategyModule(ansible_mitogen.strategy.StrategyMixin, strategy_loader.get("linear", class_only=True)):
        """linear, with Mitogen's connection and worker model."""
