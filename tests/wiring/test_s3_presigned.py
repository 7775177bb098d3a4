"""Presigned S3 URLs are checked as S3 checks them: signature first, then expiry (course clock)."""

from __future__ import annotations

import re
from typing import Any

import boto3
import pytest
import requests
from botocore.config import Config

from course_lib import clock, facts
from course_lib.wiring import s3_presigned

BUCKET = "presign-tests"


def _error(response: requests.Response) -> tuple[int, str | None, str | None]:
    found = dict(re.findall(r"<(Code|Message)>(.*?)</\1>", response.text))
    return response.status_code, found.get("Code"), found.get("Message")


@pytest.fixture
def s3(aws: Any) -> Any:
    s3_presigned.install()
    client = aws.client("s3")
    client.create_bucket(Bucket=BUCKET)
    client.put_object(Bucket=BUCKET, Key="a b/ü.txt", Body=b"secret")
    return client


@pytest.fixture(params=["s3v4", "s3"])
def signer(request: pytest.FixtureRequest, s3: Any) -> Any:
    """A client that presigns with Signature Version 4, or with boto3's legacy version 2."""
    return boto3.client("s3", region_name="us-east-1", config=Config(signature_version=request.param))


def test_the_maximum_expiry_is_the_facts_value() -> None:
    assert s3_presigned.MAX_EXPIRES_S == facts.value("s3.limits.presigned_url_max_expiry_s")


def test_a_valid_url_downloads_and_an_edited_one_is_refused(signer: Any) -> None:
    url = signer.generate_presigned_url("get_object", Params={"Bucket": BUCKET, "Key": "a b/ü.txt"}, ExpiresIn=60)
    ok = requests.get(url)
    assert (ok.status_code, ok.content) == (200, b"secret")
    assert _error(requests.get(url.replace("%C3%BC", "u")))[:2] == (403, "SignatureDoesNotMatch")
    assert _error(requests.put(url, data=b"forged"))[:2] == (403, "SignatureDoesNotMatch")
    assert _error(requests.get(url.replace(BUCKET, "presign-other")))[:2] == (403, "SignatureDoesNotMatch")


def test_a_url_expires_when_the_course_clock_passes_its_lifetime(signer: Any) -> None:
    url = signer.generate_presigned_url("get_object", Params={"Bucket": BUCKET, "Key": "a b/ü.txt"}, ExpiresIn=3600)
    clock.advance(minutes=59)
    assert requests.get(url).status_code == 200
    clock.advance(minutes=2)
    assert _error(requests.get(url)) == (403, "AccessDenied", "Request has expired")
    # URLs signed after the advance are signed with course time, so they are valid again.
    fresh = signer.generate_presigned_url("get_object", Params={"Bucket": BUCKET, "Key": "a b/ü.txt"}, ExpiresIn=60)
    assert requests.get(fresh).status_code == 200


def test_only_presigning_reads_the_course_clock(s3: Any) -> None:
    import datetime as dt

    import botocore.auth

    clock.advance(hours=5)
    wall = botocore.auth.get_current_datetime()
    assert abs((wall - dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)).total_seconds()) < 60
    assert s3.get_object(Bucket=BUCKET, Key="a b/ü.txt")["Body"].read() == b"secret"


def test_more_than_a_week_is_refused(s3: Any) -> None:
    v4 = boto3.client("s3", region_name="us-east-1", config=Config(signature_version="s3v4"))
    url = v4.generate_presigned_url("get_object", Params={"Bucket": BUCKET, "Key": "a b/ü.txt"},
                                    ExpiresIn=s3_presigned.MAX_EXPIRES_S + 1)
    status, code, message = _error(requests.get(url))
    assert (status, code) == (400, "AuthorizationQueryParametersError") and "604800" in (message or "")


def test_presigned_put_uploads_and_subresources_are_signed(signer: Any, s3: Any) -> None:
    put = signer.generate_presigned_url("put_object", Params={"Bucket": BUCKET, "Key": "in/new.csv"}, ExpiresIn=60)
    assert requests.put(put, data=b"a,b\n").status_code == 200
    assert s3.get_object(Bucket=BUCKET, Key="in/new.csv")["Body"].read() == b"a,b\n"
    typed = signer.generate_presigned_url(
        "get_object", Params={"Bucket": BUCKET, "Key": "in/new.csv", "ResponseContentType": "text/plain"}, ExpiresIn=60)
    assert requests.get(typed).headers["Content-Type"] == "text/plain"
    assert requests.get(typed.replace("text%2Fplain", "text%2Fhtml")).status_code == 403


def test_keys_the_sandbox_never_issued_are_refused_and_iam_keys_work(aws: Any, s3: Any) -> None:
    stranger = boto3.client("s3", region_name="us-east-1", aws_access_key_id="AKIASTRANGER0000",
                            aws_secret_access_key="guess", config=Config(signature_version="s3v4"))
    url = stranger.generate_presigned_url("get_object", Params={"Bucket": BUCKET, "Key": "a b/ü.txt"}, ExpiresIn=60)
    assert _error(requests.get(url))[:2] == (403, "InvalidAccessKeyId")
    iam = aws.client("iam")
    iam.create_user(UserName="sharer")
    key = iam.create_access_key(UserName="sharer")["AccessKey"]
    sharer = boto3.client("s3", region_name="us-east-1", aws_access_key_id=key["AccessKeyId"],
                          aws_secret_access_key=key["SecretAccessKey"], config=Config(signature_version="s3v4"))
    url = sharer.generate_presigned_url("get_object", Params={"Bucket": BUCKET, "Key": "a b/ü.txt"}, ExpiresIn=60)
    assert requests.get(url).status_code == 200


def test_requests_without_a_signature_still_reach_moto(s3: Any) -> None:
    assert requests.get(f"https://{BUCKET}.s3.amazonaws.com/a%20b/%C3%BC.txt").status_code == 403  # private
    assert s3_presigned.installed()


def test_verify_is_usable_without_requests() -> None:
    with pytest.raises(s3_presigned.PresignError) as refused:
        s3_presigned.verify("GET", "https://b.s3.amazonaws.com/k?X-Amz-Signature=abc", {})
    assert refused.value.code == "AuthorizationQueryParametersError"
