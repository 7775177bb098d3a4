"""API Gateway in front of Lambda: REST APIs (``AWS_PROXY``) and HTTP APIs (payload 2.0), served.

    # the chapter builds the API with plain boto3 (create_rest_api, create_resource,
    # put_method, put_integration type AWS_PROXY, create_deployment) and then:
    url = apigateway.invoke_url(api_id, "prod")     # https://<id>.execute-api.us-east-1.amazonaws.com/prod
    requests.get(f"{url}/items/42").json()          # works inside the kernel
    apigateway.local_url(api_id, "prod")            # http://127.0.0.1:PORT/<id>/prod for curl/browser

What it emulates. moto stores APIs but cannot invoke them (``AWS_PROXY`` raises
NotImplementedError, ``/{id}`` paths 404, HTTP APIs answer "Not yet implemented"). Here:

**REST APIs** (``apigateway``). The first path segment is the stage (unknown: 403
``{"message":"Forbidden"}``). Resources match as AWS matches them: literal path parts before
``{param}`` before greedy ``{proxy+}``; a method falls back to ``ANY``; no match is 403
``Missing Authentication Token``. ``AWS_PROXY`` builds the payload 1.0 event (``resource``,
``path``, ``httpMethod``, ``headers``/``multiValueHeaders``, ``queryStringParameters``/
``multiValueQueryStringParameters``, ``pathParameters``, ``stageVariables``, ``requestContext``
with ``requestId``, ``stage``, ``identity.sourceIp``...; ``body`` as text, or base64 with
``isBase64Encoded`` when the request's Content-Type is one of the API's
``binaryMediaTypes``), invokes the function synchronously and maps ``statusCode``,
``headers``, ``multiValueHeaders``, ``body`` and ``isBase64Encoded`` back. A function error
or a malformed response is 502 ``{"message": "Internal server error"}``, as on AWS.
``${stageVariables.x}`` in the integration URI is resolved. ``MOCK`` integrations return the
status of their request template and the integration response's template text.

**HTTP APIs** (``apigatewayv2``). Routes ``GET /items/{id}``, ``ANY /{proxy+}`` and
``$default`` match most-specific first; the ``$default`` stage serves at the root, named
stages under their name; no route is 404 ``{"message":"Not Found"}``. Payload 2.0 events
(``routeKey``, ``rawPath``, ``rawQueryString``, ``cookies``, comma-joined ``headers`` and
``queryStringParameters``, ``pathParameters``, ``requestContext.http``...) or 1.0 events when
the integration says ``PayloadFormatVersion: 1.0``. Responses follow AWS's 2.0 rules: a dict
with ``statusCode`` is used as given (``cookies`` become ``Set-Cookie``), anything else is
200 ``application/json`` with the value as the body; errors are 500. CORS configuration
answers preflight ``OPTIONS`` and adds ``Access-Control-Allow-*`` headers. Quick create
(``create_api(..., Target=function_arn)``) makes the route, integration and ``$default``
stage, as AWS does.

Encoding, as measured on AWS by others: REST APIs pass ``path`` and ``pathParameters``
percent-encoded as sent, HTTP APIs decode ``rawPath`` and ``pathParameters``; both decode
query parameters, and ``rawQueryString`` stays as sent.

Differs from AWS: a stage serves the API as it is now (AWS serves the deployment's snapshot,
so on AWS you must redeploy to see changes); authorizers, API keys, usage plans, request
validation, VTL mapping templates and non-proxy ``AWS``/``HTTP`` integrations are not
emulated (``AWS``/``HTTP`` answer 500 naming the gap); Lambda permissions
(``add_permission``) are not checked; no 29-second integration timeout.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import uuid
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl, unquote

from course_lib import clock, events
from course_lib.wiring.http import HttpRequest, HttpResponse, base_url, json_response

_installed = False
_TEXT_TYPES = re.compile(
    r"^(text/.*|application/(json|.*\+json|xml|.*\+xml|javascript|x-www-form-urlencoded|graphql|yaml|x-yaml))$", re.I
)
_FUNCTION_IN_URI = re.compile(r"functions/(?P<arn>arn:[^/]+)/invocations")


# -- finding APIs -------------------------------------------------------------------------------


def _rest_backends() -> Iterable[tuple[str, str, Any]]:
    from moto.apigateway.models import apigateway_backends

    for account, regions in list(apigateway_backends.items()):
        for region, backend in list(regions.items()):
            yield account, region, backend


def _http_backends() -> Iterable[tuple[str, str, Any]]:
    from moto.apigatewayv2.models import apigatewayv2_backends

    for account, regions in list(apigatewayv2_backends.items()):
        for region, backend in list(regions.items()):
            yield account, region, backend


def _find(api_id: str, region: str | None = None) -> tuple[str, Any, str, str] | None:
    """("rest"|"http", api, account, region) for an API id."""
    for account, api_region, backend in _rest_backends():
        if region in (None, api_region) and api_id in backend.apis:
            return "rest", backend.apis[api_id], account, api_region
    for account, api_region, backend in _http_backends():
        if region in (None, api_region) and api_id in backend.apis:
            return "http", backend.apis[api_id], account, api_region
    return None


def region_of(api_id: str) -> str | None:
    found = _find(api_id)
    return found[3] if found else None


def invoke_url(api_id: str, stage: str | None = None) -> str:
    """The URL AWS would give the API's stage (use it with ``requests`` in the kernel).

    ``stage`` defaults to the API's only stage (REST) or ``$default`` (HTTP API).
    """
    kind, api, _, region = _require(api_id)
    stage = _default_stage(kind, api, stage)
    root = f"https://{api_id}.execute-api.{region}.amazonaws.com"
    return root if stage == "$default" else f"{root}/{stage}"


def local_url(api_id: str, stage: str | None = None) -> str:
    """The same stage through the local front door: for curl, urllib, a browser, a subprocess."""
    kind, api, _, _ = _require(api_id)
    stage = _default_stage(kind, api, stage)
    root = f"{base_url()}/{api_id}"
    return root if stage == "$default" else f"{root}/{stage}"


def local_urls() -> list[str]:
    """Every served stage's front-door URL (without starting the front door)."""
    from course_lib.wiring.http import FRONT_DOOR

    port = FRONT_DOOR.port
    root = f"http://127.0.0.1:{port}" if port else "http://127.0.0.1:<port>"
    urls = []
    for _, _, backend in _rest_backends():
        for api in backend.apis.values():
            urls += [f"{root}/{api.id}/{stage}" for stage in api.stages]
    for _, _, backend in _http_backends():
        for api in backend.apis.values():
            urls += [f"{root}/{api.api_id}" if s == "$default" else f"{root}/{api.api_id}/{s}" for s in api.stages]
    return urls


def _require(api_id: str) -> tuple[str, Any, str, str]:
    found = _find(api_id)
    if found is None:
        raise KeyError(f"No REST or HTTP API with id {api_id!r} in the sandbox.")
    return found


def _default_stage(kind: str, api: Any, stage: str | None) -> str:
    if stage:
        return stage
    if kind == "http":
        return "$default" if "$default" in api.stages or not api.stages else next(iter(api.stages))
    if len(api.stages) == 1:
        return next(iter(api.stages))
    raise ValueError(f"API {api.id} has stages {sorted(api.stages)}: say which one.")


# -- shared pieces ------------------------------------------------------------------------------


def _query_pairs(raw: str) -> list[tuple[str, str]]:
    return parse_qsl(raw, keep_blank_values=True)


def _gateway_headers(request: HttpRequest, trace: str) -> list[tuple[str, str]]:
    """The request's headers plus what API Gateway adds in front of the function."""
    headers = list(request.headers)
    names = {n.lower() for n, _ in headers}
    added = {
        "X-Forwarded-For": request.source_ip,
        "X-Forwarded-Port": str(request.port),
        "X-Forwarded-Proto": request.scheme,
        "X-Amzn-Trace-Id": trace,
    }
    headers += [(k, v) for k, v in added.items() if k.lower() not in names]
    return headers


def _is_binary(content_type: str | None, binary_media_types: list[str]) -> bool:
    if not content_type:
        return False
    kind = content_type.split(";")[0].strip().lower()
    for pattern in binary_media_types or []:
        pattern = pattern.replace("~1", "/").lower()
        if pattern == "*/*" or pattern == kind or (pattern.endswith("/*") and kind.startswith(pattern[:-1])):
            return True
    return False


def _lookup_function(function_arn: str) -> Any:
    from course_lib.wiring import targets

    return targets.lambda_function(function_arn)


def _run(function_arn: str, event: dict[str, Any]) -> tuple[Any, bool]:
    """Invoke synchronously; (decoded payload, errored)."""
    from course_lib.runtime import hook

    fn = _lookup_function(function_arn)
    invocation = hook.run(fn, event)
    try:
        payload = json.loads(invocation.payload) if invocation.payload else None
    except ValueError:
        payload = invocation.payload
    return payload, invocation.errored


def _function_arn(uri: str, stage_variables: dict[str, str]) -> str:
    for name, value in (stage_variables or {}).items():
        uri = uri.replace("${stageVariables." + name + "}", value)
    match = _FUNCTION_IN_URI.search(uri)
    return match["arn"] if match else uri


def _response_headers(headers: dict[str, Any] | None, multi: dict[str, Any] | None) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    multi = multi or {}
    for name, value in (headers or {}).items():
        if name not in multi:
            pairs.append((str(name), str(value)))
    for name, values in multi.items():
        pairs += [(str(name), str(v)) for v in (values if isinstance(values, list) else [values])]
    return pairs


def _body_bytes(body: Any, is_base64: bool) -> bytes:
    if body is None:
        return b""
    if is_base64:
        return base64.b64decode(body)
    return str(body).encode("utf-8")


def _has(headers: list[tuple[str, str]], name: str) -> bool:
    return any(n.lower() == name.lower() for n, _ in headers)


# -- REST APIs ----------------------------------------------------------------------------------


def _match_rest(api: Any, path: str) -> tuple[Any, dict[str, str]] | None:
    segments = [s for s in path.split("/") if s]
    children: dict[str | None, list[Any]] = {}
    for resource in list(api.resources.values()):
        children.setdefault(resource.parent_id, []).append(resource)
    root = api.resources.get(api.root_resource_id)

    def walk(resource: Any, index: int, params: dict[str, str]) -> tuple[Any, dict[str, str]] | None:
        if index == len(segments):
            return resource, params
        kids = children.get(resource.id, [])
        for child in kids:
            if child.path_part == segments[index]:
                found = walk(child, index + 1, params)
                if found:
                    return found
        for child in kids:
            part = child.path_part
            if part.startswith("{") and part.endswith("}") and not part.endswith("+}"):
                found = walk(child, index + 1, {**params, part[1:-1]: segments[index]})
                if found:
                    return found
        for child in kids:
            if child.path_part.endswith("+}"):
                return child, {**params, child.path_part[1:-2]: "/".join(segments[index:])}
        return None

    return walk(root, 0, {}) if root is not None else None


def _rest_error(status: int, message: str, request_id: str) -> HttpResponse:
    extra = [("x-amzn-RequestId", request_id), ("x-amzn-ErrorType", "MissingAuthenticationTokenException"
                                                   if message == "Missing Authentication Token" else "ForbiddenException")]
    return json_response(status, {"message": message}, extra if status == 403 else [("x-amzn-RequestId", request_id)])


def _handle_rest(api: Any, account: str, region: str, request: HttpRequest) -> HttpResponse:
    request_id = str(uuid.uuid4())
    stage_name, _, rest = request.path.lstrip("/").partition("/")
    stage = api.stages.get(stage_name)
    if stage is None:
        return _rest_error(403, "Forbidden", request_id)
    path = "/" + rest
    matched = _match_rest(api, path)
    if matched is None:
        return _rest_error(403, "Missing Authentication Token", request_id)
    resource, path_params = matched
    method = resource.resource_methods.get(request.method) or resource.resource_methods.get("ANY")
    if method is None:
        return _rest_error(403, "Missing Authentication Token", request_id)
    integration = method.method_integration
    if integration is None:
        return json_response(500, {"message": "Internal server error"}, [("x-amzn-RequestId", request_id)])
    kind = (integration.integration_type or "").upper()
    if kind == "MOCK":
        return _mock_response(integration, request_id)
    if kind != "AWS_PROXY":
        return json_response(
            500,
            {"message": f"Internal server error: integration type {kind} is not emulated by the course (use AWS_PROXY)."},
            [("x-amzn-RequestId", request_id)],
        )
    trace = events.trace_id(clock.time())
    headers = _gateway_headers(request, trace)
    content_type = request.header("content-type")
    binary = _is_binary(content_type, api.binaryMediaTypes)
    body: Any = None
    if request.body:
        body = request.body if binary else request.body.decode("utf-8", "replace")
    event = events.api_gateway_rest(
        request.method,
        path,
        resource=resource.get_path(),
        path_parameters=path_params or None,
        query=_query_pairs(request.query),
        headers=headers,
        body=body,
        is_base64=binary if body is not None else False,
        stage=stage_name,
        stage_variables=stage.variables or None,
        api_id=api.id,
        resource_id=resource.id,
        account_id=account,
        region=region,
        source_ip=request.source_ip,
        domain_name=request.host,
        request_id=request_id,
        time=clock.time(),
    )
    function_arn = _function_arn(integration.uri or "", stage.variables or {})
    try:
        payload, errored = _run(function_arn, event)
    except Exception:  # noqa: BLE001 - e.g. the function does not exist: AWS says 500
        return json_response(500, {"message": "Internal server error"}, [("x-amzn-RequestId", request_id)])
    return _map_v1(payload, errored, request_id, trace, error_status=502)


def _map_v1(payload: Any, errored: bool, request_id: str, trace: str, error_status: int) -> HttpResponse:
    """A payload 1.0 proxy response back to HTTP (REST: errors 502; HTTP API 1.0: 500)."""
    base = [("x-amzn-RequestId", request_id), ("X-Amzn-Trace-Id", trace),
            ("x-amz-apigw-id", secrets.token_urlsafe(12)[:16] + "=")]
    message = "Internal server error" if error_status == 502 else "Internal Server Error"
    if errored or not isinstance(payload, dict) or "statusCode" not in payload:
        return json_response(error_status, {"message": message}, base)
    body = payload.get("body")
    if body is not None and not isinstance(body, str):
        return json_response(error_status, {"message": message}, base)  # AWS: malformed proxy response
    try:
        status = int(payload["statusCode"])
    except (TypeError, ValueError):
        return json_response(error_status, {"message": message}, base)
    headers = _response_headers(payload.get("headers"), payload.get("multiValueHeaders"))
    if not _has(headers, "content-type"):
        headers.append(("Content-Type", "application/json"))
    return HttpResponse(status, headers + base, _body_bytes(body, bool(payload.get("isBase64Encoded"))))


def _mock_response(integration: Any, request_id: str) -> HttpResponse:
    template = (integration.request_templates or {}).get("application/json") or '{"statusCode": 200}'
    try:
        status = int(json.loads(template).get("statusCode", 200))
    except (ValueError, AttributeError):
        status = 200
    response = (integration.integration_responses or {}).get(str(status))
    body = ""
    headers: list[tuple[str, str]] = [("Content-Type", "application/json"), ("x-amzn-RequestId", request_id)]
    if response is not None:
        body = (response.response_templates or {}).get("application/json") or ""
        for name, value in (response.response_parameters or {}).items():
            if name.startswith("method.response.header."):
                headers.append((name.rsplit(".", 1)[-1], value.strip("'")))
    return HttpResponse(status, headers, body.encode("utf-8"))


# -- HTTP APIs ----------------------------------------------------------------------------------


def _route_score(route_key: str, method: str, segments: list[str]) -> tuple[Any, dict[str, str]] | None:
    """How specifically a route key matches (lower is better), with its path parameters."""
    if route_key == "$default":
        return None
    route_method, _, route_path = route_key.partition(" ")
    if route_method not in ("ANY", method):
        return None
    parts = [p for p in route_path.split("/") if p]
    params: dict[str, str] = {}
    score: list[int] = []
    for i, part in enumerate(parts):
        if part.startswith("{") and part.endswith("+}"):
            if i >= len(segments):
                return None
            params[part[1:-2]] = "/".join(segments[i:])
            score.append(2)
            return (tuple(score), -len(parts), route_method == "ANY"), params
        if i >= len(segments):
            return None
        if part.startswith("{") and part.endswith("}"):
            params[part[1:-1]] = segments[i]
            score.append(1)
        elif part == segments[i]:
            score.append(0)
        else:
            return None
    if len(parts) != len(segments):
        return None
    return (tuple(score), -len(parts), route_method == "ANY"), params


def _match_http(api: Any, method: str, path: str) -> tuple[Any, dict[str, str]] | None:
    segments = [s for s in path.split("/") if s]
    best: tuple[Any, Any, dict[str, str]] | None = None
    default = None
    for route in list(api.routes.values()):
        if route.route_key == "$default":
            default = route
            continue
        scored = _route_score(route.route_key, method, segments)
        if scored and (best is None or scored[0] < best[0]):
            best = (scored[0], route, scored[1])
    if best is not None:
        return best[1], best[2]
    return (default, {}) if default is not None else None


def _cors_headers(api: Any, request: HttpRequest) -> list[tuple[str, str]]:
    cors = api.cors_configuration or {}
    origin = request.header("origin")
    if not cors or not origin:
        return []
    allowed = cors.get("allowOrigins") or []
    if "*" not in allowed and origin not in allowed:
        return []
    headers = [("Access-Control-Allow-Origin", "*" if "*" in allowed else origin)]
    if cors.get("allowCredentials"):
        headers.append(("Access-Control-Allow-Credentials", "true"))
    if cors.get("exposeHeaders"):
        headers.append(("Access-Control-Expose-Headers", ",".join(cors["exposeHeaders"])))
    return headers


def _preflight(api: Any, request: HttpRequest, request_id: str) -> HttpResponse | None:
    cors = api.cors_configuration or {}
    if request.method != "OPTIONS" or not cors or not request.header("access-control-request-method"):
        return None
    headers = _cors_headers(api, request)
    if headers:
        headers += [
            ("Access-Control-Allow-Methods", ",".join(cors.get("allowMethods") or ["*"])),
            ("Access-Control-Allow-Headers", ",".join(cors.get("allowHeaders") or ["*"])),
        ]
        if cors.get("maxAge") is not None:
            headers.append(("Access-Control-Max-Age", str(cors["maxAge"])))
    return HttpResponse(204, headers + [("apigw-requestid", request_id)], b"")


def _v2_body(request: HttpRequest) -> tuple[Any, bool]:
    if not request.body:
        return None, False
    content_type = (request.header("content-type") or "").split(";")[0].strip()
    if content_type and _TEXT_TYPES.match(content_type):
        return request.body.decode("utf-8", "replace"), False
    return request.body, True  # HTTP APIs base64-encode anything not known to be text


def _handle_http(api: Any, account: str, region: str, request: HttpRequest) -> HttpResponse:
    request_id = base64.b64encode(secrets.token_bytes(6)).decode("ascii").rstrip("=") + "="
    first, _, rest = request.path.lstrip("/").partition("/")
    if first and first in api.stages and first != "$default":
        stage_name, path = first, "/" + rest
    elif "$default" in api.stages:
        stage_name, path = "$default", request.path or "/"
    else:
        return json_response(404, {"message": "Not Found"}, [("apigw-requestid", request_id)])
    stage = api.stages[stage_name]
    preflight = _preflight(api, request, request_id)
    if preflight is not None:
        return preflight
    decoded_path = unquote(path)
    matched = _match_http(api, request.method, decoded_path)
    if matched is None:
        return json_response(404, {"message": "Not Found"}, [("apigw-requestid", request_id)])
    route, path_params = matched
    integration_id = (route.target or "").split("/")[-1]
    integration = api.integrations.get(integration_id)
    if integration is None or (integration.integration_type or "").upper() != "AWS_PROXY":
        return json_response(500, {"message": "Internal Server Error"}, [("apigw-requestid", request_id)])
    stage_variables = dict(getattr(stage, "stage_variables", {}) or {})
    body, is_base64 = _v2_body(request)
    trace = events.trace_id(clock.time())
    headers = _gateway_headers(request, trace)
    if (integration.payload_format_version or "2.0") == "1.0":
        event = events.api_gateway_rest(
            request.method,
            decoded_path,
            resource=route.route_key.partition(" ")[2] or "$default",
            path_parameters=path_params or None,
            query=_query_pairs(request.query),
            headers=headers,
            body=body,
            is_base64=is_base64,
            stage=stage_name,
            stage_variables=stage_variables or None,
            api_id=api.api_id,
            resource_id=route.route_id,
            account_id=account,
            region=region,
            source_ip=request.source_ip,
            domain_name=request.host,
            request_id=request_id,
            time=clock.time(),
        )
        event["requestContext"]["routeKey"] = route.route_key
    else:
        event = events.api_gateway_http(
            request.method,
            decoded_path,
            route_key=route.route_key,
            path_parameters=path_params or None,
            query=_query_pairs(request.query),
            raw_query=request.query,
            headers=headers,
            body=body,
            is_base64=is_base64,
            stage=stage_name,
            stage_variables=stage_variables or None,
            api_id=api.api_id,
            account_id=account,
            region=region,
            source_ip=request.source_ip,
            request_id=request_id,
            time=clock.time(),
        )
        event["requestContext"]["domainName"] = request.host
    function_arn = _function_arn(integration.integration_uri or "", stage_variables)
    cors = _cors_headers(api, request)
    extra = [("apigw-requestid", request_id)] + cors
    try:
        payload, errored = _run(function_arn, event)
    except Exception:  # noqa: BLE001
        return json_response(500, {"message": "Internal Server Error"}, extra)
    if (integration.payload_format_version or "2.0") == "1.0":
        response = _map_v1(payload, errored, request_id, trace, error_status=500)
        response.headers = [h for h in response.headers if h[0] != "x-amzn-RequestId"] + extra
        return response
    return map_v2(payload, errored, extra)


def map_v2(payload: Any, errored: bool, extra_headers: list[tuple[str, str]]) -> HttpResponse:
    """A payload 2.0 response back to HTTP (HTTP APIs and Function URLs share these rules)."""
    if errored:
        return json_response(500, {"message": "Internal Server Error"}, extra_headers)
    if isinstance(payload, dict) and "statusCode" in payload:
        try:
            status = int(payload["statusCode"])
        except (TypeError, ValueError):
            return json_response(500, {"message": "Internal Server Error"}, extra_headers)
        headers = _response_headers(payload.get("headers"), payload.get("multiValueHeaders"))
        headers += [("Set-Cookie", str(c)) for c in payload.get("cookies") or []]
        body = payload.get("body")
        if body is not None and not isinstance(body, str):
            body = json.dumps(body)
        if not _has(headers, "content-type"):
            headers.append(("Content-Type", "application/json"))
        return HttpResponse(status, headers + extra_headers, _body_bytes(body, bool(payload.get("isBase64Encoded"))))
    # Inferred format: any other JSON value is the body of a 200.
    text = payload if isinstance(payload, str) else json.dumps(payload)
    return HttpResponse(200, [("Content-Type", "application/json")] + extra_headers, text.encode("utf-8"))


# -- entry point and patches --------------------------------------------------------------------


def handle(api_id: str, region: str, request: HttpRequest) -> HttpResponse:
    found = _find(api_id, region)
    if found is None:
        return json_response(403, {"message": "Forbidden"})
    kind, api, account, api_region = found
    if kind == "rest":
        return _handle_rest(api, account, api_region, request)
    if getattr(api, "protocol_type", "HTTP") != "HTTP":
        return json_response(426, {"message": "WebSocket APIs are not emulated by the course."})
    return _handle_http(api, account, api_region, request)


def install() -> None:
    """Patch moto's API Gateway modules when they are first imported (they are slow to import)."""
    global _installed
    if _installed:
        return
    from course_lib.wiring import _lazy

    _lazy.when_imported("moto.apigateway.models", _patch_rest_models)
    _lazy.when_imported("moto.apigateway.responses", _patch_rest_responses)
    _lazy.when_imported("moto.apigatewayv2.responses", _patch_http_responses)
    _installed = True


def _patch_http_responses(module: Any) -> None:
    response_class = module.ApiGatewayV2Response
    original_create_api = response_class.create_api

    def create_api(self: Any) -> Any:
        status, headers, body = original_create_api(self)
        params = json.loads(self.body or "{}")
        if params.get("target") and params.get("protocolType", "HTTP") == "HTTP":
            _quick_create(self.apigatewayv2_backend, json.loads(body)["apiId"], params)
        return status, headers, body

    response_class.create_api = create_api


def _patch_rest_models(module: Any) -> None:
    rest_api = module.RestAPI
    # moto registers an exact-URL callback per deployed method that cannot run AWS_PROXY;
    # our host-wide callback serves every API instead.
    rest_api.update_integration_mocks = lambda self, stage_name: None

    # moto misreads AWS's patch form for binary media types
    # ({"op": "add", "path": "/binaryMediaTypes/image~1png"}); binary bodies depend on it.
    original_patch = rest_api.apply_patch_operations

    def apply_patch_operations(self: Any, patch_operations: list[dict[str, Any]]) -> None:
        remaining = []
        for op in patch_operations:
            path = op.get("path", "")
            if path.startswith("/binaryMediaTypes/") and not op.get("value"):
                media_type = path.split("/", 2)[2].replace("~1", "/")
                if op.get("op") == "add" and media_type not in self.binaryMediaTypes:
                    self.binaryMediaTypes.append(media_type)
                elif op.get("op") == "remove" and media_type in self.binaryMediaTypes:
                    self.binaryMediaTypes.remove(media_type)
                continue
            remaining.append(op)
        original_patch(self, remaining)

    rest_api.apply_patch_operations = apply_patch_operations


def _patch_rest_responses(module: Any) -> None:
    # moto drops binaryMediaTypes given to create_rest_api.
    response_class = module.APIGatewayResponse
    original_create = response_class.create_rest_api

    def create_rest_api(self: Any) -> Any:
        status, headers, body = original_create(self)
        media_types = self._get_param("binaryMediaTypes") or []
        if status == 200 and media_types:
            api = json.loads(body)
            self.backend.apis[api["id"]].binaryMediaTypes = list(media_types)
            api["binaryMediaTypes"] = list(media_types)
            body = json.dumps(api)
        return status, headers, body

    response_class.create_rest_api = create_rest_api


def _quick_create(backend: Any, api_id: str, params: dict[str, Any]) -> None:
    """What AWS's quick create does: an integration, a route and an auto-deployed $default stage."""
    api = backend.get_api(api_id)
    integration = api.create_integration(
        connection_type="INTERNET",
        description="",
        integration_method="POST",
        integration_type="AWS_PROXY",
        integration_uri=params["target"],
        payload_format_version="2.0",
    )
    api.create_route(
        api_key_required=False,
        authorization_scopes=[],
        route_key=params.get("routeKey") or "$default",
        target=f"integrations/{integration.id}",
    )
    if "$default" not in api.stages:
        api.create_stage({"stageName": "$default", "autoDeploy": True})
