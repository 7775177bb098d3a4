"""S3 website endpoints: index and error documents, anonymous access by bucket policy, redirects."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
import requests

from course_lib.wiring import s3_website

SITE = "website-tests"
SAMPLE = Path(__file__).resolve().parents[2] / "notebooks" / "sample_site"


def _policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


PUBLIC_READ = {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{SITE}/*"}


@pytest.fixture
def site(aws: Any) -> Any:
    s3 = aws.client("s3")
    s3.create_bucket(Bucket=SITE)
    s3_website.upload_folder(SITE, SAMPLE)
    s3.put_bucket_website(Bucket=SITE, WebsiteConfiguration={
        "IndexDocument": {"Suffix": "index.html"}, "ErrorDocument": {"Key": "error.html"}})
    return s3


def test_upload_folder_sets_content_types_like_the_cli(site: Any) -> None:
    assert [(k, t) for k, t, _ in s3_website.upload_folder(SITE, SAMPLE)] == [
        ("docs/index.html", "text/html"), ("error.html", "text/html"), ("index.html", "text/html"), ("style.css", "text/css")]
    assert site.head_object(Bucket=SITE, Key="style.css")["ContentType"] == "text/css"


def test_a_private_bucket_refuses_visitors_until_a_public_policy(site: Any) -> None:
    url = s3_website.website_url(SITE)
    assert url == f"http://{SITE}.s3-website-us-east-1.amazonaws.com"
    denied = requests.get(url)
    assert denied.status_code == 403  # the error document is private too: S3's own page, with a note
    assert "AccessDenied" in denied.text and "Custom Error Document" in denied.text
    site.put_bucket_policy(Bucket=SITE, Policy=_policy(PUBLIC_READ))
    home = requests.get(url + "/")
    assert (home.status_code, home.headers["Content-Type"]) == (200, "text/html")
    assert "<title>Serverless Bakery</title>" in home.text


def test_folders_redirect_and_serve_their_index(site: Any) -> None:
    site.put_bucket_policy(Bucket=SITE, Policy=_policy(PUBLIC_READ))
    url = s3_website.website_url(SITE)
    moved = requests.get(url + "/docs", allow_redirects=False)
    assert (moved.status_code, moved.headers["Location"]) == (302, "/docs/")
    assert "Menu" in requests.get(url + "/docs").text


def test_missing_keys_are_403_unless_everyone_may_list(site: Any) -> None:
    site.put_bucket_policy(Bucket=SITE, Policy=_policy(PUBLIC_READ))
    url = s3_website.website_url(SITE)
    hidden = requests.get(url + "/nope.html")
    assert hidden.status_code == 403 and "not on the menu" in hidden.text  # the error document, status 403
    listing = {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "s3:ListBucket", "Resource": f"arn:aws:s3:::{SITE}"}
    site.put_bucket_policy(Bucket=SITE, Policy=_policy(PUBLIC_READ, listing))
    assert requests.get(url + "/nope.html").status_code == 404


def test_block_public_access_and_explicit_deny_win(site: Any) -> None:
    url = s3_website.website_url(SITE)
    deny_css = {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": f"arn:aws:s3:::{SITE}/*.css"}
    site.put_bucket_policy(Bucket=SITE, Policy=_policy(PUBLIC_READ, deny_css))
    assert requests.get(url + "/").status_code == 200
    assert requests.get(url + "/style.css").status_code == 403
    site.put_public_access_block(Bucket=SITE, PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
    assert requests.get(url + "/").status_code == 403


def test_methods_head_and_redirects(site: Any) -> None:
    site.put_bucket_policy(Bucket=SITE, Policy=_policy(PUBLIC_READ))
    url = s3_website.website_url(SITE)
    assert requests.post(url + "/").status_code == 405
    head = requests.head(url + "/style.css")
    assert (head.status_code, head.content) == (200, b"")
    site.put_object(Bucket=SITE, Key="old.html", Body=b"", WebsiteRedirectLocation="/docs/")
    moved = requests.get(url + "/old.html", allow_redirects=False)
    assert (moved.status_code, moved.headers["Location"]) == (301, "/docs/")
    site.put_bucket_website(Bucket=SITE, WebsiteConfiguration={"RedirectAllRequestsTo": {"HostName": "example.com", "Protocol": "https"}})
    moved = requests.get(url + "/menu", allow_redirects=False)
    assert (moved.status_code, moved.headers["Location"]) == (301, "https://example.com/menu")


def test_buckets_without_a_website_or_at_all(aws: Any) -> None:
    aws.client("s3").create_bucket(Bucket="plain-bucket")
    assert "NoSuchWebsiteConfiguration" in requests.get(s3_website.website_url("plain-bucket")).text
    assert "NoSuchBucket" in requests.get(s3_website.website_url("no-such-bucket")).text


def test_the_local_server_serves_the_same_site(site: Any) -> None:
    site.put_bucket_policy(Bucket=SITE, Policy=_policy(PUBLIC_READ))
    local = s3_website.serve(SITE)
    assert local.startswith("http://127.0.0.1:") and s3_website.serve(SITE) == local
    with urllib.request.urlopen(local + "docs/") as page:
        assert page.status == 200 and b"Menu" in page.read()
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(local + "nope.html")
    assert missing.value.code == 403
    s3_website.stop()


def test_public_access_evaluator() -> None:
    resource = "arn:aws:s3:::b/index.html"
    assert s3_website.public_access({"Statement": [PUBLIC_READ | {"Resource": "arn:aws:s3:::b/*"}]}, "s3:GetObject", resource)
    assert not s3_website.public_access({"Statement": {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::1:root"},
                                                      "Action": "s3:*", "Resource": "*"}}, "s3:GetObject", resource)
    conditional = {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*",
                   "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}
    assert not s3_website.public_access({"Statement": [conditional]}, "s3:GetObject", resource)
    assert not s3_website.public_access(None, "s3:GetObject", resource)
