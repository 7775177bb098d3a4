"""DynamoDB Time to Live: the background process that deletes expired items, which moto lacks.

    from course_lib import ttl
    client.update_time_to_live(TableName="sessions",
                               TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires_at"})
    ...                                            # items carry expires_at as epoch seconds
    ttl.expired_items("sessions")                  # expired, still stored (as on AWS until the sweep)
    ttl.sweep("sessions")                          # what AWS's background process does: delete them

On AWS, once TTL is enabled on an attribute, DynamoDB compares each item's value of that
attribute (a Number, in epoch seconds) with the current time; an item whose time has passed is
*expired* and is deleted later by a background process, free of charge (typically within a few
days: ``dynamodb.ttl.deletion_delay``). Until then it still shows in reads, queries and scans,
so applications filter expired items out. Items without the attribute, or with a non-number
value, never expire. Each deletion appears in the table's stream as a REMOVE record.

moto stores the TTL setting but never deletes anything. :func:`sweep` does the background
process's job when you call it, with real ``DeleteItem`` calls guarded by a condition (an item
whose TTL was pushed forward meanwhile is kept, as AWS keeps it), so streams and Lambda
triggers see the deletions.

Differs from AWS: the sweep runs when you call it, not on its own; its deletions consume no
capacity on AWS, and their stream records carry ``userIdentity`` (type ``Service``, principal
``dynamodb.amazonaws.com``), which moto's records lack.
"""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

_DESERIALIZER = TypeDeserializer()
_SERIALIZER = TypeSerializer()


def _client(sandbox: Any = None) -> Any:
    if sandbox is None:
        from course_lib import sandbox as sandbox_module

        sandbox = sandbox_module.current()
        if not sandbox.running:
            sandbox.start()
    return sandbox.client("dynamodb")


def ttl_attribute(table: str, sandbox: Any = None) -> str | None:
    """The table's TTL attribute when TTL is enabled, else None."""
    description = _client(sandbox).describe_time_to_live(TableName=table)["TimeToLiveDescription"]
    if description.get("TimeToLiveStatus") in ("ENABLED", "ENABLING"):
        return description.get("AttributeName")
    return None


def _key_names(client: Any, table: str) -> list[str]:
    return [k["AttributeName"] for k in client.describe_table(TableName=table)["Table"]["KeySchema"]]


def expired_items(table: str, now: float | None = None, sandbox: Any = None) -> list[dict[str, Any]]:
    """Items whose TTL time has passed (still stored until a sweep), as plain Python values."""
    client = _client(sandbox)
    attribute = ttl_attribute(table, sandbox)
    if attribute is None:
        return []
    moment = time.time() if now is None else now
    found = []
    for page in client.get_paginator("scan").paginate(TableName=table):
        for raw in page.get("Items", []):
            value = raw.get(attribute, {})
            if "N" in value and Decimal(value["N"]) <= Decimal(str(moment)):
                found.append({k: _DESERIALIZER.deserialize(v) for k, v in raw.items()})
    return found


def sweep(table: str, now: float | None = None, sandbox: Any = None) -> list[dict[str, Any]]:
    """Delete the expired items, as AWS's TTL process would; returns the keys deleted."""
    client = _client(sandbox)
    attribute = ttl_attribute(table, sandbox)
    if attribute is None:
        return []
    moment = Decimal(str(time.time() if now is None else now))
    names = _key_names(client, table)
    deleted = []
    for item in expired_items(table, float(moment), sandbox):
        key = {name: item[name] for name in names}
        try:
            client.delete_item(
                TableName=table,
                Key={name: _SERIALIZER.serialize(value) for name, value in key.items()},
                ConditionExpression="#ttl <= :now",
                ExpressionAttributeNames={"#ttl": attribute},
                ExpressionAttributeValues={":now": {"N": str(moment)}},
            )
        except client.exceptions.ConditionalCheckFailedException:
            continue  # its TTL moved into the future since we looked: not expired any more
        deleted.append(key)
    return deleted

