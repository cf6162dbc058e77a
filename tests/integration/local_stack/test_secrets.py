"""The stack's secrets across runs: generated once, never printed, never regenerated, an operator's value kept."""

from __future__ import annotations

from .conftest import LOCAL, PREFIX, LocalStack, secret_values

DATA_ONLY = ("--tags", "data")


def test_the_stack_has_its_seven_secrets_each_with_a_value_of_its_own(local_stack: LocalStack):
    values = local_stack.secret_values
    keys = (
        "db-master-password",
        "redis-auth-token",
        "app-secret-key",
        "anthropic-api-key",
        "database-url",
        "redis-url",
        "db-app-credentials",
    )
    assert sorted(values) == sorted(f"{PREFIX}/{key}" for key in keys)
    assert len(set(values.values())) == len(values), "two secrets share a value"


def test_provided_secret_starts_as_a_placeholder_and_the_run_says_so(local_stack: LocalStack):
    assert local_stack.secret_values[f"{PREFIX}/anthropic-api-key"].startswith("PLACEHOLDER")
    assert f"{PREFIX}/anthropic-api-key still holds a placeholder" in local_stack.first.output


def test_reruns_keep_every_secret_value(emulator, local_stack: LocalStack):
    assert secret_values(emulator) == local_stack.secret_values


def test_no_secret_value_appears_in_any_output(local_stack: LocalStack):
    for name, value in local_stack.secret_values.items():
        for run_name, run in local_stack.runs().items():
            assert value not in run.output, f"{name} leaked in the {run_name} run"


def test_an_operator_set_value_survives_a_run(emulator, playbook, local_stack: LocalStack):
    manager = emulator.client("secretsmanager")
    name = f"{PREFIX}/anthropic-api-key"
    manager.put_secret_value(SecretId=name, SecretString="sk-ant-operator-value")
    try:
        run = playbook("site.yml", LOCAL, extra_args=DATA_ONLY)
        assert run.rc == 0, run.tail()
        assert manager.get_secret_value(SecretId=name)["SecretString"] == "sk-ant-operator-value"
        assert "still holds a placeholder" not in run.output
    finally:
        manager.put_secret_value(SecretId=name, SecretString=local_stack.secret_values[name])
