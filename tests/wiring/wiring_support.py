"""Helpers for the wiring tests: a recorder handler, reading back what it got, AWS's key sets.

``aws_event_keys.json`` was derived from AWS SAM CLI's ``generate-event`` templates and the
aws-powertools test events by ``derive_aws_event_keys.py``; the tests need only the JSON.
``RECORDER`` prints the event it got (prefixed ``EVENT``) and returns it, so a test reads back
exactly what arrived.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

KEYS: dict[str, Any] = json.loads(Path(__file__).with_name("aws_event_keys.json").read_text())

RECORDER = """
import json

def handler(event, context):
    print("EVENT " + json.dumps(event))
    return event
"""


def events_of(invocations: list[Any], function_name: str) -> list[Any]:
    """The events ``function_name`` received, from the EVENT lines its handler printed."""
    found = []
    for invocation in invocations:
        if invocation.function_name != function_name:
            continue
        for line in invocation.log_text.splitlines():
            if line.startswith("EVENT "):
                found.append(json.loads(line[len("EVENT "):]))
    return found


def arn_of(aws: Any, function_name: str) -> str:
    return aws.client("lambda").get_function(FunctionName=function_name)["Configuration"]["FunctionArn"]


def queue_arn(aws: Any, url: str) -> str:
    return aws.client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _values(document: Any, path: str) -> list[Any] | None:
    """Every value at ``path`` (``Records[].s3.object.key``); None when a key on the way is missing."""
    nodes = [document]
    for token in path.split("."):
        is_list = token.endswith("[]")
        key = token[:-2] if is_list else token
        found = []
        for node in nodes:
            if not isinstance(node, dict) or key not in node:
                return None
            found.append(node[key])
        nodes = [item for value in found if isinstance(value, list) for item in value] if is_list else found
    return nodes


def problems(event: Any, sample: str) -> list[str]:
    """What ``event`` lacks compared with the sample events named ``sample``."""
    found: list[str] = []
    for path, kind in KEYS[sample]["required"].items():
        values = _values(json.loads(json.dumps(event)), path)
        if values is None:
            found.append(f"missing {path}")
            continue
        allowed = kind.split("|")
        if kind == "null":
            continue  # the sample has null there: any value will do
        for value in values:
            if _kind(value) not in allowed:
                found.append(f"{path} is {_kind(value)}, AWS sends {kind}")
    return found


def assert_aws_shape(event: Any, sample: str) -> None:
    issues = problems(event, sample)
    assert not issues, f"event differs from AWS's {sample} samples: {issues}"
