"""Scheduled rules and EventBridge Scheduler fire on the course clock."""

from __future__ import annotations

import datetime as dt
import json
import time

import pytest
from wiring_support import RECORDER, arn_of, assert_aws_shape, events_of, queue_arn

from course_lib import clock
from course_lib.runtime import deploy_function
from course_lib.wiring import schedules
from course_lib.wiring.schedules import ScheduleExpression

UTC = dt.timezone.utc


def _ts(*args: int) -> float:
    return dt.datetime(*args, tzinfo=UTC).timestamp()


def test_a_day_of_an_hourly_rule_in_one_advance(aws, invocations):
    deploy_function("tick", RECORDER)
    events = aws.client("events")
    rule_arn = events.put_rule(Name="hourly", ScheduleExpression="rate(1 hour)")["RuleArn"]
    events.put_targets(Rule="hourly", Targets=[{"Id": "t", "Arn": arn_of(aws, "tick")}])
    started = clock.time()
    report = clock.advance(hours=24)
    ticks = events_of(invocations, "tick")
    assert len(ticks) == 24 and report.invocation_counts() == {"tick": 24}
    for event in ticks:
        assert_aws_shape(event, "eventbridge_scheduled")
        assert event["detail-type"] == "Scheduled Event" and event["source"] == "aws.events"
        assert event["resources"] == [rule_arn] and event["detail"] == {}
    times = [dt.datetime.strptime(e["time"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp() for e in ticks]
    assert [round(b - a) for a, b in zip(times, times[1:])] == [3600] * 23  # one each hour, in order
    assert 3598 <= times[0] - started <= 3600  # the first one period after the rule was created


def test_cron_rules_and_disabling(aws, invocations):
    deploy_function("report", RECORDER)
    events = aws.client("events")
    events.put_rule(Name="nightly", ScheduleExpression="cron(30 2 * * ? *)")
    events.put_targets(Rule="nightly", Targets=[{"Id": "t", "Arn": arn_of(aws, "report"), "Input": '{"kind": "nightly"}'}])
    clock.advance(days=3)
    runs = schedules.runs("nightly")
    assert len(runs) == 3 and all(r.scheduled_time.endswith("T02:30:00Z") for r in runs)
    assert events_of(invocations, "report") == [{"kind": "nightly"}] * 3
    events.disable_rule(Name="nightly")
    clock.advance(days=2)
    assert len(schedules.runs("nightly")) == 3
    events.enable_rule(Name="nightly")
    clock.advance(days=1)
    assert len(schedules.runs("nightly")) == 4


@pytest.mark.parametrize(
    ("expression", "after", "expected"),
    [
        ("cron(0 9 ? * MON-FRI *)", _ts(2025, 1, 3, 10, 0), [_ts(2025, 1, 6, 9, 0), _ts(2025, 1, 7, 9, 0)]),  # Fri -> Mon
        ("cron(0/15 * * * ? *)", _ts(2025, 1, 1, 0, 7), [_ts(2025, 1, 1, 0, 15), _ts(2025, 1, 1, 0, 30)]),
        ("cron(0 0 L * ? *)", _ts(2025, 2, 1), [_ts(2025, 2, 28), _ts(2025, 3, 31)]),
        ("cron(0 12 ? * 2#1 *)", _ts(2025, 1, 1), [_ts(2025, 1, 6, 12), _ts(2025, 2, 3, 12)]),  # first Monday
        ("cron(0 8 15W * ? *)", _ts(2025, 3, 1), [_ts(2025, 3, 14, 8), _ts(2025, 4, 15, 8)]),  # 15 Mar 2025 is a Saturday
        ("cron(0 18 ? * 6L 2025)", _ts(2025, 1, 1), [_ts(2025, 1, 31, 18), _ts(2025, 2, 28, 18)]),  # last Friday
        ("rate(5 minutes)", _ts(2025, 1, 1), [_ts(2025, 1, 1, 0, 5), _ts(2025, 1, 1, 0, 10)]),
    ],
)
def test_schedule_expressions(expression, after, expected):
    assert [t.timestamp() for t in ScheduleExpression(expression).upcoming(2, after=after)] == expected


def test_bad_expressions_explain_themselves():
    with pytest.raises(ValueError, match="six fields"):
        ScheduleExpression("cron(0 9 * * *)")
    with pytest.raises(ValueError, match="exactly one of day-of-month and day-of-week"):
        ScheduleExpression("cron(0 9 * * * *)")


def test_scheduler_one_time_schedule_with_context_attributes_and_delete(aws, invocations):
    deploy_function("remind", RECORDER)
    role = aws.ensure_role("scheduler", service="scheduler.amazonaws.com")
    scheduler = aws.client("scheduler")
    when = dt.datetime.fromtimestamp(clock.time() + 7200, UTC).replace(microsecond=0)
    scheduler.create_schedule(
        Name="reminder", ScheduleExpression=f"at({when:%Y-%m-%dT%H:%M:%S})", FlexibleTimeWindow={"Mode": "OFF"},
        ActionAfterCompletion="DELETE",
        Target={"Arn": arn_of(aws, "remind"), "RoleArn": role,
                "Input": '{"at": "<aws.scheduler.scheduled-time>", "schedule": "<aws.scheduler.schedule-arn>"}'},
    )
    clock.advance(hours=1)
    assert events_of(invocations, "remind") == []
    clock.advance(hours=2)
    (event,) = events_of(invocations, "remind")
    assert event["at"] == f"{when:%Y-%m-%dT%H:%M:%SZ}" and event["schedule"].endswith("schedule/default/reminder")
    assert scheduler.list_schedules()["Schedules"] == []  # ActionAfterCompletion=DELETE


def test_scheduler_recurring_in_a_time_zone_to_sqs(aws):
    role = aws.ensure_role("scheduler", service="scheduler.amazonaws.com")
    url = aws.ensure_queue("digests")
    aws.client("scheduler").create_schedule(
        Name="morning", ScheduleExpression="cron(0 8 * * ? *)", ScheduleExpressionTimezone="Europe/Paris",
        FlexibleTimeWindow={"Mode": "OFF"}, Target={"Arn": queue_arn(aws, url), "RoleArn": role, "Input": "digest"},
    )
    clock.advance(days=2)
    runs = schedules.runs("morning")
    assert len(runs) == 2
    for run in runs:  # 08:00 in Paris is 06:00 or 07:00 UTC, depending on daylight saving time
        assert run.scheduled_time[11:16] in ("06:00", "07:00")
    bodies = [m["Body"] for m in aws.client("sqs").receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]]
    assert bodies == ["digest", "digest"]


def test_real_time_mode_fires_without_advancing(aws):
    fired = []
    clock.call_later(0.05, lambda: fired.append(clock.time()), label="soon")
    time.sleep(0.1)
    assert fired == []  # manual mode: timers wait for advance
    clock.use_real_time()
    try:
        deadline = time.monotonic() + 2
        while not fired and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(fired) == 1
    finally:
        clock.use_real_time(False)
    assert json.dumps(schedules.upcoming("rate(1 day)", 2, timezone="UTC"), default=str)
