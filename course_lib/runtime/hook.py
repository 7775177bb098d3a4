"""The one place the course reaches into moto: where a Lambda invocation runs.

moto 5.2.5 ends every execution path (``lambda.invoke``, S3 notifications, SQS, SNS,
DynamoDB Streams and Kinesis event source mappings, Step Functions, EventBridge) in
``LambdaFunction.invoke(body, request_headers, response_headers)``, which calls
``LambdaFunction._invoke_lambda(event)`` to start a Docker container. We replace both class
attributes so the real handler runs in-process through :mod:`course_lib.runtime.executor`, and
no Docker is needed.

This is private moto API, which is why ``moto==5.2.5`` is pinned exactly; a test fails if an
upgrade stops calling the hook.

Differs from moto: an uncaught exception gives ``x-amz-function-error: Unhandled`` (as on AWS;
moto says ``Handled``), and an empty invoke body arrives as ``{}``, not the string ``"{}"``;
the response's ``RequestId`` is the invocation's; ``InvocationType=DryRun`` runs nothing; and
``InvocationType=Event`` is handed to :mod:`course_lib.wiring.async_invoke` once the sandbox has
installed it (202 at once, the run a moment later, with retries), where moto runs it inline.
Wirings that start invocations themselves use :func:`run`, so :func:`calls` counts them too.
"""

from __future__ import annotations

import base64
import json
from typing import Any

_installed = False
_calls = 0
# Set by course_lib.wiring.async_invoke: queues an ``InvocationType=Event`` request and returns
# it. Without it (runtime used alone), such invokes run synchronously, as moto runs them.
_async_enqueue: Any = None


def set_async_handler(enqueue: Any) -> None:
    """Route ``InvocationType=Event`` invokes to ``enqueue(fn, event) -> request``."""
    global _async_enqueue
    _async_enqueue = enqueue


def calls() -> int:
    """How many invocations have gone through the hook (tests use this to prove it is live)."""
    return _calls


def run(fn: Any, event: Any, request_id: str | None = None) -> Any:
    """Run an invocation a wiring starts itself (an async attempt, an SQS batch, an API
    request), counted like the ones moto starts; returns the executor's ``Invocation``."""
    global _calls
    from course_lib.runtime import executor

    _calls += 1
    return executor.run(fn, event, request_id=request_id)


def _parse_event(body: Any) -> Any:
    if body in (None, "", b""):
        return {}
    if isinstance(body, (bytes, bytearray)):
        body = body.decode("utf-8")
    if isinstance(body, str):
        try:
            return json.loads(body)
        except json.JSONDecodeError:
            return body
    return body


def _invoke(self: Any, body: Any, request_headers: Any, response_headers: Any) -> str | bytes:
    global _calls
    from course_lib.runtime import executor

    _calls += 1
    event = _parse_event(body)
    if event == "{}":  # moto hands an empty body on as this string
        event = {}
    invocation_type = (request_headers or {}).get("x-amz-invocation-type") or (request_headers or {}).get(
        "X-Amz-Invocation-Type", "RequestResponse"
    )
    if invocation_type == "DryRun":
        return b""  # AWS checks permissions and parameters only: nothing runs
    if invocation_type == "Event" and _async_enqueue is not None:
        # The async wiring queues the request (202 now, the run a moment later, retries).
        request = _async_enqueue(self, event)
        response_headers["x-amzn-requestid"] = request.request_id
        return b""
    invocation = executor.run(self, event)
    # As on AWS, the response's RequestId is the invocation's (the one in START/END/REPORT).
    response_headers["x-amzn-requestid"] = invocation.request_id
    if invocation.errored:
        response_headers["x-amz-function-error"] = "Unhandled"
    if invocation_type == "RequestResponse":
        tail = invocation.log_text.encode("utf-8")[-4096:]  # AWS returns the last 4 KB
        response_headers["x-amz-log-result"] = base64.b64encode(tail).decode("ascii")
        return invocation.payload.encode("utf-8")
    return invocation.payload


def _invoke_lambda(self: Any, event: Any = None) -> tuple[str, bool, str]:
    from course_lib.runtime import executor

    invocation = executor.run(self, _parse_event(event))
    return invocation.payload, invocation.errored, invocation.log_text


def install() -> None:
    """Route moto's Lambda invocations to the local runtime (idempotent)."""
    global _installed
    if _installed:
        return
    from moto.awslambda.models import LambdaFunction

    LambdaFunction.invoke = _invoke  # type: ignore[method-assign]
    LambdaFunction._invoke_lambda = _invoke_lambda  # type: ignore[method-assign]
    _installed = True


def is_installed() -> bool:
    from moto.awslambda.models import LambdaFunction

    return LambdaFunction.invoke is _invoke


def code_of(function_name: str, account_id: str, region: str) -> bytes:
    """The deployment package (zip bytes) of a function, as the exporter needs it.

    AWS hands it out through ``get_function``'s ``Code.Location``, a presigned S3 URL; moto's
    URL points nowhere, so the bytes come from moto's record of the function instead."""
    from moto.awslambda.models import lambda_backends

    return bytes(lambda_backends[account_id][region].get_function(function_name).code_bytes)
