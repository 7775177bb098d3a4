"""DynamoDB read and write capacity units, computed from item sizes the way DynamoDB documents it.

    from course_lib import capacity
    capacity.item_bytes(item)                        # an item's size: names plus values
    capacity.write_units(item)                       # 1 unit per 1 KB (rounded up), 2x in a transaction
    q = capacity.measure_read(table, "query", KeyConditionExpression=Key("customer_id").eq("C007"))
    s = capacity.measure_read(table, "scan", FilterExpression=Attr("customer_id").eq("C007"))
    q.read_units, s.read_units                       # what each would consume on AWS
    s.items_read, s.items_returned                   # a scan reads the whole table, then filters

The rules (``dynamodb.units.*`` in the facts file): a write uses one unit per 1 KB of the item,
rounded up (two in a transaction); a strongly consistent read uses one unit per 4 KB, an
eventually consistent read half that, a transactional read twice. Query and Scan add up the
sizes of every item they *read* in one call (before any FilterExpression) and round up once
per call; a call reads at most 1 MB, then returns ``LastEvaluatedKey``.

Differs from AWS: moto returns its own, simplified ``ConsumedCapacity`` (for example 1 unit for
any PutItem, whatever the size), so the course computes the units from the items instead. Item
sizes follow AWS's documented formula (``course_lib.meter.ddb_item_bytes``), which is close but
not byte-exact. The measured times are moto's in this process, not DynamoDB's: they show the
*shape* of the difference (a scan's work grows with the table), not real latencies.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any, Mapping

from boto3.dynamodb.types import TypeSerializer

from course_lib import facts, pricing
from course_lib.meter import ddb_item_bytes

_SERIALIZER = TypeSerializer()
_LOW_LEVEL_TYPES = {"S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL"}


def _typed(item: Mapping[str, Any]) -> dict[str, Any]:
    """An item in the low-level form ({"name": {"S": "..."}}), whichever form it came in."""
    out = {}
    for name, value in item.items():
        if isinstance(value, Mapping) and len(value) == 1 and next(iter(value)) in _LOW_LEVEL_TYPES:
            out[name] = dict(value)
        else:
            out[name] = _SERIALIZER.serialize(value)
    return out


def item_bytes(item: Mapping[str, Any] | None) -> int:
    """The item's size in bytes as DynamoDB counts it: attribute names plus values."""
    return ddb_item_bytes(_typed(item)) if item else 0


def read_units(n_bytes: float, consistency: str = "eventual") -> float:
    """Read units for one read of ``n_bytes`` (one item, or one Query/Scan call's items)."""
    if consistency not in ("strong", "eventual", "transactional"):
        raise ValueError(f"consistency must be strong, eventual or transactional; got {consistency!r}")
    return pricing.dynamodb_request_units(n_bytes / 1024, f"{consistency}_read")


def write_units(item: Mapping[str, Any] | int, transactional: bool = False) -> float:
    """Write units to write one item (or an item of that many bytes)."""
    size = item if isinstance(item, int) else item_bytes(item)
    return pricing.dynamodb_request_units(size / 1024, "transactional_write" if transactional else "write")


@dataclass(frozen=True)
class ReadCost:
    """One Query or Scan, followed to its last page: what it read, returned and would consume."""

    operation: str
    calls: int
    items_read: int
    items_returned: int
    bytes_read: int
    read_units: float
    consistency: str
    elapsed_ms: float  # measured here, against moto

    def summary(self) -> str:
        return (
            f"{self.operation}: {self.calls} call{'s' if self.calls != 1 else ''}, read {self.items_read:,} items "
            f"({self.bytes_read / 1024:,.1f} KB), returned {self.items_returned:,}: "
            f"{self.read_units:g} read units ({self.consistency} consistency)"
        )

    def __repr__(self) -> str:
        return f"<ReadCost {self.summary()}>"


def _pages(table: Any, operation: str, kwargs: dict[str, Any]) -> list[dict[str, Any]]:
    call = getattr(table, operation)
    pages, start = [], None
    while True:
        page = call(**kwargs, **({"ExclusiveStartKey": start} if start else {}))
        pages.append(page)
        start = page.get("LastEvaluatedKey")
        if not start:
            return pages


# Parts of a request that shape the answer but not what DynamoDB reads (and bills).
_AFTER_THE_READ = ("FilterExpression", "ProjectionExpression", "Select", "AttributesToGet")


def _as_read(kwargs: Mapping[str, Any]) -> dict[str, Any]:
    """The same request reading whole items: without filter or projection, and without the
    expression names and values only those used (DynamoDB rejects unused ones)."""
    request = {k: v for k, v in kwargs.items() if k not in _AFTER_THE_READ}
    used = str(request.get("KeyConditionExpression", ""))
    for field in ("ExpressionAttributeNames", "ExpressionAttributeValues"):
        if field in request:
            kept = {k: v for k, v in request[field].items() if re.search(re.escape(k) + r"(?!\w)", used)}
            if kept:
                request[field] = kept
            else:
                del request[field]
    return request


def measure_read(table: Any, operation: str, **kwargs: Any) -> ReadCost:
    """Run ``table.query(**kwargs)`` or ``table.scan(**kwargs)`` to the last page, timed, and
    compute the read units DynamoDB would charge.

    ``table`` is a boto3 ``Table`` resource. Units are counted over the whole items each call
    *read*: a FilterExpression or a projection is applied after the read and does not reduce
    the bill, so the request is repeated without them (untimed) to see those items."""
    if operation not in ("query", "scan"):
        raise ValueError("operation must be 'query' or 'scan'")
    began = time.perf_counter()
    pages = _pages(table, operation, dict(kwargs))
    elapsed = (time.perf_counter() - began) * 1000
    if any(k in kwargs for k in _AFTER_THE_READ):
        read_pages = _pages(table, operation, _as_read(kwargs))
    else:
        read_pages = pages
    consistency = "strong" if kwargs.get("ConsistentRead") else "eventual"
    page_bytes = [sum(item_bytes(i) for i in page.get("Items", [])) for page in read_pages]
    return ReadCost(
        operation=operation.capitalize(),
        calls=len(pages),
        items_read=sum(len(page.get("Items", [])) for page in read_pages),
        items_returned=sum(len(page.get("Items", [])) for page in pages),
        bytes_read=sum(page_bytes),
        read_units=sum(read_units(b, consistency) for b in page_bytes),
        consistency=consistency,
        elapsed_ms=elapsed,
    )


def scan_units(item_count: int, average_item_bytes: float, consistency: str = "eventual") -> float:
    """Read units a Scan of a whole table would consume (modeled from its size): the table is
    read in calls of at most 1 MB (``dynamodb.limits.query_page_mb``), each rounded up to 4 KB."""
    if item_count <= 0:
        return 0.0
    page_bytes = facts.value("dynamodb.limits.query_page_mb") * 1024 * 1024
    total = item_count * average_item_bytes
    full_pages, rest = divmod(total, page_bytes)
    units = full_pages * read_units(page_bytes, consistency)
    return units + (read_units(rest, consistency) if rest else 0.0)
