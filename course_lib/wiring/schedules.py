"""Scheduled rules and EventBridge Scheduler, firing on the course clock.

    events.put_rule(Name="nightly", ScheduleExpression="cron(0 2 * * ? *)")
    events.put_targets(Rule="nightly", Targets=[{"Id": "report", "Arn": report_fn_arn}])
    clock.advance(days=7)              # seven nightly runs, in one second
    schedules.upcoming("nightly", 3)   # the next three run times, for a table in a chapter

What it emulates. moto stores ``ScheduleExpression`` rules and Scheduler schedules but never
fires them. Here every enabled one is armed as a timer on the course clock:

* ``rate(5 minutes)``: every 5 minutes, the first run one period after the rule was created
  (or changed), so ``advance(hours=24)`` of ``rate(1 hour)`` is exactly 24 runs;
* ``cron(min hour day-of-month month day-of-week year)``: AWS's six-field cron, in UTC for
  rules and in ``ScheduleExpressionTimezone`` for Scheduler: ``*``, lists, ranges, steps,
  names (``JAN``, ``MON-FRI``), ``?``, ``L`` (last day of the month, or ``6L`` last Friday),
  ``W`` (nearest weekday) and ``#`` (``2#1``: first Monday); day-of-week counts 1=SUN..7=SAT;
* ``at(2025-03-01T09:00:00)``: Scheduler's one-time schedules, with
  ``ActionAfterCompletion=DELETE`` honoured; ``StartDate``/``EndDate`` bound recurring ones.

A scheduled rule sends AWS's scheduled event (``detail-type`` "Scheduled Event", ``source``
"aws.events", ``resources`` [the rule ARN], ``time`` the scheduled minute) to its targets
through :mod:`course_lib.wiring.eventbridge`, so Input and InputTransformer apply. A Scheduler
schedule sends its target's ``Input`` (default ``{}``) with the context attributes
``<aws.scheduler.scheduled-time>``, ``<aws.scheduler.execution-id>``,
``<aws.scheduler.attempt-number>`` and ``<aws.scheduler.schedule-arn>`` filled in; Lambda,
SQS, SNS, Step Functions and EventBridge ``PutEvents`` targets are supported.

Differs from AWS: firing is exact to the second (AWS adds up to a minute of jitter for rules,
and ``FlexibleTimeWindow`` spreads Scheduler runs; here a flexible window is ignored);
Scheduler's ``RetryPolicy`` and target dead-letter queues are not applied (Lambda's own
async retries are); universal ``aws-sdk`` targets are not supported.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import re
import threading
import uuid
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from course_lib import clock, events

_installed = False
_lock = threading.Lock()
_armed: dict[str, "_Armed"] = {}  # key -> armed schedule
_runs: list["Run"] = []

_MONTHS = {m.upper(): i for i, m in enumerate(calendar.month_abbr) if m}
_DAYS = {"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}
_RATE = re.compile(r"^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$")
_CRON = re.compile(r"^cron\((.*)\)$")
_AT = re.compile(r"^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$")


@dataclass
class Run:
    """One firing of a schedule."""

    at: float
    kind: str  # "rule" or "scheduler"
    name: str
    scheduled_time: str
    result: str


def runs(name: str | None = None) -> list[Run]:
    """Every schedule firing so far (optionally one rule's or schedule's), oldest first."""
    with _lock:
        return [r for r in _runs if name in (None, r.name)]


# -- expressions ------------------------------------------------------------------------------


class ScheduleExpression:
    """A parsed ``rate(...)``, ``cron(...)`` or ``at(...)`` expression."""

    def __init__(self, text: str, timezone: str = "UTC") -> None:
        self.text = text.strip()
        self.tz = ZoneInfo(timezone or "UTC")
        self.rate: int | None = None
        self.at: dt.datetime | None = None
        self.fields: list[str] = []
        if match := _RATE.match(self.text):
            value, unit = int(match[1]), match[2]
            if value <= 0:
                raise ValueError(f"Invalid schedule expression {text!r}: the rate must be positive.")
            self.rate = value * {"minute": 60, "hour": 3600, "day": 86400}[unit.rstrip("s")]
        elif match := _CRON.match(self.text):
            self.fields = match[1].split()
            if len(self.fields) != 6:
                raise ValueError(
                    f"Invalid cron expression {text!r}: AWS cron has six fields "
                    "(minutes hours day-of-month month day-of-week year)."
                )
            if (self.fields[2] == "?") == (self.fields[4] == "?"):
                raise ValueError(
                    f"Invalid cron expression {text!r}: exactly one of day-of-month and day-of-week must be '?'."
                )
            self._minutes = _parse_field(self.fields[0], 0, 59, {})
            self._hours = _parse_field(self.fields[1], 0, 23, {})
            self._months = _parse_field(self.fields[3], 1, 12, _MONTHS)
            self._years = _parse_field(self.fields[5], 1970, 2199, {})
        elif match := _AT.match(self.text):
            self.at = dt.datetime.fromisoformat(match[1]).replace(tzinfo=self.tz)
        else:
            raise ValueError(f"Invalid schedule expression {text!r}: use rate(...), cron(...) or at(...).")

    @property
    def one_time(self) -> bool:
        return self.at is not None

    def next_after(self, after: float, anchor: float | None = None) -> float | None:
        """The first run strictly after ``after`` (epoch s); rates count from ``anchor``."""
        if self.rate is not None:
            start = anchor if anchor is not None else after
            periods = int((after - start) // self.rate) + 1
            return start + max(periods, 1) * self.rate
        if self.at is not None:
            when = self.at.timestamp()
            return when if when > after else None
        return self._next_cron(after)

    def _day_matches(self, day: dt.date) -> bool:
        dom, dow = self.fields[2], self.fields[4]
        if dom != "?":
            return _day_of_month_matches(dom, day)
        return _day_of_week_matches(dow, day)

    def _next_cron(self, after: float) -> float | None:
        local = dt.datetime.fromtimestamp(after, self.tz).replace(second=0, microsecond=0)
        day = local.date()
        for _ in range(366 * 5):  # five years ahead is plenty for a course
            if day.year in self._years and day.month in self._months and self._day_matches(day):
                for hour in sorted(self._hours):
                    for minute in sorted(self._minutes):
                        candidate = dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=self.tz)
                        if candidate.timestamp() > after:
                            return candidate.timestamp()
            day += dt.timedelta(days=1)
        return None

    def upcoming(self, count: int, after: float | None = None) -> list[dt.datetime]:
        """The next ``count`` run times after ``after`` (default: now on the course clock)."""
        times: list[dt.datetime] = []
        moment = clock.time() if after is None else after
        anchor = moment
        while len(times) < count:
            nxt = self.next_after(moment, anchor)
            if nxt is None:
                break
            times.append(dt.datetime.fromtimestamp(nxt, dt.timezone.utc))
            moment = nxt
        return times

    def __repr__(self) -> str:
        return f"<ScheduleExpression {self.text}>"


def _parse_field(text: str, low: int, high: int, names: dict[str, int]) -> set[int]:
    values: set[int] = set()
    for part in text.upper().split(","):
        step = 1
        if "/" in part:
            part, step_text = part.split("/", 1)
            step = int(step_text)
        if part in ("*", "?"):
            start, end = low, high
        elif "-" in part:
            a, b = part.split("-", 1)
            start, end = _value(a, names), _value(b, names)
        else:
            start = _value(part, names)
            end = high if step > 1 else start
        if not (low <= start <= high and low <= end <= high):
            raise ValueError(f"Cron field value {text!r} is out of range {low}-{high}.")
        values.update(range(start, end + 1, step))
    return values


def _value(text: str, names: dict[str, int]) -> int:
    return names[text] if text in names else int(text)


def _aws_weekday(day: dt.date) -> int:
    return (day.isoweekday() % 7) + 1  # AWS: 1=SUN ... 7=SAT


def _day_of_month_matches(field: str, day: dt.date) -> bool:
    last = calendar.monthrange(day.year, day.month)[1]
    for part in field.upper().split(","):
        if part == "L":
            if day.day == last:
                return True
        elif part.endswith("W"):
            target = last if part[:-1] == "L" else int(part[:-1])
            target = min(target, last)
            wanted = dt.date(day.year, day.month, target)
            if wanted.weekday() == 5:  # Saturday -> Friday, or Monday if the 1st
                wanted = wanted - dt.timedelta(days=1) if target > 1 else wanted + dt.timedelta(days=2)
            elif wanted.weekday() == 6:  # Sunday -> Monday, or Friday if the last day
                wanted = wanted + dt.timedelta(days=1) if target < last else wanted - dt.timedelta(days=2)
            if day == wanted:
                return True
        elif day.day in _parse_field(part, 1, 31, {}):
            return True
    return False


def _day_of_week_matches(field: str, day: dt.date) -> bool:
    weekday = _aws_weekday(day)
    for part in field.upper().split(","):
        if "#" in part:
            name, nth = part.split("#", 1)
            if weekday == _value(name, _DAYS) and (day.day - 1) // 7 + 1 == int(nth):
                return True
        elif part.endswith("L") and part != "L":
            last = calendar.monthrange(day.year, day.month)[1]
            if weekday == _value(part[:-1], _DAYS) and day.day + 7 > last:
                return True
        elif part == "L":
            if weekday == 7:
                return True
        elif weekday in _parse_field(part, 1, 7, _DAYS):
            return True
    return False


def upcoming(name_or_expression: str, count: int = 5, timezone: str = "UTC") -> list[dt.datetime]:
    """The next run times of a rule or schedule (by name) or of an expression."""
    text = name_or_expression
    if "(" not in text:
        with _lock:
            armed = next((a for a in _armed.values() if a.name == text), None)
        if armed is None:
            raise KeyError(f"No enabled scheduled rule or schedule named {text!r}.")
        times = []
        moment = armed.timer.due if armed.timer else clock.time()
        times.append(dt.datetime.fromtimestamp(moment, dt.timezone.utc))
        times += armed.expression.upcoming(count - 1, after=moment) if armed.expression.rate is None else [
            dt.datetime.fromtimestamp(moment + armed.expression.rate * i, dt.timezone.utc) for i in range(1, count)
        ]
        return times[:count]
    return ScheduleExpression(text, timezone).upcoming(count)


# -- arming -----------------------------------------------------------------------------------


@dataclass
class _Armed:
    key: str
    kind: str
    name: str
    signature: str
    expression: ScheduleExpression
    anchor: float
    timer: clock.Timer | None


def _scheduled_rules() -> list[tuple[str, Any]]:
    from moto.events.models import events_backends

    found = []
    for account, regions in list(events_backends.items()):
        for region, backend in list(regions.items()):
            for bus in list(backend.event_buses.values()):
                for rule in list(bus.rules.values()):
                    if rule.scheduled_expression and rule.state == "ENABLED":
                        found.append((f"rule|{rule.arn}", rule))
    return found


def _scheduler_schedules() -> list[tuple[str, Any]]:
    from course_lib.wiring import _lazy

    if not _lazy.loaded("moto.scheduler.models"):
        return []  # nobody has used EventBridge Scheduler yet: no schedules
    from moto.scheduler.models import scheduler_backends

    found = []
    for account, regions in list(scheduler_backends.items()):
        for region, backend in list(regions.items()):
            for group in list(backend.schedule_groups.values()):
                for schedule in list(group.schedules.values()):
                    if schedule.state == "ENABLED":
                        found.append((f"scheduler|{schedule.arn}", schedule))
    return found


def reconcile() -> None:
    """Arm every enabled schedule moto holds, and disarm the ones gone or disabled."""
    wanted: dict[str, tuple[str, Any, str]] = {}
    for key, rule in _scheduled_rules():
        wanted[key] = ("rule", rule, json.dumps([rule.scheduled_expression]))
    for key, schedule in _scheduler_schedules():
        signature = json.dumps(
            [schedule.schedule_expression, schedule.schedule_expression_timezone, str(schedule.start_date),
             str(schedule.end_date), schedule.last_modified_date],
            default=str,
        )
        wanted[key] = ("scheduler", schedule, signature)
    with _lock:
        for key in list(_armed):
            if key not in wanted or _armed[key].signature != wanted[key][2]:
                armed = _armed.pop(key)
                if armed.timer:
                    armed.timer.cancel()
        for key, (kind, item, signature) in wanted.items():
            if key in _armed:
                continue
            if kind == "rule":
                expression = ScheduleExpression(item.scheduled_expression, "UTC")
                name = item.name
            else:
                expression = ScheduleExpression(item.schedule_expression, item.schedule_expression_timezone)
                name = item.name
            armed = _Armed(key, kind, name, signature, expression, anchor=_anchor(kind, item), timer=None)
            _armed[key] = armed
            _arm_next(armed, after=clock.time())


def _anchor(kind: str, item: Any) -> float:
    now = clock.time()
    if kind == "scheduler" and item.start_date:
        start = _as_epoch(item.start_date)
        return max(start, 0.0) if start > now else now
    return now


def _as_epoch(value: Any) -> float:
    if isinstance(value, dt.datetime):
        return value.timestamp() if value.tzinfo else value.replace(tzinfo=dt.timezone.utc).timestamp()
    if isinstance(value, (int, float)):
        return float(value)
    return dt.datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()


def _arm_next(armed: _Armed, after: float) -> None:
    due = armed.expression.next_after(after, armed.anchor)
    if due is None:
        armed.timer = None
        return
    armed.timer = clock.call_at(due, lambda: _fire(armed.key, due), label=f"{armed.kind} {armed.name}", kind="schedule")


def _fire(key: str, due: float) -> None:
    with _lock:
        armed = _armed.get(key)
    if armed is None:
        return
    item = _lookup(armed)
    if item is None:
        with _lock:
            _armed.pop(key, None)
        return
    if armed.kind == "rule":
        result = _fire_rule(item, due)
    else:
        result = _fire_schedule(item, due)
    with _lock:
        _runs.append(Run(clock.time(), armed.kind, armed.name, events.iso_seconds(due), result))
    if armed.kind == "scheduler" and armed.expression.one_time:
        if item.action_after_completion == "DELETE":
            _delete_schedule(item)
        with _lock:
            _armed.pop(key, None)
        return
    if armed.kind == "scheduler" and item.end_date and due >= _as_epoch(item.end_date):
        return
    with _lock:
        if _armed.get(key) is armed:
            _arm_next(armed, after=due)


def _lookup(armed: _Armed) -> Any:
    items = dict(_scheduled_rules() if armed.kind == "rule" else _scheduler_schedules())
    return items.get(armed.key)


def _fire_rule(rule: Any, due: float) -> str:
    from course_lib.wiring import eventbridge

    event = events.eventbridge_scheduled(rule.arn, time=due, account_id=rule.account_id, region=rule.region_name)
    done = eventbridge.deliver_to_targets(rule, event, ingestion_time=due)
    return "; ".join(d.result for d in done) or "no targets"


def _fire_schedule(schedule: Any, due: float) -> str:
    from course_lib.wiring import targets

    if schedule.end_date and due > _as_epoch(schedule.end_date):
        return "after EndDate: skipped"
    target = schedule.target
    execution_id = str(uuid.uuid4())
    text = target.get("Input") or "{}"
    for name, value in {
        "aws.scheduler.scheduled-time": events.iso_seconds(due),
        "aws.scheduler.execution-id": execution_id,
        "aws.scheduler.attempt-number": "1",
        "aws.scheduler.schedule-arn": schedule.arn,
    }.items():
        text = text.replace(f"<{name}>", value)
    try:
        payload: Any = json.loads(text)
    except ValueError:
        payload = text
    arn = target["Arn"]
    parsed = targets.parse_arn(arn)
    try:
        if parsed.service == "events":
            parameters = target.get("EventBridgeParameters") or {}
            return targets.deliver(
                arn,
                payload,
                source=f"schedule {schedule.name}",
                event_source=parameters.get("Source", "aws.scheduler"),
                detail_type=parameters.get("DetailType", "Scheduled Event"),
                resources=[schedule.arn],
            )
        return targets.deliver(
            arn,
            text if parsed.service in ("sqs", "sns") else payload,
            source=f"schedule {schedule.name}",
            sqs_group_id=(target.get("SqsParameters") or {}).get("MessageGroupId"),
        )
    except Exception as exc:  # noqa: BLE001 - recorded, as Scheduler records failed invocations
        clock.CLOCK.failures.append((f"schedule {schedule.name}", f"{type(exc).__name__}: {exc}"))
        return f"failed: {type(exc).__name__}: {exc}"


def _delete_schedule(schedule: Any) -> None:
    from moto.scheduler.models import scheduler_backends

    for account, regions in list(scheduler_backends.items()):
        for region, backend in list(regions.items()):
            group = backend.schedule_groups.get(schedule.group_name)
            if group is not None and group.schedules.get(schedule.name) is schedule:
                group.delete_schedule(schedule.name)


def reset() -> None:
    with _lock:
        for armed in _armed.values():
            if armed.timer:
                armed.timer.cancel()
        _armed.clear()
        _runs.clear()


def install() -> None:
    """Reconcile whenever a rule or schedule changes, and before every clock advance."""
    global _installed
    if _installed:
        return
    from moto.events.models import EventsBackend

    from course_lib.wiring import _lazy

    def after(method_owner: Any, name: str) -> None:
        original = getattr(method_owner, name)

        def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
            result = original(self, *args, **kwargs)
            reconcile()
            return result

        wrapper.__wrapped__ = original  # type: ignore[attr-defined]
        setattr(method_owner, name, wrapper)

    for name in ("put_rule", "delete_rule", "enable_rule", "disable_rule"):
        after(EventsBackend, name)

    def patch_scheduler(module: Any) -> None:
        for name in ("create_schedule", "update_schedule", "delete_schedule"):
            after(module.EventBridgeSchedulerBackend, name)

    _lazy.when_imported("moto.scheduler.models", patch_scheduler)
    clock.CLOCK.before_advance(reconcile)
    _installed = True
