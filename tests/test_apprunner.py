"""apprunner: the walk-through's cost arithmetic, from the facts file."""

from __future__ import annotations

import pytest

from course_lib import apprunner, facts


def test_idle_hours_pay_memory_only_and_active_hours_pay_both():
    hours = facts.value("billing.hours_per_month")
    idle = apprunner.monthly_cost(vcpu=1, memory_gb=2, active_hours=0)
    assert idle.active == 0 and idle.provisioned == pytest.approx(2 * hours * facts.value("apprunner.prices.provisioned_gb_hour"))
    busy = apprunner.monthly_cost(vcpu=1, memory_gb=2, active_hours=hours)
    assert busy.provisioned == 0
    assert busy.active == pytest.approx(hours * (facts.value("apprunner.prices.active_vcpu_hour") + 2 * facts.value("apprunner.prices.active_gb_hour")))
    with pytest.raises(ValueError):
        apprunner.monthly_cost(1, 2, active_hours=hours + 1)
