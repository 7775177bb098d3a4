"""What a REST API request passes through before its integration runs, in API Gateway's order.

:mod:`course_lib.wiring.apigateway` routes a request to a resource and method and runs its
``AWS_PROXY`` integration. API Gateway does more in between, and each piece lives in its own
module that adds a *step* here:

=====  ====================================================  =========================================
order  step                                                  module
=====  ====================================================  =========================================
10     Lambda authorizer (``authorizationType: CUSTOM``)     :mod:`~course_lib.wiring.lambda_authorizer`
20     API key and usage plan (throttle, quota)              :mod:`~course_lib.wiring.api_throttling`
30     stage and method throttling (``methodSettings``)      :mod:`~course_lib.wiring.api_throttling`
40     non-proxy ``AWS`` integration with mapping templates  :mod:`~course_lib.wiring.api_mapping`
=====  ====================================================  =========================================

A step looks at a :class:`Call` and returns an ``HttpResponse`` to answer the request itself (a
401, a 429, the mapped response of a non-proxy integration) or ``None`` to pass it on. Steps run
in that order whatever order their modules were installed in. Every request that reaches a REST
API is logged (:func:`log`): which step answered it, with what status and why, which is what
AWS's execution logs tell you and the caller never sees.

Differs from AWS: resource policies, request validation, the API cache and WAF are not steps
here; account-level throttling is not modelled.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any, Callable

from course_lib.wiring.http import HttpRequest, HttpResponse

_lock = threading.Lock()
_local = threading.local()
_installed = False
_original: Callable[..., HttpResponse] | None = None


@dataclass
class Call:
    """One REST API request, matched to its stage, resource and method."""

    api: Any
    account: str
    region: str
    request: HttpRequest
    stage_name: str
    resource: Any
    method: Any
    path_params: dict[str, str]
    authorizer: dict[str, Any] | None = None  # set by the authorizer step when it allows
    api_key: Any = None  # the API key the request used, when one was required
    notes: list[str] = field(default_factory=list)

    @property
    def stage(self) -> Any:
        return self.api.stages[self.stage_name]

    @property
    def path(self) -> str:
        return "/" + self.request.path.lstrip("/").partition("/")[2]

    @property
    def setting_key(self) -> str:
        """The ``methodSettings`` key of this method: ``~1items~1{id}/GET``."""
        return self.resource.get_path().replace("/", "~1") + "/" + self.method.http_method


@dataclass(frozen=True)
class Entry:
    """One request as the gateway handled it."""

    method: str
    path: str
    stage: str
    status: int
    answered_by: str  # a step's name, or "integration"
    reason: str


Step = Callable[[Call], "HttpResponse | None"]
_steps: list[tuple[int, str, Step]] = []
_log: list[Entry] = []


def add_step(order: int, name: str, step: Step) -> None:
    """Register a step (idempotent by name) and make sure the pipeline is installed."""
    with _lock:
        if not any(existing == name for _, existing, _ in _steps):
            _steps.append((order, name, step))
            _steps.sort(key=lambda s: s[0])
    install()


def current() -> Call | None:
    """The request this thread is handling, if any."""
    return getattr(_local, "call", None)


def log() -> list[Entry]:
    """Every REST request handled since the start (or ``forget()``), oldest first."""
    with _lock:
        return list(_log)


def forget() -> None:
    with _lock:
        _log.clear()


def _record(call: Call, status: int, answered_by: str, reason: str) -> None:
    with _lock:
        _log.append(Entry(call.request.method, call.path, call.stage_name, status, answered_by, reason))


def _dispatch(api: Any, account: str, region: str, request: HttpRequest) -> HttpResponse:
    from course_lib.wiring import apigateway

    assert _original is not None
    stage_name, _, rest = request.path.lstrip("/").partition("/")
    matched = apigateway._match_rest(api, "/" + rest) if stage_name in api.stages else None
    method = None
    if matched is not None:
        method = matched[0].resource_methods.get(request.method) or matched[0].resource_methods.get("ANY")
    if matched is None or method is None:
        return _original(api, account, region, request)
    call = Call(api, account, region, request, stage_name, matched[0], method, dict(matched[1]))
    previous = current()
    _local.call = call
    try:
        for _, name, step in list(_steps):
            answer = step(call)
            if answer is not None:
                _record(call, answer.status, name, "; ".join(call.notes) or "")
                return answer
        response = _original(api, account, region, request)
        _record(call, response.status, "integration", "; ".join(call.notes) or "")
        return response
    finally:
        _local.call = previous


def _skip_slow_openapi_import() -> None:
    """moto's API Gateway imports ``openapi_spec_validator`` at module level (pydantic and
    friends: 1-3 s, the largest part of a chapter's first API call) only to validate OpenAPI
    documents in ``import_rest_api``/``put_rest_api``. Until moto's API Gateway is imported, put
    a stand-in there whose ``validate`` imports the real validator on first use and translates its
    error, so OpenAPI imports behave as before. Nothing happens if either is already imported."""
    import sys
    import types

    if "moto.apigateway.models" in sys.modules or "openapi_spec_validator" in sys.modules:
        return
    names = ("openapi_spec_validator", "openapi_spec_validator.validation", "openapi_spec_validator.validation.exceptions")
    package, validation, exceptions = (types.ModuleType(name) for name in names)

    class OpenAPIValidationError(Exception):
        """Stands in for the real class in moto's ``except`` clauses (which read ``.message``)."""

        def __init__(self, message: str) -> None:
            super().__init__(message)
            self.message = message

    def validate(spec: Any, *args: Any, **kwargs: Any) -> Any:
        for name in names:  # let the real package import itself
            if sys.modules.get(name) in (package, validation, exceptions):
                del sys.modules[name]
        import openapi_spec_validator as real
        from openapi_spec_validator.validation.exceptions import OpenAPIValidationError as RealError

        check = getattr(real, "validate", None) or getattr(real, "validate_spec")
        try:
            return check(spec, *args, **kwargs)
        except RealError as err:
            raise OpenAPIValidationError(getattr(err, "message", str(err))) from err

    package.validate = validate  # type: ignore[attr-defined]
    package.validate_spec = validate  # type: ignore[attr-defined]
    package.validation = validation  # type: ignore[attr-defined]
    validation.exceptions = exceptions  # type: ignore[attr-defined]
    exceptions.OpenAPIValidationError = OpenAPIValidationError  # type: ignore[attr-defined]
    sys.modules.update(dict(zip(names, (package, validation, exceptions))))
    from course_lib.import_speed import skip_iri_grammar

    skip_iri_grammar()


def install() -> None:
    """Put the pipeline in front of the REST handler, and hand the authorizer's context to proxy
    integrations (``requestContext.authorizer``). Idempotent."""
    global _installed, _original
    from course_lib import wiring

    wiring.keep_after_reset("rest_pipeline", _log.clear)  # the request log is the old account's
    with _lock:
        if _installed:
            return
        _skip_slow_openapi_import()
        from course_lib.wiring import apigateway

        _original = apigateway._handle_rest
        original_run = apigateway._run

        def _run(function_arn: str, event: Any) -> tuple[Any, bool]:
            call = current()
            if call is not None and call.authorizer is not None and isinstance(event, dict) and "requestContext" in event:
                event["requestContext"]["authorizer"] = dict(call.authorizer)
            return original_run(function_arn, event)

        apigateway._handle_rest = _dispatch  # type: ignore[assignment]
        apigateway._run = _run  # type: ignore[assignment]
        _installed = True
