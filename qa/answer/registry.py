"""The table from answer type to span extractor: adding a type is adding a module and a line here."""
from __future__ import annotations

import re
from collections.abc import Callable

from index.clean import PAGE_ISSUER_KEYS
from qa.answer.context import SpanContext
from qa.answer.date import date_spans
from qa.answer.document import document_spans
from qa.answer.listing import list_spans
from qa.answer.open import open_spans
from qa.answer.ordinal import ordinal_spans
from qa.answer.params import PARAMS
from qa.answer.person import person_or_role_spans, role_phrase_spans
from qa.answer.quantity import frequency_spans, quantity_spans
from qa.answer.shapes import item_count
from qa.answer.slot import slot_spans, trim_slot
from qa.answer.spans import Span
from qa.answer.tagging import NP_TAGS, PERSON_TAG, VERB_TAG, tag
from qa.answer.types import AnswerType
from qa.lexicon import alternation, groups, words
from qa.question.rules import question_pattern

WORDS = groups("registry_words.tsv")

SpanExtractor = Callable[[str, SpanContext], list[Span]]


def _list_or_slot(sent: str, ctx: SpanContext) -> list[Span]:
    """Runs of items, and phrases: one item of a run is only part of the answer (公务员初任培训 of
    公务员初任培训、任职培训), so a one-item phrase inside a run is no candidate."""
    damp = ctx.params.list_slot_damp
    runs = list_spans(sent, ctx)
    return runs + [Span(s.start, s.end, damp * s.score) for s in slot_spans(sent, ctx)
                   if item_count(sent[s.start:s.end]) > 1 or not any(r.start <= s.start and s.end <= r.end
                                                                      for r in runs)]


def _document_or_slot(sent: str, ctx: SpanContext) -> list[Span]:
    found = document_spans(sent, ctx)
    if question_pattern("docnum").search(ctx.question):  # 文号 / 字号 asked: only a document number answers
        return found
    damp = ctx.params.document_slot_damp
    return found + [Span(s.start, s.end, damp * s.score) for s in slot_spans(sent, ctx)]


def _alt(group: str) -> str:
    return f"(?:{alternation(WORDS[group])})"


_BY = "".join(WORDS["role_by"])  # never inside a holder
_HOLD = f"{{1,{PARAMS.role_holder_max_len}}}?"
_HOLD2 = f"{{{PARAMS.role_holder_min_len},{PARAMS.role_holder_max_len}}}?"
_ROLE_PATTERNS = (
    re.compile(rf"{_alt('role_by')}(?P<r>[^，,。；;{_BY}]{_HOLD}){_alt('role_take')}{_alt('role_post')}"),
    re.compile(rf"{_alt('post_first')}{_alt('post_by')}(?P<r>[^，,。；;]{_HOLD}){_alt('post_take')}"),
    re.compile(rf"(?P<r>[^，,。；;{_BY}]{_HOLD2}){_alt('take_post')}{_alt('take_posts')}"),
)


def _role_pattern_spans(sent: str, ctx: SpanContext) -> list[Span]:
    out = []
    for rx in _ROLE_PATTERNS:
        for m in rx.finditer(sent):
            s, e = trim_slot(sent, m.start("r"), m.end("r"))
            if e - s >= ctx.params.role_holder_min_len:
                out.append(Span(s, e, ctx.params.role_pattern_score))
    return out


def _posts_of_person(sent: str, ctx: SpanContext) -> list[Span]:
    """某某某担任什么职务: the posts written right before the person the question names (市委副书记、市长|某某某),
    all of them: the noun-phrase items joined by 、 that end at the name, each ending in a role word."""
    out = []
    heads = tuple(words("role_heads.txt"))
    toks = tag(sent)
    for i, (a, b, t) in enumerate(toks):
        if t != PERSON_TAG or sent[a:b] not in ctx.question:
            continue
        run_s, item_s, item_e = a, a, a
        for ws, we, wt in reversed(toks[:i]):
            if sent[ws:we] == "、" and sent[item_s:item_e].endswith(heads):
                run_s, item_s, item_e = item_s, ws, ws
            elif wt in NP_TAGS:
                item_s = ws
            else:
                break
        if sent[item_s:item_e].endswith(heads):
            run_s = item_s
        if run_s < a:
            out.append(Span(run_s, a, ctx.params.role_pattern_score))
    return out


def role_spans(sent: str, ctx: SpanContext) -> list[Span]:
    """Who holds a role: 由局长任组长 / 组长由分管副县长担任 / 党政主要负责人任双组长, a named person's posts, then
    the slot filler."""
    out = _posts_of_person(sent, ctx)
    if any(w in ctx.question for w in WORDS["role_ask"]):
        out += _role_pattern_spans(sent, ctx)
    return out + slot_spans(sent, ctx) + role_phrase_spans(sent, ctx)


_TITLE_ISSUER = re.compile(
    rf"^\s*(?P<b>[^，,。；;：:\d《》]{{{PARAMS.issuer_min_len},{PARAMS.issuer_max_len}}}?)\s*{_alt('title_about')}?"
    rf"(?:19|20)\d\d{_alt('title_year')}[^，,。；;]{{0,{PARAMS.title_gap}}}{_alt('title_end')}\s*$")


# a page field naming who published the report (发布机构:某某办), as index.clean.page_info writes it after the body
_ISSUER_FIELD = re.compile(
    rf"^\s*(?:{alternation(PAGE_ISSUER_KEYS)})[:：]\s*"
    rf"(?P<b>[^，,。；;：:]{{{PARAMS.issuer_min_len},{PARAMS.issuer_max_len}}})\s*$")


def issuer_spans(sent: str, ctx: SpanContext) -> list[Span]:
    """以哪个机关的名义发布: the bodies a report's title line starts with (某某市委 某某市人民政府2022年度…报告), or
    the page field naming who published it (发布机构:某某办) when the question asks about the report itself."""
    if not any(w in ctx.question for w in WORDS["issuer_ask"]):
        return []
    m = _TITLE_ISSUER.match(sent)
    if m is None and any(w in ctx.question for w in WORDS["title_end"]):
        m = _ISSUER_FIELD.match(sent)
    return [Span(m.start("b"), m.end("b"), 1.0, sure=True)] if m else []


def _org_end(sent: str, s: int, e: int) -> int:
    """Where a run of bodies ends: at the last organisation word (org_ends.txt) of its last item, so the verb that
    follows is cut off (向甲市委、甲市人大常委会|报告); ``e`` when the last item holds none."""
    last = sent.rfind("、", s, e) + 1 or s
    ends = [k for k in range(e, last + 1, -1) if any(sent.endswith(w, last, k) for w in _ORG_ENDS)]
    return ends[0] if ends else e


def _body(sent: str, ctx: SpanContext) -> list[Span]:
    """A body, or two side by side (在省政府和某市委的领导下; 与县委宣传部、县司法局联合)."""
    found = issuer_spans(sent, ctx)
    if found:
        return found
    spans = slot_spans(sent, ctx) + [Span(s.start, s.end, ctx.params.body_list_damp * s.score, s.gate)
                                     for s in list_spans(sent, ctx)]
    out = [sp._replace(end=_org_end(sent, sp.start, sp.end)) for sp in spans]
    return out + [sp._replace(start=k) for sp in out if (k := _after_lead_verb(sent, sp.start, sp.end)) is not None]


def _after_lead_verb(sent: str, s: int, e: int) -> int | None:
    """Where a body's name starts when the span opens with the clause's verb (Baidu LAC: 履行|某某办公室, 联合|某某
    局): a candidate of its own, next to the span the shape rule body.lead_verb refuses; None when no verb opens it."""
    toks = [(a, b) for a, b, t in tag(sent) if a == s and t == VERB_TAG and b - a >= _VERB_MIN]
    return toks[0][1] if toks and e - toks[0][1] >= PARAMS.body_min_len else None


_VERB_MIN = 2  # characters: a one-character "verb" may open a place name (下|某某镇)


_ORG_ENDS = tuple(words("org_ends.txt"))


_ADMIN_CHARS = frozenset(WORDS["level_char"])


def _drop_bare_level(sent: str, sp: Span) -> Span:
    """省、|某市和某市: a bare level before a 、 is no place's name."""
    after = sp.start + 1  # a level character, then the 、
    if sent[sp.start:after] in _ADMIN_CHARS and sent[after:after + 1] == "、":
        return Span(after + 1, sp.end, sp.score, sp.gate)
    return sp


def _to_level(sent: str, sp: Span, level: str | None, ctx: SpanContext) -> Span:
    """The slot grown by the level character after it (某某|市), then cut after the last character of the level
    asked (…天心区|坡子街街道 for 哪个区); a place that holds no such level keeps a lower score."""
    e = sp.end
    if sent[sp.end:sp.end + 1] in _ADMIN_CHARS and sp.end - sp.start >= ctx.params.place_name_min_len:
        e = sp.end + 1
    if not level:
        return Span(sp.start, e, sp.score, sp.gate)
    k = max(sent.rfind(ch, sp.start, e) for ch in level)
    if k > sp.start:
        return Span(sp.start, k + 1, sp.score, sp.gate)
    return Span(sp.start, e, ctx.params.place_level_damp * sp.score, sp.gate)


def _place(sent: str, ctx: SpanContext) -> list[Span]:
    """A place: a slot that ends in the level asked (哪个区 -> …天心区, not …天心区坡子街街道); several when asked."""
    found = slot_spans(sent, ctx)
    if ctx.asked.items > 1:
        found += list_spans(sent, ctx)
    noun = ctx.asked.noun
    level = noun if noun and len(noun) <= ctx.params.level_noun_max_len else None
    return [_to_level(sent, _drop_bare_level(sent, sp), level, ctx) for sp in found]


def _duration(sent: str, ctx: SpanContext) -> list[Span]:
    """A span of time (3个工作日), or how often (每月, 每两月1次) when 多久…一次 is asked."""
    return quantity_spans(sent, ctx) + frequency_spans(sent, ctx)


EXTRACTORS: dict[AnswerType, SpanExtractor] = {
    AnswerType.COUNT: quantity_spans,
    AnswerType.RATE: quantity_spans,
    AnswerType.MONEY: quantity_spans,
    AnswerType.DURATION: _duration,
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
