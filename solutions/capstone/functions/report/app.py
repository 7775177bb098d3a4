"""The daily report: how many orders there are and how many are confirmed, stored in the table."""

import os

import boto3

TABLE = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])
PREFIX = "report#"


def handler(event, context):
    orders = confirmed = 0
    kwargs = {"ProjectionExpression": "orderId, #s", "ExpressionAttributeNames": {"#s": "status"}}
    while True:
        page = TABLE.scan(**kwargs)
        for item in page["Items"]:
            if item["orderId"].startswith(PREFIX):
                continue
            orders += 1
            confirmed += item.get("status") == "CONFIRMED"
        if "LastEvaluatedKey" not in page:
            break
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    day = event["time"][:10]  # the scheduled event's time, e.g. 2026-11-24T06:00:00Z
    report = {"orderId": PREFIX + day, "kind": "report", "orders": orders, "confirmed": confirmed}
    TABLE.put_item(Item=report)
    return report
