"""Dates and points in time: 2023年3月1日, 2021年10月, 5月9日, 第二季度, 2020年起 (words: qa/lexicon/date_words.tsv)."""
from __future__ import annotations

import re

from qa.answer.context import SpanContext
from qa.answer.params import PARAMS
from qa.answer.scoring import clause_cover, near
from qa.answer.spans import Span
from qa.lexicon import alternation, groups

WORDS = groups("date_words.tsv")
_Y, _M, _D = WORDS["ymd"]
_YEAR = r"(?:19|20)\d\d"
DAY_MARKS = "".join(WORDS["day_mark"])  # month·day of an observance day (12·4); shapes.py reads them too
FESTIVALS = alternation(WORDS["festival"])  # 春节: a day, so a date
DATE_RE = re.compile(
    rf"(?:{_YEAR}\s*{_Y}\s*)?\d{{1,2}}\s*{_M}(?:\s*\d{{1,2}}\s*{_D}|{alternation(WORDS['after_month'])})?"
    rf"(?:{alternation(WORDS['after_day'])})?|"
    rf"(?:{_YEAR}\s*{_Y}\s*)?(?:{alternation(WORDS['period'])})|"
    rf"{_YEAR}\s*{_Y}(?:{alternation(WORDS['after_year'])})?(?!(?:{alternation(WORDS['not_after_year'])}))|"
    rf"{_YEAR}[-/.]\d{{1,2}}[-/.]\d{{1,2}}|"
    rf"(?<![\d.{''.join(WORDS['day_not_after'])}])(?:1[0-2]|[1-9])[{DAY_MARKS}](?:3[01]|[12]\d|[1-9])(?![\d.])"
    rf"(?=[^\d，,。；;、]{{0,{PARAMS.day_name_reach}}}?[{''.join(WORDS['day_name'])}])|"
    rf"{FESTIVALS}")
_FULL_DATE = re.compile(rf"{_M}.*{_D}|\d[-/.{DAY_MARKS}]\d|{FESTIVALS}")  # a day of a month, a numeric date

_SIGNED = re.compile(rf"{alternation(WORDS['signed_ask'])}|(?:{alternation(WORDS['signed_day'])})"
                     rf".{{0,{PARAMS.signed_reach}}}(?:{alternation(WORDS['signed_send'])})")
_SUFFIXES = "".join(WORDS["after_day"] + WORDS["after_year"])  # characters a date may end in after its number
_AFTER_DAY = "".join(WORDS["after_day"])


def _form(text: str, ctx: SpanContext) -> float:
    """How much of a date the text is: a day (1.0), a month or quarter, or a bare year."""
    if _FULL_DATE.search(text):
        return 1.0
    p = ctx.params
    return p.date_form_month if any(w in text for w in WORDS["sub_year"]) else p.date_form_year


def _score(sent: str, s: int, e: int, text: str, ctx: SpanContext) -> float:
    p = ctx.params
    return (p.date_w_near * near(sent, s, e, ctx) + p.date_w_clause * clause_cover(sent, s, ctx)
            + p.date_w_form * _form(text, ctx))


def _is_signed_line(sent: str, s: int, e: int) -> bool:
    """A date line of its own under the signature: the report's date."""
    return not sent[:s].strip() and not sent[e:].strip()


def date_spans(sent: str, ctx: SpanContext) -> list[Span]:
    out: list[Span] = []
    q = ctx.question
    since = any(w in q for w in WORDS["since_ask"])
    signed = bool(_SIGNED.search(q))
    for m in DATE_RE.finditer(sent):
        s, e = m.start(), m.end()
        text = m.group(0)
        if signed and _is_signed_line(sent, s, e):
            out.append(Span(s, e, 1.0, sure=True))
            continue
        if text.rstrip(_SUFFIXES) in q:
            continue  # the question's own year
        e = _date_end(sent, s, e, q, since)
        out.append(Span(s, e, _score(sent, s, e, text, ctx)))
    return out


def _date_end(sent: str, s: int, e: int, q: str, since: bool) -> int:
    """Where a date ends: without 起/以来 unless 从何时起 is asked, without a year's 度 unless a 年度 is asked."""
    while e > s and sent[e - 1] in _AFTER_DAY and not since:
        e -= 1
    if sent[s:e].endswith(WORDS["year_kind"]) and not any(w in q for w in WORDS["year_kind_ask"]):
        e -= len(WORDS["year_kind"][0])  # 2023年|度
    return e
