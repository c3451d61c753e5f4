"""Question terms: the question's content words with idf weights and the report words that satisfy them.

A sentence's *cover* is the idf-weighted share of the question's words it contains (everyday words count through
the synonym table, compound words partly through their jieba sub-words); every extractor scores spans with it.
"""
from __future__ import annotations

import math
import re
from typing import NamedTuple

import numpy as np

from index.text import find_all
from index.text import pos_cut_cached as pos_cut
from index.text import tokenize_cached as tokenize
from qa.answer.params import PARAMS
from qa.answer.synonyms import synonyms
from qa.answer.types import counted_noun
from qa.lexicon import listed
from qa.question.rules import question_pattern

_WH = question_pattern("wh_terms")

# one-character verbs people use for a report's two-character one (输 -> 败诉, 审 -> 审查, 办 -> 办理)
_ONE_CHAR_VERBS = frozenset(listed("q_one_char_verbs"))
_COUNTED_AFTER = question_pattern("counted_after_ask")  # 多少个|公共法律服务工作室
_COUNTED_AFTER_TAGS = listed("q_noun_tags", "counted_after")
_THING_TAGS = listed("q_noun_tags", "thing")


def _last_verb(text: str, words: list[tuple[int, int]]) -> int | None:
    """Offset of the last verb in ``text`` that is not inside a question word (法律|援助 is one noun)."""
    pos, last = 0, None
    for w, f in pos_cut(text):
        inside = any(a < pos < b for a, b in words)
        if f == "v" and (len(w) >= 2 or w in _ONE_CHAR_VERBS) and not inside:
            last = pos
        pos += len(w)
    return last


def _is_verb(word: str) -> bool:
    tags = [f for _w, f in pos_cut(word)]
    return bool(tags) and tags[-1] == "v"


class TermWeights:
    """idf of jieba tokens, read off the BM25 index (document frequency = postings per token)."""

    def __init__(self, vocab: dict[str, int], indptr: np.ndarray, n_docs: int) -> None:
        df = np.diff(np.asarray(indptr))
        self.vocab, self.n = vocab, max(n_docs, 1)
        self.df = df
        half = PARAMS.idf_half
        self.max_idf = math.log(1 + (self.n + half) / half)

    def idf(self, tok: str) -> float:
        i = self.vocab.get(tok)
        if i is None or i >= len(self.df):
            return self.max_idf
        d = float(self.df[i])
        half = PARAMS.idf_half
        return math.log(1 + (self.n - d + half) / (d + half))


class Slot(NamedTuple):
    """One content word of the question: its weight, the word, report words that satisfy it (synonym table),
    and its jieba sub-words with their idf."""

    weight: float
    term: str
    alts: set[str]
    subs: list[tuple[str, float]]


def _phrase_alts(question: str) -> dict[str, set[str]]:
    """Report words for the everyday phrases of ``question`` and their sub-words."""
    out: dict[str, set[str]] = {}
    for phrase, terms in synonyms():
        if phrase in question:
            for t in (phrase, *tokenize(phrase)):
                out.setdefault(t, set()).update(terms)
    return out


def _in_range(at: list[int], t0: int, t1: int) -> list[int]:
    """The slots whose word is found in the question between ``t0`` and ``t1``."""
    return [i for i, p in enumerate(at) if t0 <= p < t1 and p >= 0]


def _counted_range(question: str, wh_pos: int) -> tuple[int, int] | None:
    """Where the question says what it counts after its question word: the noun right after 多少 + a measure word
    (多少个|公共法律服务工作室), else the counted noun after a measure word of two characters (多少人次|执法人员)."""
    tail = _COUNTED_AFTER.match(question[wh_pos:])
    if tail and pos_cut(tail.group(1))[0][1].startswith(_COUNTED_AFTER_TAGS):
        return wh_pos + tail.start(1), wh_pos + tail.end(1)
    counted, _whole = counted_noun(question[wh_pos:])
    if counted:  # 多少人次|执法人员, 多少辆|出租车(的顶灯)
        t0 = question.find(counted, wh_pos)
        return t0, t0 + len(counted)
    return None


def _verb_phrase_keys(question: str, wh_pos: int, at: list[int], terms: list[str]) -> list[int]:
    verb = _last_verb(question[:wh_pos], [(a, a + len(t)) for a, t in zip(at, terms, strict=True) if a >= 0])
    keys = [] if verb is None else [i for i, p in enumerate(at) if verb <= p < wh_pos]
    counted = _counted_range(question, wh_pos)
    if counted:
        keys += _in_range(at, *counted)
    return keys


def _alts(term: str, subs: list[tuple[str, float]], phrase_alts: dict[str, set[str]]) -> set[str]:
    """Report words that satisfy ``term``: those of the phrases it or its sub-words are, or that hold it."""
    alts: set[str] = set()
    for key in [term] + [t for t, _ in subs]:
        alts |= phrase_alts.get(key, set())
    if len(term) > 1:
        for phrase, report_words in phrase_alts.items():
            if term in phrase:
                alts |= report_words
    return alts


def _credit(slot: Slot, text: str, toks: set[str]) -> float:
    """How far ``text`` satisfies one question word: 1.0 itself or a synonym, partly through its sub-words."""
    _w, term, alts, subs = slot
    if term in text or any(a in text for a in alts):
        return 1.0
    if len(subs) <= 1:
        return 0.0
    tot = sum(x for _, x in subs) or 1.0
    return PARAMS.sub_word_credit * sum(x for t, x in subs if t in toks) / tot


class QuestionTerms:
    """The question's content words ("slots"), each with a weight and the report words that satisfy it.

    A slot is satisfied by the word itself, by a report word the synonym table maps it to, or partly by its
    jieba sub-words (行政复议 -> 行政, 复议).
    """

    def __init__(self, focus: list[str], question: str, weights: TermWeights, drop: set[str]) -> None:
        self.weights = weights
        self.question = question
        phrase_alts = _phrase_alts(question)
        wh = _WH.search(question)
        wh_pos = wh.start() if wh else None
        self.slots: list[Slot] = []
        for term in dict.fromkeys(focus):
            if term not in drop:
                self.slots.append(self._slot(term, phrase_alts, wh_pos))
        self.total = sum(x[0] for x in self.slots) or 1.0
        self.key = self._key_slots(question, wh_pos)

    def _slot(self, term: str, phrase_alts: dict[str, set[str]], wh_pos: int | None) -> Slot:
        weights, p = self.weights, PARAMS
        subs = [(t, weights.idf(t)) for t in tokenize(term)] or [(term, weights.idf(term))]
        alts = _alts(term, subs, phrase_alts)
        w = max(x for _, x in subs) * (1.0 if len(term) > 1 else p.single_char_weight)
        # words next to the question word name what is asked (…的考核标准是多少): weigh them more
        at = self.question.find(term)
        if wh_pos is not None and at >= 0:
            dist = max(wh_pos - (at + len(term)), at - wh_pos, 0)
            w *= 1.0 + p.near_wh_boost / (1.0 + dist / p.near_wh_reach)
        return Slot(w, term, alts, subs)

    def _generic(self, term: str) -> bool:
        """A word too frequent to name what is asked on its own (案件, 工作)."""
        return self.weights.idf(term) < PARAMS.distinct_idf * self.weights.max_idf

    def _distinct(self, term: str) -> bool:
        """A word that must be there when the key words are judged (公证 in 办理公证案件; 审 as a verb)."""
        return not self._generic(term) and (len(term) >= 2 or term in _ONE_CHAR_VERBS)

    def _key_slots(self, question: str, wh_pos: int | None) -> list[int]:
        """What is counted or named: the verb phrase that ends at the question word (审结行政复议案件|多少件) and the
        noun right after it (多少个|公共法律服务工作室); else the content word right before the question word, with
        the one before it when that word is generic (…案件多少件 -> 案件, 法律援助)."""
        if wh_pos is None or not self.slots:
            return []
        at = [question.find(s.term) for s in self.slots]
        keys = _verb_phrase_keys(question, wh_pos, at, [s.term for s in self.slots])
        return keys or self._word_before_wh(question, wh_pos, at)

    def _word_before_wh(self, question: str, wh_pos: int, at: list[int]) -> list[int]:
        """The content word right before the question word, with the one before it when it is generic; else the
        first word after the question word."""
        before = sorted(((p, i) for i, p in enumerate(at) if 0 <= p < wh_pos), reverse=True)
        if not before:
            after = [i for i, (_w, t, _a, _s) in enumerate(self.slots) if question.find(t) > wh_pos]
            return after[:1]
        keys = [before[0][1]]
        term = self.slots[keys[0]][1]
        if (len(term) < 2 or self._generic(term)) and len(before) > 1:
            keys.append(before[1][1])
        return keys

    def key_noun(self) -> int | None:
        """The most specific noun among the key words (法律援助 in 办理法律援助案件多少件), if it is specific."""
        best, best_spec = None, PARAMS.specific_idf * self.weights.max_idf
        for i in self.key:
            _w, term, alts, _subs = self.slots[i]
            tags = [f for _w2, f in pos_cut(term)]
            thing = alts or (len(term) >= 2 and tags and tags[-1].startswith(_THING_TAGS))
            # an everyday word is as specific as the report word it stands for (打官司 -> 案件: not at all)
            spec = self.weights.idf(term)
            if alts:
                spec = min(spec, max(self.weights.idf(a) for a in alts))
            if thing and spec > best_spec:
                best, best_spec = i, spec
        return best

    def has_key_noun(self, text: str) -> float:
        """1.0 when ``text`` names the key noun (itself, a synonym, or its rarest part), else 0.0."""
        i = self.key_noun()
        if i is None:
            return 1.0
        _w, term, alts, subs = self.slots[i]
        rarest = max(subs, key=lambda x: x[1])[0] if subs else term
        return 1.0 if term in text or any(a in text for a in alts) or (len(rarest) >= 2 and rarest in text) else 0.0

    def key_credit(self, text: str, nouns_only: bool = False) -> float:
        """How well ``text`` carries the key words (1.0 when the question has none). ``nouns_only``: judge by
        what is counted (法律援助, 公证), not by the verb, which people paraphrase (解决 for 化解)."""
        key = self._key_words(nouns_only)
        if not key:
            return 1.0
        got = [(self._key_found(i, text), self.slots[i][1]) for i in key]
        # the distinctive key words must all be there (公证 in 办理公证案件; 审结 in 审结行政复议案件)
        distinct = [c for c, t in got if self._distinct(t)]
        return min(distinct) if distinct else self._idf_mean(got)

    def _key_words(self, nouns_only: bool) -> list[int]:
        return [i for i in self.key if not nouns_only or not _is_verb(self.slots[i][1])]

    def _idf_mean(self, got: list[tuple[float, str]]) -> float:
        """The credits of words, weighted by their idf."""
        total = sum(self.weights.idf(t) for _c, t in got) or 1.0
        return sum(c * self.weights.idf(t) for c, t in got) / total

    def _key_found(self, i: int, text: str) -> float:
        """1.0 when ``text`` holds key word ``i`` or a synonym; partly when only its rarest sub-word."""
        _w, term, alts, subs = self.slots[i]
        if term in text or any(a in text for a in alts):
            return 1.0
        rarest = max(subs, key=lambda x: x[1])[0] if subs else term
        return PARAMS.key_part_credit if len(subs) > 1 and rarest in text else 0.0

    def credits(self, text: str, toks: set[str] | None = None) -> list[float]:
        toks = set(tokenize(text)) if toks is None else toks
        return [_credit(slot, text, toks) for slot in self.slots]

    def cover(self, toks: set[str] | None, text: str, context: str = "") -> float:
        """Weighted share of the question's words found in ``text``; words found only in ``context`` (the
        section headings above the sentence) count less (``heading_credit``)."""
        got = self.credits(text, toks)
        if context:
            got = [max(a, PARAMS.heading_credit * b) for a, b in zip(got, self.credits(context), strict=False)]
        return sum(c * s[0] for c, s in zip(got, self.slots, strict=False)) / self.total

    def precision(self, text: str) -> float:
        """Share of the content of ``text`` (idf-weighted) that the question asks about."""
        toks = [t for t in tokenize(text) if not re.fullmatch(r"[\d.%]+", t)]
        if not toks:
            return PARAMS.empty_precision
        qtext = self.question + "".join(a for s in self.slots for a in s[2])
        tot = sum(self.weights.idf(t) for t in toks) or 1.0
        return sum(self.weights.idf(t) for t in toks if t in qtext) / tot

    def positions(self, text: str, subwords: bool = True) -> list[tuple[int, int, float]]:
        """Where the question's words occur in text: (start, end, weight); ``subwords``: also their jieba parts."""
        out = []
        for w, term, alts, subs in self.slots:
            for a in {term} | alts | ({t for t, _ in subs if len(t) > 1} if subwords else set()):
                for i in find_all(text, a):
                    out.append((i, i + len(a), w))
        return out
