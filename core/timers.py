"""Where a sync's time goes, per stage (login, scrape, parse, store): wall seconds and the CPU
seconds of the thread that did it. What the benchmarks split their figures by; one object, added
up from the collector, the session pool and the store."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class Timers:
    wall: dict[str, float] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)

    def add(self, stage: str, wall: float = 0.0, cpu: float = 0.0) -> None:
        self.wall[stage] = self.wall.get(stage, 0.0) + wall
        self.cpu[stage] = self.cpu.get(stage, 0.0) + cpu

    @contextmanager
    def stage(self, stage: str) -> Iterator[None]:
        t0, c0 = time.perf_counter(), time.thread_time()
        try:
            yield
        finally:
            self.add(stage, time.perf_counter() - t0, time.thread_time() - c0)

    def merged(self, *others: Timers) -> Timers:
        out = Timers(dict(self.wall), dict(self.cpu))
        for o in others:
            for k, v in o.wall.items():
                out.add(k, wall=v)
            for k, v in o.cpu.items():
                out.add(k, cpu=v)
        return out

    def as_dict(self) -> dict[str, dict[str, float]]:
        return {"wall_s": {k: round(v, 3) for k, v in self.wall.items()},
                "cpu_s": {k: round(v, 4) for k, v in self.cpu.items()}}
