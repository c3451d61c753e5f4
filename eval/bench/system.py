"""Measuring helpers shared by the bench: latency summaries, memory (/proc), disk usage, build stage clocks."""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

from eval.metrics import percentile


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def summary(xs: list[float], digits: int = 2) -> dict[str, Any]:
    """n, p50, p95, p99, mean, max of a list of latencies (``{"n": 0}`` when empty)."""
    if not xs:
        return {"n": 0}
    return {"n": len(xs), **{f"p{q}": round(percentile(xs, q), digits) for q in (50, 95, 99)},
            "mean": round(sum(xs) / len(xs), digits), "max": round(max(xs), digits)}


def rss_mb(pid: int | str = "self") -> dict[str, float]:
    """VmRSS and VmHWM (peak) of a process, in MB ({} when it cannot be read)."""
    out: dict[str, float] = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(("VmRSS:", "VmHWM:")):
                out[line.split(":")[0]] = round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return out


def loadavg() -> list[float]:
    try:
        return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]
    except OSError:
        return []


def du_mb(path: Path) -> float:
    """Disk usage of a folder (allocated blocks, hard links counted once), in MB."""
    seen: set[tuple[int, int]] = set()
    total = 0
    for root, _, files in os.walk(path):
        for f in files:
            st = os.lstat(os.path.join(root, f))
            if (st.st_dev, st.st_ino) in seen:
                continue
            seen.add((st.st_dev, st.st_ino))
            total += st.st_blocks * 512
    return round(total / 1e6, 1)


class StageClock:
    """build_index progress callback -> when each stage started and ended."""

    def __init__(self) -> None:
        self.first: dict[str, float] = {}
        self.last: dict[str, float] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.perf_counter()
        self.first.setdefault(stage, now)
        self.last[stage] = now

    def span(self, stage: str) -> float | None:
        if stage not in self.first:
            return None
        return self.last[stage] - self.first[stage]
