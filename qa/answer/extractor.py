"""From retrieved passages to ranked answers: score each sentence, find spans of the type asked, rank them.

Usage::

    ex = Extractor(index, weights, places)
    answers = ex.answers(question, info, hits, query_vector)   # list[Answer], best first, document offsets
"""
from __future__ import annotations

import re
from dataclasses import replace

import numpy as np

from index.store import LoadedIndex
from index.text import tokenize_cached
from qa.answer.context import SpanContext
from qa.answer.features import enrich
from qa.answer.params import PARAMS, Params
from qa.answer.registry import EXTRACTORS, FIGURE_TYPES
from qa.answer.scorer import Scorer
from qa.answer.shapes import lead_count_end
from qa.answer.spans import SentenceCandidate, SpanCandidate, balance_marks
from qa.answer.tagging import after_question_verb, drop_lead_words, end_at_word, widenings
from qa.answer.terms import QuestionTerms, TermWeights
from qa.answer.types import AnswerType, Asked
from qa.lexicon import alternation, groups
from qa.models import Answer, Citation, QueryInfo

# a question about the report itself (its number, addressee, signature date) is answered by the lines above
# and below its body, whatever the retriever ranked
_ABOUT_REPORT = re.compile(alternation(groups("extract_words.tsv")["about_report"]))


# answers that are one noun phrase (an honour, a body, a role, a name): the whole phrase a candidate is a piece of
# is a candidate too (tagging.widenings); a place is cut at its level instead (registry._place)
PHRASE_TYPES = frozenset({AnswerType.NAME, AnswerType.HONOUR, AnswerType.BODY, AnswerType.ROLE})
# answers that never open with a function word (以及|甲、乙; 根据|某某办公厅): figures, dates, titles and clauses may
_NO_LEAD_TYPES = PHRASE_TYPES | {AnswerType.LIST, AnswerType.PLACE, AnswerType.PERSON}
# answers that follow the question's verb (召开了哪些会议 -> 召开|甲会议、乙会议): the verb is cut off their front
_AFTER_VERB_TYPES = frozenset({AnswerType.LIST})
# answers that may hold a “name” or 《title》 but never half of one (a place or a person is cut at the mark instead)
_BALANCED_TYPES = PHRASE_TYPES | {AnswerType.LIST, AnswerType.DOCUMENT}


def widen(spans: list[SpanCandidate], limit: int) -> list[SpanCandidate]:
    """The first ``limit`` distinct spans, each followed by the noun phrases it is a piece of (same scores)."""
    out: list[SpanCandidate] = []
    seen: set[str] = set()
    for i, sp in enumerate(spans):
        if len(seen) >= limit:
            return out + spans[i:]
        out.append(sp)
        seen.add(sp.text)
        sent = sp.sentence
        for a, b in widenings(sent.text, sp.start - sent.start, sp.end - sent.start):
            text = sent.text[a:b]
            if text not in seen:
                out.append(replace(sp, start=sent.start + a, end=sent.start + b, text=text,
                                   features=dict(sp.features)))
    return out


class Extractor:
    def __init__(self, index: LoadedIndex, weights: TermWeights, places: re.Pattern[str] | None,
                 params: Params = PARAMS, scorer: Scorer | None = None) -> None:
        self.index, self.weights, self.places, self.params = index, weights, places, params
        self.scorer = scorer
        self._sent_rows: dict[int, list[int]] = {}
        for r, row in enumerate(index.sentences):
            self._sent_rows.setdefault(int(row[0]), []).append(r)
        self._tokcache: dict[int, set[str]] = {}

    def _tokens(self, row: int, text: str) -> set[str]:
        toks = self._tokcache.get(row)
        if toks is None:
            toks = set(tokenize_cached(text))
            if len(self._tokcache) < self.params.token_cache_size:
                self._tokcache[row] = toks
        return toks

    def _with_matter(self, hits: list) -> list:
        """Add the title/number/addressee and signature/date passages of the hit reports (score of their
        report's best hit)."""
        from qa.retrieve import Scored

        idx = self.index
        best: dict[str, float] = {}
        for h in hits:
            best.setdefault(idx.passages[h.idx].doc_id, h.score)
        seen = {h.idx for h in hits}
        extra = []
        for i, p in enumerate(idx.passages):
            if p.doc_id in best and i not in seen and p.section == [idx.documents[p.doc_id].meta.title]:
                extra.append(Scored(i, best[p.doc_id], 0.0, 0.0))
        return list(hits) + extra

    def sentences(self, terms: QuestionTerms, hits, qvec: np.ndarray | None) -> list[SentenceCandidate]:
        """Every sentence of the hit passages with its cover, dense similarity and relative retrieval score."""
        idx = self.index
        top = hits[0].score or 1.0 if hits else 1.0
        out = []
        for h in hits:
            p = idx.passages[h.idx]
            text = idx.documents[p.doc_id].clean_text
            for r in self._sent_rows.get(h.idx, []):
                _, ss, se = (int(x) for x in idx.sentences[r])
                st = text[ss:se]
                cover = terms.cover(self._tokens(r, st), st, p.section_path)
                vecs = idx.sentence_vectors
                dense = 0.0
                if qvec is not None and vecs is not None:
                    dense = float(np.asarray(vecs[r], dtype=np.float32) @ qvec)
                out.append(SentenceCandidate(h.idx, ss, se, st, max(h.score, 0.0) / top, cover, dense))
        return out

    def _heading(self, pidx: int, start: int) -> str:
        """The innermost heading above a sentence, and the short lead sentence before it (二是强化行政复议与应诉。)."""
        p = self.index.passages[pidx]
        text = self.index.documents[p.doc_id].clean_text
        cut = max(text.rfind(ch, 0, max(start - 1, 0)) for ch in "。\n；;")
        lead = text[cut + 1:start]
        return (p.section[-1] if p.section else "") + "|" + (lead if len(lead) <= self.params.lead_max_len else "")

    def spans(self, ctx: SpanContext, sents: list[SentenceCandidate]) -> list[SpanCandidate]:
        p = self.params
        dens = [c.dense for c in sents]
        lo, hi = min(dens), max(dens)
        figure = ctx.asked.type in FIGURE_TYPES
        wc, wd, wr, ws = ((p.figure_w_cover, p.figure_w_dense, p.figure_w_retrieval, p.figure_w_span) if figure else
                          (p.span_w_cover, p.span_w_dense, p.span_w_retrieval, p.span_w_span))
        extract = EXTRACTORS[ctx.asked.type]
        no_lead = ctx.asked.type in _NO_LEAD_TYPES
        balance = ctx.asked.type in _BALANCED_TYPES
        whole_words = ctx.asked.type in PHRASE_TYPES
        after_verb, question = ctx.asked.type in _AFTER_VERB_TYPES, ctx.question
        out = []
        for c in sents:
            dense_rel = (c.dense - lo) / (hi - lo) if hi > lo else p.dense_rel_flat
            heading_names_it = None
            for sp in extract(c.text, ctx):
                if after_verb:
                    sp = sp._replace(start=after_question_verb(c.text, sp.start, sp.end, question))
                if no_lead:
                    sp = sp._replace(start=drop_lead_words(c.text, sp.start, sp.end))
                if balance:
                    a, b = balance_marks(c.text, sp.start, sp.end)
                    sp = sp._replace(start=a, end=b)
                if whole_words:
                    sp = sp._replace(end=end_at_word(c.text, sp.end))
                    cut = lead_count_end(c.text[sp.start:sp.end])  # 16个|某某基地: the count is no part of the name
                    if cut and sp.end - sp.start - cut >= p.body_min_len:
                        sp = sp._replace(start=sp.start + cut)
                g = sp.gate
                if g == 0.0:  # the sentence never names what is asked: the heading above it may (二是强化行政复议…)
                    if heading_names_it is None:
                        heading_names_it = ctx.terms.has_key_noun(self._heading(c.pidx, c.start)) > 0
                    g = 1.0 if heading_names_it else 0.0
                gate = p.gate_floor + (1 - p.gate_floor) * g
                total = (wc * c.cover + wd * dense_rel + wr * c.score + ws * sp.score) * gate
                if sp.sure:  # its form answers the question; the sentence has none of the question's words
                    total = max(total, p.sure_floor)
                hand = float(min(max(total, 0.0), 1.0))
                feats = {"hand": hand, "cover": c.cover, "dense": c.dense, "dense_rel": dense_rel,
                         "retrieval": c.score, "span": sp.score, "gate": g, "sure": float(sp.sure)}
                out.append(SpanCandidate(c.start + sp.start, c.start + sp.end, c.text[sp.start:sp.end],
                                         hand, c, ctx.asked.type.value, feats))
        out.sort(key=lambda x: -x.score)
        return out

    def candidates(self, question: str, info: QueryInfo, asked: Asked, hits,
                   qvec: np.ndarray | None) -> list[SpanCandidate]:
        """The best distinct candidates by the rule engine's hand-set score, each with its named features."""
        drop = {asked.unit} if asked.unit else set()
        terms = QuestionTerms(info.focus, question, self.weights, drop)
        if qvec is not None and self.index.sentence_vectors is None:
            qvec = None
        if _ABOUT_REPORT.search(question):
            hits = self._with_matter(hits)
        sents = self.sentences(terms, hits, qvec)
        if not sents:
            return []
        ctx = SpanContext(question, asked, terms, self.weights, self.places, self.params)
        spans = self.spans(ctx, sents)
        if asked.type in PHRASE_TYPES:
            spans = widen(spans, self.params.scored_candidates)
        return enrich(spans, ctx, self.params.scored_candidates, dense=qvec is not None)

    def rank(self, cands: list[SpanCandidate], asked: Asked) -> list[SpanCandidate]:
        """Candidates of a well-formed shape, best first by the fitted scorer's probability (the hand-set score
        when no scorer is fitted)."""
        if self.scorer is None or asked.type == AnswerType.OPEN:
            # an open question's answer is a clause that no exact span labels: the scorer is not fitted on them
            return [c for c in cands if c.features["shape_ok"]]
        figure = asked.type in FIGURE_TYPES
        out = [replace(c, score=self.scorer.prob(c.features, figure)) for c in cands if c.features["shape_ok"]]
        out.sort(key=lambda c: -c.score)
        return out

    def answers(self, question: str, info: QueryInfo, asked: Asked, hits, qvec: np.ndarray | None,
                limit: int = PARAMS.answers_shown) -> list[Answer]:
        return self._answers(self.rank(self.candidates(question, info, asked, hits, qvec), asked), limit)

    def _answers(self, spans: list[SpanCandidate], limit: int) -> list[Answer]:
        idx = self.index
        out: list[Answer] = []
        seen: set[str] = set()
        for sp in spans:
            if sp.text in seen or not sp.text.strip():
                continue
            seen.add(sp.text)
            p = idx.passages[sp.sentence.pidx]
            m = idx.documents[p.doc_id].meta
            cit = Citation(doc_id=p.doc_id, title=m.title, region=m.region, year=m.year, passage_id=p.passage_id,
                           start=sp.start, end=sp.end, sentence_start=sp.sentence.start,
                           sentence_end=sp.sentence.end, section=p.section_path)
            out.append(Answer(text=sp.text, score=round(sp.score, self.params.score_digits), sentence=sp.sentence.text,
                              citation=cit, kind=sp.kind))
            if len(out) >= limit:
                break
        return out
