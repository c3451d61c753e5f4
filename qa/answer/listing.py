"""Lists: several items asked at once (哪些机关, 哪两项制度, 哪“五同”): A、B、C / A和B / 《A》《B》 / “A”“B”
(words: list_words.tsv)."""
from __future__ import annotations

import re

from index.text import pos_cut_cached as pos_cut
from qa.answer.context import SpanContext
from qa.answer.params import PARAMS
from qa.answer.scoring import clause_cover, near, novelty
from qa.answer.slot import token_bounds, trim_edges
from qa.answer.spans import Span, drop_question_tail, noun_phrase_after, noun_phrase_before, snap_to_marks, strip_span
from qa.answer.tagging import PERSON_TAG, VERB_TAG, chunks, tag
from qa.lexicon import groups

WORDS = groups("list_words.tsv")
_ITEM = f"[^，,。；;：:、（）()]{{1,{PARAMS.list_item_max_len}}}"
_RUN = re.compile(rf"{_ITEM}(?:、{_ITEM})+")
_MARKED_JOIN = f"[、{''.join(WORDS['marked_join'])}]?"
_MARKED_RUN = re.compile(
    rf"(?:《[^《》]{{{PARAMS.list_title_min_len},{PARAMS.list_title_max_len}}}》{_MARKED_JOIN}){{{PARAMS.list_min_items},}}"
    rf"|(?:“[^“”]{{1,{PARAMS.list_item_max_len}}}”{_MARKED_JOIN}){{{PARAMS.list_min_items},}}")
_PAIR = re.compile(f"[{''.join(WORDS['join'])}]")
_ITEM_SEP = re.compile(f"、|》《|”“|[{''.join(WORDS['count_join'])}]")
_FIRST_DROP = "".join(WORDS["first_drop"])


def _last_end(sent: str, last_start: int, e: int, longest: int) -> tuple[int, int]:
    """Where the last item of a run ends, and the longest item length counting it when a closing word ends it."""
    closed = _closing_word(sent, last_start, e, longest)
    if closed is None:
        return _word_end(sent, last_start + min(e - last_start, longest), limit=PARAMS.list_word_end_reach), longest
    if "、" not in sent[last_start:closed] and not any(j in sent[last_start:closed] for j in _JOINS):
        longest = max(longest, closed - last_start)
    return closed, longest


def _first_start(sent: str, s: int, first_end: int, longest: int, typical: float) -> int:
    """Where a first item longer than the others starts (推动|以案释法、送法下乡): at a word after a governing word,
    else ``longest`` characters before its end, past the particles it would start with."""
    opened = _opening_word(sent, s, first_end, longest, typical)
    if opened is not None:
        return opened
    s = first_end - longest
    while s < first_end - PARAMS.list_item_min_len and sent[s] in _FIRST_DROP:
        s += 1
    return s


def _run_bounds(sent: str, s: int, e: int) -> tuple[int, int]:
    """Trim a 、-run to its items: the first item no longer than the middle ones, the last a noun phrase.

    Where Baidu LAC's words say more, they decide (tagging.tag): the first item starts at a word that follows the
    predicate or particle governing the list (建成|危化品处置、…; 最激烈的|运动式执法、…), and the last ends where
    a particle, a figure or the next clause word closes the enumeration (…、逐利执法|等不作为; …、防汛抢险|4支)."""
    items = sent[s:e].split("、")
    last = re.split(r"[”》]", items[-1])[0]
    inner = [len(x) for x in items[1:-1]] or [max(len(noun_phrase_span(sent, e - len(items[-1]))),
                                                  min(len(last), PARAMS.list_last_guess))]
    typical = sum(inner) / len(inner)
    first_end = s + len(items[0])
    last_start = e - len(items[-1])
    e, longest = _last_end(sent, last_start, e, max(inner))
    run_start, verb_led = s, _verb_led(sent, first_end + 1, e)
    shortest = min([len(x) for x in items[1:-1]] + [e - last_start])
    if len(items[0]) > longest:  # the first item is as long as the others (推动|以案释法、送法下乡)
        s = _first_start(sent, s, first_end, longest, typical)
    if verb_led and first_end - s < shortest:  # items alike: the first, shorter than every
        s = _verb_start(sent, run_start, s)  # other and each of them opening with a verb, opens with its verb too
    s = _drop_leading_particles(sent, s, first_end, typical)
    return strip_span(sent, s, e)


def _verb_led(sent: str, s: int, e: int) -> bool:
    """Whether each item after the first opens with a verb of Baidu LAC's and holds more after it (…、推动发展、化解
    矛盾)."""
    starts = [s] + [k + 1 for k in range(s, e) if sent[k] == "\u3001"]
    bounds = [(a, b) for a, b in zip(starts, [k - 1 for k in starts[1:]] + [e], strict=True)]
    toks = {a: (b, t) for a, b, t in tag(sent)}
    led = [a in toks and toks[a][1] == VERB_TAG and toks[a][0] < b for a, b in bounds]
    return bool(bounds) and all(led)


def _verb_start(sent: str, run_start: int, s: int) -> int:
    """The first item's start moved back over the verb just before it (用法治方式深化|改革 -> 深化改革), when that
    verb lies inside the run and the item does not open with a verb or a modifier already (稳|增长); ``s``
    otherwise."""
    toks = tag(sent)
    if any(a == s and t in _VERB_BEFORE for a, _b, t in toks):
        return s
    return next((a for a, b, t in toks if b == s and t == VERB_TAG and a >= run_start), s)


_GOVERNS = frozenset(WORDS["governs_tags"])  # a word of these tags before an item starts it: a verb, 在/对, 和, 的
_CLOSES = frozenset(WORDS["closes_tags"])  # a word of these tags ends the last item: 等/的, a figure (4支), a mark


def _opening_word(sent: str, s: int, first_end: int, longest: int, typical: float) -> int | None:
    """Of the word starts in the first item's last ``longest + 2`` characters that follow a governing word, the one
    that makes the item closest to the ``typical`` item length (the longer on a tie)."""
    words = [(a, b, t) for a, b, t in tag(sent) if b <= first_end]
    starts = [a2 for (_a, b, t), (a2, _b2, _t2) in zip(words, words[1:], strict=False)
              if max(s, first_end - longest - PARAMS.list_margin) <= a2 <= first_end - PARAMS.list_item_min_len
              and t in _GOVERNS and b == a2]
    return min(starts, key=lambda a: (abs(first_end - a - typical), a), default=None)


def _drop_leading_particles(sent: str, s: int, first_end: int, typical: float) -> int:
    """Skip prepositions and conjunctions a run starts with (并在|新型工业化、…), while the first item stays as
    long as a typical one (以案释法 read as 以|案释法 keeps its 以)."""
    words = tag(sent)
    for (a, b, t), (_a2, b2, t2) in zip(words, words[1:] + ((len(sent), len(sent), ""),), strict=True):
        if a == s and t in _LEADING and first_end - b >= max(float(PARAMS.list_item_min_len), typical):
            s = b
        elif a == s and t in _VERB_BEFORE and t2 in _LEADING and first_end - b2 >= PARAMS.list_item_min_len:
            s = b2  # 加强|对|甲、乙: a verb and the preposition it takes govern the list, they are no item's
    return s


_LEADING = frozenset(WORDS["leading_tags"])
_VERB_BEFORE = frozenset(WORDS["verb_tags"])


def _closing_word(sent: str, last_start: int, e: int, longest: int) -> int | None:
    """Where the last item ends when a closing word follows it within ``longest + 2`` characters; an item joined
    by 和/及/与 (…、减轻行政处罚和不予实施行政强制措施) takes the one after it too."""
    words = tag(sent)
    for a, b, t in words:
        if not last_start + PARAMS.list_item_min_len <= a <= min(e - 1, last_start + longest + PARAMS.list_margin):
            continue
        if t == "c" and sent[a:b] in _JOINS:
            end = _closing_word(sent, b, len(sent), PARAMS.pair_items * longest)  # the joined item: as long as two
            return end if end is not None and end - b >= PARAMS.list_item_min_len else None
        if t in _CLOSES:
            return a
    return None


_JOINS = frozenset(WORDS["joins"])


def _word_end(sent: str, e: int, limit: int) -> int:
    """Move ``e`` forward to the end of the word it cuts, if that is at most ``limit`` characters on."""
    pos = 0
    for w, _f in pos_cut(sent):
        if pos < e < pos + len(w) <= e + limit:
            return pos + len(w)
        pos += len(w)
    return e


def noun_phrase_span(sent: str, s: int) -> str:
    return sent[s:max(noun_phrase_after(sent, s, limit=PARAMS.list_np_limit), s + 1)]


def _items_named(text: str, ctx: SpanContext) -> float:
    """1.0 when every item ends in the noun asked for (哪两项议事规则 -> 《党组议事规则》、《局务会议议事规则》)."""
    noun = ctx.asked.noun or ""
    if len(noun) < PARAMS.list_item_min_len:
        return 0.0
    tail = noun[-PARAMS.list_item_min_len:]
    items = [x.strip("《》“”") for x in _ITEM_SEP.split(text) if x.strip("《》“”")]
    return 1.0 if items and all(x.endswith(tail) for x in items) else 0.0


def _pair_start(sent: str, m: re.Match[str], e: int, bounds: set[int]) -> int:
    """Where A of A和B starts: A about as long as B, but never from the middle of a word (the nearer word start)."""
    np_start = noun_phrase_before(sent, m.start())
    s = max(np_start, m.start() - (e - m.end()))
    if s not in bounds:
        near_b = [b for b in bounds if np_start <= b < m.start()]
        s = min(near_b, key=lambda b: (abs(b - s), -b), default=s)
    return s


def _pairs(sent: str) -> list[tuple[int, int]]:
    """A和B: two noun phrases joined by a conjunction, A about as long as B."""
    out = []
    bounds = token_bounds(sent)
    for m in _PAIR.finditer(sent):
        e = noun_phrase_after(sent, m.end())
        s = _pair_start(sent, m, e, bounds)
        if m.start() - s >= PARAMS.list_item_min_len and e - m.end() >= PARAMS.list_item_min_len:
            out.append((s, e))
    return out


def _list_score(sent: str, s: int, e: int, ctx: SpanContext) -> float:
    """Nearness to the question's words, clause cover, the number of items asked, novelty, items named by the noun."""
    p, text = ctx.params, sent[s:e]
    n = len(_ITEM_SEP.findall(text)) + 1
    count_fit = 1.0 if ctx.asked.items in (1, n) or ctx.asked.items > p.items_max else p.list_count_other
    return (p.list_w_near * near(sent, s, e, ctx) + p.list_w_clause * clause_cover(sent, s, ctx)
            + p.list_w_count * count_fit + p.list_w_novelty * novelty(text, ctx)
            + p.list_w_named * _items_named(text, ctx))


_MARKS = "“”《》"


def _whole_items(sent: str, s: int, e: int, ctx: SpanContext) -> tuple[int, int]:
    """A run's first item never starts inside a word of Baidu LAC's (规范性|文件、… -> 规范性文件、…) nor after a
    person's name that opens its noun phrase, and its last item ends where its noun phrase does when that is the
    noun asked (…、数据安全管理|平台 for 哪些平台) or a closing word follows (…、“某某”|行动|等), unless what it adds
    is only what the question says (…|三大平台 for 哪三大平台 is the asked noun, kept). A mark (“ ” 《 》) is never
    crossed."""
    words = tag(sent)
    for a, b, _t in words:
        if a < s < b and not any(ch in _MARKS for ch in sent[a:s]):
            s = a
    named = next((a for a, b, t in words if b == s and t == PERSON_TAG), None)
    if named is not None and any(a <= named and s < b for a, b in chunks(sent)):
        s = named  # 某某某|思想: a person's name opening the first item's noun phrase is the item's
    for a, b in chunks(sent):
        rest = sent[e:b]
        if not (s <= a < e < b) or any(ch in _MARKS for ch in rest):
            continue
        closed = next((t in _CLOSES or t == "c" for a2, _b2, t in words if a2 == b), True)
        if rest == ctx.asked.noun or (closed and not all(ch in ctx.question for ch in rest)):
            e = b
    return s, e


_QUOTED_ITEM = re.compile(r"“[^“”]+”(?P<tail>[^“”、]+)")


def _quoted_tails(sent: str, s: int, e: int) -> int:
    """Items alike: when every item but the last is a “name” with words after it (“甲化”协作、“乙化”管理、“丙化”|赋能),
    the last takes the Baidu LAC words after its closing mark too, as far as the longest of the others' words and
    never past a closing word (等, a figure)."""
    items = sent[s:e].split("\u3001")
    if len(items) < PARAMS.list_min_items or not items[-1].endswith("\u201d"):
        return e
    tails = [_QUOTED_ITEM.fullmatch(x) for x in items[:-1]]
    if not all(tails):
        return e
    longest = max(len(m.group("tail")) for m in tails if m)
    end = e
    for a, b, t in tag(sent):
        if a == end and t not in _CLOSES and b - e <= longest:
            end = b
    return end


def list_spans(sent: str, ctx: SpanContext) -> list[Span]:
    out = []
    cands = [(m.start(), m.end()) for m in _MARKED_RUN.finditer(sent)]
    cands += [_run_bounds(sent, m.start(), m.end()) for m in _RUN.finditer(sent)]
    if ctx.asked.items == ctx.params.pair_items:
        cands += _pairs(sent)
    for s, e in cands:
        s, e = trim_edges(sent, *drop_question_tail(sent, s, e, ctx))
        s, e = _whole_items(sent, *snap_to_marks(sent, s, e), ctx)
        e = _quoted_tails(sent, s, e)
        if e - s < ctx.params.list_min_len or sent[s:e] in ctx.question:
            continue
        out.append(Span(s, e, _list_score(sent, s, e, ctx)))
    return out
