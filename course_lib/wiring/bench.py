"""Benchmark rows for ``make bench``: a request through API Gateway -> Lambda -> DynamoDB.

Measures, on a fresh sandbox (reset before and after):

* a REST API (``AWS_PROXY``, ``/items/{id}``) whose function writes to DynamoDB, called with
  ``requests`` inside the process (median ms);
* the same request through the local front door with ``urllib`` (median ms);
* a direct ``lambda.invoke`` of the same function with the same event (median ms), and the
  ratio of the API Gateway request to it: what the gateway emulation costs on top.
"""

from __future__ import annotations

import json
import statistics
import time
import urllib.request
from collections.abc import Callable

Row = tuple[str, float, str]

HANDLER = """
import json, boto3
table = boto3.resource("dynamodb").Table("bench-items")

def handler(event, context):
    item_id = event["pathParameters"]["id"]
    table.put_item(Item={"pk": item_id, "body": event["body"] or ""})
    return {"statusCode": 201, "headers": {"Content-Type": "application/json"},
            "body": json.dumps({"id": item_id})}
"""


def _median_ms(call: Callable[[], object], repeat: int = 200, warmup: int = 20) -> float:
    for _ in range(warmup):
        call()
    samples = []
    for _ in range(repeat):
        began = time.perf_counter()
        call()
        samples.append(time.perf_counter() - began)
    return statistics.median(samples) * 1000


def _rest_api(aws: object, function_arn: str) -> str:
    gateway = aws.client("apigateway")  # type: ignore[attr-defined]
    api_id = gateway.create_rest_api(name="bench-api")["id"]
    root = gateway.get_resources(restApiId=api_id)["items"][0]["id"]
    items = gateway.create_resource(restApiId=api_id, parentId=root, pathPart="items")["id"]
    item = gateway.create_resource(restApiId=api_id, parentId=items, pathPart="{id}")["id"]
    gateway.put_method(restApiId=api_id, resourceId=item, httpMethod="POST", authorizationType="NONE")
    gateway.put_integration(
        restApiId=api_id,
        resourceId=item,
        httpMethod="POST",
        type="AWS_PROXY",
        integrationHttpMethod="POST",
        uri=f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{function_arn}/invocations",
    )
    gateway.create_deployment(restApiId=api_id, stageName="prod")
    return str(api_id)


def bench() -> list[Row]:
    import requests

    from course_lib import events
    from course_lib.runtime import deploy_function, quiet
    from course_lib.sandbox import start
    from course_lib.wiring import apigateway

    aws = start()
    aws.reset()
    try:
        aws.ensure_table("bench-items")
        info = deploy_function("bench-api-handler", HANDLER)
        api_id = _rest_api(aws, info.arn)
        url = apigateway.invoke_url(api_id, "prod") + "/items/42"
        local = apigateway.local_url(api_id, "prod") + "/items/42"
        body = json.dumps({"name": "widget"})
        session = requests.Session()
        lam = aws.client("lambda")
        event = json.dumps(events.api_gateway_rest("POST", "/items/42", resource="/items/{id}",
                                                   path_parameters={"id": "42"}, body=body)).encode()

        def through_requests() -> None:
            assert session.post(url, data=body).status_code == 201

        def through_front_door() -> None:
            request = urllib.request.Request(local, data=body.encode(), method="POST")
            with urllib.request.urlopen(request) as response:  # noqa: S310 - 127.0.0.1 only
                assert response.status == 201

        def direct() -> None:
            lam.invoke(FunctionName="bench-api-handler", Payload=event)

        with quiet():
            gateway_ms = _median_ms(through_requests)
            front_door_ms = _median_ms(through_front_door)
            direct_ms = _median_ms(direct)
    finally:
        aws.reset()
    return [
        ("API Gateway -> Lambda -> DynamoDB, requests in-kernel (ms)", gateway_ms, ""),
        ("API Gateway -> Lambda -> DynamoDB, urllib via front door (ms)", front_door_ms, ""),
        ("direct lambda.invoke of the same function (ms)", direct_ms, ""),
        ("API Gateway request / direct invoke ratio", gateway_ms / direct_ms, ""),
    ]


if __name__ == "__main__":
    for name, value, note in bench():
        print(f"{name:<64} {value:8.2f}  {note}")
