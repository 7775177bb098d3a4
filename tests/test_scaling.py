"""Chapter 01's scaling model: real concurrent invocations, and the environments AWS would use."""

from __future__ import annotations

import pytest

from course_lib.diagrams import burst_timeline
from course_lib.runtime import deploy_function
from course_lib.scaling import Fleet, Request, assign_environments, peak_in_flight, steady_concurrency

SLOW = "import time\n\ndef handler(event, context):\n    time.sleep(event.get('seconds', 0.15))\n    return {'ok': True}\n"


def test_the_model_reuses_a_free_environment_and_adds_one_when_all_are_busy():
    # Three overlapping requests, then one after all have returned, then two overlapping again.
    placed, busy = assign_environments([(0, 100), (5, 100), (10, 100)])
    assert placed == [(1, True), (2, True), (3, True)]
    placed, busy = assign_environments([(200, 300)], busy)
    assert placed == [(1, False)]  # the lowest-numbered free environment, warm
    placed, busy = assign_environments([(250, 400), (260, 400), (270, 400), (280, 400)], busy)
    # env 1 is busy until 300, so the third and fourth need new environments
    assert placed == [(2, False), (3, False), (4, True), (5, True)]


def test_the_model_in_order_of_sending():
    placed, busy = assign_environments([(250, 400), (260, 400), (270, 400)], [300.0, 100.0, 100.0])
    # env 1 is busy until 300: the first two requests take envs 2 and 3, the third needs a new one
    assert placed == [(2, False), (3, False), (4, True)]
    assert busy == [300.0, 400.0, 400.0, 400.0]
    placed, _ = assign_environments([(310, 320)], busy)
    assert placed == [(1, False)]


def test_steady_concurrency_is_rate_times_duration():
    assert steady_concurrency(100, 200) == 20
    assert steady_concurrency(40, 1500) == 60
    with pytest.raises(ValueError):
        steady_concurrency(-1, 100)


def test_peak_in_flight_counts_overlaps():
    def req(sent: float, done: float) -> Request:
        return Request(1, 1, "r", sent, done, done - sent, "local", 1, False)

    assert peak_in_flight([req(0, 10), req(10, 20)]) == 1  # back to back is not overlapping
    assert peak_in_flight([req(0, 10), req(5, 20), req(6, 7)]) == 3


def test_a_real_burst_scales_out_and_a_second_one_reuses_the_warm_environments(aws):
    deploy_function("burst-fn", SLOW)
    fleet = Fleet("burst-fn")
    first = fleet.invoke_one_by_one(2)
    assert (first.environments_used, first.cold_starts, first.peak_in_flight) == (1, 1, 1)
    burst = fleet.invoke_together(6)
    assert burst.peak_in_flight == 6  # measured: all six were in flight together
    assert (burst.environments_used, burst.cold_starts, fleet.environments) == (6, 5, 6)
    again = fleet.invoke_together(8)
    assert (again.environments_used, again.cold_starts, fleet.environments) == (8, 2, 8)
    # Measured, and honest about the local runtime: one local environment ran everything.
    assert {r.local_environment for r in fleet.requests} and len({r.local_environment for r in fleet.requests}) == 1
    assert all(r.duration_ms >= 100 for r in fleet.requests)
    assert len({r.request_id for r in fleet.requests}) == 16
    assert [r.number for r in fleet.requests] == list(range(1, 17))
    assert "would use 8 execution environments, 2 of them new" in again.summary()
    figure, bars = burst_timeline(fleet.requests)
    assert len(bars) == 16 and max(b.environment for b in bars) == 8
    # pauses between waves are shortened, times within a wave kept
    wave2 = [b for b in bars if b.wave == 2]
    assert min(b.sent_ms for b in wave2) == pytest.approx(max(b.done_ms for b in bars if b.wave == 1) + 40.0)


def test_a_failing_function_still_counts_and_a_missing_one_raises(aws):
    deploy_function("boom", "def handler(event, context):\n    raise ValueError('no')\n")
    wave = Fleet("boom").invoke_together(2)
    assert len(wave.requests) == 2
    with pytest.raises(Exception):
        Fleet("no-such-function").invoke_one_by_one(1)
    with pytest.raises(ValueError):
        Fleet("boom").invoke_together(0)
