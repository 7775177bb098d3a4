"""Delivering a payload to a resource named by its ARN: what EventBridge rules, EventBridge
Scheduler and Lambda destinations have in common.

Each deliver function takes the target ARN and what AWS would send, and calls moto's backend
directly (no boto3 round trip), so deliveries work the same in decorator and server mode.

| target | what it receives |
|---|---|
| Lambda function | an asynchronous invoke (queued, retried, with its own destinations) |
| SQS queue | a message whose body is the payload (FIFO: a group id is required) |
| SNS topic | a published message |
| EventBridge bus | ``PutEvents`` of the payload |
| Step Functions state machine | ``StartExecution`` with the payload as input |
| CloudWatch Logs group | one log event |

Differs from AWS: no IAM check is made that the sender may write to the target (AWS needs a
resource policy or a role; chapters still show how to set them).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from course_lib.sandbox import ACCOUNT_ID, REGION


@dataclass(frozen=True)
class Arn:
    service: str
    region: str
    account: str
    resource: str  # everything after the account, e.g. "function:name" or "my-queue"

    @property
    def resource_type(self) -> str:
        return self.resource.split(":", 1)[0].split("/", 1)[0] if (":" in self.resource or "/" in self.resource) else ""

    @property
    def resource_name(self) -> str:
        for sep in (":", "/"):
            if sep in self.resource:
                return self.resource.split(sep, 1)[1]
        return self.resource


def parse_arn(arn: str) -> Arn:
    parts = arn.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn":
        raise ValueError(f"Not an ARN: {arn!r}")
    return Arn(service=parts[2], region=parts[3] or REGION, account=parts[4] or ACCOUNT_ID, resource=parts[5])


def to_text(payload: Any) -> str:
    return payload if isinstance(payload, str) else json.dumps(payload)


# -- backends -------------------------------------------------------------------------------


def lambda_backend(account: str = ACCOUNT_ID, region: str = REGION) -> Any:
    from moto.awslambda.models import lambda_backends

    return lambda_backends[account][region]


def lambda_function(name_or_arn: str, account: str = ACCOUNT_ID, region: str = REGION) -> Any:
    """moto's function object for a name, ARN or qualified ARN (raises if it does not exist)."""
    if name_or_arn.startswith("arn:"):
        arn = parse_arn(name_or_arn)
        account, region = arn.account, arn.region
        pieces = arn.resource.split(":")  # function:name[:qualifier]
        qualifier = pieces[2] if len(pieces) > 2 else None
        return lambda_backend(account, region).get_function(pieces[1], qualifier)
    return lambda_backend(account, region).get_function(name_or_arn)


def sqs_backend(account: str = ACCOUNT_ID, region: str = REGION) -> Any:
    from moto.sqs.models import sqs_backends

    return sqs_backends[account][region]


def sns_backend(account: str = ACCOUNT_ID, region: str = REGION) -> Any:
    from moto.sns.models import sns_backends

    return sns_backends[account][region]


def events_backend(account: str = ACCOUNT_ID, region: str = REGION) -> Any:
    from moto.events.models import events_backends

    return events_backends[account][region]


def stepfunctions_backend(account: str = ACCOUNT_ID, region: str = REGION) -> Any:
    from moto.stepfunctions.responses import get_backend

    return get_backend(account, region)


# -- delivery -------------------------------------------------------------------------------


def deliver(
    target_arn: str,
    payload: Any,
    *,
    source: str,
    sqs_group_id: str | None = None,
    sqs_message_attributes: dict[str, Any] | None = None,
    sns_subject: str | None = None,
    sns_message_attributes: dict[str, Any] | None = None,
    event_source: str | None = None,
    detail_type: str | None = None,
    resources: list[str] | None = None,
    execution_name: str | None = None,
) -> str:
    """Deliver ``payload`` to ``target_arn``; returns a short description of what was done.

    ``source`` names the sender for logs and errors (``"EventBridge rule orders"``).
    Raises ``ValueError`` for a target type the course does not emulate.
    """
    arn = parse_arn(target_arn)
    if arn.service == "lambda":
        from course_lib.wiring import async_invoke

        fn = lambda_function(target_arn)
        request = async_invoke.enqueue(fn, payload, source=source)
        return f"async invoke of {fn.function_name} ({request.request_id})"
    if arn.service == "sqs":
        queue_name = arn.resource
        body = to_text(payload)
        group_id = sqs_group_id
        dedup_id = None
        if queue_name.endswith(".fifo"):
            group_id = group_id or "default"
            dedup_id = uuid.uuid4().hex  # each delivery is a distinct message
        message = sqs_backend(arn.account, arn.region).send_message(
            queue_name,
            body,
            message_attributes=sqs_message_attributes or {},
            deduplication_id=dedup_id,
            group_id=group_id,
            validate_group_id=False,
        )
        return f"message {message.id} to SQS {queue_name}"
    if arn.service == "sns":
        message_id = sns_backend(arn.account, arn.region).publish(
            to_text(payload), arn=target_arn, subject=sns_subject, message_attributes=sns_message_attributes or {}
        )
        return f"message {message_id} to SNS {arn.resource}"
    if arn.service == "events" and arn.resource_type == "event-bus":
        entry: dict[str, Any] = {
            "Source": event_source or "course.wiring",
            "DetailType": detail_type or "Event",
            "Detail": to_text(payload if isinstance(payload, dict) else {"payload": payload}),
            "EventBusName": target_arn,
            "Resources": resources or [],
        }
        result = events_backend(arn.account, arn.region).put_events([entry])
        return f"event {result[0].get('EventId')} to bus {arn.resource_name}"
    if arn.service == "states" and arn.resource_type == "stateMachine":
        execution = stepfunctions_backend(arn.account, arn.region).start_execution(
            target_arn, execution_name or str(uuid.uuid4()), to_text(payload)
        )
        return f"execution {execution.execution_arn}"
    if arn.service == "logs":
        from moto.logs.models import logs_backends

        group = arn.resource.split(":", 1)[1] if arn.resource.startswith("log-group:") else arn.resource
        group = group.removesuffix(":*")
        backend = logs_backends[arn.account][arn.region]
        stream = str(uuid.uuid4())
        backend.create_log_stream(group, stream)
        from course_lib import clock

        backend.put_log_events(group, stream, [{"timestamp": int(clock.time() * 1000), "message": to_text(payload)}])
        return f"log event to {group}"
    raise ValueError(f"{source}: target {target_arn} is not a target type the course emulates.")
