"""Asynchronous invocation: ``InvocationType=Event``, its retries, destinations and DLQ.

    lam.invoke(FunctionName="resize", InvocationType="Event", Payload=b"{}")  # 202 at once
    clock.settle()                    # the first attempt has run (a moment later, as on AWS)
    clock.advance(minutes=3)          # a failing function has now had its two retries
    async_invoke.history("resize")    # every attempt, with its course time and outcome

What it emulates. Lambda puts an asynchronous request on an internal queue and returns 202
at once; a poller runs the function soon after (here: the course clock's background worker;
``clock.settle()`` waits for it). When the function fails (an error, a
timeout, running out of memory) Lambda retries twice by default, waiting about one minute
before the second attempt and two minutes before the third, all with the same request id.
``put_function_event_invoke_config`` changes ``MaximumRetryAttempts`` (0-2) and
``MaximumEventAgeInSeconds`` (60-21600, default 6 hours) and adds destinations: on success
or on failure, a record of the invocation goes to an SQS queue, SNS topic, Lambda function
or EventBridge bus. A function's ``DeadLetterConfig`` (SQS or SNS) receives the original
event, with ``RequestID``, ``ErrorCode`` and ``ErrorMessage`` attributes, after the last
failure. Every asynchronous source (S3, SNS, EventBridge rules and Scheduler, Lambda
destinations) comes through here, so they all retry the same way.

The waits are on the course clock: retries fire when you ``clock.advance`` past them.

Differs from AWS: for S3, SNS and EventBridge the first attempt runs as the triggering call
returns (so a cell sees its effect at once); a direct ``InvocationType=Event`` invoke runs on
the course's single background worker (not concurrently); AWS's waits are "up to" one and two minutes, here they are exact; throttling
and the internal queue's own retries are not modelled; moto keeps no ``DeadLetterConfig``,
so this module stores it (``create_function``/``update_function_configuration``) and shows
it in ``get_function_configuration``.
"""

from __future__ import annotations

import json
import threading
import uuid
from dataclasses import dataclass, field
from typing import Any

from course_lib import clock, events

# AWS's documented waits before the second and third attempts.
RETRY_DELAYS_S = (60.0, 120.0)
DEFAULT_MAX_RETRIES = 2
DEFAULT_MAX_EVENT_AGE_S = 21600

_lock = threading.Lock()
_history: list["AsyncRequest"] = []
_installed = False


@dataclass
class Attempt:
    number: int
    at: float  # course time
    error_type: str | None
    request_id: str

    @property
    def ok(self) -> bool:
        return self.error_type is None


@dataclass
class AsyncRequest:
    """One asynchronous invocation request and everything that happened to it."""

    function_name: str
    function_arn: str
    event: Any
    request_id: str
    source: str
    enqueued: float
    attempts: list[Attempt] = field(default_factory=list)
    outcome: str = "queued"  # queued | succeeded | failed | expired
    deliveries: list[str] = field(default_factory=list)
    response: Any = None

    def __repr__(self) -> str:
        tries = ", ".join(
            f"#{a.number} at +{a.at - self.enqueued:.0f}s {'ok' if a.ok else a.error_type}" for a in self.attempts
        )
        return f"<Async {self.function_name} {self.request_id} from {self.source}: {self.outcome}; {tries or 'not run yet'}>"


def history(function_name: str | None = None) -> list[AsyncRequest]:
    """Asynchronous requests so far (optionally for one function), oldest first."""
    with _lock:
        return [r for r in _history if function_name in (None, r.function_name)]


def reset() -> None:
    with _lock:
        _history.clear()


def _config(fn: Any) -> dict[str, Any]:
    # put_function_event_invoke_config stores a list; the last one put is the one in force.
    configs = getattr(fn, "event_invoke_config", None) or []
    return dict(configs[-1].config) if configs else {}


def enqueue(
    fn: Any, event: Any, *, source: str = "lambda.invoke", request_id: str | None = None, background: bool = False
) -> AsyncRequest:
    """Queue an asynchronous invocation of moto's function ``fn``; the first attempt runs soon.

    ``background=True`` (a direct ``InvocationType=Event`` invoke) runs it on the clock's
    worker; otherwise it runs when the API call that caused it returns (S3, SNS, EventBridge).
    """
    request = AsyncRequest(
        function_name=fn.function_name,
        function_arn=fn.function_arn,
        event=event,
        request_id=request_id or str(uuid.uuid4()),
        source=source,
        enqueued=clock.time(),
    )
    with _lock:
        _history.append(request)
    clock.submit(lambda: _attempt(fn, request), label=f"async invoke {fn.function_name}", background=background)
    return request


def _attempt(fn: Any, request: AsyncRequest) -> None:
    from course_lib.runtime import hook

    config = _config(fn)
    max_age = int(config.get("MaximumEventAgeInSeconds", DEFAULT_MAX_EVENT_AGE_S))
    max_retries = int(config.get("MaximumRetryAttempts", DEFAULT_MAX_RETRIES))
    if clock.time() - request.enqueued >= max_age:
        request.outcome = "expired"
        _on_failure(fn, request, config, condition="EventAgeExceeded", response=None, error_type=None)
        return
    invocation = hook.run(fn, request.event, request_id=request.request_id)
    number = len(request.attempts) + 1
    request.attempts.append(Attempt(number, clock.time(), invocation.error_type, invocation.request_id))
    try:
        response = json.loads(invocation.payload) if invocation.payload else None
    except (TypeError, ValueError):
        response = invocation.payload
    request.response = response
    if not invocation.errored:
        request.outcome = "succeeded"
        _on_success(fn, request, config, response)
        return
    if number <= max_retries:
        delay = RETRY_DELAYS_S[min(number - 1, len(RETRY_DELAYS_S) - 1)]
        clock.call_later(
            delay, lambda: _attempt(fn, request), label=f"retry {fn.function_name} (attempt {number + 1})", kind="retry"
        )
        return
    request.outcome = "failed"
    _on_failure(fn, request, config, condition="RetriesExhausted", response=response, error_type=invocation.error_type)


def destination_record(
    request: AsyncRequest, condition: str, response: Any, error_type: str | None
) -> dict[str, Any]:
    """The JSON record Lambda sends to an on-success or on-failure destination."""
    response_context: dict[str, Any] = {"statusCode": 200, "executedVersion": "$LATEST"}
    if condition != "Success":
        response_context["functionError"] = "Unhandled"
    record: dict[str, Any] = {
        "version": "1.0",
        "timestamp": events.iso_millis(clock.time()),
        "requestContext": {
            "requestId": request.request_id,
            "functionArn": f"{request.function_arn}:$LATEST",
            "condition": condition,
            "approximateInvokeCount": len(request.attempts),
        },
        "requestPayload": request.event,
        "responseContext": response_context,
    }
    if condition == "EventAgeExceeded":
        record["responseContext"] = {"statusCode": 200, "executedVersion": "$LATEST"}
    else:
        record["responsePayload"] = response
    return record


def _send_to_destination(fn: Any, request: AsyncRequest, destination: str, record: dict[str, Any], success: bool) -> None:
    from course_lib.wiring import targets

    arn = targets.parse_arn(destination)
    if arn.service == "events":
        outcome = "Success" if success else "Failure"
        done = targets.deliver(
            destination,
            record,
            source=f"destination of {fn.function_name}",
            event_source="lambda",
            detail_type=f"Lambda Function Invocation Result - {outcome}",
            resources=[f"{fn.function_arn}:$LATEST", destination],
        )
    else:
        done = targets.deliver(destination, record, source=f"destination of {fn.function_name}")
    request.deliveries.append(f"{'on-success' if success else 'on-failure'}: {done}")


def _on_success(fn: Any, request: AsyncRequest, config: dict[str, Any], response: Any) -> None:
    destination = ((config.get("DestinationConfig") or {}).get("OnSuccess") or {}).get("Destination")
    if destination:
        _send_to_destination(fn, request, destination, destination_record(request, "Success", response, None), True)


def _on_failure(
    fn: Any, request: AsyncRequest, config: dict[str, Any], *, condition: str, response: Any, error_type: str | None
) -> None:
    destination = ((config.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination")
    if destination:
        _send_to_destination(fn, request, destination, destination_record(request, condition, response, error_type), False)
    dlq = (getattr(fn, "dead_letter_config", None) or {}).get("TargetArn")
    if dlq:
        _send_to_dlq(fn, request, dlq, response)


def _send_to_dlq(fn: Any, request: AsyncRequest, dlq: str, response: Any) -> None:
    from course_lib.wiring import targets

    message = response.get("errorMessage", "") if isinstance(response, dict) else str(response or "")
    message = message[:1024] or "Unknown error"
    arn = targets.parse_arn(dlq)
    if arn.service == "sqs":
        attributes = {
            "RequestID": {"DataType": "String", "StringValue": request.request_id},
            "ErrorCode": {"DataType": "Number", "StringValue": "200"},
            "ErrorMessage": {"DataType": "String", "StringValue": message},
        }
        done = targets.deliver(dlq, request.event, source=f"DLQ of {fn.function_name}", sqs_message_attributes=attributes)
    else:
        sns_attributes = {
            "RequestID": {"Type": "String", "Value": request.request_id},
            "ErrorCode": {"Type": "Number", "Value": "200"},
            "ErrorMessage": {"Type": "String", "Value": message},
        }
        done = targets.deliver(dlq, request.event, source=f"DLQ of {fn.function_name}", sns_message_attributes=sns_attributes)
    request.deliveries.append(f"dead-letter queue: {done}")


# -- patches: DeadLetterConfig storage and event invoke config updates ----------------------


def install() -> None:
    """Keep DeadLetterConfig on functions and make event invoke config updates take effect."""
    global _installed
    if _installed:
        return
    from moto.awslambda.models import EventInvokeConfig, LambdaBackend, LambdaFunction

    original_init = LambdaFunction.__init__
    original_update = LambdaFunction.update_configuration
    original_get_configuration = LambdaFunction.get_configuration

    def __init__(self: Any, account_id: str, spec: dict[str, Any], region: str, version: Any = 1) -> None:
        original_init(self, account_id, spec, region, version)
        self.dead_letter_config = spec.get("DeadLetterConfig") or None

    def update_configuration(self: Any, config_updates: dict[str, Any]) -> Any:
        if "DeadLetterConfig" in config_updates:
            self.dead_letter_config = config_updates.get("DeadLetterConfig") or None
        return original_update(self, config_updates)

    def get_configuration(self: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        configuration = original_get_configuration(self, *args, **kwargs)
        dlq = getattr(self, "dead_letter_config", None)
        if dlq and dlq.get("TargetArn"):
            configuration["DeadLetterConfig"] = {"TargetArn": dlq["TargetArn"]}
        return configuration

    def put_function_event_invoke_config(self: Any, function_name: str, config: dict[str, Any]) -> dict[str, Any]:
        # moto appends and keeps answering with the first config; AWS replaces it.
        fn = self.get_function(function_name)
        event_config = EventInvokeConfig(fn.function_arn, fn.last_modified, config)
        fn.event_invoke_config = [event_config]
        return event_config.response()

    def update_function_event_invoke_config(self: Any, function_name: str, config: dict[str, Any]) -> dict[str, Any]:
        # AWS merges an update into the existing config.
        fn = self.get_function(function_name)
        merged = dict(fn.event_invoke_config[-1].config) if fn.event_invoke_config else {}
        merged.update(config)
        return put_function_event_invoke_config(self, function_name, merged)

    import moto.core.responses as core_responses

    generate_request_id = core_responses.gen_amzn_requestid_long

    def keep_request_id(headerdict: dict[str, Any] | None = None) -> str:
        # moto stamps a random x-amzn-requestid on every response; keep one the Lambda hook set
        # so the id an (async) invoke returns is the id its invocation runs and logs with.
        if headerdict is not None and headerdict.get("x-amzn-requestid"):
            return str(headerdict["x-amzn-requestid"])
        return str(generate_request_id(headerdict))

    core_responses.gen_amzn_requestid_long = keep_request_id  # type: ignore[assignment]
    LambdaFunction.__init__ = __init__  # type: ignore[method-assign]
    LambdaFunction.update_configuration = update_configuration  # type: ignore[method-assign]
    LambdaFunction.get_configuration = get_configuration  # type: ignore[method-assign]
    LambdaBackend.put_function_event_invoke_config = put_function_event_invoke_config  # type: ignore[method-assign]
    LambdaBackend.update_function_event_invoke_config = update_function_event_invoke_config  # type: ignore[method-assign]
    _installed = True
