"""Run one invocation of a function's real handler code, the way Lambda's Python runtime does.

Given moto's function object and the event, this: finds or creates the execution environment
(cold start: import the handler, time INIT), builds the ``context``, gives the thread the
function's environment variables, runs the handler under its Timeout, captures what it prints,
and returns the JSON payload, the error (shaped as AWS shapes it) and the log text with
START / END / REPORT lines.

Differs from AWS: the handler runs in the kernel's process (see ``environments`` and
``watchdog`` for what follows from that); "Max Memory Used" is an estimate: a typical Python
runtime footprint plus how far the process's resident memory rose during INIT and during the
handler (``runtime.memory``). When that estimate exceeds the function's memory, the invocation is
reported as AWS would report it (``Runtime.OutOfMemory``), after the fact. A function selected
for ``runtime.subprocess_mode`` runs in its own process instead, where both limits are real.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import threading
import time
import traceback
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from course_lib.runtime import environments, envvars, logs
from course_lib.runtime.memory import SAMPLER
from course_lib.runtime.context import LambdaContext
from course_lib.runtime.watchdog import WATCHDOG, FunctionTimedOut

# What `Max Memory Used` shows for a do-nothing Python function on AWS (about 30-40 MB): the
# interpreter and runtime client, which our in-kernel handler does not pay for separately.
RUNTIME_BASELINE_MB = 36

_listeners: list[Any] = []
_listeners_lock = threading.Lock()


@dataclass
class Invocation:
    """Everything one invocation produced."""

    function_name: str
    function_arn: str
    request_id: str
    payload: str
    error_type: str | None
    log_text: str
    report: logs.Report
    environment_id: str
    started: float = field(default_factory=time.time)

    @property
    def errored(self) -> bool:
        return self.error_type is not None


def add_listener(callback: Any) -> None:
    """Call ``callback(invocation)`` after every invocation (the cost meter listens here)."""
    with _listeners_lock:
        if callback not in _listeners:
            _listeners.append(callback)


def remove_listener(callback: Any) -> None:
    with _listeners_lock:
        if callback in _listeners:
            _listeners.remove(callback)


_echo_local = threading.local()


class quiet:
    """Context manager: invocations on this thread do not echo handler output to the cell."""

    def __enter__(self) -> None:
        self._previous = getattr(_echo_local, "echo", True)
        _echo_local.echo = False

    def __exit__(self, *exc: object) -> None:
        _echo_local.echo = self._previous


def echo_enabled() -> bool:
    """False inside :class:`quiet` on this thread (handler output is not shown in the cell)."""
    return bool(getattr(_echo_local, "echo", True))


def _task_path(text: str, code_dir: Path) -> str:
    # Tracebacks name /var/task/app.py as on AWS, not our temporary folder.
    return text.replace(str(code_dir), "/var/task")


def _error_payload(exc: BaseException, request_id: str, code_dir: Path) -> tuple[dict[str, Any], str]:
    frames = traceback.extract_tb(exc.__traceback__)
    # Drop our own frames: a learner's stack trace starts in their handler, as on AWS.
    own = str(Path(__file__).parent)
    user_frames = [f for f in frames if not f.filename.startswith(own)]
    stack = [_task_path(line, code_dir) for line in traceback.format_list(user_frames)]
    error_type = type(exc).__name__
    payload = {
        "errorMessage": str(exc),
        "errorType": error_type,
        "requestId": request_id,
        "stackTrace": stack,
    }
    log_line = f"[ERROR] {error_type}: {exc}\nTraceback (most recent call last):\n" + "".join(stack)
    return payload, log_line.rstrip("\n")


def _lambda_environment(fn: Any, request_id: str, log_stream: str) -> dict[str, str]:
    variables = envvars.base_environment()
    variables.update(
        {
            "AWS_LAMBDA_FUNCTION_NAME": fn.function_name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(fn.memory_size),
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_TIMEOUT": str(fn.timeout),
            "AWS_LAMBDA_LOG_GROUP_NAME": fn.logs_group_name,
            "AWS_LAMBDA_LOG_STREAM_NAME": log_stream,
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{fn.run_time}",
            "AWS_REGION": fn.region,
            "AWS_DEFAULT_REGION": fn.region,
            "_HANDLER": fn.handler or "",
            "LAMBDA_TASK_ROOT": "/var/task",
            "TZ": ":UTC",
        }
    )
    variables.update({k: str(v) for k, v in (fn.environment_vars or {}).items()})
    return variables


def _layers(fn: Any) -> list[tuple[bytes, str]]:
    from moto.awslambda.models import lambda_backends

    found = []
    for layer in fn.layers or []:
        arn = layer["Arn"] if isinstance(layer, dict) else str(layer)
        version = lambda_backends[fn.account_id][fn.region].layers_versions_by_arn(arn)
        found.append((version.code_bytes, getattr(version, "code_digest", "") or arn))
    return found


def environment_key(fn: Any) -> tuple[str, ...]:
    config = json.dumps(
        [fn.handler, fn.memory_size, fn.timeout, fn.environment_vars, fn.layers, fn.run_time],
        sort_keys=True,
        default=str,
    )
    return (fn.function_arn, str(fn.code_digest), config)


def run(fn: Any, event: Any, request_id: str | None = None) -> Invocation:
    """Run ``fn``'s handler on ``event``; never raises for handler errors."""
    from course_lib.runtime import subprocess_mode

    if subprocess_mode.is_isolated(fn):  # its own process: real timeouts and memory limits
        return subprocess_mode.run(fn, event, request_id)
    request_id = request_id or str(uuid.uuid4())
    echo = getattr(_echo_local, "echo", True)
    today = dt.datetime.now(dt.timezone.utc)
    log_stream = f"{today:%Y/%m/%d}/[$LATEST]{uuid.uuid4().hex}"
    timeout_s = float(fn.timeout or 3)
    memory_mb = int(fn.memory_size or 128)
    key = environment_key(fn)
    lines: list[str] = []
    error_payload: dict[str, Any] | None = None
    error_type: str | None = None
    result: Any = None
    init_ms: float | None = None
    env = None
    discard = False
    peak_bytes = 0

    variables = _lambda_environment(fn, request_id, log_stream)
    logs.install_logging()
    logs.set_request_id(request_id)

    def run_init(load: Any) -> tuple[Any, float, int, str]:
        with envvars.function_environment(variables), logs.capture_output(echo) as out:
            probe = SAMPLER.begin()
            began = time.perf_counter()
            try:
                handler = load()
            finally:
                elapsed = (time.perf_counter() - began) * 1000
                peak = SAMPLER.end(probe)
        return handler, elapsed, peak, out.getvalue()

    began = time.perf_counter()
    try:
        env, cold = environments.get_environment(
            key, fn.code_bytes, str(fn.code_digest), fn.handler or "", _layers(fn), run_init
        )
    except environments.HandlerImportError as exc:
        error_type = exc.error_type
        error_payload = {"errorMessage": str(exc), "errorType": exc.error_type, "requestId": request_id, "stackTrace": exc.stack}
        lines.append(f"[ERROR] {exc.error_type}: {exc}")
        init_ms = (time.perf_counter() - began) * 1000
        duration_ms = 0.0
        code_dir = Path("/var/task")
    else:
        code_dir = env.code_dir
        init_ms = env.take_init() if cold else None
        if cold and env.init_output:
            lines.extend(env.init_output.rstrip("\n").split("\n"))
        context = LambdaContext(
            function_name=fn.function_name,
            function_version="$LATEST",
            invoked_function_arn=fn.function_arn,
            memory_limit_in_mb=str(memory_mb),
            aws_request_id=request_id,
            log_group_name=fn.logs_group_name,
            log_stream_name=log_stream,
            deadline_epoch_ms=int(time.time() * 1000 + timeout_s * 1000),
        )
        timed_out = False
        with envvars.function_environment(variables), logs.capture_output(echo) as out:
            probe = SAMPLER.begin()
            token = WATCHDOG.watch(timeout_s)
            started = time.perf_counter()
            try:
                try:
                    result = env.handler(event, context)
                finally:
                    duration_ms = (time.perf_counter() - started) * 1000
                    timed_out = WATCHDOG.release(token)
            except FunctionTimedOut:
                duration_ms = (time.perf_counter() - started) * 1000
                timed_out = True
            except SystemExit as exc:
                duration_ms = (time.perf_counter() - started) * 1000
                error_type = "Runtime.ExitError"
                error_payload = {
                    "errorType": error_type,
                    "errorMessage": f"RequestId: {request_id} Error: Runtime exited with error: exit status {exc.code or 0}",
                }
                discard = True
            except KeyboardInterrupt:
                raise
            except BaseException as exc:  # noqa: BLE001  (any handler error becomes an AWS error)
                duration_ms = (time.perf_counter() - started) * 1000
                error_payload, log_line = _error_payload(exc, request_id, code_dir)
                error_type = error_payload["errorType"]
                print(log_line)
            finally:
                peak_bytes = SAMPLER.end(probe)
        lines.extend(out.getvalue().rstrip("\n").split("\n") if out.getvalue() else [])
        if timed_out or duration_ms > timeout_s * 1000:
            error_type = "Sandbox.Timedout"
            error_payload = {
                "errorType": error_type,
                "errorMessage": f"RequestId: {request_id} Error: Task timed out after {timeout_s:.2f} seconds",
            }
            discard = True
        if error_type is None:
            try:
                payload_text = json.dumps(result)
            except (TypeError, ValueError) as exc:
                error_type = "Runtime.MarshalError"
                error_payload = {
                    "errorMessage": f"Unable to marshal response: {exc}",
                    "errorType": error_type,
                    "requestId": request_id,
                    "stackTrace": [],
                }
                lines.append(f"[ERROR] Runtime.MarshalError: Unable to marshal response: {exc}")

    used_bytes = peak_bytes + (env.init_memory_bytes if env else 0)
    max_memory_mb = RUNTIME_BASELINE_MB + int(used_bytes / (1024 * 1024))
    if error_type is None and max_memory_mb > memory_mb:
        error_type = "Runtime.OutOfMemory"
        error_payload = {
            "errorType": error_type,
            "errorMessage": f"RequestId: {request_id} Error: Runtime exited with error: signal: killed",
        }
        discard = True
    max_memory_mb = min(max_memory_mb, memory_mb)
    if discard:
        environments.discard(key)

    status = None
    if error_type == "Sandbox.Timedout":
        # AWS stops the clock at the deadline and marks the line.
        duration_ms, status = timeout_s * 1000, "timeout"
    elif error_type in ("Runtime.OutOfMemory", "Runtime.ExitError"):
        status = "error"
    report = logs.Report(
        request_id=request_id,
        status=status,
        duration_ms=round(duration_ms, 2),
        billed_ms=logs.billed_ms(duration_ms, init_ms),
        memory_mb=memory_mb,
        max_memory_mb=max_memory_mb,
        init_ms=round(init_ms, 2) if init_ms is not None else None,
    )
    log_lines = [logs.start_line(request_id)] + lines
    if error_type == "Sandbox.Timedout":
        stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        log_lines.append(f"{stamp} {request_id} Task timed out after {timeout_s:.2f} seconds")
    log_lines += [logs.end_line(request_id), report.line()]

    payload = json.dumps(error_payload) if error_payload is not None else payload_text
    invocation = Invocation(
        function_name=fn.function_name,
        function_arn=fn.function_arn,
        request_id=request_id,
        payload=payload,
        error_type=error_type,
        log_text="\n".join(log_lines) + "\n",
        report=report,
        environment_id=env.environment_id if env else "",
    )
    _save_logs(fn, log_stream, log_lines)
    with _listeners_lock:
        listeners = list(_listeners)
    for callback in listeners:
        callback(invocation)
    return invocation


def _save_logs(fn: Any, stream: str, lines: list[str]) -> None:
    """Write the invocation's lines to CloudWatch Logs ``/aws/lambda/<name>``."""
    backend = fn.logs_backend
    backend.ensure_log_group(fn.logs_group_name)
    backend.create_log_stream(fn.logs_group_name, stream)
    now = int(time.time() * 1000)
    backend.put_log_events(
        fn.logs_group_name, stream, [{"timestamp": now, "message": line} for line in lines]
    )
