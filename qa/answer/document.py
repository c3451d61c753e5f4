"""Documents: a 《title》 without the clause around it, several titles in a row, or a document number
(某政办发〔2021〕12号) for 文号 questions."""
from __future__ import annotations

import re

from index.places import find_places
from qa.answer.context import SpanContext
from qa.answer.scoring import clause_cover, near, novelty
from qa.answer.spans import Span, inside_marks
from qa.lexicon import alternation, listed, pattern
from qa.question.rules import question_pattern

TITLE_RE = re.compile(r"《[^《》]{2,80}》")
DOCNUM_RE = re.compile(pattern("doc_number.tsv", "number"))  # 某政办发〔2021〕12号
_DOCNUM_LEAD = re.compile(pattern("doc_number.tsv", "lead"))
_DOCNUM_MIN = 6  # structural: a number keeps more than this many characters after its lead words are cut
_DOC_HEAD = re.compile(f"({alternation(listed('doc_kinds', 'head'))})$")  # the kind a title ends in (doc_kinds.tsv)


def docnum_spans(sent: str, ctx: SpanContext) -> list[Span]:
    out, p = [], ctx.params
    for m in DOCNUM_RE.finditer(sent):
        s, e = m.start(), m.end()
        lead = _DOCNUM_LEAD.match(sent[s:e])
        if lead and lead.end() < e - s - _DOCNUM_MIN:
            s += lead.end()  # 关于承接落实|黑政规〔2017〕34号: the number's own prefix only
        if inside_marks(sent, s) and sent[s - 1:s] not in "(（":
            continue  # a number cited inside another document's title
        if not sent[:s].strip() and not sent[e:].strip("。 "):
            out.append(Span(s, e, p.doc_number_own_line, sure=True))  # a line of its own above the title
            continue
        out.append(Span(s, e, p.doc_number_base + p.doc_number_near * near(sent, s, e, ctx, reach=p.doc_number_reach)
                        + p.doc_number_cover * clause_cover(sent, s, ctx)))
    return out


_ASKS_NAME = question_pattern("asks_title_name")


def _kind_fit(inner: str, ctx: SpanContext) -> float:
    """哪份工作要点: a title of that kind (…工作要点) fits; another kind (…实施方案) fits less."""
    asked = _DOC_HEAD.search(ctx.asked.noun or "")
    if not asked:
        return 1.0
    title = _DOC_HEAD.search(re.sub(r"[(（][^()（）]*[)）]$", "", inner))
    if not title:
        return 1.0
    return ctx.params.kind_match if title.group(1) == asked.group(1) else ctx.params.kind_other


_WHOSE = question_pattern("whose_level")


def _level_fit(inner: str, ctx: SpanContext) -> float:
    """哪个市的规定: a title issued by a place of that level (《某某市…规定》) fits; one of another level fits less."""
    m = _WHOSE.search(ctx.question)
    if not m:
        return 1.0
    places = [pm.text for pm in find_places(inner, strict=False)]
    if any(p.endswith(m.group(1)) for p in places):
        return ctx.params.level_match
    return ctx.params.level_other if places else 1.0


def title_spans(sent: str, ctx: SpanContext) -> list[Span]:
    out, p = [], ctx.params
    for m in TITLE_RE.finditer(sent):
        s, e = m.start(), m.end()
        inner = m.group(0)[1:-1]
        if inner in ctx.question and not _ASKS_NAME.search(ctx.question):
            continue
        # the question may describe the title itself (…促进条例 -> 《某某促进条例》)
        describes = ctx.terms.cover(None, inner)
        score = p.title_base + p.title_near * near(sent, s, e, ctx) + p.title_describes * describes
        out.append(Span(s, e, score * _kind_fit(inner, ctx) * _level_fit(inner, ctx)))
    return out


_BARE_DOC = re.compile(pattern("doc_kinds_in_text.tsv", "bare_document"))
_STUDY_LEAD = re.compile(pattern("doc_kinds_in_text.tsv", "study_lead"))
_BARE_MIN = 4  # structural: a bare document name shorter than this is a word, not a name (法, 方案)
_LAW_MIN = 3  # structural: what is studied keeps at least this many characters after the activity is cut


def bare_title_spans(sent: str, ctx: SpanContext) -> list[Span]:
    """A document named without 《》 (学习了行政复议法): the noun phrase ending in a document word."""
    from qa.answer.spans import noun_phrase_before

    out, p = [], ctx.params
    for m in _BARE_DOC.finditer(sent):
        e = m.end()
        s = noun_phrase_before(sent, e)
        lead = _STUDY_LEAD.match(sent, s, e)
        if lead and e - lead.end() >= _LAW_MIN:
            s = lead.end()  # 专题学习|行政复议法: the law, not the activity
        if e - s < _BARE_MIN or sent[s:e] in ctx.question or "《" in sent[s:e]:
            continue
        out.append(Span(s, e, p.bare_title_base + p.bare_title_near * near(sent, s, e, ctx)
                        + p.bare_title_novelty * novelty(sent[s:e], ctx)))
    return out


def document_spans(sent: str, ctx: SpanContext) -> list[Span]:
    if question_pattern("docnum").search(ctx.question):  # 文号 / 字号 asked
        return docnum_spans(sent, ctx)
    return title_spans(sent, ctx) + bare_title_spans(sent, ctx)
