"""Lambda Function URLs, served: the URL ``create_function_url_config`` returns answers.

    url = lam.create_function_url_config(FunctionName="hello", AuthType="NONE")["FunctionUrl"]
    requests.get(url + "?name=Ada").text          # inside the kernel, the AWS URL works
    function_urls.local_url("hello")              # http://127.0.0.1:PORT/lambda-url/<id>/ for curl

What it emulates. moto returns a ``https://<id>.lambda-url.<region>.on.aws`` URL but serves
nothing there (a real DNS lookup follows). Here a request to it builds the Function URL event
(payload 2.0: ``accountId`` ``anonymous``, ``routeKey``/``stage`` ``$default``, ``rawPath`` as
sent, ``rawQueryString``, ``cookies``, lower-case comma-joined ``headers``, ``body`` base64 unless
the Content-Type is text), invokes the function synchronously and maps the response with the
same 2.0 rules as HTTP APIs (a dict with ``statusCode`` as given, anything else a 200 JSON
body; an error is 502 ``Internal Server Error``). The URL config's ``Cors`` answers preflight
requests and adds ``Access-Control-Allow-Origin``. ``AuthType=AWS_IAM`` requires a signed
request (an ``Authorization: AWS4-HMAC-SHA256 ...`` header), else 403 ``Forbidden``.

Differs from AWS: the signature itself is not verified, and the caller's identity is not
added to ``requestContext.authorizer``; response streaming (``InvokeMode=RESPONSE_STREAM``)
is buffered.
"""

from __future__ import annotations

import json
import uuid
from typing import Any
from urllib.parse import parse_qsl

from course_lib import clock, events
from course_lib.wiring.http import HttpRequest, HttpResponse, base_url, json_response


def _id_of(fn: Any) -> str:
    return str(fn.url_config.url.split("//", 1)[1].split(".", 1)[0])


def _functions() -> list[Any]:
    from moto.awslambda.models import lambda_backends

    found = []
    for _, regions in list(lambda_backends.items()):
        for _, backend in list(regions.items()):
            found += [fn for fn in backend.list_functions() if getattr(fn, "url_config", None)]
    return found


def _by_url_id(url_id: str) -> Any:
    for fn in _functions():
        if _id_of(fn) == url_id:
            return fn
    return None


def url_id(function_name: str) -> str:
    for fn in _functions():
        if fn.function_name == function_name:
            return _id_of(fn)
    raise KeyError(f"Function {function_name!r} has no Function URL (create_function_url_config first).")


def local_url(function_name: str) -> str:
    """The function's URL through the local front door (curl, urllib, a browser)."""
    return f"{base_url()}/lambda-url/{url_id(function_name)}/"


def local_urls() -> list[str]:
    from course_lib.wiring.http import FRONT_DOOR

    root = f"http://127.0.0.1:{FRONT_DOOR.port}" if FRONT_DOOR.port else "http://127.0.0.1:<port>"
    return [f"{root}/lambda-url/{_id_of(fn)}/" for fn in _functions()]


def _cors(config: dict[str, Any], request: HttpRequest) -> tuple[list[tuple[str, str]], HttpResponse | None]:
    cors = config.get("Cors") or {}
    origin = request.header("origin")
    if not cors or not origin:
        return [], None
    allowed = cors.get("AllowOrigins") or []
    if "*" not in allowed and origin not in allowed:
        return [], None
    headers = [("Access-Control-Allow-Origin", "*" if "*" in allowed else origin)]
    if cors.get("AllowCredentials"):
        headers.append(("Access-Control-Allow-Credentials", "true"))
    if cors.get("ExposeHeaders"):
        headers.append(("Access-Control-Expose-Headers", ",".join(cors["ExposeHeaders"])))
    if request.method == "OPTIONS" and request.header("access-control-request-method"):
        headers += [
            ("Access-Control-Allow-Methods", ",".join(cors.get("AllowMethods") or ["*"])),
            ("Access-Control-Allow-Headers", ",".join(cors.get("AllowHeaders") or ["*"])),
        ]
        if cors.get("MaxAge") is not None:
            headers.append(("Access-Control-Max-Age", str(cors["MaxAge"])))
        return headers, HttpResponse(200, headers, b"")
    return headers, None


def install() -> None:
    """AWS's Function URLs end in ``/`` (``https://<id>.lambda-url.<region>.on.aws/``); moto's do not."""
    from moto.awslambda.models import FunctionUrlConfig

    if getattr(FunctionUrlConfig, "_course_patched", False):
        return
    original_init = FunctionUrlConfig.__init__

    def __init__(self: Any, function: Any, config: dict[str, Any]) -> None:
        original_init(self, function=function, config=config)
        if not self.url.endswith("/"):
            self.url += "/"

    FunctionUrlConfig.__init__ = __init__  # type: ignore[method-assign]
    FunctionUrlConfig._course_patched = True  # type: ignore[attr-defined]


def handle(url_id: str, region: str, request: HttpRequest) -> HttpResponse:
    from course_lib.runtime import hook
    from course_lib.wiring.apigateway import _TEXT_TYPES, map_v2

    fn = _by_url_id(url_id)
    request_id = str(uuid.uuid4())
    base = [("x-amzn-RequestId", request_id)]
    if fn is None:
        return json_response(404, {"Message": None}, base)
    config = fn.url_config.config or {}
    cors_headers, preflight = _cors(config, request)
    if preflight is not None:
        return preflight
    if config.get("AuthType") == "AWS_IAM" and not (request.header("authorization") or "").startswith("AWS4-HMAC-SHA256"):
        return json_response(403, {"Message": "Forbidden"}, base)
    body: Any = None
    is_base64 = False
    if request.body:
        content_type = (request.header("content-type") or "").split(";")[0].strip()
        if content_type and _TEXT_TYPES.match(content_type):
            body = request.body.decode("utf-8", "replace")
        else:
            body, is_base64 = request.body, True
    headers = list(request.headers)
    names = {n.lower() for n, _ in headers}
    for name, value in {
        "x-forwarded-for": request.source_ip,
        "x-forwarded-port": str(request.port),
        "x-forwarded-proto": request.scheme,
        "x-amzn-trace-id": events.trace_id(clock.time()),
    }.items():
        if name not in names:
            headers.append((name, value))
    event = events.function_url(
        request.method,
        request.path or "/",
        query=parse_qsl(request.query, keep_blank_values=True),
        raw_query=request.query,
        headers=headers,
        body=body,
        is_base64=is_base64,
        url_id=url_id,
        region=region,
        source_ip=request.source_ip,
        request_id=request_id,
        time=clock.time(),
    )
    event["requestContext"]["domainName"] = request.host
    invocation = hook.run(fn, event)
    try:
        payload = json.loads(invocation.payload) if invocation.payload else None
    except ValueError:
        payload = invocation.payload
    if invocation.errored:
        return json_response(502, {"Message": "Internal Server Error"}, base + cors_headers)
    return map_v2(payload, False, base + cors_headers)
