"""The safe account: a local AWS (moto, in-process) that a notebook reaches with one line.

    from course_lib.sandbox import start
    aws = start()                 # forced fake credentials, us-east-1, moto running
    s3 = aws.client("s3")         # plain boto3 clients and resources, bound to the sandbox
    aws.reset()                   # back to a clean, empty account

What it guarantees:

* Fake credentials (``testing``/``testing``) and ``us-east-1`` are forced for the whole kernel,
  even when the learner has real credentials configured: ``AWS_ACCESS_KEY_ID``, ``AWS_PROFILE``,
  ``~/.aws/credentials`` and ``~/.aws/config`` are all ignored, and any ``AWS_ENDPOINT_URL*``
  variable is removed (a leftover one would bypass the mock).
* Every boto3 client in the process, whether ``course_lib`` made it or the learner did, goes
  through a guard that refuses to send a request moto did not answer unless it goes to this
  machine (127.0.0.1 / localhost). So even after ``stop()``, nothing reaches real AWS: you get
  :class:`RealAWSRefused` with an explanation instead.
* A client made with a real endpoint (``endpoint_url=``, or an ``AWS_ENDPOINT_URL*`` variable
  set after ``start()``) is refused when it is made. :func:`check_endpoint` is the one decision;
  there is no "real AWS" opt-in, so anything but this machine is always refused.
* The local Lambda runtime (``course_lib.runtime``) is installed, so invoking a function runs
  its real handler code, by every path moto takes.
* moto's and werkzeug's loggers are silenced so cells show only what the learner asked for.

How it differs from AWS: one account (``123456789012``), one Region by default, everything in
memory and gone when the kernel stops. Each chapter notes the service-level differences.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import boto3
import botocore.handlers
from botocore.awsrequest import AWSPreparedRequest

REGION = "us-east-1"
ACCOUNT_ID = "123456789012"
FAKE_KEY = "testing"
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}

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


class RealAWSRefused(RuntimeError):
    """A request would have left the machine for real AWS; the course refuses it."""


def force_safe_environment() -> dict[str, str]:
    """Point every AWS SDK in this process at fake credentials and no real endpoint.

    Returns the variables it removed (names only matter; values are not kept).
    """
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
    # A default session built earlier may have cached real credentials.
    boto3.DEFAULT_SESSION = None
    return removed


def _is_loopback(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return host in LOOPBACK_HOSTS or host.startswith("127.")


def _refusal(url: str) -> RealAWSRefused:
    return RealAWSRefused(
        f"Refused to send a request to {urlsplit(url).hostname or url}: that is real AWS.\n"
        "This course never talks to real AWS. Start the local sandbox first:\n"
        "    from course_lib.sandbox import start\n"
        "    aws = start()\n"
        "and create clients with aws.client(...) (or plain boto3 after start())."
    )


def check_endpoint(url: str | None) -> None:
    """Raise :class:`RealAWSRefused` unless ``url`` is this machine (None: no endpoint given).

    The one place that decides whether the course may talk to an endpoint. A later "real AWS"
    mode would need an explicit opt-in checked here; there is none, so every endpoint that is
    not loopback (an ``amazonaws.com`` host, anything else, or a bare host name) is refused.
    """
    if url is not None and not _is_loopback(str(url)):
        raise _refusal(str(url))


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

    moto answers what it mocks; anything it lets through must be going to this machine
    (a local moto server), or it is refused before a socket is opened.
    """

    def __init__(self, stubber: Any) -> None:
        self.stubber = stubber

    def __call__(self, event_name: str, request: AWSPreparedRequest, **kwargs: Any) -> Any:
        response = self.stubber(event_name, request, **kwargs)
        if response is None:
            check_endpoint(request.url)  # moto did not answer: only this machine may
        return response


def install_guard() -> None:
    """Make every botocore client created from now on refuse requests to real AWS."""
    import botocore.session
    import moto.core.models as moto_models

    botocore.session.Session.create_client = _guard_create_client(botocore.session.Session.create_client)
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
        # Building a boto3 client costs milliseconds; cells and helpers ask for them constantly.
        self._clients: dict[tuple[str, str], Any] = {}

    # -- lifecycle -----------------------------------------------------------------------
    def start(self) -> "Sandbox":
        with self._lock:
            force_safe_environment()
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
        return self

    def stop(self) -> None:
        """Stop the sandbox. Clients refuse to send anything afterwards."""
        with self._lock:
            from course_lib import wiring

            wiring.stop()  # the front door and server mode
            if self._mock is not None:
                self._mock.stop()
                self._mock = None
            from course_lib import runtime

            runtime.forget_environments()

    def reset(self) -> "Sandbox":
        """Back to a clean, empty account (every resource and log gone, warm starts forgotten)."""
        with self._lock:
            if self._mock is None:
                return self.start()
            self._mock.reset()
            from course_lib import runtime, wiring

            runtime.forget_environments()
            wiring.reset()  # no timers or queued work from the old account; clock on wall time
        return self

    @property
    def running(self) -> bool:
        return self._mock is not None

    # -- clients ---------------------------------------------------------------------------
    def client(self, service: str, region: str | None = None) -> Any:
        """A boto3 client bound to the sandbox (refuses real AWS by construction)."""
        if self._session is None:
            self.start()
        assert self._session is not None
        key = (service, region or REGION)
        client = self._clients.get(key)
        if client is None:
            client = self._clients[key] = self._session.client(service, region_name=key[1])
        return client

    def resource(self, service: str, region: str | None = None) -> Any:
        if self._session is None:
            self.start()
        assert self._session is not None
        return self._session.resource(service, region_name=region or REGION)

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

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"<Sandbox {state}: account {ACCOUNT_ID}, region {REGION}, in-process moto>"

    def _repr_markdown_(self) -> str:
        if not self.running:
            return "**Sandbox stopped.** Clients refuse every request until `start()`."
        return (
            f"**Sandbox running**: local AWS account `{ACCOUNT_ID}` in `{REGION}` (moto, in-process). "
            "Fake credentials, no network: nothing here can reach or bill a real AWS account."
        )


_SANDBOX = Sandbox()


def start() -> Sandbox:
    """Start (or return) the course's sandbox. Safe to run twice."""
    return _SANDBOX.start()


def current() -> Sandbox:
    """The process's sandbox object (it may be stopped)."""
    return _SANDBOX


def reset() -> Sandbox:
    return _SANDBOX.reset()


def stop() -> None:
    _SANDBOX.stop()


def home_has_real_credentials(home: Path | None = None) -> bool:
    """True when ``~/.aws/credentials`` exists: the sandbox ignores it, but we say so."""
    return ((home or Path.home()) / ".aws" / "credentials").exists()
