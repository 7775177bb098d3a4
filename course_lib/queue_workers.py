"""Producers and consumers that run against a real (sandbox) SQS queue on the course clock.

    from course_lib import queue_workers
    run = queue_workers.backlog(sqs, url, produce_per_s=5, consume_per_s=2, produce_for_s=40)
    run.peak_depth, run.drained_at_s          # what the plot shows
    polling = queue_workers.compare_polling(sqs, short_url, long_url, arrivals_s=[15, 50, 95])

What it does. Every step is ordinary boto3 calls on the queue (``SendMessageBatch``,
``ReceiveMessage``, ``DeleteMessageBatch``, ``GetQueueAttributes``) made by code that plays the
producer and the consumers; between steps the course clock moves forward, so a three-minute
backlog plays out in about a second and the queue's own timers (visibility timeouts, delays)
behave as they would.

* :func:`backlog` is a fast producer and a slow consumer fleet. A consumer "works" on each
  message for ``1 / consume_per_s`` seconds of course time (no real sleeping), so it takes at
  most that many messages per second of course time. The queue depth recorded each step is
  ``ApproximateNumberOfMessages`` (visible messages), the number CloudWatch's
  ``ApproximateNumberOfMessagesVisible`` metric plots on AWS.
* :func:`compare_polling` runs one consumer that short-polls every second and one that
  long-polls, over the same arrivals (messages sent with ``DelaySeconds``), and counts their
  ``ReceiveMessage`` calls: every call is a billed request, empty or not. Long polling needs
  :mod:`course_lib.sqs_fidelity` installed (it makes a long poll wait on the course clock).

Differs from AWS: consumers take turns within a step instead of running in parallel, and
processing time is modelled, not measured. Queue depth on AWS is approximate and its
CloudWatch metrics arrive once a minute; here it is exact at each step.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from course_lib import clock


@dataclass(frozen=True)
class BacklogRun:
    """What :func:`backlog` measured: queue depth at each step, on the course clock."""

    step_s: float
    times_s: tuple[float, ...]
    depth: tuple[int, ...]
    sent: tuple[int, ...]        # messages sent so far, at each step
    processed: tuple[int, ...]   # messages processed (and deleted) so far, at each step
    produce_per_s: float
    consume_per_s: float
    consumers: int
    produce_for_s: float

    @property
    def peak_depth(self) -> int:
        return max(self.depth)

    @property
    def peak_at_s(self) -> float:
        return self.times_s[self.depth.index(self.peak_depth)]

    @property
    def drained_at_s(self) -> float | None:
        """First time after production stopped that the queue was empty (None: never)."""
        for t, d in zip(self.times_s, self.depth):
            if t >= self.produce_for_s and d == 0:
                return t
        return None

    def summary(self) -> str:
        drained = f"empty again at t = {self.drained_at_s:.0f} s" if self.drained_at_s is not None else "still not empty"
        return (
            f"producer: {self.produce_per_s:g} msg/s for {self.produce_for_s:g} s ({self.sent[-1]} messages); "
            f"{self.consumers} consumer(s) at {self.consume_per_s:g} msg/s each; "
            f"peak depth {self.peak_depth} at t = {self.peak_at_s:.0f} s; {drained}; "
            f"{self.processed[-1]} processed"
        )

    def __repr__(self) -> str:
        return f"<BacklogRun {self.summary()}>"


def _send(sqs: Any, url: str, bodies: list[str]) -> None:
    for start in range(0, len(bodies), 10):  # SendMessageBatch takes at most 10 entries
        chunk = bodies[start : start + 10]
        sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": b} for i, b in enumerate(chunk)])


def _take(sqs: Any, url: str, most: int) -> int:
    """Receive up to ``most`` messages (batches of 10), "process" them and delete them."""
    done = 0
    while done < most:
        asked = min(10, most - done)  # ReceiveMessage returns at most 10 messages per call
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=asked).get("Messages", [])
        if got:
            sqs.delete_message_batch(
                QueueUrl=url, Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(got)]
            )
        done += len(got)
        if len(got) < asked:
            break  # the queue had no more for now
    return done


def depth_of(sqs: Any, url: str) -> int:
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"])


def backlog(
    sqs: Any,
    url: str,
    *,
    produce_per_s: float = 5,
    produce_for_s: float = 40,
    consume_per_s: float = 2,
    consumers: int = 1,
    duration_s: float = 120,
    step_s: float = 4,
) -> BacklogRun:
    """A producer sending ``produce_per_s`` messages a second for ``produce_for_s`` seconds, and
    ``consumers`` workers each able to process ``consume_per_s`` a second, for ``duration_s``."""
    steps = int(math.ceil(duration_s / step_s))
    times, depth, sent, processed = [0.0], [depth_of(sqs, url)], [0], [0]
    owed_send = owed_take = 0.0  # fractions carried between steps
    for step in range(1, steps + 1):
        t = step * step_s
        if t <= produce_for_s:
            owed_send += produce_per_s * step_s
            n = int(owed_send)
            owed_send -= n
            _send(sqs, url, [f"job-{sent[-1] + i}" for i in range(n)])
            sent.append(sent[-1] + n)
        else:
            sent.append(sent[-1])
        owed_take += consume_per_s * consumers * step_s
        budget = int(owed_take)
        took = _take(sqs, url, budget)
        owed_take = owed_take - budget if took == budget else 0.0  # idle workers bank no time
        processed.append(processed[-1] + took)
        clock.advance(seconds=step_s)
        times.append(t)
        depth.append(depth_of(sqs, url))
    return BacklogRun(step_s, tuple(times), tuple(depth), tuple(sent), tuple(processed),
                      produce_per_s, consume_per_s, consumers, produce_for_s)


@dataclass
class PollingResult:
    """How many ReceiveMessage calls each consumer made, and how many came back empty."""

    style: str
    duration_s: float
    calls: int = 0
    empty: int = 0
    received: list[tuple[float, str]] = field(default_factory=list)  # (seconds after start, body)

    @property
    def calls_per_month(self) -> float:
        from course_lib import facts

        return self.calls * facts.value("billing.hours_per_month") * 3600 / self.duration_s


def _arrive(sqs: Any, url: str, arrivals_s: list[float]) -> None:
    for i, delay in enumerate(arrivals_s):
        sqs.send_message(QueueUrl=url, MessageBody=f"order-{i + 1}", DelaySeconds=int(delay))


def compare_polling(
    sqs: Any, short_url: str, long_url: str, arrivals_s: list[float], duration_s: float = 120,
    short_interval_s: float = 1, wait_s: int = 20,
) -> tuple[PollingResult, PollingResult]:
    """The same arrivals, consumed by a short-polling and a long-polling consumer."""
    short = PollingResult("short polling (WaitTimeSeconds=0, every second)", duration_s)
    _arrive(sqs, short_url, arrivals_s)
    began = clock.time()
    polls = int(math.ceil(duration_s / short_interval_s))
    for poll in range(polls):
        # Each poll at its own instant on the course clock (repeated relative advances would
        # drift by the real milliseconds each step takes).
        clock.advance(to=began + poll * short_interval_s)
        got = sqs.receive_message(QueueUrl=short_url, WaitTimeSeconds=0).get("Messages", [])
        short.calls += 1
        short.empty += not got
        for m in got:
            short.received.append((round(poll * short_interval_s), m["Body"]))
            sqs.delete_message(QueueUrl=short_url, ReceiptHandle=m["ReceiptHandle"])
    clock.advance(to=began + duration_s)

    long = PollingResult(f"long polling (WaitTimeSeconds={wait_s})", duration_s)
    _arrive(sqs, long_url, arrivals_s)
    began = clock.time()
    while clock.time() - began < duration_s:
        wait = int(min(wait_s, max(1, math.ceil(duration_s - (clock.time() - began)))))
        got = sqs.receive_message(QueueUrl=long_url, WaitTimeSeconds=wait).get("Messages", [])
        long.calls += 1
        long.empty += not got
        for m in got:
            long.received.append((round(clock.time() - began), m["Body"]))
            sqs.delete_message(QueueUrl=long_url, ReceiptHandle=m["ReceiptHandle"])
    return short, long
