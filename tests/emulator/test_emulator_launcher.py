"""The launcher CLI: start / stop / status / reset / endpoint, and the environment it gives moto."""

import json
import os
import socket
import urllib.request
from pathlib import Path

import pytest
from botocore.exceptions import ClientError
from support.aws import Endpoint
from support.emulator import EMULATOR_PYTHONPATH, Launcher, free_port

EXIT_NOT_RUNNING = 3
ECS_TASK_EXECUTION_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"


@pytest.fixture
def idle_launcher(tmp_path: Path) -> Launcher:
    """A launcher pointed at a fresh state dir and a port nothing listens on."""
    return Launcher(state_dir=tmp_path / "state", port=free_port())


def pid_alive(pid: int) -> bool:
    """True for a live process; an exited one that its (new) parent has not reaped yet counts as gone."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def test_port_comes_from_env_and_flag_overrides(patched_emulator: Endpoint) -> None:
    launcher = patched_emulator.launcher
    assert launcher is not None
    # The session emulator was started with TRIFLOW_EMULATOR_PORT only, and answers there.
    assert launcher.run("endpoint").stdout.strip() == f"http://127.0.0.1:{launcher.port}"
    assert launcher.run("endpoint", "--port", "4999").stdout.strip() == "http://127.0.0.1:4999"
    assert launcher.run("endpoint", TRIFLOW_EMULATOR_PORT="").stdout.strip() == "http://127.0.0.1:4566"


def test_start_when_already_running(patched_emulator: Endpoint) -> None:
    launcher = patched_emulator.launcher
    assert launcher is not None
    result = launcher.run("start")
    assert result.returncode == 0, result.stderr
    assert "already running" in result.stdout


def test_status_running(patched_emulator: Endpoint) -> None:
    launcher = patched_emulator.launcher
    assert launcher is not None
    result = launcher.run("status")
    assert result.returncode == 0
    assert result.stdout.startswith(f"running: {launcher.endpoint}")
    assert "ecs_create_service_fields" in result.stdout


def test_status_not_running(idle_launcher: Launcher) -> None:
    result = idle_launcher.run("status")
    assert result.returncode == EXIT_NOT_RUNNING
    assert result.stdout.strip() == f"not running: {idle_launcher.endpoint}"


def test_stop_when_not_running(idle_launcher: Launcher) -> None:
    result = idle_launcher.run("stop")
    assert result.returncode == 0, result.stderr
    assert "not running" in result.stdout


def test_reset_when_not_running_fails(idle_launcher: Launcher) -> None:
    result = idle_launcher.run("reset")
    assert result.returncode == 1
    assert "no emulator answers" in result.stderr


def test_invalid_port_env(idle_launcher: Launcher) -> None:
    result = idle_launcher.run("status", TRIFLOW_EMULATOR_PORT="not-a-port")
    assert result.returncode == 2
    assert "TRIFLOW_EMULATOR_PORT" in result.stderr


def test_start_fails_when_port_taken_by_something_else(idle_launcher: Launcher) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as squatter:
        squatter.bind(("127.0.0.1", idle_launcher.port))
        squatter.listen()
        result = idle_launcher.run("start", "--timeout", "5")
    assert result.returncode == 1
    assert f"port {idle_launcher.port} on 127.0.0.1 is taken by something else" in result.stderr
    assert not idle_launcher.pid_file.exists()


def test_reset_wipes_state(patched_emulator: Endpoint) -> None:
    launcher = patched_emulator.launcher
    assert launcher is not None
    ec2 = patched_emulator.client("ec2")
    vpc_id = ec2.create_vpc(CidrBlock="10.30.0.0/16")["Vpc"]["VpcId"]
    assert ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"]

    result = launcher.run("reset")
    assert result.returncode == 0, result.stderr

    with pytest.raises(ClientError) as raised:
        ec2.describe_vpcs(VpcIds=[vpc_id])
    assert raised.value.response["Error"]["Code"] == "InvalidVpcID.NotFound"


def test_aws_managed_policies_are_loaded(patched_emulator: Endpoint) -> None:
    policy = patched_emulator.client("iam").get_policy(PolicyArn=ECS_TASK_EXECUTION_POLICY)["Policy"]
    assert policy["PolicyName"] == "AmazonECSTaskExecutionRolePolicy"


def test_start_stop_lifecycle(idle_launcher: Launcher) -> None:
    started = idle_launcher.run("start")
    try:
        assert started.returncode == 0, f"{started.stdout}\n{started.stderr}"
        pid = int(idle_launcher.pid_file.read_text())
        assert pid_alive(pid)
        assert (idle_launcher.state_dir / "emulator.log").read_text().count("serving on") == 1
    finally:
        stopped = idle_launcher.run("stop")
    assert stopped.returncode == 0, stopped.stderr
    assert stopped.stdout.startswith(f"stopped: {idle_launcher.endpoint}")
    assert not idle_launcher.pid_file.exists()
    assert not pid_alive(pid)
    assert "triflow-emulator: stopped" in (idle_launcher.state_dir / "emulator.log").read_text()  # clean SIGTERM
    assert idle_launcher.run("status").returncode == EXIT_NOT_RUNNING


def test_start_that_times_out_fails_with_log_tail(idle_launcher: Launcher) -> None:
    result = idle_launcher.run("start", "--timeout", "0.2")
    assert result.returncode == 1
    assert "did not answer" in result.stderr
    assert "--- last lines of" in result.stderr
    assert "triflow_emulator serve --port" in result.stderr
    assert not idle_launcher.pid_file.exists()


def test_start_refuses_a_second_port_for_the_same_state_dir(patched_emulator: Endpoint) -> None:
    launcher = patched_emulator.launcher
    assert launcher is not None
    other = Launcher(state_dir=launcher.state_dir, port=free_port())
    result = other.run("start")
    assert result.returncode == 1
    assert f"already has an emulator (pid {launcher.pid_file.read_text().strip()}) on port {launcher.port}" in (
        result.stderr
    )
    status = other.run("status")
    assert status.returncode == EXIT_NOT_RUNNING
    assert f"uses port {launcher.port}" in status.stdout


def test_readme_documents_every_patch(patched_emulator: Endpoint) -> None:
    with urllib.request.urlopen(f"{patched_emulator.endpoint}/_triflow/health", timeout=5) as response:
        health = json.loads(response.read())
    readme = (EMULATOR_PYTHONPATH / "README.md").read_text()
    assert health["patches"]
    for name in health["patches"]:
        assert f"`{name}`" in readme
        assert (Path(__file__).parent / f"test_emulator_patch_{name}.py").is_file()
