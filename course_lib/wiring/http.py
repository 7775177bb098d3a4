"""HTTP into the sandbox: API Gateway and Function URL hosts, reached by ``requests`` or a local front door.

Two ways in, one dispatcher:

* **Inside the kernel, with requests.** ``requests.get("https://abc123.execute-api.us-east-1
  .amazonaws.com/prod/items")`` is answered by a callback on moto's ``responses`` mock, so
  the URL AWS would give you works unchanged (also ``*.lambda-url.<region>.on.aws``).
* **From anything else** (urllib, curl in a terminal, a browser, a subprocess): a small HTTP
  server on 127.0.0.1, on a port the OS picks, started on first use and stopped by
  ``sandbox.stop()`` or at exit. Address an API by path, ``http://127.0.0.1:PORT/<api-id>/
  <stage>/items`` (HTTP API ``$default`` stage: ``/<api-id>/items``), a Function URL by
  ``http://127.0.0.1:PORT/lambda-url/<url-id>/``, or send the AWS host in a ``Host`` header.
  :func:`local_url` builds these.

Both build an :class:`HttpRequest`, :func:`dispatch` picks REST API, HTTP API or Function URL by
host, and the answer goes back as the client expects. Handler output is not echoed into the
notebook from the front door's threads (it goes to CloudWatch Logs).

Differs from AWS: plain HTTP on loopback (no TLS, no custom domains, no CloudFront); one
process serves every API; the front door refuses anything but loopback connections.
"""

from __future__ import annotations

import atexit
import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from course_lib.sandbox import REGION

EXECUTE_API_HOST = re.compile(r"^(?P<id>[a-z0-9]+)\.execute-api\.(?P<region>[a-z0-9-]+)\.amazonaws\.com$", re.I)
FUNCTION_URL_HOST = re.compile(r"^(?P<id>[a-z0-9]+)\.lambda-url\.(?P<region>[a-z0-9-]+)\.on\.aws$", re.I)
_EXECUTE_API_URL = re.compile(r"https?://[a-z0-9]+\.execute-api\.[a-z0-9-]+\.amazonaws\.com(?=[/?:]|$)", re.I)
_FUNCTION_URL_URL = re.compile(r"https?://[a-z0-9]+\.lambda-url\.[a-z0-9-]+\.on\.aws(?=[/?:]|$)", re.I)
_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")


@dataclass
class HttpRequest:
    """A request as the gateway sees it, whatever client sent it."""

    method: str
    host: str  # the AWS host (abc.execute-api.us-east-1.amazonaws.com), without a port
    path: str  # raw path, percent-encoding as sent
    query: str  # raw query string, without "?"
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    source_ip: str = "127.0.0.1"
    scheme: str = "https"
    port: int = 443

    def header(self, name: str, default: str | None = None) -> str | None:
        name = name.lower()
        return next((v for n, v in reversed(self.headers) if n.lower() == name), default)


@dataclass
class HttpResponse:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""

    def header(self, name: str) -> str | None:
        return next((v for n, v in self.headers if n.lower() == name.lower()), None)


def json_response(status: int, document: Any, extra_headers: list[tuple[str, str]] | None = None) -> HttpResponse:
    return HttpResponse(status, [("Content-Type", "application/json")] + (extra_headers or []), json.dumps(document).encode())


def dispatch(request: HttpRequest) -> HttpResponse:
    """Route a request to the REST API, HTTP API or Function URL its host names."""
    from course_lib.wiring import apigateway, function_urls

    if match := EXECUTE_API_HOST.match(request.host):
        return apigateway.handle(match["id"].lower(), match["region"], request)
    if match := FUNCTION_URL_HOST.match(request.host):
        return function_urls.handle(match["id"].lower(), match["region"], request)
    return json_response(404, {"message": f"No API or Function URL is served at {request.host}."})


# -- requests inside the kernel -----------------------------------------------------------------


def _request_from_prepared(prepared: Any) -> HttpRequest:
    parts = urlsplit(prepared.url)
    body = prepared.body
    if body is None:
        data = b""
    elif isinstance(body, str):
        data = body.encode("utf-8")
    elif isinstance(body, (bytes, bytearray)):
        data = bytes(body)
    elif hasattr(body, "read"):
        data = body.read()
        data = data.encode("utf-8") if isinstance(data, str) else data
    else:  # a generator of chunks
        data = b"".join(c.encode("utf-8") if isinstance(c, str) else c for c in body)
    headers = [(str(k), str(v)) for k, v in prepared.headers.items()]
    if not any(k.lower() == "host" for k, _ in headers):
        headers.insert(0, ("Host", parts.netloc))
    return HttpRequest(
        method=prepared.method.upper(),
        host=(parts.hostname or "").lower(),
        path=parts.path or "/",
        query=parts.query,
        headers=headers,
        body=data,
        scheme=parts.scheme,
        port=parts.port or (443 if parts.scheme == "https" else 80),
    )


def _requests_callback(prepared: Any) -> tuple[int, list[tuple[str, str]], bytes]:
    response = dispatch(_request_from_prepared(prepared))
    # requests reads Content-Length itself; a stale one from a handler would truncate the body.
    headers = [(k, v) for k, v in response.headers if k.lower() != "content-length"]
    return response.status, headers, response.body


def install_requests_routes() -> None:
    """Answer ``requests`` calls to execute-api and lambda-url hosts (after every mock reset).

    The callbacks are plain ``responses.CallbackResponse`` objects: moto's registry prefers
    those to its own (its catch-all would answer "not yet implemented").
    """
    import responses
    from moto.core.models import responses_mock

    present = {(id(getattr(r, "url", None)), r.method) for r in responses_mock.registered()}
    for pattern in (_EXECUTE_API_URL, _FUNCTION_URL_URL):
        for method in _METHODS:
            if (id(pattern), method) in present:
                continue
            responses_mock.add(
                responses.CallbackResponse(method=method, url=pattern, callback=_requests_callback, content_type=None)
            )


_moto_routes: list[Any] = []


def restore_moto_routes() -> None:
    """Re-register moto's own ``requests`` routes after ``mock.reset()``.

    ``MockAWS.reset()`` empties the ``responses`` registry and only ``start()`` refills it, so
    after ``sandbox.reset()`` a ``requests`` call to an AWS URL would no longer be mocked (it
    would go to the network). The routes are remembered the first time and put back as they were.
    """
    from moto.core.models import responses_mock

    registered = responses_mock.registered()
    if registered:
        if not _moto_routes:
            _moto_routes.extend(r for r in registered if r.url not in (_EXECUTE_API_URL, _FUNCTION_URL_URL))
        return
    for route in _moto_routes:
        responses_mock.add(route)


# -- the front door on 127.0.0.1 ----------------------------------------------------------------


class _FrontDoorHandler(BaseHTTPRequestHandler):
    server_version = "course-api-gateway/1.0"
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass  # keep the notebook and the terminal quiet

    def _handle(self) -> None:
        from course_lib.runtime.executor import quiet

        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        target = urlsplit(self.path)
        host, path = _route(self.headers.get("Host", ""), target.path)
        if host is None:
            response = json_response(404, {"message": path, "apis": known_endpoints()})
        else:
            request = HttpRequest(
                method=self.command.upper(),
                host=host,
                path=path,
                query=target.query,
                headers=[(k, v) for k, v in self.headers.items()],
                body=body,
                source_ip=self.client_address[0],
                scheme="http",
                port=self.server.server_address[1],
            )
            with quiet():
                try:
                    response = dispatch(request)
                except Exception as exc:  # noqa: BLE001 - a bug must not kill the server thread
                    response = json_response(500, {"message": f"Internal server error ({type(exc).__name__}: {exc})"})
        self.send_response(response.status)
        for name, value in response.headers:
            if name.lower() in ("content-length", "connection", "transfer-encoding"):
                continue
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _handle


def _route(host_header: str, path: str) -> tuple[str | None, str]:
    """(AWS host, path at that host) for a front-door request; (None, reason) if unknown."""
    host = host_header.split(":")[0].lower()
    if EXECUTE_API_HOST.match(host) or FUNCTION_URL_HOST.match(host):
        return host, path
    parts = path.lstrip("/").split("/", 1)
    head, rest = parts[0], "/" + (parts[1] if len(parts) > 1 else "")
    if head == "lambda-url" and rest != "/":
        url_id, _, remainder = rest.lstrip("/").partition("/")
        return f"{url_id}.lambda-url.{REGION}.on.aws", "/" + remainder
    from course_lib.wiring import apigateway

    region = apigateway.region_of(head)
    if region is not None:
        return f"{head}.execute-api.{region}.amazonaws.com", rest
    return None, f"Nothing is served at {path!r}: use /<api-id>/<stage>/<path> or /lambda-url/<url-id>/<path>."


def known_endpoints() -> list[str]:
    from course_lib.wiring import apigateway, function_urls

    return apigateway.local_urls() + function_urls.local_urls()


class FrontDoor:
    """The local HTTP server (127.0.0.1 only, ephemeral port)."""

    def __init__(self) -> None:
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def start(self) -> int:
        with self._lock:
            if self._server is None:
                server = ThreadingHTTPServer(("127.0.0.1", 0), _FrontDoorHandler)
                server.daemon_threads = True
                self._thread = threading.Thread(
                    target=server.serve_forever, args=(0.05,), name="course-front-door", daemon=True
                )
                self._thread.start()
                self._server = server
            return int(self._server.server_address[1])

    @property
    def port(self) -> int | None:
        return int(self._server.server_address[1]) if self._server else None

    @property
    def running(self) -> bool:
        return self._server is not None

    def stop(self) -> None:
        with self._lock:
            if self._server is not None:
                self._server.shutdown()
                self._server.server_close()
                self._server = None
            if self._thread is not None:
                self._thread.join(timeout=5)
                self._thread = None


FRONT_DOOR = FrontDoor()
atexit.register(FRONT_DOOR.stop)


def base_url() -> str:
    """``http://127.0.0.1:PORT`` of the front door (started on first use)."""
    return f"http://127.0.0.1:{FRONT_DOOR.start()}"


def stop() -> None:
    FRONT_DOOR.stop()
