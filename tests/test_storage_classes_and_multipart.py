"""S3 storage classes and multipart arithmetic: every number from the facts file."""

from __future__ import annotations

import math

import pytest

from course_lib import facts, multipart, storage_classes
from course_lib.diagrams import notification_routes
from course_lib.multipart import GiB, MiB, TiB


def test_classes_come_from_the_facts_file() -> None:
    by_name = {c.api_name: c for c in storage_classes.classes()}
    assert list(by_name) == ["STANDARD", "STANDARD_IA", "ONEZONE_IA", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"]
    assert by_name["STANDARD_IA"].storage_gb_month == facts.value("s3.storage_classes.standard_ia_storage_gb_month")
    assert by_name["DEEP_ARCHIVE"].min_days == facts.value("s3.storage_classes.deep_archive_min_days")
    assert by_name["STANDARD"].retrieval_gb == 0 and not by_name["STANDARD"].needs_restore
    assert by_name["GLACIER"].needs_restore and not by_name["GLACIER_IR"].needs_restore
    prices = [c.storage_gb_month for c in by_name.values()]
    assert prices == sorted(prices, reverse=True)


def test_costs_minimum_durations_and_break_even() -> None:
    ia = facts.value("s3.storage_classes.standard_ia_storage_gb_month")
    retrieval = facts.value("s3.storage_classes.standard_ia_retrieval_gb")
    assert storage_classes.monthly_cost("standard_ia", 100, 10) == pytest.approx(100 * ia + 10 * retrieval)
    assert storage_classes.billed_gb_months("GLACIER_IR", gb=30, days_kept=10) == pytest.approx(90)
    assert storage_classes.billed_gb_months("STANDARD", gb=30, days_kept=10) == pytest.approx(10)
    share = storage_classes.break_even_read_fraction("STANDARD_IA")
    assert storage_classes.monthly_cost("STANDARD_IA", 1, share) == pytest.approx(storage_classes.monthly_cost("STANDARD", 1))
    assert storage_classes.break_even_read_fraction("STANDARD") is None
    with pytest.raises(ValueError, match="Unknown storage class"):
        storage_classes.get("REDUCED_REDUNDANCY")
    assert "Deep Archive" in storage_classes.table().data


def test_cost_figure_draws_one_curve_per_class() -> None:
    fig, curves = storage_classes.cost_by_reads_figure(stored_gb=10, read_fractions=[0, 0.5, 1])
    assert len(fig.axes[0].lines) == len(curves) == 6
    standard = next(c for c in curves if c.api_name == "STANDARD")
    assert standard.monthly_usd[0] == standard.monthly_usd[-1]


def test_limits_and_plans() -> None:
    assert multipart.max_parts() == facts.value("s3.limits.multipart_max_parts")
    assert multipart.max_object_bytes() == multipart.max_parts() * multipart.part_max_bytes()
    assert multipart.human(multipart.max_object_bytes()) == f"{facts.value('s3.limits.max_object_size_tib')} TiB"
    small = multipart.plan(12 * MiB, 5 * MiB)
    assert (small.ok, small.parts, small.last_part_bytes, small.single_put_possible) == (True, 3, 2 * MiB, True)
    too_many = multipart.plan(4 * TiB, 8 * MiB)
    assert not too_many.ok and "more than the 10,000" in str(too_many)
    assert any("at least 5 MiB" in p for p in multipart.plan(20 * MiB, 1 * MiB).problems)
    assert any("at most 5 GiB" in p for p in multipart.plan(20 * GiB, 6 * GiB).problems)
    assert not multipart.plan(6 * GiB, 100 * MiB).single_put_possible


def test_smallest_part_size_fits_and_is_minimal() -> None:
    size = multipart.smallest_part_size(4 * TiB)
    assert multipart.plan(4 * TiB, size).ok and not multipart.plan(4 * TiB, size - MiB).ok
    assert multipart.smallest_part_size(10 * MiB) == 5 * MiB
    with pytest.raises(ValueError, match="larger than the largest"):
        multipart.smallest_part_size(60 * TiB)
    assert multipart.parts_needed(object_gb=300, part_mb=64) == 4800
    assert multipart.parts_needed(object_gb=7, part_mb=100) == math.ceil(7 * 1024 / 100)


def test_notification_routes_figure_shows_what_arrived() -> None:
    fig, cells = notification_routes(["PUT a.png", "DELETE a.png"], ["queue", "topic"],
                                     {"queue": {"PUT a.png"}, "topic": {"DELETE a.png"}})
    assert [(c.event, c.destination) for c in cells if c.delivered] == [("PUT a.png", "queue"), ("DELETE a.png", "topic")]
    assert len(fig.axes[0].patches) == 4
