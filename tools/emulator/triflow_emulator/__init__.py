"""Triflow local AWS emulator: moto's standalone server plus in-process patches for known moto gaps.

Run it with ``PYTHONPATH=tools/emulator python -m triflow_emulator <command>``; see ``tools/emulator/README.md``.
"""

__version__ = "0.1.0"

HOST = "127.0.0.1"
HEALTH_PATH = "/_triflow/health"
# GET: API calls counted since start or the last reset, by "<service>.<Action>"; DELETE: reset the counts.
CALLS_PATH = "/_triflow/calls"
# GET: the fault spec in force and the faults injected; POST a spec to change it; DELETE: no faults (faults.py).
FAULTS_PATH = "/_triflow/faults"
# GET <APP_HEALTH_PREFIX><cluster>/<service>/health: the body the service's running image answers on /health.
APP_HEALTH_PREFIX = "/_triflow/app/"
SERVICE_NAME = "triflow-emulator"
