"""Kinesis shards: which shard a partition key lands on, and how many shards a workload needs.

    shards.hash_key("user-17")                 # the 128-bit number Kinesis hashes the key to
    shards.shard_for_key("user-17", ranges)    # which of a stream's hash key ranges holds it
    shards.shards_needed(records_per_s=3000, record_kb=0.5)   # ShardEstimate: by records, by MB

Kinesis routes a record by the MD5 hash of its partition key, read as an unsigned 128-bit
integer; each shard owns a contiguous range of those integers (``HashKeyRange`` in
``describe_stream``). This module does the same arithmetic, so a chapter can show *why* a
record went where the sandbox put it (moto routes records the same way).

Capacity uses the per-shard write limits from the facts file: a shard takes at most so many
records per second and so many MB per second, whichever is reached first.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from typing import Iterable, Mapping

from course_lib import facts


def hash_key(partition_key: str) -> int:
    """MD5 of the key's UTF-8 bytes as an unsigned 128-bit integer (what Kinesis routes on)."""
    return int(hashlib.md5(partition_key.encode("utf-8")).hexdigest(), 16)


def shard_for_key(partition_key: str, shards: Iterable[Mapping[str, object]]) -> str:
    """The ``ShardId`` whose ``HashKeyRange`` contains the key's hash (shards as ``describe_stream`` lists them)."""
    value = hash_key(partition_key)
    for shard in shards:
        bounds = shard["HashKeyRange"]  # type: ignore[index]
        if int(bounds["StartingHashKey"]) <= value <= int(bounds["EndingHashKey"]):  # type: ignore[index]
            return str(shard["ShardId"])
    raise ValueError(f"No shard's hash key range holds {partition_key!r}.")


def share_of_range(shard: Mapping[str, object]) -> float:
    """The fraction of all possible hash keys a shard owns (evenly split shards own 1/n each)."""
    bounds = shard["HashKeyRange"]  # type: ignore[index]
    width = int(bounds["EndingHashKey"]) - int(bounds["StartingHashKey"]) + 1  # type: ignore[index]
    return width / 2**128


@dataclass(frozen=True)
class ShardEstimate:
    """Shards a provisioned stream needs for a write rate: the larger of two limits."""

    records_per_s: float
    record_kb: float
    by_records: int
    by_bytes: int

    @property
    def shards(self) -> int:
        return max(1, self.by_records, self.by_bytes)

    @property
    def limited_by(self) -> str:
        return "records per second" if self.by_records >= self.by_bytes else "megabytes per second"

    def __repr__(self) -> str:
        return (f"<{self.shards} shard(s) for {self.records_per_s:,.0f} records/s of {self.record_kb:g} KB: "
                f"{self.by_records} by record count, {self.by_bytes} by data volume>")


def shards_needed(records_per_s: float, record_kb: float) -> ShardEstimate:
    """Shards needed to write ``records_per_s`` records of ``record_kb`` KB each (1 MB = 1,024 KB)."""
    per_shard_records = facts.value("kinesis.limits.shard_write_records_per_s")
    per_shard_mb = facts.value("kinesis.limits.shard_write_mb_per_s")
    by_records = math.ceil(round(records_per_s / per_shard_records, 9))
    by_bytes = math.ceil(round(records_per_s * record_kb / 1024 / per_shard_mb, 9))
    return ShardEstimate(records_per_s, record_kb, by_records, by_bytes)
