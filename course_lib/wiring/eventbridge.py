"""EventBridge rules delivering to their targets, with Input, InputPath and InputTransformer.

    events.put_rule(Name="big-orders", EventPattern=json.dumps({"source": ["shop"]}))
    events.put_targets(Rule="big-orders", Targets=[{
        "Id": "notify", "Arn": notify_fn_arn,
        "InputTransformer": {"InputPathsMap": {"id": "$.detail.id"},
                             "InputTemplate": '{"order": <id>, "rule": "<aws.events.rule-name>"}'}}])
    events.put_events(Entries=[{"Source": "shop", "DetailType": "Order", "Detail": '{"id": 7}'}])
    clock.settle()     # the Lambda target was invoked asynchronously, as on AWS

What it emulates. moto matches rules but its ``Rule.send_to_targets`` breaks for Lambda and
Step Functions targets (``NotImplementedError``), ignores a constant ``Input`` and leaves
``account`` out of the default event. This replacement:

* delivers to Lambda (an asynchronous invoke, with retries and destinations), Step Functions
  (``StartExecution``), SQS (FIFO via ``SqsParameters.MessageGroupId``), SNS, another event
  bus and CloudWatch Logs, through :mod:`course_lib.wiring.targets`;
* shapes the event as AWS does (``version``, ``id``, ``detail-type``, ``source``, ``account``,
  ``time`` as ``2025-01-31T12:00:00Z``, ``region``, ``resources``, ``detail``);
* applies exactly one of the target's ``Input`` (constant JSON), ``InputPath`` (a JSONPath
  into the event) or ``InputTransformer`` (``InputPathsMap`` + ``InputTemplate``, with the
  predefined ``<aws.events.rule-arn>``, ``<aws.events.rule-name>``,
  ``<aws.events.event.ingestion-time>``, ``<aws.events.event>`` and
  ``<aws.events.event.json>``). In a JSON template a placeholder outside quotes becomes a JSON
  value (strings quoted), inside quotes the bare text; a plain-text template gets bare text;
* skips disabled rules, and rules that only have a schedule (those fire from
  :mod:`course_lib.wiring.schedules`).

:func:`deliver_to_targets` is shared with scheduled rules.

Differs from AWS: a failed delivery is recorded in ``clock.CLOCK.failures`` rather than
retried for 24 hours and sent to the target's dead-letter queue; API destinations are not
called (no network); the JSONPath subset is AWS's documented one (dots, indices, ``*``).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
from dataclasses import dataclass
from typing import Any

from course_lib import clock, events

_installed = False
_lock = threading.Lock()
_deliveries: list["Delivery"] = []


@dataclass
class Delivery:
    """One event delivered (or not) to one target."""

    at: float
    rule: str
    target_id: str
    target_arn: str
    payload: Any
    result: str
    ok: bool


def deliveries(rule: str | None = None) -> list[Delivery]:
    """Every target delivery so far (optionally for one rule name), oldest first."""
    with _lock:
        return [d for d in _deliveries if rule in (None, d.rule)]


def reset() -> None:
    with _lock:
        _deliveries.clear()


# -- JSONPath (AWS's subset) ------------------------------------------------------------------

_TOKEN = re.compile(r"\.([^.\[\]]+)|\[(\d+|\*)\]|\['([^']*)'\]|\[\"([^\"]*)\"\]")
_MISSING = object()


def json_path(document: Any, path: str) -> Any:
    """Evaluate ``$.detail.items[0].id`` style paths; a ``*`` gives a list. Missing: ``_MISSING``."""
    path = path.strip()
    if not path.startswith("$"):
        raise ValueError(f"JSONPath must start with $: {path!r}")
    nodes = [document]
    wildcard = False
    for match in _TOKEN.finditer(path, 1):
        key = match.group(1) or match.group(3) or match.group(4)
        index = match.group(2)
        next_nodes = []
        for node in nodes:
            if key is not None:
                if key == "*" and isinstance(node, dict):
                    next_nodes += list(node.values())
                    wildcard = True
                elif isinstance(node, dict) and key in node:
                    next_nodes.append(node[key])
            elif index == "*":
                if isinstance(node, list):
                    next_nodes += node
                    wildcard = True
            elif isinstance(node, list) and int(index) < len(node):
                next_nodes.append(node[int(index)])
        nodes = next_nodes
    if wildcard:
        return nodes
    return nodes[0] if nodes else _MISSING


# -- input shaping ----------------------------------------------------------------------------


def transform_input(template: str, values: dict[str, Any]) -> str:
    """Fill an InputTemplate's ``<name>`` placeholders as EventBridge does (see the module doc)."""
    json_mode = template.lstrip()[:1] in ("{", "[", '"')
    out: list[str] = []
    in_string = False
    i = 0
    while i < len(template):
        ch = template[i]
        if json_mode and ch == "\\" and in_string:
            out.append(template[i : i + 2])
            i += 2
            continue
        if json_mode and ch == '"':
            in_string = not in_string
            out.append(ch)
            i += 1
            continue
        if ch == "<":
            end = template.find(">", i + 1)
            name = template[i + 1 : end] if end > 0 else ""
            if end > 0 and name in values:
                value = values[name]
                if not json_mode or in_string:
                    text = value if isinstance(value, str) else ("" if value is _MISSING else json.dumps(value))
                    out.append(json.dumps(text)[1:-1] if json_mode else text)
                else:
                    out.append("null" if value is _MISSING else json.dumps(value))
                i = end + 1
                continue
        out.append(ch)
        i += 1
    return "".join(out)


def target_input(rule: Any, target: dict[str, Any], event: dict[str, Any], ingestion_time: float) -> Any:
    """What the target receives: the event, or its Input / InputPath / InputTransformer result."""
    if target.get("Input") is not None:
        return _maybe_json(target["Input"])
    if target.get("InputPath"):
        value = json_path(event, target["InputPath"])
        return None if value is _MISSING else value
    transformer = target.get("InputTransformer")
    if transformer:
        values: dict[str, Any] = {
            name: json_path(event, path) for name, path in (transformer.get("InputPathsMap") or {}).items()
        }
        without_detail = {k: v for k, v in event.items() if k != "detail"}
        values.update(
            {
                "aws.events.rule-arn": rule.arn,
                "aws.events.rule-name": rule.name,
                "aws.events.event.ingestion-time": events.iso_millis(ingestion_time),
                "aws.events.event": without_detail,
                "aws.events.event.json": event,
            }
        )
        return _maybe_json(transform_input(transformer.get("InputTemplate", ""), values))
    return event


def _maybe_json(text: str) -> Any:
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        return text


def aws_event(raw: dict[str, Any], account_id: str, region: str) -> dict[str, Any]:
    """moto's internal event (float ``time``, ``ingestion-time``) as AWS delivers it."""
    when = raw.get("time")
    if isinstance(when, (int, float)):
        time_text = events.iso_seconds(float(when))
    elif isinstance(when, dt.datetime):
        time_text = events.iso_seconds(when)
    elif isinstance(when, str) and when:
        time_text = when
    else:
        time_text = events.iso_seconds(clock.time())
    event = {
        "version": raw.get("version", "0"),
        "id": raw.get("id"),
        "detail-type": raw.get("detail-type"),
        "source": raw.get("source"),
        "account": raw.get("account") or account_id,
        "time": time_text,
        "region": raw.get("region") or region,
        "resources": list(raw.get("resources") or []),
        "detail": raw.get("detail") if raw.get("detail") is not None else {},
    }
    if raw.get("replay-name"):
        event["replay-name"] = raw["replay-name"]
    return event


# -- delivery ---------------------------------------------------------------------------------


def deliver_to_targets(rule: Any, event: dict[str, Any], ingestion_time: float | None = None) -> list[Delivery]:
    """Send an AWS-shaped ``event`` to every target of ``rule`` (already matched)."""
    from course_lib.wiring import targets

    ingestion_time = clock.time() if ingestion_time is None else ingestion_time
    done: list[Delivery] = []
    for target in list(rule.targets):
        arn = target["Arn"]
        payload: Any = None
        try:
            payload = target_input(rule, target, event, ingestion_time)
            parsed = targets.parse_arn(arn)
            if parsed.service == "events" and parsed.resource_type == "event-bus":
                # Forwarding to another bus keeps the event as it is (no input shaping).
                result = targets.deliver(
                    arn,
                    event["detail"],
                    source=f"EventBridge rule {rule.name}",
                    event_source=event["source"],
                    detail_type=event["detail-type"],
                    resources=event["resources"],
                )
            elif parsed.service == "events" and parsed.resource_type == "api-destination":
                raise ValueError("API destinations call the internet: the course does not emulate them.")
            elif parsed.service == "events" and not parsed.resource_type:
                rule._send_to_events_archive(parsed.resource.split("/", 1)[-1], event)
                result = "archived"
            else:
                result = targets.deliver(
                    arn,
                    payload,
                    source=f"EventBridge rule {rule.name}",
                    sqs_group_id=(target.get("SqsParameters") or {}).get("MessageGroupId"),
                )
            delivery = Delivery(clock.time(), rule.name, target.get("Id", ""), arn, payload, result, True)
        except Exception as exc:  # noqa: BLE001 - one target failing must not stop the others
            delivery = Delivery(clock.time(), rule.name, target.get("Id", ""), arn, payload, f"{type(exc).__name__}: {exc}", False)
            clock.CLOCK.failures.append((f"EventBridge rule {rule.name} -> {arn}", delivery.result))
        done.append(delivery)
    with _lock:
        _deliveries.extend(done)
    return done


def _send_to_targets(self: Any, original_event: dict[str, Any], transform_input: bool = True) -> None:
    # Replaces moto's Rule.send_to_targets (called once per rule by put_events and S3).
    if self.state != "ENABLED":
        return
    if self.event_pattern.dump() is None:
        return  # a schedule-only rule matches no events
    if not self.event_pattern.matches_event(original_event):
        return
    ingestion = original_event.get("ingestion-time")
    event = aws_event(dict(original_event), self.account_id, self.region_name)
    deliver_to_targets(self, event, float(ingestion) if isinstance(ingestion, (int, float)) else None)


def _course_unix_time(value: Any = None) -> float:
    from moto.core.utils import unix_time

    return unix_time(value) if value is not None else clock.time()


def install() -> None:
    global _installed
    if _installed:
        return
    import moto.events.models as events_models

    events_models.Rule.send_to_targets = _send_to_targets  # type: ignore[method-assign]
    # put_events stamps events with this: the course clock, so advanced time shows in events.
    events_models.unix_time = _course_unix_time  # type: ignore[assignment]
    _installed = True
