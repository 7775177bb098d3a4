"""Step Functions executions that run, Wait states on the course clock, and a picture of the path.

    arn = sfn.start_execution(stateMachineArn=machine, input=json.dumps(order))["executionArn"]
    path = stepfunctions.wait_for(arn)      # polls until the execution has finished
    path                                    # the states it went through, with timings
    stepfunctions.show_path(arn)            # diagram (path highlighted) + timeline, matplotlib

What it emulates. With the sandbox's ``execute_state_machine`` setting, moto runs executions
with its ASL interpreter (Task, Choice, Wait, Parallel, Map, Retry, Catch and service
integrations) on a thread. This module adds:

* **The execution-name quirk.** Without ``name=``, moto's parser builds an ARN ending in
  ``:None`` and every nameless execution collides; here a UUID name is generated, as AWS does.
* **Wait states on the course clock.** ``"Seconds": 3600`` does not block for an hour: the
  execution waits until the course clock has moved past it, so ``clock.advance(hours=1)``
  releases it at once (in real time it waits for real).
* **The path.** :func:`execution_path` reads the execution's history into the ordered states
  it entered, with their outcome and duration; :func:`show_path` draws the state machine with
  that path highlighted next to a timeline of the states.

Differs from AWS: ``start_sync_execution`` (Express workflows) is not available in moto; a
``Timestamp``/``TimestampPath`` Wait is measured against wall time, not the course clock;
executions run on moto's threads, so a Lambda task's output does not appear in the cell.
"""

from __future__ import annotations

import datetime as dt
import json
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from course_lib import clock

_installed = False


@dataclass
class Step:
    """One state the execution entered."""

    name: str
    state_type: str
    entered: dt.datetime
    exited: dt.datetime | None
    status: str  # "succeeded", "failed", "caught", "running"
    input: Any = None
    output: Any = None
    error: str | None = None

    @property
    def duration_ms(self) -> float | None:
        return None if self.exited is None else (self.exited - self.entered).total_seconds() * 1000


@dataclass
class ExecutionPath:
    """The states an execution went through, in order."""

    execution_arn: str
    status: str
    steps: list[Step] = field(default_factory=list)
    definition: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    output: Any = None

    @property
    def names(self) -> list[str]:
        return [s.name for s in self.steps]

    def __repr__(self) -> str:
        # Names and outcomes only, so a notebook shows the same text on every run;
        # durations are in table() and show_path().
        lines = [f"Execution {self.execution_arn.rsplit(':', 1)[-1]}: {self.status}"]
        for i, step in enumerate(self.steps, 1):
            note = f"  ({step.error})" if step.error else ""
            lines.append(f"  {i:2}. {step.name:<28} {step.state_type:<9} {step.status}{note}")
        if self.error:
            lines.append(f"  error: {self.error}")
        return "\n".join(lines)

    def table(self) -> str:
        """The path with each state's duration (wall-clock milliseconds)."""
        lines = []
        for i, step in enumerate(self.steps, 1):
            took = f"{step.duration_ms:8.1f} ms" if step.duration_ms is not None else "   running"
            lines.append(f"{i:2}. {step.name:<28} {step.state_type:<9} {step.status:<9} {took}")
        return "\n".join(lines)


# -- reading an execution ---------------------------------------------------------------------


def _client() -> Any:
    from course_lib import sandbox

    return sandbox.current().client("stepfunctions")


def _json(text: Any) -> Any:
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text


def execution_history(client: Any, execution_arn: str) -> list[dict[str, Any]]:
    """Every history event of an execution, across pages, in the order AWS returns them."""
    history: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"executionArn": execution_arn, "maxResults": 1000}
    while True:
        page = client.get_execution_history(**kwargs)
        history += page["events"]
        if not page.get("nextToken"):
            return history
        kwargs["nextToken"] = page["nextToken"]


def execution_path(execution_arn: str) -> ExecutionPath:
    """The ordered states of an execution, from its history."""
    client = _client()
    described = client.describe_execution(executionArn=execution_arn)
    machine = client.describe_state_machine(stateMachineArn=described["stateMachineArn"])
    history = execution_history(client, execution_arn)
    path = ExecutionPath(
        execution_arn=execution_arn,
        status=described["status"],
        definition=_json(machine["definition"]) or {},
        output=_json(described.get("output")),
    )
    if described.get("error"):
        path.error = f"{described.get('error')}: {described.get('cause', '')}".strip()
    open_steps: dict[str, Step] = {}
    for event in history:
        kind: str = event["type"]
        when = event["timestamp"]
        if kind.endswith("StateEntered"):
            details = event.get("stateEnteredEventDetails", {})
            step = Step(details.get("name", "?"), kind[: -len("StateEntered")], when, None, "running", _json(details.get("input")))
            path.steps.append(step)
            open_steps[step.name] = step
        elif kind.endswith("StateExited"):
            details = event.get("stateExitedEventDetails", {})
            step = open_steps.pop(details.get("name", "?"), None)
            if step is not None:
                step.exited = when
                step.output = _json(details.get("output"))
                step.status = "failed" if step.state_type == "Fail" else "succeeded"
        elif kind.endswith("Failed") or kind.endswith("TimedOut"):
            details = next((v for k, v in event.items() if k.endswith("EventDetails")), {}) or {}
            message = f"{details.get('error', kind)}: {details.get('cause', '')}".strip(": ")
            for step in open_steps.values():
                step.error = message
    for step in open_steps.values():
        if path.status != "RUNNING":
            step.status = "failed" if path.status != "SUCCEEDED" else "succeeded"
            step.exited = step.exited or step.entered
    for step in path.steps:
        if step.error and step.status == "succeeded":
            step.status = "caught"  # the error was retried or caught and the state still finished
    return path


def wait_for(execution_arn: str, timeout: float = 30.0) -> ExecutionPath:
    """Poll until the execution is no longer RUNNING (Wait states need ``clock.advance``)."""
    client = _client()
    deadline = time.monotonic() + timeout
    while client.describe_execution(executionArn=execution_arn)["status"] == "RUNNING":
        if time.monotonic() > deadline:
            raise TimeoutError(
                f"Execution still RUNNING after {timeout} s. Is it in a Wait state? Advance the course clock."
            )
        time.sleep(0.01)
    return execution_path(execution_arn)


# -- drawing ----------------------------------------------------------------------------------


def _edges(definition: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(from, to, label) for every transition in a state machine's top level."""
    edges = []
    for name, state in (definition.get("States") or {}).items():
        if state.get("Next"):
            edges.append((name, state["Next"], ""))
        for choice in state.get("Choices") or []:
            if choice.get("Next"):
                edges.append((name, choice["Next"], "choice"))
        if state.get("Default"):
            edges.append((name, state["Default"], "default"))
        for catch in state.get("Catch") or []:
            if catch.get("Next"):
                edges.append((name, catch["Next"], "catch"))
    return edges


def _layout(definition: dict[str, Any]) -> dict[str, tuple[float, float]]:
    """Layered layout: depth from StartAt (breadth first) down, states of a layer side by side."""
    states = list((definition.get("States") or {}).keys())
    depth: dict[str, int] = {}
    start = definition.get("StartAt")
    queue: deque[str] = deque([start] if start in states else [])
    if start in states:
        depth[start] = 0
    adjacency: dict[str, list[str]] = {s: [] for s in states}
    for a, b, _ in _edges(definition):
        if a in adjacency and b in adjacency:
            adjacency[a].append(b)
    while queue:
        node = queue.popleft()
        for nxt in adjacency[node]:
            if nxt not in depth:
                depth[nxt] = depth[node] + 1
                queue.append(nxt)
    for s in states:  # unreachable states go at the bottom
        depth.setdefault(s, max(depth.values(), default=0) + 1)
    layers: dict[int, list[str]] = {}
    for s in states:
        layers.setdefault(depth[s], []).append(s)
    positions = {}
    for d, names in layers.items():
        for i, name in enumerate(names):
            positions[name] = (i - (len(names) - 1) / 2, -d)
    return positions


_COLORS = {"succeeded": "#2e7d32", "caught": "#f9a825", "failed": "#c62828", "running": "#1565c0"}


def show_path(execution: str | ExecutionPath, *, figsize: tuple[float, float] = (11, 4.5)) -> Any:
    """Draw the state machine with the execution's path highlighted, and a timeline.

    Returns a matplotlib ``Figure`` (a notebook cell displays it).
    """
    from matplotlib.figure import Figure
    from matplotlib.patches import FancyBboxPatch

    path = execution if isinstance(execution, ExecutionPath) else execution_path(execution)
    figure = Figure(figsize=figsize, layout="constrained")
    diagram, timeline = figure.subplots(1, 2, width_ratios=[1, 1.3])
    positions = _layout(path.definition)
    visited = {s.name: s for s in path.steps}
    walked = set(zip(path.names, path.names[1:]))
    states = path.definition.get("States") or {}

    for a, b, label in _edges(path.definition):
        if a not in positions or b not in positions:
            continue
        on_path = (a, b) in walked
        diagram.annotate(
            "",
            xy=positions[b],
            xytext=positions[a],
            arrowprops={
                "arrowstyle": "-|>",
                "color": "#37474f" if on_path else "#b0bec5",
                "lw": 2.4 if on_path else 1.0,
                "shrinkA": 14,
                "shrinkB": 14,
                "connectionstyle": "arc3,rad=0.12" if label else "arc3",
            },
        )
    for name, (x, y) in positions.items():
        step = visited.get(name)
        color = _COLORS[step.status] if step else "#eceff1"
        box = FancyBboxPatch((x - 0.42, y - 0.2), 0.84, 0.4, boxstyle="round,pad=0.02", fc=color,
                             ec="#37474f", lw=1.2, alpha=0.9 if step else 1.0)
        diagram.add_patch(box)
        kind = states.get(name, {}).get("Type", "")
        diagram.text(x, y + 0.04, name, ha="center", va="center", fontsize=8.5,
                     color="white" if step else "#455a64", weight="bold")
        diagram.text(x, y - 0.11, kind, ha="center", va="center", fontsize=7, color="white" if step else "#78909c")
    if positions:
        xs = [p[0] for p in positions.values()]
        ys = [p[1] for p in positions.values()]
        diagram.set_xlim(min(xs) - 0.7, max(xs) + 0.7)
        diagram.set_ylim(min(ys) - 0.5, max(ys) + 0.5)
    diagram.set_axis_off()
    diagram.set_title(f"Path taken: {path.status}", fontsize=10)

    if path.steps:
        origin = path.steps[0].entered
        for i, step in enumerate(path.steps):
            start = (step.entered - origin).total_seconds() * 1000
            width = max(step.duration_ms or 0.0, 0.5)
            timeline.barh(i, width, left=start, color=_COLORS[step.status], edgecolor="#37474f", height=0.6)
            took = f"{step.duration_ms:.0f} ms" if step.duration_ms is not None else "running"
            timeline.text(start + width, i, f"  {took}", va="center", fontsize=7.5)
        timeline.set_yticks(range(len(path.steps)), [s.name for s in path.steps], fontsize=8)
        timeline.invert_yaxis()
    timeline.set_xlabel("milliseconds since the execution started", fontsize=8)
    timeline.set_title("Timeline", fontsize=10)
    timeline.spines[["top", "right"]].set_visible(False)
    return figure


# -- patches ----------------------------------------------------------------------------------


def _wait_interval(self: Any, env: Any, wait_seconds: int) -> None:
    # moto blocks for real (env.program_state_event.wait); wait on the course clock instead.
    if wait_seconds <= 0:
        return
    deadline = clock.time() + wait_seconds
    clock.CLOCK.wait_until(deadline, cancelled=lambda: not env.is_running())


def install() -> None:
    """Patch moto's Step Functions interpreter when it is first imported (about a second)."""
    global _installed
    if _installed:
        return
    from course_lib.wiring import _lazy

    _lazy.when_imported("moto.stepfunctions.parser.models", _patch_parser)
    _lazy.when_imported("moto.stepfunctions.parser.asl.component.state.wait.wait_function.wait_function", _patch_wait)
    _installed = True


def _patch_parser(module: Any) -> None:
    backend_class = module.StepFunctionsParserBackend
    original_start = backend_class.start_execution

    def start_execution(self: Any, state_machine_arn: str, name: Any = None, execution_input: Any = None,
                        trace_header: Any = None) -> Any:
        # AWS names a nameless execution with a UUID; moto's parser would use "None".
        return original_start(self, state_machine_arn, name or str(uuid.uuid4()), execution_input, trace_header)

    backend_class.start_execution = start_execution


def _patch_wait(module: Any) -> None:
    module.WaitFunction._wait_interval = _wait_interval
