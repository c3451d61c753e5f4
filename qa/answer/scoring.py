"""Span-level signals shared by the extractors: closeness to the question's words, specificity, clause cover."""
from __future__ import annotations

from index.text import tokenize_cached as tokenize
from qa.answer.context import SpanContext
from qa.answer.spans import clause_bounds


def near(sent: str, s: int, e: int, ctx: SpanContext, reach: float = 8.0) -> float:
    """1.0 when a heavy question word touches the span, falling with distance; words inside the span don't count."""
    positions = ctx.terms.positions(sent)
    top = max((w for _, _, w in positions), default=1.0)
    best = 0.0
    for ps, pe, w in positions:
        if ps < e and s < pe:
            continue
        d = min(abs(s - pe), abs(ps - e))
        best = max(best, (w / top) / (1.0 + d / reach))
    return best


def order_fit(sent: str, s: int, e: int, ctx: SpanContext) -> float:
    """Do the question's words sit on the same side of the span as they sit of the question word?
    (联合哪个部门开展了检查: 联合 before the answer, 检查 after it.)"""
    wh = ctx.asked.wh_pos
    if wh is None:
        return 0.5
    cs, ce = clause_bounds(sent, s)
    agree = total = 0.0
    for w, term, alts, _subs in ctx.terms.slots:
        at = ctx.question.find(term)
        if at < 0:
            continue
        before = at < wh
        for a in {term} | alts:
            k = sent.find(a, max(0, cs - 10), ce + 10)
            if k < 0 or (s <= k < e):
                continue
            total += w
            agree += w if (before and k + len(a) <= s) or (not before and k >= e) else 0.0
            break
    return agree / total if total else 0.5


def specific(text: str, ctx: SpanContext) -> float:
    """Mean idf of the span's words relative to the rarest word: names are specific, 工作/情况 are not."""
    toks = tokenize(text)
    if not toks:
        return 0.5
    return sum(ctx.weights.idf(t) for t in toks) / len(toks) / ctx.weights.max_idf


def clause_cover(sent: str, pos: int, ctx: SpanContext) -> float:
    cs, ce = clause_bounds(sent, pos)
    return ctx.terms.cover(None, sent[cs:ce])


def novelty(text: str, ctx: SpanContext) -> float:
    """Share of the span's characters the question does not already say (an answer tells something new)."""
    if not text:
        return 0.0
    return sum(1 for ch in text if ch not in ctx.question) / len(text)
