"""course_lib.fit: the workload recommendation of chapter 13, and its quiz formulas and build check."""

from __future__ import annotations

import math

import pytest

from course_lib import facts, plots, pricing
from course_lib.fit import Workload, WorkloadError, as_dict, provisioned_concurrency_needed, recommend, servers_for_peak
from course_lib.quiz import formulas


def test_small_spiky_api_stays_on_lambda():
    r = recommend(requests_per_month=3_000_000, duration_ms=120, memory_mb=512, peak_to_average=4)
    assert r.choice == "Lambda"
    assert not r.blockers
    assert r.costs["Lambda"] == pytest.approx(pricing.lambda_cost(3_000_000, 120, 512))
    assert r.costs["EC2"] == pytest.approx(pricing.ec2_cost("t3.small").total)


def test_steady_high_volume_moves_to_servers():
    r = recommend(requests_per_month=4_000_000_000, duration_ms=50, memory_mb=256, rps_per_server=200, peak_to_average=1.5)
    assert r.choice == "EC2"
    assert [b.topic for b in r.blockers] == ["cost"]
    assert r.costs["Lambda"] > r.costs["EC2"]
    # the break-even lies below the workload's volume
    assert r.break_even["ec2"] < 4_000_000_000


def test_peak_sizing_can_flip_the_answer_back_to_lambda():
    steady = recommend(requests_per_month=300_000_000, duration_ms=100, memory_mb=512, peak_to_average=1)
    spiky = recommend(requests_per_month=300_000_000, duration_ms=100, memory_mb=512, peak_to_average=10)
    assert steady.choice == "EC2" and spiky.choice == "Lambda"
    assert spiky.servers > steady.servers


def test_servers_for_peak_arithmetic():
    seconds = facts.value("billing.hours_per_month") * 3600
    w = Workload(requests_per_month=seconds * 120, duration_ms=10, rps_per_server=50, peak_to_average=2)
    assert servers_for_peak(w) == math.ceil(120 * 2 / 50)
    w = Workload(requests_per_month=seconds * 100, duration_ms=10, rps_per_server=50)
    assert servers_for_peak(w) == 2          # exactly two servers' worth, not three
    w = Workload(requests_per_month=seconds * 10, duration_ms=250, peak_to_average=2)
    assert provisioned_concurrency_needed(w) == 5


def test_break_even_matches_the_plot():
    r = recommend(requests_per_month=1e6, duration_ms=100, memory_mb=512)
    _, data = plots.lambda_vs_servers(duration_ms=100, memory_mb=512)
    assert r.break_even["ec2"] == pytest.approx(data.break_even["ec2"], rel=1e-6)
    assert r.break_even["fargate"] == pytest.approx(data.break_even["fargate"], rel=1e-6)
    # the quiz formula (first tier, one instance) agrees with the bisection
    assert formulas.lambda_break_even_requests(100, 512) == pytest.approx(r.break_even["ec2"], rel=1e-6)


def test_long_job_is_not_lambda():
    timeout_ms = facts.value("lambda.limits.timeout_max_s") * 1000
    r = recommend(requests_per_month=3000, duration_ms=timeout_ms * 2, memory_mb=4096, fargate_vcpu=2, fargate_memory_gb=4)
    assert r.choice == "Fargate"
    assert "Lambda" not in r.costs
    assert r.blockers[0].topic == "duration" and "Step Functions" in r.blockers[0].alternative


@pytest.mark.parametrize("flag, topic, word", [
    ("persistent_connections", "connections", "WebSocket"),
    ("in_memory_state", "state", "ElastiCache"),
    ("gpu_or_hpc", "GPU / HPC", "SageMaker"),
])
def test_hard_blockers_name_an_alternative(flag, topic, word):
    r = recommend(requests_per_month=1e6, duration_ms=100, **{flag: True})
    assert r.choice != "Lambda"
    blocker = next(b for b in r.blockers if b.topic == topic)
    assert word in blocker.alternative


def test_latency_budget_prices_provisioned_concurrency():
    r = recommend(requests_per_month=2_000_000, duration_ms=90, memory_mb=1024, latency_budget_ms=300, cold_start_ms=700)
    assert r.choice == "Lambda + provisioned concurrency"
    ok = recommend(requests_per_month=2_000_000, duration_ms=90, memory_mb=1024, latency_budget_ms=1000, cold_start_ms=700)
    assert ok.choice == "Lambda" and all(x.fits for x in ok.reasons)


def test_plot_marks_the_workload():
    r = recommend(requests_per_month=3e6, duration_ms=120)
    fig, data = r.plot()
    ax = fig.axes[0]
    assert any(list(line.get_xdata()) == [3e6, 3e6] for line in ax.get_lines())
    assert data.break_even["ec2"] == pytest.approx(r.break_even["ec2"], rel=1e-6)
    assert as_dict(r)["choice"] == "Lambda"


@pytest.mark.parametrize("fields, message", [
    ({"requests_per_month": -1, "duration_ms": 100}, "requests_per_month must be at least 0"),
    ({"requests_per_month": 1e6, "duration_ms": 0}, "duration_ms must be greater than 0"),
    ({"requests_per_month": "lots", "duration_ms": 100}, "requests_per_month must be a number"),
    ({"requests_per_month": 1e6, "duration_ms": 100, "memory_mb": 64}, "memory_mb must be a whole number"),
    ({"requests_per_month": 1e6, "duration_ms": 100, "architecture": "sparc"}, "architecture must be"),
    ({"requests_per_month": 1e6, "duration_ms": 100, "peak_to_average": 0.5}, "peak_to_average must be at least 1"),
    ({"requests_per_month": 1e6, "duration_ms": 100, "latency_budget_ms": 200}, "needs cold_start_ms"),
    ({"requests_per_month": 1e6, "duration_ms": 100, "gpu_or_hpc": "yes"}, "gpu_or_hpc must be True or False"),
    ({"requests_per_month": 1e6, "duration_ms": 100, "ec2_instance": "x1.huge"}, "ec2_instance must be one of"),
    ({"requests_per_month": 1e6, "duration_ms": 100, "min_servers": 0}, "min_servers must be a whole number"),
    ({"requests_per_month": 1e6, "duration_ms": 100, "colour": "red"}, "Known fields"),
    ({"duration_ms": 100}, "requests_per_month"),
])
def test_bad_input_gets_a_clear_message(fields, message):
    with pytest.raises(WorkloadError, match=message):
        recommend(**fields)


def test_workload_error_is_a_value_error():
    assert issubclass(WorkloadError, ValueError)


def test_provisioned_formulas():
    idle = formulas.provisioned_concurrency_idle_cost(5, 1024)
    hours = facts.value("billing.hours_per_month")
    assert idle == pytest.approx(pricing.lambda_provisioned_cost(5, 1024, hours).total, rel=1e-9)
    assert formulas.provisioned_concurrency_one_environment(5, 1024) == pytest.approx(idle / 5)


def test_arm_build_check_fails_empty_and_passes_solved(aws):
    from course_lib.quiz.checks import CHECKS, run_check

    args = {"name": "test-fit-arm", "memory_mb": 1024, "timeout_s": 30}
    assert not all(i.ok for i in run_check("arm_function", aws, args))
    CHECKS["arm_function"].solve(aws, **args)
    assert all(i.ok for i in run_check("arm_function", aws, args))
    aws.client("lambda").update_function_configuration(FunctionName="test-fit-arm", MemorySize=512)
    items = run_check("arm_function", aws, args)
    assert any("expected 1024 MB" in i.message for i in items)
