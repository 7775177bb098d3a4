"""How Lambda scales out: one request per execution environment, a burst served by many in parallel.

    from course_lib.scaling import Fleet
    fleet = Fleet("work")                 # the environments AWS would keep for the function "work"
    fleet.invoke_one_by_one(3)            # three requests in a row: one environment, reused
    wave = fleet.invoke_together(10)      # ten at the same moment: ten environments
    wave                                  # a table: request, measured times, environment, cold/warm
    fleet.environments                    # how many environments AWS would have created so far

On AWS, an execution environment of a (standard, on-demand) Lambda function handles one request
at a time. When a request arrives and every existing environment is busy, Lambda creates a new
one (a cold start); when one is free, it reuses it (a warm start). So a burst of concurrent
requests is served by as many environments in parallel, up to the function's concurrency limit,
and a steady stream needs about *requests per second × seconds per request* of them.

What is **measured** here: every request is a real ``lambda.invoke`` through boto3, sent from its
own thread; all the threads of a burst are released together. For each request we record when
it was sent and when its response came back (one clock for the whole fleet), the handler's
duration from its REPORT line, its request id, and the id of the local environment that ran it.

What is **modeled**: which AWS execution environment each request would use. Requests are taken
in the order they were sent; each one goes to a free environment (the lowest-numbered one whose
previous request had already returned when this one was sent), or, when every environment is
busy, to a new one, which makes it a cold start.

Differs from AWS: the local runtime keeps *one* warm environment per function
(``course_lib.runtime.environments``), shared by concurrent requests on threads, so the local
environment id is the same for every request; the model says what AWS would have done with the
same requests. On AWS each new environment would also run INIT before its first request (not
added to the measured times here), Lambda limits how fast a function scales out
(``serverless.lambda_scaling.environments_per_10s``) and how many environments run at once
(``lambda.limits.concurrency_default``); the model ignores both limits, which only matter far
beyond a notebook's bursts. Environments are never reclaimed for idleness in the model.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from dataclasses import dataclass
from typing import Any, Sequence

from course_lib.runtime import add_listener, parse_report, quiet, remove_listener


def steady_concurrency(requests_per_second: float, duration_ms: float) -> float:
    """Execution environments busy at once under steady load, AWS's own estimate:
    (requests per second) × (average duration in seconds)."""
    if requests_per_second < 0 or duration_ms < 0:
        raise ValueError("requests_per_second and duration_ms must not be negative")
    return requests_per_second * duration_ms / 1000.0


@dataclass(frozen=True)
class Request:
    """One real invocation (measured) and the AWS environment it would use (modeled)."""

    number: int  # 1-based, in the order the fleet sent its requests
    wave: int  # which call of invoke_together / invoke_one_by_one sent it
    request_id: str
    sent_ms: float  # measured: when the invoke call was sent, on the fleet's clock
    done_ms: float  # measured: when its response came back
    duration_ms: float  # measured by the runtime: the REPORT line's Duration
    local_environment: str  # measured: the local runtime's environment id
    environment: int  # modeled: the AWS execution environment (1-based)
    cold: bool  # modeled: that environment was created for this request

    @property
    def start(self) -> str:
        return "cold" if self.cold else "warm"


@dataclass(frozen=True)
class Wave:
    """The requests one call sent, with what the fleet looked like afterwards."""

    number: int
    kind: str  # "together" | "one by one"
    requests: tuple[Request, ...]
    environments_after: int

    @property
    def environments_used(self) -> int:
        return len({r.environment for r in self.requests})

    @property
    def cold_starts(self) -> int:
        return sum(r.cold for r in self.requests)

    @property
    def local_environments(self) -> int:
        return len({r.local_environment for r in self.requests})

    @property
    def peak_in_flight(self) -> int:
        """Measured: the most requests of this wave that were in flight at the same moment."""
        return peak_in_flight(self.requests)

    def rows(self) -> list[tuple[int, float, float, int, str]]:
        """(request, sent ms, done ms, AWS environment, cold/warm) for each request."""
        return [(r.number, round(r.sent_ms, 1), round(r.done_ms, 1), r.environment, r.start) for r in self.requests]

    def summary(self) -> str:
        return (
            f"{len(self.requests)} requests sent {self.kind}: at most {self.peak_in_flight} in flight at once "
            f"(measured); on AWS they would use {self.environments_used} execution environment"
            f"{'s' if self.environments_used != 1 else ''}, {self.cold_starts} of them new (cold starts), "
            f"{self.environments_after} in the fleet afterwards (modeled). Locally all ran in "
            f"{self.local_environments} environment{'s' if self.local_environments != 1 else ''}."
        )

    def __repr__(self) -> str:
        return f"<Wave {self.number}: {self.summary()}>"

    def _repr_markdown_(self) -> str:
        lines = [
            self.summary(),
            "",
            "| request | sent (ms) | response (ms) | handler (ms) | AWS environment (modeled) | start |",
            "|---:|---:|---:|---:|---:|---|",
        ]
        for r in self.requests:
            lines.append(
                f"| {r.number} | {r.sent_ms:,.1f} | {r.done_ms:,.1f} | {r.duration_ms:,.1f} | {r.environment} | {r.start} |"
            )
        return "\n".join(lines)


def peak_in_flight(requests: Sequence[Request]) -> int:
    """The largest number of requests whose [sent, done) intervals overlap."""
    events = sorted([(r.sent_ms, 1) for r in requests] + [(r.done_ms, -1) for r in requests], key=lambda e: (e[0], e[1]))
    peak = current = 0
    for _, step in events:
        current += step
        peak = max(peak, current)
    return peak


def assign_environments(
    intervals: Sequence[tuple[float, float]], busy_until: list[float] | None = None
) -> tuple[list[tuple[int, bool]], list[float]]:
    """The model: for requests ``(sent, done)`` in the order sent, the environment each uses.

    ``busy_until`` holds, per existing environment, when its last request returned (it is
    extended, not changed in place). Returns ``[(environment, cold), ...]`` (1-based) and the
    environments' new ``busy_until``.
    """
    busy = list(busy_until or [])
    placed = []
    for sent, done in intervals:
        free = [i for i, until in enumerate(busy) if until <= sent]
        if free:
            index, cold = free[0], False
        else:
            busy.append(0.0)
            index, cold = len(busy) - 1, True
        busy[index] = max(busy[index], done)
        placed.append((index + 1, cold))
    return placed, busy


class Fleet:
    """The execution environments AWS would keep for one function, driven by real invocations."""

    def __init__(self, function_name: str, sandbox: Any = None) -> None:
        if sandbox is None:
            from course_lib import sandbox as sandbox_module

            sandbox = sandbox_module.current()
            if not sandbox.running:
                sandbox.start()
        self.function_name = function_name
        self._client = sandbox.client("lambda")
        self._clock = time.perf_counter()
        self._busy_until: list[float] = []
        self.requests: list[Request] = []
        self.waves: list[Wave] = []

    @property
    def environments(self) -> int:
        """Execution environments AWS would have created for the function so far (modeled)."""
        return len(self._busy_until)

    def _now_ms(self) -> float:
        return (time.perf_counter() - self._clock) * 1000.0

    def _invoke(self, event: Any) -> dict[str, Any]:
        sent = self._now_ms()
        response = self._client.invoke(
            FunctionName=self.function_name,
            LogType="Tail",
            Payload=json.dumps({} if event is None else event).encode("utf-8"),
        )
        response["Payload"].read()
        done = self._now_ms()
        tail = base64.b64decode(response.get("LogResult", "")).decode("utf-8", "replace")
        report = next((r for r in map(parse_report, tail.splitlines()) if r), None)
        if report is None:
            raise RuntimeError(f"invoking {self.function_name} returned no REPORT line: {tail[-300:]!r}")
        return {"sent": sent, "done": done, "request_id": report.request_id, "duration_ms": report.duration_ms}

    def _run(self, count: int, event: Any, together: bool) -> list[dict[str, Any]]:
        if count < 1:
            raise ValueError("count must be at least 1")
        seen: dict[str, str] = {}

        def listen(invocation: Any) -> None:  # the runtime tells us which environment ran it
            seen[invocation.request_id] = invocation.environment_id

        results: list[dict[str, Any] | BaseException | None] = [None] * count
        add_listener(listen)
        try:
            if together:
                gate = threading.Barrier(count)

                def worker(i: int) -> None:
                    with quiet():
                        try:
                            gate.wait()
                            results[i] = self._invoke(event)
                        except BaseException as exc:  # noqa: BLE001  (re-raised below, in the caller)
                            results[i] = exc

                threads = [threading.Thread(target=worker, args=(i,), name=f"burst-{i}") for i in range(count)]
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join()
            else:
                with quiet():
                    for i in range(count):
                        results[i] = self._invoke(event)
        finally:
            remove_listener(listen)
        for result in results:
            if isinstance(result, BaseException):
                raise result
        done = [dict(r, local_environment=seen.get(r["request_id"], "")) for r in results if isinstance(r, dict)]
        return sorted(done, key=lambda r: r["sent"])

    def _record(self, measured: list[dict[str, Any]], kind: str) -> Wave:
        placed, self._busy_until = assign_environments([(m["sent"], m["done"]) for m in measured], self._busy_until)
        number = len(self.waves) + 1
        first = len(self.requests) + 1
        wave_requests = tuple(
            Request(
                number=first + i,
                wave=number,
                request_id=m["request_id"],
                sent_ms=m["sent"],
                done_ms=m["done"],
                duration_ms=m["duration_ms"],
                local_environment=m["local_environment"],
                environment=environment,
                cold=cold,
            )
            for i, (m, (environment, cold)) in enumerate(zip(measured, placed))
        )
        wave = Wave(number, kind, wave_requests, self.environments)
        self.requests.extend(wave_requests)
        self.waves.append(wave)
        return wave

    def invoke_together(self, count: int, event: Any = None) -> Wave:
        """``count`` real invocations sent at the same moment, one thread each."""
        return self._record(self._run(count, event, together=True), "together")

    def invoke_one_by_one(self, count: int, event: Any = None) -> Wave:
        """``count`` real invocations, each sent after the previous one returned."""
        return self._record(self._run(count, event, together=False), "one by one")

    def __repr__(self) -> str:
        return (
            f"<Fleet {self.function_name}: {len(self.requests)} requests in {len(self.waves)} waves, "
            f"{self.environments} execution environments on AWS (modeled)>"
        )
