"""The event builders: every key AWS's sample events carry, with AWS's encodings."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest
from wiring_support import assert_aws_shape

from course_lib import events


@pytest.mark.parametrize(
    ("sample", "event"),
    [
        ("apigw_rest", events.api_gateway_rest("POST", "/items/1", resource="/items/{id}", path_parameters={"id": "1"},
                                               query="a=1&a=2", headers=[("X-A", "1"), ("X-A", "2")], body="{}")),
        ("apigw_http", events.api_gateway_http("GET", "/items/1", route_key="GET /items/{id}", cookies=["a=b"],
                                               query="p=1", path_parameters={"id": "1"}, stage_variables={"s": "v"},
                                               body="x")),
        ("function_url", events.function_url("GET", "/", query="q=1")),
        ("sqs", events.sqs("one", "two", message_attributes={"n": {"DataType": "Number", "StringValue": "1"}})),
        ("sns", events.sns("hello", subject="greeting", message_attributes={"a": {"DataType": "String", "StringValue": "v"}})),
        ("s3_put", events.s3("bucket-a", "photos/cat.jpg", size=10)),
        ("s3_delete", events.s3("bucket-a", "photos/cat.jpg", event_name="ObjectRemoved:Delete")),
        ("dynamodb_stream", events.dynamodb_stream(keys={"pk": "a"}, new_image={"pk": "a", "n": 1.5})),
        ("kinesis", events.kinesis({"k": 1}, b"raw")),
        ("eventbridge_scheduled", events.eventbridge_scheduled("nightly")),
        ("eventbridge", events.eventbridge("Order Placed", "shop", {"id": 1}, resources=["arn:aws:s3:::x"])),
    ],
)
def test_builders_carry_every_key_of_aws_samples(sample, event):
    assert_aws_shape(event, sample)


def test_rest_event_keeps_last_value_and_all_values():
    event = events.api_gateway_rest("GET", "/", query=[("a", "1"), ("a", "2")], headers={"X-A": ["1", "2"]})
    assert event["queryStringParameters"] == {"a": "2"}
    assert event["multiValueQueryStringParameters"] == {"a": ["1", "2"]}
    assert event["headers"]["X-A"] == "2" and event["multiValueHeaders"]["X-A"] == ["1", "2"]
    assert event["pathParameters"] is None and event["body"] is None


def test_http_event_joins_repeats_and_moves_cookies_and_omits_empty_keys():
    event = events.api_gateway_http("GET", "/", query="a=1&a=2", headers=[("Cookie", "x=1; y=2"), ("X-A", "1"), ("x-a", "2")])
    assert event["queryStringParameters"] == {"a": "1,2"}
    assert event["headers"]["x-a"] == "1,2" and "cookie" not in event["headers"]
    assert event["cookies"] == ["x=1", "y=2"]
    bare = events.api_gateway_http("GET", "/")
    assert not {"cookies", "queryStringParameters", "pathParameters", "stageVariables", "body"} & bare.keys()


def test_binary_body_is_base64():
    event = events.api_gateway_rest("POST", "/", body=b"\x00\xff")
    assert event["isBase64Encoded"] is True and base64.b64decode(event["body"]) == b"\x00\xff"


def test_s3_key_encoding_keeps_slashes_and_uses_plus_for_spaces():
    record = events.s3("b-1", "photos/my cat+dog (1).jpg")["Records"][0]
    assert record["s3"]["object"]["key"] == "photos/my+cat%2Bdog+%281%29.jpg"
    delete = events.s3("b-1", "k", event_name="ObjectRemoved:Delete")["Records"][0]
    assert "size" not in delete["s3"]["object"] and "eTag" not in delete["s3"]["object"]


def test_sqs_md5s_are_the_real_ones():
    attributes = {"n": {"DataType": "Number", "StringValue": "7"}, "b": {"DataType": "Binary", "BinaryValue": b"\x01"}}
    record = events.sqs_record("hello", message_attributes=attributes)
    assert record["md5OfBody"] == hashlib.md5(b"hello").hexdigest()  # noqa: S324
    from moto.sqs.models import Message

    message = Message("id", "hello")
    message.message_attributes = attributes
    assert record["md5OfMessageAttributes"] == message.attribute_md5
    assert record["messageAttributes"]["n"] == {"stringValue": "7", "stringListValues": [], "binaryListValues": [], "dataType": "Number"}


def test_dynamodb_values_are_typed_and_cloudwatch_logs_round_trip():
    record = events.dynamodb_stream(keys={"pk": "a"}, new_image={"pk": "a", "n": 2, "tags": ["x"]})["Records"][0]
    assert record["dynamodb"]["NewImage"] == {"pk": {"S": "a"}, "n": {"N": "2"}, "tags": {"L": [{"S": "x"}]}}
    logs = events.cloudwatch_logs(["one", "two"])
    assert [e["message"] for e in events.decode_cloudwatch_logs(logs)["logEvents"]] == ["one", "two"]
    assert json.loads(json.dumps(events.kinesis("x")))["Records"][0]["kinesis"]["data"] == "eA=="
