"""Registry of in-process patches applied to moto before the emulator serves requests.

To add a patch (or a new behaviour such as an RDS data plane, an ECS deployment simulation or creation
delays): add a module here whose docstring names the moto gap, the moto version it was measured on and
what the patch does; give it ``NAME``, ``SUMMARY``, ``MEASURED_ON`` and an ``apply()`` that imports moto
lazily; then list the module in ``_MODULES`` below and add a stock-vs-patched test under tests/emulator.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType

from triflow_emulator.patches import (
    ec2_client_token,
    ec2_nat_gateway_tags,
    ecs_create_service_fields,
    ecs_deployments,
    elasticache_cache_nodes,
    elasticache_delete_subnet_group,
    elasticache_replication_groups,
    elbv2_default_attributes,
    elbv2_idempotent_create,
    logs_put_metric_filter_replaces,
    rds_adjacent_windows,
    rds_data_plane,
    rds_default_parameters,
    rds_gp3_storage_defaults,
    rds_parameter_group_not_found,
    rds_performance_insights,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Patch:
    name: str
    summary: str
    measured_on: str
    apply: Callable[[], None]


def _from_module(module: ModuleType) -> Patch:
    return Patch(name=module.NAME, summary=module.SUMMARY, measured_on=module.MEASURED_ON, apply=module.apply)


_MODULES: tuple[ModuleType, ...] = (
    ec2_nat_gateway_tags,
    rds_parameter_group_not_found,
    rds_gp3_storage_defaults,
    elasticache_cache_nodes,
    elasticache_replication_groups,
    ecs_create_service_fields,
    ecs_deployments,
    rds_data_plane,
    rds_adjacent_windows,
    rds_performance_insights,
    rds_default_parameters,
    elbv2_default_attributes,
    elasticache_delete_subnet_group,
    ec2_client_token,
    elbv2_idempotent_create,
    logs_put_metric_filter_replaces,
)

REGISTRY: tuple[Patch, ...] = tuple(_from_module(module) for module in _MODULES)

_applied: list[str] = []


def _warn_if_moto_changed(patch: Patch, moto_version: str) -> None:
    if moto_version != patch.measured_on:
        log.warning(
            "patch %s was measured on moto %s but moto %s is installed; check the gap still exists",
            patch.name,
            patch.measured_on,
            moto_version,
        )


def apply_all() -> list[str]:
    """Apply every registered patch once (idempotent); return the names of the applied patches."""
    from moto import __version__ as moto_version

    for patch in REGISTRY:
        if patch.name in _applied:
            continue
        _warn_if_moto_changed(patch, moto_version)
        patch.apply()
        _applied.append(patch.name)
    return list(_applied)
