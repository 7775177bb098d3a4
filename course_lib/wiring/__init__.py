"""The wirings moto lacks, so every trigger the course teaches runs real handler code.

The sandbox installs them (``sandbox.start()`` calls :func:`install`, ``sandbox.reset()`` calls
:func:`reset`); a chapter only imports a module when it wants its helpers:

| module | what it makes work |
|---|---|
| :mod:`~course_lib.wiring.apigateway` | REST APIs (``AWS_PROXY``) and HTTP APIs, called with ``requests`` or through the front door |
| :mod:`~course_lib.wiring.function_urls` | Lambda Function URLs |
| :mod:`~course_lib.wiring.http` | the ``requests`` interception and the local front door on 127.0.0.1 |
| :mod:`~course_lib.wiring.eventbridge` | rule targets: Lambda, Step Functions, SQS, SNS, buses; Input/InputPath/InputTransformer |
| :mod:`~course_lib.wiring.schedules` | scheduled rules and EventBridge Scheduler on the course clock |
| :mod:`~course_lib.wiring.async_invoke` | ``InvocationType=Event``: 202, retries, destinations, DLQ |
| :mod:`~course_lib.wiring.sqs_esm` | SQS event source mappings: batches, windows, partial failures, DLQ |
| :mod:`~course_lib.wiring.stepfunctions` | executions that run, Wait on the course clock, path diagrams |
| :mod:`~course_lib.wiring.fidelity` | faithful SNS, S3 and DynamoDB Streams events |
| :mod:`~course_lib.wiring.targets` | delivering to an ARN (shared by the others) |
| :mod:`~course_lib.wiring.bench` | ``make bench`` rows: API Gateway -> Lambda -> DynamoDB |

Related, outside this package: :mod:`course_lib.clock` (time-based behaviour), :mod:`course_lib.events`
(event builders for unit tests), :mod:`course_lib.server` (server mode) and
:mod:`course_lib.runtime.subprocess_mode` (real timeouts and memory limits).

Work that AWS does asynchronously runs on the course clock: what an API call causes (an S3
notification's invocation, an SQS poll) runs as that call returns; an ``InvocationType=Event``
invoke runs on the clock's background worker (``clock.settle()`` waits for it); schedules,
retries, batching windows and visibility timeouts fire when ``clock.advance(...)`` passes them.
Patches to moto modules that are slow to import (API Gateway, the Step Functions interpreter,
EventBridge Scheduler, SNS) are applied when those modules are first imported (``_lazy``).

Chapter add-ons (``sqs_fidelity``, ``stream_polling``, ``firehose``, ``state_machines``, ``alarms``,
``log_metrics``, ``data_api``, ``efs``, ``fargate``, and here ``s3_presigned``, ``s3_website``,
``rest_pipeline`` with its authorizer, throttling and mapping steps, ``cognito_authorizer``) are
opt-in: a chapter's setup cell installs the ones it teaches, because each makes a service more
faithful in a way other chapters do not want (SQS's at-least-once duplicates, alarms evaluated
every minute). Once installed they register with :func:`keep_after_reset`, so ``aws.reset()``
keeps them working and clears what they remembered.
"""

from __future__ import annotations

import threading
from typing import Callable

_lock = threading.Lock()
_installed = False
# Chapter add-ons (sqs_fidelity, s3_presigned, alarms, ...) installed by a chapter's setup cell:
# name -> what to do after every sandbox reset, so an add-on keeps working with its state cleared.
_after_reset: dict[str, Callable[[], None]] = {}


def keep_after_reset(name: str, after_reset: Callable[[], None]) -> None:
    """Called by an add-on's ``install()``: run ``after_reset`` after every ``sandbox.reset()``.

    The add-ons stay opt-in (each changes how faithful, and sometimes how random, a service
    is, which only its chapter wants), but once installed they survive a reset: requests
    routes come back, and whatever the add-on remembered about the old account is forgotten."""
    _after_reset[name] = after_reset


def add_ons() -> list[str]:
    """The add-ons installed in this process, in the order they were installed."""
    return list(_after_reset)


def install() -> None:
    """Patch moto where it falls short and hook the course clock in (idempotent)."""
    global _installed
    with _lock:
        if not _installed:
            from course_lib.runtime import hook
            from course_lib.wiring import (
                apigateway,
                async_invoke,
                eventbridge,
                fidelity,
                function_urls,
                schedules,
                sqs_esm,
                stepfunctions,
            )

            async_invoke.install()
            hook.set_async_handler(
                lambda fn, event: async_invoke.enqueue(fn, event, source="lambda.invoke", background=True)
            )
            _install_call_boundary()
            sqs_esm.install()
            eventbridge.install()
            schedules.install()
            fidelity.install()
            stepfunctions.install()
            apigateway.install()
            function_urls.install()
            _installed = True
        _install_routes()


def _install_call_boundary() -> None:
    """Every boto3 call answered by moto is an API call for the course clock: work it causes
    (notifications, polls, rule targets) runs as it returns, in the caller's thread."""
    from moto.core.botocore_stubber import BotocoreStubber

    from course_lib import clock

    original = BotocoreStubber.__call__

    def __call__(self: object, event_name: str, request: object, **kwargs: object) -> object:
        with clock.CLOCK.api_call():
            return original(self, event_name, request, **kwargs)

    BotocoreStubber.__call__ = __call__  # type: ignore[method-assign]


def _install_routes() -> None:
    from course_lib.wiring import http

    http.restore_moto_routes()
    http.install_requests_routes()


def reset() -> None:
    """A clean account: no timers, no queued work, no history; the clock back on wall time."""
    from course_lib import clock
    from course_lib.runtime import subprocess_mode
    from course_lib.wiring import async_invoke, eventbridge, schedules, sqs_esm

    clock.reset()
    subprocess_mode.forget()
    async_invoke.reset()
    eventbridge.reset()
    schedules.reset()
    sqs_esm.reset()
    if _installed:
        _install_routes()
    for after_reset in list(_after_reset.values()):
        after_reset()


def stop() -> None:
    """Stop what listens on a port (the front door, server mode) and subprocess environments."""
    from course_lib import server
    from course_lib.runtime import subprocess_mode
    from course_lib.wiring import http

    subprocess_mode.forget()
    http.stop()
    server.stop()


def installed() -> bool:
    return _installed
