"""Fixtures for the emulator tests.

* ``patched_emulator`` (session): the triflow emulator started as a subprocess through the launcher
  (``start``, port from TRIFLOW_EMULATOR_PORT, tmp state dir), stopped at the end of the session.
* ``stock_moto`` (session): moto's ThreadedMotoServer in this test process, without any patch, to show
  each gap. This process never imports triflow_emulator.patches.
* ``aws_target``: parametrized over both, for tests that run one scenario against stock and patched.
"""

from collections.abc import Iterator

import pytest
from emulator_helpers import DUMMY_AWS_ENV, PATCHED, STOCK, AwsTarget, Launcher, free_port


@pytest.fixture(scope="session")
def dummy_aws_env() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patcher:
        for name, value in DUMMY_AWS_ENV.items():
            patcher.setenv(name, value)
        yield


@pytest.fixture(scope="session")
def patched_emulator(tmp_path_factory: pytest.TempPathFactory, dummy_aws_env: None) -> Iterator[AwsTarget]:
    launcher = Launcher(state_dir=tmp_path_factory.mktemp("emulator-state"), port=free_port())
    started = launcher.run("start")
    try:
        assert started.returncode == 0, f"emulator did not start:\n{started.stdout}\n{started.stderr}"
        yield AwsTarget(name=PATCHED, endpoint=launcher.endpoint, launcher=launcher)
    finally:
        stopped = launcher.run("stop")
        assert stopped.returncode == 0, f"emulator did not stop:\n{stopped.stdout}\n{stopped.stderr}"


@pytest.fixture(scope="session")
def stock_moto(dummy_aws_env: None) -> Iterator[AwsTarget]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield AwsTarget(name=STOCK, endpoint=f"http://{host}:{port}")
    finally:
        server.stop()


@pytest.fixture(params=[STOCK, PATCHED])
def aws_target(request: pytest.FixtureRequest) -> AwsTarget:
    fixture = "stock_moto" if request.param == STOCK else "patched_emulator"
    return request.getfixturevalue(fixture)
