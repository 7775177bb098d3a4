"""Lambda authorizers on REST APIs (``TOKEN`` and ``REQUEST``), enforced by the front door.

    from course_lib.wiring import lambda_authorizer
    lambda_authorizer.install()        # idempotent; chapter 03's setup does it
    # then, with plain boto3:
    #   create_authorizer(restApiId=..., type="TOKEN", authorizerUri=<lambda invocation URI>,
    #                     identitySource="method.request.header.Authorization",
    #                     authorizerResultTtlInSeconds=300)
    #   put_method(..., authorizationType="CUSTOM", authorizerId=...)

What it emulates. :mod:`course_lib.wiring.apigateway` serves REST APIs but ignores Lambda
authorizers. This module adds the first step of :mod:`course_lib.wiring.rest_pipeline`: when the
matched method says ``authorizationType: CUSTOM``, API Gateway runs the authorizer function
first, as AWS does:

* **TOKEN**: the header named by ``identitySource`` must be present (and match
  ``identityValidationExpression`` if set), else ``401 Unauthorized`` without invoking the
  authorizer. The authorizer gets ``{"type": "TOKEN", "authorizationToken", "methodArn"}``.
* **REQUEST**: every identity source (headers, query strings, stage variables, context) must be
  present when caching is on, else ``401``; the authorizer gets the request's headers, query
  string, path parameters, stage variables and request context, with ``methodArn``.
* The authorizer answers with a ``principalId``, an IAM ``policyDocument`` and an optional
  ``context``. The policy is evaluated against the method ARN
  (``arn:aws:execute-api:REGION:ACCOUNT:API/STAGE/VERB/PATH``, ``*`` and ``?`` wildcards): an
  explicit ``Deny`` gives ``403`` "... with an explicit deny", no matching ``Allow`` gives
  ``403`` "User is not authorized to access this resource". Raising
  ``Exception("Unauthorized")`` gives ``401``; any other error or a malformed answer gives
  ``500`` (``AuthorizerConfigurationException``).
* Allowed requests reach the integration with ``requestContext.authorizer`` holding the
  ``principalId`` and the ``context`` values.
* With ``authorizerResultTtlInSeconds`` above zero the policy is **cached** per identity (the
  token, or the identity source values) for that long on the course clock, and the cached policy
  is evaluated for every method it is used on, which is why a policy that allows only the first
  method called locks the caller out of the others until the cache expires.

:func:`decisions` lists what the authorizer decided, request by request (for teaching: AWS never
tells the caller why).

Differs from AWS: the authorizer's IAM role (``authorizerCredentials``) and Lambda permissions
are not checked; policy conditions and ``NotAction``/``NotResource`` are not evaluated; the
authorizer runs in the notebook's process (no separate timeout); HTTP API Lambda authorizers are
not emulated.
"""

from __future__ import annotations

import fnmatch
import re
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from course_lib.wiring.http import HttpRequest, HttpResponse, json_response

_installed = False
_lock = threading.Lock()
_cache: dict[tuple[str, str, str], tuple[float, dict[str, Any]]] = {}  # (api, authorizer, identity) -> (expiry, answer)


@dataclass(frozen=True)
class Decision:
    """What happened to one request at the authorizer."""

    method_arn: str
    outcome: str  # "allowed", "denied", "unauthorized", "error"
    reason: str
    cached: bool = False
    principal_id: str | None = None


_decisions: list[Decision] = []


def decisions() -> list[Decision]:
    """Every authorizer decision since the sandbox started (or ``forget()``), oldest first."""
    with _lock:
        return list(_decisions)


def forget() -> None:
    """Empty the authorizer cache and the decision log."""
    with _lock:
        _cache.clear()
        _decisions.clear()


def _record(decision: Decision) -> Decision:
    with _lock:
        _decisions.append(decision)
    return decision


# -- the method ARN and the policy ---------------------------------------------------------------
def method_arn(region: str, account: str, api_id: str, stage: str, verb: str, path: str) -> str:
    return f"arn:aws:execute-api:{region}:{account}:{api_id}/{stage}/{verb}{path if path.startswith('/') else '/' + path}"


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def evaluate(policy: dict[str, Any], arn: str) -> str:
    """"allow", "deny" (explicit) or "none": an IAM policy's verdict on ``execute-api:Invoke`` of ``arn``."""
    verdict = "none"
    for statement in _as_list(policy.get("Statement", [])):
        if not isinstance(statement, dict):
            continue
        actions = [str(a).lower() for a in _as_list(statement.get("Action", []))]
        if not any(fnmatch.fnmatchcase("execute-api:invoke", a) for a in actions):
            continue
        if not any(fnmatch.fnmatchcase(arn, str(r)) for r in _as_list(statement.get("Resource", []))):
            continue
        effect = str(statement.get("Effect", "")).lower()
        if effect == "deny":
            return "deny"
        if effect == "allow":
            verdict = "allow"
    return verdict


# -- identity sources ------------------------------------------------------------------------------
def _source_value(source: str, request: HttpRequest, stage_variables: dict[str, str], context: dict[str, Any]) -> str | None:
    source = source.strip()
    if source.startswith("method.request.header."):
        return request.header(source.rsplit(".", 1)[-1])
    if source.startswith("method.request.querystring."):
        name = source.rsplit(".", 1)[-1]
        return next((v for k, v in parse_qsl(request.query, keep_blank_values=True) if k == name), None)
    if source.startswith("stageVariables."):
        return stage_variables.get(source.split(".", 1)[1])
    if source.startswith("context."):
        return str(context.get(source.split(".", 1)[1], "")) or None
    return None


# -- the wrapper -------------------------------------------------------------------------------
def _gateway_error(status: int, body: dict[str, Any], error_type: str) -> HttpResponse:
    return json_response(status, body, [("x-amzn-ErrorType", error_type)])


def _invoke_authorizer(authorizer: Any, event: dict[str, Any]) -> tuple[Any, bool]:
    from course_lib.wiring import apigateway

    match = re.search(r"functions/(arn:[^/]+)/invocations", authorizer.authorizer_uri or "")
    if match is None:
        raise ValueError("the authorizer's authorizerUri names no Lambda function")
    return apigateway._run(match.group(1), event)


def _authorize(api: Any, account: str, region: str, request: HttpRequest, method: Any, resource: Any,
               path_params: dict[str, str], stage_name: str) -> HttpResponse | dict[str, Any]:
    """An error response, or the authorizer context to hand to the integration."""
    from course_lib import clock, events

    authorizer = api.authorizers.get(method.authorizer_id or "")
    stage = api.stages[stage_name]
    path = "/" + request.path.lstrip("/").partition("/")[2]
    arn = method_arn(region, account, api.id, stage_name, request.method, path)
    if authorizer is None or (authorizer.type or "").upper() not in ("TOKEN", "REQUEST"):
        _record(Decision(arn, "error", "the method names no TOKEN or REQUEST authorizer"))
        return _gateway_error(500, {"message": None}, "AuthorizerConfigurationException")
    kind = authorizer.type.upper()
    ttl = int(authorizer.authorizer_result_ttl if authorizer.authorizer_result_ttl is not None else 300)
    sources = [s for s in (authorizer.identity_source or "method.request.header.Authorization").split(",") if s.strip()]
    context = {"httpMethod": request.method, "resourcePath": resource.get_path(), "stage": stage_name}
    values = [_source_value(s, request, stage.variables or {}, context) for s in sources]
    if kind == "TOKEN":
        token = values[0]
        if not token:
            _record(Decision(arn, "unauthorized", f"no token in {sources[0].strip()}"))
            return _gateway_error(401, {"message": "Unauthorized"}, "UnauthorizedException")
        pattern = authorizer.identity_validation_expression
        if pattern and not re.fullmatch(pattern, token):
            _record(Decision(arn, "unauthorized", "the token does not match identityValidationExpression"))
            return _gateway_error(401, {"message": "Unauthorized"}, "UnauthorizedException")
        event: dict[str, Any] = {"type": "TOKEN", "authorizationToken": token, "methodArn": arn}
    else:
        if ttl > 0 and not all(values):
            missing = [s.strip() for s, v in zip(sources, values) if not v]
            _record(Decision(arn, "unauthorized", f"identity source missing: {', '.join(missing)}"))
            return _gateway_error(401, {"message": "Unauthorized"}, "UnauthorizedException")
        proxy = events.api_gateway_rest(
            request.method, path, resource=resource.get_path(), path_parameters=path_params or None,
            query=parse_qsl(request.query, keep_blank_values=True),
            headers=list(request.headers), body=None, stage=stage_name, stage_variables=stage.variables or None,
            api_id=api.id, account_id=account, region=region, source_ip=request.source_ip, domain_name=request.host,
            time=clock.time())
        event = {"type": "REQUEST", "methodArn": arn,
                 **{k: proxy.get(k) for k in ("resource", "path", "httpMethod", "headers", "multiValueHeaders",
                                             "queryStringParameters", "multiValueQueryStringParameters",
                                             "pathParameters", "stageVariables", "requestContext")}}
    identity = "\n".join(v or "" for v in values)
    key = (api.id, authorizer.id, identity)
    cached = False
    with _lock:
        hit = _cache.get(key)
        if hit and hit[0] > clock.time():
            answer, cached = hit[1], True
        else:
            answer = None
    if answer is None:
        try:
            answer, errored = _invoke_authorizer(authorizer, event)
        except Exception as exc:  # noqa: BLE001 - a missing function is a configuration error
            _record(Decision(arn, "error", f"the authorizer could not run ({type(exc).__name__}: {exc})"))
            return _gateway_error(500, {"message": None}, "AuthorizerConfigurationException")
        if errored:
            message = answer.get("errorMessage") if isinstance(answer, dict) else None
            if message == "Unauthorized":
                _record(Decision(arn, "unauthorized", 'the authorizer raised Exception("Unauthorized")'))
                return _gateway_error(401, {"message": "Unauthorized"}, "UnauthorizedException")
            _record(Decision(arn, "error", f"the authorizer failed: {message}"))
            return _gateway_error(500, {"message": None}, "AuthorizerConfigurationException")
        if not isinstance(answer, dict) or not isinstance(answer.get("policyDocument"), dict) or "principalId" not in answer:
            _record(Decision(arn, "error", "the authorizer's answer has no principalId and policyDocument"))
            return _gateway_error(500, {"message": None}, "AuthorizerConfigurationException")
        if ttl > 0:
            with _lock:
                _cache[key] = (clock.time() + ttl, answer)
    principal = str(answer["principalId"])
    verdict = evaluate(answer["policyDocument"], arn)
    if verdict == "deny":
        _record(Decision(arn, "denied", "the policy denies this method explicitly", cached, principal))
        return _gateway_error(403, {"Message": "User is not authorized to access this resource with an explicit deny"},
                              "AccessDeniedException")
    if verdict == "none":
        _record(Decision(arn, "denied", "no statement of the policy allows this method", cached, principal))
        return _gateway_error(403, {"Message": "User is not authorized to access this resource"}, "AccessDeniedException")
    _record(Decision(arn, "allowed", "the policy allows this method", cached, principal))
    extra = answer.get("context") or {}
    scalars = {k: v for k, v in extra.items() if isinstance(v, (str, int, float, bool))} if isinstance(extra, dict) else {}
    if isinstance(extra, dict) and len(scalars) != len(extra):
        _record(Decision(arn, "error", "context values must be strings, numbers or booleans", cached, principal))
        return _gateway_error(500, {"message": None}, "AuthorizerConfigurationException")
    return {"principalId": principal, **scalars, "integrationLatency": 0}


def _step(call: Any) -> HttpResponse | None:
    """The pipeline step: only methods with ``authorizationType: CUSTOM`` are checked."""
    if (call.method.authorization_type or "NONE").upper() != "CUSTOM":
        return None
    outcome = _authorize(call.api, call.account, call.region, call.request, call.method, call.resource,
                         call.path_params, call.stage_name)
    if isinstance(outcome, HttpResponse):
        call.notes.append(_decisions[-1].reason if _decisions else "authorizer refused")
        return outcome
    call.authorizer = outcome
    return None


def _forget() -> None:
    """Cached answers and recorded decisions belong to the old account."""
    _cache.clear()
    _decisions.clear()


def install() -> None:
    """Run Lambda authorizers in front of REST API methods (idempotent)."""
    global _installed
    from course_lib import wiring
    from course_lib.wiring import rest_pipeline

    wiring.keep_after_reset("lambda_authorizer", _forget)
    rest_pipeline.add_step(10, "authorizer", _step)
    _installed = True
