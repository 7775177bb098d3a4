"""Throttling, API keys and usage plans on REST APIs: the 403s and 429s sent before a function runs.

    from course_lib.wiring import api_throttling
    api_throttling.install()           # idempotent; chapter 03's setup does it
    # then, with plain boto3:
    #   update_stage(..., patchOperations=[{"op": "replace", "path": "/*/*/throttling/rateLimit", "value": "5"},
    #                                      {"op": "replace", "path": "/*/*/throttling/burstLimit", "value": "10"}])
    #   put_method(..., apiKeyRequired=True); create_api_key; create_usage_plan(throttle=..., quota=...);
    #   create_usage_plan_key

What it emulates, in API Gateway's order (see :mod:`course_lib.wiring.rest_pipeline`):

1. **API keys.** A method with ``apiKeyRequired`` needs an ``x-api-key`` header holding the
   value of an *enabled* key that belongs to a usage plan covering this API and stage; otherwise
   ``403 {"message": "Forbidden"}``.
2. **Usage plans**, per API key: the plan's ``quota`` (``limit`` requests per ``DAY``, ``WEEK`` or
   ``MONTH``, counted from the start of the period in UTC) gives ``429 {"message": "Limit
   Exceeded"}`` once used up; its ``throttle`` (``rateLimit`` requests per second, ``burstLimit``)
   gives ``429 {"message": "Too Many Requests"}``.
3. **Stage and method throttling** from the stage's ``methodSettings`` (``*/*`` for every method,
   or ``~1items~1{id}/GET`` for one), shared by every caller: ``429 Too Many Requests``.

Throttling is a **token bucket**, as AWS documents it: a bucket holds at most ``burstLimit``
tokens, refills at ``rateLimit`` tokens per second, and each request takes one. A burst of
requests passes until the bucket is empty; after that requests pass at the refill rate. Time is
the course clock (:mod:`course_lib.clock`): ``clock.advance(seconds=1)`` refills a second's worth,
and a new day resets daily quotas.

:func:`usage` reports requests per API key and day, like ``GetUsage``.

Differs from AWS: the account-level limit (shared by all APIs in a Region) is not modelled;
AWS's throttling is approximate and may let slightly more or fewer requests through, while this
bucket is exact; per-method throttles inside a usage plan's API stages are not applied; API keys
are read from the header only (``apiKeySource: AUTHORIZER`` is not emulated).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from dataclasses import dataclass
from typing import Any

from course_lib.wiring.http import HttpResponse, json_response

_installed = False
_lock = threading.Lock()


@dataclass
class TokenBucket:
    """``burst`` tokens at most, ``rate`` new tokens a second; each request takes one."""

    rate: float
    burst: float
    tokens: float
    updated: float

    def take(self, now: float) -> bool:
        self.tokens = min(self.burst, self.tokens + max(0.0, now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


_buckets: dict[tuple[Any, ...], TokenBucket] = {}
_quota_used: Counter[tuple[str, str, str]] = Counter()  # (plan id, key id, period start) -> requests
_daily: Counter[tuple[str, str, str]] = Counter()  # (plan id, key id, UTC date) -> requests, for usage()


def forget() -> None:
    """Full buckets and unused quotas again (the sandbox's reset does not call this: do it yourself)."""
    with _lock:
        _buckets.clear()
        _quota_used.clear()
        _daily.clear()


def _take(key: tuple[Any, ...], rate: float, burst: float, now: float) -> bool:
    with _lock:
        bucket = _buckets.get(key)
        if bucket is None or bucket.rate != rate or bucket.burst != burst:
            bucket = _buckets[key] = TokenBucket(rate, burst, burst, now)
        return bucket.take(now)


def _period_start(period: str, offset: int, now: float) -> str:
    day = dt.datetime.fromtimestamp(now, dt.timezone.utc).date()
    period = (period or "DAY").upper()
    if period == "WEEK":  # weeks start on Monday, shifted by the offset in days
        start = day - dt.timedelta(days=(day.weekday() - offset) % 7)
    elif period == "MONTH":
        start = day.replace(day=1) + dt.timedelta(days=offset)
        if start > day:
            previous = (day.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
            start = previous + dt.timedelta(days=offset)
    else:
        start = day
    return f"{period}:{start.isoformat()}"


def _too_many() -> HttpResponse:
    return json_response(429, {"message": "Too Many Requests"}, [("x-amzn-ErrorType", "TooManyRequestsException")])


def _backend(call: Any) -> Any:
    from moto.apigateway.models import apigateway_backends

    return apigateway_backends[call.account][call.region]


def _plans_for(call: Any, key_id: str) -> list[Any]:
    backend = _backend(call)
    plans = []
    for plan in backend.usage_plans.values():
        covers = any(s.get("apiId") == call.api.id and s.get("stage") == call.stage_name for s in plan.api_stages or [])
        if covers and key_id in backend.usage_plan_keys.get(plan.id, {}):
            plans.append(plan)
    return plans


def _usage_plan_step(call: Any) -> HttpResponse | None:
    from course_lib import clock

    if not call.method.api_key_required:
        return None
    value = call.request.header("x-api-key")
    backend = _backend(call)
    key = next((k for k in backend.keys.values() if value and k.value == value), None)
    if key is None or not key.enabled:
        call.notes.append("no x-api-key header" if not value else "the API key is unknown or disabled")
        return json_response(403, {"message": "Forbidden"}, [("x-amzn-ErrorType", "ForbiddenException")])
    plans = _plans_for(call, key.id)
    if not plans:
        call.notes.append("the API key is in no usage plan for this API stage")
        return json_response(403, {"message": "Forbidden"}, [("x-amzn-ErrorType", "ForbiddenException")])
    call.api_key = key
    now = clock.time()
    plan = plans[0]
    quota = plan.quota or {}
    if quota.get("limit") is not None:
        period = _period_start(str(quota.get("period", "DAY")), int(quota.get("offset") or 0), now)
        with _lock:
            if _quota_used[(plan.id, key.id, period)] >= int(quota["limit"]):
                call.notes.append(f"usage plan {plan.name}: quota of {quota['limit']} per {quota.get('period', 'DAY')} used up")
                return json_response(429, {"message": "Limit Exceeded"}, [("x-amzn-ErrorType", "LimitExceededException")])
    throttle = plan.throttle or {}
    if throttle.get("rateLimit") is not None or throttle.get("burstLimit") is not None:
        rate = float(throttle.get("rateLimit", 0) or 0)
        burst = float(throttle.get("burstLimit", 0) or 0)
        if not _take(("plan", plan.id, key.id), rate, burst, now):
            call.notes.append(f"usage plan {plan.name}: over {rate:g} requests/s (burst {burst:g}) for this key")
            return _too_many()
    with _lock:
        if quota.get("limit") is not None:
            _quota_used[(plan.id, key.id, _period_start(str(quota.get("period", "DAY")), int(quota.get("offset") or 0), now))] += 1
        _daily[(plan.id, key.id, dt.datetime.fromtimestamp(now, dt.timezone.utc).date().isoformat())] += 1
    return None


def _stage_step(call: Any) -> HttpResponse | None:
    from course_lib import clock

    settings = call.stage.method_settings or {}
    chosen = settings.get(call.setting_key) or settings.get("*/*")
    if not chosen or ("throttlingRateLimit" not in chosen and "throttlingBurstLimit" not in chosen):
        return None
    which = call.setting_key if call.setting_key in settings else "*/*"
    rate = float(chosen.get("throttlingRateLimit", 0))
    burst = float(chosen.get("throttlingBurstLimit", 0))
    if _take(("stage", call.api.id, call.stage_name, which, call.setting_key), rate, burst, clock.time()):
        return None
    call.notes.append(f"stage {call.stage_name} ({which}): over {rate:g} requests/s (burst {burst:g})")
    return _too_many()


def usage(plan_id: str) -> dict[str, dict[str, int]]:
    """Requests counted per API key id and UTC day for a usage plan (what ``GetUsage`` reports)."""
    out: dict[str, dict[str, int]] = {}
    with _lock:
        for (plan, key, day), count in sorted(_daily.items()):
            if plan == plan_id:
                out.setdefault(key, {})[day] = count
    return out


def _forget() -> None:
    """The old account's token buckets and quota counts go with it."""
    _buckets.clear()
    _quota_used.clear()
    _daily.clear()


def install() -> None:
    """Enforce API keys, usage plans and stage throttling on REST APIs (idempotent)."""
    global _installed
    from course_lib import wiring
    from course_lib.wiring import rest_pipeline

    wiring.keep_after_reset("api_throttling", _forget)
    rest_pipeline.add_step(20, "usage plan", _usage_plan_step)
    rest_pipeline.add_step(30, "stage throttling", _stage_step)
    _installed = True
