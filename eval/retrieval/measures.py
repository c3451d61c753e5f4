"""Retrieval metrics and significance tests through ranx (https://github.com/AmenRa/ranx): no formula here.

``measure(qrels, runs)`` gives each system's mean Recall@k, MRR@10, nDCG@10 and MAP (ranx's definitions: Recall@k
is the share of a question's relevant passages in its top k; MRR@10 the reciprocal rank of the first relevant
passage; nDCG@10 uses the graded qrels, gain = grade; MAP over the whole ranking) and, for every other system,
the two-sided paired Student's t-test against the FIRST system (ranx ``compare``, per-question scores).

ranx compiles its metrics with numba on first use (~30 s on a 2-core machine) and caches the machine code
beside the package; ``python -m eval.retrieval.measures`` does that once (``make setup`` runs it).
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

from eval.retrieval.formats import Ranking

METRICS = ("recall@1", "recall@3", "recall@5", "recall@10", "mrr@10", "ndcg@10", "map")
LABELS = {"recall@1": "R@1", "recall@3": "R@3", "recall@5": "R@5", "recall@10": "R@10", "mrr@10": "MRR@10",
          "ndcg@10": "nDCG@10", "map": "MAP"}
MAX_P = 0.05


@dataclass
class Measured:
    """Per system: mean of each metric; ``p`` / ``better`` against the first system (absent for it)."""

    systems: list[str]
    metrics: list[str]
    means: dict[str, dict[str, float]]
    p: dict[str, dict[str, float]] = field(default_factory=dict)
    significant: dict[str, dict[str, bool]] = field(default_factory=dict)
    max_p: float = MAX_P
    n_queries: int = 0


def _quiet():
    ctx = warnings.catch_warnings()
    ctx.__enter__()
    warnings.simplefilter("ignore")  # numba's type-safety warnings from inside ranx
    return ctx


def ranx_qrels(qrels: dict[str, dict[str, int]]):
    from ranx import Qrels

    return Qrels({q: dict(r) for q, r in qrels.items() if r})


def ranx_run(run: dict[str, Ranking], name: str, qrels: dict[str, dict[str, int]]):
    """A ranx Run of the judged questions (an empty ranking for a question the system returned nothing for)."""
    from ranx import Run

    d = {q: {did: float(s) for did, s in run.get(q, [])} for q in qrels}
    return Run({q: r for q, r in d.items() if r}, name=name)


def measure(qrels: dict[str, dict[str, int]], runs: dict[str, dict[str, Ranking]],
            metrics: tuple[str, ...] = METRICS, max_p: float = MAX_P) -> Measured:
    """Means and paired t-tests against the first of ``runs`` (name -> qid -> ranking) over the judged
    questions of ``qrels``."""
    from ranx import compare

    names = list(runs)
    ctx = _quiet()
    try:
        q = ranx_qrels(qrels)
        rr = [ranx_run(runs[n], n, qrels) for n in names]
        report = compare(q, rr, list(metrics), stat_test="student", max_p=max_p, make_comparable=True)
    finally:
        ctx.__exit__(None, None, None)
    out = Measured(systems=names, metrics=list(metrics), max_p=max_p, n_queries=len(q.keys()),
                   means={n: {m: float(report.results[n][m]) for m in metrics} for n in names})
    first = names[0]
    for n in names[1:]:
        cmp = report.comparisons[first, n]
        # identical per-question scores (e.g. both 1.0 everywhere) give no t statistic: p = 1, not NaN
        out.p[n] = {m: _p(cmp[m]["p_value"]) for m in metrics}
        out.significant[n] = {m: bool(cmp[m]["significant"]) for m in metrics}
    return out


def _p(value) -> float:
    v = float(value)
    return 1.0 if math.isnan(v) else v


def evaluate(qrels: dict[str, dict[str, int]], run: dict[str, Ranking], metrics: list[str]) -> dict[str, float]:
    """ranx ``evaluate``: the mean of each metric for one run."""
    from ranx import evaluate as rx_evaluate

    ctx = _quiet()
    try:
        res = rx_evaluate(ranx_qrels(qrels), ranx_run(run, "run", qrels), metrics, make_comparable=True)
    finally:
        ctx.__exit__(None, None, None)
    if isinstance(res, dict):
        return {m: float(res[m]) for m in metrics}
    return {metrics[0]: float(res)}


def warm() -> None:
    """Compile (and cache) ranx's numba code for our metrics once."""
    qrels = {"q1": {"a": 2, "b": 1}, "q2": {"c": 1}}
    runs = {"x": {"q1": [("b", 0.9), ("a", 0.5)], "q2": [("c", 1.0)]}, "y": {"q1": [("a", 1.0)]}}
    measure(qrels, runs)
    evaluate(qrels, runs["x"], [f"recall@{k}" for k in (1, 2)])


if __name__ == "__main__":
    warm()
