"""How big an S3 object can be, and how a large one is uploaded: one PUT or many parts.

    from course_lib import multipart
    multipart.plan(4 * multipart.TiB, 8 * multipart.MiB)      # too many parts: what is wrong, in words
    multipart.smallest_part_size(4 * multipart.TiB)          # the smallest part size that fits
    multipart.parts_needed(object_gb=300, part_mb=64)        # ceil(300 GiB / 64 MiB) = 4,800

Every limit comes from ``s3.limits`` in the facts file: a single PUT carries at most 5 GB; a
multipart upload has at most 10,000 parts of 5 MiB to 5 GiB each (the last part may be
smaller), which is also what caps an object at 10,000 x 5 GiB (48.8 TiB, "50 TB").

AWS writes GB and TB for these limits; the arithmetic behind them is binary (a part is at most
5 GiB), so this module counts in binary units: ``MiB``, ``GiB``, ``TiB``. The sandbox enforces
part numbers and the 5 MiB minimum when an upload completes (moto does); it does not refuse a
single PUT above 5 GB, which this module's ``plan`` reports instead.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from course_lib import facts

KiB = 1024
MiB = 1024**2
GiB = 1024**3
TiB = 1024**4


def _limit(name: str) -> float:
    return float(facts.value(f"s3.limits.{name}"))


def max_parts() -> int:
    return int(_limit("multipart_max_parts"))


def part_min_bytes() -> int:
    return int(_limit("multipart_part_min_mib") * MiB)


def part_max_bytes() -> int:
    return int(_limit("multipart_part_max_gib") * GiB)


def single_put_max_bytes() -> int:
    return int(_limit("single_put_max_gb") * GiB)


def max_object_bytes() -> int:
    """The largest object multipart upload can assemble: every part at its maximum size."""
    return max_parts() * part_max_bytes()


def human(n_bytes: float) -> str:
    """``5 GiB``, ``12 MiB``, ``48.8 TiB``: binary units, as the limits are computed."""
    for unit, size in (("TiB", TiB), ("GiB", GiB), ("MiB", MiB), ("KiB", KiB)):
        if n_bytes >= size:
            value = n_bytes / size
            return f"{value:,.0f} {unit}" if value == int(value) else f"{value:,.1f} {unit}"
    return f"{n_bytes:,.0f} bytes"


@dataclass(frozen=True)
class UploadPlan:
    """How an object of ``object_bytes`` would be uploaded in parts of ``part_bytes``."""

    object_bytes: int
    part_bytes: int
    parts: int
    last_part_bytes: int
    single_put_possible: bool
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems

    def __str__(self) -> str:
        head = (f"{human(self.object_bytes)} in parts of {human(self.part_bytes)}: {self.parts:,} parts "
                f"(the last one {human(self.last_part_bytes)})")
        if self.ok:
            return head + "; S3 accepts it"
        return head + "; S3 refuses it: " + "; ".join(self.problems)

    def _repr_markdown_(self) -> str:
        return str(self)


def plan(object_bytes: int, part_bytes: int) -> UploadPlan:
    """Check a multipart upload against S3's limits; ``problems`` says what S3 would refuse."""
    if object_bytes < 0 or part_bytes <= 0:
        raise ValueError("object_bytes must be >= 0 and part_bytes > 0.")
    parts = max(1, math.ceil(object_bytes / part_bytes))
    last = object_bytes - (parts - 1) * part_bytes
    problems = []
    if object_bytes > max_object_bytes():
        problems.append(f"the object is larger than {human(max_object_bytes())}, the most any object can be")
    if parts > max_parts():
        problems.append(f"{parts:,} parts is more than the {max_parts():,} an upload may have")
    if part_bytes > part_max_bytes():
        problems.append(f"a part may be at most {human(part_max_bytes())}")
    if parts > 1 and part_bytes < part_min_bytes():
        problems.append(f"every part but the last must be at least {human(part_min_bytes())}")
    return UploadPlan(object_bytes, part_bytes, parts, last, object_bytes <= single_put_max_bytes(), tuple(problems))


def smallest_part_size(object_bytes: int, step: int = MiB) -> int:
    """The smallest part size (a whole number of ``step``s, at least the 5 MiB minimum) that uploads
    ``object_bytes`` within the part limit. Raises ValueError for objects too large for S3."""
    if object_bytes > max_object_bytes():
        raise ValueError(f"{human(object_bytes)} is larger than the largest S3 object, {human(max_object_bytes())}.")
    needed = math.ceil(object_bytes / max_parts())
    size = max(part_min_bytes(), math.ceil(needed / step) * step)
    return min(size, part_max_bytes())


def parts_needed(object_gb: float, part_mb: float) -> int:
    """Parts for an object of ``object_gb`` GiB in parts of ``part_mb`` MiB (the quiz's arithmetic)."""
    return math.ceil(object_gb * GiB / (part_mb * MiB))
