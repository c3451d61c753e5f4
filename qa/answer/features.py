"""Named features of answer candidates: what the fitted scorer (scorer.py) weighs and `qa explain` prints.

The extractor gives each span its sentence-level signals (cover, dense, retrieval, the extractor's own span score,
the gate and the hand-set mix of them, ``hand``). ``enrich`` keeps the best distinct candidates of a question and
adds the signals that compare a candidate with the others and with the question:

========================  =======================================================================================
feature                   meaning
========================  =======================================================================================
hand                      the hand-weighted score of the rule engine (params.py), in [0, 1]
cover / dense / retrieval the sentence's idf-weighted share of the question's words, its dense similarity, the
                          passage's relative retrieval score
dense_rel                 dense similarity scaled to the question's sentences (0 worst, 1 best)
span / gate / sure        the extractor's own score of the span, whether its clause names what is asked, whether
                          its form alone answers (an addressee line for 报给谁)
hand_rank                 1 / (1 + rank by ``hand`` among the distinct candidates, well-formed ones first; a figure
                          counting another noun of the same head (行政处罚案件 for 行政复议案件), or of another unit
                          beside one with the unit and noun asked (97项 beside 8个|领域), never ranks first
hand_gap                  the best ranked candidate's ``hand`` minus this one's
cover_gap / dense_gap     the best sentence's cover / dense minus this sentence's
clause_cover              cover of the clause the span sits in
near                      1 / (1 + distance in characters to the nearest word of the question, / 4)
q_overlap                 share of the span's characters that the question already says (a restatement is no
                          answer)
len_log                   log(1 + length of the span)
unit_fit                  1 unit asked, 0.75 its family, 0.5 nothing to compare, 0 another family (shapes.py)
shape_fit                 how typical the span's form is for the type asked (shapes.py)
support                   log(1 + how many other sentences give the same span)
word_cut / np_exact       the span's ends against the sentence's words and noun phrases (Baidu LAC, tagging.py):
np_part / verb_share      ends inside a word, a whole noun phrase, a piece of a longer one, share of verbs
cover_max / dense_max     the best sentence's cover and dense similarity: how answerable the question looks at all
========================  =======================================================================================
"""
from __future__ import annotations

import math
from collections import Counter

from index.text import pos_cut_cached
from qa.answer.context import SpanContext
from qa.answer.quantity import PART_OF, TOTAL_ASK
from qa.answer.shapes import Shape, shape, unit_fit
from qa.answer.spans import NUMBER_RE, SpanCandidate, clause_bounds
from qa.answer.tagging import boundary_features
from qa.answer.types import QUANTITY_TYPES

FEATURES = ("hand", "cover", "dense", "dense_rel", "retrieval", "span", "gate", "sure", "hand_rank", "hand_gap",
            "cover_gap", "dense_gap", "clause_cover", "near", "q_overlap", "len_log", "unit_fit", "shape_fit",
            "support", "cover_max", "dense_max", "word_cut", "np_exact", "np_part", "verb_share")
# features that need a query vector: absent (not zero) when only BM25 runs, so the scorer treats them as unknown
DENSE_FEATURES = ("dense", "dense_rel", "dense_gap", "dense_max")


def _near(sent: str, s: int, e: int, ctx: SpanContext) -> float:
    best = None
    for ps, pe, _w in ctx.terms.positions(sent, subwords=False):
        if pe <= s:
            d = s - pe
        elif ps >= e:
            d = ps - e
        else:
            continue  # the question's word inside the span: no distance to measure
        best = d if best is None else min(best, d)
    return 0.0 if best is None else 1.0 / (1.0 + best / ctx.params.feature_near_reach)


def _distinct(spans: list[SpanCandidate], limit: int) -> list[SpanCandidate]:
    """The first ``limit`` candidates of distinct, non-blank text."""
    out: list[SpanCandidate] = []
    seen: set[str] = set()
    for sp in spans:
        if sp.text in seen or not sp.text.strip():
            continue
        seen.add(sp.text)
        out.append(sp)
        if len(out) >= limit:
            break
    return out


def _other_noun(sp: SpanCandidate, ctx: SpanContext) -> bool:
    """A figure that counts the asked noun's head under another name: 办理行政处罚案件326件 when 行政复议案件 are
    asked, in a sentence (and heading) that never names what is asked (``gate`` 0). It is another quantity."""
    counted = ctx.asked.counted
    if sp.features.get("gate", 1.0) > 0 or not counted or len(counted) < 4:
        return False
    sent = sp.sentence.text
    s = sp.start - sp.sentence.start
    cs, _ce = clause_bounds(sent, s)
    return counted[-2:] in sent[cs:s]


def _counts_asked(sp: SpanCandidate, ctx: SpanContext) -> bool:
    """The figure carries the unit asked and the question's own counted noun right after it (8个|领域)."""
    unit, counted = ctx.asked.unit, ctx.asked.counted
    m = NUMBER_RE.match(sp.text)
    if not (unit and counted and m and m.group("unit") == unit):
        return False
    sent, e = sp.sentence.text, sp.start - sp.sentence.start + m.end()
    return sent.startswith(counted, e)


def _other_count(sp: SpanCandidate, fit: float, out: list[SpanCandidate], ctx: SpanContext) -> bool:
    """多少个领域 -> 8个领域97项轻微违法行为…: a figure of another unit family than the one asked, in a sentence where
    another figure carries the unit asked and the asked noun, counts something else (97项 counts the offences)."""
    if fit != 0.0 or ctx.asked.items > 1:  # 几个方面多少项措施 asks both figures
        return False
    return any(o is not sp and o.sentence is sp.sentence and _counts_asked(o, ctx) for o in out)




def _part_not_asked(sp: SpanCandidate, out: list[SpanCandidate], ctx: SpanContext) -> bool:
    """一共收到多少件 -> 收到申请438件,其中|受理402件: a figure after 其中 is a part of a figure before it (of the same
    unit, also a candidate); a question that asks for a total and does not name what sets the part apart (受理) asks
    for the whole. (Without a total asked, a part is often asked in other words: 被推翻的 for 其中撤销.)"""
    total = any(w in ctx.question for w in TOTAL_ASK)
    m = NUMBER_RE.match(sp.text) if total and ctx.asked.type in QUANTITY_TYPES else None
    sent, s = sp.sentence.text, sp.start - sp.sentence.start
    k, word = max(((sent.rfind(w, 0, s), w) for w in PART_OF), default=(-1, ""))
    if not m or k <= 0:
        return False
    whole = [o for o in out if o.sentence is sp.sentence and o.start - o.sentence.start < k
             and (om := NUMBER_RE.match(o.text)) is not None and om.group("unit") == m.group("unit")]
    if not whole:
        return False
    said = sent[:k]
    prev = max((x.end() for x in NUMBER_RE.finditer(sent, k, s)), default=k + len(word))
    own = [w for w, _f in pos_cut_cached(sent[prev:s]) if len(w) > 1 and w not in said]
    return bool(own) and not any(w in ctx.question for w in own)


def _ranks(out: list[SpanCandidate], shapes: list[Shape], ctx: SpanContext) -> tuple[dict[int, int], float]:
    """Each candidate's rank by ``hand`` among the ranked ones, and the best ranked score.

    Rank and gap count the well-formed candidates only: a span of the wrong shape is never answered, so it must not
    push the first well-formed one down; nor is a figure of another noun (``_other_noun``) a first choice even
    when nothing better exists. The others rank after all of them (a figure of another noun from rank 1 on);
    equal scores share a rank (a span and the noun phrase it is a piece of)."""
    other = [_other_noun(sp, ctx) or _other_count(sp, unit_fit(sp.text, ctx.asked)[0], out, ctx)
             or _part_not_asked(sp, out, ctx) for sp in out]
    ranked = [sh.ok and not o for sh, o in zip(shapes, other, strict=True)]
    ok_scores = [sp.score for sp, r in zip(out, ranked, strict=True) if r]
    rank_of = {i: sum(v > sp.score for v in ok_scores) if ranked[i] else len(ok_scores) + i + other[i]
               for i, sp in enumerate(out)}
    return rank_of, max(ok_scores, default=out[0].score if out else 0.0)


def _span_features(sp: SpanCandidate, ctx: SpanContext) -> dict[str, float]:
    """The features of one candidate that look at its own span, its clause and the question."""
    sent = sp.sentence.text
    s, e = sp.start - sp.sentence.start, sp.end - sp.sentence.start
    cs, ce = clause_bounds(sent, s)
    q = set(ctx.question)
    return {
        "clause_cover": ctx.terms.cover(None, sent[cs:max(ce, e)]), "near": _near(sent, s, e, ctx),
        "q_overlap": sum(ch in q for ch in sp.text) / max(len(sp.text), 1),
        "len_log": math.log1p(len(sp.text)), "unit_fit": unit_fit(sp.text, ctx.asked)[0],
    }


def enrich(spans: list[SpanCandidate], ctx: SpanContext, limit: int, dense: bool = True) -> list[SpanCandidate]:
    """The ``limit`` best distinct candidates (by ``hand``), each with every feature of FEATURES and the shape
    verdict in ``features['shape_ok']``."""
    support = Counter(sp.text for sp in spans)
    sents = {(sp.sentence.pidx, sp.sentence.start): sp.sentence for sp in spans}
    cover_max = max((c.cover for c in sents.values()), default=0.0)
    dense_max = max((c.dense for c in sents.values()), default=0.0)
    out = _distinct(spans, limit)
    shapes = [shape(sp.text, ctx.asked) for sp in out]
    rank_of, best = _ranks(out, shapes, ctx)
    for i, sp in enumerate(out):
        sh = shapes[i]
        sp.features.update({
            "hand_rank": 1.0 / (1.0 + rank_of[i]), "hand_gap": best - sp.score,
            "cover_gap": cover_max - sp.sentence.cover, "dense_gap": dense_max - sp.sentence.dense,
            **_span_features(sp, ctx), "shape_fit": sh.fit, "support": math.log1p(max(support[sp.text] - 1, 0)),
            "cover_max": cover_max, "dense_max": dense_max, "shape_ok": float(sh.ok),
        })
        sent = sp.sentence.text
        sp.features.update(boundary_features(sent, sp.start - sp.sentence.start, sp.end - sp.sentence.start))
        if not dense:
            for k in DENSE_FEATURES:
                sp.features.pop(k, None)
    return out
