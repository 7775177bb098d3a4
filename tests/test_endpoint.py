"""Choosing the target, the host rules, settings, and talking to a server (course_lib.endpoint).

The course's own server and a real moto server are exercised in tests/test_endpoint_mode.py;
here LocalStack's two documented routes (health, state reset) are played by a small local HTTP
server, since LocalStack itself needs Docker.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Iterator

import pytest

from course_lib import endpoint, sandbox, settings
from course_lib.endpoint import EndpointError, EndpointUnreachable, RealAWSRefused, ServerInfo, select_target

# -- host rules -------------------------------------------------------------------------------
ALLOWED_ENDPOINTS = [
    "http://127.0.0.1:5000",
    "http://127.9.9.9:5000",
    "http://localhost:4566",
    "http://[::1]:4566",
    "http://0.0.0.0:4566",
    "http://moto.localhost:5000",
    "http://localstack:4566",  # a docker-compose service name
    "http://moto_server:5000",
    "http://192.168.1.20:4566",
    "http://10.0.0.7:4566",
    "http://172.20.0.2:4566",
    "https://localhost.localstack.cloud:4566",
    "http://s3.localhost.localstack.cloud:4566",
]
AWS_ENDPOINTS = [
    "https://s3.amazonaws.com",
    "https://dynamodb.eu-west-1.amazonaws.com",
    "https://sts.cn-north-1.amazonaws.com.cn",
    "https://lambda.us-east-1.api.aws",
    "https://abc123.lambda-url.us-east-1.on.aws",
    "https://abc.execute-api.us-east-1.amazonaws.com.",  # a trailing dot is the same host
    "http://169.254.169.254",  # instance metadata: real credentials
    "http://[fd00:ec2::254]",
    "http://169.254.10.10:4566",  # anywhere link-local: the metadata service's range
]
OTHER_REFUSED = [
    "http://localstack.example.com:4566",  # public name: could be anything, even a proxy to AWS
    "http://8.8.8.8:4566",
    "http://amazonaws.com.evil.example:80",
]


@pytest.mark.parametrize("url", ALLOWED_ENDPOINTS)
def test_local_and_own_network_endpoints_are_allowed(url: str) -> None:
    assert endpoint.endpoint_problem(endpoint.host_of(url)) is None
    assert endpoint.validate_endpoint(url + "/", "COURSE_ENDPOINT_URL") == url.rstrip("/")


@pytest.mark.parametrize("url", AWS_ENDPOINTS)
def test_aws_hosts_are_never_an_endpoint(url: str) -> None:
    assert endpoint.is_aws_host(endpoint.host_of(url))
    with pytest.raises(RealAWSRefused, match="real AWS") as refused:
        endpoint.validate_endpoint(url, "COURSE_ENDPOINT_URL")
    assert "COURSE_REAL_AWS=1" in str(refused.value)  # says where the real opt-in is


@pytest.mark.parametrize("url", OTHER_REFUSED)
def test_public_hosts_are_refused_with_the_tunnel_advice(url: str) -> None:
    with pytest.raises(EndpointError, match="ssh -L") as refused:
        endpoint.validate_endpoint(url, "COURSE_ENDPOINT_URL")
    assert endpoint.host_of(url) in str(refused.value) and not isinstance(refused.value, RealAWSRefused)


@pytest.mark.parametrize(
    "value, problem",
    [("127.0.0.1:5000", "not an endpoint URL"), ("ftp://127.0.0.1", "not an endpoint URL"),
     ("http://127.0.0.1:5000/api", "no path"), ("http://127.0.0.1:99999", "port"), ("http://", "not an endpoint URL")],
)
def test_malformed_endpoints_get_a_clear_message(value: str, problem: str) -> None:
    with pytest.raises(EndpointError, match=problem):
        endpoint.validate_endpoint(value, "start(endpoint=...)")


# -- choosing the target ----------------------------------------------------------------------
NO_SETTINGS = settings.Settings()
LOCAL = "http://127.0.0.1:5000"


def test_the_default_is_in_process() -> None:
    assert select_target(environ={}, settings=NO_SETTINGS) == endpoint.Target("in-process")


def test_first_match_wins_argument_then_variable_then_file_then_aws_endpoint_url() -> None:
    env = {"COURSE_ENDPOINT_URL": "http://127.0.0.1:2", "AWS_ENDPOINT_URL": "http://127.0.0.1:4"}
    file = settings.Settings(endpoint_url="http://127.0.0.1:3", path=Path("/x/settings.toml"))
    assert select_target("http://127.0.0.1:1", environ=env, settings=file).url == "http://127.0.0.1:1"
    assert select_target(environ=env, settings=file).key == ("endpoint", "http://127.0.0.1:2")
    chosen = select_target(environ={"AWS_ENDPOINT_URL": "http://127.0.0.1:4"}, settings=file)
    assert chosen.url == "http://127.0.0.1:3" and "/x/settings.toml" in chosen.source
    chosen = select_target(environ={"AWS_ENDPOINT_URL": "http://127.0.0.1:4"}, settings=NO_SETTINGS)
    assert chosen.key == ("endpoint", "http://127.0.0.1:4") and chosen.source == "AWS_ENDPOINT_URL"
    assert select_target(environ={"COURSE_ENDPOINT_URL": "  "}, settings=NO_SETTINGS).kind == "in-process"


def test_a_leftover_aws_endpoint_url_to_real_aws_is_ignored_not_obeyed() -> None:
    """A learner's shell often has one; it must neither break the course nor reach AWS."""
    for leftover in ("https://dynamodb.eu-west-1.amazonaws.com", "http://localstack.example.com:4566"):
        chosen = select_target(environ={"AWS_ENDPOINT_URL": leftover}, settings=NO_SETTINGS)
        assert chosen.kind == "in-process" and "AWS_ENDPOINT_URL was ignored" in chosen.note


def test_an_explicit_real_aws_endpoint_is_refused_not_ignored() -> None:
    with pytest.raises(RealAWSRefused, match="COURSE_ENDPOINT_URL points at s3.amazonaws.com: that is real AWS"):
        select_target(environ={"COURSE_ENDPOINT_URL": "https://s3.amazonaws.com"}, settings=NO_SETTINGS)
    with pytest.raises(RealAWSRefused):
        select_target("https://sts.amazonaws.com", environ={}, settings=NO_SETTINGS)


def test_in_process_and_real_aws_override_and_exclude() -> None:
    env = {"COURSE_ENDPOINT_URL": LOCAL}
    assert select_target(in_process=True, environ=env, settings=NO_SETTINGS).kind == "in-process"
    assert select_target(real_aws=True, environ=env, settings=NO_SETTINGS).kind == "real-aws"
    with pytest.raises(EndpointError, match="Choose one"):
        select_target(LOCAL, real_aws=True, environ={}, settings=NO_SETTINGS)
    with pytest.raises(EndpointError, match="cannot be combined"):
        select_target(LOCAL, in_process=True, environ={}, settings=NO_SETTINGS)


# -- the settings file ------------------------------------------------------------------------
def test_the_settings_file_lives_in_the_course_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COURSE_HOME", str(tmp_path))
    monkeypatch.delenv("COURSE_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    from course_lib.quiz import progress

    assert progress.course_home() == settings.course_home() == tmp_path  # one home for both
    assert select_target().kind == "in-process"  # no file: defaults
    (tmp_path / "settings.toml").write_text('endpoint_url = "http://localstack:4566"\nreal_aws = false\n')
    chosen = select_target()
    assert chosen.key == ("endpoint", "http://localstack:4566") and str(tmp_path) in chosen.source


@pytest.mark.parametrize(
    "text, problem",
    [("endpoint_url = http://x", "not valid TOML"), ('endpont_url = "http://127.0.0.1:1"', "unknown setting"),
     ('real_aws = "yes"', "real_aws must be true or false"), ("endpoint_url = 5000", "endpoint_url must be a quoted string")],
)
def test_a_bad_settings_file_is_reported_with_its_path(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "settings.toml"
    path.write_text(text)
    with pytest.raises(settings.SettingsError, match=problem) as bad:
        settings.load(path)
    assert str(path) in str(bad.value)


def test_a_settings_file_is_read_completely(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text('endpoint_url = "http://127.0.0.1:5000"\nreal_aws = true\nprofile = "course"\nregion = "eu-west-1"\n')
    assert settings.load(path) == settings.Settings("http://127.0.0.1:5000", True, "course", "eu-west-1", path)


# -- the guard in endpoint mode ---------------------------------------------------------------
@pytest.fixture
def endpoint_route(monkeypatch: pytest.MonkeyPatch) -> None:
    """The guard's state as start(endpoint="http://localstack:4566") leaves it (no server needed)."""
    monkeypatch.setattr(sandbox._ROUTE, "endpoint_url", "http://localstack:4566")
    monkeypatch.setattr(sandbox._ROUTE, "endpoint_host", "localstack")


def test_in_endpoint_mode_only_the_named_host_and_this_machine_are_reachable(endpoint_route: None) -> None:
    sandbox.check_endpoint("http://localstack:4566/2015-03-31/functions/")
    sandbox.check_endpoint("http://127.0.0.1:5000")
    for url in ("http://moto:5000", "https://s3.amazonaws.com", "http://localstack.example.com:4566"):
        with pytest.raises(RealAWSRefused, match="aws = start()"):
            sandbox.check_endpoint(url)


def test_an_api_gateway_url_goes_to_the_endpoint_with_its_host(endpoint_route: None) -> None:
    request = SimpleNamespace(url="https://abc123.execute-api.us-east-1.amazonaws.com/prod/items?x=1", headers={})
    sandbox._check_http_request(request)
    assert request.url == "http://localstack:4566/prod/items?x=1"
    assert request.headers["Host"] == "abc123.execute-api.us-east-1.amazonaws.com"
    with pytest.raises(RealAWSRefused, match="s3.amazonaws.com: that is real AWS"):
        sandbox._check_http_request(SimpleNamespace(url="https://s3.amazonaws.com/bucket", headers={}))
    sandbox._check_http_request(SimpleNamespace(url="https://pypi.org/simple", headers={}))  # not AWS: not ours


def test_requests_to_aws_are_refused_before_a_socket_opens(aws: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    import requests

    def no_socket(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a socket was opened")

    monkeypatch.setattr(socket.socket, "connect", no_socket)
    monkeypatch.setattr(socket, "getaddrinfo", no_socket)
    with pytest.raises(RealAWSRefused, match="lambda.us-east-1.api.aws: that is real AWS"):
        requests.get("https://lambda.us-east-1.api.aws/2015-03-31/functions/")  # moto does not answer api.aws
    aws.stop()
    try:
        with pytest.raises(RealAWSRefused, match="that is real AWS"):
            requests.get("https://s3.amazonaws.com/bucket")  # stopped: nothing local answers at all
    finally:
        aws.start()


def test_helpers_that_need_the_kernels_moto_say_so(endpoint_route: None, monkeypatch: pytest.MonkeyPatch) -> None:
    from course_lib import clock

    monkeypatch.setattr(sandbox._SANDBOX, "_target", endpoint.Target("endpoint", "http://localstack:4566"))
    with pytest.raises(sandbox.EndpointModeUnsupported, match="clock.advance needs the in-process sandbox"):
        clock.advance(minutes=1)
    with pytest.raises(sandbox.EndpointModeUnsupported, match="in_process=True"):
        clock.settle()


# -- talking to a server ----------------------------------------------------------------------
class _FakeLocalStack(BaseHTTPRequestHandler):
    """LocalStack's health and state-reset routes, as its documentation describes them."""

    reset_status = 200
    calls: list[tuple[str, str]] = []

    def _answer(self, status: int, document: Any) -> None:
        body = json.dumps(document).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 - the base class's name
        self.calls.append(("GET", self.path))
        if self.path == "/_localstack/health":
            self._answer(200, {"services": {"s3": "running"}, "edition": "community", "version": "4.0.0"})
        else:
            self._answer(404, {"error": "not found"})

    def do_POST(self) -> None:  # noqa: N802
        self.calls.append(("POST", self.path))
        if self.path == "/_localstack/state/reset":
            self._answer(self.reset_status, {})
        else:
            self._answer(404, {"error": "not found"})

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def fake_localstack() -> Iterator[tuple[str, type[_FakeLocalStack]]]:
    handler = type("Handler", (_FakeLocalStack,), {"calls": [], "reset_status": 200})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", handler
    finally:
        server.shutdown()
        server.server_close()


def test_localstack_is_recognised_and_reset_through_its_state_api(fake_localstack: Any) -> None:
    url, handler = fake_localstack
    info = endpoint.connect(url, "COURSE_ENDPOINT_URL")
    assert (info.kind, info.version, info.short) == ("localstack", "4.0.0", "LocalStack")
    assert "Reset LocalStack" in endpoint.reset(info)
    assert ("POST", "/_localstack/state/reset") in handler.calls
    handler.reset_status = 403  # a version whose state API is restricted
    with pytest.raises(EndpointError, match="docker compose restart localstack"):
        endpoint.reset(info)


def test_an_unknown_server_is_not_reset_blindly(fake_localstack: Any) -> None:
    url, handler = fake_localstack
    info = ServerInfo(url, "unknown")
    with pytest.raises(EndpointError, match="does not know how to empty it"):
        endpoint.reset(info)
    assert not [c for c in handler.calls if c[0] == "POST"]


def test_nothing_listening_says_how_to_start_a_server() -> None:
    import socket

    with socket.socket() as s:  # a port that was free a moment ago, now closed
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(EndpointUnreachable, match=f"python -m course_lib.server --standalone --port {port}"):
        endpoint.connect(f"http://127.0.0.1:{port}", "COURSE_ENDPOINT_URL")


def test_the_servers_own_api_is_never_called_off_the_allowed_hosts(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    def no_socket(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a socket was opened")

    monkeypatch.setattr(socket, "create_connection", no_socket)
    monkeypatch.setattr(socket.socket, "connect", no_socket)
    with pytest.raises(RealAWSRefused):
        endpoint.reset(ServerInfo("https://s3.amazonaws.com", "moto"))
