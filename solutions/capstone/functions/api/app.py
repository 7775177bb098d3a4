"""POST /orders and GET /orders/{orderId} for signed-in users (API Gateway REST, Lambda proxy)."""

import json
import os
import uuid
from decimal import Decimal

import boto3

TABLE = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])
SQS = boto3.client("sqs")
QUEUE_URL = os.environ["QUEUE_URL"]


def respond(status, body):
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps(body, default=lambda d: int(d) if d % 1 == 0 else float(d)),
    }


def parse_order(raw):
    """The order the body asks for, or the reason it is not one."""
    try:
        body = json.loads(raw or "")
    except ValueError:
        return None, "the body must be JSON"
    if not isinstance(body, dict):
        return None, "the body must be a JSON object"
    item = body.get("item")
    if not isinstance(item, str) or not item.strip():
        return None, "'item' is required (a non-empty string)"
    quantity = body.get("quantity")
    if isinstance(quantity, bool) or not isinstance(quantity, int) or not 1 <= quantity <= 100:
        return None, "'quantity' must be a whole number from 1 to 100"
    return {"item": item.strip(), "quantity": quantity}, None


def create(owner, raw_body):
    order, problem = parse_order(raw_body)
    if problem:
        return respond(400, {"message": problem})
    order.update({"orderId": str(uuid.uuid4()), "owner": owner, "status": "PENDING"})
    TABLE.put_item(Item=order)
    SQS.send_message(QueueUrl=QUEUE_URL, MessageBody=json.dumps({"orderId": order["orderId"]}))
    return respond(201, order)


def read(owner, order_id):
    order = TABLE.get_item(Key={"orderId": order_id}).get("Item")
    # Someone else's order answers exactly like a missing one: its existence is not the caller's business.
    if order is None or order.get("owner") != owner:
        return respond(404, {"message": "no such order"})
    return respond(200, order)


def handler(event, context):
    owner = event["requestContext"]["authorizer"]["claims"]["cognito:username"]
    if event["httpMethod"] == "POST":
        return create(owner, event.get("body"))
    return read(owner, event["pathParameters"]["orderId"])
