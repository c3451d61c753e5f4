"""Ordinals and ranks: 第四批, 第三次会议, 第118号令, 九届六次全会, 全省第5名, 首次."""
from __future__ import annotations

import re

from qa.answer.context import SpanContext
from qa.answer.scoring import clause_cover, near
from qa.answer.spans import Span, inside_marks

_NUM = r"(?:\d+|[零〇一二两三四五六七八九十百]+)"
ORDINAL_RE = re.compile(
    rf"(?P<scope>全国|全省|全市|全区|全县|全州)?"
    rf"(?P<core>(?:{_NUM}届)?第{_NUM}(?P<unit>次|批|届|名|位|号|期|轮|个|项|条|季度|号令)?|{_NUM}届{_NUM}次|首(?P<first>次|批|届|个))"
    rf"(?P<noun>会议|全会|党代会|全体会议|常务会议|令)?")


_ITEM_BREAK = re.compile(r"[，,；;。：:、]")


def _own_words(sent: str, s: int, e: int) -> str:
    """The words that belong to an ordinal: back to the previous break, on to the next one
    (全国排名|第7位 beside 西部排名|第2位; 开展|第四批|示范创建活动)."""
    a = max((m.end() for m in _ITEM_BREAK.finditer(sent, 0, s)), default=0)
    nxt = _ITEM_BREAK.search(sent, e)
    return sent[a:s] + "|" + sent[e:nxt.start() if nxt else len(sent)]


def ordinal_spans(sent: str, ctx: SpanContext) -> list[Span]:
    out: list[Span] = []
    q = ctx.question
    wants_rank = bool(re.search(r"排|名次|位次", q))
    for m in ORDINAL_RE.finditer(sent):
        s, e = m.start("core"), m.end("core")
        if inside_marks(sent, s) and not sent[s - 1:s] == "“":
            continue
        unit = m.group("unit") or m.group("first")
        noun = m.group("noun")
        if noun and (noun in q or noun == "令"):
            e = m.end("noun")
        if wants_rank and m.group("scope"):
            s = m.start("scope")
        unit_fit = 1.0 if ctx.asked.unit is None or ctx.asked.unit == unit else 0.3
        if wants_rank and unit in ("名", "位", None):
            unit_fit = 1.0
        own = ctx.terms.cover(None, _own_words(sent, m.start(), m.end()))
        score = 0.2 * near(sent, s, e, ctx) + 0.4 * own + 0.1 * clause_cover(sent, s, ctx) + 0.3 * unit_fit
        out.append(Span(s, e, score))
    return out
