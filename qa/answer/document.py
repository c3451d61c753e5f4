"""Documents: a 《title》 without the clause around it, several titles in a row, or a document number
(某政办发〔2021〕12号) for 文号 questions."""
from __future__ import annotations

import re

from index.places import find_places
from qa.answer.context import SpanContext
from qa.answer.scoring import clause_cover, near, novelty
from qa.answer.spans import Span, inside_marks

TITLE_RE = re.compile(r"《[^《》]{2,80}》")
DOCNUM_RE = re.compile(r"[\u4e00-\u9fff]{1,8}[〔\[［(（【]\s*(?:19|20)\d\d\s*[〕\]］)）】]\s*\d{1,4}\s*号")
_DOCNUM_LEAD = re.compile(r".*(?:关于|落实|承接|根据|按照|依据|印发|的|和|及|、)")
_DOC_HEAD = re.compile(r"(方案|规定|办法|条例|意见|通知|清单|要点|规划|纲要|细则|标准|指引|制度|规则|决定|报告|法)$")


def docnum_spans(sent: str, ctx: SpanContext) -> list[Span]:
    out = []
    for m in DOCNUM_RE.finditer(sent):
        s, e = m.start(), m.end()
        lead = _DOCNUM_LEAD.match(sent[s:e])
        if lead and lead.end() < e - s - 6:
            s += lead.end()  # 关于承接落实|黑政规〔2017〕34号: the number's own prefix only
        if inside_marks(sent, s) and sent[s - 1:s] not in "(（":
            continue  # a number cited inside another document's title
        if not sent[:s].strip() and not sent[e:].strip("。 "):
            out.append(Span(s, e, 0.9, sure=True))  # a line of its own above the title: the report's own number
            continue
        out.append(Span(s, e, 0.4 + 0.3 * near(sent, s, e, ctx, reach=30) + 0.3 * clause_cover(sent, s, ctx)))
    return out


_ASKS_NAME = re.compile(r"文件名|全称|名称|标题|题目")


def _kind_fit(inner: str, ctx: SpanContext) -> float:
    """哪份工作要点: a title of that kind (…工作要点) fits; another kind (…实施方案) fits less."""
    asked = _DOC_HEAD.search(ctx.asked.noun or "")
    if not asked:
        return 1.0
    title = _DOC_HEAD.search(re.sub(r"[(（][^()（）]*[)）]$", "", inner))
    if not title:
        return 1.0
    return 1.1 if title.group(1) == asked.group(1) else 0.9


_WHOSE = re.compile(r"哪(?:个|一个|一)?(市|县|区|省|州)的")


def _level_fit(inner: str, ctx: SpanContext) -> float:
    """哪个市的规定: a title issued by a place of that level (《某某市…规定》) fits; one of another level fits less."""
    m = _WHOSE.search(ctx.question)
    if not m:
        return 1.0
    places = [pm.text for pm in find_places(inner, strict=False)]
    if any(p.endswith(m.group(1)) for p in places):
        return 1.1
    return 0.9 if places else 1.0


def title_spans(sent: str, ctx: SpanContext) -> list[Span]:
    out = []
    for m in TITLE_RE.finditer(sent):
        s, e = m.start(), m.end()
        inner = m.group(0)[1:-1]
        if inner in ctx.question and not _ASKS_NAME.search(ctx.question):
            continue
        # the question may describe the title itself (…促进条例 -> 《某某促进条例》)
        describes = ctx.terms.cover(None, inner)
        score = 0.45 + 0.25 * near(sent, s, e, ctx) + 0.3 * describes
        out.append(Span(s, e, score * _kind_fit(inner, ctx) * _level_fit(inner, ctx)))
    return out


_BARE_DOC = re.compile(r"(方案|规定|办法|条例|意见|通知|清单|要点|规划|纲要|细则|规则|决定|报告|法)"
                       r"(?![治规律院官学])")


_STUDY_LEAD = re.compile(r"(?:专题|集中|深入|认真)?(?:学习|宣传|贯彻|落实|解读|宣讲|研读)+(?:贯彻|宣传)?")


def bare_title_spans(sent: str, ctx: SpanContext) -> list[Span]:
    """A document named without 《》 (学习了行政复议法): the noun phrase ending in a document word."""
    from qa.answer.spans import noun_phrase_before

    out = []
    for m in _BARE_DOC.finditer(sent):
        e = m.end()
        s = noun_phrase_before(sent, e)
        lead = _STUDY_LEAD.match(sent, s, e)
        if lead and e - lead.end() >= 3:
            s = lead.end()  # 专题学习|行政复议法: the law, not the activity
        if e - s < 4 or sent[s:e] in ctx.question or "《" in sent[s:e]:
            continue
        out.append(Span(s, e, 0.2 + 0.3 * near(sent, s, e, ctx) + 0.2 * novelty(sent[s:e], ctx)))
    return out


def document_spans(sent: str, ctx: SpanContext) -> list[Span]:
    if re.search(r"文号|字号", ctx.question):
        return docnum_spans(sent, ctx)
    return title_spans(sent, ctx) + bare_title_spans(sent, ctx)
