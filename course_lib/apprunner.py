"""App Runner, as a labelled walk-through: moto has no App Runner, so the course prices it only.

    from course_lib import apprunner
    apprunner.monthly_cost(vcpu=1, memory_gb=2, active_hours=200, instances=1)

App Runner runs a web service from a container image or source repository: it builds, deploys,
serves HTTPS, load-balances and scales instances with concurrent requests. It bills memory for
every hour an instance is provisioned (kept warm while idle) and adds vCPU and memory at the
active rate for the hours instances handle requests. :func:`monthly_cost` is that arithmetic,
from the facts file.

Differs from AWS: nothing is emulated (no API, no service, no URL); the chapter says so where it
uses this module. Build minutes, automatic deployments and data transfer are not priced.
"""

from __future__ import annotations

from dataclasses import dataclass

from course_lib import facts



@dataclass(frozen=True)
class AppRunnerCost:
    provisioned: float  # memory kept warm while idle
    active: float  # vCPU and memory while handling requests

    @property
    def total(self) -> float:
        return self.provisioned + self.active


def monthly_cost(vcpu: float, memory_gb: float, active_hours: float, instances: int = 1,
                 hours: float | None = None) -> AppRunnerCost:
    """One month of a service with ``instances`` always provisioned, active ``active_hours``."""
    month = float(facts.value("billing.hours_per_month")) if hours is None else hours
    if not 0 <= active_hours <= month:
        raise ValueError("active_hours must be between 0 and the hours in the month")
    idle_hours = month - active_hours
    provisioned = instances * memory_gb * idle_hours * float(facts.value("apprunner.prices.provisioned_gb_hour"))
    active = instances * active_hours * (
        vcpu * float(facts.value("apprunner.prices.active_vcpu_hour"))
        + memory_gb * float(facts.value("apprunner.prices.active_gb_hour"))
    )
    return AppRunnerCost(provisioned, active)
