"""Worked answers for parameterised questions, and the predictable wrong ones.

A bank names a formula (``answer: {formula: lambda_monthly_cost}``); its arguments are the
question's parameters by name, plus any fixed ``args``. Every formula computes with
``course_lib.pricing`` and ``course_lib.facts``, so no answer is ever typed by hand and a price
change in ``facts.yaml`` changes every answer with it.

The "mistake" formulas compute what a learner gets by a typical slip, so the quiz can say
*which* slip it was ("you left out the request charge") instead of only "wrong".
"""

from __future__ import annotations

import inspect
from typing import Callable

from course_lib import facts

FORMULAS: dict[str, Callable[..., float]] = {}


def formula(fn: Callable[..., float]) -> Callable[..., float]:
    """Register ``fn`` under its own name for banks to use."""
    FORMULAS[fn.__name__] = fn
    return fn


def required_args(name: str) -> list[str]:
    """The parameters a formula needs (those without defaults)."""
    sig = inspect.signature(FORMULAS[name])
    return [p.name for p in sig.parameters.values() if p.default is inspect.Parameter.empty]


def accepted_args(name: str) -> list[str]:
    return list(inspect.signature(FORMULAS[name]).parameters)


def _request_charge(requests: int) -> float:
    return requests / 1e6 * facts.value("lambda.prices.request_per_million")


@formula
def lambda_monthly_cost(
    requests: int, duration_ms: float, memory_mb: int, architecture: str = "x86_64", free_tier: bool = False
) -> float:
    """The month's bill: requests plus GB-seconds (``course_lib.pricing.lambda_cost``)."""
    from course_lib.pricing import lambda_cost

    return lambda_cost(requests, duration_ms, memory_mb, architecture=architecture, free_tier=free_tier)


@formula
def lambda_gb_seconds(requests: int, duration_ms: float, memory_mb: int) -> float:
    """Compute used in a month: invocations x seconds x GB."""
    return requests * duration_ms / 1000 * memory_mb / 1024


@formula
def lambda_cost_without_requests(
    requests: int, duration_ms: float, memory_mb: int, architecture: str = "x86_64"
) -> float:
    """Mistake: only the duration charge (the per-request charge forgotten)."""
    return lambda_monthly_cost(requests, duration_ms, memory_mb, architecture) - _request_charge(requests)


@formula
def lambda_cost_requests_only(requests: int, duration_ms: float, memory_mb: int) -> float:
    """Mistake: only the per-request charge (the duration charge forgotten)."""
    return _request_charge(requests)


@formula
def lambda_cost_ms_as_seconds(
    requests: int, duration_ms: float, memory_mb: int, architecture: str = "x86_64"
) -> float:
    """Mistake: milliseconds used as seconds (the duration charge 1,000 times too big)."""
    duration = lambda_cost_without_requests(requests, duration_ms, memory_mb, architecture)
    return _request_charge(requests) + duration * 1000


@formula
def lambda_cost_mb_as_gb(requests: int, duration_ms: float, memory_mb: int, architecture: str = "x86_64") -> float:
    """Mistake: memory in MB used as GB (the duration charge 1,024 times too big)."""
    duration = lambda_cost_without_requests(requests, duration_ms, memory_mb, architecture)
    return _request_charge(requests) + duration * 1024


@formula
def lambda_cost_with_free_tier(
    requests: int, duration_ms: float, memory_mb: int, architecture: str = "x86_64"
) -> float:
    """Mistake when the question says to ignore it: the free tier subtracted."""
    return lambda_monthly_cost(requests, duration_ms, memory_mb, architecture, free_tier=True)
