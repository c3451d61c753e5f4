"""Question-answering settings (fusion weights, candidate counts, abstention threshold).

A plain record with defaults; nothing here reads the environment. ``api.settings.Settings`` reads QA_FUSION,
QA_W_BM25, QA_W_DENSE and QA_MIN_ANSWER_SCORE, validates them and builds this record.

    >>> QAConfig(fusion="rrf", mode="bm25").fusion
    'rrf'
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Fusion = Literal["score", "rrf"]  # weighted sum of normalised scores | reciprocal rank fusion
Scoring = Literal["fitted", "hand"]  # the fitted scorer (qa/data/scorer.json) | the rule engine's hand-set mix
Mode = Literal["hybrid", "bm25", "dense"]  # retrievers used (bm25 / dense alone: for ablations)


@dataclass
class QAConfig:
    fusion: Fusion = "score"
    w_bm25: float = 0.5
    w_dense: float = 0.5
    rrf_k: int = 60
    candidates: int = 50  # per retriever, before fusion
    answer_passages: int = 5  # passages searched for an answer span
    min_answer_score: float = 0.30  # below this the service abstains: a point of the cross-validated curve recorded
    # in qa/data/scorer.json, where the seed eval's own cost (wrong + unanswerable answered + false abstentions) is
    # lowest (0.28-0.30); held-out right-minus-wrong is flat over 0.28-0.45 (README "Confidence and abstention")
    # a question naming no indexed place is off topic when less than this share of its content characters are in
    # words the reports use (between made-up off-topic questions, <= 0.29, and the seed + dev questions, >= 0.40)
    min_known_share: float = 0.35
    scorer: Scoring = "fitted"  # how candidates are ranked; both keep only well-formed shapes (answer/shapes.py)
    region_boost: float = 0.3  # added to the fused score of passages from a report of the place the question names
    query_cache_size: int = 4096
    mode: Mode = "hybrid"
