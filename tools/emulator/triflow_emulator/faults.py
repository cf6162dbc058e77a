"""Fault injection: answer API calls with AWS's throttling and server errors, as real AWS does now and then.

Set at start with ``TRIFLOW_EMULATOR_FAULTS`` or at run time with ``POST /_triflow/faults`` (``DELETE`` clears).
A spec is rules separated by ``;``; a rule is an optional scope and ``key=value`` settings separated by ``,``::

    throttle=0.1,error=0.02,when=any,seed=7;ec2.CreateNatGateway:error=1,when=after,times=1

* scope: none (every call), a service (``ec2``, ``rds``, ``ecs``, ``monitoring``: the SigV4 signing name, as in
  the call log) or one action (``ec2.CreateNatGateway``). A call follows the most specific rule that names it; a
  scoped rule replaces the unscoped one for its calls (it does not add to it).
* ``throttle=P``: the share of calls answered with the service's throttling error, before the call reaches moto.
* ``error=P``: the share answered with a server error, HTTP 500 or 503 (chosen at random).
* ``when=before`` (default): a server error is answered instead of the call; ``after``: the call is carried out and
  then the client sees the error (the write happened: the case that makes duplicates on a retry); ``any``: each
  error before or after at random.
* ``times=N``: the rule injects at most N faults; then its calls follow the next less specific rule that names
  them (none: they go through). ``ec2.CreateVpc:error=1,when=after,times=1`` beside an unscoped rule answers the
  first CreateVpc with an error after the write, and the later ones as the unscoped rule says.
* ``seed=N`` (unscoped rule only): the random sequence, so a run can be repeated.

The errors are the ones each protocol answers (botocore parses and retries them as it does AWS's):

* EC2: ``RequestLimitExceeded``, HTTP 503 ("Request throttling for the Amazon EC2 API", EC2 Developer Guide);
  server errors ``InternalError`` 500 and ``Unavailable`` 503 (EC2 API Reference, "Error codes").
* S3: ``SlowDown``, HTTP 503 ("Please reduce your request rate", S3 API Reference, "Error responses");
  ``InternalError`` 500, ``ServiceUnavailable`` 503.
* Query (IAM, STS, RDS, ElastiCache, ELBv2, SNS): ``Throttling``, HTTP 400, "Rate exceeded", in an
  ``<ErrorResponse>``; JSON (ECS, ECR, Secrets Manager, Logs, Application Auto Scaling) and CloudWatch's
  Smithy RPC v2 CBOR: ``ThrottlingException``, HTTP 400. Server errors ``InternalFailure`` 500 and
  ``ServiceUnavailable`` 503 ("Common Errors" of every API reference).
"""

from __future__ import annotations

import json
import math
import random
import threading
import uuid
from dataclasses import dataclass, field
from typing import Any

from triflow_emulator.config import ConfigError, number_in_range

FAULTS_ENV = "TRIFLOW_EMULATOR_FAULTS"
WHEN_CHOICES = ("before", "after", "any")
KEYS = ("throttle", "error", "when", "times", "seed")
THROTTLE = "throttle"
ERROR_BEFORE = "error_before"
ERROR_AFTER = "error_after"


@dataclass(frozen=True)
class Rule:
    scope: str = ""
    throttle: float = 0.0
    error: float = 0.0
    when: str = "before"
    times: int | None = None

    def describe(self) -> dict[str, Any]:
        return {
            "scope": self.scope or "*",
            "throttle": self.throttle,
            "error": self.error,
            "when": self.when,
            "times": self.times,
        }


@dataclass(frozen=True)
class Spec:
    text: str = ""
    rules: tuple[Rule, ...] = ()
    seed: int | None = None

    def rules_for(self, call: str) -> list[Rule]:
        """The rules naming ``call`` (``<service>.<Action>``), most specific first: action, service, unscoped."""
        service = call.split(".", 1)[0]
        by_scope = {rule.scope: rule for rule in self.rules}
        return [by_scope[scope] for scope in (call, service, "") if scope in by_scope]


def _probability(source: str, key: str, raw: str) -> float:
    return number_in_range(raw, float, 0.0, 1.0, f"{source}: {key}={raw!r} must be a probability from 0 to 1")


def _count(source: str, key: str, raw: str, minimum: int) -> int:
    return number_in_range(raw, int, minimum, math.inf, f"{source}: {key}={raw!r} must be an integer >= {minimum}")


def _rule(source: str, text: str) -> tuple[Rule, int | None]:
    scope, _, settings = text.rpartition(":")
    scope = scope.strip()
    if scope and (scope.count(".") > 1 or not all(scope.split("."))):
        raise ConfigError(f"{source}: scope {scope!r} must be a service (ec2) or a service.Action (ec2.CreateVpc)")
    values: dict[str, Any] = {}
    seed = None
    for setting in filter(None, (part.strip() for part in settings.split(","))):
        key, equals, raw = (part.strip() for part in setting.partition("="))
        if not equals or key not in KEYS:
            raise ConfigError(f"{source}: {setting!r} is not one of {', '.join(k + '=...' for k in KEYS)}")
        if key in ("throttle", "error"):
            values[key] = _probability(source, key, raw)
        elif key == "when":
            if raw not in WHEN_CHOICES:
                raise ConfigError(f"{source}: when={raw!r} must be one of {', '.join(WHEN_CHOICES)}")
            values[key] = raw
        elif key == "times":
            values[key] = _count(source, key, raw, 1)
        elif scope:
            raise ConfigError(f"{source}: seed applies to the whole spec; give it in the rule without a scope")
        else:
            seed = _count(source, key, raw, 0)
    rule = Rule(scope=scope, **values)
    if rule.throttle + rule.error > 1.0:
        raise ConfigError(f"{source}: throttle + error of rule {text.strip()!r} exceed 1")
    return rule, seed


def parse(text: str, source: str = FAULTS_ENV) -> Spec:
    """A fault spec from its text; ``ConfigError`` names the setting that is wrong and what it accepts."""
    rules: list[Rule] = []
    seed = None
    for part in filter(None, (chunk.strip() for chunk in text.split(";"))):
        rule, rule_seed = _rule(source, part)
        if any(existing.scope == rule.scope for existing in rules):
            raise ConfigError(f"{source}: two rules for scope {rule.scope or '(none)'!r}; give each scope once")
        rules.append(rule)
        seed = rule_seed if rule_seed is not None else seed
    return Spec(text=text.strip(), rules=tuple(rules), seed=seed)


@dataclass(frozen=True)
class Fault:
    kind: str  # THROTTLE, ERROR_BEFORE or ERROR_AFTER
    code: str
    status: int
    message: str

    @property
    def before(self) -> bool:
        return self.kind != ERROR_AFTER


# (throttle, 500, 503) codes by protocol.
CODES = {
    "ec2": (("RequestLimitExceeded", 503, "Request limit exceeded."), "InternalError", "Unavailable"),
    "s3": (("SlowDown", 503, "Please reduce your request rate."), "InternalError", "ServiceUnavailable"),
    "query": (("Throttling", 400, "Rate exceeded"), "InternalFailure", "ServiceUnavailable"),
    "json": (("ThrottlingException", 400, "Rate exceeded"), "InternalFailure", "ServiceUnavailable"),
    "cbor": (("ThrottlingException", 400, "Rate exceeded"), "InternalFailure", "ServiceUnavailable"),
}
SERVER_MESSAGE = {
    500: "We encountered an internal error. Please try again.",
    503: "The request has failed due to a temporary failure of the server.",
}


@dataclass
class Injector:
    """The active spec, its random sequence and how many faults each rule has injected (thread-safe)."""

    spec: Spec = field(default_factory=Spec)
    lock: threading.Lock = field(default_factory=threading.Lock)
    rng: random.Random = field(default_factory=random.Random)
    injected: dict[str, int] = field(default_factory=dict)

    def configure(self, spec: Spec) -> None:
        with self.lock:
            self.spec = spec
            self.rng = random.Random(spec.seed)
            self.injected = {}

    def clear(self) -> None:
        self.configure(Spec())

    def describe(self) -> dict[str, Any]:
        with self.lock:
            return {
                "spec": self.spec.text,
                "seed": self.spec.seed,
                "rules": [rule.describe() for rule in self.spec.rules],
                "injected": dict(self.injected),
            }

    def decide(self, call: str, protocol: str) -> Fault | None:
        """The fault ``call`` gets, if any."""
        with self.lock:
            # A rule whose times are spent hands its calls to the next less specific one.
            live = [
                rule
                for rule in self.spec.rules_for(call)
                if rule.times is None or self.injected.get(rule.scope or "*", 0) < rule.times
            ]
            if not live or (live[0].throttle == 0 and live[0].error == 0):
                return None
            rule = live[0]
            used = self.injected.get(rule.scope or "*", 0)
            draw = self.rng.random()
            if draw >= rule.throttle + rule.error:
                return None
            throttle, code_500, code_503 = CODES[protocol]
            if draw < rule.throttle:
                fault = Fault(THROTTLE, *throttle)
            else:
                status = self.rng.choice((500, 503))
                after = rule.when == "after" or (rule.when == "any" and self.rng.random() < 0.5)
                code = code_500 if status == 500 else code_503
                fault = Fault(ERROR_AFTER if after else ERROR_BEFORE, code, status, SERVER_MESSAGE[status])
            self.injected[rule.scope or "*"] = used + 1
            return fault


def _xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cbor_text(text: str) -> bytes:
    data = text.encode()
    size = len(data)
    if size < 24:
        head = bytes([0x60 | size])
    elif size < 256:
        head = bytes([0x78, size])
    else:
        head = bytes([0x79]) + size.to_bytes(2, "big")
    return head + data


def _cbor_map(items: dict[str, str]) -> bytes:
    """A CBOR map of text strings (RFC 8949), enough for an error body; fewer than 24 entries."""
    return bytes([0xA0 | len(items)]) + b"".join(_cbor_text(k) + _cbor_text(v) for k, v in items.items())


def error_response(fault: Fault, protocol: str) -> tuple[int, list[tuple[str, str]], bytes]:
    """Status, headers and body of ``fault`` in ``protocol``'s error format."""
    request_id = str(uuid.uuid4())
    code, message = fault.code, _xml_escape(fault.message)
    headers = [("x-amzn-RequestId", request_id)]
    if protocol == "ec2":
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error>'
            f"<Code>{code}</Code><Message>{message}</Message></Error></Errors>"
            f"<RequestID>{request_id}</RequestID></Response>"
        ).encode()
        headers.append(("Content-Type", "text/xml;charset=UTF-8"))
    elif protocol == "s3":
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Error><Code>{code}</Code><Message>{message}</Message><RequestId>{request_id}</RequestId></Error>"
        ).encode()
        headers.append(("Content-Type", "application/xml"))
    elif protocol == "query":
        kind = "Sender" if fault.status < 500 else "Receiver"
        body = (
            f"<ErrorResponse><Error><Type>{kind}</Type><Code>{code}</Code><Message>{message}</Message></Error>"
            f"<RequestId>{request_id}</RequestId></ErrorResponse>"
        ).encode()
        headers.append(("Content-Type", "text/xml"))
    elif protocol == "cbor":
        body = _cbor_map({"__type": code, "message": fault.message})
        headers += [("Content-Type", "application/cbor"), ("smithy-protocol", "rpc-v2-cbor")]
    else:
        body = json.dumps({"__type": code, "message": fault.message}).encode()
        headers += [("Content-Type", "application/x-amz-json-1.1"), ("x-amzn-ErrorType", code)]
    headers.append(("Content-Length", str(len(body))))
    return fault.status, headers, body


def protocol_of(service: str, environ: dict[str, Any]) -> str:
    """The wire protocol of a request, from its signing name and headers."""
    if service in ("ec2", "s3"):
        return service
    if environ.get("HTTP_SMITHY_PROTOCOL") == "rpc-v2-cbor":
        return "cbor"
    if environ.get("HTTP_X_AMZ_TARGET"):
        return "json"
    if environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
        return "query"
    return "json"


def from_environment(environ: dict[str, str]) -> Spec:
    return parse(environ.get(FAULTS_ENV, ""), FAULTS_ENV)
