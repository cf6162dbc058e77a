"""Gap 2 -- RDS DescribeDBParameterGroups for a missing name (measured on moto 5.2.5).

Stock moto returns ``{"DBParameterGroups": []}`` (HTTP 200) for a name that does not exist. AWS raises
``DBParameterGroupNotFound`` (HTTP 404) "DBParameterGroup not found: <name>", which is what
amazon.aws.rds_instance_param_group checks for before creating a group. Stock moto also compares the
requested name case-sensitively with the stored (lower-cased) name, so a group created as ``MyGroup``
is not found by ``MyGroup``.

Patch: ``RDSBackend.describe_db_parameter_groups`` matches the name case-insensitively, returns AWS's
built-in ``default.<family>`` groups on demand (as moto already does lazily for instances that use
them), and otherwise raises ``DBParameterGroupNotFound`` with AWS's message. Listing (no name) is unchanged.
"""

from typing import Any

NAME = "rds_parameter_group_not_found"
SUMMARY = "DescribeDBParameterGroups(name) raises DBParameterGroupNotFound (404) for a missing group"
MEASURED_ON = "5.2.5"

ERROR_CODE = "DBParameterGroupNotFound"
DEFAULT_PREFIX = "default."


def not_found_message(name: str) -> str:
    return f"DBParameterGroup not found: {name}"


def default_group_family(name: str) -> str | None:
    """``default.postgres16`` -> ``postgres16``; None for a non-default name."""
    family = name[len(DEFAULT_PREFIX) :] if name.startswith(DEFAULT_PREFIX) else ""
    return family or None


def apply() -> None:
    from moto.rds.exceptions import RDSClientError
    from moto.rds.models import DBParameterGroup, RDSBackend

    stock_describe = RDSBackend.describe_db_parameter_groups

    def find_or_default(backend: Any, name: str) -> DBParameterGroup | None:
        wanted = name.lower()
        for group in backend.db_parameter_groups.values():
            if group.name == wanted:
                return group
        family = default_group_family(wanted)
        if family is None:
            return None
        group = DBParameterGroup(
            backend=backend,
            db_parameter_group_name=wanted,
            db_parameter_group_family=family,
            description=f"Default parameter group for {family}",
            tags=[],
        )
        backend.db_parameter_groups[wanted] = group
        return group

    def describe_db_parameter_groups(self: Any, db_parameter_group_kwargs: dict[str, Any]) -> list[DBParameterGroup]:
        name = db_parameter_group_kwargs.get("db_parameter_group_name")
        if not name:
            return stock_describe(self, db_parameter_group_kwargs)
        group = find_or_default(self, name)
        if group is None:
            raise RDSClientError(ERROR_CODE, not_found_message(name))
        return [group]

    RDSBackend.describe_db_parameter_groups = describe_db_parameter_groups  # type: ignore[method-assign]
