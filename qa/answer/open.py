"""Open questions (如何 / 哪些措施 / 存在什么问题): the clause that answers, not a fragment (words: open_words.tsv)."""
from __future__ import annotations

import re

from qa.answer.context import SpanContext
from qa.answer.spans import CLAUSE_BREAK, Span, clauses
from qa.lexicon import alternation, groups

WORDS = groups("open_words.tsv")
_INTRO = re.compile(rf"(?:{alternation(WORDS['intro'])})[:：]")
_ENUM_NUM = "".join(WORDS["enum_numeral"])
ENUMERATOR = re.compile(
    rf"^(?:[{_ENUM_NUM}]+(?:{alternation(WORDS['enum_mark'])})|\d+[.、]|[（(][{_ENUM_NUM}\d]+[)）])")


def _after_colon(sent: str, ctx: SpanContext) -> tuple[int, int] | None:
    """"存在的主要问题是:A,B" -> A, when A is long enough to answer."""
    colon = _INTRO.search(sent)
    if not colon:
        return None
    s = e = colon.end()
    while e < len(sent) and not CLAUSE_BREAK.match(sent[e]):
        e += 1
    return (s, e) if e - s >= ctx.params.open_min_after_colon else None


def _best_covering_clause(sent: str, s: int, e: int, ctx: SpanContext) -> tuple[int, int]:
    """In a long sentence, the clause that carries most of the question's words (if it carries enough)."""
    p = ctx.params
    best, best_cover = None, 0.0
    for cs, ce in clauses(sent):
        cs, ce = max(cs, s), min(ce, e)
        if ce - cs < p.open_min_clause:
            continue
        c = ctx.terms.cover(None, sent[cs:ce])
        if c > best_cover + p.cover_tie:
            best, best_cover = (cs, ce), c
    return best if best is not None and best_cover >= p.open_min_cover else (s, e)


def best_clause(sent: str, ctx: SpanContext) -> tuple[int, int]:
    """The sentence minus a leading enumerator (一是 / 1.); in a long sentence the clause with the question's
    words; after "是:" / "包括:" what follows."""
    found = _after_colon(sent, ctx)
    if found:
        return found
    m = ENUMERATOR.match(sent)
    s, e = (m.end() if m else 0), len(sent)
    if e - s > ctx.params.open_long_sentence:
        s, e = _best_covering_clause(sent, s, e, ctx)
    while e > s + 1 and sent[e - 1] in "。；;，,：:！？!?、":
        e -= 1
    return s, e


def open_spans(sent: str, ctx: SpanContext) -> list[Span]:
    s, e = best_clause(sent, ctx)
    return [Span(s, e, ctx.params.open_clause)]
