"""Every cost figure the chapters show, each returned with the numbers it plots.

    from course_lib import plots
    fig, data = plots.lambda_cost_grid()                 # chapter 02: cost against memory and duration
    fig, data = plots.lambda_vs_servers()                # Lambda vs EC2 vs Fargate, break-even marked
    fig, data = plots.power_tuning(plots.measure_power_tuning(code))   # a local power-tuning curve
    fig, data = plots.cost_breakdown({"API": est1, "Queue": est2})     # bars per pattern, free tier shown

Every function returns ``(figure, data)``: ``data`` is a small frozen dataclass holding exactly
what was drawn (tests check it, not pixels). Figures are 8 x 4.5 inches, with labelled axes
and units, a title without dates, a fixed style and fixed colours, so a re-run draws the same
picture. All prices come from ``course_lib.pricing`` (and so from the facts file).

Where a figure models rather than measures, it says so on the figure:

* ``power_tuning`` measures durations on *this* machine, whose CPU does not change with the
  memory setting. Lambda's does: it allocates CPU in proportion to memory, one full vCPU at
  1,769 MB (``lambda.limits.memory_per_vcpu_mb``). The modeled curve assumes single-threaded,
  CPU-bound code that runs at the measured speed with one vCPU, so it runs
  ``1,769 / memory`` times slower below 1,769 MB and no faster above it. I/O-bound handlers
  (waiting on DynamoDB or S3) speed up much less: measure on AWS before choosing.
* ``lambda_vs_servers`` assumes a server capacity (requests per second per instance or task)
  that you set; real capacity depends on the code. Servers are billed all month, 730 hours.
"""

from __future__ import annotations

import math
from contextlib import contextmanager
import statistics
import textwrap
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Mapping, NamedTuple, Sequence

import matplotlib

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from course_lib import facts, pricing


FIGSIZE = (8.0, 4.5)
DEFAULT_MEMORY_SIZES = (128, 256, 512, 1024, 1536, 1769, 2048, 3008)
COLORS = {
    "lambda": "#FF9900",   # AWS orange
    "ec2": "#1F77B4",
    "fargate": "#2CA02C",
    "measured": "#7F7F7F",
    "modeled": "#1F77B4",
    "cost": "#D62728",
    "free": "#BBBBBB",
}
SERVICE_COLORS = {
    "lambda": "#FF9900", "lambda_provisioned": "#CC7A00", "apigateway": "#9467BD", "dynamodb": "#1F77B4",
    "s3": "#2CA02C", "sqs": "#D62728", "sns": "#E377C2", "stepfunctions": "#8C564B", "eventbridge": "#BCBD22",
    "kinesis": "#17BECF", "firehose": "#AEC7E8", "fargate": "#98DF8A", "ec2": "#393B79",
    "cognito": "#FF9896", "cloudwatch_logs": "#7F7F7F",
}
_STYLE = {
    "figure.figsize": FIGSIZE,
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "font.size": 10,
    "axes.titlesize": 12,
    "axes.labelsize": 10,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.fontsize": 9,
    "legend.frameon": False,
    "svg.hashsalt": "course_lib.plots",  # deterministic SVG ids
}


class Plot(NamedTuple):
    """A figure and the data it shows: ``fig, data = plots.something()``."""

    figure: Figure
    data: Any


def _usd_axis(value: float, _pos: Any = None) -> str:
    if value == 0:
        return "$0"
    if value < 0.01:
        return f"${value:.2g}"
    if value >= 1 and value == int(value):
        return f"${value:,.0f}"
    if value < 10:
        return f"${value:,.2f}"
    return f"${value:,.0f}"


def _count_label(value: float) -> str:
    """3 significant figures with a k/M/B suffix: 14.7M."""
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if value >= size:
            return f"{value / size:.3g}{suffix}"
    return f"{value:.3g}"


def _count_axis(value: float, _pos: Any = None) -> str:
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if value >= size:
            return f"{value / size:g}{suffix}"
    return f"{value:g}"


@contextmanager
def _style() -> Iterator[None]:
    """The course style for the figures drawn inside, restoring only the keys it set.

    ``plt.rc_context`` restores *every* rcParam on exit, the backend included: when a kernel's
    first figure is drawn inside it, the notebook's inline backend is undone and later figures
    are never shown.
    """
    saved = {key: matplotlib.rcParams[key] for key in _STYLE}
    matplotlib.rcParams.update(_STYLE)
    try:
        yield
    finally:
        matplotlib.rcParams.update(saved)


def _new_figure() -> tuple[Figure, Any]:
    with _style():
        fig, ax = plt.subplots(figsize=FIGSIZE, layout="constrained")
    return fig, ax


def _styled(func: Callable[..., Plot]) -> Callable[..., Plot]:
    def wrapper(*args: Any, **kwargs: Any) -> Plot:
        with _style():
            return func(*args, **kwargs)

    wrapper.__doc__ = func.__doc__
    wrapper.__name__ = func.__name__
    wrapper.__wrapped__ = func  # type: ignore[attr-defined]
    return wrapper


# --------------------------------------------------------------------------------------------
# (4) Chapter 02: Lambda cost against memory and duration
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LambdaCostGridData:
    requests: int
    architecture: str
    memory_mb: tuple[int, ...]
    durations_ms: tuple[float, ...]
    usd: tuple[tuple[float, ...], ...]         # usd[i][j]: memory_mb[i], durations_ms[j]
    request_charge_usd: float                  # what the requests alone cost (the floor)

    def cost(self, memory_mb: int, duration_ms: float) -> float:
        return self.usd[self.memory_mb.index(memory_mb)][self.durations_ms.index(duration_ms)]


@_styled
def lambda_cost_grid(
    memory_sizes: Sequence[int] = (128, 512, 1024, 1769, 3008, 10240),
    durations_ms: Sequence[float] | None = None,
    requests: int = 1_000_000,
    architecture: str = "x86_64",
    free_tier: bool = False,
) -> Plot:
    """Monthly Lambda cost of ``requests`` invocations: one line per memory size, against the
    billed duration per invocation. The dashed floor is the request charge alone."""
    if not memory_sizes:
        raise pricing.PricingInputError("memory_sizes is empty: give at least one memory size in MB.")
    durations = tuple(float(d) for d in (durations_ms if durations_ms is not None
                                          else (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000)))
    mems = tuple(sorted(int(m) for m in memory_sizes))
    usd = tuple(tuple(pricing.lambda_cost(requests, d, m, architecture, free_tier) for d in durations) for m in mems)
    floor = pricing.lambda_breakdown(requests, 1, mems[0], architecture, free_tier).request_line.total
    data = LambdaCostGridData(requests, architecture, mems, durations, usd, floor)

    fig, ax = _new_figure()
    cmap = matplotlib.colormaps["viridis"]
    for i, (m, row) in enumerate(zip(mems, usd)):
        ax.plot(durations, row, marker="o", markersize=3, color=cmap(i / max(1, len(mems) - 1)),
                label=f"{m:,} MB")
    ax.axhline(floor, color="black", linestyle="--", linewidth=1,
               label=f"requests alone ({pricing.format_usd(floor)})")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.yaxis.set_major_formatter(FuncFormatter(_usd_axis))
    tier = "always-free tier applied" if free_tier else "no free tier"
    ax.set_xlabel(f"Billed duration per invocation (ms, log scale)\nus-east-1 list prices, {tier}")
    ax.set_ylabel("Cost per month (USD, log scale)")
    arch = "Arm" if architecture == "arm64" else "x86"
    ax.set_title(f"Lambda cost of {requests:,} invocations a month, by memory and duration ({arch})")
    ax.legend(title="Memory", loc="upper left", ncols=2)
    return Plot(fig, data)


# --------------------------------------------------------------------------------------------
# (1) Lambda vs EC2 vs Fargate, with the break-even
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class BreakEvenData:
    requests: tuple[float, ...]
    lambda_usd: tuple[float, ...]
    ec2_usd: tuple[float, ...]
    fargate_usd: tuple[float, ...]
    break_even: Mapping[str, float | None]      # requests a month where Lambda stops being cheaper
    assumptions: Mapping[str, Any] = field(default_factory=dict)


def _servers_needed(requests: float, rps_per_server: float, minimum: int) -> int:
    seconds = facts.value("billing.hours_per_month") * 3600.0
    return max(minimum, math.ceil(requests / (rps_per_server * seconds)))


def _first_crossing(f: Callable[[float], float], grid: Sequence[float]) -> float | None:
    """Smallest x on ``grid``'s range with f(x) >= 0 (f < 0 at the start), refined by bisection."""
    values = [f(x) for x in grid]
    if values[0] >= 0:
        return float(grid[0])
    for i in range(1, len(grid)):
        if values[i] >= 0:
            lo, hi = float(grid[i - 1]), float(grid[i])
            for _ in range(80):
                mid = math.sqrt(lo * hi)
                lo, hi = (lo, mid) if f(mid) >= 0 else (mid, hi)
            return hi
    return None


def break_even_requests(
    duration_ms: float = 100,
    memory_mb: int = 512,
    server_usd: Callable[[float], float] | float = 0.0,
    architecture: str = "x86_64",
    free_tier: bool = False,
    low: float = 1.0,
    high: float = 1e11,
) -> float | None:
    """Requests a month at which Lambda costs as much as ``server_usd`` (a constant or a
    function of requests); None when Lambda stays cheaper up to ``high``."""
    server = server_usd if callable(server_usd) else (lambda _r, v=float(server_usd): v)
    grid = np.logspace(math.log10(low), math.log10(high), 600)
    return _first_crossing(lambda r: pricing.lambda_cost(r, duration_ms, memory_mb, architecture, free_tier) - server(r), grid)


def _rate_label(per_second: float) -> str:
    """A rate as a reader would say it: 133, not 133.333; 2.5 and 0.25 kept."""
    return f"{per_second:,.0f}" if per_second >= 10 else f"{per_second:.2g}"


@_styled
def lambda_vs_servers(
    duration_ms: float = 100,
    memory_mb: int = 512,
    architecture: str = "x86_64",
    ec2_instance: str = "t3.small",
    fargate_vcpu: float = 0.5,
    fargate_memory_gb: float = 1.0,
    rps_per_server: float = 50.0,
    min_servers: int = 1,
    requests_range: tuple[float, float] = (1e4, 1e10),
    free_tier: bool = False,
) -> Plot:
    """Monthly cost against requests per month: Lambda (pay per request) vs always-on EC2
    instances and Fargate tasks, added as traffic exceeds ``rps_per_server`` each.

    The break-even is the first volume at which Lambda costs as much as the servers."""
    lo, hi = requests_range
    if not 0 < lo < hi:
        raise pricing.PricingInputError(f"requests_range must be (low, high) with 0 < low < high; got {requests_range!r}.")
    if rps_per_server <= 0:
        raise pricing.PricingInputError(f"rps_per_server must be positive; got {rps_per_server!r}.")
    ec2_one = pricing.ec2_cost(ec2_instance).total
    fargate_one = pricing.fargate_cost(fargate_vcpu, fargate_memory_gb, architecture=architecture).total

    def ec2(r: float) -> float:
        return _servers_needed(r, rps_per_server, min_servers) * ec2_one

    def fargate(r: float) -> float:
        return _servers_needed(r, rps_per_server, min_servers) * fargate_one

    def lam(r: float) -> float:
        return pricing.lambda_cost(r, duration_ms, memory_mb, architecture, free_tier)

    requests = tuple(float(x) for x in np.logspace(math.log10(lo), math.log10(hi), 241))
    data = BreakEvenData(
        requests=requests,
        lambda_usd=tuple(lam(r) for r in requests),
        ec2_usd=tuple(ec2(r) for r in requests),
        fargate_usd=tuple(fargate(r) for r in requests),
        break_even={
            "ec2": break_even_requests(duration_ms, memory_mb, ec2, architecture, free_tier, lo, hi),
            "fargate": break_even_requests(duration_ms, memory_mb, fargate, architecture, free_tier, lo, hi),
        },
        assumptions={
            "duration_ms": duration_ms, "memory_mb": memory_mb, "architecture": architecture,
            "ec2_instance": ec2_instance, "ec2_usd_per_instance": ec2_one,
            "fargate_vcpu": fargate_vcpu, "fargate_memory_gb": fargate_memory_gb,
            "fargate_usd_per_task": fargate_one, "rps_per_server": rps_per_server,
            "min_servers": min_servers, "free_tier": free_tier,
            "hours_per_month": facts.value("billing.hours_per_month"),
        },
    )

    fig, ax = _new_figure()
    ax.plot(requests, data.lambda_usd, color=COLORS["lambda"], linewidth=2,
            label=f"Lambda ({duration_ms:g} ms at {memory_mb:,} MB)")
    ax.step(requests, data.ec2_usd, where="post", color=COLORS["ec2"], linewidth=2,
            label=f"EC2 {ec2_instance} ({pricing.format_usd(ec2_one)}/month each)")
    ax.step(requests, data.fargate_usd, where="post", color=COLORS["fargate"], linewidth=2,
            label=f"Fargate {fargate_vcpu:g} vCPU / {fargate_memory_gb:g} GB ({pricing.format_usd(fargate_one)}/month each)")
    # EC2's label goes above-left of both crossings and Fargate's below-right: the Lambda line runs
    # from lower-left to upper-right, so those two corners are the only ones no line passes through.
    found = [x for x in data.break_even.values() if x is not None]
    for kind, color in (("ec2", COLORS["ec2"]), ("fargate", COLORS["fargate"])):
        x = data.break_even[kind]
        if x is not None:
            y = lam(x)
            ax.axvline(x, color=color, linestyle=":", linewidth=1.2)
            ax.plot([x], [y], marker="o", color=color, zorder=5)
            left = kind == "ec2"
            ax.annotate(f"break-even vs {'EC2' if left else 'Fargate'}:\n{_count_label(x)} requests/month",
                        xy=(min(found) if left else max(found), y), xytext=(-8, 12) if left else (8, -30),
                        textcoords="offset points", ha="right" if left else "left", fontsize=8, color=color, zorder=6,
                        # a line added later (fit.py's workload marker) passes behind the text, not through it
                        bbox=dict(boxstyle="square,pad=0.15", facecolor="white", edgecolor="none", alpha=0.9))
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.xaxis.set_major_formatter(FuncFormatter(_count_axis))
    ax.yaxis.set_major_formatter(FuncFormatter(_usd_axis))
    ax.set_xlabel("Requests per month (log scale)")
    ax.set_ylabel("Cost per month (USD, log scale)")
    ax.set_title("Lambda vs EC2 vs Fargate: monthly cost against traffic (us-east-1)")
    ax.legend(loc="upper left")
    ax.text(0.99, 0.02, f"servers: {_rate_label(rps_per_server)} requests/s each, at least {min_servers}, running "
            f"{facts.value('billing.hours_per_month')} h/month; no load balancer, storage or data transfer",
            transform=ax.transAxes, ha="right", va="bottom", fontsize=8, color="#555555")
    return Plot(fig, data)


# --------------------------------------------------------------------------------------------
# (2) Power tuning: measured locally, Lambda's CPU scaling modeled
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PowerTuningMeasurements:
    """Durations measured through the local runtime, warm invocations only."""

    function_name: str
    memory_mb: tuple[int, ...]
    durations_ms: tuple[tuple[float, ...], ...]   # per memory size
    init_ms: tuple[float | None, ...] = ()         # the cold start before each series

    def median_ms(self) -> tuple[float, ...]:
        return tuple(statistics.median(d) for d in self.durations_ms)


def measure_power_tuning(
    code: str | Any,
    memory_sizes: Sequence[int] = DEFAULT_MEMORY_SIZES,
    invocations: int = 5,
    event: Any = None,
    handler: str = "app.handler",
    function_name: str = "power-tuning",
    timeout_s: int = 30,
) -> PowerTuningMeasurements:
    """Deploy ``code`` through the local runtime at each memory size, invoke it, and keep the
    Duration of each warm invocation from its REPORT line (the first, cold, one is set aside)."""
    from course_lib.runtime import deploy_function, invoke, quiet

    if invocations < 1:
        raise pricing.PricingInputError(f"invocations must be at least 1; got {invocations!r}.")
    mems = tuple(pricing._memory_mb(m) for m in memory_sizes)
    series, inits = [], []
    with quiet():
        for m in mems:
            deploy_function(function_name, code, handler=handler, memory_mb=m, timeout_s=timeout_s)
            first = invoke(function_name, event)
            if first.function_error:
                raise RuntimeError(f"{function_name} failed at {m} MB: {first.payload!r}")
            inits.append(first.report.init_ms if first.report else None)
            durations = []
            for _ in range(invocations):
                result = invoke(function_name, event)
                if result.report is None:
                    raise RuntimeError(f"{function_name}: no REPORT line at {m} MB")
                durations.append(result.report.duration_ms)
            series.append(tuple(durations))
    return PowerTuningMeasurements(function_name, mems, tuple(series), tuple(inits))


@dataclass(frozen=True)
class PowerTuningData:
    memory_mb: tuple[int, ...]
    measured_median_ms: tuple[float, ...]     # this machine: does not depend on memory
    reference_ms: float                        # the pooled median: the 1-vCPU time the model uses
    vcpus: tuple[float, ...]                   # Lambda's CPU share at each memory size
    modeled_ms: tuple[float, ...]              # on Lambda, single-threaded CPU-bound code
    modeled_billed_ms: tuple[int, ...]
    usd_per_million: tuple[float, ...]         # modeled cost of 1M invocations
    cheapest_memory_mb: int
    fastest_memory_mb: int
    architecture: str = "x86_64"


def model_lambda_duration(reference_ms: float, memory_mb: int, threads: int = 1) -> float:
    """Duration on Lambda of CPU-bound code that takes ``reference_ms`` with one full vCPU.

    CPU share is proportional to memory (one vCPU at 1,769 MB); code with ``threads`` threads
    cannot use more than that many vCPUs."""
    usable = min(pricing.lambda_vcpus(memory_mb), float(threads))
    return reference_ms / usable


@_styled
def power_tuning(
    measurements: PowerTuningMeasurements,
    architecture: str = "x86_64",
    threads: int = 1,
) -> Plot:
    """Duration (left axis) and cost per million invocations (right axis) against memory.

    Grey points: measured here. Blue line: what Lambda would do, modeled (see module
    docstring). Red line: the modeled cost. The cheapest and fastest sizes are marked."""
    if not measurements.memory_mb:
        raise pricing.PricingInputError("No measurements to plot: measure at least one memory size.")
    mems = measurements.memory_mb
    medians = measurements.median_ms()
    pooled = statistics.median([d for series in measurements.durations_ms for d in series])
    modeled = tuple(model_lambda_duration(pooled, m, threads) for m in mems)
    step = facts.value("lambda.limits.billing_granularity_ms")
    billed = tuple(max(step, math.ceil(round(d / step, 6)) * step) for d in modeled)
    usd = tuple(pricing.lambda_cost(1_000_000, b, m, architecture) for b, m in zip(billed, mems))
    # Ties go to the smaller memory size: same price, less to reserve.
    cheapest = min(zip(usd, mems))[1]
    fastest = min(zip(billed, mems))[1]
    data = PowerTuningData(mems, medians, pooled, tuple(pricing.lambda_vcpus(m) for m in mems),
                           modeled, billed, usd, cheapest, fastest, architecture)

    fig, ax = _new_figure()
    ax.plot(mems, medians, linestyle="none", marker="s", color=COLORS["measured"],
            label="measured here (local CPU: the same at every memory size)")
    ax.plot(mems, modeled, marker="o", color=COLORS["modeled"], linewidth=2,
            label=f"modeled on Lambda (CPU share ∝ memory, 1 vCPU at {facts.value('lambda.limits.memory_per_vcpu_mb'):,} MB)")
    ax.axvline(facts.value("lambda.limits.memory_per_vcpu_mb"), color="#999999", linestyle=":", linewidth=1)
    ax.set_xscale("log", base=2)
    ax.set_xticks(list(mems))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.xaxis.set_minor_formatter(FuncFormatter(lambda v, _: ""))
    ax.tick_params(axis="x", labelrotation=45)
    ax.set_xlabel("Memory setting (MB, log scale)")
    ax.set_ylabel("Duration per invocation (ms)", color=COLORS["modeled"])
    ax.set_ylim(bottom=0)

    cost_ax = ax.twinx()
    cost_ax.spines["right"].set_visible(True)
    cost_ax.grid(False)
    cost_ax.plot(mems, usd, marker="^", color=COLORS["cost"], linewidth=1.5, label="modeled cost per 1M invocations")
    cost_ax.set_ylabel("Cost per 1M invocations (USD)", color=COLORS["cost"])
    cost_ax.yaxis.set_major_formatter(FuncFormatter(_usd_axis))
    cost_ax.set_ylim(bottom=0)
    def align(k: int) -> str:  # keep labels at the ends inside the axes
        return "left" if k == 0 else "right" if k == len(mems) - 1 else "center"

    i = mems.index(cheapest)
    cost_ax.annotate(f"cheapest: {cheapest:,} MB", xy=(cheapest, usd[i]), xytext=(0, 10),
                     textcoords="offset points", ha=align(i), fontsize=8, color=COLORS["cost"])
    j = mems.index(fastest)
    ax.annotate(f"fastest: {fastest:,} MB", xy=(fastest, modeled[j]), xytext=(0, 10),
                textcoords="offset points", ha=align(j), fontsize=8, color=COLORS["modeled"])

    handles = ax.get_legend_handles_labels()[0] + cost_ax.get_legend_handles_labels()[0]
    labels = ax.get_legend_handles_labels()[1] + cost_ax.get_legend_handles_labels()[1]
    ax.legend(handles, labels, loc="upper right")
    ax.set_title(f"Power tuning '{measurements.function_name}': duration and cost against memory")
    return Plot(fig, data)


# --------------------------------------------------------------------------------------------
# (3) Cost breakdown bars, free tier shown
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class BreakdownData:
    patterns: tuple[str, ...]
    services: tuple[str, ...]
    paid: tuple[tuple[float, ...], ...]      # paid[i][j]: pattern i, service j, after free tier
    free: tuple[tuple[float, ...], ...]      # what the free tier covered
    totals: tuple[float, ...]                # paid per pattern
    gross_totals: tuple[float, ...]          # before free tier


def _as_estimates(estimates: Any) -> dict[str, pricing.Estimate]:
    if isinstance(estimates, pricing.Estimate):
        return {estimates.title or "Architecture": estimates}
    if isinstance(estimates, Mapping):
        return {str(k): v for k, v in estimates.items()}
    return {(e.title or f"Architecture {i + 1}"): e for i, e in enumerate(estimates)}


@_styled
def cost_breakdown(estimates: pricing.Estimate | Mapping[str, pricing.Estimate] | Sequence[pricing.Estimate]) -> Plot:
    """Stacked bars, one per architecture, one colour per service; the part the free tier
    covers is stacked on top, hatched, so the full height is the price without it."""
    named = _as_estimates(estimates)
    if not named:
        raise pricing.PricingInputError("Nothing to plot: give at least one Estimate.")
    services: list[str] = []
    for est in named.values():
        for c in est.components:
            if c.service not in services:
                services.append(c.service)
    paid, free = [], []
    for est in named.values():
        row_paid, row_free = [0.0] * len(services), [0.0] * len(services)
        for c in est.components:
            k = services.index(c.service)
            row_paid[k] += c.total
            row_free[k] += c.free
        paid.append(tuple(row_paid))
        free.append(tuple(row_free))
    data = BreakdownData(tuple(named), tuple(services), tuple(paid), tuple(free),
                         tuple(e.total for e in named.values()), tuple(e.gross for e in named.values()))

    fig, ax = _new_figure()
    x = np.arange(len(named))
    width = 0.6 if len(named) > 1 else 0.4
    bottom = np.zeros(len(named))
    for j, service in enumerate(services):
        heights = np.array([paid[i][j] for i in range(len(named))])
        ax.bar(x, heights, width, bottom=bottom, color=SERVICE_COLORS.get(service, "#333333"),
               label=pricing.SERVICE_TITLES.get(service, service))
        bottom += heights
    free_heights = np.array([sum(row) for row in free])
    if free_heights.any():
        ax.bar(x, free_heights, width, bottom=bottom, color="white", edgecolor=COLORS["free"], hatch="///",
               label="covered by the free tier")
    for i, (p, g) in enumerate(zip(data.totals, data.gross_totals)):
        label = pricing.format_usd(p) + (f"\n(list {pricing.format_usd(g)})" if g - p > 1e-9 else "")
        ax.annotate(label, xy=(x[i], g), xytext=(0, 4), textcoords="offset points", ha="center", fontsize=8)
    ax.set_xticks(x, [textwrap.fill(name, 18) for name in named])
    ax.set_xlabel("Architecture (solid: what you pay; hatched: what the free tier covers)")
    ax.set_ylabel("Cost per month (USD)")
    ax.yaxis.set_major_formatter(FuncFormatter(_usd_axis))
    ax.set_ylim(0, max(max(data.gross_totals), 1e-9) * 1.2)
    ax.set_title("Monthly cost by service, per architecture (us-east-1)")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.grid(axis="x", visible=False)
    return Plot(fig, data)


def typical_patterns(requests_per_month: float = 1_000_000) -> dict[str, list[dict[str, Any]]]:
    """Three common serverless patterns (and a container baseline) as ``monthly_estimate``
    architectures at ``requests_per_month``: ready for ``cost_breakdown``. The usage per
    request (durations, item sizes, stored GB) is illustrative; change it to your workload."""
    r = pricing._count("requests_per_month", requests_per_month)
    return {
        "API + Lambda + DynamoDB": [
            {"service": "apigateway", "requests": r, "api_type": "http"},
            {"service": "lambda", "name": "API handler", "requests": r, "duration_ms": 50, "memory_mb": 512},
            {"service": "dynamodb", "writes": r * 0.2, "reads": r * 0.8, "item_kb": 1.0, "storage_gb": 5},
            {"service": "cloudwatch_logs", "ingested_gb": r * 0.5 / 1024 ** 2, "stored_gb": r * 0.5 / 1024 ** 2},
        ],
        "Queue worker (SQS + Lambda + S3)": [
            # send + receive + delete per message
            {"service": "sqs", "requests": r * 3, "payload_kb": 4},
            {"service": "lambda", "name": "worker", "requests": r, "duration_ms": 200, "memory_mb": 1024},
            {"service": "s3", "storage_gb": r * 100 / 1024 ** 2, "put_requests": r, "get_requests": 0},
        ],
        "Event fan-out (EventBridge + 3 Lambdas)": [
            {"service": "eventbridge", "custom_events": r},
            {"service": "lambda", "name": "consumer A", "requests": r, "duration_ms": 30, "memory_mb": 256},
            {"service": "lambda", "name": "consumer B", "requests": r, "duration_ms": 30, "memory_mb": 256},
            {"service": "lambda", "name": "consumer C", "requests": r, "duration_ms": 30, "memory_mb": 256},
        ],
        "Container (2 Fargate tasks)": [
            {"service": "fargate", "vcpu": 0.5, "memory_gb": 1.0, "tasks": 2},
            {"service": "dynamodb", "writes": r * 0.2, "reads": r * 0.8, "item_kb": 1.0, "storage_gb": 5},
        ],
    }


# --------------------------------------------------------------------------------------------
# Chapter 14: each architecture pattern at three traffic levels
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PatternCostData:
    levels: tuple[float, ...]
    patterns: tuple[str, ...]
    services: tuple[str, ...]
    usd: tuple[tuple[tuple[float, ...], ...], ...]   # usd[level][pattern][service]
    totals: tuple[tuple[float, ...], ...]            # totals[level][pattern]


@_styled
def pattern_costs(rows: Sequence[Any]) -> Plot:
    """One panel per traffic level, one stacked bar per pattern, one colour per service.

    ``rows`` are :class:`course_lib.patterns.PatternCost` (``patterns.pattern_costs()``). Each
    panel has its own linear scale, so the stacks stay honest (log-scaled stacks would distort
    the shares); the total is written above each bar."""
    if not rows:
        raise pricing.PricingInputError("Nothing to plot: give the rows of patterns.pattern_costs().")
    levels = tuple(sorted({r.volume for r in rows}))
    patterns = tuple(dict.fromkeys(r.pattern for r in rows))
    services = tuple(dict.fromkeys(s for r in rows for s in r.by_service))
    cell = {(r.volume, r.pattern): r for r in rows}
    usd = tuple(tuple(tuple(cell[(v, p)].by_service.get(s, 0.0) if (v, p) in cell else 0.0 for s in services)
                      for p in patterns) for v in levels)
    totals = tuple(tuple(cell[(v, p)].total if (v, p) in cell else 0.0 for p in patterns) for v in levels)
    data = PatternCostData(levels, patterns, services, usd, totals)
    units = {r.pattern: r.unit for r in rows}

    # Fixed margins: a constrained layout measures every label of three panels, slowly.
    fig, axes = plt.subplots(1, len(levels), figsize=(3.4 * len(levels) + 1.8, 4.6), squeeze=False)
    fig.subplots_adjust(left=0.08, right=0.8, top=0.8, bottom=0.13, wspace=0.32)
    x = np.arange(len(patterns))
    for i, (ax, level) in enumerate(zip(axes[0], levels)):
        bottom = np.zeros(len(patterns))
        for j, service in enumerate(services):
            heights = np.array([usd[i][k][j] for k in range(len(patterns))])
            ax.bar(x, heights, 0.62, bottom=bottom, color=SERVICE_COLORS.get(service, "#333333"),
                   label=pricing.SERVICE_TITLES.get(service, service) if i == 0 else None)
            bottom += heights
        for k, total in enumerate(totals[i]):
            ax.annotate(pricing.format_usd(total), xy=(x[k], total), xytext=(0, 3), textcoords="offset points",
                        ha="center", va="bottom", fontsize=8)
        ax.set_xticks(x, [textwrap.fill(p, 11) for p in patterns], fontsize=8.5)
        ax.set_title(f"{_count_label(level)} events a month", fontsize=10)
        ax.yaxis.set_major_formatter(FuncFormatter(_usd_axis))
        ax.set_ylim(0, max(max(totals[i]), 1e-9) * 1.18)
        ax.grid(axis="x", visible=False)
    axes[0][0].set_ylabel("Cost per month (USD, list prices)")
    fig.legend(loc="upper left", bbox_to_anchor=(0.81, 0.8), fontsize=8)
    fig.suptitle("Each pattern's monthly cost by service at three traffic levels (own scale per panel)\n"
                 + "events: " + "; ".join(f"{units[p]} ({p})" for p in patterns), fontsize=10)
    return Plot(fig, data)
