"""HTTP load on the real service: a uvicorn server in its own process group, and concurrent ``POST /ask``.

    server = Server("api.app:create_app", index_dir, log_path).start()   # waits for GET /readyz 200
    figures = http_bench(server, questions, first, levels=[(1, 300), (8, 800)], cap_s=60)
    server.stop()

Every request goes to 127.0.0.1; every load level is bounded in count and time (``n``, ``cap_s``).
"""
from __future__ import annotations

import asyncio
import atexit
import itertools
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from eval.bench.system import loadavg, log, rss_mb, summary

REPO = Path(__file__).resolve().parents[2]

_LIVE: list[Server] = []


def stop_all() -> None:
    for s in list(_LIVE):
        s.stop()


atexit.register(stop_all)


def on_term(signum: int, frame: object) -> None:  # `kill <bench>` runs the finally blocks (servers stop there)
    raise SystemExit(128 + signum)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``python -m uvicorn <app> --factory`` on 127.0.0.1:<free port>, in its own process group. With
    ``workers``: ``qa serve --workers N`` instead (the real service command, per-worker thread settings)."""

    def __init__(self, app: str, index_dir: Path, log_path: Path, env: dict | None = None,
                 workers: int | None = None) -> None:
        self.app, self.index_dir, self.log_path = app, Path(index_dir), log_path
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = env or {}
        self.workers = workers
        self.proc: subprocess.Popen | None = None
        self.ready_s: float | None = None

    def _cmd(self) -> list[str]:
        if self.workers is not None:
            return [sys.executable, "-m", "api.cli", "serve", "--host", "127.0.0.1", "--port", str(self.port),
                    "--workers", str(self.workers)]
        return [sys.executable, "-m", "uvicorn", self.app, "--factory", "--host", "127.0.0.1", "--port",
                str(self.port)]

    def start(self, timeout: float = 180.0) -> Server:
        import httpx

        env = os.environ.copy()
        env.update({"QA_INDEX_DIR": str(self.index_dir), "PYTHONUNBUFFERED": "1"}, **self.env)
        cmd = self._cmd()
        self._logf = open(self.log_path, "wb")
        t0 = time.perf_counter()
        self.proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=self._logf, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        _LIVE.append(self)
        deadline = t0 + timeout
        with httpx.Client(timeout=2.0) as c:
            while True:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"server exited with {self.proc.returncode}: {self.log_tail()}")
                try:
                    r = c.get(self.base + "/readyz")
                    if r.status_code == 200:
                        break
                    if r.status_code == 503 and "not ready" in r.text and "loading" not in r.text:
                        raise RuntimeError(f"server not ready: {r.text[:300]}")
                except httpx.TransportError:
                    pass
                if time.perf_counter() > deadline:
                    raise RuntimeError(f"server not ready after {timeout:.0f}s: {self.log_tail()}")
                time.sleep(0.2)
        self.ready_s = round(time.perf_counter() - t0, 2)
        return self

    def log_tail(self, n: int = 1500) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-n:]
        except OSError:
            return ""

    def rss_mb(self) -> float | None:
        """VmRSS of the uvicorn process plus its children (if any)."""
        if self.proc is None or self.proc.poll() is not None:
            return None
        pids = [self.proc.pid]
        try:
            import psutil

            pids += [c.pid for c in psutil.Process(self.proc.pid).children(recursive=True)]
        except Exception:  # noqa: BLE001 - psutil is optional: the main process alone then
            pass
        return round(sum(rss_mb(p).get("VmRSS", 0.0) for p in pids), 1)

    def cpu_s(self) -> float | None:
        """User+system CPU seconds used so far by the server process and its children."""
        if self.proc is None or self.proc.poll() is not None:
            return None
        try:
            import psutil

            procs = [psutil.Process(self.proc.pid)]
            procs += procs[0].children(recursive=True)
            return sum(p.cpu_times().user + p.cpu_times().system for p in procs)
        except Exception:  # noqa: BLE001
            return None

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=15)
            except (ProcessLookupError, PermissionError):
                pass
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait(timeout=5)
        if self in _LIVE:
            _LIVE.remove(self)
        if getattr(self, "_logf", None):
            self._logf.close()


async def _run_level(base: str, questions: list[str], concurrency: int, n: int, cap_s: float,
                     offset: int = 0, parse: bool = False, top_ks: list[int] | None = None,
                     keep: bool = False) -> dict:
    """``n`` POST /ask from ``concurrency`` workers, cycling ``questions``. With ``top_ks``, request i asks
    question i % len(questions) with top_k = top_ks[i // len(questions)]: each (question, top_k) pair once, so
    the answer cache (keyed by question and top_k) misses while the query-vector cache (keyed by text) hits."""
    import httpx

    lat: list[float] = []
    took: list[float] = []
    codes: Counter = Counter()
    counter = itertools.count()
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, timeout=60.0, limits=limits) as client:
        t_start = time.perf_counter()
        deadline = t_start + cap_s

        async def worker() -> None:
            while True:
                i = next(counter)
                if i >= n or time.perf_counter() > deadline:
                    return
                q = questions[(offset + i) % len(questions)]
                k = top_ks[(i // len(questions)) % len(top_ks)] if top_ks else 5
                t = time.perf_counter()
                try:
                    r = await client.post("/ask", json={"question": q, "top_k": k})
                    ms = (time.perf_counter() - t) * 1000
                    codes[str(r.status_code)] += 1
                    if r.status_code == 200:
                        lat.append(ms)
                        if parse:
                            took.append(float(r.json().get("took_ms", 0.0)))
                except httpx.HTTPError as e:
                    codes[type(e).__name__] += 1

        await asyncio.gather(*(worker() for _ in range(concurrency)))
        wall = time.perf_counter() - t_start
    done = sum(codes.values())
    errors = done - codes.get("200", 0)
    out = {"concurrency": concurrency, "requests": done, "errors": errors, "codes": dict(codes),
           "wall_s": round(wall, 2), "rps": round(done / wall, 1) if wall > 0 else 0.0,
           "capped": done < n, **{f"lat_{k}": v for k, v in summary(lat).items() if k != "n"}}
    if took:
        out["server_took_ms"] = summary(took)
    if keep:
        out["latencies"] = lat
    return out


def run_level(server: Server, questions: list[str], concurrency: int, n: int, cap_s: float, **kw) -> dict:
    cpu0, la = server.cpu_s(), loadavg()
    r = asyncio.run(_run_level(server.base, questions, concurrency, n, cap_s, **kw))
    cpu1 = server.cpu_s()
    if cpu0 is not None and cpu1 is not None and r["requests"]:
        r["server_cpu_ms_per_req"] = round((cpu1 - cpu0) * 1000 / r["requests"], 2)
    r["loadavg_before"] = la
    log(f"  c={concurrency}: {r['requests']} req, p50 {r.get('lat_p50')} ms, p95 {r.get('lat_p95')} ms, "
        f"{r['rps']} req/s, {r['errors']} errors")
    return r


def first_time(server: Server, questions: list[str], warmup: str) -> dict:
    """Each question once at c=1, none of them asked before in this server process."""
    asyncio.run(_run_level(server.base, [warmup], 1, 1, 60))  # jieba/posseg load etc. is not a question's cost
    cpu0, la = server.cpu_s(), loadavg()
    r = asyncio.run(_run_level(server.base, questions, 1, len(questions), 120, parse=True))
    cpu1 = server.cpu_s()
    if cpu0 is not None and cpu1 is not None and r["requests"]:
        r["server_cpu_ms_per_req"] = round((cpu1 - cpu0) * 1000 / r["requests"], 2)
    r["loadavg_before"] = la
    log(f"  first-time c=1: {r['requests']} req, p50 {r.get('lat_p50')} ms, p95 {r.get('lat_p95')} ms")
    return r


def http_bench(server: Server, questions: list[str], first: list[str], levels: list[tuple[int, int]],
               cap_s: float, uncached: Sequence[tuple[int, list[int]]] = (), first_c8: Sequence[str] = ()) -> dict:
    out: dict = {"ready_s": server.ready_s}
    out["first_time"] = first_time(server, first, "预热：法治政府建设工作报告的主要内容")
    out["rss_after_warmup_mb"] = server.rss_mb()
    if first_c8:  # new questions from 8 users at once: the query encoder runs concurrently
        out["first_time_c8"] = run_level(server, list(first_c8), 8, len(first_c8), cap_s)
    # one pass so every cycled question is in the query cache before the "repeated" levels
    asyncio.run(_run_level(server.base, questions, 4, len(questions), 600))
    out["repeated"] = {}
    for c, n in levels:
        out["repeated"][f"c{c}"] = run_level(server, questions, c, n, cap_s, parse=(c == 1))
    out["uncached"] = {}
    for c, ks in uncached:
        log(f"  uncached answers (top_k {ks}):")
        out["uncached"][f"c{c}"] = run_level(server, questions, c, len(questions) * len(ks), cap_s,
                                             parse=(c == 1), top_ks=ks)
    out["rss_after_load_mb"] = server.rss_mb()
    return out


# ---------------------------------------------------------------------------------------------- workers

FILLER = ("您好，我是一名基层工作人员，最近正在学习法治政府建设方面的材料，想请教一个具体的问题，"
          "希望能得到准确的答复，最好能注明出处和原文，方便我核对，谢谢您的帮助。")


def new_questions(questions: list[str], tag: str, n: int) -> list[str]:
    """``n`` questions never asked before in a server process: the bench questions with a numbered suffix
    (every request misses both the answer cache and the query-vector cache)."""
    return [f"{questions[i % len(questions)]}（{tag}{i}）" for i in range(n)]


def long_questions(questions: list[str], n: int, chars: int = 500) -> list[str]:
    """``n`` different questions of exactly ``chars`` characters: context first, the question at the end."""
    out = []
    for i in range(n):
        q = f"（{i}）{questions[i % len(questions)]}"
        out.append((FILLER * (chars // len(FILLER) + 1))[:chars - len(q)] + q)
    return out


@dataclass
class _Acc:
    lat: list[float] = field(default_factory=list)
    wall: float = 0.0
    requests: int = 0
    errors: int = 0
    cpu: float = 0.0

    def add(self, res: dict, cpu_s: float) -> None:
        self.lat += res["latencies"]
        self.wall += res["wall_s"]
        self.requests += res["requests"]
        self.errors += res["errors"]
        self.cpu += cpu_s

    def figures(self, c: int) -> dict:
        return {"concurrency": c, "requests": self.requests, "errors": self.errors,
                "rps": round(self.requests / self.wall, 1) if self.wall else 0.0,
                **{f"lat_{k}": v for k, v in summary(self.lat).items() if k != "n"},
                "server_cpu_ms_per_req": round(self.cpu * 1000 / self.requests, 2) if self.requests else None}


def _interleaved(servers: dict[int, Server], questions: Callable[[int, int], list[str]], c: int, n: int,
                 rounds: int) -> dict[int, dict]:
    """``n`` requests at concurrency ``c`` to each server, in ``rounds`` slices taken in turn (ABBA …), so
    every server sees the same background load. Per server: req/s over its own slices, latency percentiles
    over all its requests, server CPU per request. ``questions(w, r)``: the questions of slice ``r``."""
    acc = {w: _Acc() for w in servers}
    per = max(n // rounds, c)
    for r in range(rounds):
        for w in (list(servers) if r % 2 == 0 else list(servers)[::-1]):
            cpu0 = servers[w].cpu_s()
            res = asyncio.run(_run_level(servers[w].base, questions(w, r), c, per, 120, keep=True))
            cpu1 = servers[w].cpu_s()
            acc[w].add(res, (cpu1 - cpu0) if cpu0 is not None and cpu1 is not None else float("nan"))
    out = {w: a.figures(c) for w, a in acc.items()}
    for w, f in out.items():
        log(f"  workers={w} c={c}: {f['requests']} req, p50 {f.get('lat_p50')} ms, {f['rps']} req/s, "
            f"{f['server_cpu_ms_per_req']} ms CPU/req, {f['errors']} errors")
    return out


def worker_scaling(index_dir: Path, work: Path, questions: list[str], quick: bool = False,
                   workers: Sequence[int] = (1, 2), rounds: int = 4) -> dict:
    """New-question throughput of ``qa serve --workers N`` at c=1/8/32, and the cost of a 500-character
    question (c=1, each one new), for each worker count. The servers run side by side and are measured in
    alternating slices, so a busy machine slows them alike."""
    levels = [(1, 40), (8, 120), (32, 160)] if quick else [(1, 100), (8, 300), (32, 400)]
    out: dict = {"levels": levels, "rounds": rounds, "loadavg_before": loadavg()}
    servers = {w: Server("api.app:create_app", index_dir, work / f"server-workers{w}.log", workers=w) for w in workers}
    try:
        for w, server in servers.items():
            server.start()
            log(f"workers={w}: ready in {server.ready_s}s")
            run_level(server, new_questions(questions, "预热", 8), 1, 8, 60)  # first requests load jieba etc.
        res: dict[int, dict] = {w: {"ready_s": s.ready_s} for w, s in servers.items()}
        for c, n in levels:
            def fresh(w: int, r: int, c: int = c, n: int = n) -> list[str]:
                return new_questions(questions, f"w{w}c{c}r{r}-", max(n // rounds, c))

            for w, r in _interleaved(servers, fresh, c, n, rounds).items():
                res[w][f"c{c}"] = r
        n_long = 8 if quick else 15  # per slice
        longs = long_questions(questions, n_long * rounds * len(servers))

        def long_slice(w: int, r: int) -> list[str]:
            i = (r * len(servers) + list(servers).index(w)) * n_long
            return longs[i:i + n_long]

        by_w = _interleaved(servers, long_slice, 1, n_long * rounds, rounds)
        for w, r in by_w.items():
            res[w]["long_500"] = r
            res[w]["rss_mb"] = servers[w].rss_mb()
            out[f"workers_{w}"] = res[w]
    finally:
        for server in servers.values():
            server.stop()
    out["loadavg_after"] = loadavg()
    one, two = out.get("workers_1"), out.get("workers_2")
    if one and two:
        out["speedup_c8"] = round(two["c8"]["rps"] / one["c8"]["rps"], 2) if one["c8"]["rps"] else None
        out["speedup_c32"] = round(two["c32"]["rps"] / one["c32"]["rps"], 2) if one["c32"]["rps"] else None
        p1, p2 = one["c1"].get("lat_p50"), two["c1"].get("lat_p50")
        out["c1_p50_ratio"] = round(p2 / p1, 2) if p1 and p2 else None
    return out


def worker_rows(w: dict) -> list[tuple[str, str, str, str, str]]:
    """Report rows (part, metric, value, target, status) of :func:`worker_scaling`."""
    rows = []
    for n in (1, 2):
        r = w.get(f"workers_{n}")
        if not r:
            continue
        levels = ", ".join(f"c={c}: {r[f'c{c}']['rps']} req/s (p50 {r[f'c{c}'].get('lat_p50')} ms)"
                           for c, _ in w["levels"])
        rows.append(("workers", f"{n} worker(s), new questions", levels, "", ""))
        lq = r["long_500"]
        cpu = lq.get("server_cpu_ms_per_req")
        rows.append(("workers", f"{n} worker(s), 500-character question", f"p50 {lq.get('lat_p50')} ms, "
                     f"{cpu} ms server CPU", "<= 50 ms", "" if cpu is None else "ok" if cpu <= 50 else "MISS"))
    if w.get("speedup_c8") is not None:
        rows.append(("workers", "2 workers / 1 worker at c=8", f"{w['speedup_c8']}x", ">= 1.6x",
                     "ok" if w["speedup_c8"] >= 1.6 else "MISS"))
    if w.get("c1_p50_ratio") is not None:
        rows.append(("workers", "c=1 p50, 2 workers / 1 worker", f"{w['c1_p50_ratio']}x", "<= 1.1x",
                     "ok" if w["c1_p50_ratio"] <= 1.1 else "MISS"))
    return rows


def main(argv: list[str] | None = None) -> int:
    """``python -m eval.bench.httpload --index var/index``: only the worker-scaling part of the bench."""
    import argparse
    import json
    import tempfile

    from eval.bench.questions import SEED_QUESTIONS

    ap = argparse.ArgumentParser(prog="python -m eval.bench.httpload", description=worker_scaling.__doc__)
    ap.add_argument("--index", type=Path, required=True, help="an index folder (e.g. var/index)")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--out", type=Path, default=None, help="write the figures to this JSON file")
    args = ap.parse_args(argv)
    signal.signal(signal.SIGTERM, on_term)
    with tempfile.TemporaryDirectory(prefix="qa-workers-") as tmp:
        r = worker_scaling(args.index.resolve(), Path(tmp), SEED_QUESTIONS, args.quick)
    text = json.dumps(r, ensure_ascii=False, indent=2)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
