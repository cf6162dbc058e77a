"""Fixtures for the emulator tests (on tests/support).

* ``patched_emulator`` (session): the triflow emulator started as a subprocess through the launcher (``start``,
  a free port, a temporary state dir), stopped at the end of the session.
* ``stock_moto`` (session): moto's ThreadedMotoServer in this test process, without any patch, to show each gap.
  This process never imports triflow_emulator.patches.
* ``aws_target``: parametrized over both, for tests that run one scenario against stock and patched.
"""

from collections.abc import Iterator

import pytest
from support.aws import DUMMY_AWS_ENV, Endpoint
from support.emulator import Emulator, free_port, running_emulator


@pytest.fixture(scope="session")
def dummy_aws_env() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patcher:
        for name, value in DUMMY_AWS_ENV.items():
            patcher.setenv(name, value)
        yield


@pytest.fixture(scope="session")
def patched_emulator(dummy_aws_env: None) -> Iterator[Emulator]:
    with running_emulator("emulator-tests") as emulator:
        yield emulator


@pytest.fixture(scope="session")
def stock_moto(dummy_aws_env: None) -> Iterator[Endpoint]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield Endpoint(url=f"http://{host}:{port}", name="stock")
    finally:
        server.stop()


@pytest.fixture(params=["stock", "patched"])
def aws_target(request: pytest.FixtureRequest) -> Endpoint:
    fixture = "stock_moto" if request.param == "stock" else "patched_emulator"
    return request.getfixturevalue(fixture)
