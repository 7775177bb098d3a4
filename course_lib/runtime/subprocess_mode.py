"""Subprocess mode: a function runs in its own process, so its Timeout and memory are enforced for real.

    from course_lib.runtime import deploy_function, invoke, subprocess_mode
    deploy_function("slow", "import time\\ndef handler(e, c):\\n    time.sleep(10)\\n", timeout_s=2)
    subprocess_mode.isolate("slow")
    invoke("slow").payload     # {'errorType': 'Sandbox.Timedout', 'errorMessage': '... Task timed out after 2.00 seconds'}

Why. In the kernel's process a handler cannot be stopped: a ``time.sleep(60)`` or a C call
runs to its end and the timeout is only reported afterwards, and "Max Memory Used" is an
estimate. An isolated function instead gets an execution environment of its own: a child
Python process that imports the handler once (INIT, a real cold start) and then serves
invocations one at a time (warm starts), like a Lambda execution environment.

* **Timeout**: when the deadline passes the process is killed (``Task timed out after 2.00
  seconds``, ``Status: timeout`` on the REPORT line); the next invocation is a cold start.
* **Memory**: the process may not grow by more than the function's memory minus the Python
  runtime's own footprint (``RLIMIT_DATA``); going over is ``Runtime.OutOfMemory`` and a new
  environment. *Max Memory Used* is the process's real peak resident memory.
* **AWS calls**: the child's boto3 talks to the sandbox through server mode
  (:mod:`course_lib.server`, started on first use), so it sees the notebook's resources.
* The event travels as JSON on the child's stdin; results, logs and the REPORT line come back
  as for in-process invocations (CloudWatch Logs, ``LogType=Tail``, the cost meter).

Select it per function with :func:`isolate`; every trigger (invoke, API Gateway, SQS, S3...)
then uses it. ``sandbox.reset()`` stops every environment and forgets the selection.

Differs from AWS: the child is a plain Python process on this machine (no Firecracker microVM,
no read-only file system except ``/tmp``); about 0.1-0.3 s for a cold start plus the INIT of
your imports; concurrent requests to one function queue for its one environment.
"""

from __future__ import annotations

import atexit
import datetime as dt
import json
import select
import subprocess
import sys
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHILD = Path(__file__).with_name("subprocess_child.py")
INIT_TIMEOUT_S = 10.0  # AWS's limit for the INIT phase of on-demand functions

_lock = threading.Lock()
_isolated: set[str] = set()
_workers: dict[tuple[str, ...], "_Worker"] = {}


def isolate(function_name: str, enabled: bool = True) -> None:
    """Run ``function_name`` in subprocess mode from its next invocation (``enabled=False`` undoes)."""
    with _lock:
        (_isolated.add if enabled else _isolated.discard)(function_name)
    if not enabled:
        _stop_workers(lambda key: key[0].rsplit(":", 1)[-1] == function_name)


def isolated() -> set[str]:
    with _lock:
        return set(_isolated)


def is_isolated(fn: Any) -> bool:
    return fn.function_name in _isolated


MARKER = "\x00course-end"


@dataclass
class _Worker:
    process: subprocess.Popen[str]
    init_ms: float | None
    init_logs: str
    output: deque[str] = field(default_factory=deque)  # the child's stderr, line by line
    arrived: threading.Condition = field(default_factory=threading.Condition)
    lock: threading.Lock = field(default_factory=threading.Lock)
    invocations: int = 0
    closed: bool = False

    def take_output(self, tag: str | None, wait_s: float = 2.0) -> list[str]:
        """The lines the child wrote up to its end marker for ``tag`` (all lines if None)."""
        deadline = time.monotonic() + wait_s
        taken: list[str] = []
        with self.arrived:
            while True:
                while self.output:
                    line = self.output.popleft()
                    if line.startswith(MARKER):
                        if tag is None or line == f"{MARKER} {tag}":
                            return _trim(taken)
                        continue
                    taken.append(line)
                if self.closed or tag is None or time.monotonic() >= deadline:
                    return _trim(taken)
                self.arrived.wait(max(0.0, deadline - time.monotonic()))

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        if self.alive():
            self.process.kill()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            try:
                if stream:
                    stream.close()
            except OSError:
                pass


def _trim(lines: list[str]) -> list[str]:
    while lines and not lines[-1]:
        lines.pop()  # the blank line the child writes before its marker
    return lines


def _read_line(process: subprocess.Popen[str], timeout: float) -> str | None:
    """One line from the child's stdout, or None if the deadline passed or the child died."""
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], max(0.0, timeout))
    if not ready:
        return None
    line = process.stdout.readline()
    return line or None


def _drain_stderr(worker: _Worker) -> None:
    assert worker.process.stderr is not None
    try:
        for line in worker.process.stderr:
            with worker.arrived:
                worker.output.append(line.rstrip("\n"))
                worker.arrived.notify_all()
    except (OSError, ValueError):
        pass
    with worker.arrived:
        worker.closed = True
        worker.arrived.notify_all()


def _budget_bytes(memory_mb: int) -> int:
    from course_lib.runtime.executor import RUNTIME_BASELINE_MB

    return max(16, memory_mb - RUNTIME_BASELINE_MB) * 1024 * 1024


def _start_worker(fn: Any, variables: dict[str, str]) -> tuple[_Worker | None, dict[str, Any] | None, str]:
    """A new environment: (worker, None, init logs), or (None, error payload, logs) if INIT failed."""
    from course_lib.runtime import environments, executor

    code_dir = environments.unpack(fn.code_bytes, str(fn.code_digest))
    layer_dirs = []
    for layer_bytes, digest in executor._layers(fn):
        root = environments.unpack(layer_bytes, digest)
        layer_dirs.append(str(root / "python" if (root / "python").is_dir() else root))
    process = subprocess.Popen(  # noqa: S603 - our own child script
        [sys.executable, "-u", str(CHILD)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=variables,
        cwd=str(code_dir),
        start_new_session=True,
    )
    worker = _Worker(process, None, "")
    threading.Thread(target=_drain_stderr, args=(worker,), daemon=True, name="course-subprocess-stderr").start()
    spec = {
        "code_dir": str(code_dir),
        "layer_dirs": layer_dirs,
        "handler": fn.handler or "app.handler",
        "function_name": fn.function_name,
        "function_arn": fn.function_arn,
        "memory_mb": int(fn.memory_size or 128),
        "log_group_name": fn.logs_group_name,
        "memory_budget": _budget_bytes(int(fn.memory_size or 128)),
    }
    assert process.stdin is not None
    process.stdin.write(json.dumps(spec) + "\n")
    process.stdin.flush()
    line = _read_line(process, INIT_TIMEOUT_S)
    if line is None:
        timed_out = process.poll() is None
        worker.kill()
        message = "INIT timed out" if timed_out else f"Runtime exited with error: exit status {process.returncode}"
        return None, {"errorType": "Runtime.Unknown", "errorMessage": message}, "\n".join(worker.take_output(None))
    answer = json.loads(line)
    init_logs = "\n".join(worker.take_output("init"))
    if not answer.get("ok"):
        worker.kill()
        return None, answer["error"], init_logs
    worker.init_ms = float(answer["init_ms"])
    worker.init_logs = init_logs
    return worker, None, init_logs


def run(fn: Any, event: Any, request_id: str | None = None) -> Any:
    """Run one invocation in the function's child process; returns an executor ``Invocation``."""
    from course_lib import server
    from course_lib.runtime import environments, executor, logs

    request_id = request_id or str(uuid.uuid4())
    echo = getattr(executor._echo_local, "echo", True)
    log_stream = f"{dt.datetime.now(dt.timezone.utc):%Y/%m/%d}/[$LATEST]{uuid.uuid4().hex}"
    timeout_s = float(fn.timeout or 3)
    memory_mb = int(fn.memory_size or 128)
    key = executor.environment_key(fn)
    mode = server.start()
    variables = executor._lambda_environment(fn, request_id, log_stream)
    variables.update(server.child_variables(mode.port))
    variables["PYTHONDONTWRITEBYTECODE"] = "1"

    lines: list[str] = []
    error_payload: dict[str, Any] | None = None
    payload_text = "null"
    init_ms: float | None = None
    duration_ms = 0.0
    max_memory_mb = executor.RUNTIME_BASELINE_MB
    status: str | None = None

    with _lock:
        worker = _workers.get(key)
        if worker is not None and not worker.alive():
            _workers.pop(key, None)
            worker = None
    if worker is None:
        worker, init_error, init_logs = _start_worker(fn, variables)
        if init_logs:
            lines += init_logs.split("\n")
        if worker is None:
            error_payload = {**(init_error or {}), "requestId": request_id}
            lines.append(f"[ERROR] {error_payload.get('errorType')}: {error_payload.get('errorMessage')}")
            status = "error"
        else:
            init_ms = worker.init_ms
            with _lock:
                _workers[key] = worker
    if worker is not None:
        with worker.lock:
            worker.invocations += 1
            deadline_ms = int(time.time() * 1000 + timeout_s * 1000)
            request = {"event": event, "request_id": request_id, "deadline_ms": deadline_ms,
                       "log_stream_name": log_stream, "env": {"_X_AMZN_TRACE_ID": variables.get("_X_AMZN_TRACE_ID", "")}}
            started = time.perf_counter()
            assert worker.process.stdin is not None
            try:
                worker.process.stdin.write(json.dumps(request) + "\n")
                worker.process.stdin.flush()
                line = _read_line(worker.process, timeout_s)
            except (BrokenPipeError, OSError):
                line = None
            duration_ms = (time.perf_counter() - started) * 1000
            if line is None:
                timed_out = worker.alive()
                worker.kill()
                lines += worker.take_output(None, wait_s=0.5)
                with _lock:
                    _workers.pop(key, None)
                if timed_out:
                    error_payload = {"errorType": "Sandbox.Timedout",
                                     "errorMessage": f"RequestId: {request_id} Error: Task timed out after {timeout_s:.2f} seconds"}
                    duration_ms, status = timeout_s * 1000, "timeout"
                else:
                    error_payload = {"errorType": "Runtime.ExitError",
                                     "errorMessage": f"RequestId: {request_id} Error: Runtime exited with error: exit status {worker.process.returncode}"}
                    status = "error"
            else:
                answer = json.loads(line)
                duration_ms = float(answer.get("duration_ms", duration_ms))
                max_memory_mb = int(answer.get("max_memory_mb", max_memory_mb))
                lines += worker.take_output(request_id)
                if answer.get("ok"):
                    payload_text = answer["payload"]
                else:
                    error_payload = answer["error"]
                    if answer.get("fatal"):
                        status = "error"
                        worker.kill()
                        with _lock:
                            _workers.pop(key, None)

    if error_payload is not None and error_payload.get("errorType") == "Runtime.OutOfMemory":
        max_memory_mb = memory_mb  # AWS reports the whole allowance for a function it stopped
    if status == "timeout":
        stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        lines.append(f"{stamp} {request_id} Task timed out after {timeout_s:.2f} seconds")
    report = logs.Report(
        request_id=request_id,
        status=status,
        duration_ms=round(duration_ms, 2),
        billed_ms=logs.billed_ms(duration_ms, init_ms),
        memory_mb=memory_mb,
        max_memory_mb=min(max_memory_mb, memory_mb),
        init_ms=round(init_ms, 2) if init_ms is not None else None,
    )
    if echo:
        for line_text in lines:
            print(line_text)
    log_lines = [logs.start_line(request_id)] + lines + [logs.end_line(request_id), report.line()]
    invocation = executor.Invocation(
        function_name=fn.function_name,
        function_arn=fn.function_arn,
        request_id=request_id,
        payload=json.dumps(error_payload) if error_payload is not None else payload_text,
        error_type=error_payload.get("errorType") if error_payload is not None else None,
        log_text="\n".join(log_lines) + "\n",
        report=report,
        environment_id=f"pid-{worker.process.pid}" if worker is not None else "",
    )
    executor._save_logs(fn, log_stream, log_lines)
    with executor._listeners_lock:
        listeners = list(executor._listeners)
    for callback in listeners:
        callback(invocation)
    environments.discard(key)  # an isolated function keeps no in-kernel environment
    return invocation


def _stop_workers(which: Any = None) -> None:
    with _lock:
        keys = [k for k in _workers if which is None or which(k)]
        stopping = [_workers.pop(k) for k in keys]
    for worker in stopping:
        worker.kill()


def forget() -> None:
    """Stop every child environment and forget which functions are isolated."""
    _stop_workers()
    with _lock:
        _isolated.clear()


atexit.register(_stop_workers)
