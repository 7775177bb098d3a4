"""S3 storage classes: what each costs to keep and to read, and when each one wins.

    from course_lib import storage_classes
    storage_classes.table()                                  # Markdown: price, retrieval, minimum days, availability
    storage_classes.monthly_cost("STANDARD_IA", stored_gb=1024, read_gb=100)
    storage_classes.billed_gb_months("GLACIER_IR", gb=10, days_kept=30)   # the 90-day minimum applies
    fig, curves = storage_classes.cost_by_reads_figure(stored_gb=1024)

Every number comes from ``s3.prices`` and ``s3.storage_classes`` in the facts file. Each class
trades a lower storage price for a per-GB retrieval charge, a minimum storage duration and
(for the Glacier Flexible Retrieval and Deep Archive classes) a restore that takes minutes to
hours before the object can be read. Durability is the same eleven nines in every class.

Simplifications (each noted where it is shown): S3 Standard uses its first-tier price; request
charges, the Intelligent-Tiering monitoring fee, the 128 KB minimum billable object size and
data transfer are left out of these curves; a month is 30 days for minimum-duration arithmetic.
In the sandbox ``StorageClass`` is stored and reported by moto, but nothing is ever moved,
restored or billed: lifecycle rules are stored, not run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import matplotlib.pyplot as plt
from IPython.display import Markdown
from matplotlib.figure import Figure

from course_lib import facts

DAYS_PER_MONTH = 30  # how S3 prorates minimum storage durations


@dataclass(frozen=True)
class StorageClass:
    api_name: str  # what boto3 takes as StorageClass=
    label: str
    storage_gb_month: float  # USD
    retrieval_gb: float  # USD per GB read
    min_days: int
    availability: str  # designed-for availability, "99.9%"
    first_byte: str  # how soon a GET returns data

    @property
    def needs_restore(self) -> bool:
        return self.first_byte != "milliseconds"


# (api name, label, facts stem); Standard's storage price is the first tier of s3.prices.
_CLASSES = (
    ("STANDARD", "S3 Standard", "standard"),
    ("STANDARD_IA", "S3 Standard-IA", "standard_ia"),
    ("ONEZONE_IA", "S3 One Zone-IA", "onezone_ia"),
    ("GLACIER_IR", "S3 Glacier Instant Retrieval", "glacier_ir"),
    ("GLACIER", "S3 Glacier Flexible Retrieval", "glacier_flexible"),
    ("DEEP_ARCHIVE", "S3 Glacier Deep Archive", "deep_archive"),
)


def _fact(key: str, default: object = None) -> object:
    try:
        return facts.value(key)
    except facts.FactError:
        if default is None:
            raise
        return default


def classes() -> list[StorageClass]:
    """The storage classes the course compares, from the facts file, most expensive to store first."""
    found = []
    for api_name, label, stem in _CLASSES:
        base = f"s3.storage_classes.{stem}"
        if stem == "standard":
            price = float(facts.value("s3.prices.standard_storage_gb_month")[0]["price"])
            availability = facts.value("s3.storage_classes.standard_availability_pct")
        else:
            price = float(facts.value(f"{base}_storage_gb_month"))
            availability = facts.value(f"{base}_availability_pct")
        restore_key = f"{base}_restore"
        first_byte = facts.text(restore_key) if restore_key in facts.all_facts() else "milliseconds"
        found.append(StorageClass(
            api_name=api_name,
            label=label,
            storage_gb_month=price,
            retrieval_gb=float(_fact(f"{base}_retrieval_gb", 0.0)),  # type: ignore[arg-type]
            min_days=int(_fact(f"{base}_min_days", 0) or 0),  # type: ignore[call-overload]
            availability=f"{availability:g}%",
            first_byte=first_byte,
        ))
    return found


def get(api_name: str) -> StorageClass:
    for storage_class in classes():
        if storage_class.api_name == api_name.upper():
            return storage_class
    known = ", ".join(c.api_name for c in classes())
    raise ValueError(f"Unknown storage class {api_name!r}; the course compares {known}.")


def monthly_cost(api_name: str, stored_gb: float, read_gb: float = 0.0) -> float:
    """USD a month to keep ``stored_gb`` and read ``read_gb`` of it (storage + retrieval)."""
    if stored_gb < 0 or read_gb < 0:
        raise ValueError("stored_gb and read_gb must not be negative.")
    storage_class = get(api_name)
    return stored_gb * storage_class.storage_gb_month + read_gb * storage_class.retrieval_gb


def billed_gb_months(api_name: str, gb: float, days_kept: float) -> float:
    """GB-months billed for data deleted after ``days_kept`` days: never less than the minimum."""
    storage_class = get(api_name)
    return gb * max(days_kept, storage_class.min_days) / DAYS_PER_MONTH


def break_even_read_fraction(api_name: str, than: str = "STANDARD") -> float | None:
    """Share of the stored data read each month above which ``api_name`` costs more than ``than``.

    None when it never does (no retrieval charge).
    """
    cheap, dear = get(api_name), get(than)
    extra_per_gb_read = cheap.retrieval_gb - dear.retrieval_gb
    if extra_per_gb_read <= 0:
        return None
    return (dear.storage_gb_month - cheap.storage_gb_month) / extra_per_gb_read


def table() -> Markdown:
    """The classes side by side, every number from the facts file."""
    rows = ["| class (`StorageClass=`) | storage, per GB-month | retrieval, per GB | minimum duration | availability | first byte |",
            "|---|---:|---:|---:|---|---|"]
    for c in classes():
        retrieval = f"${c.retrieval_gb:g}" if c.retrieval_gb else "none"
        minimum = f"{c.min_days} days" if c.min_days else "none"
        rows.append(f"| {c.label} (`{c.api_name}`) | ${c.storage_gb_month:g} | {retrieval} | {minimum} | "
                    f"{c.availability} | {c.first_byte} |")
    return Markdown("\n".join(rows))


@dataclass(frozen=True)
class CostCurve:
    api_name: str
    read_fractions: tuple[float, ...]
    monthly_usd: tuple[float, ...]


def cost_by_reads_figure(stored_gb: float = 1024.0, read_fractions: Sequence[float] | None = None) -> tuple[Figure, list[CostCurve]]:
    """Monthly cost of ``stored_gb`` in each class against the share of it read each month."""
    fractions = tuple(read_fractions) if read_fractions is not None else tuple(i / 50 for i in range(0, 76))
    curves = [
        CostCurve(c.api_name, fractions, tuple(monthly_cost(c.api_name, stored_gb, stored_gb * f) for f in fractions))
        for c in classes()
    ]
    fig, ax = plt.subplots(figsize=(8, 4.5))
    styles = {"GLACIER": "--", "DEEP_ARCHIVE": "--"}
    for storage_class, curve in zip(classes(), curves):
        ax.plot([100 * f for f in curve.read_fractions], curve.monthly_usd, styles.get(curve.api_name, "-"),
                label=storage_class.label + (" (restore first)" if storage_class.needs_restore else ""), linewidth=2)
    ax.set_xlabel("share of the data read each month (%)")
    ax.set_ylabel(f"USD per month for {stored_gb:,.0f} GB")
    ax.set_title("Cheaper to store, dearer to read: S3 storage classes")
    ax.set_xlim(0, 100 * fractions[-1])
    ax.set_ylim(0, None)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper left", frameon=False)
    fig.text(0.01, 0.01, "Storage + retrieval only (no requests, no data transfer); us-east-1 list prices.",
             fontsize=8, color="#555")
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    return fig, curves
