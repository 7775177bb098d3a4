"""SQS event source mappings: Lambda polling a queue in batches, as AWS does.

    lam.create_event_source_mapping(EventSourceArn=queue_arn, FunctionName="worker",
                                    BatchSize=10, MaximumBatchingWindowInSeconds=5,
                                    FunctionResponseTypes=["ReportBatchItemFailures"])
    sqs.send_message(QueueUrl=url, MessageBody="hello")
    clock.advance(seconds=5)          # the batching window closes: one invocation, a batch
    clock.advance(seconds=30)         # failed messages are back after the visibility timeout

What it emulates:

* **Polling in batches.** ``send_message`` returns at once; a poller on the course's
  background worker receives up to ``BatchSize`` messages and invokes the function
  synchronously with one event holding them all (real ``messageId``, ``receiptHandle``,
  ``SentTimestamp``, ``ApproximateReceiveCount``, ``messageAttributes``, ``md5OfBody`` and
  ``md5OfMessageAttributes``, FIFO ``MessageGroupId``/``SequenceNumber``).
* **Batching window.** With ``MaximumBatchingWindowInSeconds`` > 0, Lambda waits until the
  batch is full or the window (on the course clock) has passed.
* **Results.** Success deletes the batch. An error leaves every message in flight; it becomes
  visible again after the queue's visibility timeout and is received again (its receive count
  grows). With ``FunctionResponseTypes=["ReportBatchItemFailures"]``, a response
  ``{"batchItemFailures": [{"itemIdentifier": "<messageId>"}]}`` deletes all but those; a
  malformed response fails the whole batch, as on AWS.
* **Dead-letter queue.** After ``maxReceiveCount`` receives, the queue's redrive policy moves
  the message to its DLQ (moto does the move when the message would be received again).
* **Filtering.** ``FilterCriteria`` patterns are applied to each record (``body`` parsed as
  JSON when it is JSON); messages that do not match are deleted without an invocation.

SQS timing (sent timestamps, delays, visibility timeouts) follows the course clock, so
``clock.advance`` is how a learner sees messages come back.

Differs from AWS: one poller, one batch at a time (AWS scales out to many concurrent
batches); the 6 MB payload limit and ``ScalingConfig`` are not enforced; the event source
mapping's ``State`` is always ``Enabled``/``Disabled`` (no ``Creating``).
"""

from __future__ import annotations

import json
import threading
from typing import Any

from course_lib import clock, events

_installed = False
_lock = threading.Lock()
_poll_requested: set[str] = set()
_window_timers: dict[str, clock.Timer] = {}
_retry_timers: dict[str, clock.Timer] = {}


def reset() -> None:
    with _lock:
        _poll_requested.clear()
        _window_timers.clear()
        _retry_timers.clear()


# -- finding the mappings of a queue ----------------------------------------------------------


def _mappings(queue: Any) -> list[Any]:
    from course_lib.wiring import targets

    backend = targets.lambda_backend(queue.account_id, queue.region)
    return [
        esm
        for esm in list(backend._event_source_mappings.values())
        if esm.event_source_arn == queue.queue_arn and esm.enabled
    ]


def _queue_by_arn(arn: str) -> Any:
    from course_lib.wiring import targets

    parsed = targets.parse_arn(arn)
    return targets.sqs_backend(parsed.account, parsed.region).get_queue(parsed.resource)


# -- triggering polls -------------------------------------------------------------------------


def request_poll(queue: Any) -> None:
    """Ask the background poller to look at ``queue`` soon (called when messages arrive)."""
    if not _mappings(queue):
        return
    arn = queue.queue_arn
    with _lock:
        if arn in _poll_requested:
            return
        _poll_requested.add(arn)
    clock.submit(lambda: _poll(arn), label=f"SQS poll {queue.name}")


def _schedule_at(table: dict[str, clock.Timer], key: str, when: float, arn: str, label: str, kind: str) -> None:
    with _lock:
        existing = table.get(key)
        if existing is not None and not existing.cancelled and existing.due <= when + 1e-6:
            return
        if existing is not None:
            existing.cancel()
        table[key] = clock.call_at(when, lambda: _timer_poll(table, key, arn), label=label, kind=kind)


def _timer_poll(table: dict[str, clock.Timer], key: str, arn: str) -> None:
    with _lock:
        table.pop(key, None)
    _poll(arn, window_closed=key)


# -- the poller -------------------------------------------------------------------------------


def _visible_count(queue: Any) -> int:
    return len(queue.messages)


def _poll(arn: str, window_closed: str | None = None) -> None:
    with _lock:
        _poll_requested.discard(arn)
    try:
        queue = _queue_by_arn(arn)
    except Exception:  # noqa: BLE001 - the queue was deleted meanwhile
        return
    for esm in _mappings(queue):
        window = float(esm.max_batch_window or 0)
        batch_size = int(esm.batch_size or 10)
        if window > 0 and window_closed != arn + esm.uuid and _visible_count(queue) < batch_size:
            # Wait for a full batch or the end of the window, whichever comes first.
            _schedule_at(
                _window_timers, arn + esm.uuid, clock.time() + window, arn, f"batching window {queue.name}", "batch-window"
            )
            continue
        _drain(queue, esm)
    _schedule_return_of_inflight(queue)


def _drain(queue: Any, esm: Any) -> None:
    from course_lib.wiring import targets

    backend = targets.sqs_backend(queue.account_id, queue.region)
    batch_size = int(esm.batch_size or 10)
    attempted: set[str] = set()
    while True:
        messages = backend.receive_message(queue.name, batch_size, 0, queue.visibility_timeout, ["All"])
        if not messages:
            return
        if any(m.id in attempted for m in messages):
            # A visibility timeout of 0 hands failed messages straight back: retry them on the
            # next tick of the course clock instead of spinning here.
            for m in messages:
                backend.change_message_visibility(queue.name, m.receipt_handle, 1)
            return
        attempted.update(m.id for m in messages)
        records = [_record(queue, m) for m in messages]
        records, dropped = _apply_filters(esm, records)
        for record in dropped:
            backend.delete_message(queue.name, record["receiptHandle"])
        if not records:
            continue
        failed = _invoke(esm, records)
        for record in records:
            if record["messageId"] not in failed:
                backend.delete_message(queue.name, record["receiptHandle"])


def _record(queue: Any, message: Any) -> dict[str, Any]:
    system = dict(message.system_attributes or {})
    trace = (system.get("AWSTraceHeader") or {}).get("StringValue")
    record = events.sqs_record(
        message.body,
        queue_arn=queue.queue_arn,
        message_id=message.id,
        receipt_handle=message.receipt_handle,
        message_attributes=message.message_attributes,
        receive_count=message.approximate_receive_count,
        sent=message.sent_timestamp / 1000,
        first_received=(message.approximate_first_receive_timestamp or message.sent_timestamp) / 1000,
        sender_id=message.sender_id,
        group_id=message.group_id,
        deduplication_id=message.deduplication_id,
        sequence_number=message.sequence_number,
        trace_header=trace,
    )
    if message.message_attributes:
        record["md5OfMessageAttributes"] = message.attribute_md5  # moto's, as SendMessage returned
    return record


def _apply_filters(esm: Any, records: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    patterns = [f.get("Pattern") for f in ((esm.filter_criteria or {}).get("Filters") or []) if f.get("Pattern")]
    if not patterns:
        return records, []
    from moto.events.models import EventPattern

    compiled = [EventPattern.load(p) for p in patterns]
    kept, dropped = [], []
    for record in records:
        view = dict(record)
        try:
            view["body"] = json.loads(record["body"])
        except ValueError:
            pass
        (kept if any(p.matches_event(view) for p in compiled) else dropped).append(record)
    return kept, dropped


def _invoke(esm: Any, records: list[dict[str, Any]]) -> set[str]:
    """Invoke the function with the batch; returns the message ids that failed."""
    from course_lib.runtime import hook
    from course_lib.wiring import targets

    try:
        fn = targets.lambda_function(esm.function_arn)
    except Exception:  # noqa: BLE001 - function deleted: AWS disables the mapping
        return {r["messageId"] for r in records}
    invocation = hook.run(fn, {"Records": records})
    ids = {r["messageId"] for r in records}
    if invocation.errored:
        return ids
    if "ReportBatchItemFailures" not in (esm.function_response_types or []):
        return set()
    try:
        response = json.loads(invocation.payload) if invocation.payload else None
    except ValueError:
        return set()
    if not isinstance(response, dict) or not response.get("batchItemFailures"):
        return set()  # null, {} or an empty list all mean "everything succeeded"
    failures = response["batchItemFailures"]
    failed: set[str] = set()
    for item in failures if isinstance(failures, list) else []:
        identifier = item.get("itemIdentifier") if isinstance(item, dict) else None
        if not identifier or identifier not in ids:
            return ids  # AWS treats a malformed response as a failure of the whole batch
        failed.add(identifier)
    return failed


def _schedule_return_of_inflight(queue: Any) -> None:
    """Poll again when the next in-flight or delayed message becomes visible."""
    now_ms = clock.time() * 1000
    upcoming = [
        max(m.visible_at, m.delayed_until) for m in list(queue._messages) if max(m.visible_at, m.delayed_until) > now_ms
    ]
    if upcoming and _mappings(queue):
        # Messages of one batch were stamped microseconds apart: wait for all of them, so they
        # come back together (as they would on AWS), and a microsecond past against rounding.
        earliest = min(upcoming)
        when = max(u for u in upcoming if u - earliest < 1000) / 1000 + 1e-6
        _schedule_at(_retry_timers, queue.queue_arn, when, queue.queue_arn, f"messages visible again in {queue.name}", "visibility")


# -- patches ----------------------------------------------------------------------------------


def _course_unix_time(value: Any = None) -> float:
    from moto.core.utils import unix_time

    return unix_time(value) if value is not None else clock.time()


def _course_unix_time_millis(value: Any = None) -> float:
    from moto.core.utils import unix_time_millis

    return unix_time_millis(value) if value is not None else clock.time() * 1000


def install() -> None:
    """Take SQS -> Lambda delivery over from moto and put SQS on the course clock."""
    global _installed
    if _installed:
        return
    import moto.sqs.models as sqs_models
    from moto.awslambda.models import LambdaBackend

    # Timing on the course clock: sends, delays and visibility timeouts.
    sqs_models.unix_time = _course_unix_time  # type: ignore[assignment]
    sqs_models.unix_time_millis = _course_unix_time_millis  # type: ignore[assignment]
    # A message is visible again once its visibility timeout has passed (moto wants a further
    # instant), so advancing the clock by exactly the timeout brings it back, as a learner expects.
    sqs_models.Message.visible = property(lambda self: _course_unix_time_millis() >= self.visible_at)  # type: ignore[assignment]

    def add_message(self: Any, message: Any) -> None:
        # moto's own add_message, minus its synchronous one-message-at-a-time delivery.
        if self.fifo_queue and (
            self.attributes.get("ContentBasedDeduplication") == "true" or message.deduplication_id
        ):
            for existing in self._messages:
                if existing.deduplication_id == message.deduplication_id:
                    if (message.sent_timestamp - existing.sent_timestamp) / 1000 < sqs_models.DEDUPLICATION_TIME_IN_SECONDS:
                        return
        with self._messages_lock:
            self._messages.append(message)
            self._messages_lock.notify_all()
        if message.delayed:
            if _mappings(self):
                _schedule_at(
                    _retry_timers, self.queue_arn, message.delayed_until / 1000 + 1e-6, self.queue_arn,
                    f"delayed message in {self.name}", "visibility",
                )
        else:
            request_poll(self)

    sqs_models.Queue.add_message = add_message  # type: ignore[method-assign]

    original_create = LambdaBackend.create_event_source_mapping
    original_update = LambdaBackend.update_event_source_mapping

    def create_event_source_mapping(self: Any, spec: dict[str, Any]) -> Any:
        esm = original_create(self, spec)
        _kick(esm)
        return esm

    def update_event_source_mapping(self: Any, uuid: str, spec: dict[str, Any]) -> Any:
        esm = original_update(self, uuid, spec)
        if esm is not None:
            _kick(esm)
        return esm

    LambdaBackend.create_event_source_mapping = create_event_source_mapping  # type: ignore[method-assign]
    LambdaBackend.update_event_source_mapping = update_event_source_mapping  # type: ignore[method-assign]
    _installed = True


def _kick(esm: Any) -> None:
    """A new or changed SQS mapping starts by polling what is already in the queue."""
    if ":sqs:" not in esm.event_source_arn:
        return
    if esm.max_batch_window is None and not esm.event_source_arn.endswith(".fifo"):
        esm.max_batch_window = 0  # AWS reports 0 for standard queues
    try:
        request_poll(_queue_by_arn(esm.event_source_arn))
    except Exception:  # noqa: BLE001
        pass
