"""Gap 5 -- ECS CreateService drops deployment settings (measured on moto 5.2.5).

Stock moto's CreateService ignores ``deploymentConfiguration``, ``healthCheckGracePeriodSeconds``,
``enableExecuteCommand`` and ``capacityProviderStrategy``: none is in the CreateService or DescribeServices
answer (UpdateService does store them), and a service created with a capacity provider strategy reports
``launchType: EC2``.

Patch: after moto's CreateService, store those four fields on the service as AWS does:
  * ``deploymentConfiguration``: the given one merged over AWS's defaults (circuit breaker disabled,
    maximumPercent 200 / minimumHealthyPercent 100; 100 / 0 for the DAEMON scheduling strategy);
  * ``enableExecuteCommand``: the given value, default false;
  * ``healthCheckGracePeriodSeconds``: when given;
  * ``capacityProviderStrategy``: when given; the service and its primary deployment then carry the strategy
    and no ``launchType``.
"""

import copy
from typing import Any

NAME = "ecs_create_service_fields"
SUMMARY = (
    "CreateService keeps deploymentConfiguration, healthCheckGracePeriodSeconds, enableExecuteCommand and "
    "capacityProviderStrategy"
)
MEASURED_ON = "5.2.5"


def default_deployment_configuration(scheduling_strategy: str) -> dict[str, Any]:
    daemon = scheduling_strategy == "DAEMON"
    return {
        "deploymentCircuitBreaker": {"enable": False, "rollback": False},
        "maximumPercent": 100 if daemon else 200,
        "minimumHealthyPercent": 0 if daemon else 100,
    }


def deployment_configuration(given: dict[str, Any] | None, scheduling_strategy: str) -> dict[str, Any]:
    merged = default_deployment_configuration(scheduling_strategy)
    merged.update(copy.deepcopy(given or {}))
    return merged


def use_capacity_providers(service: Any, strategy: list[dict[str, Any]]) -> None:
    service.capacity_provider_strategy = copy.deepcopy(strategy)
    service.launch_type = None
    for deployment in service.deployments:
        deployment.pop("launchType", None)
        deployment["capacityProviderStrategy"] = copy.deepcopy(strategy)


def store_create_params(service: Any, params: dict[str, Any]) -> None:
    service.deployment_configuration = deployment_configuration(
        params.get("deploymentConfiguration"), service.scheduling_strategy
    )
    service.enable_execute_command = bool(params.get("enableExecuteCommand", False))
    if params.get("healthCheckGracePeriodSeconds") is not None:
        service.health_check_grace_period_seconds = int(params["healthCheckGracePeriodSeconds"])
    if params.get("capacityProviderStrategy"):
        use_capacity_providers(service, params["capacityProviderStrategy"])


def apply() -> None:
    from moto.ecs.responses import EC2ContainerServiceResponse

    stock_create = EC2ContainerServiceResponse.create_service

    def create_service(self: Any) -> Any:
        result = stock_create(self)
        store_create_params(result.result["service"], self._get_params())
        return result

    EC2ContainerServiceResponse.create_service = create_service  # type: ignore[method-assign]
