"""CloudWatch metrics that moto never produces: Lambda's own metrics, throttles, and metric filters.

    from course_lib import log_metrics
    log_metrics.install()     # idempotent; chapter 12's setup does it

What it emulates.

* **Lambda metrics.** After every invocation the local runtime runs (``executor.add_listener``),
  the namespace ``AWS/Lambda`` receives, with dimension ``FunctionName``: ``Invocations`` (1),
  ``Errors`` (1 when the function failed, else 0), ``Duration`` (the REPORT line's duration,
  milliseconds). Timestamps follow the course clock, so ``clock.advance`` spreads traffic over
  minutes as a real day would.
* **Throttles.** A function whose reserved concurrency is ``0`` (the "off switch") is refused
  with ``TooManyRequestsException`` (HTTP 429, ``Reason: ReservedFunctionConcurrentInvocationLimitExceeded``)
  and a ``Throttles`` datapoint, as on AWS; its handler never runs.
* **Metric filters.** ``put_metric_filter`` is stored by moto and never applied. Here, every
  batch of log events written to a group (by functions or by ``put_log_events``) is matched
  against the group's filters; each match puts ``metricValue`` (a number, or ``$.field`` of a
  JSON event) into the filter's metric, and ``defaultValue`` is put when a batch has no match.
* **Filter patterns**, for metric filters and for ``filter_log_events`` (moto understands only
  one term or one quoted phrase): terms (all must appear), ``"quoted phrases"``, ``?term``
  (any of these), ``-term`` (must not appear), and JSON patterns such as
  ``{ $.level = "ERROR" }``, ``{ $.latency_ms > 500 }``, joined with ``&&`` or ``||``
  (``*`` wildcards in string values). :func:`matches` is the matcher.

Differs from AWS: metrics exist only for what ran locally; ``ConcurrentExecutions``,
``IteratorAge`` and the other Lambda metrics are not produced; metric filters see events as they
are written (AWS applies them within about a minute); space-delimited patterns (``[ip, user,
...]``) and filter dimensions are not supported; throttling happens only at reserved
concurrency 0 (the in-process runtime never runs out of concurrency).
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import json
import re
import threading
from typing import Any

NAMESPACE = "AWS/Lambda"
_installed = False
_lock = threading.Lock()


# -- filter patterns ------------------------------------------------------------------------------

_JSON_TERM = re.compile(
    r"\s*\$\.(?P<path>[A-Za-z0-9_.\[\]-]+)\s*(?P<op>=|!=|>=|<=|>|<)\s*(?P<value>\"[^\"]*\"|[^\s&|)]+)\s*"
)


def _json_lookup(document: Any, path: str) -> Any:
    current = document
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", path):
        if part.startswith("["):
            index = int(part[1:-1])
            if not isinstance(current, list) or index >= len(current):
                return None
            current = current[index]
        elif isinstance(current, dict) and part in current:
            current = current[part]
        else:
            return None
    return current


def _json_comparison(document: Any, term: str) -> bool:
    match = _JSON_TERM.fullmatch(term)
    if match is None:
        raise ValueError(f"unsupported JSON filter term: {term.strip()!r}")
    actual = _json_lookup(document, match["path"])
    op, raw = match["op"], match["value"]
    if raw.startswith('"'):
        if actual is None or isinstance(actual, (dict, list)):
            return op == "!="
        hit = fnmatch.fnmatchcase(str(actual), raw[1:-1])
        return hit if op == "=" else (not hit if op == "!=" else False)
    try:
        wanted = float(raw)
        value = float(actual)
    except (TypeError, ValueError):
        if raw in ("true", "false", "NULL", "null") and op in ("=", "!="):
            literal = {"true": True, "false": False}.get(raw)
            return (actual == literal) == (op == "=")
        return op == "!="
    return {"=": value == wanted, "!=": value != wanted, ">": value > wanted, "<": value < wanted,
            ">=": value >= wanted, "<=": value <= wanted}[op]


def _json_matches(pattern: str, message: str) -> bool:
    try:
        document = json.loads(message[message.index("{"):]) if "{" in message else None
    except ValueError:
        document = None
    if not isinstance(document, dict):
        return False
    body = pattern.strip()[1:-1].strip()
    # OR of ANDs (no nested parentheses: enough for the patterns the course teaches)
    return any(
        all(_json_comparison(document, term.strip().strip("()")) for term in alternative.split("&&"))
        for alternative in body.split("||")
    )


def _tokens(pattern: str) -> list[str]:
    return re.findall(r'[-?]?"[^"]*"|\S+', pattern)


def matches(pattern: str | None, message: str) -> bool:
    """Does a CloudWatch Logs filter pattern match this log message?"""
    if pattern is None or not pattern.strip():
        return True
    text = pattern.strip()
    if text.startswith("{") and text.endswith("}"):
        return _json_matches(text, message)
    if text.startswith("["):
        raise ValueError("space-delimited filter patterns ([a, b, ...]) are not supported by the course")
    required, optional, excluded = [], [], []
    for token in _tokens(text):
        bucket = required
        if token.startswith("?"):
            bucket, token = optional, token[1:]
        elif token.startswith("-"):
            bucket, token = excluded, token[1:]
        bucket.append(token[1:-1] if token.startswith('"') and token.endswith('"') else token)
    if any(term in message for term in excluded):
        return False
    if optional and not any(term in message for term in optional):
        return False
    return all(term in message for term in required)


# -- putting datapoints -----------------------------------------------------------------------------


def _account() -> str:
    import os

    from course_lib.sandbox import ACCOUNT_ID

    return os.environ.get("MOTO_ACCOUNT_ID", ACCOUNT_ID)


def _cloudwatch(region: str) -> Any:
    from moto.cloudwatch.models import cloudwatch_backends

    return cloudwatch_backends[_account()][region]


def _now() -> dt.datetime:
    """Course time as naive UTC: moto compares CloudWatch timestamps without a time zone."""
    from course_lib import clock

    return clock.now().replace(tzinfo=None)


def put(namespace: str, name: str, value: float, unit: str, dimensions: dict[str, str], region: str, when: dt.datetime | None = None) -> None:
    """One datapoint, straight into moto's CloudWatch (no API call: this is AWS's own publishing)."""
    _cloudwatch(region).put_metric_data(
        namespace,
        [{
            "MetricName": name,
            "Value": float(value),
            "Unit": unit,
            "Timestamp": when or _now(),
            "Dimensions": [{"Name": k, "Value": v} for k, v in dimensions.items()],
        }],
    )


def _on_invocation(invocation: Any) -> None:
    region = invocation.function_arn.split(":")[3]
    dims = {"FunctionName": invocation.function_name}
    when = _now()
    put(NAMESPACE, "Invocations", 1, "Count", dims, region, when)
    put(NAMESPACE, "Errors", 1 if invocation.errored else 0, "Count", dims, region, when)
    put(NAMESPACE, "Duration", float(invocation.report.duration_ms), "Milliseconds", dims, region, when)


# -- metric filters ---------------------------------------------------------------------------------


def _metric_value(transformation: dict[str, Any], message: str) -> float | None:
    raw = str(transformation.get("metricValue", "1"))
    if raw.startswith("$."):
        try:
            document = json.loads(message[message.index("{"):])
        except ValueError:
            return None
        value = _json_lookup(document, raw[2:])
        try:
            return float(value)
        except (TypeError, ValueError):
            return None
    return float(raw)


def apply_metric_filters(backend: Any, log_group_name: str, messages: list[str]) -> int:
    """Match a batch of messages against the group's metric filters; returns datapoints put."""
    filters = [f for f in backend.filters.metric_filters if f.get("logGroupName") == log_group_name]
    put_count = 0
    for metric_filter in filters:
        pattern = metric_filter.get("filterPattern", "")
        for transformation in metric_filter.get("metricTransformations", []):
            hits = [m for m in messages if matches(pattern, m)]
            values = [v for v in (_metric_value(transformation, m) for m in hits) if v is not None]
            if not values and transformation.get("defaultValue") is not None:
                values = [float(transformation["defaultValue"])]
            for value in values:
                put(transformation["metricNamespace"], transformation["metricName"], value,
                    transformation.get("unit") or "None", {}, backend.region_name)
                put_count += 1
    return put_count


# -- throttling ---------------------------------------------------------------------------------------


def _throttled_error() -> Exception:
    from moto.awslambda.exceptions import LambdaClientError

    class TooManyRequestsException(LambdaClientError):
        code = 429

        def __init__(self) -> None:
            super().__init__("TooManyRequestsException", "Rate Exceeded.")
            body = json.loads(self.description)
            body["Reason"] = "ReservedFunctionConcurrentInvocationLimitExceeded"
            self.description = json.dumps(body)

    return TooManyRequestsException()


def install() -> None:
    """Start producing Lambda metrics, throttles and metric-filter datapoints (idempotent)."""
    global _installed
    with _lock:
        if _installed:
            return
        from moto.awslambda.models import LambdaBackend
        from moto.logs import models as logs_models
        from moto.logs import utils as logs_utils

        from course_lib.runtime import executor

        executor.add_listener(_on_invocation)

        original_invoke = LambdaBackend.invoke

        def invoke(self: Any, function_name: str, qualifier: str | None, body: Any, headers: Any, response_headers: Any) -> Any:
            fn = self.get_function(function_name, qualifier)
            if fn.reserved_concurrency is not None and int(fn.reserved_concurrency) == 0:
                put(NAMESPACE, "Throttles", 1, "Count", {"FunctionName": fn.function_name}, fn.region)
                raise _throttled_error()
            return original_invoke(self, function_name, qualifier, body, headers, response_headers)

        LambdaBackend.invoke = invoke  # type: ignore[method-assign]

        original_put = logs_models.LogsBackend.put_log_events

        def put_log_events(self: Any, log_group_name: str, log_stream_name: str, log_events: list[dict[str, Any]]) -> Any:
            result = original_put(self, log_group_name, log_stream_name, log_events)
            apply_metric_filters(self, log_group_name, [str(e.get("message", "")) for e in log_events])
            return result

        logs_models.LogsBackend.put_log_events = put_log_events  # type: ignore[method-assign]

        # filter_log_events: the full pattern language instead of moto's single term
        class _Filter:
            def __init__(self, pattern: str) -> None:
                self.pattern = pattern

            def matches(self, message: str) -> bool:
                return matches(self.pattern, message)

        logs_utils.EventMessageFilter = _Filter  # type: ignore[misc,assignment]
        logs_models.EventMessageFilter = _Filter  # type: ignore[attr-defined]
        _installed = True
