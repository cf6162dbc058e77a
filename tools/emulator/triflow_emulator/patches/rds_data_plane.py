"""Gap 9 -- RDS DB instances have no data plane and are created instantly (measured on moto 5.2.5).

Stock moto keeps DB instances as records only: DescribeDBInstances reports an endpoint
``<id>.aaaaaaaaaa.<region>.rds.amazonaws.com:5432`` that nobody can connect to, so nothing that talks to the
database (the pgvector step) can be tested. And a new instance is ``available`` at once, so a client that
forgets to wait for it is never caught.

Patch:

* CreateDBInstance (the API call only: not restores, read replicas, blue/green or CloudFormation) with
  ``Engine: postgres`` starts a real local PostgreSQL 16 with pgvector 0.8.0 (``triflow_emulator.postgres``; the
  install is ``triflow_emulator.pginstall``'s portable build) listening on 127.0.0.1 on a free port.
  ``MasterUsername`` / ``MasterUserPassword`` log in with scram-sha-256; the master user is a superuser (on RDS
  it is a member of ``rds_superuser``; both can ``CREATE EXTENSION vector``); ``DBName`` is created, owned by it,
  if given;
  ``rdsadmin`` is the cluster's own superuser, as on RDS, with a password only the emulator knows. With
  ``ManageMasterUserPassword`` the password is the one in the Secrets Manager secret moto makes (rotation is
  not followed). ``Endpoint.Address`` is ``127.0.0.1`` and ``Endpoint.Port`` / ``DbInstancePort`` the real
  port (a requested ``Port`` is not honoured). Everything else is reported as moto does. Both master
  credentials are required for postgres and ``rdsadmin`` is reserved (``InvalidParameterValue``, as on AWS).
  If PostgreSQL cannot be started, the call fails with ``TriflowEmulatorDataPlaneError`` (HTTP 400) and the
  PostgreSQL log tail, and no instance is left.
* ModifyDBInstance with ``MasterUserPassword``: ``ALTER ROLE ... PASSWORD`` on the server at once (AWS
  applies a password change right away too, whatever ``ApplyImmediately`` says).
* DeleteDBInstance stops the server and deletes its data; ``POST /moto-api/reset`` (the launcher's ``reset``)
  and emulator shutdown (``stop``: SIGTERM) stop every server. Servers left by a killed emulator are removed
  when the next one starts on the same state dir.
* ``TRIFLOW_EMULATOR_CREATION_DELAY`` (seconds, default 0, read at server start): a new DB instance (any
  engine) reports ``DBInstanceStatus: creating``, without ``Endpoint``, until that long after CreateDBInstance,
  then ``available`` (so botocore's ``db_instance_available`` waiter really waits).

Not covered: other engines (mysql, mariadb, ...) keep moto's endpoint and have no server; Stop/Start/Reboot
do not stop or restart the server; parameter groups are not applied to it.
"""

import atexit
import json
import os
import time
from pathlib import Path
from typing import Any

from triflow_emulator import HOST
from triflow_emulator.config import creation_delay, resolve_state_dir
from triflow_emulator.postgres import ADMIN_USER, PostgresError, PostgresFleet, PostgresServer

NAME = "rds_data_plane"
SUMMARY = "postgres DB instances run a real local PostgreSQL 16 + pgvector at their endpoint; optional creation delay"
MEASURED_ON = "5.2.5"

ENGINE = "postgres"
ERROR_CODE = "TriflowEmulatorDataPlaneError"
CREATING = "creating"
AVAILABLE = "available"
# Keys in DBInstance.__dict__ (moto copies the __dict__ of an instance on restore; DBInstance ignores them).
SERVER_KEY = "_triflow_postgres"
STATUS_KEY = "_triflow_status"
READY_AT_KEY = "_triflow_ready_at"


def state_base_dir() -> Path:
    return resolve_state_dir() / "postgres" / str(os.getpid())


def credential_problem(params: Any) -> str | None:
    """AWS's message when the master credentials of a postgres instance are missing or reserved, else None."""
    username = params.get("master_username")
    if not username:
        return "The parameter MasterUsername must be provided and must not be blank."
    if str(username).lower() == ADMIN_USER:
        return f"MasterUsername {username} cannot be used as it is a reserved word used by the engine"
    if not params.get("master_user_password") and not params.get("manage_master_user_password"):
        return "The parameter MasterUserPassword must be provided and must not be blank."
    return None


def server_of(instance: Any) -> PostgresServer | None:
    return instance.__dict__.get(SERVER_KEY)


def _say(message: str) -> None:
    print(f"triflow-emulator: rds data plane: {message}", flush=True)


def _get_status(self: Any) -> str:
    status = self.__dict__.get(STATUS_KEY, AVAILABLE)
    ready_at = self.__dict__.get(READY_AT_KEY)
    if status == AVAILABLE and ready_at is not None and time.monotonic() < ready_at:
        return CREATING
    return status


def _set_status(self: Any, value: str) -> None:
    self.__dict__[STATUS_KEY] = value


def apply() -> None:
    from moto.moto_api._internal.models import MotoAPIBackend
    from moto.rds.exceptions import RDSClientError
    from moto.rds.models import DBInstance, RDSBackend
    from moto.rds.responses import RDSResponse

    delay = creation_delay()
    fleet = PostgresFleet(state_base_dir())
    fleet.cleanup_stale()
    atexit.register(fleet.close)

    stock_create = RDSResponse.create_db_instance
    stock_modify = RDSBackend.modify_db_instance
    stock_delete = RDSBackend.delete_db_instance
    stock_reset = MotoAPIBackend.reset
    stock_address = DBInstance.address
    stock_endpoint = DBInstance.endpoint

    def master_password(instance: Any, params: Any) -> str:
        if params.get("manage_master_user_password"):
            return str(json.loads(instance.master_user_secret.secret.secret_string)["password"])
        return str(params["master_user_password"])

    def forget(backend: Any, identifier: str) -> None:
        """Undo a CreateDBInstance whose server did not start (as DeleteDBInstance does, without checks)."""
        instance = backend.databases.pop(identifier, None)
        if instance is None:
            return
        if instance.manage_master_user_password:
            instance.master_user_secret.delete_secret()
        for snapshot in backend.describe_db_snapshots(identifier, None, snapshot_type="automated"):
            backend.delete_db_snapshot(snapshot.db_snapshot_identifier)

    def attach_server(backend: Any, instance: Any, params: Any) -> None:
        identifier = instance.db_instance_identifier
        try:
            server = fleet.start(
                name=identifier,
                username=instance.master_username,
                password=master_password(instance, params),
                database=instance.db_name,
            )
        except PostgresError as exc:
            forget(backend, identifier)
            _say(f"could not start PostgreSQL for DB instance {identifier}: {exc}")
            raise RDSClientError(
                ERROR_CODE, f"triflow emulator: could not start PostgreSQL for DB instance {identifier}: {exc}"
            ) from None
        instance.__dict__[SERVER_KEY] = server
        instance.port = server.port
        _say(f"DB instance {identifier}: PostgreSQL on {HOST}:{server.port} (pid {server.process.pid})")

    def create_db_instance(self: Any) -> Any:
        params = self.params
        postgres = str(params.get("engine", "")).lower() == ENGINE
        if postgres:
            problem = credential_problem(params)
            if problem:
                raise RDSClientError("InvalidParameterValue", problem)
        result = stock_create(self)
        instance = self.backend.databases[params["db_instance_identifier"]]
        if postgres:
            attach_server(self.backend, instance, params)
        if delay > 0:
            instance.__dict__[READY_AT_KEY] = time.monotonic() + delay
        return result

    def modify_db_instance(self: Any, db_instance_identifier: str, db_kwargs: dict[str, Any]) -> Any:
        new_password = db_kwargs.get("master_user_password")
        instance = stock_modify(self, db_instance_identifier, db_kwargs)
        server = server_of(instance)
        if server is not None and new_password and server.running:
            try:
                server.set_password(str(new_password))
            except PostgresError as exc:
                raise RDSClientError(
                    ERROR_CODE, f"triflow emulator: could not change the master password on PostgreSQL: {exc}"
                ) from None
        return instance

    def delete_db_instance(self: Any, *args: Any, **kwargs: Any) -> Any:
        instance = stock_delete(self, *args, **kwargs)
        server = server_of(instance)
        if server is not None:
            fleet.stop(server)
            _say(f"DB instance {instance.db_instance_identifier}: PostgreSQL on port {server.port} stopped")
        return instance

    def reset(self: Any) -> None:
        stopped = fleet.stop_all()
        if stopped:
            _say(f"reset: stopped {stopped} PostgreSQL server(s)")
        stock_reset(self)

    def address(self: Any) -> str:
        return HOST if server_of(self) is not None else stock_address.fget(self)

    def endpoint(self: Any) -> dict[str, Any] | None:
        # AWS reports no Endpoint until the instance has been created.
        return None if self.status == CREATING else stock_endpoint.fget(self)

    RDSResponse.create_db_instance = create_db_instance  # type: ignore[method-assign]
    RDSBackend.modify_db_instance = modify_db_instance  # type: ignore[method-assign]
    RDSBackend.delete_db_instance = delete_db_instance  # type: ignore[method-assign]
    MotoAPIBackend.reset = reset  # type: ignore[method-assign]
    DBInstance.status = property(_get_status, _set_status)  # type: ignore[assignment]
    DBInstance.address = property(address)  # type: ignore[method-assign,assignment]
    DBInstance.endpoint = property(endpoint)  # type: ignore[method-assign,assignment]
