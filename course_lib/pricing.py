"""What a month of usage costs on AWS (us-east-1), one calculator per service.

Every price, tier, free allowance and rounding rule is read from ``course_lib/facts/facts.yaml``
(each with its source page and as-of date); nothing numeric is typed here. A quick number::

    from course_lib import pricing
    pricing.lambda_cost(3_000_000, 120, 1536, free_tier=True)      # 2.733... USD a month

The same with its lines (requests, compute, free tier), ready to show in a notebook::

    cost = pricing.lambda_breakdown(3_000_000, 120, 1536, free_tier=True)
    cost.total, cost.gross, cost.free        # USD after free tier, before it, and the difference
    cost                                      # renders as a Markdown table in Jupyter

A whole architecture, with the free tier shared across components the way one AWS account
shares it::

    estimate = pricing.monthly_estimate([
        {"service": "apigateway", "name": "HTTP API", "requests": 3_000_000},
        {"service": "lambda", "name": "orders", "requests": 3_000_000, "duration_ms": 120, "memory_mb": 512},
        {"service": "dynamodb", "name": "orders table", "writes": 3_000_000, "reads": 6_000_000},
    ], free_tier=True)
    estimate.total

How it is built:

* ``BillingMonth`` is one account's month. It remembers how much of each free allowance has
  been used and how far into each volume tier the account already is, so two Lambda functions
  share one free tier and one set of tiers, as on a real bill.
* Each service calculator returns a ``ServiceCost``: a list of ``CostLine`` (quantity, unit,
  gross USD, free-tier USD) plus notes on what was assumed.
* Invalid input raises ``PricingInputError`` (a ``ValueError``) with a sentence saying what is
  wrong and what is allowed.

Where it differs from a real AWS bill:

* Only us-east-1 on-demand list prices; no Savings Plans, Reserved capacity, Spot, taxes or
  data transfer (data transfer out to the internet is often a large line in real bills).
* ``free_tier=True`` applies the *always-free* allowances (Lambda, DynamoDB, SQS, SNS, Step
  Functions, EventBridge Scheduler, CloudWatch Logs, Cognito). The 12-month offers (S3 5 GB,
  API Gateway 1M calls, EC2 750 hours) exist only for accounts created before 15 July 2025;
  ask for them with ``free_tier="12-month"``.
* A free allowance is valued at the first tier's price: AWS's allowances all sit inside the
  first tier, so this equals AWS's arithmetic.
* Lambda duration is charged per request as given (rounded up to 1 ms); AWS rounds each
  invocation, so pass a per-request billed duration, not an average of raw durations, when the
  difference matters (the meter sums real billed durations).
* A month is 730 hours (``billing.hours_per_month``), as the AWS Pricing Calculator counts it.
"""

from __future__ import annotations

import inspect
import math
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping, Sequence, Union

from course_lib import facts

REGION = "us-east-1"
ARCHITECTURES = ("x86_64", "arm64")

Number = Union[int, float]
FreeTier = Union[bool, str]


class PricingInputError(ValueError):
    """A usage figure AWS would not accept, or that the course cannot price."""


# --------------------------------------------------------------------------------------------
# Validation: one sentence per mistake, naming the parameter and what is allowed.
# --------------------------------------------------------------------------------------------
# Not an AWS figure: a sanity bound far beyond any month the course prices (a quadrillion
# requests, GB or hours), so products of usage figures stay finite floats instead of a bill of
# "$inf" or an OverflowError.
MAX_QUANTITY = 1e15


def _count(name: str, value: Any) -> float:
    """A non-negative, finite quantity (requests, GB, hours...)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise PricingInputError(f"{name} must be a number, got {value!r} ({type(value).__name__}).")
    try:
        number = float(value)
    except OverflowError:  # an int with hundreds of digits
        raise PricingInputError(f"{name} is far too large to price ({len(str(abs(value)))} digits).") from None
    if math.isnan(number) or math.isinf(number):
        raise PricingInputError(f"{name} must be a finite number, got {value!r}.")
    if number < 0:
        raise PricingInputError(f"{name} cannot be negative, got {number:,}.")
    if number > MAX_QUANTITY:
        raise PricingInputError(f"{name} is far too large to price (at most {MAX_QUANTITY:,.0f}); got {number:,.0f}.")
    return number


def _choice(name: str, value: Any, allowed: Sequence[str]) -> str:
    if value not in allowed:
        options = ", ".join(repr(a) for a in allowed)
        raise PricingInputError(f"{name} must be one of {options}; got {value!r}.")
    return str(value)


def _region(region: str) -> None:
    if region != REGION:
        raise PricingInputError(
            f"Only {REGION} is priced in this course (prices differ by Region); got region={region!r}."
        )


def _architecture(architecture: str) -> str:
    if architecture not in ARCHITECTURES:
        hint = ""
        if str(architecture).lower() in {"arm", "aarch64", "graviton", "arm64"}:
            hint = " (Lambda calls Arm/Graviton 'arm64')"
        elif str(architecture).lower() in {"x86", "x64", "amd64", "intel"}:
            hint = " (Lambda calls x86 'x86_64')"
        raise PricingInputError(
            f"architecture must be 'x86_64' or 'arm64'{hint}; got {architecture!r}."
        )
    return architecture


def _memory_mb(memory_mb: Any) -> int:
    lo = facts.value("lambda.limits.memory_min_mb")
    hi = facts.value("lambda.limits.memory_max_mb")
    if isinstance(memory_mb, bool) or not isinstance(memory_mb, (int, float)):
        raise PricingInputError(f"memory_mb must be a whole number of MB, got {memory_mb!r}.")
    if isinstance(memory_mb, float) and not math.isfinite(memory_mb):
        raise PricingInputError(f"memory_mb must be a finite number, got {memory_mb!r}.")
    if memory_mb != int(memory_mb):
        raise PricingInputError(f"memory_mb is set in 1 MB steps; got {memory_mb!r}.")
    if not lo <= memory_mb <= hi:
        raise PricingInputError(
            f"memory_mb must be between {lo:,} and {hi:,} MB (Lambda's limits); got {memory_mb:,}."
        )
    return int(memory_mb)


# --------------------------------------------------------------------------------------------
# Tiers and the account's month
# --------------------------------------------------------------------------------------------
def tiered_cost(quantity: float, tiers: Sequence[Mapping[str, Any]], per: float = 1.0, start: float = 0.0) -> float:
    """USD for ``quantity`` units billed on ``tiers``, beginning ``start`` units into the month.

    ``tiers`` is a facts-file list of ``{up_to, price}`` (``up_to: None`` is open-ended) with
    ``price`` per ``per`` units: ``per=1e6`` for "per million requests".
    """
    cost, lower, end = 0.0, 0.0, start + quantity
    for tier in tiers:
        upper = math.inf if tier["up_to"] is None else float(tier["up_to"])
        lo, hi = max(lower, start), min(upper, end)
        if hi > lo:
            cost += (hi - lo) * float(tier["price"]) / per
        lower = upper
        if lower >= end:
            break
    return cost


def _first_price(price: Any) -> float:
    return float(price[0]["price"]) if isinstance(price, list) else float(price)


class BillingMonth:
    """One account's month: free allowances left and how far into each volume tier it is.

    Pass one ``BillingMonth`` to several calculators (``monthly_estimate`` does) so that they
    share the free tier and the tiers, as components of one account do on a real bill.
    """

    def __init__(self, free_tier: FreeTier = False) -> None:
        if free_tier not in (True, False, "always", "12-month"):
            raise PricingInputError(
                "free_tier must be True/'always' (always-free allowances), '12-month' "
                f"(also the 12-month offers of accounts created before 15 July 2025) or False; got {free_tier!r}."
            )
        self.free_tier = free_tier
        self._free_used: dict[str, float] = {}
        self._tier_used: dict[str, float] = {}

    def allowance_left(self, key: str) -> float:
        """Units of the free allowance ``key`` (a facts key) not yet used this month."""
        if not self.free_tier:
            return 0.0
        if ".free_tier_12_months." in key and self.free_tier != "12-month":
            return 0.0
        return max(0.0, float(facts.value(key)) - self._free_used.get(key, 0.0))

    def take_free(self, key: str, wanted: float) -> float:
        """Use up to ``wanted`` units of the allowance ``key``; returns the units granted."""
        granted = min(wanted, self.allowance_left(key))
        if granted > 0:
            self._free_used[key] = self._free_used.get(key, 0.0) + granted
        return granted

    def charge(self, price_key: str, quantity: float, per: float = 1.0) -> float:
        """USD for ``quantity`` more units of ``price_key``, continuing the month's tiers."""
        price = facts.value(price_key)
        if isinstance(price, list):
            start = self._tier_used.get(price_key, 0.0)
            self._tier_used[price_key] = start + quantity
            return tiered_cost(quantity, price, per=per, start=start)
        return quantity * float(price) / per


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CostLine:
    """One line of a bill: what was used, what it costs, and how much the free tier covered."""

    item: str
    quantity: float
    unit: str
    gross: float
    free: float = 0.0
    price_key: str = ""

    @property
    def total(self) -> float:
        return self.gross - self.free


@dataclass(frozen=True)
class ServiceCost:
    """A service's monthly cost as bill lines. ``total`` is what you pay after the free tier."""

    service: str
    lines: tuple[CostLine, ...]
    name: str = ""
    notes: tuple[str, ...] = ()
    usage: Mapping[str, Any] = field(default_factory=dict)

    @property
    def total(self) -> float:
        return sum(line.total for line in self.lines)

    @property
    def gross(self) -> float:
        return sum(line.gross for line in self.lines)

    @property
    def free(self) -> float:
        return sum(line.free for line in self.lines)

    def line(self, item: str) -> CostLine:
        for candidate in self.lines:
            if candidate.item == item:
                return candidate
        raise KeyError(f"No line {item!r} in {self.service}; lines are {[l.item for l in self.lines]}.")

    @property
    def label(self) -> str:
        return self.name or SERVICE_TITLES.get(self.service, self.service)

    def _repr_markdown_(self) -> str:
        rows = [f"**{self.label}**: {format_usd(self.total)} a month", "",
                "| line | quantity | cost | free tier | you pay |", "|---|---:|---:|---:|---:|"]
        for l in self.lines:
            rows.append(f"| {l.item} | {_fmt_qty(l.quantity)} {l.unit} | {format_usd(l.gross)} | "
                        f"{format_usd(-l.free)} | {format_usd(l.total)} |")
        rows += [f"\n_{n}_" for n in self.notes]
        return "\n".join(rows)


@dataclass(frozen=True)
class LambdaCost(ServiceCost):
    """A Lambda function's month; ``gb_seconds`` includes billed INIT time."""

    requests: float = 0.0
    gb_seconds: float = 0.0
    memory_mb: int = 128
    architecture: str = "x86_64"

    @property
    def request_line(self) -> CostLine:
        return self.line("Requests")

    @property
    def compute_line(self) -> CostLine:
        return self.line("Compute")


def format_usd(usd: float) -> str:
    """Dollars with the precision the amount needs: $1,234.57, $0.50, $0.0123, $0.00000084."""
    if usd == 0:
        return "$0.00"
    sign, usd = ("-" if usd < 0 else ""), abs(usd)
    if usd >= 0.1:
        return f"{sign}${usd:,.2f}"
    if usd >= 0.01:
        return f"{sign}${usd:.4f}"
    return f"{sign}${usd:.2g}" if usd < 1e-12 else f"{sign}${usd:.{max(2, -math.floor(math.log10(usd)) + 1)}f}"


def _fmt_qty(q: float) -> str:
    return f"{q:,.0f}" if q >= 100 or q == int(q) else f"{q:,.4g}"


SERVICE_TITLES = {
    "lambda": "AWS Lambda",
    "lambda_provisioned": "AWS Lambda (Provisioned Concurrency)",
    "apigateway": "Amazon API Gateway",
    "dynamodb": "Amazon DynamoDB",
    "s3": "Amazon S3",
    "sqs": "Amazon SQS",
    "sns": "Amazon SNS",
    "stepfunctions": "AWS Step Functions",
    "eventbridge": "Amazon EventBridge",
    "kinesis": "Amazon Kinesis Data Streams",
    "firehose": "Amazon Data Firehose",
    "fargate": "AWS Fargate",
    "ec2": "Amazon EC2",
    "cognito": "Amazon Cognito",
    "cloudwatch_logs": "Amazon CloudWatch Logs",
}


def _month(free_tier: FreeTier, month: BillingMonth | None) -> BillingMonth:
    return month if month is not None else BillingMonth(free_tier)


def _line(month: BillingMonth, item: str, quantity: float, unit: str, price_key: str,
          per: float = 1.0, free_key: str | None = None) -> CostLine:
    """Price ``quantity`` on ``price_key``'s tiers, crediting what the allowance ``free_key`` covers."""
    gross = month.charge(price_key, quantity, per=per)
    free = 0.0
    if free_key:
        granted = month.take_free(free_key, quantity)
        # AWS's allowances sit inside the first tier, so they are worth the first tier's price.
        free = min(gross, granted * _first_price(facts.value(price_key)) / per)
    return CostLine(item, quantity, unit, gross, free, price_key)


def _chunks(size_kb: float, chunk_kb: float) -> int:
    """Billing units of ``chunk_kb`` in a payload of ``size_kb`` (at least one)."""
    return max(1, math.ceil(round(size_kb / chunk_kb, 9)))


# --------------------------------------------------------------------------------------------
# AWS Lambda
# --------------------------------------------------------------------------------------------
def lambda_breakdown(
    requests: Number,
    duration_ms: float,
    memory_mb: int,
    architecture: str = "x86_64",
    free_tier: FreeTier = False,
    init_ms_total: float = 0.0,
    ephemeral_storage_mb: int = 512,
    *,
    billed_ms_total: float | None = None,
    month: BillingMonth | None = None,
    region: str = REGION,
    name: str = "",
) -> LambdaCost:
    """A Lambda function's monthly cost: requests, compute (GB-seconds), /tmp above 512 MB.

    ``duration_ms`` is the duration of one request, rounded up to 1 ms (and at least 1 ms);
    ``init_ms_total`` is the month's total INIT time, billed at the same GB-second rate since
    August 2025 (``lambda.limits.init_billed_since``). ``billed_ms_total``, when given,
    replaces ``requests x duration_ms``: the sum of real REPORT billed durations (the meter).
    """
    _region(region)
    n = _count("requests", requests)
    d = _count("duration_ms", duration_ms)
    init = _count("init_ms_total", init_ms_total)
    mem = _memory_mb(memory_mb)
    arch = _architecture(architecture)
    tmp = _count("ephemeral_storage_mb", ephemeral_storage_mb)
    tmp_lo = facts.value("lambda.limits.ephemeral_storage_min_mb")
    tmp_hi = facts.value("lambda.limits.ephemeral_storage_max_mb")
    if not tmp_lo <= tmp <= tmp_hi:
        raise PricingInputError(f"ephemeral_storage_mb must be between {tmp_lo:,} and {tmp_hi:,} MB; got {tmp:,.0f}.")
    month = _month(free_tier, month)

    granularity = facts.value("lambda.limits.billing_granularity_ms")
    # Each invocation is rounded up to the billing granularity, and bills at least one step.
    billed_ms = max(1, math.ceil(round(d / granularity, 6))) * granularity
    if billed_ms_total is not None:
        billed = _count("billed_ms_total", billed_ms_total)
    else:
        billed = n * billed_ms
    seconds = (billed + init) / 1000.0
    gb_seconds = seconds * mem / 1024.0
    lines = [
        _line(month, "Requests", n, "requests", "lambda.prices.request_per_million", per=1e6,
              free_key="lambda.free_tier.requests"),
        _line(month, "Compute", gb_seconds, "GB-s", f"lambda.prices.duration_{arch}",
              free_key="lambda.free_tier.gb_seconds"),
    ]
    if tmp > tmp_lo:
        extra_gb_s = seconds * (tmp - tmp_lo) / 1024.0
        lines.append(_line(month, "Ephemeral storage", extra_gb_s, "GB-s", "lambda.prices.ephemeral_storage_gb_second"))
    notes = []
    if init:
        notes.append(f"Includes {init:,.0f} ms of INIT time, billed since {facts.value('lambda.limits.init_billed_since')}.")
    return LambdaCost(
        service="lambda", lines=tuple(lines), name=name, notes=tuple(notes),
        usage={"requests": n, "duration_ms": d, "memory_mb": mem, "architecture": arch,
               "init_ms_total": init, "ephemeral_storage_mb": tmp},
        requests=n, gb_seconds=gb_seconds, memory_mb=mem, architecture=arch,
    )


def lambda_cost(
    requests: int,
    duration_ms: float,
    memory_mb: int,
    architecture: str = "x86_64",
    free_tier: bool = False,
    init_ms_total: float = 0.0,
) -> float:
    """Monthly USD for ``requests`` invocations of ``duration_ms`` (billed) each at ``memory_mb``.

    >>> round(lambda_cost(3_000_000, 120, 1536, free_tier=True), 2)   # AWS's mobile-backend example
    2.73
    """
    return lambda_breakdown(requests, duration_ms, memory_mb, architecture, free_tier, init_ms_total).total


def lambda_provisioned_cost(
    concurrency: Number,
    memory_mb: int,
    hours: float,
    requests: Number = 0,
    duration_ms: float = 0.0,
    architecture: str = "x86_64",
    *,
    month: BillingMonth | None = None,
    free_tier: FreeTier = False,
    region: str = REGION,
    name: str = "",
) -> ServiceCost:
    """Provisioned Concurrency: the configured environments for ``hours``, plus the requests
    they served and their duration at the provisioned rate. The free tier does not apply."""
    _region(region)
    conc = _count("concurrency", concurrency)
    mem = _memory_mb(memory_mb)
    h = _count("hours", hours)
    n = _count("requests", requests)
    d = _count("duration_ms", duration_ms)
    arch = _architecture(architecture)
    key = f"lambda.prices.provisioned_concurrency_{arch}"
    if key not in facts.all_facts():
        raise PricingInputError(f"Provisioned Concurrency is priced here for x86_64 only; got architecture={arch!r}.")
    month = _month(free_tier, month)
    configured_gb_s = conc * mem / 1024.0 * h * 3600.0
    billed_ms = math.ceil(round(d, 6))
    used_gb_s = n * billed_ms / 1000.0 * mem / 1024.0
    lines = (
        _line(month, "Provisioned concurrency", configured_gb_s, "GB-s", key),
        _line(month, "Requests", n, "requests", "lambda.prices.request_per_million", per=1e6),
        _line(month, "Compute (provisioned)", used_gb_s, "GB-s", f"lambda.prices.provisioned_duration_{arch}"),
    )
    return ServiceCost("lambda_provisioned", lines, name=name,
                       notes=("The Lambda free tier does not apply to Provisioned Concurrency.",),
                       usage={"concurrency": conc, "memory_mb": mem, "hours": h, "requests": n, "duration_ms": d})


# --------------------------------------------------------------------------------------------
# The other services
# --------------------------------------------------------------------------------------------
def apigateway_cost(
    requests: Number,
    api_type: str = "http",
    payload_kb: float = 0.0,
    *,
    free_tier: FreeTier = False,
    month: BillingMonth | None = None,
    region: str = REGION,
    name: str = "",
) -> ServiceCost:
    """API Gateway REST or HTTP API requests. HTTP API requests above 512 KB count once per 512 KB."""
    _region(region)
    n = _count("requests", requests)
    kind = _choice("api_type", api_type, ("http", "rest"))
    size = _count("payload_kb", payload_kb)
    month = _month(free_tier, month)
    notes = []
    if kind == "http":
        metered = n * _chunks(size, facts.value("apigateway.units.http_metering_kb"))
        if metered != n:
            notes.append(f"{size:,.0f} KB requests are metered as {metered / n:.0f} requests each (512 KB increments).")
    else:
        metered = n
    line = _line(month, f"{kind.upper()} API requests", metered, "requests",
                 f"apigateway.prices.{kind}_requests_per_million", per=1e6,
                 free_key=f"apigateway.free_tier_12_months.{kind}_requests")
    return ServiceCost("apigateway", (line,), name=name, notes=tuple(notes),
                       usage={"requests": n, "api_type": kind, "payload_kb": size})


def dynamodb_request_units(item_kb: float, operation: str) -> float:
    """Request units one request uses for an item of ``item_kb`` KB.

    ``operation``: 'write', 'transactional_write', 'strong_read', 'eventual_read' or
    'transactional_read'. An 8 KB item: strong read 2, eventual read 1, transactional read 4.
    """
    size = _count("item_kb", item_kb)
    op = _choice("operation", operation,
                 ("write", "transactional_write", "strong_read", "eventual_read", "transactional_read"))
    if op.endswith("write"):
        units = _chunks(size, facts.value("dynamodb.units.write_unit_kb"))
        return float(units * (2 if op == "transactional_write" else 1))
    units = _chunks(size, facts.value("dynamodb.units.read_unit_kb"))
    return units * {"strong_read": 1.0, "eventual_read": 0.5, "transactional_read": 2.0}[op]


def dynamodb_cost(
    writes: Number = 0,
    reads: Number = 0,
    item_kb: float = 1.0,
    read_consistency: str = "eventual",
    transactional_writes: bool = False,
    storage_gb: float = 0.0,
    mode: str = "on_demand",
    wcu: Number = 0,
    rcu: Number = 0,
    hours: float | None = None,
    *,
    free_tier: FreeTier = False,
    month: BillingMonth | None = None,
    region: str = REGION,
    name: str = "",
) -> ServiceCost:
    """DynamoDB: on-demand request units (from item size and consistency) or provisioned
    capacity-hours, plus storage. The free 25 WCU/RCU apply to provisioned mode only."""
    _region(region)
    mode = _choice("mode", mode, ("on_demand", "provisioned"))
    consistency = _choice("read_consistency", read_consistency, ("eventual", "strong", "transactional"))
    w, r = _count("writes", writes), _count("reads", reads)
    storage = _count("storage_gb", storage_gb)
    month = _month(free_tier, month)
    lines = []
    if mode == "on_demand":
        wru = w * dynamodb_request_units(item_kb, "transactional_write" if transactional_writes else "write")
        rru = r * dynamodb_request_units(item_kb, f"{consistency}_read")
        lines.append(_line(month, "Write request units", wru, "WRU", "dynamodb.prices.on_demand_write_per_million", per=1e6))
        lines.append(_line(month, "Read request units", rru, "RRU", "dynamodb.prices.on_demand_read_per_million", per=1e6))
    else:
        h = facts.value("billing.hours_per_month") if hours is None else _count("hours", hours)
        cw, cr = _count("wcu", wcu), _count("rcu", rcu)
        for label, units, kind in (("Write capacity", cw, "wcu"), ("Read capacity", cr, "rcu")):
            gross = month.charge(f"dynamodb.prices.provisioned_{kind}_hour", units * h)
            free_units = month.take_free(f"dynamodb.free_tier.provisioned_{kind}", units)
            free = free_units * h * facts.value(f"dynamodb.prices.provisioned_{kind}_hour")
            lines.append(CostLine(label, units * h, f"{kind.upper()}-hours", gross, free,
                                  f"dynamodb.prices.provisioned_{kind}_hour"))
    if storage:
        lines.append(_line(month, "Storage", storage, "GB-month", "dynamodb.prices.storage_gb_month",
                           free_key="dynamodb.free_tier.storage_gb"))
    return ServiceCost("dynamodb", tuple(lines), name=name,
                       usage={"writes": w, "reads": r, "item_kb": item_kb, "read_consistency": consistency,
                              "storage_gb": storage, "mode": mode})


def s3_cost(
    storage_gb: float = 0.0,
    put_requests: Number = 0,
    get_requests: Number = 0,
    *,
    free_tier: FreeTier = False,
    month: BillingMonth | None = None,
    region: str = REGION,
    name: str = "",
) -> ServiceCost:
    """S3 Standard: GB-months stored (tiered), PUT/COPY/POST/LIST and GET requests."""
    _region(region)
    month = _month(free_tier, month)
    lines = (
        _line(month, "Storage", _count("storage_gb", storage_gb), "GB-month", "s3.prices.standard_storage_gb_month",
              free_key="s3.free_tier_12_months.storage_gb"),
        _line(month, "PUT, COPY, POST, LIST requests", _count("put_requests", put_requests), "requests",
              "s3.prices.put_per_thousand", per=1e3, free_key="s3.free_tier_12_months.put_requests"),
        _line(month, "GET and other requests", _count("get_requests", get_requests), "requests",
              "s3.prices.get_per_thousand", per=1e3, free_key="s3.free_tier_12_months.get_requests"),
    )
    return ServiceCost("s3", lines, name=name, usage={"storage_gb": storage_gb, "put_requests": put_requests, "get_requests": get_requests})


def sqs_cost(
    requests: Number,
    payload_kb: float = 0.0,
    queue_type: str = "standard",
    *,
    free_tier: FreeTier = False,
    month: BillingMonth | None = None,
    region: str = REGION,
    name: str = "",
) -> ServiceCost:
    """SQS API requests (send, receive, delete... every action counts). Each 64 KB chunk of a
    request's payload is one billed request: a 256 KB message sent is four."""
    _region(region)
    n = _count("requests", requests)
    kind = _choice("queue_type", queue_type, ("standard", "fifo"))
    size = _count("payload_kb", payload_kb)
    chunks = _chunks(size, facts.value("sqs.units.billing_chunk_kb"))
    month = _month(free_tier, month)
    line = _line(month, f"{kind.capitalize() if kind == 'standard' else 'FIFO'} queue requests", n * chunks,
                 "requests", f"sqs.prices.{kind}_per_million", per=1e6, free_key="sqs.free_tier.requests")
    notes = (f"{size:,.0f} KB payloads bill as {chunks} requests each (64 KB chunks).",) if chunks > 1 else ()
    return ServiceCost("sqs", (line,), name=name, notes=notes, usage={"requests": n, "payload_kb": size, "queue_type": kind})


def sns_cost(
    publishes: Number,
    payload_kb: float = 0.0,
    http_deliveries: Number = 0,
    email_deliveries: Number = 0,
    sqs_deliveries: Number = 0,
    lambda_deliveries: Number = 0,
    *,
    free_tier: FreeTier = False,
    month: BillingMonth | None = None,
    region: str = REGION,
    name: str = "",
) -> ServiceCost:
    """SNS standard topics: publishes (64 KB chunks) and deliveries by protocol."""
    _region(region)
    n = _count("publishes", publishes)
    chunks = _chunks(_count("payload_kb", payload_kb), facts.value("sns.units.billing_chunk_kb"))
    month = _month(free_tier, month)
    lines = [
        _line(month, "Publishes", n * chunks, "requests", "sns.prices.publish_per_million", per=1e6,
              free_key="sns.free_tier.publishes"),
        _line(month, "HTTP/S deliveries", _count("http_deliveries", http_deliveries), "deliveries",
              "sns.prices.http_delivery_per_million", per=1e6, free_key="sns.free_tier.http_deliveries"),
        _line(month, "Email deliveries", _count("email_deliveries", email_deliveries), "deliveries",
              "sns.prices.email_delivery_per_100k", per=1e5, free_key="sns.free_tier.email_deliveries"),
        _line(month, "SQS deliveries", _count("sqs_deliveries", sqs_deliveries), "deliveries",
              "sns.prices.sqs_delivery_per_million", per=1e6),
        _line(month, "Lambda deliveries", _count("lambda_deliveries", lambda_deliveries), "deliveries",
              "sns.prices.lambda_delivery_per_million", per=1e6),
    ]
    return ServiceCost("sns", tuple(l for l in lines if l.quantity or l.item == "Publishes"), name=name,
                       usage={"publishes": n, "payload_kb": payload_kb})


def stepfunctions_cost(
    executions: Number,
    workflow: str = "standard",
    transitions_per_execution: Number = 0,
    duration_ms: float = 0.0,
    memory_mb: float = 64,
    *,
    free_tier: FreeTier = False,
    month: BillingMonth | None = None,
    region: str = REGION,
    name: str = "",
) -> ServiceCost:
    """Standard workflows: state transitions. Express: requests plus duration in GB-hours
    (duration rounded up to 100 ms, memory to 64 MB chunks)."""
    _region(region)
    n = _count("executions", executions)
    kind = _choice("workflow", workflow, ("standard", "express"))
    month = _month(free_tier, month)
    if kind == "standard":
        transitions = n * _count("transitions_per_execution", transitions_per_execution)
        lines: tuple[CostLine, ...] = (
            _line(month, "State transitions", transitions, "transitions",
                  "stepfunctions.prices.standard_per_thousand_transitions", per=1e3,
                  free_key="stepfunctions.free_tier.standard_transitions"),
        )
    else:
        step = facts.value("stepfunctions.units.express_duration_rounding_ms")
        chunk = facts.value("stepfunctions.units.express_memory_chunk_mb")
        billed_ms = max(1, math.ceil(round(_count("duration_ms", duration_ms) / step, 6))) * step
        billed_mb = _chunks(_count("memory_mb", memory_mb), chunk) * chunk
        gb_hours = n * billed_ms / 1000.0 * billed_mb / 1024.0 / 3600.0
        lines = (
            _line(month, "Requests", n, "requests", "stepfunctions.prices.express_requests_per_million", per=1e6),
            _line(month, "Duration", gb_hours, "GB-hours", "stepfunctions.prices.express_duration_gb_hour"),
        )
    return ServiceCost("stepfunctions", lines, name=name, usage={"executions": n, "workflow": kind})


def eventbridge_cost(
    custom_events: Number = 0,
    payload_kb: float = 0.0,
    scheduler_invocations: Number = 0,
    pipes_requests: Number = 0,
    *,
    free_tier: FreeTier = False,
    month: BillingMonth | None = None,
    region: str = REGION,
    name: str = "",
) -> ServiceCost:
    """EventBridge custom events (64 KB chunks), Scheduler invocations and Pipes requests."""
    _region(region)
    month = _month(free_tier, month)
    chunks = _chunks(_count("payload_kb", payload_kb), facts.value("eventbridge.units.billing_chunk_kb"))
    lines = (
        _line(month, "Custom events", _count("custom_events", custom_events) * chunks, "events",
              "eventbridge.prices.custom_events_per_million", per=1e6),
        _line(month, "Scheduler invocations", _count("scheduler_invocations", scheduler_invocations), "invocations",
              "eventbridge.prices.scheduler_invocations_per_million", per=1e6,
              free_key="eventbridge.free_tier.scheduler_invocations"),
        _line(month, "Pipes requests", _count("pipes_requests", pipes_requests), "requests",
              "eventbridge.prices.pipes_requests_per_million", per=1e6),
    )
    return ServiceCost("eventbridge", tuple(l for l in lines if l.quantity) or lines[:1], name=name,
                       usage={"custom_events": custom_events, "scheduler_invocations": scheduler_invocations})


def kinesis_cost(
    records: Number = 0,
    record_kb: float = 1.0,
    mode: str = "provisioned",
    shards: Number = 1,
    hours: float | None = None,
    streams: Number = 1,
    read_gb: float = 0.0,
    *,
    free_tier: FreeTier = False,
    month: BillingMonth | None = None,
    region: str = REGION,
    name: str = "",
) -> ServiceCost:
    """Kinesis Data Streams. Provisioned: shard-hours plus 25 KB PUT payload units.
    On-demand: stream-hours plus GB written (records rounded up to 1 KB) and GB read."""
    _region(region)
    kind = _choice("mode", mode, ("provisioned", "on_demand"))
    n = _count("records", records)
    size = _count("record_kb", record_kb)
    h = facts.value("billing.hours_per_month") if hours is None else _count("hours", hours)
    month = _month(free_tier, month)
    if kind == "provisioned":
        units = n * _chunks(size, facts.value("kinesis.units.put_payload_unit_kb"))
        lines: tuple[CostLine, ...] = (
            _line(month, "Shard hours", _count("shards", shards) * h, "shard-hours", "kinesis.prices.shard_hour"),
            _line(month, "PUT payload units", units, "units", "kinesis.prices.put_payload_units_per_million", per=1e6),
        )
    else:
        rounding = facts.value("kinesis.units.on_demand_record_rounding_kb")
        written_gb = n * _chunks(size, rounding) * rounding / (1024.0 * 1024.0)
        lines = (
            _line(month, "Stream hours", _count("streams", streams) * h, "stream-hours", "kinesis.prices.on_demand_stream_hour"),
            _line(month, "Data written", written_gb, "GB", "kinesis.prices.on_demand_ingest_gb"),
            _line(month, "Data read", _count("read_gb", read_gb), "GB", "kinesis.prices.on_demand_retrieval_gb"),
        )
    return ServiceCost("kinesis", lines, name=name, usage={"records": n, "record_kb": size, "mode": kind})


def firehose_cost(
    records: Number,
    record_kb: float = 1.0,
    *,
    free_tier: FreeTier = False,
    month: BillingMonth | None = None,
    region: str = REGION,
    name: str = "",
) -> ServiceCost:
    """Data Firehose Direct PUT ingestion: every record rounded up to 5 KB."""
    _region(region)
    step = facts.value("firehose.units.record_rounding_kb")
    n = _count("records", records)
    gb = n * _chunks(_count("record_kb", record_kb), step) * step / (1024.0 * 1024.0)
    month = _month(free_tier, month)
    return ServiceCost("firehose", (_line(month, "Data ingested", gb, "GB", "firehose.prices.ingest_gb"),),
                       name=name, usage={"records": n, "record_kb": record_kb})


def fargate_cost(
    vcpu: float,
    memory_gb: float,
    hours: float | None = None,
    tasks: Number = 1,
    architecture: str = "x86_64",
    ephemeral_storage_gb: float = 20.0,
    *,
    free_tier: FreeTier = False,
    month: BillingMonth | None = None,
    region: str = REGION,
    name: str = "",
) -> ServiceCost:
    """Fargate (Linux) tasks running for ``hours`` (default: the whole month)."""
    _region(region)
    arch = _architecture(architecture)
    h = facts.value("billing.hours_per_month") if hours is None else _count("hours", hours)
    t = _count("tasks", tasks)
    v, m = _count("vcpu", vcpu), _count("memory_gb", memory_gb)
    if v == 0 or m == 0:
        raise PricingInputError("A Fargate task needs vcpu > 0 and memory_gb > 0.")
    month = _month(free_tier, month)
    included = facts.value("fargate.free_tier.ephemeral_storage_gb")
    lines = [
        _line(month, "vCPU", v * t * h, "vCPU-hours", f"fargate.prices.vcpu_hour_{arch}"),
        _line(month, "Memory", m * t * h, "GB-hours", f"fargate.prices.gb_hour_{arch}"),
    ]
    extra = _count("ephemeral_storage_gb", ephemeral_storage_gb) - included
    if extra > 0:
        lines.append(_line(month, "Ephemeral storage", extra * t * h, "GB-hours", "fargate.prices.ephemeral_storage_gb_hour"))
    return ServiceCost("fargate", tuple(lines), name=name, usage={"vcpu": v, "memory_gb": m, "hours": h, "tasks": t})


def ec2_instance_types() -> dict[str, dict[str, Any]]:
    """The EC2 instance types the course prices: API name -> specs and hourly price."""
    out = {}
    for key, fact in facts.all_facts().items():
        if key.startswith("ec2.specs."):
            slug = key.rsplit(".", 1)[1]
            spec = dict(fact.value)
            spec["hourly_usd"] = facts.value(f"ec2.prices.{slug}")
            spec["price_key"] = f"ec2.prices.{slug}"
            out[spec["api_name"]] = spec
    return out


def ec2_cost(
    instance_type: str,
    hours: float | None = None,
    count: Number = 1,
    *,
    free_tier: FreeTier = False,
    month: BillingMonth | None = None,
    region: str = REGION,
    name: str = "",
) -> ServiceCost:
    """On-demand Linux EC2 instances running ``hours`` (default: the whole month). Storage
    (EBS), load balancers and data transfer are not included."""
    _region(region)
    types = ec2_instance_types()
    kind = _choice("instance_type", instance_type, sorted(types))
    h = facts.value("billing.hours_per_month") if hours is None else _count("hours", hours)
    c = _count("count", count)
    month = _month(free_tier, month)
    free_key = "ec2.free_tier_12_months.t3_micro_hours" if kind == "t3.micro" else None
    line = _line(month, f"{kind} instance hours", h * c, "hours", types[kind]["price_key"], free_key=free_key)
    return ServiceCost("ec2", (line,), name=name, notes=("Excludes EBS storage, load balancers and data transfer.",),
                       usage={"instance_type": kind, "hours": h, "count": c})


def cognito_cost(
    mau: Number,
    plan: str = "essentials",
    *,
    free_tier: FreeTier = False,
    month: BillingMonth | None = None,
    region: str = REGION,
    name: str = "",
) -> ServiceCost:
    """Cognito user pools per monthly active user on the Lite, Essentials or Plus plan."""
    _region(region)
    users = _count("mau", mau)
    kind = _choice("plan", plan, ("lite", "essentials", "plus"))
    month = _month(free_tier, month)
    free_key = None if kind == "plus" else f"cognito.free_tier.{kind}_mau"
    line = _line(month, f"{kind.capitalize()} MAUs", users, "MAUs", f"cognito.prices.{kind}_mau", free_key=free_key)
    return ServiceCost("cognito", (line,), name=name, usage={"mau": users, "plan": kind})


def cloudwatch_logs_cost(
    ingested_gb: float,
    stored_gb: float = 0.0,
    source: str = "lambda",
    *,
    free_tier: FreeTier = False,
    month: BillingMonth | None = None,
    region: str = REGION,
    name: str = "",
) -> ServiceCost:
    """CloudWatch Logs ingestion and storage. ``source='lambda'`` uses the tiered price for
    Lambda logs (vended logs since May 2025); ``'custom'`` the Standard flat rate."""
    _region(region)
    kind = _choice("source", source, ("lambda", "custom"))
    month = _month(free_tier, month)
    price = "cloudwatch.prices.lambda_logs_ingestion_gb" if kind == "lambda" else "cloudwatch.prices.logs_ingestion_gb"
    lines = (
        _line(month, "Ingestion", _count("ingested_gb", ingested_gb), "GB", price, free_key="cloudwatch.free_tier.logs_gb"),
        _line(month, "Storage", _count("stored_gb", stored_gb), "GB-month", "cloudwatch.prices.logs_storage_gb_month",
              free_key="cloudwatch.free_tier.logs_gb"),
    )
    return ServiceCost("cloudwatch_logs", lines, name=name, usage={"ingested_gb": ingested_gb, "stored_gb": stored_gb})


# --------------------------------------------------------------------------------------------
# A whole architecture
# --------------------------------------------------------------------------------------------
CALCULATORS: dict[str, Callable[..., ServiceCost]] = {
    "lambda": lambda_breakdown,
    "lambda_provisioned": lambda_provisioned_cost,
    "apigateway": apigateway_cost,
    "dynamodb": dynamodb_cost,
    "s3": s3_cost,
    "sqs": sqs_cost,
    "sns": sns_cost,
    "stepfunctions": stepfunctions_cost,
    "eventbridge": eventbridge_cost,
    "kinesis": kinesis_cost,
    "firehose": firehose_cost,
    "fargate": fargate_cost,
    "ec2": ec2_cost,
    "cognito": cognito_cost,
    "cloudwatch_logs": cloudwatch_logs_cost,
}


@dataclass(frozen=True)
class Estimate:
    """A month of an architecture: one ``ServiceCost`` per component, in the order given."""

    components: tuple[ServiceCost, ...]
    free_tier: FreeTier = False
    title: str = ""

    @property
    def total(self) -> float:
        return sum(c.total for c in self.components)

    @property
    def gross(self) -> float:
        return sum(c.gross for c in self.components)

    @property
    def free(self) -> float:
        return sum(c.free for c in self.components)

    def by_service(self) -> dict[str, float]:
        """USD after free tier, summed per service (insertion order)."""
        out: dict[str, float] = {}
        for c in self.components:
            out[c.service] = out.get(c.service, 0.0) + c.total
        return out

    def rows(self) -> list[dict[str, Any]]:
        """Flat rows (component, line, quantity, unit, gross, free, total) for tables and plots."""
        return [
            {"component": c.label, "service": c.service, "line": l.item, "quantity": l.quantity,
             "unit": l.unit, "gross": l.gross, "free": l.free, "total": l.total}
            for c in self.components for l in c.lines
        ]

    def _repr_markdown_(self) -> str:
        head = f"**{self.title or 'Monthly estimate'}** (us-east-1, on-demand list prices"
        head += ", always-free tier applied)" if self.free_tier else ", no free tier)"
        out = [head, "", "| component | cost | free tier | you pay |", "|---|---:|---:|---:|"]
        for c in self.components:
            out.append(f"| {c.label} | {format_usd(c.gross)} | {format_usd(-c.free)} | {format_usd(c.total)} |")
        out.append(f"| **total** | **{format_usd(self.gross)}** | **{format_usd(-self.free)}** | **{format_usd(self.total)}** |")
        return "\n".join(out)


def _component_call(spec: Mapping[str, Any], month: BillingMonth) -> ServiceCost:
    spec = dict(spec)
    service = spec.pop("service", None)
    if service not in CALCULATORS:
        raise PricingInputError(
            f"Unknown service {service!r}; priced services are: {', '.join(sorted(CALCULATORS))}."
        )
    func = CALCULATORS[service]
    params = inspect.signature(func).parameters
    allowed = [p for p in params if p not in ("month", "free_tier")]
    unknown = [k for k in spec if k not in allowed]
    if unknown:
        raise PricingInputError(
            f"{service}: unknown usage field(s) {', '.join(map(repr, unknown))}; "
            f"{service} takes {', '.join(allowed)}."
        )
    missing = [p.name for p in params.values()
               if p.default is inspect.Parameter.empty and p.name not in spec]
    if missing:
        raise PricingInputError(f"{service}: missing usage field(s) {', '.join(map(repr, missing))}.")
    return func(**spec, month=month)


def monthly_estimate(
    architecture: Iterable[Mapping[str, Any]] | Mapping[str, Mapping[str, Any]],
    free_tier: FreeTier = False,
    title: str = "",
) -> Estimate:
    """Price every component of an architecture in one account-month.

    ``architecture`` is a list of dicts, each with ``service`` (a key of ``CALCULATORS``), an
    optional ``name`` and that calculator's usage fields; or a dict ``{name: {service, ...}}``.
    Components share the free tier and volume tiers in the order given.
    """
    if isinstance(architecture, Mapping):
        items = [dict(spec, name=spec.get("name", name)) for name, spec in architecture.items()]
    else:
        items = [dict(spec) for spec in architecture]
    if not items:
        raise PricingInputError("The architecture has no components to price.")
    month = BillingMonth(free_tier)
    return Estimate(tuple(_component_call(spec, month) for spec in items), free_tier=free_tier, title=title)


# --------------------------------------------------------------------------------------------
# Lambda's CPU model and the server alternatives (used by the plots)
# --------------------------------------------------------------------------------------------
def lambda_vcpus(memory_mb: int) -> float:
    """vCPU share Lambda allocates at ``memory_mb``: proportional to memory, one full vCPU at
    ``lambda.limits.memory_per_vcpu_mb`` (1,769 MB), capped at ``lambda.limits.vcpus_max``."""
    mem = _memory_mb(memory_mb)
    return min(mem / facts.value("lambda.limits.memory_per_vcpu_mb"), float(facts.value("lambda.limits.vcpus_max")))


def server_monthly_cost(kind: str, **usage: Any) -> float:
    """A fixed-capacity alternative's monthly USD: ``kind='ec2'`` (instance_type, count) or
    ``'fargate'`` (vcpu, memory_gb, tasks, architecture); both run all month."""
    if kind == "ec2":
        return ec2_cost(**usage).total
    if kind == "fargate":
        return fargate_cost(**usage).total
    raise PricingInputError(f"kind must be 'ec2' or 'fargate'; got {kind!r}.")
