"""Dates and points in time: 2023年3月1日, 2021年10月, 5月9日, 第二季度, 2020年起."""
from __future__ import annotations

import re

from qa.answer.context import SpanContext
from qa.answer.scoring import clause_cover, near
from qa.answer.spans import Span

DATE_RE = re.compile(
    r"(?:(?:19|20)\d\d\s*年\s*)?\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?(?:起|以来|前)?|"
    r"(?:(?:19|20)\d\d\s*年\s*)?(?:第[一二三四]季度|上半年|下半年|年初|年底|年末)|"
    r"(?:19|20)\d\d\s*年(?:起|以来|底|初)?(?!度?法治)|"
    r"(?:19|20)\d\d[-/.]\d{1,2}[-/.]\d{1,2}")


_SIGNED = re.compile(r"落款|签发|成文|印发日期|报告日期|哪天.{0,24}(?:报|呈|送)")


def date_spans(sent: str, ctx: SpanContext) -> list[Span]:
    out: list[Span] = []
    q = ctx.question
    since = bool(re.search(r"从哪一?年|自哪一?年|哪一?年起|何时起|什么时候起", q))
    signed = bool(_SIGNED.search(q))
    for m in DATE_RE.finditer(sent):
        s, e = m.start(), m.end()
        text = m.group(0)
        if signed and not sent[:s].strip() and not sent[e:].strip():
            out.append(Span(s, e, 1.0, sure=True))  # a date line of its own under the signature: the report's date
            continue
        if text.rstrip("起以来前底初") in q:
            continue  # the question's own year
        while e > s and sent[e - 1] in "起以来前" and not since:
            e -= 1
        full = 1.0 if re.search(r"月.*日|\d[-/.]\d", text) else 0.7 if "月" in text or "季度" in text else 0.4
        score = 0.45 * near(sent, s, e, ctx) + 0.3 * clause_cover(sent, s, ctx) + 0.25 * full
        out.append(Span(s, e, score))
    return out
