"""Open questions (如何 / 哪些措施 / 存在什么问题): the clause that answers, not a fragment."""
from __future__ import annotations

import re

from qa.answer.context import SpanContext
from qa.answer.spans import CLAUSE_BREAK, Span, clauses

LONG_SENTENCE = 60


def best_clause(sent: str, ctx: SpanContext) -> tuple[int, int]:
    """The sentence minus a leading enumerator (一是 / 1.); in a long sentence the clause with the question's
    words; after "是:" / "包括:" what follows."""
    terms = ctx.terms
    colon = re.search(r"(?:是|为|有|包括)[:：]", sent)
    if colon:  # "存在的主要问题是:A,B" -> A
        s = colon.end()
        e = s
        while e < len(sent) and not CLAUSE_BREAK.match(sent[e]):
            e += 1
        if e - s >= 4:
            return s, e
    m = re.match(r"^(?:[一二三四五六七八九十]+是|\d+[.、]|[（(][一二三四五六七八九十\d]+[)）])", sent)
    s, e = (m.end() if m else 0), len(sent)
    if e - s > LONG_SENTENCE:
        # a long sentence: answer with the clause that carries the question's words
        best, best_cover = None, 0.0
        for cs, ce in clauses(sent):
            cs, ce = max(cs, s), min(ce, e)
            if ce - cs < 6:
                continue
            c = terms.cover(None, sent[cs:ce])
            if c > best_cover + 1e-9:
                best, best_cover = (cs, ce), c
        if best is not None and best_cover >= 0.3:
            s, e = best
    while e > s + 1 and sent[e - 1] in "。；;，,：:！？!?、":
        e -= 1
    return s, e




def open_spans(sent: str, ctx: SpanContext) -> list[Span]:
    s, e = best_clause(sent, ctx)
    return [Span(s, e, ctx.params.open_clause)]


def fallback_spans(sent: str, ctx: SpanContext) -> list[Span]:
    """No span of the wanted type in this sentence: its best clause, scored low."""
    s, e = best_clause(sent, ctx)
    return [Span(s, e, ctx.params.fallback_clause)]
