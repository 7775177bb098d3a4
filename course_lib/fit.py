"""Does serverless fit this workload? A recommendation with its reasons and the costs behind it.

Chapter 13 feeds a learner's own numbers into :func:`recommend`. The function checks the hard
limits first (a job longer than Lambda's maximum timeout, GPU/HPC training, connections held open,
in-memory state that must survive between requests), then the latency budget against a cold start,
then compares a month of Lambda with always-on EC2 instances and Fargate tasks sized for the peak.

Every price and limit comes from the facts file through :mod:`course_lib.pricing`. What this does not
model: load balancers, data transfer, storage, Savings Plans / Reserved Instances (servers get
cheaper with a commitment) and the people-time of running servers (which favours Lambda).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any, Mapping

from course_lib import facts, plots, pricing


class WorkloadError(pricing.PricingInputError):
    """A workload description that cannot be judged; the message says which field and why."""


@dataclass(frozen=True)
class Workload:
    """What a learner knows about their workload. Only the first two fields are required."""

    requests_per_month: float
    duration_ms: float                      # one request (or job), warm
    memory_mb: int = 512
    architecture: str = "x86_64"
    peak_to_average: float = 1.0            # busiest hour's traffic / the month's average
    latency_budget_ms: float | None = None  # the slowest response users may ever see
    cold_start_ms: float | None = None      # measured INIT time, needed with a latency budget
    persistent_connections: bool = False    # holds sockets open (WebSockets, streaming, DB pools)
    in_memory_state: bool = False           # state that must survive between requests
    gpu_or_hpc: bool = False                # ML training, tightly coupled HPC, needs GPUs
    ec2_instance: str = "t3.small"
    fargate_vcpu: float = 0.5
    fargate_memory_gb: float = 1.0
    rps_per_server: float = 50.0            # what one instance / task sustains, requests per second
    min_servers: int = 1


@dataclass(frozen=True)
class Reason:
    """One check of the workload: does Lambda fit on this point, and if not, what instead."""

    topic: str
    fits: bool
    text: str
    alternative: str = ""

    def line(self) -> str:
        mark = "✔" if self.fits else "✘"
        return f"{mark} {self.topic}: {self.text}" + (f" Instead: {self.alternative}" if self.alternative else "")


@dataclass(frozen=True)
class Recommendation:
    choice: str
    reasons: tuple[Reason, ...]
    costs: Mapping[str, float]                       # USD a month per option
    break_even: Mapping[str, float | None]           # requests a month where Lambda stops being cheaper
    workload: Workload
    servers: int = 1                                 # instances / tasks sized for the peak
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def blockers(self) -> tuple[Reason, ...]:
        return tuple(r for r in self.reasons if not r.fits)

    def summary(self) -> str:
        lines = [f"Recommendation: {self.choice}"]
        lines += [r.line() for r in self.reasons]
        lines.append("Monthly cost: " + ", ".join(f"{k} {pricing.format_usd(v)}" for k, v in self.costs.items()))
        return "\n".join(lines)

    def _repr_markdown_(self) -> str:
        rows = [f"**Recommendation: {self.choice}**", ""]
        rows += [f"- {r.line()}" for r in self.reasons]
        rows += ["", "| option | USD per month |", "|---|---:|"]
        rows += [f"| {k} | {pricing.format_usd(v)} |" for k, v in self.costs.items()]
        rows += [f"\n_{n}_" for n in self.notes]
        return "\n".join(rows)

    def __repr__(self) -> str:
        return self.summary()

    def plot(self) -> plots.Plot:
        """The break-even plot for this workload, with the workload's volume marked."""
        w = self.workload
        volume = max(w.requests_per_month, 1.0)
        lo = min(1e4, volume / 100)
        hi = max(1e10, volume * 100)
        fig, data = plots.lambda_vs_servers(
            duration_ms=min(w.duration_ms, facts.value("lambda.limits.timeout_max_s") * 1000.0),
            memory_mb=w.memory_mb, architecture=w.architecture, ec2_instance=w.ec2_instance,
            fargate_vcpu=w.fargate_vcpu, fargate_memory_gb=w.fargate_memory_gb,
            # servers are sized for the peak: at the average they serve rps / peak_to_average each
            rps_per_server=w.rps_per_server / w.peak_to_average, min_servers=w.min_servers,
            requests_range=(lo, hi))
        ax = fig.axes[0]
        ax.axvline(volume, color="black", linewidth=1.5, linestyle="--")
        ax.annotate(f"your workload\n{plots._count_label(volume)}/month", xy=(volume, 0.97),
                    xycoords=("data", "axes fraction"), xytext=(5, 0), textcoords="offset points",
                    ha="left", va="top", fontsize=8)
        ax.set_title(f"Your workload: {self.choice} recommended")
        return plots.Plot(fig, data)


# -- validation ---------------------------------------------------------------------------------
def _number(name: str, value: Any, *, minimum: float = 0.0, strict: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value) or math.isinf(value):
        raise WorkloadError(f"{name} must be a number; got {value!r}.")
    if value < minimum or (strict and value == minimum):
        relation = "greater than" if strict else "at least"
        raise WorkloadError(f"{name} must be {relation} {minimum:g}; got {value!r}.")
    return float(value)


def _flag(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise WorkloadError(f"{name} must be True or False; got {value!r}.")
    return value


def validate(workload: Workload) -> Workload:
    """Check every field; raise :class:`WorkloadError` naming the first bad one."""
    _number("requests_per_month", workload.requests_per_month)
    _number("duration_ms", workload.duration_ms, strict=True)
    lo, hi = facts.value("lambda.limits.memory_min_mb"), facts.value("lambda.limits.memory_max_mb")
    if isinstance(workload.memory_mb, bool) or not isinstance(workload.memory_mb, int) or not lo <= workload.memory_mb <= hi:
        raise WorkloadError(f"memory_mb must be a whole number of MB between {lo:,} and {hi:,}; got {workload.memory_mb!r}.")
    if workload.architecture not in ("x86_64", "arm64"):
        raise WorkloadError(f"architecture must be 'x86_64' or 'arm64'; got {workload.architecture!r}.")
    _number("peak_to_average", workload.peak_to_average, minimum=1.0)
    if workload.latency_budget_ms is not None:
        _number("latency_budget_ms", workload.latency_budget_ms, strict=True)
        if workload.cold_start_ms is None:
            raise WorkloadError("latency_budget_ms needs cold_start_ms too: measure your function's Init Duration "
                                "(the REPORT line of a cold start) and pass it.")
    if workload.cold_start_ms is not None:
        _number("cold_start_ms", workload.cold_start_ms)
    for name in ("persistent_connections", "in_memory_state", "gpu_or_hpc"):
        _flag(name, getattr(workload, name))
    types = pricing.ec2_instance_types()
    if workload.ec2_instance not in types:
        raise WorkloadError(f"ec2_instance must be one of {', '.join(sorted(types))}; got {workload.ec2_instance!r}.")
    _number("fargate_vcpu", workload.fargate_vcpu, strict=True)
    _number("fargate_memory_gb", workload.fargate_memory_gb, strict=True)
    _number("rps_per_server", workload.rps_per_server, strict=True)
    if isinstance(workload.min_servers, bool) or not isinstance(workload.min_servers, int) or workload.min_servers < 1:
        raise WorkloadError(f"min_servers must be a whole number, at least 1; got {workload.min_servers!r}.")
    return workload


# -- the judgement --------------------------------------------------------------------------------
def servers_for_peak(workload: Workload) -> int:
    """Instances (or tasks) needed to serve the busiest hour, never fewer than ``min_servers``."""
    seconds = facts.value("billing.hours_per_month") * 3600.0
    peak_rps = workload.requests_per_month / seconds * workload.peak_to_average
    return max(workload.min_servers, math.ceil(round(peak_rps / workload.rps_per_server, 9)))


def provisioned_concurrency_needed(workload: Workload) -> int:
    """Environments busy at the peak: requests per second × seconds per request, rounded up."""
    seconds = facts.value("billing.hours_per_month") * 3600.0
    peak_rps = workload.requests_per_month / seconds * workload.peak_to_average
    return max(1, math.ceil(round(peak_rps * workload.duration_ms / 1000.0, 9)))


def recommend(workload: Workload | None = None, /, **fields: Any) -> Recommendation:
    """Judge a workload: ``recommend(requests_per_month=5e6, duration_ms=120)`` or ``recommend(Workload(...))``."""
    if workload is None:
        try:
            workload = Workload(**fields)
        except TypeError as err:
            known = ", ".join(Workload.__dataclass_fields__)
            raise WorkloadError(f"{err}. Known fields: {known}.") from None
    elif fields:
        raise WorkloadError("pass either a Workload or keyword fields, not both.")
    w = validate(workload)
    timeout_ms = facts.value("lambda.limits.timeout_max_s") * 1000.0
    reasons: list[Reason] = []
    notes: list[str] = []

    # 1. Hard limits: no price makes these fit.
    if w.duration_ms > timeout_ms:
        reasons.append(Reason("duration", False,
                              f"one job runs {w.duration_ms / 60000:,.1f} min, past Lambda's maximum timeout of "
                              f"{timeout_ms / 60000:g} min.",
                              "a Fargate task or AWS Batch job, or split the work into steps with Step Functions."))
    else:
        reasons.append(Reason("duration", True, f"{w.duration_ms:,.0f} ms per request is within the "
                                                f"{timeout_ms / 60000:g}-minute timeout."))
    if w.gpu_or_hpc:
        reasons.append(Reason("GPU / HPC", False, "Lambda has no GPUs and at most "
                              f"{facts.value('lambda.limits.vcpus_max')} vCPUs, with no fast network between invocations.",
                              "EC2 GPU instances, AWS Batch, or SageMaker training jobs."))
    if w.persistent_connections:
        reasons.append(Reason("connections", False, "an invocation cannot hold a socket open between requests, "
                              "and environments come and go.",
                              "API Gateway WebSocket APIs (Lambda handles each message), or Fargate / EC2 for "
                              "long-lived streams; RDS Proxy to pool database connections."))
    if w.in_memory_state:
        reasons.append(Reason("state", False, "memory is lost whenever an environment is recycled, and parallel "
                              "requests land in different environments.",
                              "keep state in DynamoDB, S3 or ElastiCache, or run a long-lived Fargate / EC2 service."))

    # 2. Costs: Lambda on demand against servers sized for the peak.
    servers = servers_for_peak(w)
    lambda_usd = pricing.lambda_cost(w.requests_per_month, min(w.duration_ms, timeout_ms), w.memory_mb, w.architecture)
    ec2_usd = pricing.ec2_cost(w.ec2_instance, count=servers).total
    fargate_usd = pricing.fargate_cost(w.fargate_vcpu, w.fargate_memory_gb, tasks=servers, architecture=w.architecture).total
    costs: dict[str, float] = {"Lambda": lambda_usd, "EC2": ec2_usd, "Fargate": fargate_usd}
    capacity = w.rps_per_server / w.peak_to_average
    break_even = {
        "ec2": plots.break_even_requests(min(w.duration_ms, timeout_ms), w.memory_mb,
                                         lambda r: plots._servers_needed(r, capacity, w.min_servers) * pricing.ec2_cost(w.ec2_instance).total,
                                         w.architecture),
        "fargate": plots.break_even_requests(min(w.duration_ms, timeout_ms), w.memory_mb,
                                             lambda r: plots._servers_needed(r, capacity, w.min_servers)
                                             * pricing.fargate_cost(w.fargate_vcpu, w.fargate_memory_gb, architecture=w.architecture).total,
                                             w.architecture),
    }
    cheapest_server = "EC2" if ec2_usd <= fargate_usd else "Fargate"
    if w.duration_ms > timeout_ms:
        # Lambda cannot run it; a Fargate task per job bills only while the job runs.
        del costs["Lambda"]
        job_hours = w.requests_per_month * w.duration_ms / 3_600_000.0
        costs["Fargate"] = fargate_usd = pricing.fargate_cost(w.fargate_vcpu, w.fargate_memory_gb, hours=job_hours,
                                                              architecture=w.architecture).total
        busy = job_hours / facts.value("billing.hours_per_month") * w.peak_to_average
        servers = max(w.min_servers, math.ceil(round(busy, 9)))   # jobs running at once at the peak
        costs["EC2"] = ec2_usd = pricing.ec2_cost(w.ec2_instance, count=servers).total
        notes.append("Fargate is priced as one task per job, billed while the job runs; EC2 as enough "
                     "always-on instances to run the peak's jobs side by side.")
    elif lambda_usd <= costs[cheapest_server]:
        reasons.append(Reason("cost", True, f"Lambda costs {pricing.format_usd(lambda_usd)} a month, less than "
                              f"{servers} always-on {cheapest_server} server(s) at {pricing.format_usd(costs[cheapest_server])}."))
    else:
        reasons.append(Reason("cost", False, f"steady volume: Lambda costs {pricing.format_usd(lambda_usd)} a month, more than "
                              f"{servers} always-on {cheapest_server} server(s) at {pricing.format_usd(costs[cheapest_server])}.",
                              f"{cheapest_server}, sized for the peak (with a commitment discount it gets cheaper still)."))

    # 3. Latency: a cold start adds INIT time to the first request in each new environment.
    latency_ok = True
    if w.latency_budget_ms is not None and w.cold_start_ms is not None:
        worst = w.cold_start_ms + w.duration_ms
        if worst <= w.latency_budget_ms:
            reasons.append(Reason("latency", True, f"even a cold request ({w.cold_start_ms:,.0f} ms INIT + "
                                  f"{w.duration_ms:,.0f} ms) fits the {w.latency_budget_ms:,.0f} ms budget."))
        else:
            latency_ok = False
            alternative = "SnapStart (restores a snapshot taken after INIT) or provisioned concurrency (environments kept initialised)"
            if w.architecture == "x86_64":
                conc = provisioned_concurrency_needed(w)
                pc = pricing.lambda_provisioned_cost(conc, w.memory_mb, facts.value("billing.hours_per_month"),
                                                     w.requests_per_month, min(w.duration_ms, timeout_ms)).total
                costs["Lambda + provisioned concurrency"] = pc
                alternative += f": {conc} provisioned environment(s) cost {pricing.format_usd(pc)} a month"
            else:
                notes.append("Provisioned concurrency is priced here for x86_64 only.")
            reasons.append(Reason("latency", False, f"a cold request takes {worst:,.0f} ms ({w.cold_start_ms:,.0f} ms INIT), "
                                  f"over the {w.latency_budget_ms:,.0f} ms budget.", alternative + "; or an always-on container."))

    # 4. The choice: a hard blocker decides; otherwise the cheapest option that meets the budget.
    hard = [r for r in reasons if not r.fits and r.topic in ("duration", "GPU / HPC", "connections", "state")]
    if any(r.topic == "GPU / HPC" for r in hard):
        choice = "EC2 (GPU) / AWS Batch / SageMaker"
    elif hard:
        choice = "Fargate" if fargate_usd <= ec2_usd or any(r.topic == "duration" for r in hard) else "EC2"
    elif not latency_ok:
        options = {k: v for k, v in costs.items() if k != "Lambda"}  # on-demand Lambda misses the budget
        choice = min(options, key=options.__getitem__)
    else:
        choice = min(("Lambda", "EC2", "Fargate"), key=costs.__getitem__)
    notes.append("Not included: load balancers, data transfer, storage, commitment discounts, and the time spent running servers.")
    return Recommendation(choice, tuple(reasons), costs, break_even, w, servers, tuple(notes))


def as_dict(recommendation: Recommendation) -> dict[str, Any]:
    """Plain data, for tests and for saving."""
    return {"choice": recommendation.choice, "costs": dict(recommendation.costs),
            "reasons": [asdict(r) for r in recommendation.reasons], "servers": recommendation.servers,
            "break_even": dict(recommendation.break_even)}
