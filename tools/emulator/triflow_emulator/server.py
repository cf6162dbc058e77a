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
from collections import Counter
from collections.abc import Callable, Iterable
from types import FrameType
from typing import Any
from urllib.parse import parse_qs

from triflow_emulator import APP_HEALTH_PREFIX, CALLS_PATH, HEALTH_PATH, HOST, SERVICE_NAME, __version__

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


def api_call_name(environ: dict[str, Any]) -> str:
    """``<service>.<Action>`` of one request, buffering a form body so moto can still read it."""
    scope = CREDENTIAL_SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
    service = scope.group("service") if scope else "unsigned"
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    if target:
        return f"{service}.{target.rsplit('.', 1)[-1]}"
    action = parse_qs(environ.get("QUERY_STRING", "")).get("Action")
    if not action and environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        environ["wsgi.input"] = io.BytesIO(body)
        action = parse_qs(body.decode("utf-8", "replace")).get("Action")
    if action:
        return f"{service}.{action[0]}"
    return f"{service}.{environ.get('REQUEST_METHOD', 'GET')}"


def with_call_counter(app: WSGIApp) -> WSGIApp:
    """Count API calls by service and action, for the benchmarks under bench/ (``CALLS_PATH``)."""
    counts: Counter[str] = Counter()
    lock = threading.Lock()

    def wrapped(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == CALLS_PATH:
            with lock:
                if environ.get("REQUEST_METHOD") == "DELETE":
                    counts.clear()
                payload = json.dumps({"total": sum(counts.values()), "calls": dict(sorted(counts.items()))}).encode()
            start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))])
            return [payload]
        if not environ.get("PATH_INFO", "").startswith(("/moto-api", "/_triflow")):
            name = api_call_name(environ)
            with lock:
                counts[name] += 1
        return app(environ, start_response)

    return wrapped


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
    """Apply every registered patch and return the (wrapped) moto WSGI application."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    from triflow_emulator.patches import apply_all
    from triflow_emulator.price_list import with_price_list

    applied = apply_all()
    moto_app = DomainDispatcherApplication(create_backend_app)
    app = with_app_endpoints(with_call_counter(with_price_list(moto_app)))
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
