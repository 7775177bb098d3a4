"""What a function prints, and the log lines Lambda writes around it.

Each invocation's ``print`` and ``logging`` output is captured for its own thread (for
CloudWatch Logs and ``LogType=Tail``) and, unless the caller asked for quiet, still shown in
the notebook cell, as a learner expects. Lambda's own lines follow AWS's format exactly::

    START RequestId: 8f5c... Version: $LATEST
    END RequestId: 8f5c...
    REPORT RequestId: 8f5c...\tDuration: 1.23 ms\tBilled Duration: 5 ms\tMemory Size: 128 MB\tMax Memory Used: 41 MB\tInit Duration: 3.45 ms

Differs from AWS: "Max Memory Used" is estimated (see ``runtime.memory``), and each
invocation writes its own log stream (AWS reuses one stream per execution environment).
"""

from __future__ import annotations

import io
import logging
import math
import re
import sys
import threading
from dataclasses import dataclass
from typing import Any, TextIO

_local = threading.local()


class _Capture:
    def __init__(self, echo: bool) -> None:
        self.buffer = io.StringIO()
        self.echo = echo


def _active() -> _Capture | None:
    stack = getattr(_local, "stack", None)
    return stack[-1] if stack else None


class TeeStream:
    """Wraps sys.stdout / sys.stderr. Inside an invocation, writes also go to its log.

    Every attribute it does not define is delegated: ipykernel calls ``set_parent`` on
    ``sys.stdout`` for each cell, and without delegation later cell output vanishes.
    """

    def __init__(self, inner: TextIO) -> None:
        self._inner = inner

    def write(self, text: str) -> int:
        capture = _active()
        if capture is not None:
            capture.buffer.write(text)
            if not capture.echo:
                return len(text)
        return self._inner.write(text)

    def flush(self) -> None:
        self._inner.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def install_streams() -> None:
    # Re-checked on every invocation: ipykernel or a test runner may swap sys.stdout later.
    if not isinstance(sys.stdout, TeeStream):
        sys.stdout = TeeStream(sys.stdout)  # type: ignore[assignment]
    if not isinstance(sys.stderr, TeeStream):
        sys.stderr = TeeStream(sys.stderr)  # type: ignore[assignment]


class capture_output:
    """Context manager collecting one invocation's output on this thread."""

    def __init__(self, echo: bool = True) -> None:
        self._capture = _Capture(echo)

    def __enter__(self) -> io.StringIO:
        install_streams()
        stack = getattr(_local, "stack", None)
        if stack is None:
            stack = _local.stack = []
        stack.append(self._capture)
        return self._capture.buffer

    def __exit__(self, *exc: object) -> None:
        _local.stack.pop()


# -- logging: the Python runtime's root handler --------------------------------------------
_IGNORED_LOGGERS = ("moto", "botocore", "boto3", "urllib3", "werkzeug", "s3transfer", "asyncio")


class LambdaLogHandler(logging.Handler):
    """Formats records as the Python runtime does: ``[LEVEL]\\ttimestamp\\trequestId\\tmessage``.

    Only records emitted inside an invocation, by the handler's own loggers, are written.
    """

    def emit(self, record: logging.LogRecord) -> None:
        if _active() is None or record.name.startswith(_IGNORED_LOGGERS):
            return
        request_id = getattr(_local, "request_id", "")
        stamp = _iso_millis(record.created)
        try:
            message = record.getMessage()
        except Exception:  # a malformed %-format in handler code must not break the invoke
            message = str(record.msg)
        if record.exc_info:
            message += "\n" + logging.Formatter().formatException(record.exc_info)
        sys.stdout.write(f"[{record.levelname}]\t{stamp}\t{request_id}\t{message}\n")


def _iso_millis(epoch: float) -> str:
    import datetime as dt

    return dt.datetime.fromtimestamp(epoch, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


_handler = LambdaLogHandler()


def install_logging() -> None:
    root = logging.getLogger()
    if _handler not in root.handlers:
        root.addHandler(_handler)


def set_request_id(request_id: str) -> None:
    _local.request_id = request_id


# -- START / END / REPORT ------------------------------------------------------------------
@dataclass(frozen=True)
class Report:
    """One REPORT line, parsed or about to be written."""

    request_id: str
    duration_ms: float
    billed_ms: int
    memory_mb: int
    max_memory_mb: int
    init_ms: float | None = None
    status: str | None = None  # "timeout" or "error", as AWS appends to REPORT lines

    @property
    def cold_start(self) -> bool:
        return self.init_ms is not None

    def line(self) -> str:
        text = (
            f"REPORT RequestId: {self.request_id}\tDuration: {self.duration_ms:.2f} ms\t"
            f"Billed Duration: {self.billed_ms} ms\tMemory Size: {self.memory_mb} MB\t"
            f"Max Memory Used: {self.max_memory_mb} MB"
        )
        if self.init_ms is not None:
            text += f"\tInit Duration: {self.init_ms:.2f} ms"
        if self.status:
            text += f"\tStatus: {self.status}"
        return text

    @property
    def gb_seconds(self) -> float:
        return self.billed_ms / 1000 * self.memory_mb / 1024


def billed_ms(duration_ms: float, init_ms: float | None) -> int:
    """Billed duration: rounded up to 1 ms, INIT included (billed since 1 August 2025)."""
    return max(1, math.ceil(duration_ms + (init_ms or 0.0)))


_REPORT = re.compile(
    r"REPORT RequestId: (?P<id>\S+)\s+Duration: (?P<d>[\d.]+) ms\s+Billed Duration: (?P<b>\d+) ms\s+"
    r"Memory Size: (?P<m>\d+) MB\s+Max Memory Used: (?P<mm>\d+) MB(?:\s+Init Duration: (?P<i>[\d.]+) ms)?(?:\s+Status: (?P<s>\w+))?"
)


def parse_report(line: str) -> Report | None:
    """Parse a REPORT line (AWS's or ours); None when the line is not one."""
    match = _REPORT.search(line)
    if not match:
        return None
    return Report(
        request_id=match["id"],
        duration_ms=float(match["d"]),
        billed_ms=int(match["b"]),
        memory_mb=int(match["m"]),
        max_memory_mb=int(match["mm"]),
        init_ms=float(match["i"]) if match["i"] else None,
        status=match["s"],
    )


def start_line(request_id: str, version: str = "$LATEST") -> str:
    return f"START RequestId: {request_id} Version: {version}"


def end_line(request_id: str) -> str:
    return f"END RequestId: {request_id}"
