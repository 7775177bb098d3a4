"""File-processing pattern: S3 (a CSV lands) -> this function -> DynamoDB, then a summary to SNS.

Each row of the CSV is a payment: payment_id,customer,amount,currency. Good rows are written to
the table; bad rows are counted with their line numbers, never silently dropped.
"""

import csv
import io
import json
import os
from decimal import Decimal, InvalidOperation
from urllib.parse import unquote_plus

import boto3

s3 = boto3.client("s3")
sns = boto3.client("sns")
table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])
COLUMNS = ["payment_id", "customer", "amount", "currency"]


def parse(text):
    """(good rows, bad rows as {line, reason}) from the CSV text."""
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames != COLUMNS:
        return [], [{"line": 1, "reason": f"header must be {','.join(COLUMNS)}"}]
    good, bad = [], []
    for line, row in enumerate(reader, start=2):
        try:
            amount = Decimal(row["amount"])
        except (InvalidOperation, TypeError):
            bad.append({"line": line, "reason": f"amount {row['amount']!r} is not a number"})
            continue
        if not row["payment_id"] or amount <= 0:
            bad.append({"line": line, "reason": "needs a payment_id and a positive amount"})
            continue
        good.append({"payment_id": row["payment_id"], "customer": row["customer"],
                     "amount": amount, "currency": row["currency"].upper()})
    return good, bad


def handler(event, context):
    summaries = []
    for record in event["Records"]:
        bucket = record["s3"]["bucket"]["name"]
        key = unquote_plus(record["s3"]["object"]["key"])   # S3 sends keys URL-encoded
        text = s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode("utf-8")
        good, bad = parse(text)
        with table.batch_writer() as batch:                  # 25 items per request, retried
            for payment in good:
                batch.put_item(Item={**payment, "source_file": key})
        totals = {}
        for payment in good:
            totals[payment["currency"]] = totals.get(payment["currency"], Decimal(0)) + payment["amount"]
        summary = {"file": key, "accepted": len(good), "rejected": bad,
                   "totals": {c: str(t) for c, t in sorted(totals.items())}}
        sns.publish(TopicArn=os.environ["TOPIC_ARN"], Subject="Payments file processed",
                    Message=json.dumps(summary))
        summaries.append(summary)
    return summaries
