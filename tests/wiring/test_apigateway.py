"""API Gateway REST and HTTP APIs run real handlers: what arrives, and what goes back."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import urllib.request

import pytest
import requests
from wiring_support import RECORDER, arn_of, assert_aws_shape, events_of

from course_lib.runtime import deploy_function, quiet
from course_lib.wiring import apigateway

RESPONDER = """
import base64, json

def handler(event, context):
    print("EVENT " + json.dumps(event))
    mode = (event.get("queryStringParameters") or {}).get("mode")
    if mode == "boom":
        raise ValueError("boom")
    if mode == "malformed":
        return {"body": {"not": "a string"}}
    if mode == "binary":
        return {"statusCode": 200, "headers": {"Content-Type": "image/png"},
                "body": base64.b64encode(b"\\x89PNG").decode(), "isBase64Encoded": True}
    return {"statusCode": 201, "headers": {"X-Path": event["path"]},
            "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"]}, "body": json.dumps({"ok": True})}
"""


def _uri(arn: str) -> str:
    return f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{arn}/invocations"


@pytest.fixture
def rest_api(aws):
    deploy_function("api-handler", RESPONDER)
    gateway = aws.client("apigateway")
    api = gateway.create_rest_api(name="shop", binaryMediaTypes=["image/png"])["id"]
    root = gateway.get_resources(restApiId=api)["items"][0]["id"]
    items = gateway.create_resource(restApiId=api, parentId=root, pathPart="items")["id"]
    item = gateway.create_resource(restApiId=api, parentId=items, pathPart="{id}")["id"]
    proxy = gateway.create_resource(restApiId=api, parentId=root, pathPart="{proxy+}")["id"]
    for resource, method in [(items, "GET"), (item, "GET"), (item, "PUT"), (proxy, "ANY")]:
        gateway.put_method(restApiId=api, resourceId=resource, httpMethod=method, authorizationType="NONE")
        gateway.put_integration(restApiId=api, resourceId=resource, httpMethod=method, type="AWS_PROXY",
                                integrationHttpMethod="POST", uri=_uri(arn_of(aws, "api-handler")))
    gateway.create_deployment(restApiId=api, stageName="prod", variables={"table": "orders"})
    return api


def test_rest_path_parameter_query_headers_and_response_mapping(rest_api, invocations):
    url = apigateway.invoke_url(rest_api, "prod")
    assert url == f"https://{rest_api}.execute-api.us-east-1.amazonaws.com/prod"
    with quiet():
        response = requests.get(f"{url}/items/42?a=1&a=2&b=x%20y", headers={"X-Trace": "t"})
    assert response.status_code == 201 and response.json() == {"ok": True}
    assert response.headers["X-Path"] == "/items/42"
    assert response.raw.headers.getlist("Set-Cookie") == ["a=1", "b=2"]
    assert response.headers["x-amzn-RequestId"]
    (event,) = events_of(invocations, "api-handler")
    assert_aws_shape(event, "apigw_rest")
    assert event["resource"] == "/items/{id}" and event["path"] == "/items/42" and event["httpMethod"] == "GET"
    assert event["pathParameters"] == {"id": "42"}
    assert event["queryStringParameters"] == {"a": "2", "b": "x y"}
    assert event["multiValueQueryStringParameters"] == {"a": ["1", "2"], "b": ["x y"]}
    assert event["headers"]["X-Trace"] == "t" and event["stageVariables"] == {"table": "orders"}
    context = event["requestContext"]
    assert context["stage"] == "prod" and context["path"] == "/prod/items/42" and context["apiId"] == rest_api
    assert context["resourcePath"] == "/items/{id}" and context["identity"]["sourceIp"] == "127.0.0.1"
    assert context["requestId"] == response.headers["x-amzn-RequestId"]
    assert event["body"] is None and event["isBase64Encoded"] is False


def test_rest_greedy_proxy_literal_first_and_any_method(rest_api, invocations):
    url = apigateway.invoke_url(rest_api)
    with quiet():
        assert requests.delete(f"{url}/a/b/c").status_code == 201
        assert requests.get(f"{url}/items").status_code == 201
    proxy_event, items_event = events_of(invocations, "api-handler")
    assert proxy_event["resource"] == "/{proxy+}" and proxy_event["pathParameters"] == {"proxy": "a/b/c"}
    assert proxy_event["httpMethod"] == "DELETE"
    assert items_event["resource"] == "/items" and items_event["pathParameters"] is None


def test_rest_bodies_text_and_binary_both_ways(rest_api, invocations):
    url = apigateway.invoke_url(rest_api)
    with quiet():
        requests.put(f"{url}/items/1", json={"name": "widget"})
        requests.put(f"{url}/items/2", data=b"\x89PNG\x00", headers={"Content-Type": "image/png"})
        picture = requests.get(f"{url}/items/3?mode=binary")
    text_event, binary_event, _ = events_of(invocations, "api-handler")
    assert text_event["body"] == '{"name": "widget"}' and text_event["isBase64Encoded"] is False
    assert binary_event["isBase64Encoded"] is True and base64.b64decode(binary_event["body"]) == b"\x89PNG\x00"
    assert picture.content == b"\x89PNG" and picture.headers["Content-Type"] == "image/png"


def test_rest_errors_are_the_ones_aws_returns(rest_api, invocations):
    url = apigateway.invoke_url(rest_api)
    with quiet():
        assert requests.get(f"{url}/items/1?mode=boom").status_code == 502
        malformed = requests.get(f"{url}/items/1?mode=malformed")
    assert malformed.status_code == 502 and malformed.json() == {"message": "Internal server error"}
    wrong_stage = requests.get(url.replace("/prod", "/dev") + "/items/1")
    assert wrong_stage.status_code == 403 and wrong_stage.json() == {"message": "Forbidden"}
    assert requests.post(f"{url}/items").json() == {"message": "Missing Authentication Token"}


def test_rest_through_the_front_door_with_urllib_and_curl(rest_api, invocations):
    local = apigateway.local_url(rest_api, "prod")
    assert local.startswith("http://127.0.0.1:")
    with urllib.request.urlopen(f"{local}/items/7?x=1") as response:  # noqa: S310 - loopback
        assert response.status == 201 and json.loads(response.read()) == {"ok": True}
    if shutil.which("curl"):
        out = subprocess.run(["curl", "-s", "-X", "PUT", "-d", "hi", f"{local}/items/8"], capture_output=True, text=True, timeout=10)
        assert json.loads(out.stdout) == {"ok": True}
    first = events_of(invocations, "api-handler")[0]
    assert first["pathParameters"] == {"id": "7"} and first["requestContext"]["stage"] == "prod"
    assert first["headers"]["X-Forwarded-Proto"] == "http"


def test_front_door_routes_by_host_header(rest_api):
    from course_lib.wiring import http

    host = f"{rest_api}.execute-api.us-east-1.amazonaws.com"
    request = urllib.request.Request(f"{http.base_url()}/prod/items/9", headers={"Host": host})
    with quiet(), urllib.request.urlopen(request) as response:  # noqa: S310
        assert response.status == 201


HTTP_HANDLER = """
import json

def handler(event, context):
    print("EVENT " + json.dumps(event))
    if event.get("rawPath", "").endswith("/plain"):
        return {"hello": "world"}
    return {"statusCode": 200, "cookies": ["s=1"], "body": event.get("body") or ""}
"""


@pytest.fixture
def http_api(aws):
    deploy_function("http-handler", HTTP_HANDLER)
    deploy_function("v1-handler", RECORDER)
    v2 = aws.client("apigatewayv2")
    api = v2.create_api(Name="orders", ProtocolType="HTTP",
                        CorsConfiguration={"AllowOrigins": ["https://shop.example"], "AllowMethods": ["GET", "POST"]})["ApiId"]
    modern = v2.create_integration(ApiId=api, IntegrationType="AWS_PROXY", IntegrationUri=arn_of(aws, "http-handler"),
                                   PayloadFormatVersion="2.0")["IntegrationId"]
    legacy = v2.create_integration(ApiId=api, IntegrationType="AWS_PROXY", IntegrationUri=arn_of(aws, "v1-handler"),
                                   PayloadFormatVersion="1.0")["IntegrationId"]
    for key, target in [("GET /orders/{id}", modern), ("POST /orders", modern), ("ANY /files/{path+}", modern),
                        ("GET /legacy/{id}", legacy), ("$default", modern)]:
        v2.create_route(ApiId=api, RouteKey=key, Target=f"integrations/{target}")
    v2.create_stage(ApiId=api, StageName="$default", AutoDeploy=True)
    v2.create_stage(ApiId=api, StageName="beta", StageVariables={"color": "blue"})
    return api


def test_http_api_routes_payload_2_and_response(http_api, invocations):
    url = apigateway.invoke_url(http_api)
    assert url == f"https://{http_api}.execute-api.us-east-1.amazonaws.com"
    with quiet():
        got = requests.get(f"{url}/orders/7?x=1&x=2", headers={"Cookie": "c=1; d=2", "X-Multi": "a"})
        requests.post(f"{url}/orders", data=b"\x00\x01", headers={"Content-Type": "application/octet-stream"})
        requests.get(f"{url}/files/a/b.txt")
        requests.get(f"{url}/anything/else")
    assert got.status_code == 200 and got.headers["Set-Cookie"] == "s=1"
    get, post, files, default = events_of(invocations, "http-handler")
    assert_aws_shape(get, "apigw_http")
    assert get["version"] == "2.0" and get["routeKey"] == "GET /orders/{id}" and get["pathParameters"] == {"id": "7"}
    assert get["rawQueryString"] == "x=1&x=2" and get["queryStringParameters"] == {"x": "1,2"}
    assert get["cookies"] == ["c=1", "d=2"] and get["headers"]["x-multi"] == "a"
    assert get["requestContext"]["http"]["method"] == "GET" and get["requestContext"]["stage"] == "$default"
    assert post["isBase64Encoded"] is True and base64.b64decode(post["body"]) == b"\x00\x01"
    assert files["pathParameters"] == {"path": "a/b.txt"} and files["routeKey"] == "ANY /files/{path+}"
    assert default["routeKey"] == "$default" and "pathParameters" not in default


def test_http_api_named_stage_inferred_response_and_v1_payload(http_api, invocations):
    stage_url = apigateway.invoke_url(http_api, "beta")
    with quiet():
        inferred = requests.get(f"{stage_url}/some/plain")
        requests.get(f"{stage_url}/legacy/5")
    assert inferred.status_code == 200 and inferred.json() == {"hello": "world"}
    assert inferred.headers["Content-Type"] == "application/json"
    (plain,) = events_of(invocations, "http-handler")
    assert plain["requestContext"]["stage"] == "beta" and plain["stageVariables"] == {"color": "blue"}
    (legacy,) = events_of(invocations, "v1-handler")
    assert legacy["version"] == "1.0" and legacy["pathParameters"] == {"id": "5"} and legacy["resource"] == "/legacy/{id}"


def test_http_api_cors_preflight_and_not_found(http_api, aws):
    url = apigateway.invoke_url(http_api)
    preflight = requests.options(f"{url}/orders", headers={"Origin": "https://shop.example",
                                                           "Access-Control-Request-Method": "POST"})
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "https://shop.example"
    aws.client("apigatewayv2").delete_route(ApiId=http_api, RouteId=next(
        r["RouteId"] for r in aws.client("apigatewayv2").get_routes(ApiId=http_api)["Items"] if r["RouteKey"] == "$default"))
    missing = requests.get(f"{url}/nowhere")
    assert missing.status_code == 404 and missing.json() == {"message": "Not Found"}


def test_http_api_quick_create_and_front_door(aws, invocations):
    deploy_function("quick", RECORDER)
    api = aws.client("apigatewayv2").create_api(Name="quick", ProtocolType="HTTP", Target=arn_of(aws, "quick"))["ApiId"]
    with quiet(), urllib.request.urlopen(apigateway.local_url(api) + "/hello?who=me") as response:  # noqa: S310
        event = json.loads(response.read())
    assert event["routeKey"] == "$default" and event["rawPath"] == "/hello" and event["queryStringParameters"] == {"who": "me"}
