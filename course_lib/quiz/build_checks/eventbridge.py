"""Build-it checks for chapter 07 (EventBridge): a rule that routes the right events to a queue.

``eventbridge_rule`` does not compare the learner's pattern with a model answer (many patterns
are right). It tests it, as the TestEventPattern API would, against sample events that must
match and sample events that must not (with :mod:`course_lib.event_patterns`), then checks the
rule is enabled and targets the queue. For a schedule it compares the expression.
"""

from __future__ import annotations

import json
from typing import Any, Mapping, Sequence

from course_lib import event_patterns
from course_lib.quiz.checks import CheckItem, _near, build_check

_ENVELOPE = {"version": "0", "id": "00000000-0000-0000-0000-000000000000", "account": "123456789012",
             "time": "2025-01-31T12:00:00Z", "region": "us-east-1", "resources": []}


def _event(sample: Mapping[str, Any]) -> dict[str, Any]:
    return {**_ENVELOPE, **sample}


def _describe(sample: Mapping[str, Any]) -> str:
    kind = " ".join(str(sample[k]) for k in ("source", "detail-type") if k in sample)
    return f"{kind} {json.dumps(sample.get('detail', {}), sort_keys=True)}".strip()


def _queue_arn(sandbox: Any, queue: str) -> str:
    sqs = sandbox.client("sqs")
    url = sqs.get_queue_url(QueueName=queue)["QueueUrl"]
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def _solve(sandbox: Any, name: str, queue: str, bus: str = "default", solution: Mapping[str, Any] | None = None,
           matches: Sequence[Mapping[str, Any]] = (), ignores: Sequence[Mapping[str, Any]] = (),
           schedule: str | None = None) -> None:
    events = sandbox.client("events")
    sandbox.client("sqs").create_queue(QueueName=queue)
    if bus != "default":
        events.create_event_bus(Name=bus)
    rule: dict[str, Any] = {"Name": name, "EventBusName": bus}
    if schedule:
        rule["ScheduleExpression"] = schedule
    else:
        rule["EventPattern"] = json.dumps(solution or {})
    events.put_rule(**rule)
    events.put_targets(Rule=name, EventBusName=bus, Targets=[{"Id": "queue", "Arn": _queue_arn(sandbox, queue)}])


@build_check("eventbridge_rule", solve=_solve)
def eventbridge_rule(sandbox: Any, name: str, queue: str, bus: str = "default", solution: Mapping[str, Any] | None = None,
                     matches: Sequence[Mapping[str, Any]] = (), ignores: Sequence[Mapping[str, Any]] = (),
                     schedule: str | None = None) -> list[CheckItem]:
    """An EventBridge rule (pattern tested on sample events, or a schedule) that targets a queue."""
    events = sandbox.client("events")
    try:
        rule = events.describe_rule(Name=name, EventBusName=bus)
    except events.exceptions.ResourceNotFoundException:
        try:
            names = [r["Name"] for r in events.list_rules(EventBusName=bus).get("Rules", [])]
        except events.exceptions.ResourceNotFoundException:
            return [CheckItem(False, f"event bus {bus} not found in the sandbox")]
        return [CheckItem(False, f"rule {name} not found on the {bus} bus{_near(name, names)}")]
    items = [CheckItem(True, f"rule {name} exists on the {bus} bus")]
    if rule.get("State") != "ENABLED":
        items.append(CheckItem(False, f"rule {name} is {rule.get('State')}, expected ENABLED"))
    if schedule is not None:
        got = rule.get("ScheduleExpression")
        items.append(CheckItem(got == schedule, f"schedule is {got}" if got == schedule
                               else f"schedule is {got or 'missing'}, expected {schedule}"))
    else:
        raw = rule.get("EventPattern")
        if not raw:
            items.append(CheckItem(False, "the rule has no event pattern"))
        else:
            for sample in matches:
                ok = event_patterns.test_event_pattern(raw, _event(sample))
                items.append(CheckItem(ok, f"the pattern matches {_describe(sample)}" if ok
                                       else f"the pattern should match {_describe(sample)}, but does not"))
            for sample in ignores:
                ok = not event_patterns.test_event_pattern(raw, _event(sample))
                items.append(CheckItem(ok, f"the pattern ignores {_describe(sample)}" if ok
                                       else f"the pattern should ignore {_describe(sample)}, but matches it"))
    try:
        queue_arn = _queue_arn(sandbox, queue)
    except sandbox.client("sqs").exceptions.QueueDoesNotExist:
        return items + [CheckItem(False, f"queue {queue} not found in the sandbox")]
    targets = events.list_targets_by_rule(Rule=name, EventBusName=bus).get("Targets", [])
    hit = any(t.get("Arn") == queue_arn for t in targets)
    items.append(CheckItem(hit, f"the rule targets {queue}" if hit else f"the rule does not target {queue} "
                           "(add it with put_targets, using the queue's ARN)"))
    return items
