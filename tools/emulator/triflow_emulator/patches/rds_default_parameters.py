"""RDS engine-default parameters (measured on moto 5.2.5).

Stock moto's DescribeDBParameters lists only the parameters set with ModifyDBParameterGroup, never the engine's
defaults, and ignores ``Source``. amazon.aws.rds_instance_param_group looks each wanted parameter up among the
described ones first: on stock moto it finds none, sets nothing, and only returns "Parameter X is not an
available parameter" in ``errors`` with ``changed: false``.

Patch: for ``postgres<N>`` families, DescribeDBParameters also lists the engine-default parameters the project
uses (with the ApplyType, DataType and IsModifiable AWS reports), parameters set by the user report
``Source: user``, and ``Source`` filters the list.
"""

from typing import Any

NAME = "rds_default_parameters"
SUMMARY = "DescribeDBParameters lists engine defaults of postgres families and honours Source"
MEASURED_ON = "5.2.5"

# (name, default value, apply type, data type) as RDS for PostgreSQL reports them.
POSTGRES_DEFAULTS = (
    ("shared_preload_libraries", "pg_stat_statements", "static", "list"),
    ("max_connections", "LEAST({DBInstanceClassMemory/9531392},5000)", "static", "integer"),
    ("log_statement", None, "dynamic", "string"),
    ("log_min_duration_statement", None, "dynamic", "integer"),
    ("rds.force_ssl", "1", "dynamic", "boolean"),
    ("timezone", "UTC", "dynamic", "string"),
    ("work_mem", None, "dynamic", "integer"),
)


def engine_defaults(family: str) -> dict[str, dict[str, Any]]:
    if not family.startswith("postgres"):
        return {}
    defaults = {}
    for name, value, apply_type, data_type in POSTGRES_DEFAULTS:
        parameter = {
            "ParameterName": name,
            "Description": name,
            "Source": "engine-default",
            "ApplyType": apply_type,
            "DataType": data_type,
            "IsModifiable": True,
            "ApplyMethod": "pending-reboot",
        }
        if value is not None:
            parameter["ParameterValue"] = value
        defaults[name] = parameter
    return defaults


def described(family: str, user_parameters: dict[str, dict[str, Any]], source: str | None) -> list[dict[str, Any]]:
    merged = engine_defaults(family)
    for name, parameter in user_parameters.items():
        merged[name] = {
            **merged.get(name, {"IsModifiable": True, "ApplyType": "dynamic"}),
            **parameter,
            "Source": "user",
        }
    return [parameter for parameter in merged.values() if not source or parameter.get("Source") == source]


def apply() -> None:
    from moto.core.responses import ActionResult
    from moto.rds.exceptions import DBParameterGroupNotFoundError
    from moto.rds.responses import RDSResponse

    def describe_db_parameters(self: Any) -> Any:
        name = self.params.get("DBParameterGroupName")
        groups = self.backend.describe_db_parameter_groups({"db_parameter_group_name": name})
        if not groups:
            raise DBParameterGroupNotFoundError(name)
        group = groups[0]
        parameters = described(group.family or "", group.parameters, self.params.get("Source"))
        return ActionResult({"Parameters": parameters})

    RDSResponse.describe_db_parameters = describe_db_parameters  # type: ignore[method-assign]
