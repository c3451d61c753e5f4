"""Span-level signals shared by the extractors: closeness to the question's words, specificity, clause cover."""
from __future__ import annotations

from index.text import tokenize_cached as tokenize
from qa.answer.context import SpanContext
from qa.answer.params import PARAMS
from qa.answer.spans import clause_bounds


def near(sent: str, s: int, e: int, ctx: SpanContext, reach: float = PARAMS.near_reach) -> float:
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


def _on_its_side(sent: str, s: int, e: int, words: set[str], window: tuple[int, int], before: bool) -> bool | None:
    """Whether the first of ``words`` found in ``window`` (outside the span) sits on the side of the span the question
    puts it (``before``: left of the question word); None when none is found there."""
    lo, hi = window
    for a in words:
        k = sent.find(a, lo, hi)
        if k < 0 or (s <= k < e):
            continue
        return (before and k + len(a) <= s) or (not before and k >= e)
    return None


def order_fit(sent: str, s: int, e: int, ctx: SpanContext) -> float:
    """Do the question's words sit on the same side of the span as they sit of the question word?
    (联合哪个部门开展了检查: 联合 before the answer, 检查 after it.)"""
    wh, p = ctx.asked.wh_pos, ctx.params
    if wh is None:
        return p.order_neutral
    cs, ce = clause_bounds(sent, s)
    window = (max(0, cs - p.order_window), ce + p.order_window)
    agree = total = 0.0
    for w, term, alts, _subs in ctx.terms.slots:
        at = ctx.question.find(term)
        if at < 0:
            continue
        side = _on_its_side(sent, s, e, {term} | alts, window, at < wh)
        if side is not None:
            total += w
            agree += w if side else 0.0
    return agree / total if total else p.order_neutral


def specific(text: str, ctx: SpanContext) -> float:
    """Mean idf of the span's words relative to the rarest word: names are specific, 工作/情况 are not."""
    toks = tokenize(text)
    if not toks:
        return ctx.params.specific_neutral
    return sum(ctx.weights.idf(t) for t in toks) / len(toks) / ctx.weights.max_idf


def clause_cover(sent: str, pos: int, ctx: SpanContext) -> float:
    cs, ce = clause_bounds(sent, pos)
    return ctx.terms.cover(None, sent[cs:ce])


def novelty(text: str, ctx: SpanContext) -> float:
    """Share of the span's characters the question does not already say (an answer tells something new)."""
    if not text:
        return 0.0
    return sum(1 for ch in text if ch not in ctx.question) / len(text)
