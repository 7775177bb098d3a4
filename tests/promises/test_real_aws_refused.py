"""Real AWS is refused, with a clear message, however the learner points the course at it.

No switch alone is an opt-in: every endpoint that is not this machine is refused, whether it
arrives as ``endpoint_url=``, as an ``AWS_ENDPOINT_URL*`` variable set after ``start()``, or as a
request moto does not answer (a stopped sandbox), whatever variables a learner guesses at. The one
real-AWS route needs a setting *and* a confirmation naming the account (``tests/test_real_aws.py``). The complementary proof,
that no notebook ever reaches the network even with real-looking credentials, is
``tests/notebooks/run_isolated.py`` (every notebook, network cut).
"""

from __future__ import annotations

import boto3
import pytest

from course_lib import sandbox
from course_lib.sandbox import RealAWSRefused, check_endpoint

REAL = [
    "https://s3.amazonaws.com",
    "https://s3.eu-west-1.amazonaws.com/my-bucket",
    "https://sqs.us-east-1.amazonaws.com/",
    "https://lambda.us-east-1.amazonaws.com",
    "https://dynamodb.us-east-1.amazonaws.com:443",
    "https://sts.amazonaws.com.cn",
    "http://169.254.169.254/latest/meta-data/",  # the EC2 metadata service: real credentials
    "https://localstack.example.com:4566",  # not this machine either
    "s3.amazonaws.com",  # no scheme: cannot be shown to be local, so refused
]
LOCAL = ["http://127.0.0.1:5000", "http://localhost:4566/", "http://[::1]:8000", "http://127.0.0.2:9"]
# Switches a learner might guess at: none of them is an opt-in.
GUESSED_OPT_INS = {"COURSE_REAL_AWS": "1", "COURSE_ALLOW_REAL_AWS": "true", "REAL_AWS": "yes", "AWS_REAL": "1"}


@pytest.mark.parametrize("url", REAL)
def test_check_endpoint_refuses_every_real_endpoint_with_a_clear_message(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in GUESSED_OPT_INS.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(RealAWSRefused) as refused:
        check_endpoint(url)
    message = str(refused.value)
    host = url.split("://")[-1].split("/")[0].rsplit(":", 1)[0] if "://" in url else url
    assert host in message and "real AWS" in message
    assert "aws = start()" in message  # says what to do instead


@pytest.mark.parametrize("url", LOCAL)
def test_check_endpoint_allows_this_machine(url: str) -> None:
    check_endpoint(url)  # the course's own server mode lives here
    check_endpoint(None)  # no endpoint given: the SDK's default, which moto answers


@pytest.mark.parametrize("url", REAL[:4])
def test_a_client_the_learner_points_at_real_aws_is_refused_when_made(aws, url: str) -> None:
    with pytest.raises(RealAWSRefused, match="real AWS"):
        boto3.client("s3", endpoint_url=url)
    with pytest.raises(RealAWSRefused, match="real AWS"):
        boto3.session.Session().client("sqs", "us-east-1", None, True, None, url)  # positional, too
    with pytest.raises(RealAWSRefused, match="real AWS"):
        boto3.resource("dynamodb", endpoint_url=url)
    assert aws.client("s3").list_buckets()["Buckets"] == []  # the sandbox itself is untouched


def test_an_endpoint_variable_set_after_start_is_refused(aws, monkeypatch: pytest.MonkeyPatch) -> None:
    """start() removes AWS_ENDPOINT_URL*; one set later (a cell, a %env) cannot slip through."""
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
        with monkeypatch.context() as env:
            env.setenv(name, "https://s3.eu-west-1.amazonaws.com")
            with pytest.raises(RealAWSRefused, match="s3.eu-west-1.amazonaws.com"):
                boto3.client("s3")
    boto3.client("s3").list_buckets()  # gone again: clients work
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:5000")
    assert boto3.client("s3").meta.endpoint_url == "http://127.0.0.1:5000"  # local server mode is fine


def test_a_local_endpoint_is_still_allowed(aws) -> None:
    client = boto3.client("s3", endpoint_url="http://127.0.0.1:1")
    assert client.meta.endpoint_url == "http://127.0.0.1:1"


def test_no_switch_turns_the_refusal_off_even_when_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    """Stopped, nothing answers locally: the request itself is refused before a socket opens."""
    for name, value in GUESSED_OPT_INS.items():
        monkeypatch.setenv(name, value)
    box = sandbox.start()
    box.stop()
    try:
        client = boto3.client("sts", region_name="us-east-1")
        with pytest.raises(RealAWSRefused, match=r"sts\.(us-east-1\.)?amazonaws\.com: that is real AWS"):
            client.get_caller_identity()
        with pytest.raises(RealAWSRefused):
            boto3.client("s3", endpoint_url="https://s3.amazonaws.com")
    finally:
        sandbox.start()
