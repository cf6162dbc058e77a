"""Foreground server: apply the patches in-process, then serve moto's WSGI app on 127.0.0.1.

Nothing here imports moto at module level: ``MOTO_IAM_LOAD_MANAGED_POLICIES`` must be set before moto's
backends are imported, and the launcher's other commands never need moto at all.
"""

import io
import json
import os
import re
import signal
import threading
from collections import Counter, deque
from collections.abc import Callable, Iterable
from types import FrameType
from typing import Any
from urllib.parse import parse_qs

from triflow_emulator import (
    APP_HEALTH_PREFIX,
    CALLS_PATH,
    FAULTS_PATH,
    HEALTH_PATH,
    HOST,
    SERVICE_NAME,
    __version__,
    faults,
)
from triflow_emulator.config import ConfigError

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

# Environment the moto backends read; set before the first moto import.
MOTO_ENV = {
    # Load AWS managed IAM policies, e.g. arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy.
    "MOTO_IAM_LOAD_MANAGED_POLICIES": "true",
}


def prepare_environment(port: int) -> None:
    os.environ.update(MOTO_ENV)
    # moto builds some URLs (e.g. SQS queue URLs) from MOTO_PORT.
    os.environ["MOTO_PORT"] = str(port)


def health_payload(patch_names: list[str]) -> bytes:
    from moto import __version__ as moto_version

    body = {
        "service": SERVICE_NAME,
        "version": __version__,
        "moto_version": moto_version,
        "patches": patch_names,
        "pid": os.getpid(),
    }
    return json.dumps(body).encode()


def with_health_endpoint(app: WSGIApp, payload: bytes) -> WSGIApp:
    """Answer ``GET HEALTH_PATH`` ourselves, so the launcher can tell this emulator from anything else."""

    def wrapped(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == HEALTH_PATH:
            headers = [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))]
            start_response("200 OK", headers)
            return [payload]
        return app(environ, start_response)

    return wrapped


CREDENTIAL_SCOPE = re.compile(r"Credential=[^/]+/[^/]+/[^/]+/(?P<service>[^/]+)/aws4_request")
# Smithy RPC v2 CBOR (CloudWatch in botocore >= 1.38): POST /service/<ServiceName>/operation/<Operation>.
RPC_V2_PATH = re.compile(r"^/service/[^/]+/operation/(?P<operation>[^/]+)$")


def signing_service(environ: dict[str, Any]) -> str:
    scope = CREDENTIAL_SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
    return scope.group("service") if scope else "unsigned"


def api_call_name(environ: dict[str, Any]) -> str:
    """``<service>.<Action>`` of one request, buffering a form body so moto can still read it."""
    service = signing_service(environ)
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    if target:
        return f"{service}.{target.rsplit('.', 1)[-1]}"
    rpc_v2 = RPC_V2_PATH.match(environ.get("PATH_INFO", ""))
    if rpc_v2 and environ.get("HTTP_SMITHY_PROTOCOL"):
        return f"{service}.{rpc_v2['operation']}"
    action = parse_qs(environ.get("QUERY_STRING", "")).get("Action")
    if not action and environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        environ["wsgi.input"] = io.BytesIO(body)
        action = parse_qs(body.decode("utf-8", "replace")).get("Action")
    if action:
        return f"{service}.{action[0]}"
    return f"{service}.{environ.get('REQUEST_METHOD', 'GET')}"


# The ordered log keeps the last calls only (a full converge of one stack makes about 1,000).
LOG_LIMIT = 100_000


class CallLog:
    """API calls by ``<service>.<Action>``, the faults injected into them, and the calls in order (thread-safe)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.counts: Counter[str] = Counter()
        self.faults: dict[str, Counter[str]] = {}
        self.entries: deque[dict[str, Any]] = deque(maxlen=LOG_LIMIT)
        self.sequence = 0

    def record(self, name: str, fault: faults.Fault | None) -> None:
        with self.lock:
            self.sequence += 1
            self.counts[name] += 1
            entry: dict[str, Any] = {"seq": self.sequence, "call": name}
            if fault is not None:
                self.faults.setdefault(name, Counter())[fault.kind] += 1
                entry["fault"] = {"kind": fault.kind, "code": fault.code, "status": fault.status}
            self.entries.append(entry)

    def clear(self) -> None:
        with self.lock:
            self.counts.clear()
            self.faults.clear()
            self.entries.clear()

    def payload(self, with_log: bool) -> dict[str, Any]:
        with self.lock:
            body: dict[str, Any] = {
                "total": sum(self.counts.values()),
                "calls": dict(sorted(self.counts.items())),
                "faults": {
                    "total": sum(sum(kinds.values()) for kinds in self.faults.values()),
                    "calls": {name: dict(sorted(kinds.items())) for name, kinds in sorted(self.faults.items())},
                },
            }
            if with_log:
                body["log"] = list(self.entries)
            return body


def _drain(app: WSGIApp, environ: dict[str, Any]) -> None:
    """Carry a call out in moto and throw its answer away (a fault ``after`` the write)."""
    answer = app(environ, lambda *_args, **_kwargs: lambda _data: None)
    try:
        for _chunk in answer:
            pass
    finally:
        close = getattr(answer, "close", None)
        if close is not None:
            close()


def with_call_counter(app: WSGIApp, injector: faults.Injector | None = None) -> WSGIApp:
    """Count API calls by service and action (``CALLS_PATH``, for bench/ and the tests), inject the faults
    ``injector`` holds (``FAULTS_PATH``: set, show, clear) and log both."""
    log = CallLog()
    injector = injector or faults.Injector()

    def wrapped(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD")
        if path == CALLS_PATH:
            if method == "DELETE":
                log.clear()
            with_log = parse_qs(environ.get("QUERY_STRING", "")).get("log", ["0"])[0] not in ("0", "false", "")
            return _json_response(start_response, "200 OK", log.payload(with_log))
        if path == FAULTS_PATH:
            return _faults_endpoint(injector, environ, start_response)
        if path.startswith(("/moto-api", "/_triflow")):
            return app(environ, start_response)
        name = api_call_name(environ)
        protocol = faults.protocol_of(signing_service(environ), environ)
        fault = injector.decide(name, protocol)
        log.record(name, fault)
        if fault is None:
            return app(environ, start_response)
        if not fault.before:
            _drain(app, environ)
        status, headers, body = faults.error_response(fault, protocol)
        start_response(HTTP_REASONS.get(status, str(status)), headers)
        return [body]

    return wrapped


HTTP_REASONS = {400: "400 Bad Request", 500: "500 Internal Server Error", 503: "503 Service Unavailable"}


def _faults_endpoint(
    injector: faults.Injector, environ: dict[str, Any], start_response: Callable[..., Any]
) -> list[bytes]:
    """``POST`` a spec (its text, or JSON ``{"spec": "..."}``) to inject faults from now on, ``DELETE`` to stop,
    ``GET`` to see the rules and how many faults each injected."""
    method = environ.get("REQUEST_METHOD")
    if method == "POST":
        raw = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0)).decode("utf-8", "replace")
        text = raw
        if environ.get("CONTENT_TYPE", "").startswith("application/json"):
            try:
                text = str(json.loads(raw or "{}").get("spec", ""))
            except (ValueError, AttributeError):
                return _json_response(start_response, "400 Bad Request", {"error": 'body must be {"spec": "..."}'})
        try:
            injector.configure(faults.parse(text, FAULTS_PATH))
        except ConfigError as exc:
            return _json_response(start_response, "400 Bad Request", {"error": str(exc)})
    elif method == "DELETE":
        injector.clear()
    elif method != "GET":
        return _json_response(start_response, "405 Method Not Allowed", {"error": "GET, POST or DELETE"})
    return _json_response(start_response, "200 OK", injector.describe())


def _json_response(start_response: Callable[..., Any], status: str, body: dict[str, Any]) -> list[bytes]:
    payload = json.dumps(body).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))])
    return [payload]


APP_HEALTH_PATH = re.compile(re.escape(APP_HEALTH_PREFIX) + r"(?P<cluster>[^/]+)/(?P<service>[^/]+)/health$")
HTTP_STATUS = {200: "200 OK", 404: "404 Not Found", 503: "503 Service Unavailable"}


def with_app_endpoints(app: WSGIApp) -> WSGIApp:
    """The app's /health as its running image would answer it (``APP_HEALTH_PREFIX``: the ALB is not reachable
    here), and moto's reset also wiping the ECS deployment simulation."""
    from triflow_emulator.patches import ecs_deployments

    def wrapped(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        match = APP_HEALTH_PATH.match(path) if environ.get("REQUEST_METHOD") == "GET" else None
        if match:
            answer = ecs_deployments.app_health(match["cluster"], match["service"])
            if answer is None:
                reason = f"no ECS service {match['service']} in cluster {match['cluster']}"
                return _json_response(start_response, HTTP_STATUS[404], {"status": "unhealthy", "reason": reason})
            code, body = answer
            return _json_response(start_response, HTTP_STATUS[code], body)
        if path == "/moto-api/reset":
            ecs_deployments.reset()
        return app(environ, start_response)

    return wrapped


def build_app() -> WSGIApp:
    """Apply every registered patch and return the (wrapped) moto WSGI application, with the faults of
    ``TRIFLOW_EMULATOR_FAULTS`` (a bad spec stops the server before it serves)."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    from triflow_emulator.patches import apply_all
    from triflow_emulator.price_list import with_price_list

    injector = faults.Injector()
    injector.configure(faults.from_environment(dict(os.environ)))
    applied = apply_all()
    moto_app = DomainDispatcherApplication(create_backend_app)
    app = with_app_endpoints(with_call_counter(with_price_list(moto_app), injector))
    return with_health_endpoint(app, health_payload(applied))


def _stop_on_sigterm(_signum: int, _frame: FrameType | None) -> None:
    # werkzeug's serve_forever() treats KeyboardInterrupt as a clean shutdown and closes the socket.
    raise KeyboardInterrupt


def serve(port: int) -> int:
    prepare_environment(port)
    from moto.moto_server.werkzeug_app import MotoRequestHandler
    from werkzeug.serving import make_server

    app = build_app()
    # On bind failure werkzeug prints the reason ("Port N is in use ...") and exits with status 1.
    server = make_server(HOST, port, app, threaded=True, request_handler=MotoRequestHandler)
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    print(f"triflow-emulator: serving on http://{HOST}:{port} (pid {os.getpid()})", flush=True)
    server.serve_forever()
    print("triflow-emulator: stopped", flush=True)
    return 0
