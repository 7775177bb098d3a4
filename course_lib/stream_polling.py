"""Lambda reading a Kinesis stream: a poller per shard, batches in order, a checkpoint per shard.

    lam.create_event_source_mapping(EventSourceArn=stream_arn, FunctionName="clean-clicks",
                                    StartingPosition="TRIM_HORIZON", BatchSize=100)
    kinesis.put_records(StreamName="clicks", Records=[...])
    # when put_records returns, every shard with new records has been read: one invocation
    # per batch of up to BatchSize records, each batch from one shard, in sequence order
    stream_polling.positions("clean-clicks")   # where each shard's checkpoint is

moto delivers a Kinesis record to a mapped function as it is written, one record per
invocation, and only to the last mapping created for the stream. This module replaces that
with what Lambda's event source mapping does:

* **Batches per shard.** Each shard is read from its checkpoint; an invocation gets up to
  ``BatchSize`` records (default 100) of one shard, in sequence order, as AWS's event
  (``kinesisSchemaVersion``, ``partitionKey``, ``sequenceNumber``, base64 ``data``,
  ``approximateArrivalTimestamp``, ``eventID`` = ``shardId:sequenceNumber``). Records of
  different shards never share a batch, so order is kept per shard, and only per shard.
* **Starting position.** ``TRIM_HORIZON`` starts at the oldest record in the stream (records
  written before the mapping was created are processed too); ``LATEST`` only at records that
  arrive afterwards.
* **Batching window.** With ``MaximumBatchingWindowInSeconds`` > 0, a shard's batch waits on
  the course clock until it is full or the window has passed.
* **A failure blocks its shard.** When the function raises, the checkpoint does not move: the
  same batch is retried (on the course clock, 1 s later, doubling up to a minute) and the
  shard's later records wait behind it while other shards carry on. After
  ``MaximumRetryAttempts`` retries (default: until the records expire) the batch is skipped;
  an ``OnFailure`` SQS destination receives a description of it (not its records), as on AWS.
  ``ReportBatchItemFailures`` and ``BisectBatchOnFunctionError`` are honoured.
* **Every mapping reads every record.** Two functions mapped to one stream each get all of it.

When it runs: a put's records are read as the put returns (in the caller's thread, like the
other course wirings), retries and batching windows when the course clock passes them.

Differs from AWS: AWS polls each shard about once a second, so records written one by one a
few milliseconds apart usually share a batch; here each put is read as it returns, so use
``put_records`` or a batching window to see big batches. Shards are read one after another
(AWS reads them concurrently); ``ParallelizationFactor``, ``TumblingWindowInSeconds``,
``FilterCriteria`` and ``MaximumRecordAgeInSeconds`` are not applied; retention expiry is not
emulated; moto's sequence numbers are small integers (AWS's have 56 digits), still increasing
within each shard.
"""

from __future__ import annotations

import base64
import json
import threading
from dataclasses import dataclass, field
from typing import Any

from course_lib import clock

_installed = False
_lock = threading.RLock()
DEFAULT_BATCH_SIZE = 100
RETRY_FIRST_S = 1.0
RETRY_MAX_S = 60.0


@dataclass
class _ShardState:
    checkpoint: int  # sequence number of the last record handled (0: none yet)
    attempts: int = 0  # failed tries of the batch at the checkpoint
    timer: Any = None  # a pending retry or batching-window poll


@dataclass
class _MappingState:
    shards: dict[str, _ShardState] = field(default_factory=dict)


def _state(esm: Any) -> _MappingState:
    state = getattr(esm, "_course_stream_state", None)
    if state is None:
        state = _MappingState()
        esm._course_stream_state = state
    return state


# -- finding things -------------------------------------------------------------------------


def _kinesis_backend(account: str, region: str) -> Any:
    from moto.kinesis.models import kinesis_backends

    return kinesis_backends[account][region]


def _stream_by_arn(arn: str) -> Any | None:
    from course_lib.wiring import targets

    parsed = targets.parse_arn(arn)
    backend = _kinesis_backend(parsed.account, parsed.region)
    return next((s for s in backend.streams.values() if s.arn == arn), None)


def _mappings(stream_arn: str) -> list[Any]:
    from course_lib.wiring import targets

    parsed = targets.parse_arn(stream_arn)
    backend = targets.lambda_backend(parsed.account, parsed.region)
    return [esm for esm in list(backend._event_source_mappings.values())
            if esm.event_source_arn == stream_arn and esm.enabled]


# -- polling ----------------------------------------------------------------------------------


def request_poll(stream_arn: str) -> None:
    """Read the stream's new records for every mapping, when the current API call returns."""
    stream = _stream_by_arn(stream_arn)
    if stream is None:
        return
    with _lock:
        # put_records calls this once per record; one poll reads them all. The flag lives on
        # moto's stream object, so a sandbox reset forgets it with the stream.
        if getattr(stream, "_course_poll_requested", False):
            return
        stream._course_poll_requested = True
    clock.submit(lambda: poll(stream_arn), label=f"Kinesis poll {stream.stream_name}")


def poll(stream_arn: str) -> None:
    stream = _stream_by_arn(stream_arn)
    if stream is not None:
        with _lock:
            stream._course_poll_requested = False
    if stream is None:
        return
    for esm in _mappings(stream_arn):
        for shard in sorted(stream.shards.values(), key=lambda s: s.shard_id):
            _drain_shard(esm, stream, shard)


def _shard_state(esm: Any, shard: Any) -> _ShardState:
    state = _state(esm)
    with _lock:
        found = state.shards.get(shard.shard_id)
        if found is None:
            # A shard the mapping has not seen: TRIM_HORIZON starts before its first record.
            found = _ShardState(checkpoint=0)
            state.shards[shard.shard_id] = found
        return found


def _pending(shard: Any, after: int) -> list[Any]:
    return [r for seq, r in shard.records.items() if seq > after]


def _drain_shard(esm: Any, stream: Any, shard: Any, window_closed: bool = False) -> None:
    state = _shard_state(esm, shard)
    batch_size = int(esm.batch_size or DEFAULT_BATCH_SIZE)
    window = float(esm.max_batch_window or 0)
    while True:
        with _lock:
            if state.timer is not None and not state.timer.cancelled:
                return  # a retry or a batching window is pending: it polls this shard later
            records = _pending(shard, state.checkpoint)
            if not records:
                return
            if window > 0 and len(records) < batch_size and not window_closed:
                state.timer = clock.call_later(
                    window, lambda: _timer_poll(esm, stream, shard, window=True),
                    label=f"batching window {shard.shard_id} of {stream.stream_name}", kind="kinesis batching window")
                return
            window_closed = False
            batch = records[:batch_size]
        if not _deliver(esm, stream, shard, state, batch):
            return


def _timer_poll(esm: Any, stream: Any, shard: Any, window: bool = False) -> None:
    state = _shard_state(esm, shard)
    with _lock:
        state.timer = None
    if esm.enabled:
        _drain_shard(esm, stream, shard, window_closed=window)


def _event_record(esm: Any, stream: Any, shard: Any, record: Any, role: str) -> dict[str, Any]:
    data = record.data
    if isinstance(data, str):
        data_b64 = data  # moto keeps records base64-encoded, as the wire format has them
    else:
        data_b64 = base64.b64encode(data).decode("ascii")
    return {
        "kinesis": {
            "kinesisSchemaVersion": "1.0",
            "partitionKey": record.partition_key,
            "sequenceNumber": str(record.sequence_number),
            "data": data_b64,
            "approximateArrivalTimestamp": round(float(record.created_at), 3),
        },
        "eventSource": "aws:kinesis",
        "eventVersion": "1.0",
        "eventID": f"{shard.shard_id}:{record.sequence_number}",
        "eventName": "aws:kinesis:record",
        "invokeIdentityArn": role,
        "awsRegion": esm.region,
        "eventSourceARN": stream.arn,
    }


def _deliver(esm: Any, stream: Any, shard: Any, state: _ShardState, batch: list[Any]) -> bool:
    """Invoke with one batch; True when the shard may move on to its next batch now."""
    from course_lib.runtime import hook
    from course_lib.wiring import targets

    try:
        fn = targets.lambda_function(esm.function_arn)
    except Exception:  # noqa: BLE001 - the function was deleted: nothing reads the shard
        return False
    event = {"Records": [_event_record(esm, stream, shard, r, fn.role) for r in batch]}
    invocation = hook.run(fn, event)
    failed_from = _first_failure(esm, invocation, batch)
    if failed_from is None:
        with _lock:
            state.checkpoint, state.attempts = batch[-1].sequence_number, 0
        return True
    with _lock:
        # Records before the first reported failure are done (ReportBatchItemFailures).
        done = [r for r in batch if r.sequence_number < failed_from]
        if done:
            state.checkpoint = done[-1].sequence_number
        state.attempts += 1
        attempts = state.attempts
    limit = esm.max_retry_attempts
    if limit is not None and int(limit) >= 0 and attempts > int(limit):
        _give_up(esm, stream, shard, state, [r for r in batch if r.sequence_number >= failed_from])
        return True
    if esm.bisect_on_error and len(batch) > 1 and not done:
        # Split the failing batch: retry its first half alone, so a bad record is cornered.
        half = batch[: len(batch) // 2]
        return _deliver(esm, stream, shard, state, half)
    delay = min(RETRY_MAX_S, RETRY_FIRST_S * 2 ** (attempts - 1))
    with _lock:
        state.timer = clock.call_later(delay, lambda: _timer_poll(esm, stream, shard),
                                       label=f"retry {shard.shard_id} of {stream.stream_name}", kind="kinesis retry")
    return False


def _first_failure(esm: Any, invocation: Any, batch: list[Any]) -> int | None:
    """Sequence number from which the batch failed, or None when it succeeded."""
    if invocation.errored:
        return batch[0].sequence_number
    if "ReportBatchItemFailures" not in (esm.function_response_types or []):
        return None
    try:
        response = json.loads(invocation.payload) if invocation.payload else None
    except ValueError:
        return None
    failures = response.get("batchItemFailures") if isinstance(response, dict) else None
    if not failures:
        return None
    numbers = {str(r.sequence_number): r.sequence_number for r in batch}
    found = []
    for item in failures if isinstance(failures, list) else []:
        identifier = str(item.get("itemIdentifier")) if isinstance(item, dict) else ""
        if identifier not in numbers:
            return batch[0].sequence_number  # a malformed response fails the whole batch
        found.append(numbers[identifier])
    return min(found)


def _give_up(esm: Any, stream: Any, shard: Any, state: _ShardState, skipped: list[Any]) -> None:
    with _lock:
        state.checkpoint, state.attempts = skipped[-1].sequence_number, 0
    target = ((esm.destination_config or {}).get("OnFailure") or {}).get("Destination")
    if not target:
        return
    from course_lib import events
    from course_lib.wiring import targets

    description = {
        "requestContext": {"condition": "RetryAttemptsExhausted", "approximateInvokeCount": int(esm.max_retry_attempts) + 1,
                           "functionArn": esm.function_arn},
        "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
        "timestamp": events.iso_millis(),
        "KinesisBatchInfo": {
            "shardId": shard.shard_id,
            "startSequenceNumber": str(skipped[0].sequence_number),
            "endSequenceNumber": str(skipped[-1].sequence_number),
            "batchSize": len(skipped),
            "streamArn": stream.arn,
        },
    }
    targets.deliver(target, description, source=f"Kinesis mapping {esm.uuid}")


# -- what a learner can look at ------------------------------------------------------------


@dataclass(frozen=True)
class ShardPosition:
    shard_id: str
    checkpoint: int
    waiting: int
    failed_attempts: int


def positions(function_name: str, stream_name: str | None = None) -> list[ShardPosition]:
    """Each shard's checkpoint for the function's Kinesis mapping(s), and how many records wait."""
    from course_lib.wiring import targets

    backend = targets.lambda_backend()
    found = []
    for esm in list(backend._event_source_mappings.values()):
        if esm.function_arn.rsplit(":", 1)[-1] != function_name or ":kinesis:" not in esm.event_source_arn:
            continue
        stream = _stream_by_arn(esm.event_source_arn)
        if stream is None or (stream_name and stream.stream_name != stream_name):
            continue
        for shard in sorted(stream.shards.values(), key=lambda s: s.shard_id):
            state = _shard_state(esm, shard)
            found.append(ShardPosition(shard.shard_id, state.checkpoint, len(_pending(shard, state.checkpoint)), state.attempts))
    return found


# -- install ----------------------------------------------------------------------------------


def install() -> None:
    """Replace moto's record-by-record delivery (idempotent). Importing this module calls it."""
    global _installed
    with _lock:
        if _installed:
            return
        from moto.awslambda.models import LambdaBackend

        def send_kinesis_message(self: Any, function_name: str, kinesis_stream: str, kinesis_partition_key: str,
                                 kinesis_sequence_number: str, kinesis_data: str, kinesis_shard_id: str) -> None:
            # moto calls this once per record (for one mapping); we read the whole stream instead.
            request_poll(kinesis_stream)

        original_create = LambdaBackend.create_event_source_mapping

        def create_event_source_mapping(self: Any, spec: dict[str, Any]) -> Any:
            esm = original_create(self, spec)
            if ":kinesis:" in str(esm.event_source_arn):
                stream = _stream_by_arn(esm.event_source_arn)
                if stream is not None:
                    latest = str(esm.starting_position or "TRIM_HORIZON").upper() == "LATEST"
                    state = _state(esm)
                    for shard in stream.shards.values():
                        last = shard.get_max_sequence_number() if latest else 0
                        state.shards[shard.shard_id] = _ShardState(checkpoint=last)
                    if not latest:
                        request_poll(esm.event_source_arn)  # records already in the stream
            return esm

        LambdaBackend.send_kinesis_message = send_kinesis_message  # type: ignore[method-assign]
        LambdaBackend.create_event_source_mapping = create_event_source_mapping  # type: ignore[method-assign]
        _installed = True


install()
