"""Build-it checks: inspect what the learner built in the sandbox and say exactly what is missing.

A check is a function registered by name. It takes the sandbox (anything with
``.client(service)``) and the task's arguments, and returns one :class:`CheckItem` per thing it
looked at, so feedback reads like a reviewer's list::

    function quiz-greeter exists: ok
    memory is 128 MB, expected 256 MB
    environment variable GREETING missing

Each check also registers a ``solve`` function that builds a passing resource. ``course check``
uses it to prove, in a throwaway moto account, that the check passes on a correct build and
fails on an empty account, so a broken check never reaches a learner.

Checks only read the sandbox (``get_*``/``list_*`` calls); they never change it.
"""

from __future__ import annotations

import contextlib
import difflib
import io
import itertools
import json
import os
import zipfile
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Mapping


@dataclass(frozen=True)
class CheckItem:
    """One thing a check looked at. ``message`` is a full sentence, right or wrong."""

    ok: bool
    message: str

    def line(self) -> str:
        return f"{self.message}: ok" if self.ok else self.message


@dataclass(frozen=True)
class BuildCheck:
    name: str
    inspect: Callable[..., list[CheckItem]]
    solve: Callable[..., None]

    @property
    def summary(self) -> str:
        return (self.inspect.__doc__ or self.name).strip().splitlines()[0]


CHECKS: dict[str, BuildCheck] = {}


def build_check(name: str, *, solve: Callable[..., None]) -> Callable[[Callable[..., list[CheckItem]]], Callable[..., list[CheckItem]]]:
    """Register ``fn(sandbox, **args) -> list[CheckItem]`` as the check called ``name``."""

    def register(fn: Callable[..., list[CheckItem]]) -> Callable[..., list[CheckItem]]:
        CHECKS[name] = BuildCheck(name, fn, solve)
        return fn

    return register


def run_check(name: str, sandbox: Any, args: Mapping[str, Any]) -> list[CheckItem]:
    """Run a check; an unexpected error becomes a failing item, never a traceback."""
    try:
        return list(CHECKS[name].inspect(sandbox, **dict(args)))
    except Exception as err:  # the learner's sandbox can be in any state
        return [CheckItem(False, f"could not inspect the sandbox ({type(err).__name__}: {err})")]


# -- a throwaway account for `course check` and tests -------------------------------------------
class _Account:
    """The smallest sandbox stand-in: plain boto3 clients inside an active moto mock."""

    region = "us-east-1"

    def client(self, service: str) -> Any:
        import boto3

        return boto3.client(service, region_name=self.region)


_throwaway_accounts = itertools.count(1)


@contextlib.contextmanager
def isolated_account() -> Iterator[Any]:
    """An empty moto account with fake credentials; the environment is restored afterwards.

    It is a fresh account id (moto keeps state per account), so even when a sandbox is already
    running in this process (moto mocks nest and share state) the learner's resources are
    neither seen nor touched.
    """
    from moto import mock_aws

    from course_lib.sandbox import force_safe_environment, install_guard

    saved = dict(os.environ)
    force_safe_environment()
    install_guard()
    # moto reads MOTO_ACCOUNT_ID on every request: this account exists only for this block.
    account_id = str(900_000_000_000 + next(_throwaway_accounts))
    os.environ["MOTO_ACCOUNT_ID"] = account_id
    try:
        with mock_aws():
            try:
                yield _Account()
            finally:
                _forget_buckets(account_id)
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _forget_buckets(account_id: str) -> None:
    """Empty the throwaway account's S3. Bucket names are global across moto's accounts (as on
    AWS), and when a sandbox is already running (a kernel, a test session) the nested mock's exit
    resets nothing: a bucket built here would then "already exist" for the learner and for the
    next check that builds the same name."""
    from moto.s3.models import s3_backends

    for backend in list(s3_backends[account_id].values()):
        backend.reset()


def _role_arn(sandbox: Any, name: str = "course-quiz-solution-role") -> str:
    iam = sandbox.client("iam")
    try:
        return iam.get_role(RoleName=name)["Role"]["Arn"]
    except iam.exceptions.NoSuchEntityException:
        trust = {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
        }
        return iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]


def _zip(source: str, filename: str = "app.py") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo(filename, date_time=(1980, 1, 1, 0, 0, 0)), source)
    return buffer.getvalue()


def _near(name: str, existing: list[str]) -> str:
    close = difflib.get_close_matches(name, existing, n=2, cutoff=0.6)
    return f"; the sandbox has {', '.join(f'`{c}`' for c in close)}: check the name" if close else ""


def lets_service_invoke(lam: Any, function: str, service: str) -> bool:
    """Whether ``function``'s resource policy allows ``service`` (``s3.amazonaws.com``...) to invoke it."""
    try:
        policy = json.loads(lam.get_policy(FunctionName=function)["Policy"])
    except lam.exceptions.ResourceNotFoundException:
        return False
    for statement in policy.get("Statement", []):
        principal = statement.get("Principal")
        granted = principal.get("Service") if isinstance(principal, dict) else principal
        actions = statement.get("Action")
        actions = actions if isinstance(actions, list) else [actions]
        if statement.get("Effect", "Allow") == "Allow" and granted == service and \
                any(a in ("lambda:InvokeFunction", "lambda:*") for a in actions):
            return True
    return False


# -- Lambda function ----------------------------------------------------------------------------
def _solve_lambda_function(
    sandbox: Any,
    name: str,
    runtime: str | None = None,
    memory_mb: int | None = None,
    timeout_s: int | None = None,
    environment: Mapping[str, str] | None = None,
    handler: str | None = None,
) -> None:
    sandbox.client("lambda").create_function(
        FunctionName=name,
        Runtime=runtime or "python3.13",
        Role=_role_arn(sandbox),
        Handler=handler or "app.handler",
        Code={"ZipFile": _zip("def handler(event, context):\n    return {}\n")},
        MemorySize=memory_mb or 128,
        Timeout=timeout_s or 3,
        Environment={"Variables": dict(environment or {})},
    )


@build_check("lambda_function", solve=_solve_lambda_function)
def lambda_function(
    sandbox: Any,
    name: str,
    runtime: str | None = None,
    memory_mb: int | None = None,
    timeout_s: int | None = None,
    environment: Mapping[str, str] | None = None,
    handler: str | None = None,
) -> list[CheckItem]:
    """A Lambda function with this name, runtime, memory, timeout, handler and environment."""
    client = sandbox.client("lambda")
    try:
        config = client.get_function_configuration(FunctionName=name)
    except client.exceptions.ResourceNotFoundException:
        names = [f["FunctionName"] for f in client.list_functions().get("Functions", [])]
        return [CheckItem(False, f"function {name} not found in the sandbox{_near(name, names)}")]
    items = [CheckItem(True, f"function {name} exists")]
    if runtime is not None:
        got = config.get("Runtime")
        items.append(CheckItem(True, f"runtime is {got}") if got == runtime else CheckItem(False, f"runtime is {got}, expected {runtime}"))
    if memory_mb is not None:
        got = config.get("MemorySize")
        items.append(
            CheckItem(True, f"memory is {got} MB") if got == memory_mb else CheckItem(False, f"memory is {got} MB, expected {memory_mb} MB")
        )
    if timeout_s is not None:
        got = config.get("Timeout")
        items.append(
            CheckItem(True, f"timeout is {got} s") if got == timeout_s else CheckItem(False, f"timeout is {got} s, expected {timeout_s} s")
        )
    if handler is not None:
        got = config.get("Handler")
        items.append(CheckItem(True, f"handler is {got}") if got == handler else CheckItem(False, f"handler is {got}, expected {handler}"))
    variables = (config.get("Environment") or {}).get("Variables") or {}
    for key, want in (environment or {}).items():
        if key not in variables:
            hint = _near(key, list(variables)).replace("the sandbox has", "the function has")
            items.append(CheckItem(False, f"environment variable {key} missing{hint}"))
        elif variables[key] != str(want):
            items.append(CheckItem(False, f"environment variable {key} is {variables[key]!r}, expected {str(want)!r}"))
        else:
            items.append(CheckItem(True, f"environment variable {key} is {str(want)!r}"))
    return items


# -- SQS queue with a dead-letter queue ---------------------------------------------------------
def _solve_sqs_queue(
    sandbox: Any,
    name: str,
    fifo: bool | None = None,
    dlq_max_receive_count: int | None = None,
    dlq_name: str | None = None,
) -> None:
    sqs = sandbox.client("sqs")
    attributes: dict[str, str] = {"FifoQueue": "true"} if fifo else {}
    if dlq_max_receive_count is not None:
        dead = dlq_name or (name.removesuffix(".fifo") + "-dlq" + (".fifo" if fifo else ""))
        dlq_url = sqs.create_queue(QueueName=dead, Attributes=dict(attributes))["QueueUrl"]
        dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        attributes["RedrivePolicy"] = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": dlq_max_receive_count})
    sqs.create_queue(QueueName=name, Attributes=attributes)


@build_check("sqs_queue", solve=_solve_sqs_queue)
def sqs_queue(
    sandbox: Any,
    name: str,
    fifo: bool | None = None,
    dlq_max_receive_count: int | None = None,
    dlq_name: str | None = None,
) -> list[CheckItem]:
    """An SQS queue, FIFO or not, optionally with a dead-letter queue and its maxReceiveCount."""
    sqs = sandbox.client("sqs")
    try:
        url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
    except sqs.exceptions.QueueDoesNotExist:
        names = [u.rsplit("/", 1)[-1] for u in sqs.list_queues().get("QueueUrls", [])]
        return [CheckItem(False, f"queue {name} not found in the sandbox{_near(name, names)}")]
    items = [CheckItem(True, f"queue {name} exists")]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    is_fifo = attributes.get("FifoQueue") == "true"
    if fifo is not None:
        kind = "a FIFO queue" if is_fifo else "a standard queue"
        items.append(CheckItem(is_fifo == fifo, f"queue is {kind}" if is_fifo == fifo else f"queue is {kind}, expected {'FIFO' if fifo else 'standard'}"))
    if dlq_max_receive_count is None and dlq_name is None:
        return items
    raw_policy = attributes.get("RedrivePolicy")
    if not raw_policy:
        items.append(CheckItem(False, "no dead-letter queue: the queue has no RedrivePolicy"))
        return items
    policy = json.loads(raw_policy)
    target = str(policy.get("deadLetterTargetArn", ""))
    dead_name = target.rsplit(":", 1)[-1]
    try:
        dead_url = sqs.get_queue_url(QueueName=dead_name)["QueueUrl"]
    except sqs.exceptions.QueueDoesNotExist:
        items.append(CheckItem(False, f"the dead-letter queue {dead_name} named in the RedrivePolicy does not exist"))
        return items
    items.append(CheckItem(True, f"dead-letter queue {dead_name} exists"))
    if dlq_name is not None and dead_name != dlq_name:
        items.append(CheckItem(False, f"dead-letter queue is {dead_name}, expected {dlq_name}"))
    if is_fifo:
        dead_fifo = sqs.get_queue_attributes(QueueUrl=dead_url, AttributeNames=["FifoQueue"])["Attributes"].get("FifoQueue") == "true"
        items.append(
            CheckItem(True, "dead-letter queue is FIFO too") if dead_fifo else CheckItem(False, "dead-letter queue is standard; a FIFO queue needs a FIFO dead-letter queue")
        )
    if dlq_max_receive_count is not None:
        got = int(policy.get("maxReceiveCount", 0))
        items.append(
            CheckItem(True, f"maxReceiveCount is {got}")
            if got == dlq_max_receive_count
            else CheckItem(False, f"maxReceiveCount is {got}, expected {dlq_max_receive_count}")
        )
    return items


def _load_check_modules() -> None:
    """Import every module of ``build_checks`` so their ``@build_check`` functions register."""
    import importlib
    import pkgutil

    from course_lib.quiz import build_checks

    for module in pkgutil.iter_modules(build_checks.__path__):
        importlib.import_module(f"{build_checks.__name__}.{module.name}")


_load_check_modules()
