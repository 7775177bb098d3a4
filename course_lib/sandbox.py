"""The safe account: a local AWS that a notebook reaches with one line.

    from course_lib.sandbox import start
    aws = start()                 # forced fake credentials, us-east-1, moto running in-process
    s3 = aws.client("s3")         # plain boto3 clients and resources, bound to the sandbox
    aws.reset()                   # back to a clean, empty account

What it guarantees:

* Fake credentials (``testing``/``testing``) and ``us-east-1`` are forced for the whole kernel,
  even when the learner has real credentials configured: ``AWS_ACCESS_KEY_ID``, ``AWS_PROFILE``,
  ``~/.aws/credentials`` and ``~/.aws/config`` are all ignored, and every ``AWS_ENDPOINT_URL*``
  variable is removed (a leftover one would bypass the mock).
* Every boto3 client in the process, whether ``course_lib`` made it or the learner did, goes
  through a guard that refuses to send a request moto did not answer unless it goes to this
  machine (127.0.0.1 / localhost) or to the endpoint the learner chose. So even after ``stop()``,
  nothing reaches real AWS: you get :class:`RealAWSRefused` with an explanation instead. The
  same guard sits under ``requests``: a request to an AWS host that nothing local answers is
  refused, not sent.
* A client made with a real endpoint (``endpoint_url=``, or an ``AWS_ENDPOINT_URL*`` variable
  set after ``start()``) is refused when it is made. :func:`check_endpoint` is the one decision.
* The local Lambda runtime (``course_lib.runtime``) is installed, so invoking a function runs
  its real handler code, by every path moto takes.
* moto's and werkzeug's loggers are silenced so cells show only what the learner asked for.

Three targets (:mod:`course_lib.endpoint` chooses, and holds the host rules):

* **in-process** (the default): moto inside the kernel, as above.
* **another endpoint**: ``start(endpoint="http://127.0.0.1:5000")``, ``COURSE_ENDPOINT_URL``,
  ``endpoint_url`` in ``$COURSE_HOME/settings.toml``, or an ``AWS_ENDPOINT_URL`` on this machine.
  No mock runs in the kernel; every client (the sandbox's, and plain boto3 through
  ``AWS_ENDPOINT_URL``) goes to that endpoint with the same fake credentials, and the guard still
  refuses everything else. Best with the course's own server, ``python -m course_lib.server
  --standalone``, where handlers run in the server's process; LocalStack and plain moto work too.
  ``reset()`` empties the server (see :func:`course_lib.endpoint.reset`). Helpers that need the
  kernel's own moto say so (:func:`require_in_process`).
* **real AWS**, only after an explicit, two-step opt-in (:mod:`course_lib.real_aws`): the
  ``COURSE_REAL_AWS=1`` setting, ``start(real_aws=True)`` in a fresh kernel, and
  :meth:`Sandbox.confirm_real_aws` with the account id that STS reports for the credentials.
  Until then every request is refused, as above. The route for those who outgrow the laptop,
  never a default.

How it differs from AWS: one account (``123456789012``), one Region by default, everything in
memory and gone when the kernel stops. Each chapter notes the service-level differences.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlsplit

import boto3
import botocore.handlers
from botocore.awsrequest import AWSPreparedRequest

from course_lib import endpoint as endpoints
from course_lib.endpoint import EndpointError, RealAWSRefused, Target

__all__ = [
    "ACCOUNT_ID",
    "EndpointError",
    "EndpointModeUnsupported",
    "REGION",
    "RealAWSRefused",
    "Sandbox",
    "check_endpoint",
    "current",
    "require_in_process",
    "reset",
    "start",
    "stop",
]

REGION = "us-east-1"
ACCOUNT_ID = "123456789012"
FAKE_KEY = "testing"

# Variables that could point a client at real AWS or at real credentials.
_SCRUBBED_PREFIXES = ("AWS_ENDPOINT_URL",)
_SCRUBBED = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
)
_NOISY_LOGGERS = {
    "moto": logging.CRITICAL,
    "werkzeug": logging.ERROR,
    "moto.stepfunctions.parser": logging.CRITICAL,
    "botocore.credentials": logging.ERROR,
}
# While the real-AWS confirmation runs, only these (read-only) operations may reach AWS.
_CONFIRMATION_OPERATIONS = ("Get", "List", "Describe")


class EndpointModeUnsupported(RuntimeError):
    """A helper that needs the kernel's own moto was used against another endpoint or real AWS."""


@dataclass
class _Route:
    """Where this process's AWS requests may go, besides this machine (the guard reads it)."""

    endpoint_url: str | None = None  # endpoint mode: the endpoint the learner chose
    endpoint_host: str | None = None
    real_aws: str = "off"  # "off", "pending" (selected, not confirmed) or "confirmed"


_ROUTE = _Route()
_confirming = threading.local()
# Set once force_safe_environment() has replaced this process's credentials with fakes.
_credentials_replaced = False
_http_guard_installed = False


def force_safe_environment(endpoint_url: str | None = None) -> dict[str, str]:
    """Point every AWS SDK in this process at fake credentials and no real endpoint.

    With ``endpoint_url`` (endpoint mode), ``AWS_ENDPOINT_URL`` is then set to it, so plain
    boto3 clients go there too. Returns the variables it removed (names only; values are not kept).
    """
    global _credentials_replaced
    removed = {}
    for name in list(os.environ):
        if name in _SCRUBBED or name.startswith(_SCRUBBED_PREFIXES):
            removed[name] = "<removed>"
            del os.environ[name]
    # Empty stand-ins for ~/.aws so a real profile can never be read.
    null_file = os.devnull
    os.environ.update(
        {
            "AWS_ACCESS_KEY_ID": FAKE_KEY,
            "AWS_SECRET_ACCESS_KEY": FAKE_KEY,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            "AWS_SHARED_CREDENTIALS_FILE": null_file,
            "AWS_CONFIG_FILE": null_file,
            "AWS_EC2_METADATA_DISABLED": "true",
            "MOTO_ACCOUNT_ID": ACCOUNT_ID,
        }
    )
    if endpoint_url:
        os.environ["AWS_ENDPOINT_URL"] = endpoint_url
    _credentials_replaced = True
    # A default session built earlier may have cached real credentials.
    boto3.DEFAULT_SESSION = None
    return removed


def _operation_allowed_while_confirming(operation: str | None) -> bool:
    if not (operation and getattr(_confirming, "active", False)):
        return False
    return operation.rsplit(":", 1)[-1].startswith(_CONFIRMATION_OPERATIONS)


def check_endpoint(url: str | None, operation: str | None = None) -> None:
    """Raise :class:`RealAWSRefused` unless the course may send a request to ``url``.

    The one place that decides. Allowed: no endpoint (None: the SDK's default, which the
    in-process mock answers); this machine, always; the endpoint the learner chose (endpoint
    mode); real AWS only after the two-step opt-in (``operation``, ``service:Operation``, lets
    the confirmation's own read-only calls through). Everything else is refused, before a socket opens.
    """
    if url is None:
        return
    url = str(url)
    host = endpoints.host_of(url)
    if endpoints.is_loopback(host):
        return
    if _ROUTE.endpoint_host is not None and host == _ROUTE.endpoint_host:
        return
    if endpoints.is_aws_host(host) and not endpoints.is_metadata_host(host):
        if _ROUTE.real_aws == "confirmed":
            return
        if _ROUTE.real_aws == "pending" and _operation_allowed_while_confirming(operation):
            return
    raise endpoints.refusal(url, _ROUTE.real_aws)


@contextlib.contextmanager
def _confirmation_calls() -> Iterator[None]:
    _confirming.active = True
    try:
        yield
    finally:
        _confirming.active = False


def _endpoint_variables() -> list[str]:
    return [value for name, value in os.environ.items() if name.startswith(_SCRUBBED_PREFIXES) and value]


def _guard_create_client(create_client: Any) -> Any:
    """Wrap botocore's ``Session.create_client``: a client pointed at a real endpoint, by
    ``endpoint_url=`` or an ``AWS_ENDPOINT_URL*`` variable set after ``start()``, is refused
    when it is made (moto would otherwise quietly answer it, hiding the learner's mistake)."""
    if getattr(create_client, "_course_guard", False):
        return create_client

    def guarded(self: Any, service_name: str, *args: Any, **kwargs: Any) -> Any:
        # endpoint_url is create_client's fifth argument after the service name.
        endpoint = kwargs.get("endpoint_url", args[4] if len(args) > 4 else None)
        check_endpoint(endpoint)
        for value in _endpoint_variables():
            check_endpoint(value)
        return create_client(self, service_name, *args, **kwargs)

    guarded._course_guard = True  # type: ignore[attr-defined]
    guarded.__wrapped__ = create_client  # type: ignore[attr-defined]
    guarded.__doc__ = create_client.__doc__
    return guarded


class _GuardedStubber:
    """Takes the place of moto's ``before-send`` stubber in every new botocore client.

    moto answers what it mocks; anything it lets through must be going to this machine (a
    local moto server), the chosen endpoint, or confirmed real AWS, or it is refused before a
    socket is opened.
    """

    def __init__(self, stubber: Any) -> None:
        self.stubber = stubber

    def __call__(self, event_name: str, request: AWSPreparedRequest, **kwargs: Any) -> Any:
        response = self.stubber(event_name, request, **kwargs)
        if response is None:
            # event_name is "before-send.<service>.<Operation>".
            parts = event_name.split(".")
            operation = f"{parts[1]}:{parts[2]}" if len(parts) >= 3 else None
            check_endpoint(request.url, operation)  # moto did not answer: only where allowed
        return response


def _check_http_request(request: Any) -> None:
    """The guard under ``requests``: an AWS host is refused unless real AWS is confirmed. In
    endpoint mode an API Gateway or Function URL address goes to the endpoint, with the AWS host
    in the ``Host`` header (how the course's server and moto route it)."""
    host = endpoints.host_of(request.url)
    if not endpoints.is_aws_host(host):
        return
    if _ROUTE.real_aws == "confirmed" and not endpoints.is_metadata_host(host):
        return
    if _ROUTE.endpoint_url:
        from course_lib.wiring.http import EXECUTE_API_HOST, FUNCTION_URL_HOST

        if EXECUTE_API_HOST.match(host) or FUNCTION_URL_HOST.match(host):
            parts = urlsplit(request.url)
            request.headers["Host"] = host
            request.url = f"{_ROUTE.endpoint_url}{parts.path or '/'}" + (f"?{parts.query}" if parts.query else "")
            return
    raise endpoints.refusal(request.url, _ROUTE.real_aws)


def _guard_send(send: Any) -> Any:
    if getattr(send, "_course_guard", False):
        return send

    def guarded(adapter: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
        _check_http_request(request)
        return send(adapter, request, *args, **kwargs)

    guarded._course_guard = True  # type: ignore[attr-defined]
    guarded.__wrapped__ = send  # type: ignore[attr-defined]
    return guarded


def install_guard() -> None:
    """Make every botocore client created from now on, and ``requests``, refuse real AWS."""
    import botocore.session
    import moto.core.models as moto_models
    import requests.adapters

    global _http_guard_installed
    botocore.session.Session.create_client = _guard_create_client(botocore.session.Session.create_client)
    if not _http_guard_installed:
        # Once, under whatever answers first: while moto's mock is active, `responses` patches
        # HTTPAdapter.send over this guard and restores it when the mock stops. Wrapping again
        # later would put the guard above moto and refuse what moto answers.
        requests.adapters.HTTPAdapter.send = _guard_send(requests.adapters.HTTPAdapter.send)  # type: ignore[method-assign]
        _http_guard_installed = True
    # While the mock is active, what it does not answer is sent with the send it saved at import.
    moto_models.responses_mock._real_send = _guard_send(moto_models.responses_mock._real_send)
    handlers = botocore.handlers.BUILTIN_HANDLERS
    for index, entry in enumerate(handlers):
        if entry[0] == "before-send" and entry[1] is moto_models.botocore_stubber:
            handlers[index] = ("before-send", _GuardedStubber(entry[1]), *entry[2:])
            return
    if not any(isinstance(entry[1], _GuardedStubber) for entry in handlers):
        handlers.append(("before-send", _GuardedStubber(moto_models.botocore_stubber)))


def silence_noisy_loggers() -> None:
    for name, level in _NOISY_LOGGERS.items():
        logging.getLogger(name).setLevel(level)


class Sandbox:
    """A running local AWS account. Get one with :func:`start`."""

    region = REGION
    account_id = ACCOUNT_ID

    def __init__(self) -> None:
        self._mock: Any = None
        self._lock = threading.RLock()
        self._session: boto3.session.Session | None = None
        # Building a boto3 client costs milliseconds: cells and helpers ask for them constantly.
        self._clients: dict[tuple[str, str], Any] = {}
        self._target: Target | None = None  # None: stopped
        self._server: endpoints.ServerInfo | None = None
        self._confirmation: Any = None
        self.note = ""  # e.g. an AWS_ENDPOINT_URL that start() ignored
        self.last_reset = ""

    # -- lifecycle -----------------------------------------------------------------------
    def start(self, endpoint: str | None = None, *, real_aws: bool = False, in_process: bool = False) -> "Sandbox":
        """Start (or switch) the sandbox; see :func:`start` for how the target is chosen."""
        from course_lib.import_speed import skip_iri_grammar

        skip_iri_grammar()  # before anything imports jsonschema (moto's API Gateway does)
        with self._lock:
            target = endpoints.select_target(endpoint, real_aws=real_aws, in_process=in_process)
            same = self._target is not None and self._target.key == target.key
            server = self._server if same else None
            if target.kind == "endpoint" and server is None:
                assert target.url is not None
                server = endpoints.connect(target.url, target.source)  # before anything changes
            if target.kind == "real-aws" and not same:
                from course_lib import real_aws as real

                install_guard()  # whatever happens next, this process's requests to AWS are refused
                if not real.setting_enabled():
                    raise real.setting_missing()
                if _credentials_replaced:
                    raise real.restart_needed()
            if self._target is not None and not same:
                self._stop_locked()
            if target.kind == "endpoint":
                assert server is not None
                self._start_endpoint(target, server)
            elif target.kind == "real-aws":
                if not same:
                    self._start_real_aws(target)
            else:
                self._start_in_process(target)
        return self

    def _start_in_process(self, target: Target) -> None:
        force_safe_environment()
        _ROUTE.endpoint_url = _ROUTE.endpoint_host = None
        _ROUTE.real_aws = "off"
        install_guard()
        silence_noisy_loggers()
        from course_lib import runtime

        runtime.install()
        from course_lib import magics

        magics.register()
        if self._mock is None:
            from moto import mock_aws

            self._mock = mock_aws(
                config={
                    # Run Step Functions executions for real (moto's default leaves them RUNNING).
                    "stepfunctions": {"execute_state_machine": True},
                }
            )
            self._mock.start()
        from course_lib import wiring

        wiring.install()  # what moto does not wire: API Gateway, schedules, async invokes...
        self._session = boto3.session.Session(
            aws_access_key_id=FAKE_KEY,
            aws_secret_access_key=FAKE_KEY,
            region_name=REGION,
        )
        self._clients = {}
        self._target = target
        self.note = target.note
        self.account_id = ACCOUNT_ID
        self.region = REGION

    def _start_endpoint(self, target: Target, server: endpoints.ServerInfo) -> None:
        assert target.url is not None
        force_safe_environment(endpoint_url=target.url)
        _ROUTE.endpoint_url = target.url
        _ROUTE.endpoint_host = endpoints.host_of(target.url)
        _ROUTE.real_aws = "off"
        install_guard()
        silence_noisy_loggers()
        from course_lib import magics

        magics.register()  # %%function deploys through the API, so it works against any endpoint
        from course_lib.runtime import echo

        echo.install()  # handler output back in the cell, read from the endpoint's logs
        self._session = boto3.session.Session(
            aws_access_key_id=FAKE_KEY,
            aws_secret_access_key=FAKE_KEY,
            region_name=REGION,
        )
        self._clients = {}
        self._server = server
        self._target = target
        self.note = target.note
        self.region = REGION
        try:
            self.account_id = str(self.client("sts").get_caller_identity()["Account"])
        except Exception:  # an emulator without STS: keep the course's account id
            self.account_id = ACCOUNT_ID

    def _start_real_aws(self, target: Target) -> None:
        from course_lib import magics, real_aws, settings

        chosen = settings.load()
        real_aws.prepare_environment()
        _ROUTE.endpoint_url = _ROUTE.endpoint_host = None
        _ROUTE.real_aws = "pending"
        install_guard()
        silence_noisy_loggers()
        magics.register()
        boto3.DEFAULT_SESSION = None
        try:
            self._session = boto3.session.Session(profile_name=chosen.profile, region_name=chosen.region)
        except Exception as exc:  # botocore's ProfileNotFound and friends, said plainly
            _ROUTE.real_aws = "off"
            raise EndpointError(f"Could not use your AWS credentials for real AWS: {exc}") from None
        self._clients = {}
        self._target = target
        self._confirmation = None
        self.region = self._session.region_name or REGION
        self.account_id = "unconfirmed"
        self.note = ""

    def confirm_real_aws(self, account_id: str) -> Any:
        """The second step of the real-AWS opt-in: type the account id you mean.

        STS must report the same account for this kernel's credentials; then what already exists
        there is listed and priced (see :mod:`course_lib.real_aws`), and from then on requests go to
        real AWS. Returns the :class:`~course_lib.real_aws.Confirmation` (it displays itself).
        """
        from course_lib import real_aws

        with self._lock:
            if self.mode != "real-aws":
                raise RealAWSRefused(
                    "confirm_real_aws() is the second step of the real-AWS opt-in; the first is\n"
                    "COURSE_REAL_AWS=1 and aws = start(real_aws=True) in a fresh kernel. This sandbox is "
                    f"{self.mode}, so there is nothing to confirm."
                )
            if _ROUTE.real_aws == "confirmed" and self._confirmation is not None:
                if real_aws.normalize_account_id(account_id) == self._confirmation.account_id:
                    return self._confirmation
            with _confirmation_calls():
                confirmation = real_aws.confirm(account_id, self.client, self.region)
            _ROUTE.real_aws = "confirmed"
            self._confirmation = confirmation
            self.account_id = confirmation.account_id
            return confirmation

    def _stop_locked(self) -> None:
        if self._mock is not None or self.mode == "in-process":
            from course_lib import wiring

            wiring.stop()  # the front door and server mode
        if self._mock is not None:
            self._mock.stop()
            self._mock = None
        if self.mode == "in-process":
            from course_lib import runtime

            runtime.forget_environments()
        if self.mode == "endpoint":
            os.environ.pop("AWS_ENDPOINT_URL", None)  # plain boto3 falls back to AWS: refused
            self._clients = {}  # they point at the endpoint, which the guard no longer allows
        if self.mode == "real-aws":
            self._clients = {}
        _ROUTE.endpoint_url = _ROUTE.endpoint_host = None
        _ROUTE.real_aws = "off"
        self._target = None
        self._server = None
        self._confirmation = None

    def stop(self) -> None:
        """Stop the sandbox. Clients refuse to send anything afterwards."""
        with self._lock:
            self._stop_locked()

    def reset(self) -> "Sandbox":
        """Back to a clean, empty account (every resource and log gone, warm starts forgotten).

        Against another endpoint, the server is emptied through its own API; on real AWS this
        refuses (the course never deletes a real account's resources).
        """
        with self._lock:
            if not self.running:
                return self.start()
            if self.mode == "real-aws":
                raise RealAWSRefused(
                    "reset() empties an account, and the course never does that to real AWS. Delete what you "
                    "made yourself (sam delete, or the console), or go back to the local sandbox with aws = start()."
                )
            if self.mode == "endpoint":
                assert self._server is not None
                self.last_reset = endpoints.reset(self._server)
                return self
            self._mock.reset()
            from course_lib import runtime, wiring

            runtime.forget_environments()
            wiring.reset()  # no timers or queued work from the old account; clock on wall time
        return self

    @property
    def running(self) -> bool:
        return self._target is not None

    @property
    def mode(self) -> str:
        """``in-process``, ``endpoint``, ``real-aws``, or ``stopped``."""
        return self._target.kind if self._target is not None else "stopped"

    @property
    def endpoint_url(self) -> str | None:
        """The endpoint this sandbox talks to (endpoint mode), else None."""
        return self._target.url if self._target is not None and self._target.kind == "endpoint" else None

    @property
    def server(self) -> endpoints.ServerInfo | None:
        """What answers at the endpoint (endpoint mode)."""
        return self._server

    # -- clients ---------------------------------------------------------------------------
    def client(self, service: str, region: str | None = None) -> Any:
        """A boto3 client bound to the sandbox (refuses real AWS by construction)."""
        if self._session is None:
            self.start()
        assert self._session is not None
        key = (service, region or self.region)
        client = self._clients.get(key)
        if client is None:
            client = self._clients[key] = self._session.client(service, region_name=key[1])
        return client

    def resource(self, service: str, region: str | None = None) -> Any:
        if self._session is None:
            self.start()
        assert self._session is not None
        return self._session.resource(service, region_name=region or self.region)

    # -- create-or-get helpers: running a cell twice works ---------------------------------
    def ensure_role(
        self,
        name: str,
        service: str = "lambda.amazonaws.com",
        policies: list[str] | None = None,
        inline_policies: dict[str, dict[str, Any]] | None = None,
    ) -> str:
        """An IAM role that ``service`` may assume; returns its ARN (created once).

        ``policies`` are managed policy ARNs to attach; ``inline_policies`` maps a policy name
        to its document.
        """
        import json

        iam = self.client("iam")
        try:
            arn = iam.get_role(RoleName=name)["Role"]["Arn"]
        except iam.exceptions.NoSuchEntityException:
            trust = {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}],
            }
            arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
        for policy in policies or []:
            iam.attach_role_policy(RoleName=name, PolicyArn=policy)
        for policy_name, document in (inline_policies or {}).items():
            iam.put_role_policy(RoleName=name, PolicyName=policy_name, PolicyDocument=json.dumps(document))
        return arn

    def ensure_bucket(self, name: str) -> str:
        s3 = self.client("s3")
        existing = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
        if name not in existing:
            s3.create_bucket(Bucket=name)
        return name

    def ensure_queue(self, name: str, **attributes: str) -> str:
        """A queue's URL; FIFO when the name ends in ``.fifo``."""
        sqs = self.client("sqs")
        attrs = {k: str(v) for k, v in attributes.items()}
        if name.endswith(".fifo"):
            attrs.setdefault("FifoQueue", "true")
        return sqs.create_queue(QueueName=name, Attributes=attrs)["QueueUrl"]

    def ensure_topic(self, name: str) -> str:
        return self.client("sns").create_topic(Name=name)["TopicArn"]

    def ensure_table(self, name: str, key: str = "pk", sort_key: str | None = None, **kwargs: Any) -> Any:
        """A DynamoDB table (on-demand) with a string partition key and optional sort key."""
        ddb = self.client("dynamodb")
        if name in ddb.list_tables()["TableNames"]:
            return self.resource("dynamodb").Table(name)
        schema = [{"AttributeName": key, "KeyType": "HASH"}]
        attrs = [{"AttributeName": key, "AttributeType": "S"}]
        if sort_key:
            schema.append({"AttributeName": sort_key, "KeyType": "RANGE"})
            attrs.append({"AttributeName": sort_key, "AttributeType": "S"})
        ddb.create_table(
            TableName=name,
            KeySchema=schema,
            AttributeDefinitions=attrs,
            BillingMode="PAY_PER_REQUEST",
            **kwargs,
        )
        return self.resource("dynamodb").Table(name)


    # -- how it shows itself -----------------------------------------------------------------
    def __repr__(self) -> str:
        if not self.running:
            return f"<Sandbox stopped: account {ACCOUNT_ID}, region {REGION}, clients refuse every request>"
        if self.mode == "endpoint":
            assert self._server is not None
            return (f"<Sandbox running: account {self.account_id}, region {self.region}, "
                    f"{self._server.short} at {self.endpoint_url}>")
        if self.mode == "real-aws":
            state = "confirmed" if _ROUTE.real_aws == "confirmed" else "NOT confirmed, every request refused"
            return f"<Sandbox on REAL AWS ({state}): account {self.account_id}, region {self.region}>"
        return f"<Sandbox running: account {ACCOUNT_ID}, region {REGION}, in-process moto>"

    def _repr_markdown_(self) -> str:
        if not self.running:
            return "**Sandbox stopped.** Clients refuse every request until `start()`."
        if self.mode == "endpoint":
            assert self._server is not None
            return (
                f"**Sandbox running against another endpoint**: `{self.endpoint_url}`, {self._server.description}; "
                f"account `{self.account_id}` in `{self.region}`. Fake credentials; requests go only to that "
                "endpoint and this machine: nothing here can reach or bill a real AWS account."
            )
        if self.mode == "real-aws":
            if _ROUTE.real_aws != "confirmed":
                return (
                    f"**Real AWS selected, not confirmed** (Region `{self.region}`). Every request is still refused. "
                    'Run `aws.confirm_real_aws(account_id="<your 12-digit account id>")`: it checks the account '
                    "and shows what already exists there costs."
                )
            return (
                f"**REAL AWS**: account `{self.account_id}` in `{self.region}`. Requests are real and billed; "
                "`aws.reset()` refuses. Restart the kernel to go back to the local sandbox."
            )
        # (self.note, e.g. an ignored AWS_ENDPOINT_URL, stays out of this: the line reads the same everywhere.)
        return (
            f"**Sandbox running**: local AWS account `{ACCOUNT_ID}` in `{REGION}` (moto, in-process). "
            "Fake credentials, no network: nothing here can reach or bill a real AWS account."
        )


_SANDBOX = Sandbox()


def start(endpoint: str | None = None, *, real_aws: bool = False, in_process: bool = False) -> Sandbox:
    """Start (or return) the course's sandbox. Safe to run twice.

    Where it sends requests, first match wins: ``endpoint=`` (a moto server, LocalStack);
    ``COURSE_ENDPOINT_URL``; ``endpoint_url`` in ``$COURSE_HOME/settings.toml``; an
    ``AWS_ENDPOINT_URL`` on this machine; else in-process moto. ``in_process=True`` ignores every
    endpoint setting. ``real_aws=True`` is the first step of the real-AWS opt-in (see
    :mod:`course_lib.real_aws`). Calling it again with another target switches.
    """
    return _SANDBOX.start(endpoint, real_aws=real_aws, in_process=in_process)


def current() -> Sandbox:
    """The process's sandbox object (it may be stopped)."""
    return _SANDBOX


def reset() -> Sandbox:
    return _SANDBOX.reset()


def stop() -> None:
    _SANDBOX.stop()


def require_in_process(feature: str, why: str = "it works on the moto inside this kernel") -> None:
    """Raise :class:`EndpointModeUnsupported` unless the sandbox runs in-process (or is stopped)."""
    mode = _SANDBOX.mode
    if mode in ("endpoint", "real-aws"):
        where = f"the endpoint {_SANDBOX.endpoint_url}" if mode == "endpoint" else "real AWS"
        raise EndpointModeUnsupported(
            f"{feature} needs the in-process sandbox: {why}, and this kernel talks to {where}.\n"
            "Run this chapter with the local sandbox (aws = start(in_process=True), or remove the endpoint "
            "setting and restart the kernel)."
        )


def home_has_real_credentials(home: Path | None = None) -> bool:
    """True when ``~/.aws/credentials`` exists: the sandbox ignores it, but we say so."""
    return ((home or Path.home()) / ".aws" / "credentials").exists()
