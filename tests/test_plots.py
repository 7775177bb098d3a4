"""Every cost figure: the data it plots (break-even, monotonicity, totals), and readable axes."""

from __future__ import annotations

import math

import matplotlib
import matplotlib.pyplot as plt
import pytest

from course_lib import facts, plots, pricing

matplotlib.use("Agg")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def assert_readable(fig):
    """Notebook width, a title, both axes labelled with their units."""
    assert tuple(fig.get_size_inches()) == plots.FIGSIZE
    ax = fig.axes[0]
    assert ax.get_title()
    assert ax.get_xlabel() and ax.get_ylabel()
    assert "(" in ax.get_xlabel() or "MB" in ax.get_xlabel()   # a unit
    assert "USD" in ax.get_ylabel() or "ms" in ax.get_ylabel()
    assert ax.get_legend() is not None


# --------------------------------------------------------------------------------------------
def test_lambda_cost_grid_rises_with_memory_and_duration():
    fig, data = plots.lambda_cost_grid(requests=1_000_000)
    assert_readable(fig)
    for row in data.usd:                                   # longer is dearer at every memory size
        assert all(a < b for a, b in zip(row, row[1:]))
    for j in range(len(data.durations_ms)):                # more memory is dearer at every duration
        column = [row[j] for row in data.usd]
        assert all(a < b for a, b in zip(column, column[1:]))
    assert data.request_charge_usd == pytest.approx(0.20)
    assert min(min(row) for row in data.usd) > data.request_charge_usd
    assert data.cost(1024, 100) == pytest.approx(pricing.lambda_cost(1_000_000, 100, 1024))


def test_lambda_cost_grid_matches_the_mobile_backend_example_with_free_tier():
    _, data = plots.lambda_cost_grid(memory_sizes=[1536], durations_ms=[120], requests=3_000_000, free_tier=True)
    assert round(data.usd[0][0], 2) == 2.73


# --------------------------------------------------------------------------------------------
def test_break_even_is_where_lambda_meets_one_server():
    fig, data = plots.lambda_vs_servers(duration_ms=100, memory_mb=512, ec2_instance="t3.small",
                                        rps_per_server=50, min_servers=1)
    assert_readable(fig)
    one_ec2 = data.assumptions["ec2_usd_per_instance"]
    assert one_ec2 == pytest.approx(facts.value("ec2.prices.t3_small") * facts.value("billing.hours_per_month"))
    # No free tier: Lambda is linear in requests, so the break-even has a closed form.
    per_request = pricing.lambda_cost(1_000_000, 100, 512) / 1_000_000
    x = data.break_even["ec2"]
    assert x == pytest.approx(one_ec2 / per_request, rel=1e-6)
    assert pricing.lambda_cost(x, 100, 512) == pytest.approx(one_ec2, rel=1e-6)
    assert pricing.lambda_cost(x * 0.99, 100, 512) < one_ec2 < pricing.lambda_cost(x * 1.01, 100, 512)
    # Fargate's task costs more than the t3.small here, so Lambda stays cheaper a little longer.
    assert data.break_even["fargate"] > x
    # The plotted Lambda line rises; the server lines are steps that never fall.
    assert all(a < b for a, b in zip(data.lambda_usd, data.lambda_usd[1:]))
    assert all(a <= b for a, b in zip(data.ec2_usd, data.ec2_usd[1:]))
    assert data.ec2_usd[-1] > data.ec2_usd[0]              # more instances at high traffic


def test_free_tier_and_slower_handlers_move_the_break_even():
    _, base = plots.lambda_vs_servers()
    _, free = plots.lambda_vs_servers(free_tier=True)
    _, slow = plots.lambda_vs_servers(duration_ms=400)
    assert free.break_even["ec2"] > base.break_even["ec2"]
    assert slow.break_even["ec2"] < base.break_even["ec2"]


def test_no_break_even_when_lambda_stays_cheaper():
    assert plots.break_even_requests(1, 128, 1e6, high=1e8) is None


def test_bad_ranges_are_refused():
    with pytest.raises(pricing.PricingInputError, match="requests_range"):
        plots.lambda_vs_servers(requests_range=(1e6, 1e3))
    with pytest.raises(pricing.PricingInputError, match="instance_type must be one of"):
        plots.lambda_vs_servers(ec2_instance="x1e.32xlarge")



def test_break_even_labels_sit_clear_of_both_dotted_lines():
    """No dotted line and no Lambda line runs through either break-even label's text."""
    fig, data = plots.lambda_vs_servers(duration_ms=100, memory_mb=512, rps_per_server=400 / 3)
    ax = fig.axes[0]
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    lines_px = [ax.transData.transform((x, 1))[0] for x in data.break_even.values() if x is not None]
    assert len(lines_px) == 2
    labels = [t for t in ax.texts if t.get_text().startswith("break-even")]
    assert len(labels) == 2
    for label in labels:
        box = label.get_window_extent(renderer)
        assert all(not (box.x0 <= x <= box.x1) for x in lines_px), label.get_text()
        lambda_px = ax.transData.transform(list(zip(data.requests, data.lambda_usd)))
        assert not any(box.contains(px, py) for px, py in lambda_px), label.get_text()
        # Lines drawn later (the workload marker) go behind the label, which is backed and on top.
        assert label.get_bbox_patch() is not None and label.get_bbox_patch().get_facecolor()[:3] == (1, 1, 1)
        assert label.get_zorder() > max(line.get_zorder() for line in ax.lines)
    footnote = next(t.get_text() for t in ax.texts if t.get_text().startswith("servers:"))
    assert "133 requests/s each" in footnote


# --------------------------------------------------------------------------------------------
def _flat_measurements(ms: float = 40.0) -> plots.PowerTuningMeasurements:
    sizes = plots.DEFAULT_MEMORY_SIZES
    return plots.PowerTuningMeasurements("fib", sizes, tuple((ms, ms * 1.02, ms * 0.98) for _ in sizes))


def test_power_tuning_models_cpu_proportional_to_memory():
    fig, data = plots.power_tuning(_flat_measurements(40.0))
    assert_readable(fig)
    one_vcpu = facts.value("lambda.limits.memory_per_vcpu_mb")
    assert data.reference_ms == pytest.approx(40.0)
    for m, modeled in zip(data.memory_mb, data.modeled_ms):
        assert modeled == pytest.approx(40.0 * max(1.0, one_vcpu / m))
    # Duration never rises with memory; above one vCPU single-threaded code stops speeding up.
    assert all(a >= b for a, b in zip(data.modeled_ms, data.modeled_ms[1:]))
    above = [c for m, c in zip(data.memory_mb, data.usd_per_million) if m >= one_vcpu]
    assert all(a < b for a, b in zip(above, above[1:]))
    # Below one vCPU, GB-seconds stay the same: cost is flat up to millisecond rounding.
    below = [c for m, c in zip(data.memory_mb, data.usd_per_million) if m <= one_vcpu]
    assert max(below) - min(below) < 0.05 * min(below)
    assert data.cheapest_memory_mb <= one_vcpu
    assert data.fastest_memory_mb == min(m for m in data.memory_mb if m >= one_vcpu)
    assert "measured here" in fig.axes[0].get_legend().get_texts()[0].get_text()


def test_power_tuning_with_threads_keeps_speeding_up_past_one_vcpu():
    _, data = plots.power_tuning(_flat_measurements(), threads=2)
    assert data.modeled_ms[-1] < data.modeled_ms[data.memory_mb.index(1769)]


def test_power_tuning_measures_real_invocations(aws):
    code = "def handler(event, context):\n    return sum(i * i for i in range(30000))\n"
    measured = plots.measure_power_tuning(code, memory_sizes=(128, 1024), invocations=2, function_name="tune-me")
    assert measured.memory_mb == (128, 1024)
    assert all(len(series) == 2 and all(d > 0 for d in series) for series in measured.durations_ms)
    assert all(init is not None for init in measured.init_ms)   # each size began with a cold start
    fig, data = plots.power_tuning(measured)
    assert data.modeled_ms[0] > data.modeled_ms[1]


# --------------------------------------------------------------------------------------------
def test_cost_breakdown_stacks_paid_and_free_per_service():
    estimates = {name: pricing.monthly_estimate(arch, free_tier=True)
                 for name, arch in plots.typical_patterns(1_000_000).items()}
    fig, data = plots.cost_breakdown(estimates)
    assert_readable(fig)
    assert data.patterns == tuple(estimates)
    for i, est in enumerate(estimates.values()):
        assert sum(data.paid[i]) == pytest.approx(est.total) == pytest.approx(data.totals[i])
        assert sum(data.paid[i]) + sum(data.free[i]) == pytest.approx(data.gross_totals[i])
    assert any(sum(row) > 0 for row in data.free)              # the free tier is visible
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "covered by the free tier" in labels


def test_cost_breakdown_of_one_estimate_without_free_tier():
    est = pricing.monthly_estimate(plots.typical_patterns(10_000)["Queue worker (SQS + Lambda + S3)"], title="Queue")
    _, data = plots.cost_breakdown(est)
    assert data.patterns == ("Queue",)
    assert data.free == ((0.0,) * len(data.services),)
    assert not math.isclose(data.totals[0], 0.0)
