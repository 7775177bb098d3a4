"""Cognito user pool authorizers on REST APIs, enforced by the local front door.

    from course_lib.wiring import cognito_authorizer
    cognito_authorizer.install()      # idempotent; the chapter-10 setup does it
    # then build the API with plain boto3:
    #   create_authorizer(type="COGNITO_USER_POOLS", providerARNs=[pool_arn],
    #                     identitySource="method.request.header.Authorization")
    #   put_method(..., authorizationType="COGNITO_USER_POOLS", authorizerId=...,
    #              authorizationScopes=[...])          # optional

What it emulates. :mod:`course_lib.wiring.apigateway` serves REST APIs but ignores authorizers.
This module adds a step to :mod:`course_lib.wiring.rest_pipeline`: when the matched method says
``authorizationType: COGNITO_USER_POOLS``, the request must carry a token in the authorizer's
identity source (a header, ``Authorization`` by default, the raw token or ``Bearer <token>``).
The token is verified as API Gateway verifies it (signature against the pool's JWKS, issuer is
one of the authorizer's ``providerARNs``, not expired, see :mod:`course_lib.cognito_tokens`):

* method **without** ``authorizationScopes``: an **ID token** is required;
* method **with** scopes: an **access token** whose ``scope`` claim holds at least one of them.

A missing token, a bad one, or a missing scope is ``401 {"message": "Unauthorized"}`` and the
function is never invoked. When the token passes, the handler's event carries the token's claims
in ``requestContext.authorizer.claims`` (every value a string, as on AWS).

Differs from AWS: AWS answers an absent header with 401 but a present, invalid one with 401 or
403 depending on the failure; here every failure is 401, and the body never says why (nor does
AWS's) but :func:`last_rejection` does, for teaching. Lambda (``TOKEN``/``REQUEST``) authorizers,
result caching (``authorizerResultTtlInSeconds``) and HTTP API JWT authorizers are not emulated.
"""

from __future__ import annotations

from typing import Any

from course_lib.wiring.http import HttpRequest, HttpResponse, json_response

_installed = False
_last: dict[str, str | None] = {"reason": None}


def last_rejection() -> str | None:
    """Why the front door last refused a request (AWS never tells the caller; this is for learning)."""
    return _last["reason"]


def _pool_ids(provider_arns: list[str] | None) -> list[str]:
    return [arn.rsplit("/", 1)[-1] for arn in provider_arns or []]


def _token_from(request: HttpRequest, identity_source: str | None) -> str | None:
    header = (identity_source or "method.request.header.Authorization").rsplit(".", 1)[-1]
    value = request.header(header)
    if not value:
        return None
    value = value.strip()
    return value[7:].strip() if value.lower().startswith("bearer ") else value


def authorize(authorizer: Any, scopes: list[str] | None, request: HttpRequest) -> dict[str, Any]:
    """The verified claims, or raise :class:`~course_lib.cognito_tokens.TokenRejected`."""
    from course_lib import cognito_tokens

    token = _token_from(request, getattr(authorizer, "identity_source", None))
    if token is None:
        raise cognito_tokens.TokenRejected("no token in the identity source header")
    pools = _pool_ids(getattr(authorizer, "provider_arns", None))
    if not pools:
        raise cognito_tokens.TokenRejected("the authorizer names no user pool")
    _, unverified = cognito_tokens.peek(token)
    issued_by = str(unverified.get("iss", "")).rsplit("/", 1)[-1]
    if issued_by not in pools:
        raise cognito_tokens.TokenRejected("the token was issued by a user pool this authorizer does not trust")
    claims = cognito_tokens.verify(token, issued_by, token_use="access" if scopes else "id")
    if scopes:
        granted = set(cognito_tokens.scopes(claims))
        if not granted.intersection(scopes):
            raise cognito_tokens.TokenRejected(f"the access token has none of the scopes {', '.join(scopes)}")
    return claims


def _as_strings(claims: dict[str, Any]) -> dict[str, str]:
    out = {}
    for key, value in claims.items():
        out[key] = ",".join(map(str, value)) if isinstance(value, list) else str(value)
    return out


def _skip_slow_iri_grammar() -> None:
    from course_lib.import_speed import skip_iri_grammar

    skip_iri_grammar()  # moto's API Gateway imports jsonschema


def _step(call: Any) -> HttpResponse | None:
    """The pipeline step: refuse with 401, or pass the verified claims on to the integration."""
    from course_lib import cognito_tokens

    method = call.method
    if (method.authorization_type or "NONE").upper() != "COGNITO_USER_POOLS":
        return None
    authorizer = call.api.authorizers.get(method.authorizer_id or "")
    try:
        if authorizer is None:
            raise cognito_tokens.TokenRejected("the method names an authorizer that does not exist")
        claims = authorize(authorizer, list(method.authorization_scopes or []), call.request)
    except cognito_tokens.TokenRejected as rejected:
        _last["reason"] = rejected.reason
        call.notes.append(f"Cognito authorizer: {rejected.reason}")
        return json_response(401, {"message": "Unauthorized"}, [("x-amzn-ErrorType", "UnauthorizedException")])
    _last["reason"] = None
    call.authorizer = {"claims": _as_strings(claims)}
    return None


def install() -> None:
    """Add the Cognito authorizer to the REST request pipeline (idempotent).

    It is a step of :mod:`course_lib.wiring.rest_pipeline` (order 11, beside the Lambda
    authorizer's 10), so it composes with API keys, throttling and mapping templates."""
    global _installed
    if _installed:
        return
    _skip_slow_iri_grammar()
    from course_lib.wiring import rest_pipeline

    rest_pipeline.add_step(11, "cognito-authorizer", _step)
    _installed = True
