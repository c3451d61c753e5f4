"""Personal names, preferably next to the title the question asks about (市委书记 | 某某某)
(words: person_words.tsv, role_heads.txt, name_asks.txt)."""
from __future__ import annotations

import re

from index.text import pos_cut_cached as pos_cut
from index.text import tokenize_cached as tokenize
from qa.answer.context import SpanContext
from qa.answer.params import PARAMS, Params
from qa.answer.scoring import clause_cover, near, novelty
from qa.answer.spans import Span, clause_bounds
from qa.answer.tagging import NP_TAGS, PERSON_TAG, chunks, tag
from qa.lexicon import groups, words

WORDS = groups("person_words.tsv")
TITLE_WORDS = WORDS["title"]
_NAME_END = set("，,、。；;（(“")
_NAME_FOLLOW = "".join(WORDS["name_follow"])
_NAME_TAGS = ("nr", "nrfg", "nrt")  # jieba's tags of personal names
_HAN = re.compile(r"[\u4e00-\u9fff]")  # a Chinese character


def _tokens(sent: str) -> list[tuple[int, int, str, str]]:
    """POS tokens with offsets; a surname split from its given name (周 | 文澜) is joined back."""
    pos = 0
    offs: list[tuple[int, int, str, str]] = []
    for w, f in pos_cut(sent):
        if offs and f.startswith("nr") and offs[-1][3].startswith("nr") and len(offs[-1][2]) == 1 \
                and len(offs[-1][2]) + len(w) <= PARAMS.name_max_len:
            ps, _, pw, _ = offs.pop()
            offs.append((ps, pos + len(w), pw + w, "nr"))
        else:
            offs.append((pos, pos + len(w), w, f))
        pos += len(w)
    return offs


def _full_name(sent: str, s: int, e: int) -> int:
    """A two-character name the tagger cut short (陈云 | 良): take the third character when a boundary or a
    title follows it."""
    if e - s == PARAMS.name_min_len and e < len(sent) and _HAN.match(sent[e]):
        rest = sent[e + 1:e + 3]  # the two characters after the third
        if not rest or rest[0] in _NAME_END or any(rest.startswith(t[:2]) for t in TITLE_WORDS) \
                or rest[:1] in _NAME_FOLLOW:
            return e + 1
    return e


def _title_near(before: str, q: str, p: Params) -> float:
    """How well the text before a name places it: the longest end of it the question also says (市委书记 | 某某某),
    else a title word in it."""
    said = max((k for k in range(1, len(before) + 1) if before[-k:] in q), default=0)
    if said >= p.person_said_min:
        return min(said / p.person_said_full, 1.0)
    return p.person_title_near if any(t in before for t in TITLE_WORDS) else 0.0


def person_spans(sent: str, ctx: SpanContext) -> list[Span]:
    out: list[Span] = []
    q, p = ctx.question, ctx.params
    for s, e, w, f in _tokens(sent):
        if f not in _NAME_TAGS or not (p.name_min_len <= len(w) <= p.name_max_len) or w in q:
            continue
        e = _full_name(sent, s, e)
        title_near = _title_near(sent[max(0, s - p.person_before_reach):s], q, p)
        cs, ce = clause_bounds(sent, s)
        local = ctx.terms.cover(set(tokenize(sent[cs:ce])), sent[cs:ce])
        out.append(Span(s, e, p.person_w_title * title_near + p.person_w_clause * local + p.person_base))
    return out


def _post_runs(sent: str, heads: tuple[str, ...] | list[str]) -> list[tuple[int, int]]:
    """Posts Baidu LAC splits at a modifier or a verb inside them (省政府|主要|负责|同志): from a word ending in a
    role word back over nouns and at most ``_POST_INNER`` short adverbs or verbs, to the first noun of the run.
    None in a sentence that names a person: there the name answers 谁."""
    toks = tag(sent)
    if any(t == PERSON_TAG for _a, _b, t in toks):
        return []
    out = []
    for i, (a, b, _t) in enumerate(toks):
        if not any(sent.endswith(h, a, b) for h in heads):
            continue
        j, inner = i, 0
        while j > 0:
            pa, pb, pt = toks[j - 1]
            if pt in NP_TAGS:
                j -= 1
            elif pt in _POST_INNER_TAGS and pb - pa <= _POST_INNER_LEN and inner < _POST_INNER:
                inner += 1
                j -= 1
            else:
                break
        while j < i and toks[j][2] not in NP_TAGS:
            j += 1
        if j < i:
            out.append((toks[j][0], b))
    return out


_POST_INNER_TAGS = frozenset({"ad", "d", "v", "vd"})  # LAC: adverbs and verbs inside a post (主要|负责)
_POST_INNER = 2  # such words a post holds at most
_POST_INNER_LEN = 2  # characters each


def role_phrase_spans(sent: str, ctx: SpanContext) -> list[Span]:
    """Noun phrases of the sentence that end in a role word (role_heads.txt): 由谁 / 是谁 is as often answered by a
    post (市委主要领导, 班子成员) as by a person's name. A role word alone answers only when it is longer than
    two characters (班子成员 does, 党员 / 人员 alone say nothing). Scored by closeness to the question's words, the
    clause's share of them and how much the phrase says that the question does not."""
    heads = words("role_heads.txt")
    out = []
    for a, b in dict.fromkeys([*chunks(sent), *_post_runs(sent, heads)]):
        text = sent[a:b]
        bare = text in heads and len(text) <= PARAMS.slot_min_len  # 党员 alone
        if len(text) <= 1 or bare or text in ctx.question or not any(text.endswith(h) for h in heads):
            continue
        p = ctx.params
        score = (p.role_w_near * near(sent, a, b, ctx) + p.role_w_clause * clause_cover(sent, a, ctx)
                 + p.role_w_novelty * novelty(text, ctx))
        out.append(Span(a, b, score))
    return out


def person_or_role_spans(sent: str, ctx: SpanContext) -> list[Span]:
    """谁: a person's name, or a post that ends in a role word (only a name when the name is asked: 叫什么名字)."""
    if any(w in ctx.question for w in words("name_asks.txt")):
        return person_spans(sent, ctx)
    return person_spans(sent, ctx) + role_phrase_spans(sent, ctx)
