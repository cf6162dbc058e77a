"""Gap 7 -- ECS deployments are not simulated (measured on moto 5.2.5).

Stock moto keeps ``deployments[]`` frozen at CreateService (one PRIMARY deployment, rolloutState IN_PROGRESS
forever), UpdateService with a new task definition never adds a deployment, no task ever runs for a service, no
target is registered in the service's target group, there are no service events and no circuit breaker, and the
Service Deployments API (ListServiceDeployments, DescribeServiceDeployments) is missing, so botocore's
``services_stable`` waiter returns at once and no rollout can fail.

Patch: a time-driven simulation of ROLLING deployments of services with the ECS deployment controller, as AWS
documents them (Amazon ECS Developer Guide, "Deploy Amazon ECS services by replacing tasks", "How the Amazon ECS
deployment circuit breaker detects failures", "Amazon ECS service event messages"; API reference Deployment,
ServiceDeployment, ServiceDeploymentCircuitBreaker):

* CreateService / UpdateService with a new task definition (or forceNewDeployment) start a deployment
  ``ecs-svc/<19 digits>``: PRIMARY, rolloutState IN_PROGRESS, beside the previous one (now ACTIVE). Its tasks
  (DescribeTasks, ListTasks with serviceName / startedBy) start PENDING, run, and register their private IPs in
  the service's target group (``initial``, then ``healthy``). After ``TRIFLOW_EMULATOR_DEPLOY_DELAY`` seconds
  (default 2, read at server start) it is COMPLETED, the older deployments' tasks are stopped and deregistered,
  and those deployments disappear; the service events say so in AWS's words, newest first.
* The image tag of the task definition's first container chooses how its tasks behave: ``broken-`` tasks fail
  their container health checks and stop (stopped reason, exit code 137), ``failedTasks`` grows, and at the
  circuit breaker's threshold (0.5 x desired count, at least 3, at most 200) the deployment is FAILED; with
  rollback on, ECS starts a deployment of the last COMPLETED revision, the service's taskDefinition goes back to
  it, and the service ends stable (one deployment, running == desired) on the old revision. ``slow-`` tags take
  10x the delay. ``degraded-`` tasks are healthy but the app's /health body says degraded (see app_health).
* A deployment started while another is IN_PROGRESS stops the older one (its service deployment STOPPED).
* Service Deployments API: one service deployment per deployment started by a request (not for the ECS's own
  rollback deployment, which the failed one's service deployment tracks): PENDING/IN_PROGRESS, SUCCESSFUL,
  STOPPED, ROLLBACK_IN_PROGRESS, ROLLBACK_SUCCESSFUL, ROLLBACK_FAILED, with ``rollback``,
  ``deploymentCircuitBreaker`` and source / target service revisions; DescribeServices reports
  ``currentServiceDeployment``.
* RunTask of a Fargate task (not started by a service): PENDING, RUNNING, then STOPPED after the delay with exit
  code 1 when its command (override or task definition) contains ``fail-migration``, else 0
  (``Essential container in task exited``).
* UpdateService with another desiredCount starts or stops tasks of the PRIMARY deployment.

Not simulated: ENIs of tasks, deployment alarms, BLUE_GREEN / LINEAR / CANARY strategies, DescribeServiceRevisions,
StopServiceDeployment, service quotas and placement; a service task stopped with StopTask is not replaced.
"""

from __future__ import annotations

import copy
import heapq
import itertools
import math
import random
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from triflow_emulator.config import deploy_delay

NAME = "ecs_deployments"
SUMMARY = (
    "ECS deployments over time: PRIMARY/ACTIVE deployments, tasks, target registration, circuit breaker with "
    "rollback, service events, ListServiceDeployments/DescribeServiceDeployments, Fargate RunTask that stops"
)
MEASURED_ON = "5.2.5"

SETTINGS: dict[str, float] = {"deploy_delay": 2.0}
SLOW_FACTOR = 10
MIN_THRESHOLD = 3
MAX_THRESHOLD = 200
SUPERSEDED = "Service deployment stopped: a newer deployment started"
BREAKER_REASON = "ECS deployment circuit breaker: tasks failed to start."
FAILURE_ROUNDS = 2  # a broken deployment's tasks fail in rounds; the breaker trips within one delay
LOCK = threading.RLock()
_RANDOM = random.Random()
_SEQUENCE = itertools.count()


def now_utc() -> datetime:
    return datetime.now(UTC)


def image_tag(image: str) -> str:
    name = image.rsplit("/", 1)[-1]
    return name.split(":", 1)[1] if ":" in name else "latest"


def behaviour(task_definition: Any) -> str:
    """``broken``, ``slow``, ``degraded`` or ``good``: the image tag of the first container decides."""
    containers = task_definition.container_definitions or [{}]
    tag = image_tag(str(containers[0].get("image", "")))
    for kind in ("broken", "slow", "degraded"):
        if tag.startswith(f"{kind}-"):
            return kind
    return "good"


def failure_threshold(desired: int) -> int:
    return min(max(math.ceil(0.5 * desired), MIN_THRESHOLD), MAX_THRESHOLD)


def random_digits(count: int) -> str:
    return "".join(_RANDOM.choice("0123456789") for _ in range(count))


ID_CHARACTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def random_id(count: int) -> str:
    return "".join(_RANDOM.choice(ID_CHARACTERS) for _ in range(count))


class SimTask(dict):  # type: ignore[type-arg]
    """A task as DescribeTasks answers it (camelCase keys: moto's serializer reads them as they are)."""

    @property
    def task_arn(self) -> str:
        return str(self["taskArn"])


def new_task(
    backend: Any, cluster: Any, task_definition: Any, started_by: str, group: str, overrides: dict[str, Any]
) -> SimTask:
    task_id = uuid.uuid4().hex
    containers = []
    for definition in task_definition.container_definitions:
        containers.append(
            {
                "containerArn": f"arn:aws:ecs:{backend.region_name}:{backend.account_id}:container/"
                f"{cluster.name}/{task_id}/{uuid.uuid4()}",
                "taskArn": "",
                "name": definition.get("name"),
                "image": definition.get("image"),
                "lastStatus": "PENDING",
                "healthStatus": "UNKNOWN",
                "networkInterfaces": [],
            }
        )
    ip = f"10.{_RANDOM.randint(0, 255)}.{_RANDOM.randint(1, 254)}.{_RANDOM.randint(1, 254)}"
    arn = f"arn:aws:ecs:{backend.region_name}:{backend.account_id}:task/{cluster.name}/{task_id}"
    for container in containers:
        container["taskArn"] = arn
        container["networkInterfaces"] = [{"attachmentId": str(uuid.uuid4()), "privateIpv4Address": ip}]
    return SimTask(
        taskArn=arn,
        clusterArn=cluster.arn,
        taskDefinitionArn=task_definition.arn,
        group=group,
        startedBy=started_by,
        lastStatus="PENDING",
        desiredStatus="RUNNING",
        healthStatus="UNKNOWN",
        launchType="FARGATE",
        platformVersion="1.4.0",
        platformFamily="Linux",
        cpu=task_definition.cpu,
        memory=task_definition.memory,
        createdAt=now_utc(),
        containers=containers,
        overrides=overrides,
        attachments=[
            {
                "id": containers[0]["networkInterfaces"][0]["attachmentId"] if containers else str(uuid.uuid4()),
                "type": "ElasticNetworkInterface",
                "status": "ATTACHED",
                "details": [{"name": "privateIPv4Address", "value": ip}],
            }
        ],
        tags=[],
        _ip=ip,
    )


def stop_task(task: SimTask, reason: str, stop_code: str, exit_code: int) -> None:
    at = now_utc()
    task.update(lastStatus="STOPPED", desiredStatus="STOPPED", stoppedReason=reason, stopCode=stop_code)
    task.update(stoppingAt=at, stoppedAt=at, executionStoppedAt=at)
    for container in task["containers"]:
        container.update(lastStatus="STOPPED", exitCode=exit_code)


class Clock:
    """Events scheduled in (monotonic) time, run in order by whoever reads the state next."""

    def __init__(self) -> None:
        self.queue: list[tuple[float, int, Callable[[], None]]] = []

    def at(self, when: float, action: Callable[[], None]) -> None:
        heapq.heappush(self.queue, (when, next(_SEQUENCE), action))

    def run_until(self, now: float) -> None:
        while self.queue and self.queue[0][0] <= now:
            _, _, action = heapq.heappop(self.queue)
            action()


CLOCK = Clock()


class Rollout:
    """One service's deployments, tasks, events and service deployments."""

    def __init__(self, backend: Any, service: Any) -> None:
        self.backend = backend
        self.service = service
        self.deployments: list[dict[str, Any]] = []
        self.tasks: dict[str, list[SimTask]] = {}  # deployment id -> its tasks (running, pending, stopped)
        self.service_deployments: list[dict[str, Any]] = []
        self.revisions: dict[str, str] = {}  # task definition ARN -> service revision ARN

    # --- names ---------------------------------------------------------------------------------------------

    @property
    def label(self) -> str:
        return f"(service {self.service.name})"

    def arn_base(self, kind: str) -> str:
        return f"arn:aws:ecs:{self.backend.region_name}:{self.backend.account_id}:{kind}/{self.service.cluster_name}/"

    def revision_arn(self, task_definition_arn: str) -> str:
        if task_definition_arn not in self.revisions:
            self.revisions[task_definition_arn] = self.arn_base("service-revision") + (
                f"{self.service.name}/{random_digits(19)}"
            )
        return self.revisions[task_definition_arn]

    def event(self, message: str) -> None:
        self.service.events.insert(0, {"id": str(uuid.uuid4()), "createdAt": now_utc(), "message": message})
        del self.service.events[100:]

    def target_groups(self) -> list[Any]:
        from moto.elbv2.models import elbv2_backends

        elbv2 = elbv2_backends[self.backend.account_id][self.backend.region_name]
        groups = []
        for balancer in self.service.load_balancers or []:
            group = elbv2.target_groups.get(balancer.get("targetGroupArn", ""))
            if group is not None:
                groups.append((group, int(balancer.get("containerPort") or group.port or 80)))
        return groups

    # --- configuration -------------------------------------------------------------------------------------

    def breaker(self) -> dict[str, Any]:
        configuration = getattr(self.service, "deployment_configuration", None) or {}
        return configuration.get("deploymentCircuitBreaker") or {"enable": False, "rollback": False}

    def task_definition(self, arn: str) -> Any:
        return self.backend.describe_task_definition(arn)

    def delay(self, task_definition: Any) -> float:
        factor = SLOW_FACTOR if behaviour(task_definition) == "slow" else 1
        return SETTINGS["deploy_delay"] * factor

    # --- deployments ---------------------------------------------------------------------------------------

    def primary(self) -> dict[str, Any] | None:
        return next((d for d in self.deployments if d["status"] == "PRIMARY"), None)

    def start(self, task_definition_arn: str, rollback_of: dict[str, Any] | None = None) -> dict[str, Any]:
        """Start a deployment of ``task_definition_arn``; a user's deployment gets a service deployment."""
        now = now_utc()
        previous = self.primary()
        for deployment in self.deployments:
            deployment["status"] = "ACTIVE"
        if previous is not None and previous["rolloutState"] == "IN_PROGRESS" and rollback_of is None:
            self.finish_service_deployment(previous, "STOPPED", SUPERSEDED)
        definition = self.task_definition(task_definition_arn)
        deployment_id = f"ecs-svc/{random_digits(19)}"
        template = copy.deepcopy(self.service.deployments[0]) if self.service.deployments else {}
        template.pop("_kind", None)
        deployment = {
            **{k: v for k, v in template.items() if not k.startswith("_")},
            "id": deployment_id,
            "status": "PRIMARY",
            "taskDefinition": task_definition_arn,
            "desiredCount": self.service.desired_count,
            "pendingCount": 0,
            "runningCount": 0,
            "failedTasks": 0,
            "createdAt": now,
            "updatedAt": now,
            "rolloutState": "IN_PROGRESS",
            "rolloutStateReason": f"ECS deployment {deployment_id} in progress.",
            "_kind": behaviour(definition),
            "_started": time.monotonic(),
            "_delay": self.delay(definition),
        }
        self.deployments.insert(0, deployment)
        self.tasks[deployment_id] = []
        self.service.task_definition = task_definition_arn
        if rollback_of is None:
            self.new_service_deployment(deployment, previous)
        else:
            deployment["_service_deployment"] = rollback_of.get("_service_deployment")
            deployment["_rollback"] = True
        self.launch(deployment, self.service.desired_count)
        self.schedule_outcome(deployment)
        return deployment

    def new_service_deployment(self, deployment: dict[str, Any], previous: dict[str, Any] | None) -> None:
        now = now_utc()
        breaker = self.breaker()
        sources = []
        for older in self.deployments[1:]:
            if older["runningCount"] or older is previous:
                sources.append(
                    {
                        "arn": self.revision_arn(older["taskDefinition"]),
                        "requestedTaskCount": older["desiredCount"],
                        "runningTaskCount": older["runningCount"],
                        "pendingTaskCount": older["pendingCount"],
                    }
                )
        record = {
            "serviceDeploymentArn": self.arn_base("service-deployment") + f"{self.service.name}/{random_id(22)}",
            "serviceArn": self.service.arn,
            "clusterArn": self.service.cluster_arn,
            "createdAt": now,
            "startedAt": now,
            "updatedAt": now,
            "sourceServiceRevisions": sources,
            "targetServiceRevision": {
                "arn": self.revision_arn(deployment["taskDefinition"]),
                "requestedTaskCount": deployment["desiredCount"],
                "runningTaskCount": 0,
                "pendingTaskCount": 0,
            },
            "status": "IN_PROGRESS",
            "deploymentConfiguration": copy.deepcopy(getattr(self.service, "deployment_configuration", None) or {}),
            "deploymentCircuitBreaker": {
                "status": "MONITORING" if breaker.get("enable") else "DISABLED",
                "failureCount": 0,
                "threshold": failure_threshold(deployment["desiredCount"]),
            },
            "_deployment_id": deployment["id"],
        }
        self.service_deployments.insert(0, record)
        deployment["_service_deployment"] = record
        self.service.current_service_deployment = record["serviceDeploymentArn"]

    def finish_service_deployment(self, deployment: dict[str, Any], status: str, reason: str | None) -> None:
        record = deployment.get("_service_deployment")
        if record is None or record["status"] in ("SUCCESSFUL", "STOPPED", "ROLLBACK_SUCCESSFUL", "ROLLBACK_FAILED"):
            return
        now = now_utc()
        record.update(status=status, updatedAt=now, finishedAt=now)
        if status == "STOPPED":
            record["stoppedAt"] = now
        if reason:
            record["statusReason"] = reason
        breaker = record["deploymentCircuitBreaker"]
        if breaker["status"] == "MONITORING":
            breaker["status"] = "MONITORING_COMPLETE"

    # --- tasks ---------------------------------------------------------------------------------------------

    def launch(self, deployment: dict[str, Any], count: int) -> None:
        if count <= 0:
            return
        cluster = self.backend._get_cluster(self.service.cluster_name)
        definition = self.task_definition(deployment["taskDefinition"])
        started = []
        for _ in range(count):
            task = new_task(self.backend, cluster, definition, deployment["id"], f"service:{self.service.name}", {})
            self.tasks[deployment["id"]].append(task)
            started.append(task)
            CLOCK.at(time.monotonic() + deployment["_delay"] / 4, lambda t=task, d=deployment: self.run_task(d, t))
        ids = " ".join(f"(task {task['taskArn'].rsplit('/', 1)[-1]})" for task in started)
        self.event(f"{self.label} has started {count} tasks: {ids}.")
        self.count(deployment)

    def run_task(self, deployment: dict[str, Any], task: SimTask) -> None:
        if task["lastStatus"] != "PENDING":
            return
        at = now_utc()
        task.update(lastStatus="RUNNING", startedAt=at, pullStartedAt=at, pullStoppedAt=at, connectivity="CONNECTED")
        for container in task["containers"]:
            container["lastStatus"] = "RUNNING"
        self.register([task], "initial" if deployment["rolloutState"] == "IN_PROGRESS" else "healthy")
        if deployment["_kind"] == "broken":
            self.health(task, "UNHEALTHY", "unhealthy")
        elif deployment["rolloutState"] != "IN_PROGRESS":
            self.health(task, "HEALTHY", "healthy")
        self.count(deployment)

    def running(self, deployment: dict[str, Any]) -> list[SimTask]:
        return [task for task in self.tasks.get(deployment["id"], []) if task["lastStatus"] == "RUNNING"]

    def live(self, deployment: dict[str, Any]) -> list[SimTask]:
        return [task for task in self.tasks.get(deployment["id"], []) if task["lastStatus"] != "STOPPED"]

    def count(self, deployment: dict[str, Any]) -> None:
        tasks = self.tasks.get(deployment["id"], [])
        deployment["runningCount"] = sum(1 for task in tasks if task["lastStatus"] == "RUNNING")
        deployment["pendingCount"] = sum(1 for task in tasks if task["lastStatus"] == "PENDING")
        deployment["updatedAt"] = now_utc()
        self.service.running_count = sum(d["runningCount"] for d in self.deployments)
        self.service.pending_count = sum(d["pendingCount"] for d in self.deployments)
        record = deployment.get("_service_deployment")
        if record is not None and record.get("_deployment_id") == deployment["id"]:
            record["targetServiceRevision"].update(
                runningTaskCount=deployment["runningCount"], pendingTaskCount=deployment["pendingCount"]
            )

    def stop(self, deployment: dict[str, Any], tasks: list[SimTask], reason: str, code: str, exit_code: int) -> None:
        if not tasks:
            return
        self.deregister(tasks)
        for task in tasks:
            stop_task(task, reason, code, exit_code)
        ids = " ".join(f"(task {task['taskArn'].rsplit('/', 1)[-1]})" for task in tasks)
        self.event(f"{self.label} has stopped {len(tasks)} running tasks: {ids}.")
        self.count(deployment)

    # --- load balancer -------------------------------------------------------------------------------------

    def register(self, tasks: list[SimTask], state: str) -> None:
        for group, port in self.target_groups():
            group.register([{"Id": task["_ip"], "Port": port} for task in tasks])
            for task in tasks:
                set_target_health(group, task["_ip"], state)
            self.event(f"{self.label} registered {len(tasks)} targets in (target-group {group.arn})")

    def health(self, task: SimTask, task_health: str, target_state: str) -> None:
        task["healthStatus"] = task_health
        for container in task["containers"]:
            container["healthStatus"] = task_health
        for group, _ in self.target_groups():
            if task["_ip"] in group.targets:
                set_target_health(group, task["_ip"], target_state)

    def deregister(self, tasks: list[SimTask]) -> None:
        for group, _ in self.target_groups():
            present = [task for task in tasks if task["_ip"] in group.targets]
            if not present:
                continue
            group.deregister([{"Id": task["_ip"]} for task in present])
            for task in present:
                group.__dict__.setdefault("_triflow_health", {}).pop(task["_ip"], None)
            self.event(f"{self.label} deregistered {len(present)} targets in (target-group {group.arn})")

    # --- outcomes ------------------------------------------------------------------------------------------

    def schedule_outcome(self, deployment: dict[str, Any]) -> None:
        started = deployment["_started"]
        if deployment["_kind"] == "broken":
            for round_number in range(1, FAILURE_ROUNDS + 1):
                when = started + deployment["_delay"] * round_number / FAILURE_ROUNDS
                CLOCK.at(when, lambda d=deployment: self.fail_round(d))
        else:
            CLOCK.at(started + deployment["_delay"], lambda d=deployment: self.complete(d))

    def current(self, deployment: dict[str, Any]) -> bool:
        return deployment in self.deployments and deployment["rolloutState"] == "IN_PROGRESS"

    def complete(self, deployment: dict[str, Any]) -> None:
        if not self.current(deployment) or deployment["status"] != "PRIMARY":
            return
        for task in self.live(deployment):
            if task["lastStatus"] == "PENDING":
                self.run_task(deployment, task)
        for task in self.running(deployment):
            self.health(task, "HEALTHY", "healthy")
        deployment.update(rolloutState="COMPLETED", rolloutStateReason=f"ECS deployment {deployment['id']} completed.")
        self.drain_others(deployment)
        self.event(f"{self.label} ({'deployment ' + deployment['id']}) deployment completed.")
        self.event(f"{self.label} has reached a steady state.")
        if deployment.get("_rollback"):
            self.finish_service_deployment(deployment, "ROLLBACK_SUCCESSFUL", "Service deployment rolled back.")
        else:
            self.finish_service_deployment(deployment, "SUCCESSFUL", None)

    def drain_others(self, deployment: dict[str, Any]) -> None:
        for older in [d for d in self.deployments if d is not deployment]:
            reason = f"Scaling activity initiated by (deployment {deployment['id']})"
            self.stop(older, self.live(older), reason, "ServiceSchedulerInitiated", 143)
            self.deployments.remove(older)
        self.count(deployment)

    def fail_round(self, deployment: dict[str, Any]) -> None:
        if not self.current(deployment):
            return
        for task in self.live(deployment):
            if task["lastStatus"] == "PENDING":
                self.run_task(deployment, task)
        failing = self.running(deployment)
        for task in failing:
            self.health(task, "UNHEALTHY", "unhealthy")
        self.stop(deployment, failing, "Task failed container health checks", "ServiceSchedulerInitiated", 137)
        if deployment["status"] != "PRIMARY":
            return  # a superseded deployment is not replaced, and the breaker watches the PRIMARY one only
        deployment["failedTasks"] += len(failing)
        record = deployment.get("_service_deployment")
        if record is not None:
            record["deploymentCircuitBreaker"]["failureCount"] = deployment["failedTasks"]
        breaker = self.breaker()
        if breaker.get("enable") and deployment["failedTasks"] >= failure_threshold(deployment["desiredCount"]):
            self.trip(deployment, bool(breaker.get("rollback")))
            return
        self.launch(deployment, self.service.desired_count - len(self.live(deployment)))

    def trip(self, deployment: dict[str, Any], rollback: bool) -> None:
        deployment.update(rolloutState="FAILED", rolloutStateReason=BREAKER_REASON)
        self.event(f"{self.label} (deployment {deployment['id']}) deployment failed: tasks failed to start.")
        record = deployment.get("_service_deployment")
        if record is not None:
            record["deploymentCircuitBreaker"]["status"] = "TRIGGERED"
        if deployment.get("_rollback"):
            self.finish_service_deployment(deployment, "ROLLBACK_FAILED", "Rollback failed: tasks failed to start.")
            return
        completed = next(
            (d for d in self.deployments if d is not deployment and d["rolloutState"] == "COMPLETED"), None
        )
        if not rollback or completed is None:
            self.finish_service_deployment(deployment, "STOPPED", BREAKER_REASON)
            return
        self.event(f"{self.label} rolling back to deployment {completed['id']}.")
        if record is not None:
            now = now_utc()
            record.update(status="ROLLBACK_IN_PROGRESS", updatedAt=now)
            record["rollback"] = {
                "reason": "Circuit Breaker triggered rollback",
                "startedAt": now,
                "serviceRevisionArn": self.revision_arn(completed["taskDefinition"]),
            }
        self.start(completed["taskDefinition"], rollback_of=deployment)

    # --- scaling -------------------------------------------------------------------------------------------

    def scale(self, desired: int) -> None:
        primary = self.primary()
        if primary is None:
            return
        primary["desiredCount"] = desired
        live = self.live(primary)
        if len(live) < desired:
            self.launch(primary, desired - len(live))
        elif len(live) > desired:
            self.stop(primary, live[desired:], "Service scaled in", "ServiceSchedulerInitiated", 143)

    def shut_down(self) -> None:
        for deployment in list(self.deployments):
            self.stop(deployment, self.live(deployment), "Service deleted", "ServiceSchedulerInitiated", 143)
        self.deployments.clear()

    # --- what the API shows --------------------------------------------------------------------------------

    def publish(self) -> None:
        """Copy the simulated deployments (without private keys) onto the moto service DescribeServices reads."""
        strategy = getattr(self.service, "capacity_provider_strategy", None)
        published = []
        for deployment in self.deployments:
            shown = {key: value for key, value in deployment.items() if not key.startswith("_")}
            if strategy:
                shown.pop("launchType", None)
                shown["capacityProviderStrategy"] = copy.deepcopy(strategy)
            published.append(shown)
        self.service.deployments[:] = published


def set_target_health(group: Any, target_id: str, state: str) -> None:
    reasons = {
        "initial": ("Elb.RegistrationInProgress", "Target registration is in progress"),
        "unhealthy": ("Target.FailedHealthChecks", "Health checks failed"),
        "healthy": (None, None),
    }
    group.__dict__.setdefault("_triflow_health", {})[target_id] = (state, *reasons[state])


# --- the registry of rollouts -------------------------------------------------------------------------------

ROLLOUTS: dict[str, Rollout] = {}
ONE_OFF_TASKS: dict[str, SimTask] = {}  # task ARN -> a RunTask task


def rollout_for(backend: Any, service: Any) -> Rollout:
    key = service.arn
    rollout = ROLLOUTS.get(key)
    if rollout is None or rollout.service is not service:
        rollout = ROLLOUTS[key] = Rollout(backend, service)
    return rollout


def advance() -> None:
    with LOCK:
        CLOCK.run_until(time.monotonic())
        for rollout in ROLLOUTS.values():
            rollout.publish()


def all_tasks() -> list[SimTask]:
    tasks = list(ONE_OFF_TASKS.values())
    for rollout in ROLLOUTS.values():
        for deployment_tasks in rollout.tasks.values():
            tasks.extend(deployment_tasks)
    return tasks


def reset() -> None:
    with LOCK:
        ROLLOUTS.clear()
        ONE_OFF_TASKS.clear()
        CLOCK.queue.clear()


# --- one-off tasks (RunTask) --------------------------------------------------------------------------------


def command_of(task_definition: Any, overrides: dict[str, Any]) -> list[str]:
    command: list[str] = []
    for definition in task_definition.container_definitions:
        command.extend(definition.get("command") or [])
    for override in (overrides or {}).get("containerOverrides") or []:
        command.extend(override.get("command") or [])
    return [str(part) for part in command]


def run_one_off(backend: Any, cluster_str: str, task_definition_str: str, count: int, params: dict[str, Any]) -> list:
    cluster = backend._get_cluster(cluster_str)
    definition = backend.describe_task_definition(task_definition_str)
    overrides = params.get("overrides") or {}
    exit_code = 1 if any("fail-migration" in part for part in command_of(definition, overrides)) else 0
    delay = SETTINGS["deploy_delay"]
    tasks = []
    for _ in range(max(count, 1)):
        task = new_task(
            backend, cluster, definition, params.get("startedBy") or "", params.get("group") or "", overrides
        )
        task["group"] = params.get("group") or f"family:{definition.family}"
        task["tags"] = params.get("tags") or []
        ONE_OFF_TASKS[task["taskArn"]] = task
        tasks.append(task)

        def running(t: SimTask = task) -> None:
            if t["lastStatus"] == "PENDING":
                t.update(lastStatus="RUNNING", startedAt=now_utc())
                for container in t["containers"]:
                    container["lastStatus"] = "RUNNING"

        def stopped(t: SimTask = task) -> None:
            if t["lastStatus"] != "STOPPED":
                stop_task(t, "Essential container in task exited", "EssentialContainerExited", exit_code)

        CLOCK.at(time.monotonic() + delay / 4, running)
        CLOCK.at(time.monotonic() + delay, stopped)
    return tasks


def uses_fargate(params: dict[str, Any], cluster: Any) -> bool:
    if params.get("launchType"):
        return params["launchType"] == "FARGATE"
    strategy = params.get("capacityProviderStrategy") or cluster.default_capacity_provider_strategy or []
    return bool(strategy) and strategy[0].get("capacityProvider") in ("FARGATE", "FARGATE_SPOT")


# --- the app's health, as the running image would answer ------------------------------------------------------


def app_health(cluster_name: str, service_name: str) -> tuple[int, dict[str, Any]] | None:
    """``(HTTP status, body)`` of GET /health on the service's healthy tasks, or None when no such service.

    The newest deployment with running healthy tasks serves (the ALB only routes to healthy targets): its image
    decides the body, ``degraded-`` tags answering 200 with ``{"status": "degraded"}`` as the app does when a
    dependency fails.
    """
    advance()
    with LOCK:
        for rollout in ROLLOUTS.values():
            if rollout.service.cluster_name != cluster_name or rollout.service.name != service_name:
                continue
            for deployment in rollout.deployments:
                healthy = [task for task in rollout.running(deployment) if task["healthStatus"] == "HEALTHY"]
                if not healthy:
                    continue
                image = healthy[0]["containers"][0]["image"] if healthy[0]["containers"] else ""
                if deployment["_kind"] == "degraded":
                    checks = {"database": "error: connection refused", "redis": "ok", "s3": "ok"}
                    return 200, {"status": "degraded", "checks": checks, "image": image}
                checks = {"database": "ok", "redis": "ok", "s3": "ok"}
                return 200, {"status": "healthy", "checks": checks, "image": image}
            return 503, {"status": "unhealthy", "checks": {}, "reason": "no healthy task serves the service"}
    return None


# --- moto hooks ---------------------------------------------------------------------------------------------


def apply() -> None:
    from moto.ecs.models import EC2ContainerServiceBackend
    from moto.ecs.responses import EC2ContainerServiceResponse
    from moto.elbv2.models import ELBv2Backend, FakeHealthStatus

    SETTINGS["deploy_delay"] = deploy_delay()

    stock_create = EC2ContainerServiceBackend.create_service
    stock_update = EC2ContainerServiceBackend.update_service
    stock_delete = EC2ContainerServiceBackend.delete_service
    stock_describe_services = EC2ContainerServiceBackend.describe_services
    stock_describe_tasks = EC2ContainerServiceBackend.describe_tasks
    stock_list_tasks = EC2ContainerServiceBackend.list_tasks
    stock_stop_task = EC2ContainerServiceBackend.stop_task
    stock_run_task_response = EC2ContainerServiceResponse.run_task
    stock_target_health = ELBv2Backend.describe_target_health

    def create_service(self: Any, *args: Any, **kwargs: Any) -> Any:
        service = stock_create(self, *args, **kwargs)
        with LOCK:
            advance()
            service.current_service_deployment = None
            if service.deployment_controller.get("type", "ECS") == "ECS" and service.task_definition:
                rollout = rollout_for(self, service)
                rollout.start(service.task_definition)
                rollout.publish()
        return service

    def update_service(self: Any, properties: dict[str, Any]) -> Any:
        with LOCK:
            advance()
            before = self._get_service(properties.get("cluster", "default"), properties["service"].split("/")[-1])
            old_definition, old_desired = before.task_definition, before.desired_count
            force = bool(properties.get("force_new_deployment"))
            service = stock_update(self, dict(properties))
            rollout = rollout_for(self, service)
            if service.task_definition and not service.task_definition.startswith("arn:"):
                service.task_definition = self.describe_task_definition(service.task_definition).arn
            changed = service.task_definition != old_definition or force
            if service.task_definition and (changed or not rollout.deployments):
                rollout.start(service.task_definition)
            elif service.desired_count != old_desired:
                rollout.scale(service.desired_count)
            primary = rollout.primary()
            if primary is not None:
                rollout.count(primary)
            rollout.publish()
            return service

    def delete_service(self: Any, cluster_name: str, service_name: str, force: bool) -> Any:
        service = stock_delete(self, cluster_name, service_name, force)
        with LOCK:
            rollout = ROLLOUTS.pop(service.arn, None)
            if rollout is not None:
                rollout.shut_down()
        return service

    def describe_services(self: Any, cluster_str: str, names: list[str]) -> Any:
        advance()
        return stock_describe_services(self, cluster_str, names)

    def describe_tasks(self: Any, cluster_str: str, tasks: list[str]) -> list[Any]:
        advance()
        cluster = self._get_cluster(cluster_str)
        wanted = set(tasks)
        simulated = [
            task
            for task in all_tasks()
            if task["clusterArn"] == cluster.arn
            and (task["taskArn"] in wanted or task["taskArn"].rsplit("/", 1)[-1] in wanted)
        ]
        found = {task["taskArn"].rsplit("/", 1)[-1] for task in simulated}
        rest = [name for name in tasks if name.rsplit("/", 1)[-1] not in found]
        stock = stock_describe_tasks(self, cluster_str, rest) if rest else []
        return [*simulated, *stock]

    def list_tasks(
        self: Any,
        cluster_str: str | None = None,
        container_instance: str | None = None,
        family: str | None = None,
        started_by: str | None = None,
        service_name: str | None = None,
        desiredStatus: str | None = None,
    ) -> list[Any]:
        advance()
        stock = stock_list_tasks(self, cluster_str, container_instance, family, started_by, None, desiredStatus)
        if service_name:
            stock = []  # moto never starts tasks for a service: every service task is simulated
        cluster = self._get_cluster(cluster_str or "default")
        family_arns = set(self.list_task_definitions(family)) if family else None
        simulated = []
        for task in all_tasks():
            if task["clusterArn"] != cluster.arn or container_instance:
                continue
            if family_arns is not None and task["taskDefinitionArn"] not in family_arns:
                continue
            if started_by and task["startedBy"] != started_by:
                continue
            if service_name and task["group"] != f"service:{service_name.split('/')[-1]}":
                continue
            if task["desiredStatus"] != (desiredStatus or "RUNNING"):
                continue
            simulated.append(task)
        return [*simulated, *stock]

    def stop_task(self: Any, cluster_str: str, task_str: str, reason: str) -> Any:
        advance()
        with LOCK:
            for task in all_tasks():
                if task["taskArn"] == task_str or task["taskArn"].endswith("/" + task_str):
                    if task["lastStatus"] != "STOPPED":
                        stop_task(task, reason or "Task stopped by user", "UserInitiated", 143)
                    return task
        return stock_stop_task(self, cluster_str, task_str, reason)

    def run_task(self: Any) -> Any:
        from moto.core.responses import ActionResult

        params = self._get_params()
        with LOCK:
            advance()
            cluster = self.ecs_backend._get_cluster(params.get("cluster", "default"))
            if not uses_fargate(params, cluster):
                return stock_run_task_response(self)
            definition = self.ecs_backend.describe_task_definition(params["taskDefinition"])
            if definition.network_mode == "awsvpc" and not params.get("networkConfiguration"):
                from moto.ecs.exceptions import InvalidParameterException

                raise InvalidParameterException(
                    "Network Configuration must be provided when networkMode 'awsvpc' is specified."
                )
            count = int(params.get("count") or 1)
            tasks = run_one_off(self.ecs_backend, cluster.name, params["taskDefinition"], count, params)
        return ActionResult({"tasks": tasks, "failures": []})

    def list_service_deployments(self: Any) -> Any:
        from moto.core.responses import ActionResult

        params = self._get_params()
        advance()
        service = self.ecs_backend._get_service(params.get("cluster", "default"), params["service"].split("/")[-1])
        with LOCK:
            rollout = ROLLOUTS.get(service.arn)
            records = list(rollout.service_deployments) if rollout else []
        statuses = params.get("status") or []
        briefs = [
            {
                "serviceDeploymentArn": record["serviceDeploymentArn"],
                "serviceArn": record["serviceArn"],
                "clusterArn": record["clusterArn"],
                "createdAt": record["createdAt"],
                "startedAt": record["startedAt"],
                "finishedAt": record.get("finishedAt"),
                "targetServiceRevisionArn": record["targetServiceRevision"]["arn"],
                "status": record["status"],
                "statusReason": record.get("statusReason"),
            }
            for record in records
            if not statuses or record["status"] in statuses
        ]
        return ActionResult({"serviceDeployments": briefs})

    def describe_service_deployments(self: Any) -> Any:
        from moto.core.responses import ActionResult

        wanted = self._get_param("serviceDeploymentArns") or []
        advance()
        with LOCK:
            records = {
                record["serviceDeploymentArn"]: record
                for rollout in ROLLOUTS.values()
                for record in rollout.service_deployments
            }
            found = [
                {key: copy.deepcopy(value) for key, value in records[arn].items() if not key.startswith("_")}
                for arn in wanted
                if arn in records
            ]
        failures = [{"arn": arn, "reason": "MISSING"} for arn in wanted if arn not in records]
        return ActionResult({"serviceDeployments": found, "failures": failures})

    def describe_target_health(self: Any, target_group_arn: str, targets: list[dict[str, Any]]) -> list[Any]:
        advance()
        answers = stock_target_health(self, target_group_arn, targets)
        group = self.target_groups.get(target_group_arn)
        overrides = group.__dict__.get("_triflow_health", {}) if group is not None else {}
        result = []
        for answer in answers:
            override = overrides.get(answer.instance_id)
            if override is not None and group is not None and answer.instance_id in group.targets:
                state, reason, description = override
                answer = FakeHealthStatus(
                    answer.instance_id, answer.port, answer.health_check_port, state, reason, description
                )
            result.append(answer)
        return result

    EC2ContainerServiceBackend.create_service = create_service  # type: ignore[method-assign]
    EC2ContainerServiceBackend.update_service = update_service  # type: ignore[method-assign]
    EC2ContainerServiceBackend.delete_service = delete_service  # type: ignore[method-assign]
    EC2ContainerServiceBackend.describe_services = describe_services  # type: ignore[method-assign]
    EC2ContainerServiceBackend.describe_tasks = describe_tasks  # type: ignore[method-assign]
    EC2ContainerServiceBackend.list_tasks = list_tasks  # type: ignore[method-assign]
    EC2ContainerServiceBackend.stop_task = stop_task  # type: ignore[method-assign]
    EC2ContainerServiceResponse.run_task = run_task  # type: ignore[method-assign]
    EC2ContainerServiceResponse.list_service_deployments = list_service_deployments  # type: ignore[attr-defined]
    EC2ContainerServiceResponse.describe_service_deployments = describe_service_deployments  # type: ignore[attr-defined]
    ELBv2Backend.describe_target_health = describe_target_health  # type: ignore[method-assign]
