"""How much memory an invocation used: the process's resident memory, sampled while it runs.

On AWS, *Max Memory Used* is the peak resident memory of the execution environment. Here the
environment is the notebook's process, so we measure how far its resident set (RSS) rose above
where it stood when the invocation began: read at the start and the end, and every 2 ms in
between by one sampler thread that only runs while invocations do. (Tracing every allocation
with ``tracemalloc`` was measured to slow allocation-heavy handlers several-fold, which would
distort the durations that billing depends on; sampling costs a few microseconds.)

Differs from AWS: memory the process already held (from an earlier invocation) is not counted
again, allocations shorter than the sampling interval can be missed, and invocations running
side by side on threads see each other's memory. ``executor`` adds the Python runtime's typical
footprint so the figure reads like AWS's.
"""

from __future__ import annotations

import os
import resource
import sys
import threading
import time

_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
_STATM = "/proc/self/statm"
_HAS_STATM = os.path.exists(_STATM)
INTERVAL_S = 0.002


def rss_bytes() -> int:
    """Current resident memory of this process (peak so far where the OS offers nothing better)."""
    if _HAS_STATM:
        with open(_STATM, "rb") as handle:
            return int(handle.read().split()[1]) * _PAGE
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


class _Probe:
    __slots__ = ("start", "peak")

    def __init__(self, start: int) -> None:
        self.start = start
        self.peak = start


class Sampler:
    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._probes: set[_Probe] = set()
        self._thread: threading.Thread | None = None

    def begin(self) -> _Probe:
        probe = _Probe(rss_bytes())
        with self._cond:
            self._probes.add(probe)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="course-lambda-memory", daemon=True)
                self._thread.start()
            self._cond.notify()
        return probe

    def end(self, probe: _Probe) -> int:
        """Bytes the process's resident memory rose during the probe (0 or more)."""
        now = rss_bytes()
        with self._cond:
            self._probes.discard(probe)
            probe.peak = max(probe.peak, now)
        return max(0, probe.peak - probe.start)

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._probes:
                    self._cond.wait()
                probes = list(self._probes)
            now = rss_bytes()
            for probe in probes:
                if now > probe.peak:
                    probe.peak = now
            time.sleep(INTERVAL_S)


SAMPLER = Sampler()
