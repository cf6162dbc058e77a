"""RDS DB instances on an emulator for tests: create a postgres instance, read it back, connect to its endpoint.

The emulator's data plane (patch rds_data_plane) runs a real PostgreSQL + pgvector behind every postgres instance;
these helpers talk to it as an app talks to RDS (psycopg, master credentials, the endpoint DescribeDBInstances
reports).
"""

from __future__ import annotations

from typing import Any

import psycopg

from support.aws import unique

MASTER_USER = "triflow"
PASSWORD = "not-a-secret-1"
DB_NAME = "app"


def create_postgres(rds: Any, **overrides: Any) -> tuple[str, dict[str, Any]]:
    """CreateDBInstance of a postgres instance shaped like SPEC's; an override of None leaves the field out."""
    args = {
        "DBInstanceIdentifier": unique("db"),
        "DBInstanceClass": "db.t4g.medium",
        "Engine": "postgres",
        "EngineVersion": "16.4",
        "MasterUsername": MASTER_USER,
        "MasterUserPassword": PASSWORD,
        "DBName": DB_NAME,
        "AllocatedStorage": 100,
        "MaxAllocatedStorage": 200,
        "StorageType": "gp3",
        "StorageEncrypted": True,
        "MultiAZ": True,
        "PubliclyAccessible": False,
        **overrides,
    }
    response = rds.create_db_instance(**{key: value for key, value in args.items() if value is not None})
    return args["DBInstanceIdentifier"], response["DBInstance"]


def describe(rds: Any, identifier: str) -> dict[str, Any]:
    (instance,) = rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"]
    return instance


def connect(
    endpoint: dict[str, Any], password: str = PASSWORD, user: str = MASTER_USER, sslmode: str = "disable"
) -> psycopg.Connection[Any]:
    """An autocommit session to ``DB_NAME`` at the instance's ``Endpoint``."""
    return psycopg.connect(
        host=endpoint["Address"],
        port=endpoint["Port"],
        user=user,
        password=password,
        dbname=DB_NAME,
        sslmode=sslmode,
        connect_timeout=5,
        autocommit=True,
    )
