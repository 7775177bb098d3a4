"""The course clock: time that learners can move forward ("run a day of this cron in one second").

    from course_lib import clock
    clock.now()                      # course time (UTC): wall time plus every advance so far
    clock.advance(hours=24)          # fires every schedule, retry and batching window due in
                                     # the next 24 hours, in order, then returns a summary
    clock.settle()                   # finish background work that is due now (an
                                     # InvocationType=Event invoke and what it causes)
    clock.use_real_time()            # optional: timers also fire by themselves as time passes
    clock.freeze()                   # optional: time stands still between advances

How it works. Course time is wall time plus an offset that only grows; ``advance`` grows it
(and while it runs, time stands at each timer's due moment, so a retry set by that timer is
exactly one minute later). ``freeze()`` stops course time between advances too, for output
that must not depend on how long cells take. Work the wirings need done is of three kinds:

* **caused by an API call** (``submit``): an S3 or SNS notification's invocation, an SQS
  poll after ``send_message``, a rule's targets after ``put_events``. It runs when the API
  call that caused it returns, in the caller's thread, before the caller gets the response,
  as moto's own wirings do: a cell that uploads a file can show what the function did on the
  next line. (A chain of such work deeper than 16 steps moves to the background worker.)
* **background** (``submit(..., background=True)``, or work submitted outside any API call):
  an ``InvocationType=Event`` invoke. A worker thread runs it a moment later, as AWS would;
  ``settle()`` runs whatever is still queued in the calling thread, so a cell can wait for it.
* **timers** (``call_at``/``call_later``): a schedule's next run, a retry one minute after a
  failure, the end of a batching window, a message returning after its visibility timeout.
  By default a timer fires only when the clock is advanced past it (``advance`` or
  ``run_due``), so a ``rate(1 minute)`` rule never floods a notebook while you read. With
  ``use_real_time()`` the worker also fires timers as they come due.

Work run by the worker or by ``advance``/``settle`` never prints into the notebook: a
function's output goes to its CloudWatch Logs, as on AWS (``advance`` returns a summary).
Work that runs as an API call returns prints as the caller's own invocations do.

Differs from AWS: work caused by an API call finishes before the call returns (on AWS it
runs a moment later); one worker runs background work one item at a time (AWS runs it
concurrently); moto's own timestamps (S3 LastModified, CloudWatch Logs) stay on wall time,
while SQS timing (sent timestamps, delays, visibility timeouts) and the events the wirings
build follow the course clock.

Against another endpoint (``course_lib.endpoint``) the clock that matters runs in the server's
process, so ``advance``, ``settle`` and ``freeze`` refuse with a message instead of moving a
clock that fires nothing.
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import logging
import threading
import time as _time
import traceback
from collections import Counter, deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)

# A loop such as a function that sends to the queue it consumes would never settle; AWS stops
# such recursive loops too (after about 16 rounds). We stop after this many jobs in one call.
MAX_JOBS_PER_SETTLE = 20_000
# Work caused by work caused by ... an API call runs inline this many levels deep, then moves to
# the background worker (deeper inline chains would only grow the caller's stack).
MAX_INLINE_NESTING = 16


@dataclass(order=True)
class Timer:
    """Work due at a course time. Cancel with :meth:`cancel`."""

    due: float
    seq: int
    label: str = field(compare=False)
    kind: str = field(compare=False)
    callback: Callable[[], Any] = field(compare=False, repr=False)
    cancelled: bool = field(default=False, compare=False)

    def cancel(self) -> None:
        self.cancelled = True

    @property
    def due_at(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.due, dt.timezone.utc)

    def __repr__(self) -> str:
        state = " (cancelled)" if self.cancelled else ""
        return f"<Timer {self.kind} {self.label!r} at {_iso(self.due)}{state}>"


@dataclass
class Fired:
    """One timer that fired during an advance."""

    at: float
    kind: str
    label: str

    @property
    def time(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.at, dt.timezone.utc)


@dataclass
class AdvanceReport:
    """What happened while the clock moved: timers fired and Lambda invocations made."""

    start: float
    end: float
    fired: list[Fired] = field(default_factory=list)
    invocations: list[Any] = field(default_factory=list)  # course_lib.runtime.Invocation

    @property
    def errors(self) -> list[Any]:
        return [i for i in self.invocations if i.errored]

    def invocation_counts(self) -> dict[str, int]:
        return dict(Counter(i.function_name for i in self.invocations))

    def _summary_lines(self) -> list[str]:
        span = _human_span(self.end - self.start)
        lines = [f"Course clock advanced {span}: {_iso(self.start)} -> {_iso(self.end)}"]
        if self.fired:
            by_label = Counter((f.kind, f.label) for f in self.fired)
            lines.append(f"{len(self.fired)} timer(s) fired:")
            lines += [f"  {n} x {kind}: {label}" for (kind, label), n in sorted(by_label.items())]
        else:
            lines.append("No timers were due.")
        if self.invocations:
            errors = Counter(i.function_name for i in self.invocations if i.errored)
            lines.append(f"{len(self.invocations)} Lambda invocation(s):")
            for name, count in sorted(self.invocation_counts().items()):
                failed = f", {errors[name]} failed" if errors.get(name) else ""
                lines.append(f"  {name}: {count}{failed}")
        return lines

    def __repr__(self) -> str:
        return "\n".join(self._summary_lines())

    def _repr_markdown_(self) -> str:
        return "  \n".join(self._summary_lines())


def _iso(epoch: float) -> str:
    # ISO 8601 with a Z, like AWS's own timestamps (and what notebook output sanitizers expect).
    return dt.datetime.fromtimestamp(epoch, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _human_span(seconds: float) -> str:
    seconds = max(0.0, seconds)
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size and seconds % size < 1:
            n = round(seconds / size)
            return f"{n} {unit}{'s' if n != 1 else ''}"
    for unit, size in (("days", 86400), ("hours", 3600), ("minutes", 60)):
        if seconds >= size:
            return f"{seconds / size:.1f} {unit}"
    return f"{seconds:.0f} s"


def _as_epoch(when: dt.datetime | float | int) -> float:
    if isinstance(when, dt.datetime):
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.timezone.utc)
        return when.timestamp()
    return float(when)


class Clock:
    """The course clock. Use the module-level functions (``clock.advance(...)``)."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._wake = threading.Condition(self._lock)  # the worker waits here
        self._time_changed = threading.Condition()  # Wait states wait here
        self._run_lock = threading.RLock()  # held by whoever runs jobs or timers
        self._offset = 0.0
        # While advance() runs, course time stands still at each timer's due time, so work a
        # timer causes is scheduled relative to that exact moment (a retry "one minute later").
        self._frozen: float | None = None
        # freeze(): course time stands still between advances (deterministic notebook output).
        self._pinned: float | None = None
        self._heap: list[Timer] = []
        self._jobs: deque[tuple[str, Callable[[], Any]]] = deque()
        self._seq = itertools.count()
        self._real_time = False
        self._worker: threading.Thread | None = None
        self._generation = 0  # bumped by reset(): stale work is dropped
        self._running_jobs = 0
        self._before_advance: list[Callable[[], None]] = []
        self._local = threading.local()  # per thread: API-call depth and the work it caused
        self.failures: deque[tuple[str, str]] = deque(maxlen=50)  # (label, traceback) of failed work

    # -- reading the time ------------------------------------------------------------------
    def time(self) -> float:
        """Course time as epoch seconds."""
        frozen = self._frozen
        if frozen is not None:
            return frozen
        pinned = self._pinned
        return pinned if pinned is not None else _time.time() + self._offset

    def now(self) -> dt.datetime:
        """Course time as an aware UTC datetime."""
        return dt.datetime.fromtimestamp(self.time(), dt.timezone.utc)

    @property
    def offset(self) -> float:
        """Seconds the course clock is ahead of wall time."""
        return self._offset

    def _move_to(self, epoch: float) -> None:
        # Course time never goes backwards, even when handlers took real time to run.
        with self._lock:
            if self._frozen is not None:
                self._frozen = max(self._frozen, epoch)
            if self._pinned is not None:
                self._pinned = max(self._pinned, epoch)
            self._offset = max(self._offset, epoch - _time.time())
        with self._time_changed:
            self._time_changed.notify_all()

    # -- scheduling ------------------------------------------------------------------------
    def submit(self, callback: Callable[[], Any], label: str = "background work", background: bool = False) -> None:
        """Run ``callback`` soon: when the current API call returns, or on the background worker.

        Inside an API call (see :meth:`api_call`) the work runs as that call returns, in this
        thread; otherwise, or with ``background=True``, the worker runs it a moment later.
        """
        guarded = self._guard(callback)
        if not background and getattr(self._local, "depth", 0) > 0:
            self._local.pending.append((label, guarded))
            return
        self._queue_background(label, guarded)

    def _queue_background(self, label: str, callback: Callable[[], Any]) -> None:
        with self._lock:
            self._jobs.append((label, callback))
            self._ensure_worker()
            self._wake.notify_all()

    @contextmanager
    def api_call(self) -> Iterator[None]:
        """Mark an API call in this thread: work it submits runs when the outermost call ends."""
        local = self._local
        depth = getattr(local, "depth", 0)
        if depth == 0:
            local.pending = []
        local.depth = depth + 1
        try:
            yield
        finally:
            local.depth = depth
            if depth == 0:
                self._run_pending_inline()

    @contextmanager
    def outside_api_call(self) -> Iterator[None]:
        """Inside an API call, act as if outside one: work submitted in the block runs as the
        block's own calls return, not when the enclosing call does (a long poll advancing the
        clock needs this)."""
        local = self._local
        depth, pending = getattr(local, "depth", 0), getattr(local, "pending", [])
        local.depth, local.pending = 0, []
        try:
            yield
        finally:
            local.depth, local.pending = depth, pending

    def _run_pending_inline(self) -> None:
        local = self._local
        pending, local.pending = getattr(local, "pending", []), []
        if not pending:
            return
        nesting = getattr(local, "nesting", 0)
        if nesting >= MAX_INLINE_NESTING:
            for label, job in pending:
                self._queue_background(label, job)
            return
        local.nesting = nesting + 1
        try:
            for label, job in pending:
                self._run(label, job, quiet=False)
        finally:
            local.nesting = nesting

    def call_at(
        self, when: dt.datetime | float, callback: Callable[[], Any], label: str = "timer", kind: str = "timer"
    ) -> Timer:
        """Fire ``callback`` when course time reaches ``when`` (see the module doc for when)."""
        timer = Timer(_as_epoch(when), next(self._seq), label, kind, self._guard(callback))
        with self._lock:
            heapq.heappush(self._heap, timer)
            self._ensure_worker()
            self._wake.notify_all()
        return timer

    def call_later(self, seconds: float, callback: Callable[[], Any], label: str = "timer", kind: str = "timer") -> Timer:
        return self.call_at(self.time() + seconds, callback, label, kind)

    def pending(self, kind: str | None = None) -> list[Timer]:
        """Timers not yet fired, soonest first."""
        with self._lock:
            timers = sorted(t for t in self._heap if not t.cancelled)
        return [t for t in timers if kind is None or t.kind == kind]

    def next_due(self) -> float | None:
        with self._lock:
            self._drop_cancelled()
            return self._heap[0].due if self._heap else None

    def before_advance(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` at the start of every advance (schedules reconcile here)."""
        if callback not in self._before_advance:
            self._before_advance.append(callback)

    def _guard(self, callback: Callable[[], Any]) -> Callable[[], Any]:
        generation = self._generation

        def run() -> Any:
            if generation != self._generation:
                return None  # scheduled before a reset: that account no longer exists
            return callback()

        return run

    # -- running ---------------------------------------------------------------------------
    def _run(self, label: str, callback: Callable[[], Any], quiet: bool = True) -> None:
        from course_lib.runtime import executor

        with executor.quiet() if quiet else nullcontext():
            try:
                callback()
            except Exception:  # noqa: BLE001 - one failed delivery must not stop the clock
                text = traceback.format_exc()
                self.failures.append((label, text))
                log.warning("course clock: %s failed:\n%s", label, text)

    def _pop_job(self) -> tuple[str, Callable[[], Any]] | None:
        with self._lock:
            if not self._jobs:
                return None
            self._running_jobs += 1
            return self._jobs.popleft()

    def _job_done(self) -> None:
        with self._lock:
            self._running_jobs -= 1
            self._wake.notify_all()

    def _drain(self, limit: int = MAX_JOBS_PER_SETTLE) -> int:
        """Run every queued job in this thread (the caller holds the run lock)."""
        done = 0
        while True:
            job = self._pop_job()
            if job is None:
                return done
            try:
                self._run(*job)
            finally:
                self._job_done()
            done += 1
            if done >= limit:
                raise RuntimeError(
                    f"Background work did not settle after {limit} jobs: is a function triggering "
                    "itself (for example, sending to the queue it consumes)? AWS would stop such a "
                    "recursive loop too."
                )

    def settle(self, timeout: float = 30.0) -> int:
        """Finish all background work that is due now; returns how many jobs ran here.

        Work is run in the calling thread (quietly), after any job the worker is running.
        """
        acquired = self._run_lock.acquire(timeout=timeout)
        if not acquired:
            raise TimeoutError(f"Background work still running after {timeout} s.")
        try:
            return self._drain()
        finally:
            self._run_lock.release()

    def run_due(self) -> AdvanceReport:
        """Fire every timer already due (course time has passed it) without moving the clock."""
        return self.advance()

    def advance(
        self, *, days: float = 0, hours: float = 0, minutes: float = 0, seconds: float = 0, to: Any = None
    ) -> AdvanceReport:
        """Move course time forward, firing every timer due on the way, in time order.

        ``clock.advance(hours=24)`` runs a day of schedules, retries and batching windows in
        about a second; ``to=datetime`` advances to a moment. Background work each timer
        causes (invocations, deliveries) finishes before the next timer fires.
        """
        from course_lib.runtime import executor

        delta = days * 86400 + hours * 3600 + minutes * 60 + seconds
        if delta < 0:
            raise ValueError("The course clock only moves forward.")
        report = AdvanceReport(start=self.time(), end=self.time())
        lock = threading.Lock()

        def record(invocation: Any) -> None:
            with lock:
                report.invocations.append(invocation)

        executor.add_listener(record)
        try:
            with self._run_lock:
                for hook in list(self._before_advance):
                    hook()
                self._drain()
                target = _as_epoch(to) if to is not None else self.time() + delta
                self._frozen = self.time()
                try:
                    while True:
                        with self._lock:
                            self._drop_cancelled()
                            if not self._heap or self._heap[0].due > max(target, self._frozen):
                                break
                            timer = heapq.heappop(self._heap)
                        self._move_to(timer.due)
                        report.fired.append(Fired(self.time(), timer.kind, timer.label))
                        self._run(timer.label, timer.callback)
                        self._drain()
                    self._move_to(target)
                finally:
                    with self._lock:
                        if self._frozen is not None:
                            self._offset = max(self._offset, self._frozen - _time.time())
                        self._frozen = None
        finally:
            executor.remove_listener(record)
        report.end = self.time()
        return report

    def _drop_cancelled(self) -> None:
        while self._heap and self._heap[0].cancelled:
            heapq.heappop(self._heap)

    # -- the background worker -------------------------------------------------------------
    def _ensure_worker(self) -> None:
        if self._worker is None or not self._worker.is_alive():
            self._worker = threading.Thread(target=self._work, name="course-clock-worker", daemon=True)
            self._worker.start()

    def _next_work(self) -> str | None:
        """What the worker should do next: 'job', 'timer', or None (then it waits)."""
        if self._jobs:
            return "job"
        if self._real_time:
            self._drop_cancelled()
            if self._heap and self._heap[0].due <= self.time():
                return "timer"
        return None

    def _wait_seconds(self) -> float | None:
        if self._real_time and self._heap:
            return max(0.01, min(1.0, self._heap[0].due - self.time()))
        return None

    def _work(self) -> None:
        while True:
            with self._lock:
                while self._next_work() is None:
                    self._wake.wait(self._wait_seconds())
            # Never hold the state lock while running work: handlers schedule more work.
            with self._run_lock:
                with self._lock:
                    what = self._next_work()
                    timer = heapq.heappop(self._heap) if what == "timer" else None
                if what == "job":
                    job = self._pop_job()
                    if job is not None:
                        try:
                            self._run(*job)
                        finally:
                            self._job_done()
                elif timer is not None:
                    self._run(timer.label, timer.callback)

    # -- modes and reset -------------------------------------------------------------------
    def freeze(self, enabled: bool = True) -> None:
        """Stop course time between advances (``enabled=False`` lets it flow with wall time again).

        Handy where a notebook's output must not depend on how long cells take: timestamps,
        "received after N s" measurements. Real-time mode cannot be frozen.
        """
        with self._lock:
            if enabled:
                self._real_time = False
                self._pinned = self.time()
            elif self._pinned is not None:
                self._offset = max(self._offset, self._pinned - _time.time())
                self._pinned = None
        with self._time_changed:
            self._time_changed.notify_all()

    @property
    def frozen(self) -> bool:
        return self._pinned is not None

    def use_real_time(self, enabled: bool = True) -> None:
        """When enabled, timers also fire by themselves as course time reaches them."""
        if enabled:
            self.freeze(False)
        with self._lock:
            self._real_time = enabled
            self._ensure_worker()
            self._wake.notify_all()

    @property
    def real_time(self) -> bool:
        return self._real_time

    def wait_until(self, deadline: float, cancelled: Callable[[], bool] | None = None) -> bool:
        """Block until course time reaches ``deadline`` (epoch s); False if ``cancelled()`` first.

        Step Functions Wait states use this, so ``advance`` releases them at once.
        """
        with self._time_changed:
            while self.time() < deadline:
                if cancelled is not None and cancelled():
                    return False
                self._time_changed.wait(min(0.2, max(0.001, deadline - self.time())))
        return True

    def reset(self) -> None:
        """Back to wall time, with no timers and no queued work (a clean account)."""
        with self._lock:
            self._generation += 1
            self._heap.clear()
            self._jobs.clear()
            self._offset = 0.0
            self._frozen = None
            self._pinned = None
            self._real_time = False
            self._wake.notify_all()
        with self._time_changed:
            self._time_changed.notify_all()

    @contextmanager
    def paused(self) -> Iterator[None]:
        """Hold background work while the block runs (tests use this to inspect queues)."""
        with self._run_lock:
            yield

    def __repr__(self) -> str:
        mode = "real time" if self._real_time else "frozen" if self.frozen else "manual (advance to fire timers)"
        ahead = f", {_human_span(self._offset)} ahead of wall time" if self._offset >= 1 else ""
        return f"<Course clock {_iso(self.time())}{ahead}; {mode}; {len(self.pending())} timer(s) pending>"


CLOCK = Clock()


def time() -> float:
    """Course time as epoch seconds."""
    return CLOCK.time()


def now() -> dt.datetime:
    """Course time as an aware UTC datetime."""
    return CLOCK.now()


def advance(
    *, days: float = 0, hours: float = 0, minutes: float = 0, seconds: float = 0, to: Any = None
) -> AdvanceReport:
    """Move course time forward, firing everything due on the way (see :meth:`Clock.advance`)."""
    _require_in_process("clock.advance")
    return CLOCK.advance(days=days, hours=hours, minutes=minutes, seconds=seconds, to=to)


def run_due() -> AdvanceReport:
    return CLOCK.run_due()


def settle(timeout: float = 30.0) -> int:
    """Wait for background work that is due now (async invokes, deliveries) to finish."""
    _require_in_process("clock.settle")
    return CLOCK.settle(timeout)


def submit(callback: Callable[[], Any], label: str = "background work", background: bool = False) -> None:
    CLOCK.submit(callback, label, background)


def call_at(when: dt.datetime | float, callback: Callable[[], Any], label: str = "timer", kind: str = "timer") -> Timer:
    return CLOCK.call_at(when, callback, label, kind)


def call_later(seconds: float, callback: Callable[[], Any], label: str = "timer", kind: str = "timer") -> Timer:
    return CLOCK.call_later(seconds, callback, label, kind)


def pending(kind: str | None = None) -> list[Timer]:
    return CLOCK.pending(kind)


def use_real_time(enabled: bool = True) -> None:
    CLOCK.use_real_time(enabled)


def freeze(enabled: bool = True) -> None:
    """Stop course time between advances (see :meth:`Clock.freeze`)."""
    _require_in_process("clock.freeze")
    CLOCK.freeze(enabled)


def _require_in_process(feature: str) -> None:
    # Against another endpoint the timers and queued work live in the server's process: moving
    # this kernel's clock would fire nothing, and quietly doing nothing would mislead.
    from course_lib import sandbox

    sandbox.require_in_process(feature, "the course clock that fires schedules, retries and queued work runs "
                                        "beside the in-process sandbox")


def reset() -> None:
    CLOCK.reset()
