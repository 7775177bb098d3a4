"""S3 static website hosting: the bucket's website endpoint, served from the sandbox.

    from course_lib.wiring import s3_website
    s3_website.upload_folder("my-site", "sample_site")   # like `aws s3 sync`, with content types
    url = s3_website.website_url("my-site")               # http://my-site.s3-website-us-east-1.amazonaws.com
    requests.get(url)                                      # answered in the kernel, as AWS would
    local = s3_website.serve("my-site")                    # http://127.0.0.1:PORT/ for a browser or curl

moto stores a bucket's website configuration but serves no website endpoint: a ``requests``
call to ``<bucket>.s3-website-<region>.amazonaws.com`` reaches moto's REST API instead and
lists the bucket as XML. Here the website endpoint behaves as AWS documents it:

* only ``GET`` and ``HEAD`` (anything else: ``405``); plain HTTP, no HTTPS (put CloudFront in
  front for HTTPS and a custom domain);
* ``/`` and every path ending in ``/`` serve the index document of that "folder"
  (``docs/`` -> ``docs/index.html``); ``/docs`` redirects to ``/docs/`` (``302``) when
  ``docs/index.html`` exists;
* requests are **anonymous**: an object is served only when the bucket policy lets everyone
  (``"Principal": "*"``) ``s3:GetObject`` it and the bucket's Block Public Access setting
  ``RestrictPublicBuckets`` is off; otherwise ``403 AccessDenied``;
* a missing key is ``404 NoSuchKey`` only if everyone may also ``s3:ListBucket``; without that
  permission S3 does not reveal whether the key exists and answers ``403``, as AWS does;
* a 4xx error serves the configured error document (with the error's status) when it is
  readable, else S3's own HTML error page;
* ``RedirectAllRequestsTo`` and an object's ``WebsiteRedirectLocation`` give ``301``s.

Differs from AWS: the bucket policy is evaluated here with a small evaluator (``Allow``/``Deny``
statements for ``Principal: "*"`` with wildcard actions and resources; statements with a
``Condition`` are skipped), object ACLs are ignored (AWS disables them by default since 2023),
account-level Block Public Access is not modelled; routing rules are not applied; the local
server (``serve``) listens on 127.0.0.1 only, one port per bucket. moto itself does not enforce
Block Public Access on its REST API, so a public policy is accepted even when AWS would refuse it.
"""

from __future__ import annotations

import atexit
import fnmatch
import html
import json
import mimetypes
import re
import threading
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from course_lib.sandbox import REGION

WEBSITE_HOST = re.compile(r"^(?P<bucket>[a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\.s3-website[.-](?P<region>[a-z0-9-]+)\.amazonaws\.com$", re.I)
_WEBSITE_URL = re.compile(r"^https?://[a-z0-9][a-z0-9.-]*\.s3-website[.-][a-z0-9-]+\.amazonaws\.com(?::\d+)?(?:[/?#]|$)", re.I)
_METHODS = ("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH")


@dataclass
class WebsiteResponse:
    """What the website endpoint answered."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


def website_url(bucket: str, region: str = REGION) -> str:
    """The bucket's website endpoint, as AWS names it (and installs the interception)."""
    install()
    # us-east-1 and the older Regions use a dash; newer Regions a dot (s3-website.eu-south-2).
    return f"http://{bucket}.s3-website-{region}.amazonaws.com"


def _client() -> Any:
    from course_lib import sandbox

    box = sandbox.current()
    if not box.running:
        box.start()
    return box.client("s3")


# -- who may read: the bucket policy, for everyone ("Principal": "*") ---------------------------
def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _is_everyone(principal: Any) -> bool:
    if principal == "*":
        return True
    if isinstance(principal, dict):
        return "*" in _as_list(principal.get("AWS", []))
    return False


def _matches(patterns: Any, value: str) -> bool:
    return any(fnmatch.fnmatchcase(value.lower(), str(p).lower()) for p in _as_list(patterns))


def public_access(policy: dict[str, Any] | None, action: str, resource: str) -> bool:
    """Does this bucket policy let anonymous callers do ``action`` on ``resource``?

    An explicit ``Deny`` for everyone wins over any ``Allow``; ``NotAction``/``NotResource``
    and conditional statements are not evaluated (they never grant public access here).
    """
    allowed = False
    for statement in _as_list((policy or {}).get("Statement", [])):
        if not isinstance(statement, dict) or "Condition" in statement or not _is_everyone(statement.get("Principal")):
            continue
        if not (_matches(statement.get("Action", []), action) and _matches(statement.get("Resource", []), resource)):
            continue
        if statement.get("Effect") == "Deny":
            return False
        allowed = allowed or statement.get("Effect") == "Allow"
    return allowed


def _policy(s3: Any, bucket: str) -> dict[str, Any] | None:
    try:
        return json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
    except s3.exceptions.ClientError:
        return None


def _public_access_restricted(s3: Any, bucket: str) -> bool:
    try:
        config = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    except s3.exceptions.ClientError:
        return False  # no configuration stored in the sandbox (on AWS new buckets block by default)
    return bool(config.get("RestrictPublicBuckets"))


# -- the endpoint ---------------------------------------------------------------------------------
def _error_page(status: int, code: str, message: str, extra: dict[str, str] | None = None,
                error_document_failed: str | None = None) -> bytes:
    titles = {403: "403 Forbidden", 404: "404 Not Found", 405: "405 Method Not Allowed"}
    title = titles.get(status, f"{status} Error")
    items = {"Code": code, "Message": message, **(extra or {}), "RequestId": uuid.uuid4().hex[:16].upper(),
             "HostId": uuid.uuid4().hex}
    lines = [f"<html>\n<head><title>{title}</title></head>\n<body>\n<h1>{title}</h1>\n<ul>"]
    lines += [f"<li>{k}: {html.escape(v)}</li>" for k, v in items.items()]
    lines.append("</ul>")
    if error_document_failed:
        lines.append("<h3>An Error Occurred While Attempting to Retrieve a Custom Error Document</h3>\n<ul>")
        lines.append(f"<li>Code: {error_document_failed}</li>\n</ul>")
    lines.append("<hr/>\n</body>\n</html>\n")
    return "\n".join(lines).encode()


def _headers(content_type: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    return {"Content-Type": content_type, "Server": "AmazonS3", "x-amz-request-id": uuid.uuid4().hex[:16].upper(),
            **(extra or {})}


class _Site:
    """One request's view of a bucket configured as a website."""

    def __init__(self, s3: Any, bucket: str, config: dict[str, Any]) -> None:
        self.s3, self.bucket, self.config = s3, bucket, config
        self.policy = _policy(s3, bucket)
        self.restricted = _public_access_restricted(s3, bucket)

    def may(self, action: str, resource: str) -> bool:
        return not self.restricted and public_access(self.policy, action, resource)

    def fetch(self, key: str) -> tuple[str, Any]:
        """('ok', object) | ('denied', None) | ('missing', None), as an anonymous caller sees it."""
        if not self.may("s3:GetObject", f"arn:aws:s3:::{self.bucket}/{key}"):
            return "denied", None
        try:
            return "ok", self.s3.get_object(Bucket=self.bucket, Key=key)
        except self.s3.exceptions.NoSuchKey:
            if self.may("s3:ListBucket", f"arn:aws:s3:::{self.bucket}"):
                return "missing", None
            return "denied", None  # S3 will not say whether a key exists to someone who may not list

    def exists(self, key: str) -> bool:
        return self.fetch(key)[0] == "ok"

    def error(self, status: int, code: str, message: str, key: str | None = None) -> WebsiteResponse:
        extra = {"Key": key} if key is not None else None
        document = (self.config.get("ErrorDocument") or {}).get("Key")
        if document:
            outcome, found = self.fetch(document)
            if outcome == "ok":
                return WebsiteResponse(status, _headers(found.get("ContentType") or "binary/octet-stream"),
                                       found["Body"].read())
            failed = "AccessDenied" if outcome == "denied" else "NoSuchKey"
            return WebsiteResponse(status, _headers("text/html; charset=utf-8"),
                                   _error_page(status, code, message, extra, error_document_failed=failed))
        return WebsiteResponse(status, _headers("text/html; charset=utf-8"), _error_page(status, code, message, extra))


def respond(bucket: str, method: str = "GET", path: str = "/") -> WebsiteResponse:
    """What the website endpoint of ``bucket`` answers to ``method path`` (the query is ignored)."""
    s3 = _client()
    method = method.upper()
    path = urlsplit(path).path or "/"
    try:
        config = s3.get_bucket_website(Bucket=bucket)
    except s3.exceptions.NoSuchBucket:
        return WebsiteResponse(404, _headers("text/html; charset=utf-8"),
                               _error_page(404, "NoSuchBucket", "The specified bucket does not exist", {"BucketName": bucket}))
    except s3.exceptions.ClientError:
        return WebsiteResponse(404, _headers("text/html; charset=utf-8"), _error_page(
            404, "NoSuchWebsiteConfiguration", "The specified bucket does not have a website configuration",
            {"BucketName": bucket}))
    redirect_all = config.get("RedirectAllRequestsTo")
    if redirect_all:
        protocol = redirect_all.get("Protocol", "http")
        return WebsiteResponse(301, _headers("text/html; charset=utf-8",
                                             {"Location": f"{protocol}://{redirect_all['HostName']}{path}"}))
    site = _Site(s3, bucket, config)
    if method not in ("GET", "HEAD"):
        return WebsiteResponse(405, _headers("text/html; charset=utf-8", {"Allow": "GET, HEAD"}), _error_page(
            405, "MethodNotAllowed", "The specified method is not allowed against this resource.",
            {"Method": method, "ResourceType": "OBJECT"}))
    suffix = (config.get("IndexDocument") or {}).get("Suffix", "index.html")
    key = unquote(path.lstrip("/"))
    if key == "" or key.endswith("/"):
        key += suffix
    outcome, found = site.fetch(key)
    if outcome != "ok" and not path.endswith("/") and site.exists(f"{key}/{suffix}"):
        return WebsiteResponse(302, _headers("text/html; charset=utf-8", {"Location": f"{path}/"}))
    if outcome == "denied":
        response = site.error(403, "AccessDenied", "Access Denied")
    elif outcome == "missing":
        response = site.error(404, "NoSuchKey", "The specified key does not exist.", key)
    elif found.get("WebsiteRedirectLocation"):
        response = WebsiteResponse(301, _headers("text/html; charset=utf-8", {"Location": found["WebsiteRedirectLocation"]}))
    else:
        headers = {"ETag": found.get("ETag", ""), "Last-Modified": found["LastModified"].strftime("%a, %d %b %Y %H:%M:%S GMT")}
        response = WebsiteResponse(200, _headers(found.get("ContentType") or "binary/octet-stream", headers),
                                   found["Body"].read())
    if method == "HEAD":  # the headers of a GET, without the body
        response.headers["Content-Length"] = str(len(response.body))
        response.body = b""
    return response


# -- uploading a folder (what `aws s3 sync` does) ----------------------------------------------
def content_type(path: str | Path) -> str:
    """The Content-Type the AWS CLI gives a file it uploads (guessed from the extension).

    S3 serves an object with the Content-Type stored with it; without one a browser downloads
    the page instead of showing it.
    """
    guessed, _ = mimetypes.guess_type(str(path))
    return guessed or "binary/octet-stream"


def upload_folder(bucket: str, folder: str | Path, prefix: str = "") -> list[tuple[str, str, int]]:
    """Upload every file under ``folder`` with its Content-Type; returns (key, type, bytes), sorted."""
    s3 = _client()
    root = Path(folder)
    uploaded = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        key = prefix + path.relative_to(root).as_posix()
        body = path.read_bytes()
        kind = content_type(path)
        s3.put_object(Bucket=bucket, Key=key, Body=body, ContentType=kind)
        uploaded.append((key, kind, len(body)))
    return uploaded


# -- reaching the endpoint: requests inside the kernel, and a local server -----------------------
def _requests_callback(request: Any) -> tuple[int, dict[str, str], bytes]:
    parts = urlsplit(request.url)
    match = WEBSITE_HOST.match(parts.hostname or "")
    if match is None:  # the pattern let it through, so this cannot happen; answer as S3 would
        return 404, {"Content-Type": "text/plain"}, b"Not Found"
    response = respond(match["bucket"], request.method, parts.path or "/")
    # requests reads Content-Length itself; a HEAD's would make it wait for a body.
    headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
    return response.status, headers, response.body


def install() -> None:
    """Answer ``requests`` calls to website endpoints (idempotent; kept after ``sandbox.reset()``)."""
    import responses
    from moto.core.models import responses_mock

    from course_lib import wiring

    wiring.keep_after_reset("s3_website", install)  # mock.reset() empties the requests routes

    registered = responses_mock.registered()
    for method in _METHODS:
        if any(getattr(r, "url", None) is _WEBSITE_URL and r.method == method for r in registered):
            continue
        responses_mock.add(responses.CallbackResponse(method=method, url=_WEBSITE_URL, callback=_requests_callback,
                                                      content_type=None))


class _Handler(BaseHTTPRequestHandler):
    server_version = "AmazonS3"
    protocol_version = "HTTP/1.1"
    bucket = ""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        try:
            response = respond(self.bucket, self.command, self.path)
        except Exception as exc:  # noqa: BLE001 - a bug must not kill the server thread
            response = WebsiteResponse(500, {"Content-Type": "text/plain"}, f"{type(exc).__name__}: {exc}".encode())
        self.send_response(response.status)
        for name, value in response.headers.items():
            if name.lower() != "content-length":
                self.send_header(name, value)
        self.send_header("Content-Length", response.headers.get("Content-Length", str(len(response.body))))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = do_OPTIONS = do_PATCH = _handle


_servers: dict[str, ThreadingHTTPServer] = {}
_lock = threading.Lock()


def serve(bucket: str) -> str:
    """Serve the bucket's website on ``http://127.0.0.1:PORT/`` (one port per bucket); returns that URL."""
    with _lock:
        server = _servers.get(bucket)
        if server is None:
            handler = type("WebsiteHandler", (_Handler,), {"bucket": bucket})
            server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
            server.daemon_threads = True
            threading.Thread(target=server.serve_forever, name=f"s3-website-{bucket}", daemon=True).start()
            _servers[bucket] = server
        return f"http://127.0.0.1:{server.server_address[1]}/"


def stop() -> None:
    """Stop every local website server."""
    with _lock:
        for server in _servers.values():
            server.shutdown()
            server.server_close()
        _servers.clear()


atexit.register(stop)
