"""aurora_capacity: fast up, gradual down, floors, pause and resume, and cost from facts."""

from __future__ import annotations

import pytest

from course_lib import aurora_capacity, facts


def test_scales_up_at_once_and_down_gradually():
    run = aurora_capacity.simulate([1, 10, 1, 1, 1, 1, 1], min_acu=0.5, max_acu=16)
    assert run.capacity[0] == 1 and run.capacity[1] == 10
    downs = run.capacity[2:]
    assert downs == sorted(downs, reverse=True) and downs[0] < 10 and downs[0] > 1  # not all at once


def test_respects_min_max_and_half_steps():
    run = aurora_capacity.simulate([0.2, 3.3, 40], min_acu=2, max_acu=8)
    assert run.capacity == [2, 3.5, 8]
    with pytest.raises(ValueError):
        aurora_capacity.simulate([1], min_acu=4, max_acu=2)
    with pytest.raises(ValueError):
        aurora_capacity.simulate([1], min_acu=0.5, max_acu=facts.value("aurora.limits.acu_max") + 1)


def test_pauses_at_zero_and_resumes():
    run = aurora_capacity.simulate([0] * 6 + [2, 2], min_acu=0, max_acu=4, pause_after_min=5)
    assert run.capacity[4] == 0 and run.paused[4] and not run.paused[6] and run.capacity[6] > 0
    assert run.resumes == 1


def test_cost_is_acu_hours_times_the_price():
    run = aurora_capacity.simulate([1] * 60, min_acu=1, max_acu=4)
    assert run.acu_hours == pytest.approx(1.0)
    assert run.cost() == pytest.approx(facts.value("aurora.prices.serverless_v2_acu_hour"))


def test_load_curves_have_the_advertised_shape():
    sale = aurora_capacity.flash_sale_load()
    assert len(sale) == 180 and max(sale) == sale[65] and sale[0] == 0
    day = aurora_capacity.daily_load(6)
    assert len(day) == 1440 and day[3 * 60] == 0 and max(day) <= 6
