"""Lambda Function URLs answer, with requests in the kernel and urllib through the front door."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
import requests
from wiring_support import RECORDER, assert_aws_shape, events_of

from course_lib.runtime import deploy_function, quiet
from course_lib.wiring import function_urls


def test_function_url_event_and_response(aws, invocations):
    deploy_function("hello", RECORDER)
    url = aws.client("lambda").create_function_url_config(FunctionName="hello", AuthType="NONE")["FunctionUrl"]
    assert url.startswith("https://") and url.endswith(".lambda-url.us-east-1.on.aws/")
    with quiet():
        response = requests.post(url + "greet/you?name=Ada", json={"x": 1}, headers={"Cookie": "session=abc"})
    assert response.status_code == 200
    (event,) = events_of(invocations, "hello")
    assert response.json() == event  # a dict without statusCode is the JSON body of a 200
    assert_aws_shape(event, "function_url")
    assert event["requestContext"]["accountId"] == "anonymous" and event["rawPath"] == "/greet/you"
    assert event["queryStringParameters"] == {"name": "Ada"} and event["cookies"] == ["session=abc"]
    assert json.loads(event["body"]) == {"x": 1} and event["isBase64Encoded"] is False
    local = function_urls.local_url("hello")
    with quiet(), urllib.request.urlopen(local + "local?x=2") as answer:  # noqa: S310 - loopback
        assert json.loads(answer.read())["rawPath"] == "/local"


def test_iam_auth_needs_a_signed_request(aws):
    deploy_function("private", RECORDER)
    url = aws.client("lambda").create_function_url_config(FunctionName="private", AuthType="AWS_IAM")["FunctionUrl"]
    assert requests.get(url).status_code == 403
    signed = requests.get(url, headers={"Authorization": "AWS4-HMAC-SHA256 Credential=testing/..."})
    assert signed.status_code == 200


def test_errors_are_502(aws):
    deploy_function("broken", "def handler(e, c):\n    raise RuntimeError('no')\n")
    aws.client("lambda").create_function_url_config(FunctionName="broken", AuthType="NONE")
    with quiet(), pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(function_urls.local_url("broken"))  # noqa: S310
    assert error.value.code == 502
