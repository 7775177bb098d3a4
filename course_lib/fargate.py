"""Fargate tasks that run: ``ecs.run_task(launchType="FARGATE")`` starts the container's command
as a local process, streams its output to CloudWatch Logs, and reports its real exit code.

    from course_lib import fargate
    fargate.install()                          # idempotent; chapter 11's setup does it
    task_arn = ecs.run_task(..., launchType="FARGATE", ...)["tasks"][0]["taskArn"]
    fargate.wait(task_arn)                     # the process has finished
    ecs.describe_tasks(cluster=..., tasks=[task_arn])   # lastStatus STOPPED, containers[0].exitCode

What it emulates. moto stores ``run_task`` and runs nothing (and crashes while attaching the
task's network interface). Here, for ``launchType="FARGATE"``:

* the task definition must have a valid Fargate **size** (task-level ``cpu`` and ``memory`` in one
  of the allowed combinations, from the facts file) and ``networkMode: awsvpc``, and the call
  must give subnets, else ``ClientException``/``InvalidParameterException`` as on AWS;
* the first container's ``command`` (with ``containerOverrides``) runs as a **local process**:
  ``python``/``python3`` mean this Python; its environment is the container's ``environment``
  plus ``AWS_REGION`` and ``ECS_TASK_ARN``; no other variables of the notebook leak in;
* with ``logConfiguration`` ``awslogs``, each line it prints becomes a log event in
  ``awslogs-group``, stream ``<awslogs-stream-prefix>/<container>/<task id>``; a missing group
  stops the task (``ResourceInitializationError``) unless ``awslogs-create-group`` is ``true``;
* ``describe_tasks`` shows ``RUNNING`` while the process runs and ``STOPPED`` after, with the
  container's ``exitCode`` and ``stopCode`` ``EssentialContainerExited``. :func:`runs` gives
  each run's duration, billed as Fargate bills (per second, one-minute minimum).

Differs from AWS: there is no image: the ``image`` field is recorded, not pulled, and the
command runs on your machine with this Python, not in an isolated container; CPU and memory
are not limited; a run longer than ``timeout_s`` (default 30 s) is stopped, to keep notebooks
short; only the first container of a task runs.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from course_lib import facts

_installed = False
_lock = threading.Lock()
_runs: dict[str, "TaskRun"] = {}
TIMEOUT_S = 30.0


@dataclass
class TaskRun:
    task_arn: str
    command: list[str]
    cpu: int
    memory_mib: int
    status: str = "PENDING"
    exit_code: int | None = None
    stopped_reason: str = ""
    started: float | None = None
    stopped: float | None = None
    output: list[str] = field(default_factory=list)
    thread: threading.Thread | None = None

    @property
    def duration_s(self) -> float:
        if self.started is None:
            return 0.0
        return (self.stopped or time.time()) - self.started

    @property
    def billed_s(self) -> int:
        if self.started is None:
            return 0
        return max(int(facts.value("fargate.limits.billing_minimum_s")), math.ceil(self.duration_s))


def allowed_memory(cpu: int) -> list[int]:
    """The memory sizes (MiB) Fargate allows with this many CPU units (1,024 = 1 vCPU)."""
    for size in facts.value("fargate.limits.task_sizes"):
        if size["cpu"] == cpu:
            if "memory_mib" in size:
                return list(size["memory_mib"])
            return list(range(size["memory_min_mib"], size["memory_max_mib"] + 1, size["memory_step_mib"]))
    return []


def valid_size(cpu: int, memory_mib: int) -> bool:
    return memory_mib in allowed_memory(cpu)


def runs() -> list[TaskRun]:
    return list(_runs.values())


def wait(task_arn: str, timeout: float = TIMEOUT_S + 5) -> TaskRun:
    """Block until the task's process has finished; returns its run."""
    run = _runs[task_arn]
    if run.thread is not None:
        run.thread.join(timeout)
    return run


def _account() -> str:
    from course_lib.sandbox import ACCOUNT_ID

    return os.environ.get("MOTO_ACCOUNT_ID", ACCOUNT_ID)


def _executable(command: list[str]) -> list[str]:
    if command and command[0] in ("python", "python3"):
        return [sys.executable, *command[1:]]
    return list(command)


def _log_target(container: dict[str, Any], task_id: str, region: str) -> tuple[str | None, str | None, str]:
    """(group, stream, error) for the container's awslogs configuration."""
    config = container.get("logConfiguration") or {}
    if config.get("logDriver") != "awslogs":
        return None, None, ""
    options = config.get("options") or {}
    group = options.get("awslogs-group")
    prefix = options.get("awslogs-stream-prefix", "ecs")
    from moto.logs.models import logs_backends

    backend = logs_backends[_account()][region]
    if group not in backend.groups:
        if str(options.get("awslogs-create-group", "false")).lower() == "true":
            backend.create_log_group(group, {})
        else:
            return None, None, (
                f"ResourceInitializationError: failed to validate logger args: The specified log group "
                f"does not exist. : ResourceNotFoundException: {group}"
            )
    stream = f"{prefix}/{container['name']}/{task_id}"
    backend.create_log_stream(group, stream)
    return group, stream, ""


def _execute(run: TaskRun, env: dict[str, str], region: str, group: str | None, stream: str | None, timeout_s: float) -> None:
    from moto.logs.models import logs_backends

    backend = logs_backends[_account()][region]
    workdir = tempfile.mkdtemp(prefix="course-fargate-")
    run.started = time.time()
    run.status = "RUNNING"
    try:
        process = subprocess.Popen(
            _executable(run.command), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env=env, cwd=workdir,
        )
    except OSError as err:
        run.status, run.exit_code, run.stopped = "STOPPED", None, time.time()
        run.stopped_reason = f"CannotStartContainerError: {err}"
        return
    timer = threading.Timer(timeout_s, process.kill)
    timer.start()
    try:
        assert process.stdout is not None
        for line in process.stdout:
            line = line.rstrip("\n")
            run.output.append(line)
            if group and stream:
                backend.put_log_events(group, stream, [{"timestamp": int(time.time() * 1000), "message": line}])
        code = process.wait()
    finally:
        timer.cancel()
    run.stopped = time.time()
    run.exit_code = code
    run.status = "STOPPED"
    run.stopped_reason = "Essential container in task exited" if code >= 0 else f"Task stopped after {timeout_s:g} s (course limit)"


def _start(task: Any, task_definition: Any, overrides: dict[str, Any] | None, timeout_s: float) -> None:
    container = dict(task_definition.container_definitions[0])
    for override in (overrides or {}).get("containerOverrides", []):
        if override.get("name") == container.get("name"):
            if "command" in override:
                container["command"] = override["command"]
            if "environment" in override:
                merged = {e["name"]: e["value"] for e in container.get("environment") or []}
                merged.update({e["name"]: e["value"] for e in override["environment"]})
                container["environment"] = [{"name": k, "value": v} for k, v in merged.items()]
    region = task.region_name
    run = TaskRun(task.task_arn, list(container.get("command") or []), int(task_definition.cpu), int(task_definition.memory))
    _runs[task.task_arn] = run
    task._transitions = []  # the managed state stays where we put it
    env = {"PATH": os.environ.get("PATH", ""), "AWS_REGION": region, "AWS_DEFAULT_REGION": region,
           "ECS_TASK_ARN": task.task_arn, "PYTHONUNBUFFERED": "1"}
    env.update({e["name"]: str(e["value"]) for e in container.get("environment") or []})
    group, stream, error = _log_target(container, task.id, region)
    if error:
        run.status, run.stopped_reason, run.started, run.stopped = "STOPPED", error, None, time.time()
        return
    if not run.command:
        run.status, run.stopped_reason = "STOPPED", "CannotStartContainerError: the container has no command (the course runs commands, not images)"
        return
    run.thread = threading.Thread(target=_execute, args=(run, env, region, group, stream, timeout_s), daemon=True)
    run.thread.start()


def _sync(task: Any) -> None:
    run = _runs.get(task.task_arn)
    if run is None:
        return
    task._transitions = []
    task._status = run.status
    task.desired_status = "STOPPED" if run.status == "STOPPED" else "RUNNING"
    task.stopped_reason = run.stopped_reason
    for container in task.containers:
        container.last_status = run.status
        container.exitCode = run.exit_code if run.exit_code is not None else 0
    if run.status == "STOPPED":
        task.stop_code = "EssentialContainerExited" if run.exit_code is not None else "TaskFailedToStart"


def install(timeout_s: float = TIMEOUT_S) -> None:
    """Make Fargate tasks run (idempotent)."""
    global _installed
    from course_lib import wiring

    wiring.keep_after_reset("fargate", _runs.clear)  # the old account's tasks
    with _lock:
        if _installed:
            return
        from moto.ecs import models
        from moto.ecs.exceptions import EcsClientException as ClientException
        from moto.ecs.exceptions import InvalidParameterException

        backend_class = models.EC2ContainerServiceBackend
        original_run = backend_class.run_task
        original_describe = backend_class.describe_tasks

        def run_task(self: Any, cluster_str: str, task_definition_str: str, count: int, overrides: Any,
                     started_by: str, tags: Any, launch_type: str | None, networking_configuration: Any = None,
                     *args: Any, **kwargs: Any) -> Any:
            if launch_type != "FARGATE":
                return original_run(self, cluster_str, task_definition_str, count, overrides, started_by, tags,
                                    launch_type, networking_configuration, *args, **kwargs)
            definition = self.describe_task_definition(task_definition_str)
            if (definition.network_mode or "") != "awsvpc":
                raise ClientException("Tasks using the Fargate launch type must use the 'awsvpc' network mode.")
            try:
                cpu, memory = int(definition.cpu), int(definition.memory)
            except (TypeError, ValueError):
                raise ClientException("Fargate requires task definition to have cpu and memory values.") from None
            if not valid_size(cpu, memory):
                raise ClientException(f"No Fargate configuration exists for given values: {cpu} CPU, {memory} memory.")
            vpc = (networking_configuration or {}).get("awsvpcConfiguration") or {}
            if not vpc.get("subnets"):
                raise InvalidParameterException("Network Configuration must be provided when networkMode 'awsvpc' is specified.")
            for container in definition.container_definitions:
                container.setdefault("memory", memory)  # moto needs it; Fargate takes the task's
            # moto's ENI attachment code crashes (no private_dns_name): attach the subnet ourselves
            definition.network_mode = "bridge"  # only for moto's call: skips its ENI code
            try:
                tasks = original_run(self, cluster_str, task_definition_str, count, overrides, started_by, tags,
                                     launch_type, None, *args, **kwargs)
            finally:
                definition.network_mode = "awsvpc"
            for task in tasks:
                task.network_configuration = networking_configuration
                task.attachments = [{
                    "id": task.id, "type": "ElasticNetworkInterface", "status": "ATTACHED",
                    "details": [{"name": "subnetId", "value": vpc["subnets"][0]}],
                }]
                _start(task, definition, overrides, timeout_s)
                task._status = "PROVISIONING"  # what AWS answers run_task with; describe_tasks follows the process
            return tasks

        def describe_tasks(self: Any, cluster_str: str, tasks: list[str]) -> Any:
            found = original_describe(self, cluster_str, tasks)
            for task in found:
                _sync(task)
            return found

        backend_class.run_task = run_task  # type: ignore[method-assign]
        backend_class.describe_tasks = describe_tasks  # type: ignore[method-assign]
        _installed = True
