"""Typed spans and the sentence-level helpers every answer extractor shares (clauses, marks, noun phrases)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import NamedTuple

from index.text import pos_cut_cached as pos_cut
from qa.answer.params import PARAMS
from qa.answer.types import UNITS
from qa.lexicon import alternation, groups

WORDS = groups("span_words.tsv")
CLAUSE_BREAK = re.compile(r"[，,；;：:。！？!?（）()]")
_UNIT_ALT = "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))
CN_DIGITS = "".join(WORDS["cn_digit"])
NUMBER_RE = re.compile(
    rf"(?:{alternation(WORDS['hedge'])})?"
    rf"(?P<num>\d+(?:[.,]\d+)*|[{CN_DIGITS}]{{1,{PARAMS.cn_number_max_len}}})\s*"
    rf"(?P<mag>{alternation(WORDS['magnitude'])})?\s*"
    rf"(?P<unit>{_UNIT_ALT})(?P<tail>{alternation(WORDS['tail'])})?")


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


_LINKERS = "".join(WORDS["linker"])
_FILLERS = "".join(WORDS["filler"])


def _asked_after_wh(term: str, ctx) -> bool:
    """Does the question say ``term`` after its question word (哪两个大会的|精神)?"""
    at = ctx.question.find(term)
    return ctx.asked.wh_pos is not None and at > ctx.asked.wh_pos


def _is_tail_term(sent: str, s: int, e: int, term: str, noun: str, ctx) -> bool:
    """Does the span end in ``term``, a question word that is not the asked noun, with a name left before it?"""
    p = ctx.params
    return (len(term) >= p.tail_term_min_len and sent.endswith(term, s, e) and term not in noun
            and e - len(term) - s >= p.tail_keep_min_len)


def drop_question_tail(sent: str, s: int, e: int, ctx) -> tuple[int, int]:
    """Drop words at the end of a span that the question says after its asked noun (…大会|精神 for
    "哪两个大会的精神"); the asked noun itself stays (…|工作室)."""
    noun = ctx.asked.noun or ""
    for _w, term, _alts, _subs in ctx.terms.slots:
        if _is_tail_term(sent, s, e, term, noun, ctx) and _asked_after_wh(term, ctx):
            e -= len(term)
            while e > s and sent[e - 1] in _LINKERS:
                e -= 1
    return s, e


def quote_only(sent: str, s: int, e: int, ctx) -> tuple[int, int]:
    """在“某某”平台 -> “某某”: a quoted name whose surroundings the question already says."""
    a, b = sent.find("“", s, e), sent.find("”", s, e)
    if a == -1 or b == -1 or b < a or sent.find("“", a + 1, e) != -1:
        return s, e
    rest = sent[s:a] + sent[b + 1:e]
    if all(ch in ctx.question or ch in _FILLERS for ch in rest):
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


def balance_marks(sent: str, s: int, e: int) -> tuple[int, int]:
    """A phrase answer never cuts a “name” or 《title》 in two (批供同步化”供地改革 -> “批供同步化”供地改革): one whose
    marks do not pair grows to the whole mark."""
    text = sent[s:e]
    if text.count("“") == text.count("”") and text.count("《") == text.count("》"):
        return s, e
    return snap_to_marks(sent, s, e)


_LEAD_DROP = " 　，,、；;：:。" + "".join(WORDS["lead_trim"]) + "》”)）"  # never a span's first character
_TAIL_DROP = " 　，,、；;：:。！？!?" + "".join(WORDS["tail_trim"]) + "《“(（"  # never a span's last character


def _strip_marks(sent: str, s: int, e: int) -> tuple[int, int]:
    """Drop an opening “ or 《 that does not close inside the span, and a closing one that does not open."""
    if s < e and sent[s] in "“《" and sent.find("”》"[sent[s] == "《"], s + 1, e) == -1:
        s += 1
    if s < e and sent[e - 1] in "”》" and sent.rfind("“《"[sent[e - 1] == "》"], s, e - 1) == -1:
        e -= 1
    return s, e


def strip_span(sent: str, s: int, e: int) -> tuple[int, int]:
    """Trim punctuation and spaces at both ends of a span (keeping balanced 《》 and “”)."""
    while s < e and sent[s] in _LEAD_DROP:
        s += 1
    while e > s and sent[e - 1] in _TAIL_DROP:
        e -= 1
    return _strip_marks(sent, s, e)


_NOUNISH = WORDS["noun_tags"]
_BEFORE_TAGS = WORDS["before_tags"]
_NOT_NOUN = frozenset(WORDS["not_noun"])
_VERB_LEAD = re.compile(rf"(?:{alternation(WORDS['verb_lead'])})[\u4e00-\u9fff]")
_COORD = WORDS["coord"]
_MARKS = ("“", "”", "《", "》")


def _ends_phrase(w: str) -> bool:
    """…整改措施|全部落实, …领域|共商共建: adverbs and verbs jieba tags as nouns."""
    return w in _NOT_NOUN or bool(_VERB_LEAD.fullmatch(w))


def _phrase_word(w: str, f: str, end: int, pos: int) -> bool:
    """A word that continues a noun phrase after ``pos``: a noun, a mark, or 和 once the phrase has begun."""
    return w in _MARKS or f.startswith(_NOUNISH) or (w in _COORD and end > pos)


def _close_quote(sent: str, pos: int, end: int) -> int:
    """A phrase holding an unclosed “ runs on to its ” when that is near, else is no phrase."""
    if sent.count("“", pos, end) != sent.count("”", pos, end):
        close = sent.find("”", end)
        end = close + 1 if 0 <= close - end < PARAMS.np_quote_reach else pos
    return end


def noun_phrase_after(sent: str, pos: int, limit: int = PARAMS.np_after_limit) -> int:
    """End of the noun phrase that starts at ``pos`` (…项|管理措施, …个|典型案例), or ``pos`` if none."""
    end = off = pos
    for w, f in pos_cut(sent[pos:pos + limit + PARAMS.np_tag_margin]):
        if _ends_phrase(w) or not _phrase_word(w, f, end, pos):
            break
        off += len(w)
        if w not in _COORD:
            end = off
        if end - pos > limit:
            break
    return _close_quote(sent, pos, end)


def _open_paren(toks: list[tuple[str, str]], i: int) -> int | None:
    """Index of the ( that the ) at ``toks[i]`` closes, looking a few words back; None when there is none."""
    low = max(i - PARAMS.np_paren_reach, -1)
    return next((k for k in range(i - 1, low, -1) if toks[k][0] in ("(", "（")), None)


def _before_word(w: str, f: str) -> bool:
    """A word a noun phrase before its head is made of: nouns, numerals, measure, locality words, marks."""
    return (f.startswith(_NOUNISH) or f in _BEFORE_TAGS or w in _MARKS) \
        and not re.fullmatch(r"[\W_]+", w.strip("“”《》") or "x")


def noun_phrase_before(sent: str, pos: int, limit: int = PARAMS.np_before_limit) -> int:
    """Start of the noun phrase that ends at ``pos`` (…成立|行政调解工作室)."""
    toks = list(pos_cut(sent[max(0, pos - limit - PARAMS.np_tag_margin):pos]))
    start = pos
    i = len(toks) - 1
    while i >= 0:
        w, f = toks[i]
        if w in (")", "）") and start < pos:  # …平安建设(综治工作)|先进县: a parenthesis inside the phrase
            j = _open_paren(toks, i)
            if j is None:
                break
            start -= sum(len(t[0]) for t in toks[j:i + 1])
            i = j - 1
            continue
        if not _before_word(w, f):
            break
        start -= len(w)
        if pos - start > limit:
            break
        i -= 1
    return start
