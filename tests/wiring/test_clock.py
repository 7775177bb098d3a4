"""The course clock: order, frozen moments during advance, settle, call boundaries, reset."""

from __future__ import annotations

import threading

import pytest

from course_lib import clock


def test_advance_fires_timers_in_order_at_their_own_time(aws, frozen_clock):
    seen = []
    start = clock.time()
    for offset in (30, 10, 20):
        clock.call_at(start + offset, lambda o=offset: seen.append((o, round(clock.time() - start))), label=f"t{offset}")
    clock.call_at(start + 100, lambda: seen.append("late"))
    report = clock.advance(seconds=50)
    assert seen == [(10, 10), (20, 20), (30, 30)]  # each saw exactly its due time
    assert [f.label for f in report.fired] == ["t10", "t20", "t30"]
    assert round(clock.time() - start) == 50 and len(clock.pending()) == 1
    assert "3 timer(s) fired" in repr(report)


def test_timers_set_by_timers_fire_in_the_same_advance(aws):
    seen = []

    def chain(n):
        seen.append(n)
        if n < 3:
            clock.call_later(60, lambda: chain(n + 1), kind="retry")

    clock.call_later(60, lambda: chain(1))
    clock.advance(minutes=3)
    assert seen == [1, 2, 3]


def test_settle_runs_background_work_and_reset_drops_it(aws):
    seen = []
    with clock.CLOCK.paused():
        clock.submit(lambda: seen.append("job"), background=True)
        assert seen == []
    clock.settle()
    assert seen == ["job"]
    with clock.CLOCK.paused():
        clock.submit(lambda: seen.append("stale"), background=True)
        clock.call_later(1, lambda: seen.append("stale timer"))
        clock.reset()
    assert clock.CLOCK.offset == 0 and clock.pending() == []  # back on wall time, no timers
    clock.settle()
    clock.advance(seconds=5)
    assert seen == ["job"]


def test_work_caused_by_an_api_call_runs_as_it_returns(aws):
    seen = []
    with clock.CLOCK.api_call():
        clock.submit(lambda: seen.append(threading.current_thread().name))
        assert seen == []  # not yet: the call has not returned
    assert seen == [threading.current_thread().name]  # ran in the caller's thread


def test_failures_are_recorded_not_raised_and_time_only_moves_forward(aws):
    clock.call_later(1, lambda: 1 / 0, label="divide")
    clock.advance(seconds=2)
    label, text = clock.CLOCK.failures[-1]
    assert label == "divide" and "ZeroDivisionError" in text
    with pytest.raises(ValueError):
        clock.advance(seconds=-1)


def test_freeze_stops_time_between_advances(aws):
    import time

    clock.freeze()
    try:
        before = clock.time()
        time.sleep(0.02)
        assert clock.time() == before
        clock.advance(seconds=30)
        assert clock.time() == before + 30
        assert "frozen" in repr(clock.CLOCK)
    finally:
        clock.freeze(False)
    time.sleep(0.01)
    assert clock.time() > before + 30  # flowing again, from where it stood
