"""Seconds per capture stage, and optionally CPU-seconds per stage, stored in `timings`.

Wall seconds per stage are always kept (they explain slow pages). With
PAGEKEEP_CPU_TIMINGS=1, each stage also records the CPU-seconds spent meanwhile
by the browser's processes, the Playwright driver (node) and pagekeep's own
Python process, as `timings["cpu"][stage] = [browser, driver, python]`. That
is a profiling aid: reading the process tree costs a few milliseconds per
stage, and the figures belong to one page only when one page is in flight
(benchmarks/batch.py profiles at concurrency 1).
"""

from __future__ import annotations

import json
import os
import time

CPU_ENV = "PAGEKEEP_CPU_TIMINGS"


class CpuSampler:
    """Cumulative CPU-seconds of (browser tree, driver, this process), minus the sampler's own cost."""

    def __init__(self):
        import psutil  # a bench/test dependency, imported only when profiling

        self.psutil = psutil
        self.me = psutil.Process()
        self.own_cost = 0.0

    def __call__(self) -> tuple[float, float, float]:
        ps = self.psutil
        start = time.process_time()
        browser = driver = 0.0
        try:
            children = self.me.children()
        except ps.Error:
            children = []
        for child in children:
            try:
                t = child.cpu_times()
                driver += t.user + t.system
                tree = child.children(recursive=True)
            except ps.Error:
                continue
            for proc in tree:
                try:
                    t = proc.cpu_times()
                except ps.Error:
                    continue
                # children_*: renderers that ended and were reaped by their parent (the zygote)
                browser += t.user + t.system + t.children_user + t.children_system
        python = start - self.own_cost
        self.own_cost += time.process_time() - start
        return browser, driver, python


_SAMPLER: CpuSampler | None = None


def cpu_sampler() -> CpuSampler | None:
    """The process-wide sampler when PAGEKEEP_CPU_TIMINGS is set, else None."""
    global _SAMPLER
    if os.environ.get(CPU_ENV, "") in ("", "0"):
        return None
    if _SAMPLER is None:
        try:
            _SAMPLER = CpuSampler()
        except ImportError:
            return None
    return _SAMPLER


class Laps:
    """Seconds spent in each stage (and CPU-seconds, when profiling), stored with the capture."""

    def __init__(self):
        self.t = time.monotonic()
        self.done: dict[str, float] = {}
        self.sampler = cpu_sampler()
        self.cpu: dict[str, list[float]] = {}
        self.c = self.sampler() if self.sampler else None

    def __call__(self, stage: str) -> None:
        now = time.monotonic()
        self.done[stage] = round(self.done.get(stage, 0.0) + now - self.t, 3)
        self.t = now
        if self.sampler:
            c = self.sampler()
            prev = self.cpu.get(stage, [0.0, 0.0, 0.0])
            self.cpu[stage] = [round(p + b - a, 3) for p, a, b in zip(prev, self.c, c)]
            self.c = c

    def dumps(self) -> str:
        return json.dumps({**self.done, "cpu": self.cpu} if self.cpu else self.done)
