"""Part 3: the naive baseline — what one would write first — on the same passages, tokens, vectors and questions.

:func:`compare` times :class:`NaiveHybrid` on the query tokens and vectors the HNSW probe dumped (the very
inputs our retriever saw) and compares its p50 with QA.search / HybridRetriever.search from that probe.
"""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import numpy as np

from eval.bench.system import log, summary


class NaiveHybrid:
    """What one would write first: rank_bm25 BM25Okapi + brute-force cosine over an unnormalised float32 matrix
    (norms computed per query), fused like qa.retrieve.HybridRetriever (top-50 each, min-max weighted sum)."""

    def __init__(self, tokens: list[list[str]], vectors: np.ndarray, w_bm25: float = 0.5, w_dense: float = 0.5,
                 candidates: int = 50) -> None:
        from rank_bm25 import BM25Okapi  # the bench extra

        t0 = time.perf_counter()
        self.bm25 = BM25Okapi(tokens)
        self.bm25_build_s = time.perf_counter() - t0
        self.matrix = np.array(vectors, dtype=np.float32)  # a plain in-memory copy, as loaded from disk
        self.w_bm25, self.w_dense, self.k = w_bm25, w_dense, candidates

    def search(self, tokens: list[str], qvec: np.ndarray, top_k: int = 5) -> list[tuple[int, float]]:
        b = np.asarray(self.bm25.get_scores(tokens), dtype=np.float64)
        q = np.asarray(qvec, dtype=np.float32)
        sims = (self.matrix @ q) / (np.linalg.norm(self.matrix, axis=1) * (np.linalg.norm(q) or 1.0) + 1e-12)
        bo = np.argsort(-b)[: self.k]
        do = np.argsort(-sims)[: self.k]
        bset = {int(i) for i in bo if b[i] > 0}
        cands = sorted(bset | {int(i) for i in do})
        bb = np.array([b[i] if i in bset else 0.0 for i in cands])
        dd = np.array([float(sims[i]) for i in cands])
        bn = bb / (bb.max() or 1.0)
        lo, hi = dd.min(), dd.max()
        dn = (dd - lo) / (hi - lo) if hi > lo else np.ones_like(dd)
        fused = (self.w_bm25 * bn + self.w_dense * dn) / (self.w_bm25 + self.w_dense)
        order = np.argsort(-fused)[:top_k]
        return [(cands[i], float(fused[i])) for i in order]


def compare(tokens: list[list[str]], build: Path, dump: Path, probe: dict[str, Any]) -> dict[str, Any]:
    """Naive search over the build's BM25 tokens and vectors with the probe's dumped queries (``dump``)."""
    log("naive: rank_bm25 + brute-force numpy cosine …")
    qv = np.load(dump / "qvecs.npy")
    qd = json.loads((dump / "queries.json").read_text(encoding="utf-8"))
    try:
        naive = NaiveHybrid(tokens, np.load(build / "vectors.npy"))
    except ImportError as e:
        return {"error": f"{e} (pip install rank-bm25)"}
    lat, overlap = [], []
    for toks, q, ours in zip(qd["tokens"], qv, qd["ours_top5"], strict=True):
        t = time.perf_counter()
        top = naive.search(toks, q, 5)
        lat.append((time.perf_counter() - t) * 1000)
        overlap.append(len({i for i, _ in top} & set(ours)) / max(1, len(ours)))
    ours_search = probe.get("search_ms", {}).get("p50")
    ours_ret = probe.get("parts_ms", {}).get("retriever_global", {}).get("p50")
    nv = summary(lat)
    log(f"  naive p50 {nv['p50']} ms vs QA.search p50 {ours_search} ms / retriever {ours_ret} ms")
    return {"rank_bm25_build_s": round(naive.bm25_build_s, 2), "search_ms": nv,
            "top5_overlap_with_ours": round(float(np.mean(overlap)), 3),
            "speedup_vs_qa_search_p50": round(nv["p50"] / ours_search, 1) if ours_search else None,
            "speedup_vs_retriever_global_p50": round(nv["p50"] / ours_ret, 1) if ours_ret else None,
            "bm25s_tokenized_passages": len(tokens)}
