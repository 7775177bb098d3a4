"""Streaming-analytics pattern: Kinesis (clicks) -> this function -> S3 (JSON lines) -> SQL.

Each invocation gets one shard's batch of clicks, counts them per one-minute window and page,
and writes the counts as one S3 object of JSON lines. Other shards' batches hold other counts
for the same windows: a query adds them up (partial aggregates, merged at read time).
"""

import base64
import json
import os
from collections import Counter

import boto3

s3 = boto3.client("s3")


def handler(event, context):
    counts, bots = Counter(), Counter()
    for record in event["Records"]:
        click = json.loads(base64.b64decode(record["kinesis"]["data"]))
        window = click["at"][:16]            # "2026-03-02 10:07:42" -> the minute it fell in
        if "bot" in click.get("agent", "").lower():
            bots[window] += 1                # crawlers are counted, not reported as visits
            continue
        counts[(window, click["page"])] += 1
    shard = event["Records"][0]["eventID"].split(":")[0]
    first = event["Records"][0]["kinesis"]["sequenceNumber"]
    lines = [json.dumps({"window": w, "page": p, "clicks": n, "shard": shard}) for (w, p), n in sorted(counts.items())]
    lines += [json.dumps({"window": w, "page": None, "bot_clicks": n, "shard": shard}) for w, n in sorted(bots.items())]
    key = f"{os.environ['PREFIX']}{shard}/{int(first):020d}.jsonl"   # one object per batch
    s3.put_object(Bucket=os.environ["BUCKET"], Key=key, Body="\n".join(lines) + "\n")
    return {"records": len(event["Records"]), "object": key, "lines": len(lines)}
