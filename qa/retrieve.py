"""Hybrid retrieval: BM25 (bm25s over jieba tokens) and dense (FAISS) scores, fused.

Fusion is either a weighted sum of min-max-normalised scores ("score", default) or weighted reciprocal rank
("rrf"); weights live in QAConfig. A question that names a covered place restricts retrieval to that place's
reports; passages are scored exactly (numpy) inside the restriction, with FAISS over the whole corpus otherwise.
With the Milvus store both lists come from Milvus (BM25 and dense search, the restriction as a filter expression)
and are fused here the same way.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from index.store import LoadedIndex, MilvusIndex
from index.text import tokenize
from qa.config import QAConfig


@dataclass
class Scored:
    idx: int  # passage index
    score: float
    bm25: float
    dense: float


class HybridRetriever:
    def __init__(self, index: LoadedIndex, config: QAConfig) -> None:
        self.index = index
        self.config = config
        self.vocab = index.bm25.vocab_dict
        doc_rows: dict[str, list[int]] = {}
        for i, p in enumerate(index.passages):
            doc_rows.setdefault(p.doc_id, []).append(i)
        self.doc_rows = {d: np.asarray(r, dtype=np.int64) for d, r in doc_rows.items()}
        self.n = len(index.passages)
        self.remote = index.remote if isinstance(index, MilvusIndex) else None

    def bm25_scores(self, tokens: list[str]) -> np.ndarray:
        toks = [t for t in tokens if t in self.vocab]
        if not toks:
            return np.zeros(self.n, dtype=np.float32)
        return np.asarray(self.index.bm25.get_scores(toks), dtype=np.float32)

    def _dense(self, qvec: np.ndarray, rows: np.ndarray | None, k: int) -> dict[int, float]:
        if rows is not None:
            sims = np.asarray(self.index.vectors[rows], dtype=np.float32) @ qvec
            order = np.argsort(-sims)[:k]
            return {int(rows[i]): float(sims[i]) for i in order}
        scores, ids = self.index.faiss_index.search(qvec[None, :].astype(np.float32), min(k, self.n))
        return {int(i): float(s) for i, s in zip(ids[0], scores[0], strict=False) if i >= 0}

    def search(self, tokens: list[str], qvec: np.ndarray | None, top_k: int,
               doc_ids: list[str] | None = None, prefer_docs: list[str] | None = None,
               mode: str | None = None) -> list[Scored]:
        cfg = self.config
        mode = mode or cfg.mode
        rows = self._rows(doc_ids)
        if rows is not None and len(rows) == 0:
            return []
        k = max(cfg.candidates, top_k)
        scope = [d for d in doc_ids if d in self.doc_rows] if rows is not None and doc_ids else None
        bm = self._bm25_list(tokens, rows, scope, k) if mode in ("hybrid", "bm25") else {}
        de = self._dense_list(qvec, rows, scope, k) if mode in ("hybrid", "dense") and qvec is not None else {}
        cands = set(bm) | set(de)
        if not cands:
            return []
        # passages found by one retriever only get the other's exact score (cheap: one dot / one lookup)
        if mode == "hybrid" and qvec is not None:
            missing = [i for i in cands if i not in de]
            if missing:
                de.update(self._dense_of(qvec, missing))
        out = self._fuse(cands, bm, de, mode)
        if prefer_docs:
            pref = set(prefer_docs)
            for s in out:
                if self.index.passages[s.idx].doc_id in pref:
                    s.score += cfg.region_boost
        out.sort(key=lambda s: -s.score)
        return out[:top_k]

    def _bm25_list(self, tokens: list[str], rows: np.ndarray | None, scope: list[str] | None,
                   k: int) -> dict[int, float]:
        if self.remote is not None:
            return self.remote.bm25(tokens, scope, k)
        return self._bm25_top(tokens, rows, k)

    def _dense_list(self, qvec: np.ndarray, rows: np.ndarray | None, scope: list[str] | None,
                    k: int) -> dict[int, float]:
        if self.remote is not None:
            return self.remote.dense(qvec, scope, min(k, self.n))
        return self._dense(qvec, rows, k)

    def _dense_of(self, qvec: np.ndarray, missing: list[int]) -> dict[int, float]:
        if self.remote is not None:
            return self.remote.dense_of(qvec, missing)
        sims = np.asarray(self.index.vectors[np.asarray(missing)], dtype=np.float32) @ qvec
        return {i: float(s) for i, s in zip(missing, sims, strict=False)}

    def _rows(self, doc_ids: list[str] | None) -> np.ndarray | None:
        """Passage rows of the given reports (None: all)."""
        if not doc_ids:
            return None
        parts = [self.doc_rows[d] for d in doc_ids if d in self.doc_rows]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)

    def _bm25_top(self, tokens: list[str], rows: np.ndarray | None, k: int) -> dict[int, float]:
        allb = self.bm25_scores(tokens)
        if rows is not None:
            sub = allb[rows]
            order = np.argsort(-sub)[:k]
            return {int(rows[i]): float(sub[i]) for i in order if sub[i] > 0}
        order = np.argpartition(-allb, min(k, self.n - 1))[:k] if self.n > k else np.arange(self.n)
        return {int(i): float(allb[i]) for i in order if allb[i] > 0}

    def _fuse(self, cands: set[int], bm: dict[int, float], de: dict[int, float], mode: str) -> list[Scored]:
        cfg = self.config
        ids = sorted(cands)
        b = np.array([bm.get(i, 0.0) for i in ids], dtype=np.float64)
        d = np.array([de.get(i, 0.0) for i in ids], dtype=np.float64)
        if mode == "bm25":
            fused = b / (b.max() or 1.0)
        elif mode == "dense":
            fused = d
        elif cfg.fusion == "rrf":
            rb = {i: r for r, i in enumerate(sorted(bm, key=lambda i: -bm[i]))}
            rd = {i: r for r, i in enumerate(sorted(de, key=lambda i: -de[i]))}
            fused = np.array([cfg.w_bm25 / (cfg.rrf_k + rb.get(i, 10_000))
                              + cfg.w_dense / (cfg.rrf_k + rd.get(i, 10_000))
                              for i in ids])
            fused = fused / (fused.max() or 1.0)
        else:
            bn = b / (b.max() or 1.0)
            lo, hi = d.min(), d.max()
            dn = (d - lo) / (hi - lo) if hi > lo else np.ones_like(d)
            fused = (cfg.w_bm25 * bn + cfg.w_dense * dn) / (cfg.w_bm25 + cfg.w_dense)
        return [Scored(i, float(f), bm.get(i, 0.0), de.get(i, 0.0)) for i, f in zip(ids, fused, strict=False)]


def query_tokens(text: str, extra: list[str]) -> list[str]:
    toks = tokenize(text)
    for t in extra:
        toks.extend(tokenize(t))
    return toks
