"""Typed spans and the sentence-level helpers every answer extractor shares (clauses, marks, noun phrases)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import NamedTuple

from index.text import pos_cut_cached as pos_cut
from qa.answer.types import UNITS

CLAUSE_BREAK = re.compile(r"[，,；;：:。！？!?（）()]")
_UNIT_ALT = "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))
CN_DIGITS = "零〇一二两三四五六七八九十百千"
NUMBER_RE = re.compile(
    r"(?:约|近|超过|逾|达|共|不少于|不低于|累计)?"
    rf"(?P<num>\d+(?:[.,]\d+)*|[{CN_DIGITS}]{{1,4}})\s*(?P<mag>余万|多万|万余|万多|余|多|万|亿|千)?\s*"
    rf"(?P<unit>{_UNIT_ALT})(?P<tail>以上|以下|左右)?")


class Span(NamedTuple):
    """A candidate answer inside one sentence: sentence offsets, a score in [0, 1], and a gate in [0, 1] that
    scales the answer's final score (0: the span's own words do not say what was asked)."""

    start: int
    end: int
    score: float
    gate: float = 1.0
    sure: bool = False  # a line whose form answers the question by itself (an addressee line, a signed date)


@dataclass
class SentenceCandidate:
    pidx: int  # passage index
    start: int  # document offsets of the sentence
    end: int
    text: str
    score: float  # retrieval score relative to the best passage, later the sentence's overall score
    cover: float  # weighted share of the question's words in the sentence
    dense: float  # dense similarity of the sentence to the question


@dataclass
class SpanCandidate:
    start: int  # document offsets
    end: int
    text: str
    score: float
    sentence: SentenceCandidate
    kind: str
    features: dict[str, float] = field(default_factory=dict)  # named signals the scorer weighs (features.py)


def clause_bounds(text: str, pos: int) -> tuple[int, int]:
    s = pos
    while s > 0 and not CLAUSE_BREAK.match(text[s - 1]):
        s -= 1
    e = pos
    while e < len(text) and not CLAUSE_BREAK.match(text[e]):
        e += 1
    return s, e


def clauses(sent: str) -> list[tuple[int, int]]:
    out, s = [], 0
    for i, ch in enumerate(sent):
        if CLAUSE_BREAK.match(ch):
            out.append((s, i))
            s = i + 1
    out.append((s, len(sent)))
    return out


def inside_marks(text: str, pos: int) -> bool:
    """Is pos inside 《…》, “…” or 〔…〕 (names and document numbers are not figures)?"""
    for open_, close in (("《", "》"), ("“", "”"), ("〔", "〕"), ("[", "]")):
        o = text.rfind(open_, 0, pos)
        if o != -1 and text.find(close, o) >= pos:
            return True
    return False


def drop_question_tail(sent: str, s: int, e: int, ctx) -> tuple[int, int]:
    """Drop words at the end of a span that the question says after its asked noun (…大会|精神 for
    "哪两个大会的精神"); the asked noun itself stays (…|工作室)."""
    noun = ctx.asked.noun or ""
    for _w, term, _alts, _subs in ctx.terms.slots:
        if len(term) >= 2 and sent.endswith(term, s, e) and term not in noun and e - len(term) - s >= 2:
            at = ctx.question.find(term)
            if ctx.asked.wh_pos is not None and at > ctx.asked.wh_pos:
                e -= len(term)
                while e > s and sent[e - 1] in "的之":
                    e -= 1
    return s, e


def quote_only(sent: str, s: int, e: int, ctx) -> tuple[int, int]:
    """在“某某”平台 -> “某某”: a quoted name whose surroundings the question already says."""
    a, b = sent.find("“", s, e), sent.find("”", s, e)
    if a == -1 or b == -1 or b < a or sent.find("“", a + 1, e) != -1:
        return s, e
    rest = sent[s:a] + sent[b + 1:e]
    if all(ch in ctx.question or ch in "的在是为了" for ch in rest):
        return a, b + 1
    return s, e


def snap_to_marks(sent: str, s: int, e: int) -> tuple[int, int]:
    """A span that starts or ends inside a 《title》 or “name” grows to the whole mark."""
    for o, c in (("《", "》"), ("“", "”")):
        for pos in (s, e - 1):
            a = sent.rfind(o, 0, pos + 1)
            if a == -1 or a == pos and pos == e - 1:
                continue
            b = sent.find(c, a + 1)
            if b != -1 and a <= pos <= b and sent.rfind(c, 0, pos) < a:
                s, e = min(s, a), max(e, b + 1)
    return s, e


def strip_span(sent: str, s: int, e: int) -> tuple[int, int]:
    """Trim punctuation and spaces at both ends of a span (keeping balanced 《》 and “”)."""
    while s < e and (sent[s] in " 　，,、；;：:。的和及与" or (sent[s] in "》”)）" )):
        s += 1
    while e > s and (sent[e - 1] in " 　，,、；;：:。！？!?等及和对并" or (sent[e - 1] in "《“(（")):
        e -= 1
    if s < e and sent[s] in "“《" and sent.find("”》"[sent[s] == "《"], s + 1, e) == -1:
        s += 1
    if s < e and sent[e - 1] in "”》" and sent.rfind("“《"[sent[e - 1] == "》"], s, e - 1) == -1:
        e -= 1
    return s, e


_NOUNISH = ("n", "nr", "ns", "nt", "nz", "vn", "j", "eng", "an", "b", "l", "ng", "nrt", "nrfg")


_NOT_NOUN = frozenset({"全部", "全面", "全体", "均", "都", "已", "总计", "合计", "累计"})


def noun_phrase_after(sent: str, pos: int, limit: int = 14) -> int:
    """End of the noun phrase that starts at ``pos`` (…项|管理措施, …个|典型案例), or ``pos`` if none."""
    toks = pos_cut(sent[pos:pos + limit + 8])
    end, off = pos, pos
    for w, f in toks:
        if w in _NOT_NOUN or re.fullmatch(r"共[\u4e00-\u9fff]", w):
            break  # …整改措施|全部落实, …领域|共商共建: adverbs and verbs jieba tags as nouns
        if w in ("“", "”", "《", "》") or f.startswith(_NOUNISH) or (w == "和" and end > pos):
            off += len(w)
            if not w == "和":
                end = off
            if end - pos > limit:
                break
            continue
        break
    if sent.count("“", pos, end) != sent.count("”", pos, end):
        close = sent.find("”", end)
        end = close + 1 if 0 <= close - end < 12 else pos
    return end


def noun_phrase_before(sent: str, pos: int, limit: int = 16) -> int:
    """Start of the noun phrase that ends at ``pos`` (…成立|行政调解工作室)."""
    toks = list(pos_cut(sent[max(0, pos - limit - 8):pos]))
    start = pos
    i = len(toks) - 1
    while i >= 0:
        w, f = toks[i]
        if w in (")", "）") and start < pos:  # …平安建设(综治工作)|先进县: a parenthesis inside the phrase
            j = next((k for k in range(i - 1, max(i - 8, -1), -1) if toks[k][0] in ("(", "（")), None)
            if j is None:
                break
            start -= sum(len(t[0]) for t in toks[j:i + 1])
            i = j - 1
            continue
        if (f.startswith(_NOUNISH) or f in ("m", "q", "f", "s", "a", "t") or w in ("“", "”", "《", "》")) \
                and not re.fullmatch(r"[\W_]+", w.strip("“”《》") or "x"):
            start -= len(w)
            if pos - start > limit:
                break
            i -= 1
            continue
        break
    return start
