"""Presigned S3 URLs that are checked the way S3 checks them: signature, then expiry.

    from course_lib.wiring import s3_presigned
    s3_presigned.install()          # the S3 chapter's setup cell does this
    url = s3.generate_presigned_url("get_object", Params={...}, ExpiresIn=3600)
    requests.get(url)               # 200 while valid; 403 once expired or if the URL was edited

moto answers a presigned URL without looking at its signature or its expiry: a URL whose key was
edited, or that expired an hour ago, still downloads. Here every ``requests`` call to an S3 URL
that carries query-string authentication is verified first, and only a valid one reaches moto:

* **Signature Version 4** (``X-Amz-Algorithm``, ``X-Amz-Credential``, ``X-Amz-Date``,
  ``X-Amz-Expires``, ``X-Amz-SignedHeaders``, ``X-Amz-Signature``): the canonical request
  (method, path, sorted query without the signature, signed headers, ``UNSIGNED-PAYLOAD``) is
  rebuilt and signed with the key's secret, as S3 does. A different method, key, bucket or
  parameter gives ``403 SignatureDoesNotMatch``; past ``X-Amz-Date + X-Amz-Expires``,
  ``403 AccessDenied: Request has expired``; ``X-Amz-Expires`` above a week,
  ``400 AuthorizationQueryParametersError``.
* **Signature Version 2** (``AWSAccessKeyId``, ``Expires``, ``Signature``), which boto3 still
  produces by default for us-east-1 unless the client is configured with
  ``signature_version="s3v4"``: HMAC-SHA1 over method, Content-MD5, Content-Type, expiry and
  the canonical resource.

The secret of an access key is looked up among the sandbox's keys: the course's fake key, the
one moto puts in the environment, and access keys created with IAM in the sandbox. An unknown
key gives ``403 InvalidAccessKeyId``.

Time is the course clock's (:mod:`course_lib.clock`): presigned URLs are signed with course time
and checked against it, so ``clock.advance(hours=2)`` makes a one-hour URL expire without
waiting. (Only presigning reads the course clock; every other request is signed as botocore
signs it.)

Differs from AWS: the signer's permissions are not evaluated (moto's default account
may do anything); only ``requests`` is intercepted (urllib, curl and browsers reach no S3
endpoint in the in-process sandbox); presigned POST forms are not checked.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import os
import re
import threading
import uuid
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

# An S3 REST endpoint (virtual-hosted or path style, any Region form), with query-string auth.
_S3_HOST = r"(?:[^/?#]+\.)?s3(?:[.-](?!website)[a-z0-9-]+)*\.amazonaws\.com(?::\d+)?"
SIGNED_S3_URL = re.compile(rf"^https?://{_S3_HOST}/[^?#]*\?(?:[^#]*&)?(?:X-Amz-Signature|Signature)=", re.I)
_HOST_BUCKET = re.compile(r"^(?P<bucket>.+)\.s3(?:[.-][a-z0-9-]+)*\.amazonaws\.com$", re.I)
_METHODS = ("GET", "PUT", "HEAD", "DELETE", "POST")
MAX_EXPIRES_S = 604_800  # s3.limits.presigned_url_max_expiry_s (a test keeps them equal)
SIGV4_FORMAT = "%Y%m%dT%H%M%SZ"


class PresignError(Exception):
    """Why S3 refuses a presigned request: an HTTP status, an S3 error code and its message."""

    def __init__(self, status: int, code: str, message: str, **details: str) -> None:
        super().__init__(f"{code}: {message}")
        self.status, self.code, self.message, self.details = status, code, message, details

    def xml(self) -> bytes:
        extra = "".join(f"<{k}>{v}</{k}>" for k, v in self.details.items())
        request_id = uuid.uuid4().hex[:16].upper()
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Error><Code>{self.code}</Code><Message>{self.message}</Message>{extra}"
            f"<RequestId>{request_id}</RequestId><HostId>{base64.b64encode(os.urandom(24)).decode()}</HostId></Error>"
        ).encode()


def _known_secrets() -> dict[str, str]:
    from course_lib.sandbox import FAKE_KEY

    secrets = {FAKE_KEY: FAKE_KEY, "FOOBARKEY": "FOOBARSECRET"}  # the course's key; moto's env key
    key, secret = os.environ.get("AWS_ACCESS_KEY_ID"), os.environ.get("AWS_SECRET_ACCESS_KEY")
    if key and secret:
        secrets[key] = secret
    return secrets


def secret_for(access_key: str) -> str | None:
    """The secret of a sandbox access key, or None when the sandbox never issued it."""
    found = _known_secrets().get(access_key)
    if found is not None:
        return found
    try:  # keys created with iam.create_access_key in the sandbox
        from moto.iam.models import iam_backends

        for account in list(iam_backends):
            for user in iam_backends[account]["global"].users.values():
                for key in user.access_keys:
                    if key.access_key_id == access_key:
                        return str(key.secret_access_key)
    except Exception:  # noqa: BLE001 - moto internals may move; then only the known keys count
        return None
    return None


def _iso(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _header(headers: Any, name: str) -> str:
    for key, value in headers.items():
        if key.lower() == name.lower():
            return str(value).strip()
    return ""


def verify(method: str, url: str, headers: Any, now: float | None = None) -> None:
    """Raise :class:`PresignError` unless S3 would accept this presigned request."""
    if now is None:
        from course_lib import clock

        now = clock.time()
    parts = urlsplit(url)
    pairs = [p.partition("=") for p in parts.query.split("&") if p]
    params = {k: unquote(v) for k, _, v in pairs}
    if "X-Amz-Signature" in params:
        _verify_v4(method, parts, pairs, params, headers, now)
    elif "Signature" in params:
        _verify_v2(method, parts, params, headers, now)


def _verify_v4(method: str, parts: Any, pairs: list[tuple[str, str, str]], params: dict[str, str], headers: Any,
               now: float) -> None:
    missing = [p for p in ("X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders")
               if p not in params]
    if missing:
        raise PresignError(400, "AuthorizationQueryParametersError",
                           f"Query-string authentication version 4 requires the {', '.join(missing)} parameters.")
    if params["X-Amz-Algorithm"] != "AWS4-HMAC-SHA256":
        raise PresignError(400, "AuthorizationQueryParametersError", "X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"")
    access_key, _, scope = params["X-Amz-Credential"].partition("/")
    secret = secret_for(access_key)
    if secret is None:
        raise PresignError(403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.",
                           AWSAccessKeyId=access_key)
    expires = int(params["X-Amz-Expires"])
    if expires > MAX_EXPIRES_S:
        raise PresignError(400, "AuthorizationQueryParametersError",
                           f"X-Amz-Expires must be less than a week (in seconds) that is; {MAX_EXPIRES_S}")
    signed_at = dt.datetime.strptime(params["X-Amz-Date"], SIGV4_FORMAT).replace(tzinfo=dt.timezone.utc)
    # The signature first: an edited URL is refused as edited, whatever its age.
    signed_headers = params["X-Amz-SignedHeaders"].split(";")
    canonical_headers = "".join(
        f"{name}:{parts.netloc.lower() if name == 'host' else ' '.join(_header(headers, name).split())}\n"
        for name in signed_headers
    )
    query = "&".join(f"{k}={v}" for k, _, v in sorted((k, s, v) for k, s, v in pairs if k != "X-Amz-Signature"))
    canonical_request = "\n".join(
        [method.upper(), parts.path or "/", query, canonical_headers, params["X-Amz-SignedHeaders"], "UNSIGNED-PAYLOAD"]
    )
    string_to_sign = "\n".join(
        ["AWS4-HMAC-SHA256", params["X-Amz-Date"], scope, hashlib.sha256(canonical_request.encode()).hexdigest()]
    )
    key = ("AWS4" + secret).encode()
    for piece in scope.split("/"):
        key = hmac.new(key, piece.encode(), hashlib.sha256).digest()
    expected = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, params["X-Amz-Signature"]):
        raise PresignError(403, "SignatureDoesNotMatch",
                           "The request signature we calculated does not match the signature you provided. "
                           "Check your key and signing method.", AWSAccessKeyId=access_key)
    expiry = signed_at + dt.timedelta(seconds=expires)
    server_time = dt.datetime.fromtimestamp(now, dt.timezone.utc)
    if server_time > expiry:
        raise PresignError(403, "AccessDenied", "Request has expired", **{
            "X-Amz-Expires": str(expires), "Expires": _iso(expiry), "ServerTime": _iso(server_time)})


def _verify_v2(method: str, parts: Any, params: dict[str, str], headers: Any, now: float) -> None:
    from botocore.auth import HmacV1Auth

    access_key = params.get("AWSAccessKeyId", "")
    secret = secret_for(access_key)
    if secret is None:
        raise PresignError(403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.",
                           AWSAccessKeyId=access_key)
    expires = params.get("Expires", "")
    host_bucket = _HOST_BUCKET.match(parts.hostname or "")
    resource_path = f"/{host_bucket['bucket']}{parts.path or '/'}" if host_bucket else (parts.path or "/")
    # Sub-resources (versionId, uploadId, response-content-type...) are signed; the rest are not.
    subresources = sorted(
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k in HmacV1Auth.QSAOfInterest
    )
    if subresources:
        resource_path += "?" + "&".join(f"{k}={v}" if v else k for k, v in subresources)
    amz_headers = sorted(
        (k.lower(), str(v).strip()) for k, v in headers.items() if k.lower().startswith("x-amz-")
    )
    string_to_sign = "\n".join(
        [method.upper(), _header(headers, "Content-MD5"), _header(headers, "Content-Type"), expires]
        + [f"{k}:{v}" for k, v in amz_headers]
        + [resource_path]
    )
    digest = hmac.new(secret.encode(), string_to_sign.encode(), hashlib.sha1).digest()
    if not hmac.compare_digest(base64.b64encode(digest).decode(), params["Signature"]):
        raise PresignError(403, "SignatureDoesNotMatch",
                           "The request signature we calculated does not match the signature you provided. "
                           "Check your key and signing method.", AWSAccessKeyId=access_key)
    if not expires.isdigit():
        raise PresignError(403, "AccessDenied", "Query-string authentication requires the Signature, Expires and "
                                                "AWSAccessKeyId parameters")
    if now > int(expires):
        server_time = dt.datetime.fromtimestamp(now, dt.timezone.utc)
        raise PresignError(403, "AccessDenied", "Request has expired", **{
            "Expires": _iso(dt.datetime.fromtimestamp(int(expires), dt.timezone.utc)), "ServerTime": _iso(server_time)})


def _callback(request: Any) -> tuple[int, dict[str, str], bytes]:
    try:
        verify(request.method, request.url, request.headers)
    except PresignError as refused:
        return refused.status, {"Content-Type": "application/xml", "Server": "AmazonS3"}, refused.xml()
    from moto.core.models import botocore_stubber

    return botocore_stubber.process_prepared_request(request)  # valid: moto serves it as usual


_presigning = threading.local()


def _patch_signing_clock() -> None:
    """Sign presigned URLs with course time (SigV4 and SigV2); other signatures keep wall time."""
    import botocore.auth as auth

    from course_lib import clock

    if getattr(auth.S3SigV4QueryAuth.add_auth, "_course_clock", False):
        return
    wall_clock = auth.get_current_datetime

    def current_datetime(remove_tzinfo: bool = True) -> dt.datetime:
        if not getattr(_presigning, "active", False):
            return wall_clock(remove_tzinfo)
        moment = clock.now()
        return moment.replace(tzinfo=None) if remove_tzinfo else moment

    original_add_auth = auth.S3SigV4QueryAuth.add_auth

    def add_auth(self: Any, request: Any) -> Any:
        _presigning.active = True
        try:
            return original_add_auth(self, request)
        finally:
            _presigning.active = False

    def get_date(self: Any) -> str:  # SigV2's Expires: an epoch second
        return str(int(clock.time() + int(self._expires)))

    add_auth._course_clock = True  # type: ignore[attr-defined]
    auth.get_current_datetime = current_datetime
    auth.S3SigV4QueryAuth.add_auth = add_auth  # type: ignore[method-assign]
    auth.HmacV1QueryAuth._get_date = get_date  # type: ignore[method-assign]


def install() -> None:
    """Check presigned URLs in ``requests`` calls (idempotent; again after ``sandbox.reset()``).

    The callbacks are plain ``responses.CallbackResponse`` objects, which moto's registry
    prefers to its own, and they match only URLs that carry a signature in the query string.
    """
    import responses
    from moto.core.models import responses_mock

    from course_lib import wiring

    wiring.keep_after_reset("s3_presigned", install)  # mock.reset() empties the requests routes
    _patch_signing_clock()
    registered = responses_mock.registered()
    for method in _METHODS:
        if any(getattr(r, "url", None) is SIGNED_S3_URL and r.method == method for r in registered):
            continue
        responses_mock.add(responses.CallbackResponse(method=method, url=SIGNED_S3_URL, callback=_callback,
                                                      content_type=None))


def installed() -> bool:
    from moto.core.models import responses_mock

    return any(getattr(r, "url", None) is SIGNED_S3_URL for r in responses_mock.registered())
