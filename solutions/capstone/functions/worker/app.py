"""Confirms orders from the queue; a failed record goes back to the queue on its own."""

import json
import os

import boto3

TABLE = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])


def handler(event, context):
    failures = []
    for record in event["Records"]:
        try:
            order_id = json.loads(record["body"])["orderId"]
            TABLE.update_item(
                Key={"orderId": order_id},
                UpdateExpression="SET #s = :confirmed",
                ConditionExpression="attribute_exists(orderId)",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={":confirmed": "CONFIRMED"},
            )
        except Exception as error:  # one bad message must not fail the whole batch
            print(f"could not confirm {record['messageId']}: {error}")
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}
