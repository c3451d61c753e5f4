"""Lists: several items asked at once (哪些机关, 哪两项制度, 哪“五同”): A、B、C / A和B / 《A》《B》 / “A”“B”."""
from __future__ import annotations

import re

from index.text import pos_cut_cached as pos_cut
from qa.answer.context import SpanContext
from qa.answer.scoring import clause_cover, near, novelty
from qa.answer.slot import token_bounds, trim_edges
from qa.answer.spans import Span, drop_question_tail, noun_phrase_after, noun_phrase_before, strip_span
from qa.answer.tagging import tag

_RUN = re.compile(r"[^，,。；;：:、（）()]{1,30}(?:、[^，,。；;：:、（）()]{1,30})+")
_MARKED_RUN = re.compile(r"(?:《[^《》]{2,60}》[、和及与]?){2,}|(?:“[^“”]{1,30}”[、和及与]?){2,}")
_PAIR = re.compile(r"[和与及]")


def _run_bounds(sent: str, s: int, e: int) -> tuple[int, int]:
    """Trim a 、-run to its items: the first item no longer than the middle ones, the last a noun phrase.

    Where Baidu LAC's words say more, they decide (tagging.tag): the first item starts at a word that follows the
    predicate or particle governing the list (建成|危化品处置、…; 最激烈的|运动式执法、…), and the last ends where
    a particle, a figure or the next clause word closes the enumeration (…、逐利执法|等不作为; …、防汛抢险|4支)."""
    items = sent[s:e].split("、")
    last = re.split(r"[”》]", items[-1])[0]
    inner = [len(x) for x in items[1:-1]] or [max(len(noun_phrase_span(sent, e - len(items[-1]))),
                                                  min(len(last), 12))]
    longest = max(inner)
    first_end = s + len(items[0])
    last_start = e - len(items[-1])
    closed = _closing_word(sent, last_start, e, longest)
    if closed is not None:
        e = closed
        if "、" not in sent[last_start:e] and not any(j in sent[last_start:e] for j in _JOINS):
            longest = max(longest, e - last_start)
    else:
        e = _word_end(sent, last_start + min(len(items[-1]), longest), limit=2)
    if len(items[0]) > longest:  # the first item is as long as the others (推动|以案释法、送法下乡)
        opened = _opening_word(sent, s, first_end, longest, sum(inner) / len(inner))
        if opened is not None:
            s = opened
        else:
            s = first_end - longest
            while s < first_end - 2 and sent[s] in "将把对与和及并":
                s += 1
    s = _drop_leading_particles(sent, s, first_end, sum(inner) / len(inner))
    return strip_span(sent, s, e)


_GOVERNS = frozenset({"v", "p", "c", "u", "w"})  # a word of these tags before an item starts it: a verb, 在/对, 和, 的
_CLOSES = frozenset({"u", "m", "w"})  # a word of these tags ends the last item: 等/的, a figure (4支), a mark


def _opening_word(sent: str, s: int, first_end: int, longest: int, typical: float) -> int | None:
    """Of the word starts in the first item's last ``longest + 2`` characters that follow a governing word, the one
    that makes the item closest to the ``typical`` item length (the longer on a tie)."""
    words = [(a, b, t) for a, b, t in tag(sent) if b <= first_end]
    starts = [a2 for (_a, b, t), (a2, _b2, _t2) in zip(words, words[1:], strict=False)
              if max(s, first_end - longest - 2) <= a2 <= first_end - 2 and t in _GOVERNS and b == a2]
    return min(starts, key=lambda a: (abs(first_end - a - typical), a), default=None)


def _drop_leading_particles(sent: str, s: int, first_end: int, typical: float) -> int:
    """Skip prepositions and conjunctions a run starts with (并在|新型工业化、…), while the first item stays as
    long as a typical one (以案释法 read as 以|案释法 keeps its 以)."""
    for a, b, t in tag(sent):
        if a == s and t in _LEADING and first_end - b >= max(2.0, typical):
            s = b
    return s


_LEADING = frozenset({"p", "c"})


def _closing_word(sent: str, last_start: int, e: int, longest: int) -> int | None:
    """Where the last item ends when a closing word follows it within ``longest + 2`` characters; an item joined
    by 和/及/与 (…、减轻行政处罚和不予实施行政强制措施) takes the one after it too."""
    words = tag(sent)
    for a, b, t in words:
        if not last_start + 2 <= a <= min(e - 1, last_start + longest + 2):
            continue
        if t == "c" and sent[a:b] in _JOINS:
            end = _closing_word(sent, b, len(sent), 2 * longest)
            return end if end is not None and end - b >= 2 else None
        if t in _CLOSES:
            return a
    return None


_JOINS = frozenset({"和", "及", "与", "以及"})


def _word_end(sent: str, e: int, limit: int) -> int:
    """Move ``e`` forward to the end of the word it cuts, if that is at most ``limit`` characters on."""
    pos = 0
    for w, _f in pos_cut(sent):
        if pos < e < pos + len(w) <= e + limit:
            return pos + len(w)
        pos += len(w)
    return e


def noun_phrase_span(sent: str, s: int) -> str:
    return sent[s:max(noun_phrase_after(sent, s, limit=20), s + 1)]


def _items_named(text: str, ctx: SpanContext) -> float:
    """1.0 when every item ends in the noun asked for (哪两项议事规则 -> 《党组议事规则》、《局务会议议事规则》)."""
    noun = ctx.asked.noun or ""
    if len(noun) < 2:
        return 0.0
    items = [x.strip("《》“”") for x in re.split(r"、|》《|”“|[和与及]", text) if x.strip("《》“”")]
    return 1.0 if items and all(x.endswith(noun[-2:]) for x in items) else 0.0


def list_spans(sent: str, ctx: SpanContext) -> list[Span]:
    out = []
    cands = [(m.start(), m.end()) for m in _MARKED_RUN.finditer(sent)]
    cands += [_run_bounds(sent, m.start(), m.end()) for m in _RUN.finditer(sent)]
    if ctx.asked.items == 2:
        bounds = token_bounds(sent)
        for m in _PAIR.finditer(sent):
            e = noun_phrase_after(sent, m.end())
            np_start = noun_phrase_before(sent, m.start())
            s = max(np_start, m.start() - (e - m.end()))
            if s not in bounds:  # A about as long as B, but never from the middle of a word: the nearer word start
                near_b = [b for b in bounds if np_start <= b < m.start()]
                s = min(near_b, key=lambda b: (abs(b - s), -b), default=s)
            if m.start() - s >= 2 and e - m.end() >= 2:
                cands.append((s, e))  # A和B: A about as long as B
    for s, e in cands:
        s, e = trim_edges(sent, *drop_question_tail(sent, s, e, ctx))
        text = sent[s:e]
        if e - s < 3 or text in ctx.question:
            continue
        n = len(re.findall(r"、|》《|”“|[和与及]", text)) + 1
        count_fit = 1.0 if ctx.asked.items in (1, n) or ctx.asked.items > 9 else 0.5
        score = 0.35 * near(sent, s, e, ctx) + 0.25 * clause_cover(sent, s, ctx) + 0.2 * count_fit \
            + 0.2 * novelty(text, ctx) + 0.15 * _items_named(text, ctx)
        out.append(Span(s, e, score))
    return out
