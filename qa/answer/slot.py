"""Names, bodies, honours, roles and places: the words of the sentence that fill the question's gap.

The question's words are found in the sentence; what the question asks for is the stretch they leave open —
between 联合 and 开展 in "联合了哪个局开展…", or the noun phrase ending in the noun asked for (什么工作室 ->
行政调解工作室), or a “quoted name”. Each candidate is scored by how tightly the question's words frame
it, how well its clause matches the question, whether it looks like the type asked (a body ends in 局/委/办…,
a place is a place), and how much it says that the question does not.

Its words are in ``qa/lexicon/slot_words.tsv``, its weights in ``params.py`` (``slot_*``).
"""
from __future__ import annotations

import re

from index.places import find_places
from index.text import find_all, pos_cut_cached
from qa.answer.context import SpanContext
from qa.answer.document import title_spans
from qa.answer.params import PARAMS
from qa.answer.scoring import clause_cover, near, novelty, order_fit, specific
from qa.answer.spans import (
    CLAUSE_BREAK,
    Span,
    clause_bounds,
    drop_question_tail,
    inside_marks,
    noun_phrase_after,
    noun_phrase_before,
    quote_only,
    snap_to_marks,
    strip_span,
)
from qa.answer.tagging import NP_TAGS, tag
from qa.answer.types import AnswerType
from qa.lexicon import alternation, groups
from qa.question.rules import question_pattern

WORDS = groups("slot_words.tsv")


def _chars(group: str) -> str:
    return "".join(WORDS[group])


def _alt(group: str) -> str:
    return f"(?:{alternation(WORDS[group])})"


_Q = PARAMS.slot_quote_max_len
QUOTE_RE = re.compile(rf"“[^“”]{{1,{_Q}}}”|\"[^\"]{{1,{_Q}}}\"")
_ORG_END = re.compile(f"{_alt('org_end')}$")
_HONOUR_WORDS = re.compile(alternation(WORDS["honour_word"]))
_ROLE_END = re.compile(f"{_alt('role_end')}$")
_PLACE_END = re.compile(f"{_alt('place_end')}$")
# words before single characters: 获评, not 获|评
_LEAD = re.compile(rf"^(?:{alternation(WORDS['lead'])}|[{_chars('lead_char')}])+")
_TAIL = re.compile(rf"(?:[{_chars('tail_char')}]|{alternation(WORDS['tail'])})+$")
_VERB = "v"  # jieba's tag of a verb


def token_bounds(sent: str) -> set[int]:
    """Offsets where a jieba word starts or ends."""
    out, pos = {0}, 0
    for w, _f in pos_cut_cached(sent):
        pos += len(w)
        out.add(pos)
    return out


_TYPE_WORDS = {  # answer type -> what a span of that type holds, and the fit of one that does not (Params)
    AnswerType.BODY: (_ORG_END, "slot_body_other"),
    AnswerType.ROLE: (_ROLE_END, "slot_role_other"),
    AnswerType.HONOUR: (_HONOUR_WORDS, "slot_honour_other"),
}


def _type_fit(text: str, t: AnswerType, ctx: SpanContext) -> float:
    """1.0 when the span looks like the type asked (a body ends in 局/委/办…, a place is a place), else low."""
    p = ctx.params
    if t == AnswerType.PLACE:
        places = ctx.places
        return 1.0 if _PLACE_END.search(text) or (places is not None and places.fullmatch(text)) else p.slot_place_other
    if t not in _TYPE_WORDS:
        return p.slot_type_any
    rx, other = _TYPE_WORDS[t]
    return 1.0 if rx.search(text) else getattr(p, other)


def _frame(sent: str, s: int, e: int, ctx: SpanContext) -> float:
    """1.0 when question words touch the span on both sides, 0.5 on one side."""
    left = right = 0.0
    reach, head = ctx.params.slot_frame_reach, ctx.params.slot_min_len
    for ps, pe, _w in ctx.terms.positions(sent):
        if 0 <= s - pe <= reach:
            left = 1.0
        if 0 <= ps - e <= reach or (pe == e and pe - ps >= head and ps > s):
            right = 1.0  # framed on the right, or ending in the noun the question asks for (…|工作室)
    return (left + right) / 2  # the mean of the two sides


_EN = _chars("enum_numeral")
_YEAR, _MONTH, _DAY = WORDS["date_mark"]
_LEAD_TIME = re.compile(rf"^(?:[{_EN}]+{_alt('enum_is')}|[（(][{_EN}\d]+[)）]|\d+[.、])?"
                        rf"{_alt('lead_adverb')}?{_alt('lead_with')}?"
                        rf"{_alt('lead_at')}?(?:(?:19|20)\d\d{_YEAR})?(?:\d{{1,2}}{_MONTH})?(?:\d{{1,2}}{_DAY})?"
                        rf"{_alt('since')}?")
_TAIL_COUNT = re.compile(rf"{_alt('count_lead')}[\d{_chars('count_numeral')}]+[{_chars('count_unit')}]$")
_LEAD_VERB = re.compile(rf"^{_alt('lead_verb')}")
_MIN = PARAMS.slot_min_len  # a slot, and what is left of it once trimmed, has this many characters at least


_ADVERBS = frozenset(WORDS["lead_adverb"])
_ADVERB_TERMS = tuple(WORDS["adverb_term"])


def _adverb_of_noun(sent: str, s: int, e: int) -> bool:
    """An adverb alone before a noun, or opening a set term, is part of it (全面|依法治市 stays whole); before a
    verb or another adverb it is not (深入|开展, 全面|深入学习)."""
    if sent[s:e] not in _ADVERBS:
        return False
    if sent.startswith(_ADVERB_TERMS, s):
        return True
    nxt = next((t for a, _b, t in tag(sent) if a == e), None)
    return nxt in NP_TAGS


def trim_edges(sent: str, s: int, e: int) -> tuple[int, int]:
    """Drop a leading time (于2023年5月|通过…) and a trailing count (…不动产登记|等6项)."""
    s, e = strip_span(sent, s, e)
    m = _LEAD_TIME.match(sent[s:e])
    if m and m.end() and e - s - m.end() >= _MIN and not _adverb_of_noun(sent, s, s + m.end()):
        s += m.end()  # 于2023年5月|通过…
    m = _TAIL_COUNT.search(sent[s:e])
    if m and m.start() >= _MIN:
        e = s + m.start()  # …不动产登记|等6项
    m = _LEAD_VERB.match(sent[s:e])
    if m and e - s - m.end() >= _MIN:
        s += m.end()  # 推出|一件事套餐、…
    return strip_span(sent, s, e)


def trim_slot(sent: str, s: int, e: int) -> tuple[int, int]:
    """A gap without the verbs and particles around it."""
    s, e = trim_edges(sent, s, e)
    m = _LEAD.match(sent[s:e])
    if m and e - s - m.end() >= _MIN:
        s += m.end()
    m = _TAIL.search(sent[s:e])
    if m and m.start() >= _MIN:
        e = s + m.start()
    return strip_span(sent, s, e)


def _inner_verb(sent: str, s: int, e: int) -> bool:
    pos = 0
    for w, f in pos_cut_cached(sent):
        if s <= pos and pos + len(w) <= e and f == _VERB and len(w) >= _MIN:
            return True
        pos += len(w)
    return False


def _covered(sent: str, ctx: SpanContext) -> list[bool]:
    """Which characters of ``sent`` belong to a (whole) question word."""
    covered = [False] * len(sent)
    for ps, pe, _ in ctx.terms.positions(sent, subwords=False):
        for i in range(ps, pe):
            covered[i] = True
    return covered


def _open_end(sent: str, covered: list[bool], i: int) -> int:
    """Where the stretch from ``i`` that no question word covers ends (at a question word or a clause break)."""
    j = i
    while j < len(sent) and not covered[j] and not CLAUSE_BREAK.match(sent[j]):
        j += 1
    return j


def _gaps(sent: str, ctx: SpanContext) -> list[tuple[int, int]]:
    """Stretches of a clause that no question word covers, next to at least one that does."""
    covered = _covered(sent, ctx)
    out, i = [], 0
    while i < len(sent):
        if covered[i] or CLAUSE_BREAK.match(sent[i]):
            i += 1
            continue
        j = _open_end(sent, covered, i)
        touches = (i > 0 and covered[i - 1]) or (j < len(sent) and covered[j])
        if touches and j - i >= _MIN and not inside_marks(sent, i):
            out.append((i, j))
        i = j
    return out


_HEAD = PARAMS.noun_head_len  # the asked noun's last characters, its head (工作室 -> 作室), found in the sentence
_NON_WORD = re.compile(r"[\W_]")


def _head_phrases(sent: str, ctx: SpanContext) -> list[tuple[int, int]]:
    """Noun phrases ending in the noun the question asks for (什么工作室 -> 行政调解工作室)."""
    noun = ctx.asked.noun
    if not noun:
        return []
    out = []
    p = ctx.params
    key = noun[-_HEAD:] if len(noun) >= _HEAD else noun
    for at in find_all(sent, key):
        e = (noun_phrase_after(sent, at + len(key), limit=p.slot_honour_np_limit)
             if ctx.asked.type == AnswerType.HONOUR else at + len(key))
        s = noun_phrase_before(sent, at)
        cs, _ = clause_bounds(sent, at)
        if cs == 0 and 0 < s <= p.slot_opening_reach and not _NON_WORD.search(sent[:s]):
            s = 0
        if e - s > len(noun):
            out.append((s, e))
    return out


_HONOUR_HEAD = re.compile(f"{_alt('honour_mark')}{_alt('honour_head')}")
_SCOPE = re.compile(f"{_alt('scope')}$")
_YEAR_OF = re.compile(rf"(?:19|20)\d\d{_YEAR}{_alt('year_more')}?")


def _with_scope(sent: str, s: int, e: int) -> tuple[int, int]:
    year = _YEAR_OF.match(sent[s:e])
    if year and e - s - year.end() >= PARAMS.honour_min_len:
        s += year.end()  # 2023年度|全国…试点县: the year is when, not part of the honour
    m = _SCOPE.search(sent, 0, s)
    return (m.start(), e) if m and sent[s:s + 1] not in "“《" else (s, e)


def _honour_phrases(sent: str, ctx: SpanContext) -> list[tuple[int, int]]:
    """The noun phrase that ends in an honour's head (…首批法治政府建设|示范县), for 什么称号 questions."""
    if ctx.asked.type != AnswerType.HONOUR:
        return []
    out = []
    for m in _HONOUR_HEAD.finditer(sent):
        s = noun_phrase_before(sent, m.end())
        if m.end() - s > len(m.group(0)):
            out.append((s, m.end()))
    return out


_QUOTE_RUN = re.compile(rf"(?:[{_chars('quote_join')}]?“[^“”]{{1,{_Q}}}”)*{_alt('quote_run_end')}")
_PARTICLE = _chars("particle")


def _quote_runs(sent: str, question: str, pieces: bool) -> list[tuple[int, int]]:
    """The quoted names the question does not say; those side by side with nothing between them as one run
    (“庭审出声”“发言出彩”), each alone only a piece of what the sentence names — unless ``pieces``: a question that
    describes its answer by topic picks one name of a run (市域社会治理方面的称号)."""
    out: list[tuple[int, int]] = []
    for m in QUOTE_RE.finditer(sent):
        if m.group(0)[1:-1] in question:
            out.append((-1, -1))  # a said name breaks a run
        elif not pieces and out and out[-1][1] == m.start():
            out[-1] = (out[-1][0], m.end())
        else:
            out.append((m.start(), m.end()))
    return [r for r in out if r[0] >= 0]


def _quoted(sent: str, ctx: SpanContext) -> list[tuple[tuple[int, int], float]]:
    """“Quoted names”, with a bonus when the noun asked for follows (“某某”微信公众号 for 哪个微信公众号), also after
    a run of them (“甲”“乙”等称号 for 什么称号), or ends the name itself (“某某工作法” for 什么工作法)."""
    out = []
    noun = ctx.asked.noun or ""
    for qs, qe in _quote_runs(sent, ctx.question, pieces=_topic(ctx.question) is not None):
        after = sent[qe:qe + len(noun) + 1]  # the noun, maybe behind a particle
        # “甲”“乙”等称号: the noun after a run of quoted names names each of them
        run = _QUOTE_RUN.match(sent, qe)
        later = sent[run.end():run.end() + len(noun) + 1] if run else ""
        head = noun[-_HEAD:]
        inner = sent[qs:qe].strip("“”\"")  # “某某工作法” for 什么工作法: the noun ends the name itself
        named = len(noun) >= _HEAD and (after.startswith(noun[:_HEAD]) or after.lstrip(_PARTICLE).startswith(head)
                                        or later.lstrip(_PARTICLE).startswith(head) or inner.endswith(noun))
        out.append(((qs, qe), ctx.params.slot_quote_named if named else 0.0))
    return out


_TOPIC = re.compile(f"{_alt('topic')}{_alt('particle')}")
_TOPIC_CUT = WORDS["topic_cut"]


def _topic(question: str) -> str | None:
    """The words a question describes its answer by (市域社会治理|方面的称号 -> 市域社会治理), if it does."""
    m = _TOPIC.search(question)
    if not m:
        return None
    start = max(*(question.rfind(c, 0, m.start()) for c in _TOPIC_CUT), m.start() - PARAMS.slot_topic_reach) + 1
    topic = question[start:m.start()]
    return topic if len(topic) >= _MIN else None


def _to_noun(sent: str, e: int, ctx: SpanContext) -> int:
    """A gap's end grown to take the asked noun right after it (…化解|工作室), or after question words only
    (某某|法治宣传|志愿服务队)."""
    noun = ctx.asked.noun
    if not noun:
        return e
    covered = _covered(sent, ctx)
    for key in [noun[:k] for k in range(len(noun), 1, -1)] + [noun[-_HEAD:]]:
        k = sent.find(key, e)
        if 0 <= k - e <= ctx.params.slot_noun_reach and all(covered[i] or sent[i] in _PARTICLE for i in range(e, k)):
            return k + len(key)
    return e


def _place_start(sent: str, s: int, ctx: SpanContext) -> int:
    """A span that starts inside a place's name (某某|镇委党校) starts where the name does."""
    if ctx.places is None:
        return s
    p = ctx.params
    for m in ctx.places.finditer(sent, max(0, s - p.slot_place_back), s + p.slot_place_ahead):
        if m.start() < s < m.end() or m.end() == s:
            return m.start()
    return s


def _to_phrase(sent: str, s: int, e: int, ctx: SpanContext) -> tuple[int, int]:
    """Grow a gap to whole words: the asked noun right after it (…化解|工作室), and the noun phrase it ends
    (列入|某某镇委党校, 由|分管副局长)."""
    e = _to_noun(sent, e, ctx)
    start = noun_phrase_before(sent, e)
    if start < s and s - start <= ctx.params.slot_grow_reach and not CLAUSE_BREAK.search(sent[start:s]):
        s = start
    return _place_start(sent, s, ctx), e


_ADDRESSEE = re.compile(rf"^([^，,。；;：:]{{{PARAMS.slot_min_len},{PARAMS.slot_max_len}}})[：:]\s*$")
_ASKS_ADDRESSEE = re.compile(alternation(WORDS["addressee_ask"]))
_NOT_ADDRESSEE = re.compile(alternation(WORDS["addressee_not"]))


def addressee_spans(sent: str, ctx: SpanContext) -> list[Span]:
    """"省人民政府:" above a report's body: the body it is addressed to (报给哪个机关 / 主送单位)."""
    m = _ADDRESSEE.match(sent.strip())
    if not m or not _ASKS_ADDRESSEE.search(ctx.question) or _NOT_ADDRESSEE.search(m.group(1)):
        return []
    s = sent.find(m.group(1))
    return [Span(s, s + len(m.group(1)), 1.0, sure=True)]


_THROUGH_TYPES = (AnswerType.HONOUR, AnswerType.NAME, AnswerType.BODY)  # names whose phrase may run through a
# question word (…市级专业|调解队)


def _gap_candidates(sent: str, ctx: SpanContext) -> dict[tuple[int, int], float]:
    """Candidate spans (with a bonus) grown from the gaps the question's words leave in the sentence."""
    t, p = ctx.asked.type, ctx.params
    cands: dict[tuple[int, int], float] = {}
    for s, e in _gaps(sent, ctx):
        s, e = trim_slot(sent, s, e)
        cands[(s, e)] = 0.0
        # the asked noun belongs to the answer (召开了什么推进会 -> …建设推进会)
        cands.setdefault(trim_slot(sent, *_to_phrase(sent, s, e, ctx)), p.slot_noun_bonus)
        np_end = noun_phrase_after(sent, s, limit=p.slot_np_limit)
        if s + _MIN <= np_end < e:
            cands.setdefault((s, np_end), 0.0)  # the noun phrase the gap starts with (…管理局|开展联合)
        elif e < np_end <= e + p.slot_through_reach and t in _THROUGH_TYPES:
            cands.setdefault((s, np_end), p.slot_through_bonus)  # …市级专业|调解队: on through a question word
        np_start = noun_phrase_before(sent, e)
        if s < np_start <= e - _MIN:
            cands.setdefault((np_start, e), 0.0)  # the noun phrase it ends with (全局形成|法制科)
    return cands


_SHORT_TYPES = (AnswerType.NAME, AnswerType.HONOUR, AnswerType.DOCUMENT, AnswerType.LIST)  # short answers are
# rare for these
_PHRASE_TYPES = (AnswerType.BODY, AnswerType.ROLE, AnswerType.PLACE)  # noun phrases, never clauses


def _length_fit(s: int, e: int, ctx: SpanContext) -> float:
    """1.0 for a right-sized span; a two-character one is short, a longer than most is diluted."""
    p = ctx.params
    short = p.slot_short_named if ctx.asked.type in _SHORT_TYPES else p.slot_short_other
    most = p.slot_full_name_max if _FULL_NAME.search(ctx.question) else p.slot_most  # a full name is as long as it is
    return short if e - s <= _MIN else 1.0 if e - s <= most else most / (e - s)


def _noun_next(sent: str, s: int, e: int, noun: str | None) -> bool:
    """The noun asked for comes next: it belongs to the answer (…建设|推进会)."""
    return bool(noun and len(noun) >= _HEAD and sent.startswith(noun[:_HEAD], e) and sent[s:s + 1] != "“")


def _opens_clause(sent: str, s: int, e: int, ctx: SpanContext) -> bool:
    """哪个基地获评…: the question asks for the subject, and the span is the phrase the clause opens with."""
    noun = ctx.asked.noun
    return bool(ctx.asked.wh_pos == 0 and s == clause_bounds(sent, s)[0] and noun and sent.endswith(noun, s, e))


def _shape(sent: str, s: int, e: int, ctx: SpanContext, bounds: set[int]) -> float:
    """How much the span's shape is worth as an answer of the type asked (1.0: a whole, right-sized phrase)."""
    p = ctx.params
    length = _length_fit(s, e, ctx)
    if s not in bounds or e not in bounds:
        length *= p.slot_cut_word  # a span that cuts a word in half is not an answer
    if noun_phrase_before(sent, e) < s and sent[s - 1:s] not in "“《":
        length *= p.slot_np_left  # the noun phrase goes on to the left (…法治|文化基地)
    if _noun_next(sent, s, e, ctx.asked.noun):
        length *= p.slot_noun_next
    if ctx.asked.type in _PHRASE_TYPES and _inner_verb(sent, s, e):
        length *= p.slot_inner_verb  # a body is a noun phrase, not a clause (全厅形成|法规处)
    if _opens_clause(sent, s, e, ctx):
        length *= p.slot_subject
    return length


def _fit(sent: str, s: int, e: int, ctx: SpanContext) -> float:
    text, p = sent[s:e], ctx.params
    share = p.slot_novelty_share
    return (p.slot_w_frame * _frame(sent, s, e, ctx) + p.slot_w_near * near(sent, s, e, ctx)
            + p.slot_w_clause * clause_cover(sent, s, ctx) + p.slot_w_order * order_fit(sent, s, e, ctx)
            + p.slot_w_type * _type_fit(text, ctx.asked.type, ctx)
            + p.slot_w_says * (share * novelty(text, ctx) + (1 - share) * specific(text, ctx)))


def _word_start(sent: str, s: int, e: int, bounds: set[int], question: str) -> int:
    """A span that starts inside a question word (切实落|实党政…) starts after that word."""
    if s in bounds or sent[s] in "“《":
        return s
    prev = max((b for b in bounds if b < s), default=0)
    nxt = min((b for b in bounds if s < b < e), default=s)
    return nxt if e - nxt >= _MIN and nxt - s <= PARAMS.slot_word_skip and sent[prev:nxt] in question else s


_ITEM_SEP = re.compile(rf"、|》《|”“|[{_chars('item_join')}]")


def _counts_items(ctx: SpanContext) -> bool:
    """哪两个机关: a count of items (two to items_max) is asked, and no list (a list is counted by list_spans)."""
    return 1 < ctx.asked.items <= ctx.params.items_max and ctx.asked.type != AnswerType.LIST


def _items_fit(text: str, ctx: SpanContext) -> float:
    """哪两个机关: a span naming two (A和B) fits better than one naming a single body."""
    want = ctx.asked.items
    if not _counts_items(ctx):
        return 1.0
    n = len(_ITEM_SEP.findall(text)) + 1
    if ctx.asked.type == AnswerType.PLACE and sum(not pm.short for pm in find_places(text)) != n:
        return ctx.params.items_mismatch  # an item that is no place's name (省、某某市和某某市)
    if n == want:
        return 1.0
    return ctx.params.items_mismatch if n > want else ctx.params.items_short  # fewer: 亚运会亚残运会 may be two


_PAIR_JOIN = _chars("pair_join")


def _pairs(sent: str, spans: dict[tuple[int, int], float]) -> dict[tuple[int, int], float]:
    """Two candidate spans joined by 和/与/及/、 as one (for 哪两个 questions)."""
    ends: dict[int, list[tuple[int, int]]] = {}
    for s, e in spans:
        ends.setdefault(e, []).append((s, e))
    out = {}
    for (s2, e2), b2 in spans.items():
        if s2 >= 1 and sent[s2 - 1] in _PAIR_JOIN:
            for s1, e1 in ends.get(s2 - 1, []):
                out[(s1, e2)] = max(spans[(s1, e1)], b2)
    return out


_FULL_NAME = re.compile(alternation(WORDS["full_name"]))


def _full_names(sent: str, ctx: SpanContext) -> list[tuple[int, int]]:
    """…的全称是什么: the whole name that ends in the noun asked, from where its clause starts (after the verb that
    opens it: 调整|某某州深入推进依法行政…工作领导小组), question words and all."""
    noun = ctx.asked.noun or ""
    if len(noun) < _MIN or not _FULL_NAME.search(ctx.question):
        return []
    out = []
    for at in find_all(sent, noun):
        cs, _ = clause_bounds(sent, at)
        toks = pos_cut_cached(sent[cs:at])
        if toks and toks[0][1].startswith(_VERB) and len(toks) > 1:
            cs += len(toks[0][0])
        if at - cs >= _MIN:
            out.append((cs, at + len(noun)))
    return out


def _restates(text: str, question: str) -> bool:
    """The span only says what the question says, maybe behind a verb (贯彻|某某思想 for 把某某思想和哪种思想结合)."""
    if text in question:
        return True
    toks = pos_cut_cached(text)
    k = 0
    while k < len(toks) - 1 and toks[k][1] == _VERB:
        k += 1
    rest = "".join(w for w, _ in toks[k:])
    return k > 0 and len(rest) >= _MIN and rest in question


_QUOTE_TYPES = (AnswerType.NAME, AnswerType.HONOUR)  # a quoted name is likely their answer
_TITLE_TYPES = (AnswerType.NAME, AnswerType.HONOUR)  # a 《title》 may name them too
_TOPIC_TYPES = (AnswerType.NAME, AnswerType.HONOUR, AnswerType.DOCUMENT)  # answers a question may describe by topic


_DOT = re.compile(rf"(?<=[\u4e00-\u9fff])[{_chars('name_dot')}](?=[\u4e00-\u9fff])")


def _dotted(sent: str) -> list[tuple[int, int]]:
    """Names of two parts joined by a middle dot between Chinese words (某某茶话·企业家沙龙), outside quotes."""
    out = []
    for m in _DOT.finditer(sent):
        if inside_marks(sent, m.start()):
            continue
        s, e = noun_phrase_before(sent, m.start()), noun_phrase_after(sent, m.end())
        if m.start() - s >= _MIN and e - m.end() >= _MIN:
            out.append((s, e))
    return out


_AWARD = re.compile(alternation(WORDS["award"]))
_AWARD_END = re.compile(r"[，,。；;：:！!？?]")


def _awarded(sent: str, ctx: SpanContext) -> list[tuple[int, int]]:
    """什么称号 / 获评了什么: what follows a verb of awarding to its clause's end (获评|2023年度某某工作“某某”优秀成果),
    question words and quotes and all: an honour's name runs on through them."""
    if ctx.asked.type != AnswerType.HONOUR:
        return []
    out = []
    for m in _AWARD.finditer(sent):
        stop = _AWARD_END.search(sent, m.end())  # a bracket (综治工作) is part of the name, no break
        s, e = strip_span(sent, m.end(), stop.start() if stop else len(sent))
        if _MIN <= e - s <= ctx.params.slot_max_len:
            out.append((s, e))
    return out


_ENTITY_OF = {AnswerType.BODY: "ORG", AnswerType.PLACE: "LOC"}  # Baidu LAC's entity tags
_JOINS = frozenset("\u3001/")  # the enumeration comma, a slash
_ENTITY_MIN = 2  # characters: a one-character entity is a cut (省, 市)


def _add_shaped(sent: str, ctx: SpanContext, cands: dict[tuple[int, int], float]) -> None:
    """Phrases of the head's or an honour's shape, whole names, places named in full, quoted names, with bonuses."""
    t, p = ctx.asked.type, ctx.params
    for s, e in _head_phrases(sent, ctx):
        cands[strip_span(sent, s, e)] = p.slot_head_bonus
    for s, e in _honour_phrases(sent, ctx):
        cands[strip_span(sent, s, e)] = p.slot_honour_bonus  # …示范县: a phrase of an honour's shape
    for s, e in _awarded(sent, ctx):  # 获评|…: as much an honour's shape, never less than it had
        k = strip_span(sent, s, e)
        cands[k] = max(cands.get(k, 0.0), p.slot_honour_bonus)
    for s, e in _full_names(sent, ctx):
        cands[strip_span(sent, s, e)] = p.slot_full_name_bonus  # 全称: the whole name
    entity = _ENTITY_OF.get(t)
    if entity and not question_pattern("which_several").search(ctx.question):  # 哪些机构: more than one  # a body or a place Baidu LAC tags as one (ORG / LOC): a candidate as it stands, with no bonus,
        toks = tag(sent)  # unless it is one item of several (甲市委、乙市人大常委会: the list answers)
        for i, (s, e, tg) in enumerate(toks):
            joined = any(0 <= j < len(toks) and (toks[j][2] == "c" or sent[toks[j][0]:toks[j][1]] in _JOINS)
                         for j in (i - 1, i + 1))
            if tg == entity and e - s >= _ENTITY_MIN and not joined:
                cands.setdefault((s, e), 0.0)
    if t == AnswerType.PLACE:  # every division the sentence names in full is a candidate
        for pm in find_places(sent):
            if not pm.short:
                cands.setdefault((pm.start, pm.end), p.slot_place_bonus)
    for (s, e), named in _quoted(sent, ctx):
        cands[(s, e)] = named + (p.slot_quote_bonus if t in _QUOTE_TYPES else 0.0)
    for s, e in _dotted(sent):  # 某某茶话·企业家沙龙: a name in two parts, as much a name as a quoted one
        cands.setdefault((s, e), p.slot_quote_bonus if t in _QUOTE_TYPES else 0.0)


def _grown(sent: str, cands: dict[tuple[int, int], float], ctx: SpanContext) -> dict[tuple[int, int], float]:
    """The candidates grown to whole marks and names, an honour with its scope, and pairs when two are asked."""
    grown = {quote_only(sent, *drop_question_tail(sent, *snap_to_marks(sent, s, e), ctx), ctx): b
             for (s, e), b in cands.items()}
    if ctx.asked.type == AnswerType.HONOUR:  # an honour keeps its scope: 全国|党建引领乡村治理试点县
        grown = {_with_scope(sent, s, e): b for (s, e), b in grown.items()}
    if _counts_items(ctx):  # 哪两个市: two names side by side (甲市和乙市)
        grown.update(_pairs(sent, grown))
    return grown


def _candidates(sent: str, ctx: SpanContext) -> dict[tuple[int, int], float]:
    """Every candidate span with its bonus: gaps the question leaves, phrases of the head or honour shape, places,
    quoted names; grown to whole marks and names, and joined in pairs when two are asked."""
    cands = _gap_candidates(sent, ctx)
    _add_shaped(sent, ctx, cands)
    topic = _topic(ctx.question) if ctx.asked.type in _TOPIC_TYPES else None
    if topic:  # 市域社会治理方面的称号: a name that carries the topic's words is about it
        cands = {(s, e): b + (ctx.params.topic_named if topic in sent[s:e] else 0.0) for (s, e), b in cands.items()}
    return _grown(sent, cands, ctx)


def slot_spans(sent: str, ctx: SpanContext) -> list[Span]:
    t, p = ctx.asked.type, ctx.params
    found = addressee_spans(sent, ctx)
    if found:
        return found
    # a question about whom the report is sent to is answered by its addressee line, if it has one
    asks_line = _ASKS_ADDRESSEE.search(ctx.question) and any(w in ctx.question for w in WORDS["report"])
    damp = p.slot_addressee_damp if asks_line else 1.0
    bounds = token_bounds(sent)
    out = []
    for (s, e), bonus in _candidates(sent, ctx).items():
        s = _word_start(sent, s, e, bounds, ctx.question)
        if _MIN <= e - s <= p.slot_max_len and not _restates(sent[s:e], ctx.question):
            score = (_fit(sent, s, e, ctx) * _shape(sent, s, e, ctx, bounds) + bonus) * damp
            out.append(Span(s, e, score * _items_fit(sent[s:e], ctx)))
    if t in _TITLE_TYPES:
        out += [Span(sp.start, sp.end, sp.score * p.slot_title_damp) for sp in title_spans(sent, ctx)]
    return out
