"""IAM enforced live, for the length of a ``with`` block: functions run as their execution role.

    from course_lib import iam_enforcement
    with iam_enforcement.enforced():
        invoke("report-builder", {...})     # its boto3 calls are checked against its role's policies
    iam_enforcement.simulate([policy], "s3:DeleteBucket", "arn:aws:s3:::reports")   # 'implicitDeny'

What it emulates. moto can check every API call against IAM policies
(``enable_iam_authentication``), but out of the box a notebook cannot use it: the sandbox's
fake key belongs to no IAM identity (every call would be refused), and every Lambda API call
fails with ``SignatureDoesNotMatch``. Inside :func:`enforced`:

* **the notebook is the account's administrator**: the sandbox's own key (``testing``) is
  treated as an identity allowed ``*`` on ``*``, so your cells keep working and only the
  identities you create are restricted;
* **functions run with their execution role's credentials**, as on AWS: before each invocation
  the role is assumed (STS) and ``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY`` and
  ``AWS_SESSION_TOKEN`` are set in the function's environment, so every boto3 call the handler
  makes is checked against the role's policies (inline and attached) and refused with
  ``AccessDenied`` when they do not allow it;
* **Lambda API calls are signed correctly**: moto hands its authenticator the request headers
  as the body and a path without its trailing ``/``; the check is corrected for ``lambda``.

Entering and leaving the block retires warm execution environments (the next invocation of
each function is cold), so SDK clients a handler creates at INIT hold the right credentials.
Outside the block nothing is enforced, so the rest of the kernel (and other chapters) behave as
before. :func:`simulate` evaluates policies for one action and resource, with AWS's rules
(explicit ``Deny`` wins, then any ``Allow``, else implicit deny), using moto's own matcher.

Differs from AWS: enforcement is moto's, which checks **resource ARNs only for S3 and SQS**
(other services are checked by action alone, with the resource ``*``); condition keys are
partly supported; resource-based policies (bucket policies, Lambda function policies) and
permission boundaries are not enforced on calls (``simulate`` evaluates them on request); and
credentials never expire inside a block.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from dataclasses import dataclass
from typing import Any, Iterable, Iterator, Mapping

_lock = threading.Lock()
_patched = False
_active = 0
_role_credentials: dict[str, dict[str, str]] = {}
_role_sessions: dict[str, Any] = {}

ADMIN_POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


def _account() -> str:
    from course_lib.sandbox import ACCOUNT_ID

    return os.environ.get("MOTO_ACCOUNT_ID", ACCOUNT_ID)


class _NotebookAdministrator:
    """The sandbox's own key, standing for the account's administrator while enforcement is on."""

    def __init__(self, account_id: str) -> None:
        self.arn = f"arn:aws:iam::{account_id}:root"

    def create_credentials(self) -> Any:
        from botocore.credentials import Credentials

        from course_lib.sandbox import FAKE_KEY

        return Credentials(FAKE_KEY, FAKE_KEY)

    def collect_policies(self) -> list[str]:
        return [json.dumps(ADMIN_POLICY)]


def _assume(role_arn: str, region: str) -> dict[str, str]:
    """The role's temporary credentials, as Lambda gets them (the service assumes the role)."""
    cached = _role_credentials.get(role_arn)
    if cached is not None:
        return cached
    from moto.sts.models import sts_backends

    backend = sts_backends[_account()]["aws"]
    role = backend.assume_role(
        region_name=region, role_session_name=role_arn.rsplit("/", 1)[-1], role_arn=role_arn,
        policy=None, duration=3600, external_id=None,
    )
    credentials = {
        "AWS_ACCESS_KEY_ID": role.access_key_id,
        "AWS_SECRET_ACCESS_KEY": role.secret_access_key,
        "AWS_SESSION_TOKEN": role.session_token,
    }
    _role_credentials[role_arn] = credentials
    return credentials


def _patch() -> None:
    global _patched
    if _patched:
        return
    import moto.iam.access_control as access_control

    from course_lib.runtime import executor
    from course_lib.sandbox import FAKE_KEY

    original_create_access_key = access_control.create_access_key

    def create_access_key(account_id: str, partition: str, access_key_id: str, headers: dict[str, str]) -> Any:
        if _active and access_key_id == FAKE_KEY:
            return _NotebookAdministrator(account_id)
        return original_create_access_key(account_id, partition, access_key_id, headers)

    access_control.create_access_key = create_access_key

    base = access_control.IAMRequestBase
    original_request = base._create_aws_request
    original_check = base.check_signature

    def _create_aws_request(self: Any) -> Any:
        request = original_request(self)
        if self._service == "lambda":
            request.data = self._body or b""  # moto passes the headers as data for Lambda
        return request

    def check_signature(self: Any) -> None:
        if self._service != "lambda":
            return original_check(self)
        try:
            return original_check(self)
        except Exception:
            if self._path.endswith("/") or "?" in self._path:
                raise
            self._path += "/"  # moto drops the trailing slash of /2015-03-31/functions/
            return original_check(self)

    base._create_aws_request = _create_aws_request  # type: ignore[method-assign]
    base.check_signature = check_signature  # type: ignore[method-assign]

    original_environment = executor._lambda_environment

    def _lambda_environment(fn: Any, request_id: str, log_stream: str) -> dict[str, str]:
        variables = original_environment(fn, request_id, log_stream)
        if _active and getattr(fn, "role", None):
            variables.update(_assume(fn.role, fn.region))
        return variables

    executor._lambda_environment = _lambda_environment

    # boto3.client() uses one process-wide default session, which caches the first credentials
    # it resolved. On AWS each environment is its own process; here a handler gets a session of
    # its role's own, built from its (per-thread) environment.
    import boto3

    original_default = boto3._get_default_session

    def _get_default_session() -> Any:
        key = os.environ.get("AWS_ACCESS_KEY_ID", "")
        if _active and any(c["AWS_ACCESS_KEY_ID"] == key for c in list(_role_credentials.values())):
            session = _role_sessions.get(key)
            if session is None:
                session = _role_sessions[key] = boto3.session.Session()
            return session
        return original_default()

    boto3._get_default_session = _get_default_session
    _patched = True


def active() -> bool:
    return _active > 0


@contextlib.contextmanager
def enforced() -> Iterator[None]:
    """Enforce IAM for every API call inside the block (see the module doc)."""
    global _active
    from moto import settings
    from moto.core.authorization import ActionAuthenticatorMixin

    from course_lib.runtime import environments

    with _lock:
        _patch()
        # New execution environments on the way in and out, as after a configuration change on
        # AWS: SDK clients a handler made at INIT must hold the credentials of the current mode.
        environments.forget()
        saved = (settings.INITIAL_NO_AUTH_ACTION_COUNT, ActionAuthenticatorMixin.request_count)
        settings.INITIAL_NO_AUTH_ACTION_COUNT = 0
        ActionAuthenticatorMixin.request_count = 0
        _active += 1
    try:
        yield
    finally:
        with _lock:
            _active -= 1
            if not _active:
                settings.INITIAL_NO_AUTH_ACTION_COUNT, ActionAuthenticatorMixin.request_count = saved
                _role_credentials.clear()
                _role_sessions.clear()
                environments.forget()


# -- evaluating policies by hand ----------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    decision: str  # "allowed", "explicitDeny" or "implicitDeny"
    matched: tuple[str, ...]  # the Sid (or index) of each statement that matched

    @property
    def allowed(self) -> bool:
        return self.decision == "allowed"


def _statements(policy: Mapping[str, Any] | str) -> list[dict[str, Any]]:
    document = json.loads(policy) if isinstance(policy, str) else dict(policy)
    statements = document.get("Statement", [])
    return [statements] if isinstance(statements, dict) else list(statements)


def simulate(
    policies: Iterable[Mapping[str, Any] | str], action: str, resource: str, principal: str | None = None
) -> Decision:
    """Evaluate identity and/or resource policies for one request, with AWS's precedence.

    ``principal`` matters for resource policies (their ``Principal`` element); identity policies
    have none. Wildcards (``s3:*``, ``arn:aws:s3:::reports/*``) match as IAM matches them.
    """
    from moto.iam.access_control import IAMPolicyStatement, PermissionResult

    allowed, denied = [], []
    for policy in policies:
        for index, statement in enumerate(_statements(policy)):
            label = statement.get("Sid") or f"statement {index + 1}"
            if "Principal" in statement and principal is not None:
                names = statement["Principal"]
                names = [names] if isinstance(names, str) else [v for vs in dict(names).values() for v in ([vs] if isinstance(vs, str) else vs)]
                if "*" not in names and principal not in names:
                    continue
            checked = {k: v for k, v in statement.items() if k != "Principal"}
            result = IAMPolicyStatement(checked).is_action_permitted(action, resource)
            if result == PermissionResult.DENIED:
                denied.append(label)
            elif result == PermissionResult.PERMITTED:
                allowed.append(label)
    if denied:
        return Decision("explicitDeny", tuple(denied))
    if allowed:
        return Decision("allowed", tuple(allowed))
    return Decision("implicitDeny", ())
