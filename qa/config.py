"""Question-answering settings (fusion weights, candidate counts, abstention threshold)."""
from __future__ import annotations

import os
from dataclasses import dataclass, field


def _env_float(name: str, default: float) -> float:
    v = os.environ.get(name)
    return float(v) if v not in (None, "") else default


@dataclass
class QAConfig:
    fusion: str = field(default_factory=lambda: os.environ.get("QA_FUSION", "score"))  # "score" | "rrf"
    w_bm25: float = field(default_factory=lambda: _env_float("QA_W_BM25", 0.5))
    w_dense: float = field(default_factory=lambda: _env_float("QA_W_DENSE", 0.5))
    rrf_k: int = 60
    candidates: int = 50  # per retriever, before fusion
    answer_passages: int = 5  # passages searched for an answer span
    min_answer_score: float = field(default_factory=lambda: _env_float("QA_MIN_ANSWER_SCORE", 0.5))
    region_boost: float = 0.3  # added to the fused score of passages from a report of the place the question names
    query_cache_size: int = 4096
    mode: str = "hybrid"  # "hybrid" | "bm25" | "dense" (for ablations)
