"""Retrieval and answer metrics (pure functions, no I/O)."""
from __future__ import annotations

import math
import re
import string

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
        ideal = sorted(rel, reverse=True)[:k]
        n_rel = max(sum(rel), 1)
        idcg = sum(1 / math.log2(i + 2) for i in range(min(n_rel, k)))
        total += dcg / idcg if idcg else 0.0
        del ideal
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
