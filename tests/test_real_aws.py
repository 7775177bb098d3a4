"""The real-AWS opt-in: off unless a setting AND a confirmation naming the account; never the network here.

Each scenario runs in a fresh interpreter (real AWS needs a kernel where the sandbox has not
replaced the credentials) with real-looking keys and a socket guard that records and fails any
connection or name lookup: refusals must come before a socket, and STS and the listing calls of
the confirmation are answered by botocore's Stubber.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from course_lib import pricing, real_aws, settings

ROOT = Path(__file__).resolve().parents[1]

PRELUDE = textwrap.dedent(
    """
    import json, socket
    attempts = []
    def _refuse(*args, **kwargs):
        attempts.append(repr(args[1:] if args and isinstance(args[0], socket.socket) else args)[:80])
        raise AssertionError("the test's socket guard: no network here")
    socket.socket.connect = _refuse
    socket.socket.connect_ex = _refuse
    socket.getaddrinfo = _refuse
    import boto3, requests
    from botocore.stub import Stubber
    from course_lib import sandbox
    from course_lib.sandbox import RealAWSRefused, start
    seen = {}
    def refused(call):
        try:
            call()
        except RealAWSRefused as exc:
            return str(exc)
        return "NOT REFUSED"
    """
)

WITHOUT_SETTING = PRELUDE + textwrap.dedent(
    """
    seen["start"] = refused(lambda: start(real_aws=True))
    seen["plain_sts"] = refused(lambda: boto3.client("sts").get_caller_identity())
    seen["requests"] = refused(lambda: requests.get("https://sts.amazonaws.com/"))
    seen["attempts"] = attempts
    print(json.dumps(seen))
    """
)

SETTING_ALONE = PRELUDE + textwrap.dedent(
    """
    aws = start()                       # the setting is on, but nothing asked for real AWS
    seen["mode"] = aws.mode
    seen["key"] = aws.client("s3")._request_signer._credentials.access_key
    seen["switch"] = refused(lambda: start(real_aws=True))   # the fakes replaced the credentials
    seen["attempts"] = attempts
    print(json.dumps(seen))
    """
)

OPT_IN = PRELUDE + textwrap.dedent(
    """
    aws = start(real_aws=True)
    seen["pending_repr"] = repr(aws)
    seen["pending_markdown"] = aws._repr_markdown_()
    seen["region"] = aws.region
    seen["key"] = aws.client("s3")._request_signer._credentials.access_key    # the learner's own
    seen["endpoint"] = aws.client("s3").meta.endpoint_url   # AWS's, not a leftover override
    seen["pending"] = {
        "sandbox_client": refused(lambda: aws.client("sts").get_caller_identity()),
        "plain_boto3": refused(lambda: boto3.client("lambda").list_functions()),
        "requests": refused(lambda: requests.get("https://abc.execute-api.eu-west-1.amazonaws.com/prod/")),
        "reset": refused(aws.reset),
    }
    # While confirming, only read-only calls may pass; nothing else, even then.
    with sandbox._confirmation_calls():
        sandbox.check_endpoint("https://sts.amazonaws.com/", "sts:GetCallerIdentity")
        seen["write_while_confirming"] = refused(
            lambda: sandbox.check_endpoint("https://s3.amazonaws.com/b", "s3:PutObject"))

    stubs = {}
    def stub(service):
        if service not in stubs:
            stubs[service] = Stubber(aws.client(service))
            stubs[service].activate()
        return stubs[service]
    identity = {"Account": "111122223333", "Arn": "arn:aws:iam::111122223333:user/ada", "UserId": "AIDAEXAMPLE"}
    stub("sts").add_response("get_caller_identity", identity)
    seen["wrong_account"] = refused(lambda: aws.confirm_real_aws(account_id="999988887777"))
    seen["still_pending"] = refused(lambda: boto3.client("s3").list_buckets())

    stub("sts").add_response("get_caller_identity", identity)
    stub("dynamodb").add_response("list_tables", {"TableNames": ["orders", "sessions"]})
    stub("dynamodb").add_response("describe_table", {"Table": {
        "TableName": "orders", "TableSizeBytes": 30 * 1024**3,
        "BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST"}}}, {"TableName": "orders"})
    stub("dynamodb").add_response("describe_table", {"Table": {
        "TableName": "sessions", "TableSizeBytes": 0,
        "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}}}, {"TableName": "sessions"})
    stub("kinesis").add_response("list_streams", {"StreamNames": ["clicks"], "HasMoreStreams": False})
    stub("kinesis").add_response("describe_stream_summary", {"StreamDescriptionSummary": {
        "StreamName": "clicks", "StreamARN": "arn:aws:kinesis:eu-west-1:111122223333:stream/clicks",
        "StreamStatus": "ACTIVE", "RetentionPeriodHours": 24, "StreamCreationTimestamp": 0,
        "EnhancedMonitoring": [], "OpenShardCount": 2, "StreamModeDetails": {"StreamMode": "PROVISIONED"}}},
        {"StreamName": "clicks"})
    stub("s3").add_response("list_buckets", {"Buckets": [{"Name": "photos"}]})
    stub("s3").add_response("list_objects_v2", {"Contents": [{"Key": "a.jpg", "Size": 10 * 1024**3}],
                                                "IsTruncated": True}, {"Bucket": "photos", "MaxKeys": 1000})
    stub("logs").add_response("describe_log_groups", {"logGroups": [
        {"logGroupName": "/aws/lambda/api", "storedBytes": 4 * 1024**3}]})
    stub("lambda").add_response("list_functions", {"Functions": [{"FunctionName": "api"}, {"FunctionName": "worker"}]})
    stub("sqs").add_response("list_queues", {})
    confirmation = aws.confirm_real_aws(account_id="1111-2222-3333")
    seen["confirmation_markdown"] = confirmation._repr_markdown_()
    seen["monthly_usd"] = confirmation.idle.monthly_usd
    seen["components"] = [c.label for c in confirmation.idle.estimate.components]
    seen["counted"] = list(confirmation.idle.counted)
    seen["capped"] = confirmation.idle.capped
    seen["confirmed_repr"] = repr(aws)
    # Now AWS hosts pass the guard (nothing is sent here: these only build clients and check URLs).
    sandbox.check_endpoint("https://s3.eu-west-1.amazonaws.com/")
    boto3.client("s3", endpoint_url="https://s3.eu-west-1.amazonaws.com")
    seen["metadata_still_refused"] = refused(lambda: sandbox.check_endpoint("http://169.254.169.254/latest/"))
    seen["reset_still_refused"] = refused(aws.reset)
    seen["attempts"] = attempts
    print(json.dumps(seen))
    """
)


def _run(script: str, tmp_path: Path, **env: str) -> dict[str, Any]:
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "MOTO_", "COURSE_"))}
    environment.update({
        "HOME": str(home), "COURSE_HOME": str(tmp_path / "course-home"),
        "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE", "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_ENDPOINT_URL": "https://sts.eu-west-1.amazonaws.com",  # a leftover, ignored
        **env,
    })
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=environment, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_without_the_setting_everything_refuses_and_says_how_to_opt_in(tmp_path: Path) -> None:
    seen = _run(WITHOUT_SETTING, tmp_path)
    assert seen.pop("attempts") == []
    assert "Real AWS is off" in seen["start"] and "COURSE_REAL_AWS=1" in seen["start"]
    assert "confirm_real_aws" in seen["start"] and "never a default" in seen["start"]
    for refusal in (seen["plain_sts"], seen["requests"]):  # the guard went in before start() refused
        assert "that is real AWS" in refusal and "COURSE_REAL_AWS=1" in refusal and "aws = start()" in refusal


def test_the_setting_alone_changes_nothing(tmp_path: Path) -> None:
    seen = _run(SETTING_ALONE, tmp_path, COURSE_REAL_AWS="1")
    assert seen == {"mode": "in-process", "key": "testing", "attempts": [],
                    "switch": seen["switch"]}
    assert "Restart the kernel" in seen["switch"]


def test_the_confirmation_names_the_account_and_prices_what_exists(tmp_path: Path) -> None:
    seen = _run(OPT_IN, tmp_path, COURSE_REAL_AWS="1", AWS_ENDPOINT_URL="http://localhost:4566")
    assert seen.pop("attempts") == []  # not one socket or name lookup, from start to confirmation
    assert seen["region"] == "eu-west-1" and seen["key"] == "AKIAIOSFODNN7EXAMPLE"
    assert seen["endpoint"] == "https://s3.eu-west-1.amazonaws.com"
    assert "NOT confirmed, every request refused" in seen["pending_repr"]
    assert "confirm_real_aws" in seen["pending_markdown"]
    for name, refusal in seen["pending"].items():
        assert refusal != "NOT REFUSED", name
    assert "selected but not confirmed" in seen["pending"]["sandbox_client"]
    assert "selected but not confirmed" in seen["pending"]["plain_boto3"]
    assert "execute-api.eu-west-1.amazonaws.com: that is real AWS" in seen["pending"]["requests"]
    assert "never does that to real AWS" in seen["pending"]["reset"]
    assert "s3.amazonaws.com" in seen["write_while_confirming"]

    assert "these credentials belong to account 111122223333" in seen["wrong_account"]
    assert "Nothing was enabled" in seen["wrong_account"]
    assert "selected but not confirmed" in seen["still_pending"]

    # The estimate is the pricing module's own arithmetic for what the stubs described.
    expected = pricing.monthly_estimate([
        {"service": "dynamodb", "storage_gb": 30.0},
        {"service": "dynamodb", "storage_gb": 0.0, "mode": "provisioned", "wcu": 5, "rcu": 5},
        {"service": "kinesis", "mode": "provisioned", "shards": 2, "records": 0},
        {"service": "s3", "storage_gb": 10.0},
        {"service": "cloudwatch_logs", "ingested_gb": 0.0, "stored_gb": 4.0, "source": "custom"},
    ]).total
    assert seen["monthly_usd"] == pytest.approx(expected) and expected > 1
    assert seen["components"] == ["DynamoDB table orders", "DynamoDB table sessions", "Kinesis stream clicks",
                                  "S3 Standard storage", "CloudWatch Logs storage"]
    assert seen["counted"] == ["2 Lambda functions (no cost while idle)", "0 SQS queues (no cost while idle)"]
    assert seen["capped"] is True
    markdown = seen["confirmation_markdown"]
    assert "account `1111-2222-3333` as `arn:aws:iam::111122223333:user/ada`, Region `eu-west-1`" in markdown
    assert f"at least {pricing.format_usd(expected)} a month" in markdown
    assert "Not covered" in markdown and "billed" in markdown
    assert seen["confirmed_repr"] == "<Sandbox on REAL AWS (confirmed): account 111122223333, region eu-west-1>"
    assert "that is real AWS" in seen["metadata_still_refused"]
    assert "never does that to real AWS" in seen["reset_still_refused"]


@pytest.mark.parametrize("typed", ["12345", "abc", None, "1111 2222 33334"])
def test_an_account_id_that_is_not_twelve_digits_gets_a_clear_message(typed: Any) -> None:
    with pytest.raises(ValueError, match="12 digits"):
        real_aws.normalize_account_id(typed)


def test_the_setting_comes_from_the_variable_or_the_settings_file() -> None:
    on, off = settings.Settings(real_aws=True), settings.Settings()
    assert real_aws.setting_enabled({}, on) and not real_aws.setting_enabled({}, off)
    assert real_aws.setting_enabled({"COURSE_REAL_AWS": "yes"}, off)
    assert not real_aws.setting_enabled({"COURSE_REAL_AWS": "0"}, on)  # the variable beats the file


def test_confirming_needs_real_aws_selected_first(aws: Any) -> None:
    from course_lib.sandbox import RealAWSRefused

    with pytest.raises(RealAWSRefused, match="nothing to confirm"):
        aws.confirm_real_aws(account_id="111122223333")
