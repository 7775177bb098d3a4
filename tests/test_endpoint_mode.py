"""Endpoint mode for real: chapter 02 against the course's standalone moto server, in a fresh kernel.

The server is started the way a learner starts it (``python -m course_lib.server --standalone``,
here on a free port), as a process of its own: handlers run there, and the notebook's kernel
reaches it only over HTTP on loopback. A plain moto server (``python -m moto.server``) checks
that the course recognises and resets one too.
"""

from __future__ import annotations

import base64
import io
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
import zipfile
from pathlib import Path
from typing import Any, Iterator

import boto3
import nbformat
import pytest

from course_lib import endpoint

ROOT = Path(__file__).resolve().parents[1]
CHAPTER = ROOT / "notebooks" / "02_lambda.ipynb"
SANITIZE = [  # the same masks as tests/nbval_sanitize.cfg
    (re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), "UUID"),
    (re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?"), "TIMESTAMP"),
    (re.compile(r"\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}"), "LOG-STREAM"),
    (re.compile(r"at 0x[0-9a-f]+"), "at 0xADDRESS"),
]
CHAPTER_FUNCTIONS = {"hello", "show-context", "counter", "greeter", "logger", "divide", "forever", "power-tuning"}


def _clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without any AWS or endpoint setting (the sandbox forced fakes here)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "MOTO_", "COURSE_ENDPOINT"))}
    env.update(extra)
    return env


def _wait_for(process: subprocess.Popen[str], pattern: str, timeout: float = 30.0) -> re.Match[str]:
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            break
        seen.append(line)
        match = re.search(pattern, line)
        if match:
            return match
    raise AssertionError(f"server did not start: {''.join(seen)}{process.stderr.read() if process.stderr else ''}")


def _stop(process: subprocess.Popen[str]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="module")
def course_server() -> Iterator[str]:
    """``python -m course_lib.server --standalone --port 0``: its URL, read from what it prints."""
    home = tempfile.mkdtemp(prefix="course-server-home-")
    process = subprocess.Popen(
        [sys.executable, "-m", "course_lib.server", "--standalone", "--port", "0"],
        cwd=ROOT, env=_clean_env(COURSE_HOME=home), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        yield _wait_for(process, r"at (http://127\.0\.0\.1:\d+)")[1]
    finally:
        _stop(process)


def _endpoint_client(url: str, service: str) -> Any:
    return boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing").client(
        service, region_name="us-east-1", endpoint_url=url
    )


def _outputs(cell: Any) -> list[tuple[str, str]]:
    """A cell's text outputs (streams, text/plain, text/markdown), sanitized as nbval does."""
    out = []
    for output in cell.get("outputs", []):
        if output["output_type"] == "stream":
            out.append((output["name"], output["text"]))
        elif output["output_type"] in ("execute_result", "display_data"):
            out += [(kind, output["data"][kind]) for kind in ("text/plain", "text/markdown") if kind in output["data"]]
    text = json.dumps(out)
    for pattern, replacement in SANITIZE:
        text = pattern.sub(replacement, text)
    return [tuple(pair) for pair in json.loads(text)]


def test_chapter_02_runs_against_the_standalone_server(course_server: str) -> None:
    from nbclient import NotebookClient

    committed = nbformat.read(CHAPTER, as_version=4)
    notebook = nbformat.read(CHAPTER, as_version=4)
    with tempfile.TemporaryDirectory(prefix="course-home-") as home:
        env = _clean_env(
            COURSE_ENDPOINT_URL=course_server, COURSE_HOME=home, COURSE_LEARNER_ID="ci-learner",
            MPLBACKEND="module://matplotlib_inline.backend_inline",
        )
        NotebookClient(
            notebook, timeout=120, kernel_name="python3", allow_errors=True, store_widget_state=False,
            resources={"metadata": {"path": str(CHAPTER.parent)}},
        ).execute(env=env)

    errors = [(i, o["ename"], o["evalue"]) for i, c in enumerate(notebook.cells)
              for o in c.get("outputs", []) if o["output_type"] == "error"]
    assert errors == []

    # The setup cell says where the chapter ran.
    setup = next(c for c in notebook.cells if c.cell_type == "code" and "aws = start()" in c.source)
    shown = dict(_outputs(setup))
    assert f"course moto server at {course_server}" in shown["text/plain"]
    assert "another endpoint" in shown["text/markdown"]

    # Every deterministic output matches the committed in-process run: payloads, errors as the
    # caller sees them, handler output echoed from the server's logs, cold/warm starts read from
    # REPORT lines, the meter's per-function invocation counts, quiz self-test.
    compared = 0
    for mine, theirs in zip(notebook.cells, committed.cells):
        if mine.cell_type != "code" or mine is setup or mine.source.startswith("# NBVAL_IGNORE_OUTPUT"):
            continue
        assert _outputs(mine) == _outputs(theirs), mine.source
        compared += 1
    assert compared >= 25

    # What the chapter made exists on the server, read through the endpoint.
    lam = _endpoint_client(course_server, "lambda")
    names = {f["FunctionName"] for f in lam.get_paginator("list_functions").paginate().build_full_result()["Functions"]}
    assert CHAPTER_FUNCTIONS <= names
    greeter = lam.get_function_configuration(FunctionName="greeter")
    assert greeter["Environment"]["Variables"] == {"GREETING": "Bonjour", "STAGE": "prod"}
    logs = _endpoint_client(course_server, "logs")
    events = logs.filter_log_events(logGroupName="/aws/lambda/logger")["events"]
    assert [e["message"].split(" RequestId")[0].split("\t")[0] for e in events] == [
        "START", "processing order A-17", "[INFO]", "END", "REPORT"]


def _zip(source: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", source)
    return buffer.getvalue()


def test_reset_empties_the_course_server_and_forgets_warm_environments(course_server: str) -> None:
    iam, lam, s3 = (_endpoint_client(course_server, s) for s in ("iam", "lambda", "s3"))
    role = iam.create_role(RoleName="reset-probe", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    code = "def handler(event, context):\n    return 'ok'\n"

    def deploy_and_invoke_twice() -> list[bool]:
        lam.create_function(FunctionName="reset-probe", Runtime="python3.12", Role=role, Handler="app.handler",
                            Code={"ZipFile": _zip(code)})
        tails = [lam.invoke(FunctionName="reset-probe", LogType="Tail")["LogResult"] for _ in range(2)]
        return ["Init Duration" in base64.b64decode(t).decode() for t in tails]

    assert deploy_and_invoke_twice() == [True, False]  # cold, then warm
    s3.create_bucket(Bucket="reset-probe")
    info = endpoint.identify(course_server)
    assert info.kind == "course"
    assert "warm Lambda environments" in endpoint.reset(info)
    assert lam.list_functions()["Functions"] == [] and s3.list_buckets()["Buckets"] == []
    role = iam.create_role(RoleName="reset-probe", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    # Same code, same key: only a reset that also forgot the environments makes this cold again.
    assert deploy_and_invoke_twice() == [True, False]


ENDPOINT_SCRIPT = textwrap.dedent(
    """
    import json, os, socket
    real_connect = socket.socket.connect
    def guarded(self, address):
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and not (host.startswith("127.") or host in ("localhost", "::1")):
            raise AssertionError(f"network connection attempted to {address}")
        return real_connect(self, address)
    socket.socket.connect = guarded

    import boto3, requests
    from course_lib import clock, sandbox
    from course_lib.sandbox import start, RealAWSRefused, EndpointModeUnsupported
    aws = start(endpoint=os.environ["SERVER"])
    seen = {"mode": aws.mode, "account": aws.account_id, "repr": repr(aws)}
    boto3.client("s3").create_bucket(Bucket="made-with-plain-boto3")   # after start(): to the endpoint
    seen["buckets"] = [b["Name"] for b in aws.client("s3").list_buckets()["Buckets"]]
    seen["plain_endpoint"] = boto3.client("sqs").meta.endpoint_url
    refused = []
    for attempt in (
        lambda: boto3.client("s3", endpoint_url="https://s3.amazonaws.com"),
        lambda: requests.get("https://s3.amazonaws.com/made-with-plain-boto3"),
        lambda: boto3.client("s3", endpoint_url="http://localstack.example.com:4566"),
    ):
        try:
            attempt()
        except RealAWSRefused as exc:
            refused.append(str(exc).splitlines()[0])
    seen["refused"] = refused
    try:
        clock.advance(minutes=5)
    except EndpointModeUnsupported as exc:
        seen["clock"] = str(exc).splitlines()[0]
    aws.reset()
    seen["after_reset"] = aws.client("s3").list_buckets()["Buckets"]
    aws.stop()
    seen["endpoint_vars"] = sorted(k for k in os.environ if k.startswith("AWS_ENDPOINT_URL"))
    try:
        boto3.client("s3").list_buckets()
    except RealAWSRefused as exc:
        seen["stopped"] = str(exc).splitlines()[0]
    print(json.dumps(seen))
    """
)


def test_every_client_goes_to_the_endpoint_and_nowhere_else(course_server: str) -> None:
    out = subprocess.run([sys.executable, "-c", ENDPOINT_SCRIPT], cwd=ROOT, capture_output=True, text=True,
                         env=_clean_env(SERVER=course_server, AWS_ACCESS_KEY_ID="AKIAIOSFODNN7EXAMPLE",
                                        AWS_SECRET_ACCESS_KEY="realsecret", AWS_PROFILE="production"), timeout=120)
    assert out.returncode == 0, out.stderr
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen.pop("repr") == f"<Sandbox running: account 123456789012, region us-east-1, course moto server at {course_server}>"
    assert seen == {
        "mode": "endpoint",
        "account": "123456789012",
        "buckets": ["made-with-plain-boto3"],
        "plain_endpoint": course_server,
        "refused": [
            "Refused to send a request to s3.amazonaws.com: that is real AWS.",
            "Refused to send a request to s3.amazonaws.com: that is real AWS.",
            "Refused to send a request to localstack.example.com: it is neither this machine nor the endpoint "
            "you chose, so the course cannot tell it is not real AWS.",
        ],
        "clock": "clock.advance needs the in-process sandbox: the course clock that fires schedules, retries and "
                 f"queued work runs beside the in-process sandbox, and this kernel talks to the endpoint {course_server}.",
        "after_reset": [],
        "endpoint_vars": [],
        "stopped": "Refused to send a request to s3.amazonaws.com: that is real AWS.",
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_plain_moto_server_is_recognised_and_reset() -> None:
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                               env=_clean_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                endpoint.probe(url)
                break
            except endpoint.EndpointUnreachable:
                assert time.monotonic() < deadline and process.poll() is None, "moto server did not start"
                time.sleep(0.1)
        info = endpoint.identify(url)
        assert info.kind == "moto" and "needs Docker" in info.description
        s3 = _endpoint_client(url, "s3")
        s3.create_bucket(Bucket="plain-moto")
        assert endpoint.reset(info) == f"Reset the moto server at {url}: every resource is gone."
        assert s3.list_buckets()["Buckets"] == []
    finally:
        _stop(process)
