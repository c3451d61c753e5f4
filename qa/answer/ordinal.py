"""Ordinals and ranks: 第四批, 第三次会议, 第118号令, 九届六次全会, 全省第5名, 首次, 全省率先 (ordinal_words.tsv)."""
from __future__ import annotations

import re

from qa.answer.context import SpanContext
from qa.answer.scoring import clause_cover, near
from qa.answer.spans import Span, inside_marks
from qa.lexicon import alternation, groups

WORDS = groups("ordinal_words.tsv")
_DI, _JIE, _CI, _FIRST = WORDS["marks"]
_NUM = rf"(?:\d+|[{''.join(WORDS['numeral'])}]+)"
ORDINAL_RE = re.compile(
    rf"(?P<scope>{alternation(WORDS['scope'])})?"
    rf"(?P<core>(?:{_NUM}{_JIE})?{_DI}{_NUM}(?P<unit>{alternation(WORDS['unit'])})?|{_NUM}{_JIE}{_NUM}{_CI}"
    rf"|{_FIRST}(?P<first>{alternation(WORDS['first'])})|(?P<rank>{alternation(WORDS['rank_word'])}))"
    rf"(?P<noun>{alternation(WORDS['noun'])})?")


# ordinals written without 第: a congress after its level (省|十四次|党代会) and a five-year plan (八五|普法)
_CN_DIGIT = f"[{''.join(WORDS['numeral'])}]"
BARE_RE = re.compile(rf"(?:{alternation(WORDS['bare_scope'])})(?P<core>{_CN_DIGIT}+{_CI})"
                     rf"(?=(?P<noun>{alternation(WORDS['bare_noun'])}))"
                     rf"|(?<!{_CN_DIGIT})(?P<plan_n>{_CN_DIGIT}{WORDS['five_year'][0]})"
                     rf"(?=[”\"]?(?:{alternation(WORDS['plan_five'])}))")

_ITEM_BREAK = re.compile(rf"[，,；;。：:、]|{alternation(WORDS['item_join'])}")


def _own_words(sent: str, s: int, e: int) -> str:
    """The words that belong to an ordinal: back to the previous break, on to the next one
    (全国排名|第7位 beside 西部排名|第2位; 开展|第四批|示范创建活动)."""
    a = max((m.end() for m in _ITEM_BREAK.finditer(sent, 0, s)), default=0)
    nxt = _ITEM_BREAK.search(sent, e)
    return sent[a:s] + "|" + sent[e:nxt.start() if nxt else len(sent)]


def _bounds(m: re.Match[str], q: str, wants_rank: bool) -> tuple[int, int]:
    """The ordinal itself, with the noun after it when the question says it (or it is a decree), and with its
    scope (全省) when a rank is asked."""
    s, e = m.start("core"), m.end("core")
    noun = m.group("noun")
    if noun and (noun in q or noun in WORDS["decree"]):
        e = m.end("noun")
    if (wants_rank or m.group("rank")) and m.group("scope"):
        s = m.start("scope")
    return s, e


def _unit_fit(unit: str | None, ctx: SpanContext, wants_rank: bool) -> float:
    """1.0 when the ordinal counts what was asked (or a rank is asked and this is one), else low."""
    if wants_rank and (unit is None or unit in WORDS["rank_unit"]):
        return 1.0
    return 1.0 if ctx.asked.unit is None or ctx.asked.unit == unit else ctx.params.ordinal_unit_other


def ordinal_spans(sent: str, ctx: SpanContext) -> list[Span]:
    out: list[Span] = []
    wants_rank = any(w in ctx.question for w in WORDS["rank_ask"])
    for m in ORDINAL_RE.finditer(sent):
        if inside_marks(sent, m.start("core")) and not sent[m.start("core") - 1:m.start("core")] == "“":
            continue
        s, e = _bounds(m, ctx.question, wants_rank)
        unit_fit = _unit_fit(m.group("unit") or m.group("first"), ctx, wants_rank or bool(m.group("rank")))
        out.append(Span(s, e, _score(sent, s, e, (m.start(), m.end()), unit_fit, ctx)))
    for m in BARE_RE.finditer(sent):
        s, e = m.span("core") if m.group("core") else m.span("plan_n")
        if m.group("noun") and m.group("noun") in ctx.question:
            e += len(m.group("noun"))
        out.append(Span(s, e, _score(sent, s, e, (s, e), 1.0, ctx)))
    return out


def _score(sent: str, s: int, e: int, match: tuple[int, int], unit_fit: float, ctx: SpanContext) -> float:
    """Nearness to the question's words, the cover of the ordinal's own words (around ``match``), clause cover and
    whether it counts what was asked."""
    p = ctx.params
    own = ctx.terms.cover(None, _own_words(sent, *match))
    return (p.ordinal_w_near * near(sent, s, e, ctx) + p.ordinal_w_own * own
            + p.ordinal_w_clause * clause_cover(sent, s, ctx) + p.ordinal_w_unit * unit_fit)
