"""Retrieval and answer metrics (pure functions, no I/O): CMRC-2018 EM / char F1, Recall@k, MRR, nDCG, and the
per-type, per-tag and abstention-curve figures of `qa eval`."""
from __future__ import annotations

import math
import re
import string
from dataclasses import dataclass

_PUNCT = set(string.punctuation) | set("，。、；：？！“”‘’《》（）【】〔〕—…·「」『』　 ")


def normalize(text: str) -> str:
    """CMRC 2018 style: lower-case, drop punctuation and whitespace."""
    return "".join(ch for ch in text.lower() if ch not in _PUNCT and not ch.isspace())


def exact_match(pred: str | None, golds: list[str]) -> float:
    if not golds:
        return 1.0 if pred is None else 0.0
    if pred is None:
        return 0.0
    p = normalize(pred)
    return float(any(p == normalize(g) for g in golds))


def _lcs(a: str, b: str) -> int:
    if not a or not b:
        return 0
    prev = [0] * (len(b) + 1)
    best = 0
    for ca in a:
        cur = [0] * (len(b) + 1)
        for j, cb in enumerate(b, 1):
            if ca == cb:
                cur[j] = prev[j - 1] + 1
                best = max(best, cur[j])
        prev = cur
    return best


def char_f1(pred: str | None, golds: list[str]) -> float:
    """CMRC 2018 F1: longest common substring over characters, best gold."""
    if not golds:
        return 1.0 if pred is None else 0.0
    if pred is None:
        return 0.0
    p = normalize(pred)
    best = 0.0
    for g in golds:
        g = normalize(g)
        lcs = _lcs(p, g)
        if lcs == 0:
            continue
        prec, rec = lcs / len(p), lcs / len(g)
        best = max(best, 2 * prec * rec / (prec + rec))
    return best


def recall_at(ranks: list[int | None], k: int) -> float:
    """ranks: 1-based rank of the first relevant passage, None when not retrieved."""
    return sum(1 for r in ranks if r is not None and r <= k) / len(ranks) if ranks else 0.0


def mrr_at(ranks: list[int | None], k: int = 10) -> float:
    return sum(1.0 / r for r in ranks if r is not None and r <= k) / len(ranks) if ranks else 0.0


def ndcg_at(rels: list[list[int]], k: int = 10) -> float:
    """rels: per question, the binary relevance of each retrieved passage in rank order."""
    if not rels:
        return 0.0
    total = 0.0
    for rel in rels:
        dcg = sum(r / math.log2(i + 2) for i, r in enumerate(rel[:k]))
        n_rel = max(sum(rel), 1)
        idcg = sum(1 / math.log2(i + 2) for i in range(min(n_rel, k)))
        total += dcg / idcg if idcg else 0.0
    return total / len(rels)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    v = sorted(values)
    i = min(len(v) - 1, max(0, math.ceil(q / 100 * len(v)) - 1))
    return v[i]


def find_answer_span(clean_text: str, evidence: str, answers: list[str]) -> list[tuple[int, int]]:
    """Document offsets of each gold answer inside the evidence sentence."""
    ev = clean_text.find(evidence)
    if ev < 0:
        return []
    out = []
    for a in answers:
        for m in re.finditer(re.escape(a), evidence):
            out.append((ev + m.start(), ev + m.end()))
    return out


# ---------------------------------------------------------------- per-question outcomes → figures

UNANSWERABLE = "unanswerable"


@dataclass(frozen=True)
class Outcome:
    """One question's result, as the figures below need it.

    ``candidate`` is the engine's top answer before the abstention threshold and ``score`` its score (None when
    the engine had no candidate at all: a place or year no report covers, nothing retrieved). ``answer`` is what
    the service returned at its own threshold (None: abstained).
    """

    answerable: bool
    answer: str | None
    candidate: str | None
    score: float | None
    golds: tuple[str, ...]
    type: str = ""
    tags: tuple[str, ...] = ()

    @property
    def em(self) -> float:
        return exact_match(self.answer, list(self.golds))

    @property
    def f1(self) -> float:
        return char_f1(self.answer, list(self.golds))

    @property
    def candidate_em(self) -> float:
        return exact_match(self.candidate, list(self.golds)) if self.candidate is not None else 0.0


def _share(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def summarize(outcomes: list[Outcome]) -> dict:
    """n, EM, char F1 and abstention shares of a group of questions (an unanswerable question scores 1 when
    the service abstains). A share over an empty group is None."""
    ans = [o for o in outcomes if o.answerable]
    una = [o for o in outcomes if not o.answerable]
    n = len(outcomes)
    return {
        "n": n,
        "n_answerable": len(ans),
        "n_unanswerable": len(una),
        "exact_match": round(sum(o.em for o in outcomes) / n, 4) if n else None,
        "f1": round(sum(o.f1 for o in outcomes) / n, 4) if n else None,
        "answerable_abstained": _share(sum(o.answer is None for o in ans), len(ans)),
        "unanswerable_abstained": _share(sum(o.answer is None for o in una), len(una)),
    }


def group_by(outcomes: list[Outcome], key) -> dict[str, dict]:
    """``summarize`` per group; ``key(outcome)`` returns one group name or a list of them."""
    groups: dict[str, list[Outcome]] = {}
    for o in outcomes:
        names = key(o)
        for name in [names] if isinstance(names, str) else names:
            groups.setdefault(name, []).append(o)
    return {name: summarize(v) for name, v in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))}


def thresholds(step: float = 0.02) -> list[float]:
    n = round(1 / step)
    return [round(i * step, 4) for i in range(n + 1)]


def abstention_curve(outcomes: list[Outcome], ts: list[float] | None = None) -> list[dict]:
    """What each abstention threshold t on the top answer's score would do: answer when score >= t.

    Per t: ``false_abstentions`` (answerable, no candidate or score < t), ``wrong`` (answerable, answered, not
    an exact match), ``correct`` (answerable, answered, exact match), ``unanswerable_answered`` and
    ``unanswerable_abstained``.
    """
    out = []
    for t in ts if ts is not None else thresholds():
        row = {"t": t, "false_abstentions": 0, "wrong": 0, "correct": 0, "unanswerable_answered": 0,
               "unanswerable_abstained": 0}
        for o in outcomes:
            answered = o.score is not None and o.candidate is not None and o.score >= t
            if not o.answerable:
                row["unanswerable_answered" if answered else "unanswerable_abstained"] += 1
            elif not answered:
                row["false_abstentions"] += 1
            elif o.candidate_em:
                row["correct"] += 1
            else:
                row["wrong"] += 1
        out.append(row)
    return out


def cost_answerable(r: dict) -> int:
    """Wrong answers + false abstentions over answerable questions only. Never lower above t = 0: raising t
    turns a wrong answer into a false abstention (same cost) or a correct one into a false abstention (+1)."""
    return r["wrong"] + r["false_abstentions"]


def cost_all(r: dict) -> int:
    """Every wrong output (wrong answers + answers to unanswerable questions) + false abstentions."""
    return r["wrong"] + r["unanswerable_answered"] + r["false_abstentions"]


def best_threshold(curve: list[dict], cost=cost_answerable) -> dict:
    """The thresholds with the lowest ``cost``: that cost, the first and last t reaching it, the ranges of t
    reaching it (ties are usually a range, not always one), and the curve's row at the first."""
    best = min(cost(r) for r in curve)
    ranges: list[list[float]] = []
    prev_best = False
    for r in curve:
        if cost(r) == best:
            if prev_best:
                ranges[-1][1] = r["t"]
            else:
                ranges.append([r["t"], r["t"]])
        prev_best = cost(r) == best
    ts = [r["t"] for r in curve if cost(r) == best]
    return {"cost": best, "t_first": ts[0], "t_last": ts[-1], "t_mid": round(ts[len(ts) // 2], 4),
            "ranges": ranges, "at_first": next(r for r in curve if r["t"] == ts[0])}


def format_ranges(ranges: list[list[float]]) -> str:
    """[[0.22, 0.3], [0.56, 0.56]] -> "0.22–0.30 and 0.56"."""
    parts = [f"{a:.2f}" if a == b else f"{a:.2f}–{b:.2f}" for a, b in ranges]
    return ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]


def failure_kind(pred: str | None, golds: list[str]) -> str:
    """How an answer misses: abstained, too_long (contains the gold), too_short (inside the gold), wrong;
    for an unanswerable question: answered."""
    if not golds:
        return "ok" if pred is None else "answered"
    if pred is None:
        return "abstained"
    if exact_match(pred, golds):
        return "ok"
    p = normalize(pred)
    gs = [normalize(g) for g in golds]
    if any(g and g in p for g in gs):
        return "too_long"
    if p and any(p in g for g in gs):
        return "too_short"
    return "wrong"
