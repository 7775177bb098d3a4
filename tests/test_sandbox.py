"""The sandbox is safe by construction: fake credentials, no real endpoint, nothing leaves."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import boto3
import pytest

from course_lib import sandbox

REAL_LOOKING = {
    "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
    "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "AWS_SESSION_TOKEN": "FwoGZXIvYXdzEXAMPLE",
    "AWS_PROFILE": "production",
    "AWS_DEFAULT_REGION": "eu-west-1",
    "AWS_ENDPOINT_URL": "https://s3.eu-west-1.amazonaws.com",
    "AWS_ENDPOINT_URL_S3": "https://s3.eu-west-1.amazonaws.com",
}


def _hostile_home(tmp_path):
    aws_dir = tmp_path / ".aws"
    aws_dir.mkdir()
    (aws_dir / "credentials").write_text(
        "[default]\naws_access_key_id = AKIAREALDEFAULTKEY00\naws_secret_access_key = realsecret\n"
        "[production]\naws_access_key_id = AKIAREALPRODKEY00000\naws_secret_access_key = realsecret\n"
    )
    (aws_dir / "config").write_text("[default]\nregion = ap-southeast-2\n[profile production]\nregion = eu-west-1\n")
    return tmp_path


def test_real_credentials_and_endpoints_are_ignored(tmp_path):
    """In a fresh interpreter with a learner's real setup, the sandbox still forces fakes."""
    home = _hostile_home(tmp_path)
    script = textwrap.dedent(
        """
        import json, os, socket
        real_connect = socket.socket.connect
        def guarded(self, address):
            host = address[0] if isinstance(address, tuple) else address
            if isinstance(host, str) and not (host.startswith("127.") or host in ("localhost", "::1")):
                raise AssertionError(f"network connection attempted to {address}")
            return real_connect(self, address)
        socket.socket.connect = guarded

        from course_lib.sandbox import start
        aws = start()
        s3 = aws.client("s3")
        creds = s3._request_signer._credentials
        s3.create_bucket(Bucket="safe-bucket")
        import boto3
        plain = boto3.client("s3")   # the learner's own client, after start()
        print(json.dumps({
            "key": creds.access_key,
            "region": s3.meta.region_name,
            "plain_key": plain._request_signer._credentials.access_key,
            "plain_region": plain.meta.region_name,
            "plain_buckets": [b["Name"] for b in plain.list_buckets()["Buckets"]],
            "endpoint_vars": sorted(k for k in os.environ if k.startswith("AWS_ENDPOINT_URL")),
            "profile": os.environ.get("AWS_PROFILE"),
        }))
        """
    )
    env = {**os.environ, **REAL_LOOKING, "HOME": str(home)}
    env.pop("AWS_SHARED_CREDENTIALS_FILE", None)
    env.pop("AWS_CONFIG_FILE", None)
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    # While active, moto's mock sets its own fake key for clients that read the environment.
    assert seen.pop("plain_key") in ("testing", "FOOBARKEY")
    assert seen == {
        "key": "testing",
        "region": "us-east-1",
        "plain_region": "us-east-1",
        "plain_buckets": ["safe-bucket"],
        "endpoint_vars": [],
        "profile": None,
    }


def test_a_stopped_sandbox_refuses_to_reach_real_aws():
    box = sandbox.start()
    box.stop()
    try:
        client = boto3.client("sts", region_name="us-east-1")
        with pytest.raises(sandbox.RealAWSRefused, match="real AWS"):
            client.get_caller_identity()
        with pytest.raises(sandbox.RealAWSRefused):
            box.client("s3").list_buckets()
    finally:
        sandbox.start()


def test_reset_gives_a_clean_account_and_cells_can_run_twice(aws):
    aws.ensure_bucket("twice-bucket")
    aws.ensure_bucket("twice-bucket")  # running the cell again is fine
    aws.ensure_table("twice")
    aws.ensure_table("twice")
    aws.ensure_queue("twice")
    aws.ensure_queue("twice")
    assert [b["Name"] for b in aws.client("s3").list_buckets()["Buckets"]] == ["twice-bucket"]
    aws.reset()
    assert aws.client("s3").list_buckets()["Buckets"] == []
    assert aws.client("dynamodb").list_tables()["TableNames"] == []


def test_start_is_idempotent_and_describes_itself():
    first, second = sandbox.start(), sandbox.start()
    assert first is second and first.running
    assert "123456789012" in first._repr_markdown_() and "us-east-1" in repr(first)


def test_moto_and_werkzeug_loggers_are_quiet(aws):
    import logging

    assert logging.getLogger("moto").level >= logging.ERROR
    assert logging.getLogger("werkzeug").level >= logging.ERROR
