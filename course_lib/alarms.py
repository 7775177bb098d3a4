"""CloudWatch alarms that are evaluated: states change, history is kept, SNS actions fire.

    from course_lib import alarms
    alarms.install()                 # evaluate every alarm once a minute of course time
                                     # (armed at each clock.advance while alarms exist)
    clock.advance(minutes=5)         # ... so advancing the clock runs five evaluations
    alarms.evaluate()                # or evaluate now, by hand; returns the state changes
    alarms.history("errors-high")    # every transition: when, from, to, why

What it emulates. moto stores ``put_metric_alarm`` and never evaluates it. Here, at each minute
boundary of the course clock (:mod:`course_lib.clock`), every metric alarm is evaluated as
CloudWatch does:

1. take the last ``EvaluationPeriods`` complete periods of ``Period`` seconds, aligned to the
   period, ending at the evaluation time;
2. compute the ``Statistic`` (``SampleCount``, ``Sum``, ``Average``, ``Minimum``, ``Maximum``)
   of each period from the metric's datapoints (namespace, name and exactly these dimensions);
3. compare each with ``Threshold`` using ``ComparisonOperator``; a period without data is
   treated as ``TreatMissingData`` says: ``missing`` (the default: it does not count, and
   with no data at all the state becomes ``INSUFFICIENT_DATA``), ``notBreaching``,
   ``breaching`` or ``ignore`` (keep the current state);
4. **ALARM** when at least ``DatapointsToAlarm`` (default ``EvaluationPeriods``) periods breach
   ("M out of N"), otherwise **OK** when enough periods have data.

A state change is written with moto's ``set_alarm_state`` (so ``describe_alarms`` shows the new
``StateValue`` and ``StateReason``) and recorded in :func:`history`; if actions are enabled, the
alarm's ``AlarmActions`` / ``OKActions`` / ``InsufficientDataActions`` SNS topics receive
CloudWatch's notification JSON (``AlarmName``, ``NewStateValue``, ``OldStateValue``,
``NewStateReason``, ``StateChangeTime``, ``Trigger``...).

Differs from AWS: metric-math alarms, percentiles (``ExtendedStatistic``), anomaly detection,
composite alarms and EC2/Auto Scaling actions are not evaluated; AWS evaluates a little after
each minute and, with ``missing`` data, may look back further than N periods.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import threading
from dataclasses import dataclass
from typing import Any

_installed = False
_lock = threading.Lock()
_history: list["Transition"] = []
_timer: Any = None

_COMPARE = {
    "GreaterThanThreshold": lambda v, t: v > t,
    "GreaterThanOrEqualToThreshold": lambda v, t: v >= t,
    "LessThanThreshold": lambda v, t: v < t,
    "LessThanOrEqualToThreshold": lambda v, t: v <= t,
}
_SYMBOL = {
    "GreaterThanThreshold": ">",
    "GreaterThanOrEqualToThreshold": ">=",
    "LessThanThreshold": "<",
    "LessThanOrEqualToThreshold": "<=",
}


@dataclass(frozen=True)
class Transition:
    time: dt.datetime
    alarm: str
    old: str
    new: str
    reason: str


@dataclass(frozen=True)
class PeriodValue:
    start: dt.datetime
    value: float | None  # None: no datapoints in the period
    breaching: bool | None


def _aware(when: dt.datetime) -> dt.datetime:
    return when if when.tzinfo else when.replace(tzinfo=dt.timezone.utc)


def _account() -> str:
    from course_lib.sandbox import ACCOUNT_ID

    return os.environ.get("MOTO_ACCOUNT_ID", ACCOUNT_ID)


def _backend(region: str) -> Any:
    from moto.cloudwatch.models import cloudwatch_backends

    return cloudwatch_backends[_account()][region]


def _statistic(values: list[float], statistic: str) -> float:
    if statistic == "SampleCount":
        return float(len(values))
    if statistic == "Sum":
        return float(sum(values))
    if statistic == "Average":
        return float(sum(values) / len(values))
    if statistic == "Minimum":
        return float(min(values))
    if statistic == "Maximum":
        return float(max(values))
    raise ValueError(f"statistic {statistic!r} is not evaluated by the course")


def period_values(alarm: Any, now: dt.datetime, region: str = "us-east-1") -> list[PeriodValue]:
    """The alarm's last N complete periods before ``now``, oldest first, with their statistic."""
    period = int(alarm.period)
    end_epoch = math.floor(now.timestamp() / period) * period
    wanted = {(d.name, d.value) for d in alarm.dimensions}
    datapoints = [
        d for d in _backend(region).metric_data
        if d.namespace == alarm.namespace and d.name == alarm.metric_name
        and {(x.name, x.value) for x in d.dimensions} == wanted and hasattr(d, "value")
    ]
    compare = _COMPARE[alarm.comparison_operator]
    out = []
    for index in range(int(alarm.evaluation_periods), 0, -1):
        start = end_epoch - index * period
        values = [float(d.value) for d in datapoints if start <= _aware(d.timestamp).timestamp() < start + period]
        value = _statistic(values, alarm.statistic) if values else None
        out.append(PeriodValue(dt.datetime.fromtimestamp(start, dt.timezone.utc), value,
                               None if value is None else compare(value, float(alarm.threshold))))
    return out


def decide(alarm: Any, periods: list[PeriodValue]) -> tuple[str, str]:
    """(new state, reason) from the period values and the alarm's missing-data rule."""
    treat = alarm.treat_missing_data or "missing"
    needed = int(alarm.datapoints_to_alarm or alarm.evaluation_periods)
    shown = [None if p.value is None else round(p.value, 3) for p in periods]
    if treat == "breaching":
        flags = [True if p.breaching is None else p.breaching for p in periods]
    elif treat == "notBreaching":
        flags = [False if p.breaching is None else p.breaching for p in periods]
    else:
        flags = [p.breaching for p in periods if p.breaching is not None]
        if not flags:
            if treat == "ignore":
                return alarm.state_value, "no datapoints; TreatMissingData=ignore keeps the state"
            return "INSUFFICIENT_DATA", f"no datapoints in the last {len(periods)} period(s)"
    breaching = sum(1 for f in flags if f)
    symbol = _SYMBOL[alarm.comparison_operator]
    reason = (
        f"{breaching} of the last {len(periods)} period(s) breached ({alarm.statistic} {symbol} "
        f"{float(alarm.threshold):g}); needs {needed}: {shown}"
    )
    if breaching >= needed:
        return "ALARM", reason
    if treat == "missing" and len(flags) < needed and alarm.state_value == "ALARM":
        return alarm.state_value, reason + " (not enough data to leave ALARM)"
    return "OK", reason


def _notify(alarm: Any, old: str, new: str, reason: str, when: dt.datetime, region: str) -> None:
    from moto.sns.models import sns_backends

    actions = {"ALARM": alarm.alarm_actions, "OK": alarm.ok_actions, "INSUFFICIENT_DATA": alarm.insufficient_data_actions}[new]
    if not alarm.actions_enabled:
        return
    message = json.dumps({
        "AlarmName": alarm.name,
        "AlarmDescription": alarm.description,
        "AWSAccountId": _account(),
        "NewStateValue": new,
        "NewStateReason": reason,
        "StateChangeTime": when.isoformat(timespec="milliseconds"),
        "Region": region,
        "AlarmArn": alarm.alarm_arn,
        "OldStateValue": old,
        "Trigger": {
            "MetricName": alarm.metric_name,
            "Namespace": alarm.namespace,
            "Statistic": alarm.statistic.upper(),
            "Dimensions": [{"name": d.name, "value": d.value} for d in alarm.dimensions],
            "Period": int(alarm.period),
            "EvaluationPeriods": int(alarm.evaluation_periods),
            "ComparisonOperator": alarm.comparison_operator,
            "Threshold": float(alarm.threshold),
            "TreatMissingData": alarm.treat_missing_data or "missing",
        },
    })
    backend = sns_backends[_account()][region]
    for arn in actions or []:
        if ":sns:" in arn:
            backend.publish(message, arn=arn, subject=f'{new}: "{alarm.name}" in {region}'[:100])


def evaluate(now: dt.datetime | None = None, region: str = "us-east-1") -> list[Transition]:
    """Evaluate every metric alarm at ``now`` (default: course time); returns the state changes."""
    from course_lib import clock

    when = _aware(now or clock.now())
    changes = []
    backend = _backend(region)
    for alarm in list(backend.alarms.values()):
        if not alarm.metric_name or alarm.comparison_operator not in _COMPARE or not alarm.statistic:
            continue  # metric math, anomaly detection, percentiles: not evaluated here
        new, reason = decide(alarm, period_values(alarm, when, region))
        old = alarm.state_value
        if new == old:
            continue
        backend.set_alarm_state(alarm.name, reason, json.dumps({"evaluatedAt": when.isoformat()}), new)
        transition = Transition(when, alarm.name, old, new, reason)
        _history.append(transition)
        changes.append(transition)
        _notify(alarm, old, new, reason, when, region)
    return changes


def history(alarm_name: str | None = None) -> list[Transition]:
    """Every state change the evaluator made, oldest first (optionally for one alarm)."""
    return [t for t in _history if alarm_name is None or t.alarm == alarm_name]


def _has_alarms(region: str = "us-east-1") -> bool:
    try:
        return bool(_backend(region).alarms)
    except Exception:  # noqa: BLE001 - no mock running: nothing to evaluate
        return False


def _arm() -> None:
    """Schedule the next evaluation at the next minute boundary of course time, if any alarm
    exists (so an account without alarms has no timer in ``clock.pending()``)."""
    global _timer
    from course_lib import clock

    if not _has_alarms():
        return
    if _timer is not None and not getattr(_timer, "cancelled", False) and _timer in clock.pending("cloudwatch-alarms"):
        return
    due = (math.floor(clock.time() / 60) + 1) * 60

    def tick() -> None:
        global _timer
        _timer = None
        evaluate()
        _arm()

    _timer = clock.call_at(due, tick, label="evaluate CloudWatch alarms", kind="cloudwatch-alarms")


def install() -> None:
    """Evaluate alarms every minute of course time (idempotent; re-arms after a clock reset)."""
    global _installed
    from course_lib import clock, wiring

    wiring.keep_after_reset("alarms", reset)  # the history is the old account's
    with _lock:
        if not _installed:
            clock.CLOCK.before_advance(_arm)
            _installed = True
    _arm()


def reset() -> None:
    """Forget the recorded history (the sandbox's reset clears the alarms themselves)."""
    _history.clear()
