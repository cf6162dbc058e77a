# -*- coding: utf-8 -*-
# Copyright: TriFlow AI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Following one ECS deployment to a verdict, and rolling back (triflow.platform.ecs_rollout).

botocore's services_stable waiter is satisfied by one deployment with running == desired, which is also true
once the circuit breaker has rolled a release back: the verdict here follows the deployment the update started,
by its id and its service deployment, and checks the revision, the targets and the app's own health body.

Clients are plain boto3 (or AWSRetry-wrapped) clients; ``clock``, ``sleep`` and ``http_get`` are injected so the
unit tests can replay recorded answers (botocore Stubber) without waiting.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import math

# Service deployment statuses (DescribeServiceDeployments) that mean the deployment will not succeed.
FAILED_SERVICE_DEPLOYMENT = (
    "STOPPED",
    "STOP_REQUESTED",
    "ROLLBACK_REQUESTED",
    "ROLLBACK_IN_PROGRESS",
    "ROLLBACK_SUCCESSFUL",
    "ROLLBACK_FAILED",
)
SUCCEEDED = "succeeded"
ROLLED_BACK = "rolled_back"
ROLLBACK_FAILED = "rollback_failed"
FAILED_NO_ROLLBACK = "failed_without_rollback"
EVENTS_KEPT = 10
STOPPED_TASKS_KEPT = 5


class RolloutFailed(Exception):
    """The deployment will not succeed; ``reason`` says why (kind, message and the evidence)."""

    def __init__(self, reason):
        super(RolloutFailed, self).__init__(reason["message"])
        self.reason = reason


def failure_threshold(desired):
    """The circuit breaker's threshold: 0.5 x desired count, at least 3, at most 200 (ECS API reference,
    ServiceDeploymentCircuitBreaker)."""
    return min(max(math.ceil(0.5 * desired), 3), 200)


def find_deployment(service, deployment_id):
    for deployment in service.get("deployments") or []:
        if deployment.get("id") == deployment_id:
            return deployment
    return None


def primary_deployment(service, task_definition=None):
    """The service's PRIMARY deployment (of ``task_definition`` when given), or None."""
    for deployment in service.get("deployments") or []:
        if deployment.get("status") == "PRIMARY" and task_definition in (None, deployment.get("taskDefinition")):
            return deployment
    return None


def breaker_enabled(service):
    configuration = service.get("deploymentConfiguration") or {}
    return bool((configuration.get("deploymentCircuitBreaker") or {}).get("enable"))


def target_summary(targets):
    """``{state: count}`` of the target health descriptions, and the ones not healthy."""
    counts = {}
    not_healthy = []
    for target in targets:
        health = target.get("TargetHealth") or {}
        state = health.get("State", "unknown")
        counts[state] = counts.get(state, 0) + 1
        if state != "healthy":
            not_healthy.append(
                {
                    "id": (target.get("Target") or {}).get("Id"),
                    "state": state,
                    "reason": health.get("Reason"),
                    "description": health.get("Description"),
                }
            )
    return counts, not_healthy


def assess(service, deployment_id, task_definition, service_deployment=None, targets=None):
    """``("in_progress" | "ready", None)`` or ``("failed", reason)`` for the deployment ``deployment_id``.

    ``ready`` means ECS is done and every target is healthy; the app's health body is checked after that.
    """
    deployment = find_deployment(service, deployment_id)
    running_definition = service.get("taskDefinition")
    status = (service_deployment or {}).get("status")
    if status in FAILED_SERVICE_DEPLOYMENT:
        kind = "rolled_back_by_ecs" if status.startswith("ROLLBACK") else "service_deployment_stopped"
        breaker = (service_deployment or {}).get("deploymentCircuitBreaker") or {}
        reason = {
            "kind": kind,
            "message": "deployment %s: its service deployment %s is %s%s"
            % (
                deployment_id,
                service_deployment.get("serviceDeploymentArn"),
                status,
                (": " + service_deployment["statusReason"]) if service_deployment.get("statusReason") else "",
            ),
            "service_deployment_status": status,
            "failure_count": breaker.get("failureCount"),
            "threshold": breaker.get("threshold"),
            "rollback": (service_deployment or {}).get("rollback"),
        }
        return "failed", reason
    if deployment is None:
        return "failed", {
            "kind": "deployment_replaced",
            "message": "deployment %s is no longer in the service: it runs %s now (a rollback or a newer deployment)"
            % (deployment_id, running_definition),
        }
    failed_tasks = int(deployment.get("failedTasks") or 0)
    threshold = failure_threshold(int(deployment.get("desiredCount") or service.get("desiredCount") or 0))
    if deployment.get("rolloutState") == "FAILED":
        return "failed", {
            "kind": "circuit_breaker",
            "message": "deployment %s FAILED: %s (%d failed tasks, threshold %d)"
            % (deployment_id, deployment.get("rolloutStateReason") or "no reason given", failed_tasks, threshold),
            "failure_count": failed_tasks,
            "threshold": threshold,
        }
    if running_definition != task_definition:
        return "failed", {
            "kind": "rolled_back_by_ecs",
            "message": "the service runs %s, not %s: ECS rolled deployment %s back"
            % (running_definition, task_definition, deployment_id),
        }
    if failed_tasks >= threshold and not breaker_enabled(service):
        return "failed", {
            "kind": "tasks_stopping",
            "message": "deployment %s: %d tasks failed (threshold %d) and no circuit breaker stops it"
            % (deployment_id, failed_tasks, threshold),
            "failure_count": failed_tasks,
            "threshold": threshold,
        }
    done = deployment.get("status") == "PRIMARY" and deployment.get("rolloutState") == "COMPLETED"
    if status not in (None, "SUCCESSFUL"):
        done = False
    desired = int(service.get("desiredCount") or 0)
    if not done or int(deployment.get("runningCount") or 0) < desired:
        return "in_progress", None
    if targets is not None:
        counts, not_healthy = target_summary(targets)
        serving = [t for t in not_healthy if t["state"] not in ("draining", "unused")]
        if serving or counts.get("healthy", 0) < desired:
            return "in_progress", None
    return "ready", None


def observation(elapsed, service, deployment_id, service_deployment, targets):
    deployment = find_deployment(service, deployment_id) or {}
    counts = target_summary(targets)[0] if targets is not None else None
    return {
        "elapsed": round(elapsed, 1),
        "rollout_state": deployment.get("rolloutState"),
        "deployment_status": deployment.get("status"),
        "running": deployment.get("runningCount"),
        "desired": service.get("desiredCount"),
        "failed_tasks": deployment.get("failedTasks"),
        "task_definition": service.get("taskDefinition"),
        "deployments": len(service.get("deployments") or []),
        "service_deployment_status": (service_deployment or {}).get("status"),
        "targets": counts,
    }


def health_verdict(status, body):
    """``(ok, status of the body)`` of one GET of the app's /health: only a 200 whose JSON says healthy is ok."""
    try:
        reported = json.loads(body).get("status")
    except (ValueError, AttributeError):
        reported = None
    return status == 200 and reported == "healthy", reported


class Follower:
    """Follows a deployment of one service to success, failure or timeout; rolls back on request."""

    def __init__(self, ecs, elbv2, cluster, service, clock, sleep, http_get, poll_interval=5.0):
        self.ecs = ecs
        self.elbv2 = elbv2
        self.cluster = cluster
        self.service = service
        self.clock = clock
        self.sleep = sleep
        self.http_get = http_get
        self.poll_interval = poll_interval
        self.started = clock()
        self.observations = []
        self.last_service = None  # the latest DescribeServices answer, for the verdict's events

    # --- reads ---------------------------------------------------------------------------------------------

    def describe(self):
        services = self.ecs.describe_services(cluster=self.cluster, services=[self.service]).get("services") or []
        active = [s for s in services if s.get("status") == "ACTIVE"]
        if not active:
            raise RolloutFailed(
                {
                    "kind": "service_missing",
                    "message": "no active ECS service %s in cluster %s" % (self.service, self.cluster),
                }
            )
        self.last_service = active[0]
        return active[0]

    def service_deployment(self, arn):
        if not arn:
            return None
        try:
            found = self.ecs.describe_service_deployments(serviceDeploymentArns=[arn]).get("serviceDeployments")
        except Exception:  # pylint: disable=broad-except
            return None  # endpoints without the Service Deployments API: follow the deployment id alone
        return found[0] if found else None

    def targets(self, service):
        descriptions = []
        groups = [lb["targetGroupArn"] for lb in service.get("loadBalancers") or [] if lb.get("targetGroupArn")]
        if not groups:
            return None
        for arn in groups:
            descriptions.extend(
                self.elbv2.describe_target_health(TargetGroupArn=arn).get("TargetHealthDescriptions") or []
            )
        return descriptions

    def stopped_tasks(self, deployment_id):
        arns = self.ecs.list_tasks(cluster=self.cluster, startedBy=deployment_id, desiredStatus="STOPPED").get(
            "taskArns"
        )
        if not arns:
            return []
        tasks = self.ecs.describe_tasks(cluster=self.cluster, tasks=arns[:100]).get("tasks") or []
        tasks.sort(key=lambda task: str(task.get("stoppedAt") or ""), reverse=True)
        return [
            {
                "task": task.get("taskArn"),
                "stopped_reason": task.get("stoppedReason"),
                "stop_code": task.get("stopCode"),
                "exit_codes": dict((c.get("name"), c.get("exitCode")) for c in task.get("containers") or []),
            }
            for task in tasks[:STOPPED_TASKS_KEPT]
        ]

    @staticmethod
    def events(service):
        return [event.get("message") for event in (service.get("events") or [])[:EVENTS_KEPT]]

    # --- following -----------------------------------------------------------------------------------------

    def evidence(self, reason, service, deployment_id, targets):
        """The reason with what an operator needs: stopped tasks, targets not healthy, the last events."""
        reason = dict(reason)
        reason["deployment_id"] = deployment_id
        reason["events"] = self.events(service)
        try:
            reason["stopped_tasks"] = self.stopped_tasks(deployment_id)
        except Exception:  # pylint: disable=broad-except
            reason["stopped_tasks"] = []
        if targets is not None:
            reason["unhealthy_targets"] = target_summary(targets)[1]
        return reason

    def follow(self, deployment_id, task_definition, timeout, service_deployment_arn=None, health=None):
        """Poll until the deployment is ready (and the app healthy) or raise RolloutFailed."""
        deadline = self.clock() + timeout
        while True:
            service = self.describe()
            record = self.service_deployment(service_deployment_arn)
            targets = self.targets(service)
            self.observations.append(observation(self.clock() - self.started, service, deployment_id, record, targets))
            state, reason = assess(service, deployment_id, task_definition, record, targets)
            if state == "failed":
                raise RolloutFailed(self.evidence(reason, service, deployment_id, targets))
            if state == "ready":
                if health and health.get("url"):
                    self.check_health(health, deadline, service, deployment_id)
                return service
            if self.clock() >= deadline:
                deployment = find_deployment(service, deployment_id) or {}
                message = "deployment %s did not complete within %d s: rolloutState %s, %s of %s tasks running" % (
                    deployment_id,
                    timeout,
                    deployment.get("rolloutState"),
                    deployment.get("runningCount"),
                    service.get("desiredCount"),
                )
                raise RolloutFailed(
                    self.evidence({"kind": "timeout", "message": message}, service, deployment_id, targets)
                )
            self.sleep(self.poll_interval)

    def check_health(self, health, deadline, service, deployment_id):
        """``health["checks"]`` consecutive healthy bodies; a 200 that says anything but healthy fails at once."""
        healthy_in_a_row = 0
        answers = []
        while healthy_in_a_row < health["checks"]:
            status, body = self.http_get(health["url"], health["timeout"])
            ok, reported = health_verdict(status, body)
            answers.append({"status": status, "body_status": reported})
            if ok:
                healthy_in_a_row += 1
            elif status == 200:
                message = "%s answered 200 but says %r: %s" % (health["url"], reported, body[:500])
                reason = {"kind": "health_check", "message": message, "health": answers, "body": body[:2000]}
                raise RolloutFailed(self.evidence(reason, service, deployment_id, None))
            else:
                healthy_in_a_row = 0
                if self.clock() >= deadline:
                    message = "%s did not answer healthy before the timeout (last: HTTP %s %s)" % (
                        health["url"],
                        status,
                        body[:200],
                    )
                    reason = {"kind": "health_check", "message": message, "health": answers}
                    raise RolloutFailed(self.evidence(reason, service, deployment_id, None))
            if healthy_in_a_row < health["checks"]:
                self.sleep(health["interval"])
        self.observations.append({"elapsed": round(self.clock() - self.started, 1), "health": answers})

    # --- changing the service ------------------------------------------------------------------------------

    def update(self, task_definition, force=False):
        """UpdateService to ``task_definition`` (with ``force``, a new deployment even when the service runs it: new
        tasks read the secrets again); the id (and service deployment ARN) of the deployment it started."""
        request = dict(cluster=self.cluster, service=self.service, taskDefinition=task_definition)
        if force:
            request["forceNewDeployment"] = True
        service = self.ecs.update_service(**request)["service"]
        started = primary_deployment(service, task_definition) or primary_deployment(service)
        if started is None:
            raise RolloutFailed(
                {"kind": "no_deployment", "message": "UpdateService to %s started no deployment" % task_definition}
            )
        return started["id"], service.get("currentServiceDeployment")

    def roll_back(self, previous, timeout):
        """Put the service back on ``previous`` (or follow ECS's own rollback to it) and wait for it.

        Returns ``(by_ecs, deployment_id)``; raises RolloutFailed when the rollback does not complete either.
        """
        service = self.describe()
        by_ecs = service.get("taskDefinition") == previous
        if by_ecs:
            primary = primary_deployment(service)
            deployment_id = primary["id"] if primary else None
            service_deployment_arn = None
        else:
            deployment_id, service_deployment_arn = self.update(previous)
        if deployment_id is None:
            raise RolloutFailed({"kind": "rollback_failed", "message": "the service has no PRIMARY deployment"})
        self.follow(deployment_id, previous, timeout, None if by_ecs else service_deployment_arn)
        return by_ecs, deployment_id
