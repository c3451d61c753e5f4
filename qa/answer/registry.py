"""The table from answer type to span extractor: adding a type is adding a module and a line here."""
from __future__ import annotations

import re
from collections.abc import Callable

from qa.answer.context import SpanContext
from qa.answer.date import date_spans
from qa.answer.document import document_spans
from qa.answer.listing import list_spans
from qa.answer.open import open_spans
from qa.answer.ordinal import ordinal_spans
from qa.answer.person import person_or_role_spans, role_phrase_spans
from qa.answer.quantity import quantity_spans
from qa.answer.slot import slot_spans, trim_slot
from qa.answer.spans import Span
from qa.answer.types import AnswerType

SpanExtractor = Callable[[str, SpanContext], list[Span]]


def _list_or_slot(sent: str, ctx: SpanContext) -> list[Span]:
    return list_spans(sent, ctx) + [Span(s.start, s.end, 0.85 * s.score) for s in slot_spans(sent, ctx)]


def _document_or_slot(sent: str, ctx: SpanContext) -> list[Span]:
    found = document_spans(sent, ctx)
    if "文号" in ctx.question or "字号" in ctx.question:
        return found
    return found + [Span(s.start, s.end, 0.6 * s.score) for s in slot_spans(sent, ctx)]


_ROLE_PATTERNS = (
    re.compile(r"(?:由|以)(?P<r>[^，,。；;由以]{1,12}?)(?:任|担任|为|兼任)(?:双?组长|主任|第一责任人|召集人|总召集人)"),
    re.compile(r"(?:组长|主任|召集人)由(?P<r>[^，,。；;]{1,12}?)(?:担任|兼任)"),
    re.compile(r"(?P<r>[^，,。；;由以]{2,12}?)(?:担任|任)(?:双?组长|主任|召集人)"),
)


def role_spans(sent: str, ctx: SpanContext) -> list[Span]:
    """Who holds a role: 由局长任组长 / 组长由分管副县长担任 / 党政主要负责人任双组长, then the slot filler."""
    out = []
    if re.search(r"组长|主任|召集人|第一责任人", ctx.question):
        for rx in _ROLE_PATTERNS:
            for m in rx.finditer(sent):
                s, e = trim_slot(sent, m.start("r"), m.end("r"))
                if e - s >= 2:
                    out.append(Span(s, e, 0.95))
    return out + slot_spans(sent, ctx) + role_phrase_spans(sent, ctx)


_ASKS_ISSUER = re.compile(r"名义|署名|落款单位|落款机关|发文机关|发布机关|印发机关|谁发布|谁印发|哪个机关发布|由谁发布")
_TITLE_ISSUER = re.compile(r"^\s*(?P<b>[^，,。；;：:\d《》]{2,40}?)\s*(?:关于)?(?:19|20)\d\d年度?"
                           r"[^，,。；;]{0,40}报告\s*$")


def issuer_spans(sent: str, ctx: SpanContext) -> list[Span]:
    """以哪个机关的名义发布: the bodies a report's title line starts with (某某市委 某某市人民政府2022年度…报告)."""
    m = _TITLE_ISSUER.match(sent) if _ASKS_ISSUER.search(ctx.question) else None
    return [Span(m.start("b"), m.end("b"), 1.0, sure=True)] if m else []


def _body(sent: str, ctx: SpanContext) -> list[Span]:
    """A body, or two side by side (在省政府和某市委的领导下; 与县委宣传部、县司法局联合)."""
    found = issuer_spans(sent, ctx)
    if found:
        return found
    return slot_spans(sent, ctx) + [Span(s.start, s.end, 0.9 * s.score, s.gate) for s in list_spans(sent, ctx)]


_ADMIN_CHARS = frozenset("省市县区镇乡村旗州")


def _place(sent: str, ctx: SpanContext) -> list[Span]:
    """A place: a slot that ends in the level asked (哪个区 -> …天心区, not …天心区坡子街街道); several when asked."""
    found = slot_spans(sent, ctx)
    if ctx.asked.items >= 2:
        found += list_spans(sent, ctx)
    level = ctx.asked.noun if ctx.asked.noun and len(ctx.asked.noun) <= 2 else None
    out = []
    for sp in found:
        if sent[sp.start:sp.start + 1] in _ADMIN_CHARS and sent[sp.start + 1:sp.start + 2] == "、":
            sp = Span(sp.start + 2, sp.end, sp.score, sp.gate)  # 省、|某市和某市: a bare level is no place's name
        e = sp.end + 1 if sent[sp.end:sp.end + 1] in _ADMIN_CHARS and sp.end - sp.start >= 2 else sp.end  # 某某|市
        if not level:
            out.append(Span(sp.start, e, sp.score, sp.gate))
            continue
        k = max(sent.rfind(ch, sp.start, e) for ch in level)
        if k > sp.start:
            out.append(Span(sp.start, k + 1, sp.score, sp.gate))
        else:
            out.append(Span(sp.start, e, 0.8 * sp.score, sp.gate))
    return out


EXTRACTORS: dict[AnswerType, SpanExtractor] = {
    AnswerType.COUNT: quantity_spans,
    AnswerType.RATE: quantity_spans,
    AnswerType.MONEY: quantity_spans,
    AnswerType.DURATION: quantity_spans,
    AnswerType.ORDINAL: ordinal_spans,
    AnswerType.DATE: date_spans,
    AnswerType.PERSON: person_or_role_spans,
    AnswerType.DOCUMENT: _document_or_slot,
    AnswerType.NAME: slot_spans,
    AnswerType.HONOUR: slot_spans,
    AnswerType.BODY: _body,
    AnswerType.ROLE: role_spans,
    AnswerType.PLACE: _place,
    AnswerType.LIST: _list_or_slot,
    AnswerType.OPEN: open_spans,
}

# figures are judged mostly by their own clause; other spans by the sentence around them
FIGURE_TYPES = frozenset({AnswerType.COUNT, AnswerType.RATE, AnswerType.MONEY, AnswerType.DURATION,
                          AnswerType.ORDINAL, AnswerType.DATE})
