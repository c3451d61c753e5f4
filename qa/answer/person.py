"""Personal names, preferably next to the title the question asks about (市委书记 | 某某某)."""
from __future__ import annotations

from index.text import pos_cut_cached as pos_cut
from index.text import tokenize_cached as tokenize
from qa.answer.context import SpanContext
from qa.answer.scoring import clause_cover, near, novelty
from qa.answer.spans import Span, clause_bounds
from qa.answer.tagging import chunks
from qa.lexicon import words

TITLE_WORDS = ("书记", "市长", "县长", "区长", "州长", "主任", "局长", "厅长", "部长", "院长", "主席", "委员", "秘书长",
               "副市长", "副县长", "副区长", "检察长", "庭长", "组长", "负责人", "同志", "领导", "教授", "专家",
               "律师", "博士")
_NAME_END = set("，,、。；;（(“")


def _tokens(sent: str) -> list[tuple[int, int, str, str]]:
    """POS tokens with offsets; a surname split from its given name (周 | 文澜) is joined back."""
    pos = 0
    offs: list[tuple[int, int, str, str]] = []
    for w, f in pos_cut(sent):
        if offs and f.startswith("nr") and offs[-1][3].startswith("nr") and len(offs[-1][2]) == 1 \
                and len(offs[-1][2]) + len(w) <= 4:
            ps, _, pw, _ = offs.pop()
            offs.append((ps, pos + len(w), pw + w, "nr"))
        else:
            offs.append((pos, pos + len(w), w, f))
        pos += len(w)
    return offs


def _full_name(sent: str, s: int, e: int) -> int:
    """A two-character name the tagger cut short (陈云 | 良): take the third character when a boundary or a
    title follows it."""
    if e - s == 2 and e < len(sent) and "\u4e00" <= sent[e] <= "\u9fff":
        rest = sent[e + 1:e + 3]
        if not rest or rest[0] in _NAME_END or any(rest.startswith(t[:2]) for t in TITLE_WORDS) \
                or rest[:1] in "作为就在主等":
            return e + 1
    return e


def person_spans(sent: str, ctx: SpanContext) -> list[Span]:
    out: list[Span] = []
    q = ctx.question
    for s, e, w, f in _tokens(sent):
        if f not in ("nr", "nrfg", "nrt") or not (2 <= len(w) <= 4) or w in q:
            continue
        e = _full_name(sent, s, e)
        before = sent[max(0, s - 8):s]
        # the longest end of the text before the name that the question also says (市委书记 | 某某某)
        said = max((k for k in range(1, len(before) + 1) if before[-k:] in q), default=0)
        title_near = min(said / 3.0, 1.0) if said >= 2 else (0.3 if any(t in before for t in TITLE_WORDS) else 0.0)
        cs, ce = clause_bounds(sent, s)
        local = ctx.terms.cover(set(tokenize(sent[cs:ce])), sent[cs:ce])
        out.append(Span(s, e, 0.5 * title_near + 0.3 * local + 0.2))
    return out


def role_phrase_spans(sent: str, ctx: SpanContext) -> list[Span]:
    """Noun phrases of the sentence that end in a role word (role_heads.txt): 由谁 / 是谁 is as often answered by a
    post (市委主要领导, 班子成员) as by a person's name. Scored by closeness to the question's words, the clause's
    share of them and how much the phrase says that the question does not."""
    heads = words("role_heads.txt")
    out = []
    for a, b in chunks(sent):
        text = sent[a:b]
        if len(text) < 2 or text in ctx.question or text in heads or not any(text.endswith(h) for h in heads):
            continue
        score = 0.4 * near(sent, a, b, ctx) + 0.3 * clause_cover(sent, a, ctx) + 0.3 * novelty(text, ctx)
        out.append(Span(a, b, score))
    return out


def person_or_role_spans(sent: str, ctx: SpanContext) -> list[Span]:
    """谁: a person's name, or a post that ends in a role word (only a name when the name is asked: 叫什么名字)."""
    if any(w in ctx.question for w in words("name_asks.txt")):
        return person_spans(sent, ctx)
    return person_spans(sent, ctx) + role_phrase_spans(sent, ctx)
