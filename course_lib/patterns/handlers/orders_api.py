"""REST API pattern: API Gateway (REST, proxy integration) -> this function -> DynamoDB.

Routes: POST /orders creates an order, GET /orders lists them, GET /orders/{order_id} reads one.
"""

import json
import os
import uuid
from decimal import Decimal

import boto3

# Created once per execution environment, reused by every warm invocation.
table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])


def respond(status, body):
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json"},
        # DynamoDB returns numbers as Decimal: JSON needs int or float.
        "body": json.dumps(body, default=lambda d: int(d) if d == int(d) else float(d)),
    }


def create_order(body):
    try:
        order = json.loads(body or "{}")
    except ValueError:
        return respond(400, {"error": "the body must be JSON"})
    missing = [field for field in ("customer", "item", "quantity") if field not in order]
    if missing:
        return respond(400, {"error": f"missing field(s): {', '.join(missing)}"})
    if not isinstance(order["quantity"], int) or order["quantity"] < 1:
        return respond(400, {"error": "quantity must be a whole number of at least 1"})
    item = {
        "order_id": str(uuid.uuid4()),
        "customer": str(order["customer"]),
        "item": str(order["item"]),
        "quantity": Decimal(order["quantity"]),
        "status": "NEW",
    }
    table.put_item(Item=item)
    return respond(201, item)


def handler(event, context):
    method, resource = event["httpMethod"], event["resource"]
    if resource == "/orders" and method == "POST":
        return create_order(event.get("body"))
    if resource == "/orders" and method == "GET":
        # A Scan reads the whole table: fine for a demo, a Query on a key for real traffic.
        items = table.scan()["Items"]
        return respond(200, {"orders": sorted(items, key=lambda i: (i["customer"], i["item"]))})
    if resource == "/orders/{order_id}" and method == "GET":
        order_id = event["pathParameters"]["order_id"]
        item = table.get_item(Key={"order_id": order_id}).get("Item")
        if item is None:
            return respond(404, {"error": f"no order {order_id}"})
        return respond(200, item)
    return respond(405, {"error": f"{method} is not allowed on {resource}"})
