"""Step Functions executions for chapter 08: run on the course clock, read back as a story.

    from course_lib import state_machines as sm
    run = sm.run(machine_arn, {"order_id": "A-1"}, name="A-1")   # start, drive, return when done
    run                        # status, each state in order, retries with their backoff, output
    run.attempts("Charge")     # every attempt of a Task: outcome, error, wait before it
    run.transitions            # what a Standard workflow bills (state entries plus retries)
    sfn.start_sync_execution(stateMachineArn=express_arn, input="{}")   # works (moto has none)

What it emulates, on top of :mod:`course_lib.wiring.stepfunctions` (which makes executions
run, puts Wait states on the course clock and draws a path):

* **Retry backoff on the course clock.** moto's interpreter sleeps for real between retries
  (``IntervalSeconds`` times ``BackoffRate`` to the power of the retry number), so three retries
  of a failing payment take seconds of notebook time. Here a retrier waits on the course clock,
  like a Wait state, and the wait is recorded.
* **History in course time.** Every history event is stamped with the course clock, so a Wait
  of a day shows as a day in ``get_execution_history`` and in the timeline.
* **Runs that drive the clock.** :func:`run` (and :func:`drive` for an execution you started)
  waits for the execution; whenever all of it is blocked on timed waits (Wait states, retry
  backoff) and no task is running, it advances the course clock to the earliest deadline.
  A workflow that waits a day finishes in milliseconds, and its history says a day passed.
  Executions you do not drive wait until you call ``clock.advance``.
* **StartSyncExecution.** moto answers ``404`` for Express workflows' synchronous API; here the
  ``sync-states`` endpoint is routed to an emulation that starts the execution, drives it and
  answers with AWS's response shape, including ``billingDetails``. A Standard machine gets
  ``StateMachineTypeNotSupported``, as on AWS.
* **The Express time limit.** An Express execution driven past its maximum duration (from the
  facts file) is stopped; the sync API answers ``TIMED_OUT`` with ``States.Timeout``.
* **Quiet tasks.** A Lambda task's print output goes to its CloudWatch Logs only, as on AWS;
  moto runs tasks on background threads whose output would land in whatever cell is running.

Differs from AWS: Express executions keep a history here (AWS keeps none: it logs to CloudWatch
Logs when configured) and their ARNs use ``:execution:``, not ``:express:``; a timed-out
Express execution's history ends in ``ExecutionAborted``; ``billedMemoryUsedInMB`` is always
one 64 MB chunk (AWS estimates it from the definition and payload sizes); ``describe_execution``
start and stop dates stay on wall time; the clock is advanced only while no task of the
execution is running, but a branch moving between two states at that instant can see the jump.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import math
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping

from course_lib import clock

_installed = False
_install_lock = threading.Lock()
_local = threading.local()

# Slack added when advancing to a wait's deadline: the waiting thread compares against a
# deadline it computed a few microseconds after ours.
_EPSILON_S = 0.001


# -- which executions are waiting on the clock, and which are busy -------------------------------


class _Tracker:
    """Timed waits and running tasks of one execution."""

    def __init__(self) -> None:
        self.deadlines: dict[int, float] = {}
        self.busy = 0
        self.lock = threading.Lock()


_trackers: dict[str, _Tracker] = {}
_trackers_lock = threading.Lock()
_tokens = itertools.count(1)


def _tracker(execution_arn: str) -> _Tracker:
    with _trackers_lock:
        return _trackers.setdefault(execution_arn, _Tracker())


def _execution_arn(env: Any) -> str | None:
    try:
        return str(env.states.context_object.context_object_data["Execution"]["Id"])
    except Exception:  # noqa: BLE001 - an environment without context (tests of the interpreter)
        return None


class _timed_wait:
    """Context manager: this execution is blocked until ``deadline`` (course time)."""

    def __init__(self, env: Any, deadline: float) -> None:
        self.arn = _execution_arn(env)
        self.deadline = deadline
        self.token = next(_tokens)

    def __enter__(self) -> None:
        if self.arn:
            tracker = _tracker(self.arn)
            with tracker.lock:
                tracker.deadlines[self.token] = self.deadline

    def __exit__(self, *exc: object) -> None:
        if self.arn:
            tracker = _tracker(self.arn)
            with tracker.lock:
                tracker.deadlines.pop(self.token, None)


# -- patches ---------------------------------------------------------------------------------


class _CourseSleep:
    """Stands in for the ``time`` module inside moto's retrier: ``sleep`` waits on the course clock."""

    def sleep(self, seconds: float) -> None:
        env = getattr(_local, "retrier_env", None)
        if seconds <= 0:
            return
        deadline = clock.time() + float(seconds)
        cancelled = (lambda: not env.is_running()) if env is not None else None
        with _timed_wait(env, deadline) if env is not None else _nothing():
            clock.CLOCK.wait_until(deadline, cancelled=cancelled)

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)


class _nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def _patch_retrier(module: Any) -> None:
    original = module.RetrierDecl._eval_body

    def _eval_body(self: Any, env: Any) -> None:
        previous = getattr(_local, "retrier_env", None)
        _local.retrier_env = env
        try:
            original(self, env)
        finally:
            _local.retrier_env = previous

    module.RetrierDecl._eval_body = _eval_body
    module.time = _CourseSleep()  # the retrier's only use of ``time`` is ``time.sleep(interval)``


def _patch_wait(module: Any) -> None:
    inner = module.WaitFunction._wait_interval  # the wiring's course-clock wait

    def _wait_interval(self: Any, env: Any, wait_seconds: int) -> None:
        if wait_seconds <= 0:
            return inner(self, env, wait_seconds)
        with _timed_wait(env, clock.time() + wait_seconds):
            return inner(self, env, wait_seconds)

    module.WaitFunction._wait_interval = _wait_interval


def _patch_events(module: Any) -> None:
    module.EventManager._get_current_timestamp = staticmethod(clock.now)


def _patch_tasks(module: Any) -> None:
    """Count running tasks per execution, so the clock never jumps while one is working."""
    original = module.ExecutionState._evaluate_with_timeout

    def _evaluate_with_timeout(self: Any, env: Any) -> None:
        # Imported here: this patch runs while moto is still importing the task module.
        from moto.stepfunctions.parser.asl.component.state.exec.state_task.state_task import StateTask

        arn = _execution_arn(env) if isinstance(self, StateTask) else None
        if arn is None:
            return original(self, env)
        tracker = _tracker(arn)
        with tracker.lock:
            tracker.busy += 1
        try:
            return original(self, env)
        finally:
            with tracker.lock:
                tracker.busy -= 1

    module.ExecutionState._evaluate_with_timeout = _evaluate_with_timeout


def _patch_lambda_output(module: Any) -> None:
    from course_lib.runtime import executor

    for name in ("exec_lambda_function", "execute_lambda_function_integration"):
        original = getattr(module, name)

        def quiet_call(*args: Any, __original: Callable[..., Any] = original, **kwargs: Any) -> Any:
            with executor.quiet():
                return __original(*args, **kwargs)

        setattr(module, name, quiet_call)


def _patch_sync_api(urls: Any) -> None:
    import moto.backend_index as backend_index
    from moto.core.responses import ActionResult
    from moto.stepfunctions.responses import StepFunctionResponse

    pattern = r"https?://sync-states\.(.+)\.amazonaws.com"
    if pattern not in urls.url_bases:
        urls.url_bases.append(pattern)
        backend_index.backend_url_patterns.append(("stepfunctions", re.compile(pattern)))

    def start_sync_execution(self: Any) -> Any:
        return ActionResult(
            _start_sync(
                self.current_account,
                self.region,
                self._get_param("stateMachineArn"),
                self._get_param("name"),
                self._get_param("input", if_none="{}"),
            )
        )

    StepFunctionResponse.start_sync_execution = start_sync_execution


def install() -> None:
    """Apply the patches (idempotent). Importing this module calls it."""
    global _installed
    from course_lib import wiring

    wiring.keep_after_reset("state_machines", _trackers.clear)  # executions of the old account
    with _install_lock:
        if _installed:
            return
        from course_lib.wiring import _lazy
        from course_lib.wiring import stepfunctions as wiring_sfn

        wiring_sfn.install()  # its Wait patch must be in place before ours wraps it
        parser = "moto.stepfunctions.parser.asl"
        _lazy.when_imported(f"{parser}.component.common.retry.retrier_decl", _patch_retrier)
        _lazy.when_imported(f"{parser}.component.state.wait.wait_function.wait_function", _patch_wait)
        _lazy.when_imported(f"{parser}.eval.event.event_manager", _patch_events)
        _lazy.when_imported(f"{parser}.component.state.exec.execute_state", _patch_tasks)
        _lazy.when_imported(f"{parser}.component.state.exec.state_task.lambda_eval_utils", _patch_lambda_output)
        _lazy.when_imported("moto.stepfunctions.urls", _patch_sync_api)
        _installed = True


# -- driving an execution --------------------------------------------------------------------


def _backend(account: str | None = None, region: str | None = None) -> Any:
    from moto.stepfunctions.responses import get_backend

    from course_lib import sandbox

    return get_backend(account or sandbox.ACCOUNT_ID, region or sandbox.REGION)


def _moto_execution(execution_arn: str, account: str | None = None, region: str | None = None) -> Any:
    return _backend(account, region).describe_execution(execution_arn)


def express_limit_s() -> float:
    from course_lib import facts

    return float(facts.value("stepfunctions.limits.express_max_duration_s"))


def _drive_moto_execution(execution: Any, timeout: float, limit_s: float | None) -> str:
    """Wait for ``execution`` (a moto parser Execution), advancing the clock through its waits."""
    arn = execution.exec_arn
    try:
        started = _event_time(execution.to_history_output()["events"][0]).timestamp()
    except Exception:  # noqa: BLE001 - no history yet: the execution is starting now
        started = clock.time()
    deadline_real = time.monotonic() + timeout
    while True:
        status = str(execution.exec_status)
        if status != "RUNNING" and not status.endswith(".RUNNING"):
            with _trackers_lock:
                _trackers.pop(arn, None)
            return status.rsplit(".", 1)[-1]
        tracker = _tracker(arn)
        with tracker.lock:
            waiting = sorted(tracker.deadlines.values()) if tracker.busy == 0 else []
        if waiting:
            target = waiting[0] + _EPSILON_S
            if limit_s is not None and target > started + limit_s:
                clock.advance(to=started + limit_s)
                _time_out(execution, limit_s)
                return "TIMED_OUT"
            if target > clock.time():
                clock.advance(to=target)
        if time.monotonic() > deadline_real:
            raise TimeoutError(f"Execution {arn.rsplit(':', 1)[-1]} still RUNNING after {timeout} s of real time.")
        time.sleep(0.002)


def _time_out(execution: Any, limit_s: float) -> None:
    from moto.stepfunctions.parser.api import ExecutionStatus

    error, cause = "States.Timeout", f"The execution ran longer than the Express maximum of {limit_s:g} seconds."
    execution.stop(stop_date=clock.now(), error=error, cause=cause)
    for _ in range(2000):  # the worker notices the stop at its next wait check, then logs it
        events = execution.to_history_output()["events"]
        if execution.exec_status != ExecutionStatus.RUNNING and events and events[-1]["type"] == "ExecutionAborted":
            break
        time.sleep(0.001)
    execution.exec_status = ExecutionStatus.TIMED_OUT
    execution.error, execution.cause = error, cause


def drive(execution_arn: str, timeout: float = 30.0) -> "Run":
    """Wait for an execution you started, advancing the course clock through its timed waits."""
    install()
    execution = _moto_execution(execution_arn)
    limit = express_limit_s() if _is_express(execution) else None
    _drive_moto_execution(execution, timeout, limit)
    return read_run(execution_arn)


def _is_express(execution: Any) -> bool:
    return str(getattr(execution, "sm_type", "")).upper().endswith("EXPRESS")


def run(
    state_machine_arn: str,
    execution_input: Any = None,
    name: str | None = None,
    timeout: float = 30.0,
) -> "Run":
    """Start an execution with boto3, drive it to the end on the course clock, and read it back."""
    install()
    from course_lib import sandbox

    sfn = sandbox.current().client("stepfunctions")
    payload = execution_input if isinstance(execution_input, str) else json.dumps(execution_input or {})
    started = sfn.start_execution(stateMachineArn=state_machine_arn, name=name or str(uuid.uuid4()), input=payload)
    return drive(started["executionArn"], timeout=timeout)


# -- StartSyncExecution ----------------------------------------------------------------------


def _start_sync(account: str, region: str, machine_arn: str, name: str | None, payload: str) -> dict[str, Any]:
    from moto.core.exceptions import AWSError

    class StateMachineTypeNotSupported(AWSError):
        TYPE = "StateMachineTypeNotSupported"
        STATUS = 400

    backend = _backend(account, region)
    machine = backend.describe_state_machine(machine_arn)
    if str(getattr(machine, "type", "STANDARD")).upper() != "EXPRESS":
        raise StateMachineTypeNotSupported("This operation is not supported by this type of state machine")
    execution = backend.start_execution(machine_arn, name or str(uuid.uuid4()), payload)
    status = _drive_moto_execution(execution, timeout=60.0, limit_s=express_limit_s())
    events = execution.to_history_output()["events"]
    first, last = _event_time(events[0]), _event_time(events[-1])
    duration_ms = (last - first).total_seconds() * 1000
    if status == "TIMED_OUT":
        duration_ms = express_limit_s() * 1000  # it ran, and was billed, up to the limit
    billed_ms = _billed_express_ms(duration_ms)
    response: dict[str, Any] = {
        "executionArn": execution.exec_arn,
        "stateMachineArn": machine_arn,
        "name": execution.name,
        "startDate": first,
        "stopDate": last,
        "status": status if status in ("SUCCEEDED", "TIMED_OUT") else "FAILED",
        "input": payload,
        "inputDetails": {"included": True},
        "billingDetails": {"billedMemoryUsedInMB": _billed_express_mb(), "billedDurationInMilliseconds": billed_ms},
    }
    if status == "SUCCEEDED":
        output = execution.output
        response["output"] = output if isinstance(output, str) else json.dumps(output, separators=(",", ":"))
        response["outputDetails"] = {"included": True}
    if execution.error is not None:
        response["error"] = execution.error
    if execution.cause is not None:
        response["cause"] = execution.cause
    return response


def _billed_express_ms(duration_ms: float) -> int:
    from course_lib import facts

    step = int(facts.value("stepfunctions.units.express_duration_rounding_ms"))
    return max(1, math.ceil(round(duration_ms / step, 6))) * step


def _billed_express_mb() -> int:
    from course_lib import facts

    return int(facts.value("stepfunctions.units.express_memory_chunk_mb"))


def _event_time(event: Mapping[str, Any]) -> dt.datetime:
    stamp = event["timestamp"]
    if isinstance(stamp, dt.datetime):
        return stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.timezone.utc)
    return dt.datetime.fromisoformat(str(stamp).replace("Z", "+00:00"))


# -- reading an execution back ---------------------------------------------------------------

_SCHEDULED = {"TaskScheduled", "LambdaFunctionScheduled", "ActivityScheduled"}
_SUCCEEDED = {"TaskSucceeded", "LambdaFunctionSucceeded", "ActivitySucceeded"}
_FAILED = {
    "TaskFailed", "TaskTimedOut", "TaskStartFailed", "TaskSubmitFailed",
    "LambdaFunctionFailed", "LambdaFunctionTimedOut", "LambdaFunctionStartFailed",
    "LambdaFunctionScheduleFailed", "ActivityFailed", "ActivityTimedOut", "ActivityScheduleFailed",
}


@dataclass
class Attempt:
    """One try of a Task state: what happened, and how long the execution waited before it."""

    number: int
    started: dt.datetime
    ended: dt.datetime | None = None
    succeeded: bool | None = None
    error: str | None = None
    message: str | None = None
    waited_s: float = 0.0  # backoff before this attempt (0 for the first)

    @property
    def outcome(self) -> str:
        if self.succeeded is None:
            return "running"
        return "succeeded" if self.succeeded else f"failed: {self.error}"


@dataclass
class Visit:
    """One entry into a state: when, for how long, how it ended, and its task attempts."""

    name: str
    state_type: str
    entered: dt.datetime
    event_id: int
    exited: dt.datetime | None = None
    input: Any = None
    output: Any = None
    attempts: list[Attempt] = field(default_factory=list)
    iterations: int = 0  # Map states: how many items it ran

    @property
    def retries(self) -> int:
        return max(0, len(self.attempts) - 1)

    @property
    def duration_s(self) -> float | None:
        return None if self.exited is None else (self.exited - self.entered).total_seconds()

    @property
    def status(self) -> str:
        if self.state_type == "Fail":
            return "failed"
        if self.exited is None:
            return "failed"
        if self.attempts and not self.attempts[-1].succeeded:
            return "caught"  # the last attempt failed and a Catch moved on
        return "retried" if self.retries else "succeeded"


def _parse_json(text: Any) -> Any:
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text


def _error_parts(details: Mapping[str, Any]) -> tuple[str, str]:
    error = str(details.get("error", ""))
    cause = _parse_json(details.get("cause", ""))
    if isinstance(cause, dict) and "errorMessage" in cause:
        return error or str(cause.get("errorType", "")), str(cause["errorMessage"])
    return error, "" if cause is None else str(cause)


def _details(event: Mapping[str, Any]) -> Mapping[str, Any]:
    return next((v for k, v in event.items() if k.endswith("EventDetails") and isinstance(v, dict)), {})


def human_span(seconds: float) -> str:
    """``86400`` -> ``1 d``; ``6.02`` -> ``6 s``; ``3725`` -> ``1 h 2 min 5 s``; under half a second -> ``0 s``."""
    total = int(round(max(0.0, seconds)))
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60), ("s", 1)):
        amount, total = divmod(total, size)
        if amount:
            parts.append(f"{amount} {unit}")
    return " ".join(parts) or "0 s"


@dataclass
class Run:
    """A finished (or running) execution, read from ``describe_execution`` and its history."""

    execution_arn: str
    name: str
    state_machine_arn: str
    workflow_type: str
    status: str
    definition: dict[str, Any]
    input: Any
    output: Any
    error: str | None
    cause: str | None
    events: list[dict[str, Any]]
    visits: list[Visit]

    # -- what it did --
    @property
    def started(self) -> dt.datetime:
        return _event_time(self.events[0])

    @property
    def stopped(self) -> dt.datetime:
        return _event_time(self.events[-1])

    @property
    def duration_s(self) -> float:
        """Course time from the first history event to the last."""
        return (self.stopped - self.started).total_seconds()

    @property
    def states(self) -> list[str]:
        """State names in the order they were entered (Map iterations repeat inner states)."""
        return [v.name for v in self.visits]

    @property
    def transitions(self) -> int:
        """Billed state transitions (Standard): every state entered, plus every retry."""
        return len(self.visits) + sum(v.retries for v in self.visits)

    def visit(self, state: str) -> Visit:
        for v in self.visits:
            if v.name == state:
                return v
        raise KeyError(f"The execution never entered {state!r}; it entered {self.states}.")

    def attempts(self, state: str) -> list[Attempt]:
        """Every attempt of a Task state, across all its visits."""
        return [a for v in self.visits if v.name == state for a in v.attempts]

    def event_types(self) -> list[str]:
        return [e["type"] for e in self.events]

    # -- telling it --
    def _note(self, visit: Visit, count: int) -> str:
        notes = []
        if visit.state_type == "Map":
            notes.append(f"{visit.iterations} iteration{'s' if visit.iterations != 1 else ''}")
        if count > 1:
            notes.append(f"x{count}")
        if visit.state_type == "Wait" and visit.duration_s is not None:
            notes.append(f"waited {human_span(visit.duration_s)}")
        if visit.retries or (visit.attempts and not visit.attempts[-1].succeeded):
            story = []
            for attempt in visit.attempts:
                if attempt.waited_s:
                    story.append(f"backoff {human_span(attempt.waited_s)}")
                story.append(f"attempt {attempt.number} {attempt.outcome}")
            notes.append("; ".join(story))
        return ", ".join(notes)

    def summary_lines(self) -> list[str]:
        kind = self.workflow_type.capitalize()
        lines = [f"Execution {self.name} ({kind}): {self.status}, {self.transitions} state transitions"]
        top = self.definition.get("States") or {}
        for v in self.visits:
            if v.name not in top:
                continue  # nested states are listed under their Map or Parallel state
            lines.append(f"  {v.name:<22} {v.state_type:<9} {v.status:<9} {self._note(v, 1)}".rstrip())
            for inner in _inner_states(top[v.name]):
                inner_visits = [x for x in self.visits if x.name == inner and x.entered >= v.entered
                                and (v.exited is None or x.entered <= v.exited)]
                if not inner_visits:
                    continue
                first = inner_visits[0]
                statuses = "/".join(sorted({x.status for x in inner_visits}))
                lines.append(f"    {inner:<20} {first.state_type:<9} {statuses:<9} "
                             f"{self._note(first, len(inner_visits))}".rstrip())
        if self.status == "SUCCEEDED":
            lines.append(f"  output: {json.dumps(self.output, sort_keys=True)}")
        elif self.error:
            lines.append(f"  error: {self.error}" + (f": {_short_cause(self.cause)}" if self.cause else ""))
        return lines

    def __repr__(self) -> str:
        return "\n".join(self.summary_lines())

    # -- pictures --
    def timeline(self, title: str | None = None) -> Any:
        """Each state as a bar on course time; attempts, backoff and long waits marked."""
        from course_lib.diagrams import execution_timeline

        return execution_timeline(self, title=title)[0]

    def diagram(self, title: str | None = None) -> Any:
        """The state machine drawn with this execution's path highlighted."""
        from course_lib.diagrams import state_machine_diagram

        return state_machine_diagram(self.definition, self, title=title)[0]


def _short_cause(cause: str | None) -> str:
    parsed = _parse_json(cause)
    if isinstance(parsed, dict) and "errorMessage" in parsed:
        return str(parsed["errorMessage"])
    return str(cause)


def _inner_states(state: Mapping[str, Any]) -> list[str]:
    """Names of the states nested in a Map or Parallel state, in definition order."""
    names: list[str] = []
    blocks: Iterable[Mapping[str, Any]] = []
    if state.get("Type") == "Parallel":
        blocks = state.get("Branches") or []
    elif state.get("Type") == "Map":
        blocks = [state.get("ItemProcessor") or state.get("Iterator") or {}]
    for block in blocks:
        for name, inner in (block.get("States") or {}).items():
            names.append(name)
            names.extend(_inner_states(inner))
    return names


def read_run(execution_arn: str) -> Run:
    """Read an execution and its whole history into a :class:`Run`."""
    install()
    from course_lib import sandbox

    sfn = sandbox.current().client("stepfunctions")
    described = sfn.describe_execution(executionArn=execution_arn)
    machine = sfn.describe_state_machine(stateMachineArn=described["stateMachineArn"])
    from course_lib.wiring.stepfunctions import execution_history

    events = sorted(execution_history(sfn, execution_arn), key=lambda e: e["id"])
    return Run(
        execution_arn=execution_arn,
        name=described["name"],
        state_machine_arn=described["stateMachineArn"],
        workflow_type=str(machine.get("type", "STANDARD")),
        status=described["status"],
        definition=_parse_json(machine["definition"]) or {},
        input=_parse_json(described.get("input")),
        output=_parse_json(described.get("output")),
        error=described.get("error"),
        cause=described.get("cause"),
        events=events,
        visits=visits_from_history(events),
    )


def visits_from_history(events: list[Mapping[str, Any]]) -> list[Visit]:
    """Every state entry, with its exit and task attempts, from an execution's history.

    Each event names the one before it in the same branch (``previousEventId``); walking back
    from an event to the nearest ``...StateEntered`` finds the state it belongs to, even when
    Parallel branches and Map iterations interleave.
    """
    by_id = {e["id"]: e for e in events}

    def entered_before(event_id: int | None, name: str | None = None) -> int | None:
        # Walk back along previousEventId to the nearest StateEntered (with that name).
        current = event_id
        while current and current in by_id:
            event = by_id[current]
            if event["type"].endswith("StateEntered") and (name is None or _details(event).get("name") == name):
                return current
            current = event.get("previousEventId") or None
        return None

    visits: dict[int, Visit] = {}
    order: list[int] = []
    last_failure: dict[int, dt.datetime] = {}
    for event in events:
        kind = event["type"]
        details = _details(event)
        when = _event_time(event)
        if kind.endswith("StateEntered"):
            visits[event["id"]] = Visit(
                name=details.get("name", "?"), state_type=kind[: -len("StateEntered")], entered=when,
                event_id=event["id"], input=_parse_json(details.get("input")),
            )
            order.append(event["id"])
            continue
        if kind.endswith("StateExited"):
            # Nested states (Map, Parallel) sit between a state's exit and its entry.
            entered = entered_before(event.get("previousEventId"), details.get("name"))
        else:
            entered = entered_before(event["id"])
        visit = visits.get(entered) if entered is not None else None
        if visit is None:
            continue
        if kind.endswith("StateExited"):
            visit.exited = when
            visit.output = _parse_json(details.get("output"))
        elif kind in _SCHEDULED:
            waited = (when - last_failure[visit.event_id]).total_seconds() if visit.event_id in last_failure else 0.0
            visit.attempts.append(Attempt(number=len(visit.attempts) + 1, started=when, waited_s=waited))
        elif kind in _SUCCEEDED and visit.attempts:
            visit.attempts[-1].ended, visit.attempts[-1].succeeded = when, True
        elif kind in _FAILED and visit.attempts:
            error, message = _error_parts(details)
            attempt = visit.attempts[-1]
            attempt.ended, attempt.succeeded, attempt.error, attempt.message = when, False, error, message
            last_failure[visit.event_id] = when
        elif kind == "MapStateStarted":
            visit.iterations = int(details.get("length", 0))
    return [visits[i] for i in order]


# -- Standard or Express: what a month costs -----------------------------------------------


@dataclass(frozen=True)
class WorkflowCostRow:
    executions: float
    standard_usd: float
    express_usd: float


def standard_vs_express(
    transitions_per_execution: int,
    duration_ms: float,
    memory_mb: int = 64,
    executions: Iterable[float] = (1e3, 1e4, 1e5, 1e6, 1e7, 1e8),
    title: str = "",
) -> tuple[Any, list[WorkflowCostRow]]:
    """The same workflow priced both ways, month by month, at several volumes (no free tier).

    Standard bills every state transition; Express bills each request plus its duration in
    GB-hours (duration rounded up to 100 ms, memory to 64 MB chunks). Prices come from
    ``course_lib.pricing`` and the facts file. Returns the figure and its rows.
    """
    import matplotlib.pyplot as plt

    from course_lib import pricing

    rows = [
        WorkflowCostRow(
            n,
            pricing.stepfunctions_cost(n, "standard", transitions_per_execution=transitions_per_execution).total,
            pricing.stepfunctions_cost(n, "express", duration_ms=duration_ms, memory_mb=memory_mb).total,
        )
        for n in executions
    ]
    fig, ax = plt.subplots(figsize=(8, 4.2))
    xs = [r.executions for r in rows]
    ax.loglog(xs, [r.standard_usd for r in rows], "o-", color="#6a1b9a",
              label=f"Standard: {transitions_per_execution} transitions each")
    ax.loglog(xs, [r.express_usd for r in rows], "s-", color="#00838f",
              label=f"Express: {duration_ms:g} ms at {memory_mb} MB each")
    from matplotlib.ticker import FuncFormatter

    for r in rows[-1:]:
        for value, colour in ((r.standard_usd, "#6a1b9a"), (r.express_usd, "#00838f")):
            ax.annotate(pricing.format_usd(value), (r.executions, value), textcoords="offset points",
                        xytext=(-10, 0), ha="right", va="center", fontsize=8, color=colour,
                        bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none"})
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: pricing.format_usd(v)))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:,.0f}"))
    ax.set_xlabel("executions per month (log scale)")
    ax.set_ylabel("USD per month (log scale)")
    ax.set_title(title or "The same workflow as Standard and as Express", fontsize=10)
    ax.minorticks_off()  # the decades are enough, and minor log ticks are slow to draw
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=8, frameon=False)
    fig.tight_layout()
    return fig, rows


install()
