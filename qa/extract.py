"""Extractive answers: the sentence that answers and the exact span inside it.

For every sentence of the best passages we score how well it matches the question (idf-weighted coverage of
the question's content words, with everyday words mapped to report words; the dense similarity of the
sentence; the passage's retrieval score). Inside a sentence the candidate spans depend on what is asked:

* quantity — a figure with its unit (812件, 18.5%, 12亿元, 600余条 …), scored by how well the words of its own
  clause match the question and whether its unit is the one asked for (纠错率 -> 18.5%, not 113件);
* person — a personal name, preferably next to the title asked about (市长, 书记 …);
* named — a 《title》, a “quoted name”, a place, or the noun phrase ending in the noun the question asks for
  (哪个基地 -> …基地);
* open — the sentence itself.

Spans are document offsets, so ``clean_text[start:end] == answer``. Scores are in [0, 1].
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from index.text import pos_cut, tokenize
from qa.query import UNITS, synonyms

_UNIT_ALT = "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))
CN_DIGITS = "零〇一二两三四五六七八九十百千"
NUMBER_RE = re.compile(
    r"(?:约|近|超过|逾|达|共)?"
    rf"(?P<num>\d+(?:[.,]\d+)*|[{CN_DIGITS}]{{1,4}})\s*(?P<mag>余万|多万|万余|万多|余|多|万|亿|千)?\s*"
    rf"(?P<unit>{_UNIT_ALT})(?P<tail>以上|以下|左右)?")
_UNIT_FAMILY = {
    "人": "人", "名": "人", "人次": "人", "位": "人",
    "件": "件", "起": "件", "宗": "件", "件次": "件", "例": "件",
    "元": "元", "万元": "元", "亿元": "元", "千元": "元", "万余元": "元", "亿余元": "元", "万": "元", "亿": "元",
    "次": "次", "场次": "次", "场": "次", "轮": "次", "期": "次",
    "个": "个", "家": "个", "所": "个", "支": "个", "处": "个", "项": "个", "条": "个", "种": "个", "类": "个",
    "%": "%", "个百分点": "%", "百分点": "%",
}
_CLAUSE_BREAK = re.compile(r"[，,；;：:。！？!?（）()]")
_QUOTE_RE = re.compile(r"《[^《》]{2,60}》|“[^“”]{1,40}”|\"[^\"]{1,40}\"")
_TITLE_WORDS = ("书记", "市长", "县长", "区长", "州长", "主任", "局长", "厅长", "部长", "院长", "主席", "委员", "秘书长",
                "副市长", "副县长", "副区长", "检察长", "庭长", "组长", "负责人", "同志", "领导")
_PLACE_NOUN = re.compile(r"哪里|哪儿|何处|何地|在哪")
_DOC_WORDS = re.compile(r"叫什么|全称|名称|规定|办法|条例|方案|清单|文件|制度|意见|通知|规划|纲要|细则|标准|指引")


@dataclass
class SentenceCandidate:
    pidx: int  # passage index
    start: int
    end: int
    text: str
    score: float
    cover: float
    dense: float


@dataclass
class SpanCandidate:
    start: int  # document offsets
    end: int
    text: str
    score: float
    sentence: SentenceCandidate
    kind: str


class TermWeights:
    """idf of jieba tokens, read off the BM25 index (document frequency = postings per token)."""

    def __init__(self, vocab: dict[str, int], indptr: np.ndarray, n_docs: int) -> None:
        df = np.diff(np.asarray(indptr))
        self.vocab, self.n = vocab, max(n_docs, 1)
        self.df = df
        self.max_idf = math.log(1 + (self.n + 0.5) / 0.5)

    def idf(self, tok: str) -> float:
        i = self.vocab.get(tok)
        if i is None or i >= len(self.df):
            return self.max_idf
        d = float(self.df[i])
        return math.log(1 + (self.n - d + 0.5) / (d + 0.5))


class QuestionTerms:
    """The question's content tokens, each with its weight and the alternatives that satisfy it."""

    def __init__(self, focus: list[str], question: str, weights: TermWeights, drop: set[str]) -> None:
        self.slots: list[tuple[float, set[str]]] = []
        seen: set[str] = set()
        phrase_alts: dict[str, set[str]] = {}
        for phrase, terms in synonyms():
            if phrase in question:
                alts = {t for term in terms for t in tokenize(term)} | set(terms)
                for t in tokenize(phrase):
                    phrase_alts.setdefault(t, set()).update(alts)
        for term in focus:
            for tok in tokenize(term):
                if tok in seen or tok in drop:
                    continue
                seen.add(tok)
                alts = {tok} | phrase_alts.get(tok, set())
                # a short tail like 率/数 also matches longer report words containing it
                self.slots.append((weights.idf(tok) * (1.0 if len(tok) > 1 else 0.5), alts))
        self.total = sum(w for w, _ in self.slots) or 1.0

    def cover(self, toks: set[str], text: str) -> float:
        got = 0.0
        for w, alts in self.slots:
            if any(a in toks or (len(a) > 1 and a in text) for a in alts):
                got += w
        return got / self.total

    def positions(self, text: str) -> list[tuple[int, int, float]]:
        """Where the question's terms occur in text: (start, end, weight)."""
        out = []
        for w, alts in self.slots:
            for a in alts:
                for m in re.finditer(re.escape(a), text):
                    out.append((m.start(), m.end(), w))
        return out


def _clause_bounds(text: str, pos: int) -> tuple[int, int]:
    s = pos
    while s > 0 and not _CLAUSE_BREAK.match(text[s - 1]):
        s -= 1
    e = pos
    while e < len(text) and not _CLAUSE_BREAK.match(text[e]):
        e += 1
    return s, e


def _inside_marks(text: str, pos: int) -> bool:
    """Is pos inside 《…》, “…” or 〔…〕 (names and document numbers are not figures)?"""
    for open_, close in (("《", "》"), ("“", "”"), ("〔", "〕"), ("[", "]")):
        o = text.rfind(open_, 0, pos)
        if o != -1 and text.find(close, o) >= pos:
            return True
    return False


def quantity_spans(sent: str, terms: QuestionTerms, unit_hint: str | None, question: str) -> list[tuple[int, int, float]]:
    out = []
    for m in NUMBER_RE.finditer(sent):
        num, unit = m.group("num"), m.group("unit")
        s, e = m.start(), m.end()
        if unit in ("年", "月", "日", "天") and unit_hint != unit and re.fullmatch(r"\d{4}|\d{1,2}", num):
            continue
        if unit in ("年", "月") and unit_hint not in ("年", "月"):
            continue
        if unit in ("万", "亿") and unit_hint not in ("元", None):
            pass
        if re.fullmatch(rf"[{CN_DIGITS}]+", num) and unit not in ("个", "次", "项", "件", "人", "名", "家", "条", "批"):
            continue
        if _inside_marks(sent, s):
            continue
        if num in question and m.group(0) in question:
            continue  # the figure is part of the question ("40岁以上的占多大比例")
        span_text = m.group(0)
        # keep a leading qualifier only when it is part of the figure (约300万元), not a verb (达100%)
        lead = re.match(r"^(达|共)", span_text)
        if lead:
            s += len(lead.group(0))
        cs, ce = _clause_bounds(sent, m.start())
        before, after = sent[cs:m.start()], sent[m.end():ce]
        # words of its own clause, nearest first
        local = terms.cover(set(tokenize(before)), before)
        local_after = terms.cover(set(tokenize(after)), after)
        prox = max(local, 0.6 * local_after)
        fam = _UNIT_FAMILY.get(unit, unit)
        if unit_hint is None:
            unit_score = 0.6 if unit != "%" else 0.5
        elif unit_hint == unit:
            unit_score = 1.0
        elif _UNIT_FAMILY.get(unit_hint, unit_hint) == fam:
            unit_score = 0.8
        elif unit_hint == "%" or unit == "%":
            unit_score = 0.05
        else:
            unit_score = 0.25
        # a figure right after its label ("纠错率为18.5%") beats one further away
        gap = len(before) - max((pe for ps, pe, _ in terms.positions(before)), default=0)
        near = 1.0 / (1.0 + max(gap, 0) / 6.0)
        score = 0.55 * prox + 0.3 * unit_score + 0.15 * near
        out.append((s, e, score))
    return out


def person_spans(sent: str, terms: QuestionTerms, question: str) -> list[tuple[int, int, float]]:
    out = []
    pos = 0
    toks = pos_cut(sent)
    offs = []
    for w, f in toks:
        offs.append((pos, pos + len(w), w, f))
        pos += len(w)
    asked_titles = [t for t in _TITLE_WORDS if t in question]
    for i, (s, e, w, f) in enumerate(offs):
        if f not in ("nr", "nrfg", "nrt") or not (2 <= len(w) <= 4) or w in question:
            continue
        before = sent[max(0, s - 8):s]
        title_near = 1.0 if any(before.endswith(t) or t in before for t in asked_titles) else \
            (0.5 if any(t in before for t in _TITLE_WORDS) else 0.0)
        cs, ce = _clause_bounds(sent, s)
        local = terms.cover(set(tokenize(sent[cs:ce])), sent[cs:ce])
        out.append((s, e, 0.5 * title_near + 0.3 * local + 0.2))
    return out


def _asked_noun(question: str) -> str | None:
    """The noun the question asks for: 哪个基地 -> 基地, 什么人民调解工作法 -> 人民调解工作法."""
    m = re.search(r"(?:哪个|哪一个|哪家|哪些|哪项|哪部|什么|何种|哪)([\u4e00-\u9fff]{1,10}?)(?:[，。？?！]|$|进行|通过|获评|举办|执行|入选|创建|是|的|被|在|了)",
                  question)
    if not m:
        return None
    noun = m.group(1)
    return noun if noun and noun not in ("样", "么", "时候", "时间") else None


def named_spans(sent: str, terms: QuestionTerms, question: str) -> list[tuple[int, int, float]]:
    out: list[tuple[int, int, float]] = []
    wants_doc = bool(_DOC_WORDS.search(question))
    noun = _asked_noun(question)
    positions = terms.positions(sent)

    def near(s: int, e: int) -> float:
        if not positions:
            return 0.0
        d = min(min(abs(s - pe), abs(ps - e)) for ps, pe, _ in positions)
        return 1.0 / (1.0 + d / 10.0)

    for m in _QUOTE_RE.finditer(sent):
        s, e = m.start(), m.end()
        inner = m.group(0)[1:-1]
        if inner in question:
            continue
        if noun and m.group(0).startswith("“"):
            rest = sent[e:]
            mm = re.match(rf"(的)?({re.escape(noun)})", rest)
            if mm:
                e += mm.end()
            elif noun and re.match(r"[\u4e00-\u9fff]{1,6}" + re.escape(noun[-1]), rest):
                e += re.match(r"[\u4e00-\u9fff]{1,6}" + re.escape(noun[-1]), rest).end()
        is_doc = m.group(0).startswith("《")
        base = 0.75 if (is_doc and wants_doc) else 0.55 if is_doc else 0.5
        out.append((s, e, base * 0.6 + 0.4 * near(s, e)))
    if _PLACE_NOUN.search(question) or (noun and noun[-1] in "镇乡县市区村省"):
        pos = 0
        for w, f in pos_cut(sent):
            if f == "ns" and len(w) >= 2 and w not in question:
                out.append((pos, pos + len(w), 0.45 + 0.45 * near(pos, pos + len(w))))
            pos += len(w)
    if noun and len(noun) >= 1:
        for m in re.finditer(re.escape(noun[-2:] if len(noun) >= 2 else noun), sent):
            e = m.end()
            # grow left over the noun phrase: tokens that are not verbs/punctuation
            s = m.start()
            head = sent[:s]
            toks = pos_cut(head)
            k = len(toks)
            while k > 0 and (toks[k - 1][1][0] in "nmqjbfsa" or toks[k - 1][1] in ("x", "eng", "vn")) \
                    and not re.match(r"[\W_]", toks[k - 1][0]) and toks[k - 1][0] not in ("的", "等"):
                k -= 1
            s = sum(len(w) for w, _ in toks[:k])
            span = sent[s:e]
            if len(span) <= len(noun) or span in question or len(span) > 30:
                continue
            out.append((s, e, 0.5 + 0.4 * near(s, e)))
    return out


def best_clause(sent: str, terms: QuestionTerms) -> tuple[int, int]:
    """For open questions: the sentence, minus a leading enumerator (一是 / 1.)."""
    m = re.match(r"^(?:[一二三四五六七八九十]+是|\d+[.、]|[（(][一二三四五六七八九十\d]+[)）])", sent)
    return (m.end() if m else 0), len(sent)
