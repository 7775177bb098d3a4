"""Amazon Data Firehose delivering to S3 with buffering (moto writes every put at once).

    fh.create_delivery_stream(DeliveryStreamName="clicks-to-lake", ExtendedS3DestinationConfiguration={
        "BucketARN": "arn:aws:s3:::clicks-lake", "RoleARN": role, "Prefix": "clicks/",
        "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 60}})
    fh.put_record_batch(DeliveryStreamName="clicks-to-lake", Records=[...])
    firehose.buffered("clicks-to-lake")       # records and bytes waiting: nothing in S3 yet
    clock.advance(seconds=60)                 # the interval passes: one S3 object, every record
    firehose.deliveries("clicks-to-lake")     # each object written, its size and why it was written

What it emulates:

* **Buffering.** Records collect per Firehose stream. The buffer is written to S3 as one object
  when it reaches ``SizeInMBs`` (at once, as the put returns) or ``IntervalInSeconds`` after
  its first record arrived (on the course clock), whichever comes first. Without
  ``BufferingHints`` the defaults from the facts file apply. An interval of 0 writes each put
  as it returns.
* **Object names.** ``<evaluated prefix><stream>-<version>-<yyyy-MM-dd-HH-mm-ss>-<uuid>``. A
  prefix without a ``!{timestamp:...}`` expression gets AWS's ``yyyy/MM/dd/HH/`` appended;
  ``!{timestamp:pattern}`` (``yyyy``, ``MM``, ``dd``, ``HH``, ``mm``, ``ss``) and
  ``!{firehose:random-string}`` are evaluated. Times are UTC course time: the prefix uses the
  oldest record in the object, as AWS does, and so does the name's timestamp here.
* **Records are concatenated as sent.** Firehose adds no delimiter, so producers end each
  record with a newline; the ``AppendDelimiterToRecord`` processor, if configured, adds one.

Differs from AWS: the hints are followed exactly (AWS treats them as hints and may deliver a
little earlier or later); the size is counted on the bytes as sent; there are no delivery
retries, backups, compression, format conversion, dynamic partitioning or Lambda
transformations; a delivery stream reading a Kinesis stream (``KinesisStreamAsSource``) is not
fed by it.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import threading
import uuid
from dataclasses import dataclass, field
from typing import Any

from course_lib import clock

_installed = False
_lock = threading.RLock()
MIB = 1024 * 1024


@dataclass(frozen=True)
class Delivery:
    """One S3 object Firehose wrote."""

    key: str
    records: int
    bytes: int
    reason: str  # "buffer size" or "buffer interval"
    first_arrival: dt.datetime
    delivered: dt.datetime


@dataclass
class _Buffer:
    records: list[bytes] = field(default_factory=list)
    arrivals: list[float] = field(default_factory=list)
    size: int = 0
    timer: Any = None
    deliveries: list[Delivery] = field(default_factory=list)


def _buffer(stream: Any) -> _Buffer:
    # Kept on moto's own object, so a sandbox reset forgets it with the stream.
    found = getattr(stream, "_course_buffer", None)
    if found is None:
        found = _Buffer()
        stream._course_buffer = found
    return found


def _backend(account: str | None = None, region: str | None = None) -> Any:
    from moto.firehose.models import firehose_backends

    from course_lib import sandbox

    return firehose_backends[account or sandbox.ACCOUNT_ID][region or sandbox.REGION]


def _stream(name: str) -> Any:
    stream = _backend().delivery_streams.get(name)
    if stream is None:
        raise KeyError(f"No Firehose stream named {name!r}.")
    return stream


def hints(destination: dict[str, Any]) -> tuple[int, int]:
    """(size in MiB, interval in seconds) of an S3 destination, with AWS's defaults."""
    from course_lib import facts

    given = destination.get("BufferingHints") or {}
    size = int(given.get("SizeInMBs", facts.value("firehose.limits.buffer_size_default_mib")))
    interval = int(given.get("IntervalInSeconds", facts.value("firehose.limits.buffer_interval_default_s")))
    return size, interval


def _appends_delimiter(destination: dict[str, Any]) -> bool:
    processing = destination.get("ProcessingConfiguration") or {}
    if not processing.get("Enabled", False):
        return False
    return any(p.get("Type") == "AppendDelimiterToRecord" for p in processing.get("Processors") or [])


# -- keys ----------------------------------------------------------------------------------

_JAVA_TO_STRFTIME = (("yyyy", "%Y"), ("MM", "%m"), ("dd", "%d"), ("HH", "%H"), ("mm", "%M"), ("ss", "%S"))


def _java_time(pattern: str, when: dt.datetime) -> str:
    for java, python in _JAVA_TO_STRFTIME:
        pattern = pattern.replace(java, python)
    return when.strftime(pattern)


def object_key(prefix: str, stream_name: str, version: str, oldest: dt.datetime, now: dt.datetime) -> str:
    """The S3 key Firehose gives an object (see the module doc)."""

    def expression(match: re.Match[str]) -> str:
        namespace, value = match.group(1), match.group(2)
        if namespace == "timestamp":
            return _java_time(value, oldest)
        if namespace == "firehose" and value == "random-string":
            return uuid.uuid4().hex[:11]
        if namespace == "firehose" and value == "error-output-type":
            return "processing-failed"
        return match.group(0)

    has_timestamp = "!{timestamp:" in prefix
    evaluated = re.sub(r"!\{(\w+):([^}]*)\}", expression, prefix)
    if not has_timestamp:
        evaluated += oldest.strftime("%Y/%m/%d/%H/")
    return f"{evaluated}{stream_name}-{version}-{now.strftime('%Y-%m-%d-%H-%M-%S')}-{uuid.uuid4()}"


# -- buffering -----------------------------------------------------------------------------


def _s3_destination(stream: Any) -> dict[str, Any] | None:
    for destination in stream.destinations:
        if "ExtendedS3" in destination:
            return destination["ExtendedS3"]
        if "S3" in destination:
            return destination["S3"]
    return None


def _accept(backend: Any, stream: Any, destination: dict[str, Any], records: list[dict[str, Any]]) -> None:
    size_mib, interval = hints(destination)
    delimiter = _appends_delimiter(destination)
    buffer = _buffer(stream)
    now = clock.time()
    with _lock:
        for record in records:
            data = record["Data"]
            data = data.encode("utf-8") if isinstance(data, str) else bytes(data)
            if delimiter:
                data += b"\n"
            buffer.records.append(data)
            buffer.arrivals.append(now)
            buffer.size += len(data)
        full = buffer.size >= size_mib * MIB
        if interval <= 0 or full:
            reason = "buffer size" if full else "buffer interval"
        else:
            reason = ""
            if buffer.timer is None or buffer.timer.cancelled:
                buffer.timer = clock.call_at(
                    buffer.arrivals[0] + interval, lambda: flush(stream.delivery_stream_name, "buffer interval", backend),
                    label=f"Firehose {stream.delivery_stream_name} buffer interval", kind="firehose buffer")
    if reason:
        flush(stream.delivery_stream_name, reason, backend)


def flush(name: str, reason: str = "flushed", backend: Any = None) -> Delivery | None:
    """Write the stream's buffer to S3 now (what the buffer hints trigger)."""
    from moto.s3.models import s3_backends

    backend = backend or _backend()
    stream = backend.delivery_streams.get(name)
    if stream is None:
        return None
    destination = _s3_destination(stream)
    buffer = _buffer(stream)
    with _lock:
        if buffer.timer is not None:
            buffer.timer.cancel()
            buffer.timer = None
        if not buffer.records or destination is None:
            return None
        data, arrivals = b"".join(buffer.records), list(buffer.arrivals)
        buffer.records, buffer.arrivals, buffer.size = [], [], 0
    oldest = dt.datetime.fromtimestamp(arrivals[0], dt.timezone.utc)
    now = clock.now()
    key = object_key(destination.get("Prefix", "") or "", name, str(stream.version_id), oldest, now)
    bucket = destination["BucketARN"].split(":")[-1]
    s3_backends[backend.account_id][backend.partition].put_object(bucket, key, data)
    delivery = Delivery(key, len(arrivals), len(data), reason, oldest, now)
    with _lock:
        buffer.deliveries.append(delivery)
    return delivery


# -- what a learner can look at ------------------------------------------------------------


@dataclass(frozen=True)
class Buffered:
    records: int
    bytes: int
    deliver_at: dt.datetime | None  # when the interval will flush it (course time)
    deliver_in_s: float | None  # seconds of course time until then

    def __repr__(self) -> str:
        when = f"; written to S3 in {math.ceil(self.deliver_in_s)} s unless it fills up first" if self.deliver_in_s is not None else ""
        return f"<Firehose buffer: {self.records} records, {self.bytes:,} bytes{when}>"


def buffered(name: str) -> Buffered:
    """What waits in a Firehose stream's buffer."""
    buffer = _buffer(_stream(name))
    with _lock:
        timer = buffer.timer if buffer.timer is not None and not buffer.timer.cancelled else None
        due = timer.due_at if timer else None
        left = max(0.0, timer.due - clock.time()) if timer else None
        return Buffered(len(buffer.records), buffer.size, due, left)


def deliveries(name: str) -> list[Delivery]:
    """Every S3 object the stream has written, oldest first."""
    with _lock:
        return list(_buffer(_stream(name)).deliveries)


# -- install ---------------------------------------------------------------------------------


def install() -> None:
    """Route moto's S3 deliveries through the buffer (idempotent). Importing this module calls it."""
    global _installed
    with _lock:
        if _installed:
            return
        from moto.firehose.models import FirehoseBackend

        def put_s3_records(self: Any, delivery_stream_name: str, version_id: str,
                           s3_destination: dict[str, Any], records: list[dict[str, Any]]) -> list[dict[str, str]]:
            stream = self.delivery_streams[delivery_stream_name]
            _accept(self, stream, s3_destination, records)
            return [{"RecordId": uuid.uuid4().hex * 2} for _ in records]

        FirehoseBackend.put_s3_records = put_s3_records  # type: ignore[method-assign]
        _installed = True


install()
