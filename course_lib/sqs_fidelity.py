"""SQS behaviour that moto 5.2.5 lacks, added so chapter 06's demos behave as they would on AWS.

    from course_lib import sqs_fidelity
    sqs_fidelity.install()           # idempotent; the SQS chapter's setup cell calls it

After ``install()`` plain boto3 calls against the sandbox behave like this:

* **Attribute ranges are enforced.** ``CreateQueue`` and ``SetQueueAttributes`` reject a
  ``MessageRetentionPeriod`` outside 60 s .. 14 days, a ``VisibilityTimeout`` above 12 hours,
  a ``DelaySeconds`` above 15 minutes, a ``ReceiveMessageWaitTimeSeconds`` above 20 s and a
  RedrivePolicy ``maxReceiveCount`` outside 1 .. 1,000, with AWS's error codes
  (``InvalidAttributeValue``, ``InvalidParameterValue``). moto accepted any number. The bounds
  are read from ``course_lib/facts/facts.yaml`` (``sqs.limits.*``).
* **Retention deletes old messages.** A message older than its queue's retention period is
  deleted before any receive or attribute read. (moto kept counting it in
  ``ApproximateNumberOfMessages``, and a receive left it stuck in flight for ever.)
* **Long polling runs on the course clock.** ``ReceiveMessage`` with ``WaitTimeSeconds`` > 0
  (or a queue whose ``ReceiveMessageWaitTimeSeconds`` is > 0) on a queue with nothing to
  receive moves the course clock forward, firing whatever falls due on the way (delayed
  messages, visibility timeouts, schedules), and returns as soon as a message can be
  received, or empty when the wait is over. moto blocked the notebook for up to 20 *real*
  seconds. With ``clock.use_real_time()`` moto's real waiting is kept.
* **Dead-letter queue redrive.** ``StartMessageMoveTask``, ``ListMessageMoveTasks`` and
  ``CancelMessageMoveTask`` (moto answers ``NotImplementedError``) move messages out of a
  dead-letter queue: back to the queues they came from, or to ``DestinationArn``. The task
  runs on the course clock at ``MaxNumberOfMessagesPerSecond`` (every message at once when
  not given), so ``clock.settle()`` or ``clock.advance(...)`` finishes it.

Differs from AWS: a long poll here moves *course* time for everyone in the notebook (it is a
single-user sandbox); it never returns a "false empty" response, because moto's short poll
always sees every message (AWS's samples a subset of servers). A redriven message keeps its
message id and body, and its receive count starts again at 0; AWS's task also keeps the body
and attributes. ``RedriveAllowPolicy`` is not enforced.
"""

from __future__ import annotations

import json
import threading
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Iterator

from course_lib import clock, facts

_installed = False
_lock = threading.Lock()
_tasks: dict[str, "MoveTask"] = {}


# -- attribute ranges ---------------------------------------------------------------------------


def _ranges() -> dict[str, tuple[int, int]]:
    """Allowed (min, max) of each integer attribute, from the facts file."""
    v = facts.value
    return {
        "MessageRetentionPeriod": (v("sqs.limits.retention_min_s"), v("sqs.limits.retention_max_s")),
        "VisibilityTimeout": (0, v("sqs.limits.visibility_timeout_max_s")),
        "DelaySeconds": (0, v("sqs.limits.delay_max_s")),
        "ReceiveMessageWaitTimeSeconds": (0, v("sqs.limits.long_poll_max_wait_s")),
        "MaximumMessageSize": (v("sqs.limits.maximum_message_size_min_bytes"), v("sqs.limits.message_size_bytes")),
    }


def attribute_problems(attributes: dict[str, Any]) -> list[tuple[str, str, str]]:
    """What AWS would reject in these queue attributes: ``(error code, attribute, message)``."""
    found = []
    for name, (low, high) in _ranges().items():
        if name not in attributes or attributes[name] in (None, ""):
            continue
        try:
            number = int(str(attributes[name]))
        except ValueError:
            found.append(("InvalidAttributeValue", name, f"Invalid value for the parameter {name}."))
            continue
        if not low <= number <= high:
            found.append(("InvalidAttributeValue", name, f"Invalid value for the parameter {name}."))
    policy = attributes.get("RedrivePolicy")
    if policy:
        try:
            parsed = json.loads(policy) if isinstance(policy, str) else dict(policy)
            count = int(parsed.get("maxReceiveCount", 0))
        except (TypeError, ValueError):
            return found
        low, high = facts.value("sqs.limits.max_receive_count_min"), facts.value("sqs.limits.max_receive_count_max")
        if not low <= count <= high:
            found.append((
                "InvalidParameterValue",
                "RedrivePolicy",
                f"Value {policy} for parameter RedrivePolicy is invalid. Reason: Invalid value for "
                f"maxReceiveCount: {count}, valid values are from {low} to {high} both inclusive.",
            ))
    return found


def _validate(attributes: dict[str, Any]) -> None:
    from moto.sqs.exceptions import SQSException

    problems = attribute_problems(attributes)
    if problems:
        code, _name, message = problems[0]
        raise SQSException(code, message)


# -- retention --------------------------------------------------------------------------------


def _expire(queue: Any) -> int:
    """Delete messages older than the queue's retention period; returns how many."""
    retention_ms = int(queue.message_retention_period) * 1000
    now_ms = clock.time() * 1000
    expired = [m for m in list(queue._messages) if m.sent_timestamp + retention_ms <= now_ms]
    for message in expired:
        if message in queue._messages:
            queue._messages.remove(message)
        queue.pending_messages.discard(message)
    return len(expired)


# -- long polling on the course clock ---------------------------------------------------------


@contextmanager
def _outside_api_call() -> Iterator[None]:
    """Let work caused while the clock moves run now, as it would on AWS, rather than wait for
    this ReceiveMessage call to return (the clock runs work an API call causes at its end)."""
    local = clock.CLOCK._local
    depth, pending = getattr(local, "depth", 0), getattr(local, "pending", [])
    local.depth, local.pending = 0, []
    try:
        yield
    finally:
        local.depth, local.pending = depth, pending


def _next_change(queue: Any, deadline: float) -> float:
    """The next course time at which a message of ``queue`` might become receivable."""
    now_ms = clock.time() * 1000
    times = [deadline]
    for message in list(queue._messages):
        ready = max(message.visible_at, message.delayed_until)
        if ready > now_ms:
            times.append(ready / 1000 + 0.001)
    due = clock.CLOCK.next_due()
    if due is not None and due > clock.time():
        times.append(due)
    return min(times)


def _long_poll(original: Any, backend: Any, queue: Any, args: tuple[Any, ...]) -> list[Any]:
    queue_name, count, wait_seconds, visibility_timeout, names = args
    deadline = clock.time() + wait_seconds
    while True:
        result = original(backend, queue_name, count, 0, visibility_timeout, names)
        if result or clock.time() >= deadline:
            return result
        with _outside_api_call():
            clock.advance(to=_next_change(queue, deadline))
        _expire(queue)


# -- dead-letter queue redrive (message move tasks) -------------------------------------------


@dataclass
class MoveTask:
    """One StartMessageMoveTask, as ListMessageMoveTasks reports it."""

    handle: str
    source_arn: str
    destination_arn: str | None
    rate: int | None
    started_ms: int
    to_move: int
    moved: int = 0
    status: str = "RUNNING"
    failure: str | None = None
    timer: Any = field(default=None, repr=False)

    def as_result(self) -> dict[str, Any]:
        result: dict[str, Any] = {
            "TaskHandle": self.handle,
            "Status": self.status,
            "SourceArn": self.source_arn,
            "ApproximateNumberOfMessagesMoved": self.moved,
            "ApproximateNumberOfMessagesToMove": self.to_move,
            "StartedTimestamp": self.started_ms,
        }
        if self.destination_arn:
            result["DestinationArn"] = self.destination_arn
        if self.rate is not None:
            result["MaxNumberOfMessagesPerSecond"] = self.rate
        if self.failure:
            result["FailureReason"] = self.failure
        return result


def _queue_by_arn(backend: Any, arn: str) -> Any:
    for queue in backend.queues.values():
        if queue.queue_arn == arn:
            return queue
    return None


def _sources_of(backend: Any, dlq: Any) -> list[Any]:
    return [q for q in backend.queues.values() if q.dead_letter_queue is dlq]


def _move_some(backend: Any, task: MoveTask) -> None:
    dlq = _queue_by_arn(backend, task.source_arn)
    if task.status != "RUNNING" or dlq is None:
        return
    limit = task.rate if task.rate else len(dlq._messages)
    moved_now = 0
    for message in [m for m in list(dlq._messages) if m.visible][:limit]:
        target_arn = task.destination_arn or getattr(message, "_course_source_arn", None)
        if target_arn is None:
            sources = _sources_of(backend, dlq)
            target_arn = sources[0].queue_arn if len(sources) == 1 else None
        target = _queue_by_arn(backend, target_arn) if target_arn else None
        if target is None:
            task.status, task.failure = "FAILED", "The original source queue of a message could not be found."
            return
        dlq._messages.remove(message)
        dlq.pending_messages.discard(message)
        # A fresh start in the source queue: otherwise its receive count would send it
        # straight back to the dead-letter queue on the next receive.
        message.approximate_receive_count = 0
        message.visible_at = 0.0
        target.add_message(message)
        task.moved += 1
        moved_now += 1
    remaining = [m for m in dlq._messages if m.visible]
    if task.moved >= task.to_move or not remaining:
        task.status = "COMPLETED"
        return
    task.timer = clock.call_later(1.0, lambda: _move_some(backend, task), label="SQS message move task", kind="sqs-move")


def start_message_move_task(backend: Any, source_arn: str, destination_arn: str | None, rate: int | None) -> MoveTask:
    from moto.sqs.exceptions import SQSException

    dlq = _queue_by_arn(backend, source_arn)
    if dlq is None:
        raise SQSException("ResourceNotFoundException", "The resource that you specified for the SourceArn parameter doesn't exist.")
    if not _sources_of(backend, dlq):
        raise SQSException("InvalidParameterValue", "Source queue must be configured as a Dead Letter Queue.")
    if destination_arn and _queue_by_arn(backend, destination_arn) is None:
        raise SQSException("ResourceNotFoundException", "The resource that you specified for the DestinationArn parameter doesn't exist.")
    created_ms = float(dlq.created_timestamp) * 1000
    if any(t.status == "RUNNING" and t.source_arn == source_arn and t.started_ms >= created_ms for t in tasks()):
        raise SQSException("UnsupportedOperation", "There is already a task running. Only one active task is allowed for a source queue arn at a given time.")
    task = MoveTask(
        handle=uuid.uuid4().hex,
        source_arn=source_arn,
        destination_arn=destination_arn,
        rate=rate,
        started_ms=int(clock.time() * 1000),
        to_move=len(dlq._messages),
    )
    with _lock:
        _tasks[task.handle] = task
    if task.to_move == 0:
        task.status = "COMPLETED"
    else:
        # The task runs in the background on AWS; here on the course clock's worker.
        clock.submit(lambda: _move_some(backend, task), label="SQS message move task", background=True)
    return task


def tasks() -> list[MoveTask]:
    with _lock:
        return list(_tasks.values())


def reset() -> None:
    with _lock:
        _tasks.clear()


# -- install ----------------------------------------------------------------------------------


def install() -> None:
    """Patch moto's SQS (see the module docstring); safe to call more than once."""
    global _installed
    from course_lib import wiring

    wiring.keep_after_reset("sqs_fidelity", reset)  # move tasks belong to the old account
    if _installed:
        return
    from moto.core.responses import ActionResult
    from moto.sqs import models as sqs_models
    from moto.sqs.exceptions import SQSException
    from moto.sqs.responses import SQSResponse

    original_set = sqs_models.Queue._set_attributes

    def _set_attributes(self: Any, attributes: dict[str, Any], now: float | None = None) -> None:
        _validate(attributes)
        original_set(self, attributes, now)

    sqs_models.Queue._set_attributes = _set_attributes  # type: ignore[method-assign]

    original_receive = sqs_models.SQSBackend.receive_message

    def receive_message(self: Any, queue_name: str, count: int, wait_seconds_timeout: int,
                        visibility_timeout: int, message_attribute_names: list[str] | None = None) -> list[Any]:
        queue = self.get_queue(queue_name)
        _expire(queue)
        dlq = queue.dead_letter_queue
        before = {id(m) for m in queue._messages} if dlq is not None else set()
        args = (queue_name, count, wait_seconds_timeout, visibility_timeout, message_attribute_names)
        if wait_seconds_timeout and not clock.CLOCK.real_time and clock.CLOCK._frozen is None:
            result = _long_poll(original_receive, self, queue, args)
        else:
            result = original_receive(self, *args)
        if dlq is not None:
            # moto moves a message to the DLQ inside a receive: remember where it came from,
            # so a redrive can send it back (AWS keeps that for its move tasks).
            for message in dlq._messages:
                if id(message) in before and not hasattr(message, "_course_source_arn"):
                    message._course_source_arn = queue.queue_arn
        return result

    sqs_models.SQSBackend.receive_message = receive_message  # type: ignore[method-assign]

    original_attributes = sqs_models.SQSBackend.get_queue_attributes

    def get_queue_attributes(self: Any, queue_name: str, attribute_names: list[str]) -> dict[str, Any]:
        queue = self.get_queue(queue_name)
        _expire(queue)
        if not attribute_names or "All" in attribute_names:
            return original_attributes(self, queue_name, attribute_names)
        valid = ["All"] + queue.BASE_ATTRIBUTES + queue.FIFO_ATTRIBUTES + queue.KMS_ATTRIBUTES
        if any(name not in valid for name in attribute_names):
            return original_attributes(self, queue_name, attribute_names)  # moto raises the error
        # moto rebuilds every attribute (walking every message) three times per name asked
        # for; once is enough and gives the same answer.
        every = queue.attributes
        return {name: every[name] for name in attribute_names if every.get(name) is not None}

    sqs_models.SQSBackend.get_queue_attributes = get_queue_attributes  # type: ignore[method-assign]

    def is_message_valid_based_on_retention_period(self: Any, queue_name: str, message: Any) -> bool:
        # moto's rebuilds all the queue's attributes for every message received; same test, cheaply.
        queue = self.get_queue(queue_name)
        return message.sent_timestamp + int(queue.message_retention_period) * 1000 > clock.time() * 1000

    sqs_models.SQSBackend.is_message_valid_based_on_retention_period = is_message_valid_based_on_retention_period  # type: ignore[method-assign]

    def _start(response: Any) -> ActionResult:
        rate = response._get_param("MaxNumberOfMessagesPerSecond")
        task = start_message_move_task(
            response.sqs_backend, response._get_param("SourceArn"), response._get_param("DestinationArn"),
            int(rate) if rate is not None else None,
        )
        return ActionResult({"TaskHandle": task.handle})

    def _list(response: Any) -> ActionResult:
        source = response._get_param("SourceArn")
        limit = int(response._get_param("MaxResults") or 1)
        found = sorted((t for t in tasks() if t.source_arn == source), key=lambda t: t.started_ms, reverse=True)
        return ActionResult({"Results": [t.as_result() for t in found[:limit]]})

    def _cancel(response: Any) -> ActionResult:
        handle = response._get_param("TaskHandle")
        with _lock:
            task = _tasks.get(handle)
        if task is None or task.status != "RUNNING":
            raise SQSException("ResourceNotFoundException", "Task does not exist.")
        task.status = "CANCELLED"
        if task.timer is not None:
            task.timer.cancel()
        return ActionResult({"ApproximateNumberOfMessagesMoved": task.moved})

    SQSResponse.start_message_move_task = _start  # type: ignore[attr-defined]
    SQSResponse.list_message_move_tasks = _list  # type: ignore[attr-defined]
    SQSResponse.cancel_message_move_task = _cancel  # type: ignore[attr-defined]

    # moto's ReceiveMessage falls back on the queue's wait time only for a missing parameter:
    # that already matches AWS, so nothing else to patch.
    _installed = True


def installed() -> bool:
    return _installed
