"""How DynamoDB spreads a table over partitions by hashing the partition key, and why the key matters.

    from course_lib import partitions
    items = table.scan()["Items"]                       # real items from the sandbox
    good = partitions.spread(items, "customer_id")      # many distinct values: an even spread
    bad = partitions.spread(items, "status")            # three values: three busy partitions
    good.hottest_share, bad.hottest_share               # share of the items (and traffic) on the busiest one
    partitions.max_table_throughput(bad, "write")       # writes/s before that partition hits its limit

DynamoDB stores a table in partitions. It feeds each item's partition key value to an internal
hash function, and the hash decides the partition. Items with the same partition key always
land together (sorted by their sort key); different values spread out. A partition serves at
most ``dynamodb.limits.partition_rcu`` and ``dynamodb.limits.partition_wcu`` per second, so
when most items (and so most requests) share a few key values, those partitions are "hot" and
throttle long before the table as a whole is busy.

What is **real** here: the items, written to and read back from the sandbox. What is **modeled**:
the partition each item would live in. DynamoDB's hash function and the number of partitions
of a table are internal and not published; the model uses MD5 (a uniform hash, as DynamoDB's
is) over a fixed number of partitions, which is enough to show the effect of the key choice.
moto keeps a table in one Python dictionary and has no partitions at all. On AWS, adaptive
capacity also moves hot items to partitions of their own, which helps, up to each partition's
own limit.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Iterable, Mapping

from course_lib import facts

DEFAULT_PARTITIONS = 8


def _key_bytes(value: Any) -> bytes:
    """A partition key value as bytes: strings as UTF-8, numbers normalised, binary as is."""
    if isinstance(value, Mapping) and len(value) == 1:  # low-level client form {"S": "..."}
        (kind, raw), = value.items()
        value = Decimal(raw) if kind == "N" else raw
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return format(Decimal(str(value)).normalize(), "f").encode()
    return str(value).encode("utf-8")


def partition_of(value: Any, partitions: int = DEFAULT_PARTITIONS) -> int:
    """The partition (0-based) the model puts a partition key value in."""
    if partitions < 1:
        raise ValueError("partitions must be at least 1")
    digest = hashlib.md5(_key_bytes(value), usedforsecurity=False).digest()
    return int.from_bytes(digest[:8], "big") % partitions


@dataclass(frozen=True)
class KeySpread:
    """How a table's items would spread over partitions with ``attribute`` as partition key."""

    attribute: str
    partitions: int
    counts: tuple[int, ...]  # items per partition
    distinct_values: int

    @property
    def items(self) -> int:
        return sum(self.counts)

    @property
    def used_partitions(self) -> int:
        return sum(1 for c in self.counts if c)

    @property
    def hottest_share(self) -> float:
        """Share of the items on the busiest partition (an even spread gives 1 / partitions)."""
        return max(self.counts) / self.items if self.items else 0.0

    @property
    def imbalance(self) -> float:
        """Busiest partition over the average one: 1.0 is perfectly even."""
        return max(self.counts) * self.partitions / self.items if self.items else 0.0

    def summary(self) -> str:
        return (
            f"{self.attribute}: {self.distinct_values:,} distinct values, {self.items:,} items on "
            f"{self.used_partitions} of {self.partitions} partitions; the busiest holds "
            f"{self.hottest_share:.0%} of them ({self.imbalance:.1f}× an even share)"
        )

    def __repr__(self) -> str:
        return f"<KeySpread {self.summary()}>"


def spread(items: Iterable[Mapping[str, Any]], attribute: str, partitions: int = DEFAULT_PARTITIONS) -> KeySpread:
    """Where ``items`` would live if ``attribute`` were the partition key (items lacking it are skipped)."""
    values = [item[attribute] for item in items if attribute in item]
    placed = Counter(partition_of(v, partitions) for v in values)
    distinct = len({_key_bytes(v) for v in values})
    return KeySpread(attribute, partitions, tuple(placed.get(p, 0) for p in range(partitions)), distinct)


def max_table_throughput(key_spread: KeySpread, kind: str = "write") -> float:
    """Units per second the whole table can take, with traffic spread like its items, before
    its busiest partition reaches the per-partition limit (``partition_wcu``/``partition_rcu``)."""
    if kind not in ("read", "write"):
        raise ValueError("kind must be 'read' or 'write'")
    limit = facts.value(f"dynamodb.limits.partition_{'r' if kind == 'read' else 'w'}cu")
    share = key_spread.hottest_share
    return limit / share if share else 0.0
