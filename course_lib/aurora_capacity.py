"""A model of Aurora Serverless v2 capacity: ACUs following a load curve, and what they cost.

    from course_lib import aurora_capacity
    run = aurora_capacity.simulate(load, min_acu=0.5, max_acu=16)   # load: ACUs needed per minute
    run.capacity, run.acu_hours, run.cost()

What it models (no emulator has Aurora's autoscaler; this is a labelled simulation). Capacity is
measured in Aurora capacity units (ACUs, about 2 GiB of memory each with matching CPU), moves in
0.5-ACU steps between the cluster's ``MinCapacity`` and ``MaxCapacity``, and is billed per
ACU-hour. The rules, as AWS documents the behaviour:

* **scaling up is fast**: when the work needs more, capacity reaches it within the same minute
  (rounded up to 0.5 ACU, capped at the maximum);
* **scaling down is gradual**: capacity falls by at most a tenth (at least 0.5 ACU) per
  minute, never below what the work needs or the minimum, so a short lull does not drop
  buffers and caches;
* **auto-pause**: with ``min_acu=0``, after ``pause_after_min`` idle minutes the instance
  pauses (0 ACUs, no compute charge) and the next request resumes it, which takes seconds.

Differs from AWS: the real scaler reacts to CPU, memory and connections measured every few
seconds, and scale-down speed depends on the current size; the constants here are illustrative.
The *shape* (fast up, slow down, floor at the minimum, pause at zero) is the point, not the exact
numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Sequence

from course_lib import facts


def _round_up(acus: float, step: float) -> float:
    return math.ceil(acus / step - 1e-9) * step


@dataclass
class CapacityRun:
    load: list[float]  # ACUs the work needs, per minute
    capacity: list[float] = field(default_factory=list)  # ACUs provisioned, per minute
    paused: list[bool] = field(default_factory=list)
    min_acu: float = 0.5
    max_acu: float = 16.0

    @property
    def acu_hours(self) -> float:
        return sum(self.capacity) / 60.0

    def cost(self) -> float:
        """Compute cost of the run, in USD (storage and I/O not included)."""
        return self.acu_hours * float(facts.value("aurora.prices.serverless_v2_acu_hour"))

    @property
    def resumes(self) -> int:
        return sum(1 for before, now in zip(self.paused, self.paused[1:]) if before and not now)


def simulate(
    load: Sequence[float], min_acu: float = 0.5, max_acu: float = 16.0, pause_after_min: int = 5
) -> CapacityRun:
    """Capacity minute by minute for a load curve (ACUs needed each minute)."""
    step = float(facts.value("aurora.limits.acu_increment"))
    if min_acu < float(facts.value("aurora.limits.acu_min")) or max_acu > float(facts.value("aurora.limits.acu_max")):
        raise ValueError("capacity outside Aurora Serverless v2's range")
    if min_acu > max_acu:
        raise ValueError("min_acu must not exceed max_acu")
    run = CapacityRun(list(map(float, load)), min_acu=min_acu, max_acu=max_acu)
    current = max(min_acu, step) if min_acu == 0 else min_acu
    idle = 0
    paused = False
    for need in run.load:
        if need <= 0:
            idle += 1
        else:
            idle = 0
        if paused and need > 0:
            paused = False  # the next connection resumes the instance
            current = max(step, min_acu)
        if min_acu == 0 and idle >= pause_after_min:
            paused, current = True, 0.0
        elif not paused:
            wanted = min(max_acu, max(min_acu, _round_up(need, step), step))
            if wanted >= current:
                current = wanted  # up: within the minute
            else:
                drop = max(step, current * 0.1)
                current = max(wanted, _round_up(current - drop, step))
        run.capacity.append(current)
        run.paused.append(paused)
    return run


def flash_sale_load(minutes: int = 180) -> list[float]:
    """Three hours of a shop: idle, steady browsing, a flash sale spike at minute 60, idle again."""
    load = []
    for minute in range(minutes):
        if minute < 20 or minute >= 150:
            level = 0.0
        elif 60 <= minute < 75:
            level = 12.0 if minute < 70 else 9.0
        else:
            level = 1.6 + 0.4 * math.sin(minute / 7)
        load.append(round(level, 2))
    return load


def daily_load(peak_acu: float = 6.0, night_acu: float = 0.0, minutes: int = 24 * 60) -> list[float]:
    """A shop's day, per minute: quiet at night, a morning ramp, a lunch peak, an evening bump."""
    load = []
    for minute in range(minutes):
        hour = minute / 60
        level = night_acu
        if 7 <= hour < 23:
            daytime = 0.35 + 0.25 * math.sin((hour - 7) / 16 * math.pi)
            lunch = 0.4 * math.exp(-((hour - 12.5) ** 2) / 0.5)
            evening = 0.3 * math.exp(-((hour - 20) ** 2) / 1.0)
            level = max(night_acu, peak_acu * min(1.0, daytime + lunch + evening))
        load.append(round(level, 2))
    return load
