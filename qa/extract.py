"""Extractive answers: the sentence that answers and the exact span inside it.

For every sentence of the best passages we score how well it matches the question (idf-weighted coverage of
the question's content words, with everyday words mapped to report words; the dense similarity of the
sentence; the passage's retrieval score). Inside a sentence the candidate spans depend on what is asked:

* quantity — a figure with its unit (438件, 14.7%, 1.35亿元, 600余条 …), scored by how well the words of its own
  clause match the question and whether its unit is the one asked for (纠错率 -> 14.7%, not 57件);
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

from index.text import find_all, pos_cut_cached as pos_cut, tokenize_cached as tokenize
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
    "次": "次", "场次": "次", "场": "次", "轮": "次",
    "个": "个", "家": "个", "所": "个",
    "%": "%", "个百分点": "%", "百分点": "%",
}
_CLAUSE_BREAK = re.compile(r"[，,；;：:。！？!?（）()]")
_QUOTE_RE = re.compile(r"《[^《》]{2,60}》|“[^“”]{1,40}”|\"[^\"]{1,40}\"")
_TITLE_WORDS = ("书记", "市长", "县长", "区长", "州长", "主任", "局长", "厅长", "部长", "院长", "主席", "委员", "秘书长",
                "副市长", "副县长", "副区长", "检察长", "庭长", "组长", "负责人", "同志", "领导")
_WH = re.compile(r"多少|几|谁|什么|哪|如何|怎么|怎样|是否|多高|多大|比例")
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
    """The question's content words ("slots"), each with a weight and the report words that satisfy it.

    A slot is satisfied by the word itself, by a report word the synonym table maps it to, or partly by its
    jieba sub-words (行政复议 -> 行政, 复议).
    """

    def __init__(self, focus: list[str], question: str, weights: TermWeights, drop: set[str]) -> None:
        self.weights = weights
        self.slots: list[tuple[float, str, set[str], list[tuple[str, float]]]] = []
        phrase_alts: dict[str, set[str]] = {}
        for phrase, terms in synonyms():
            if phrase in question:
                for t in (phrase, *tokenize(phrase)):
                    phrase_alts.setdefault(t, set()).update(terms)
        seen: set[str] = set()
        wh = _WH.search(question)
        wh_pos = wh.start() if wh else None
        for term in focus:
            if term in seen or term in drop:
                continue
            seen.add(term)
            subs = [(t, weights.idf(t)) for t in tokenize(term)] or [(term, weights.idf(term))]
            alts = set()
            for key in [term] + [t for t, _ in subs]:
                alts |= phrase_alts.get(key, set())
            for phrase, terms in phrase_alts.items():
                if term in phrase and len(term) > 1:
                    alts |= terms
            w = max(x for _, x in subs) * (1.0 if len(term) > 1 else 0.5)
            # words next to the question word name what is asked (…的考核标准是多少): weigh them more
            at = question.find(term)
            if wh_pos is not None and at >= 0:
                dist = max(wh_pos - (at + len(term)), at - wh_pos, 0)
                w *= 1.0 + 0.5 / (1.0 + dist / 4.0)
            self.slots.append((w, term, alts, subs))
        self.total = sum(x[0] for x in self.slots) or 1.0
        self.question = question

    def credits(self, text: str, toks: set[str] | None = None) -> list[float]:
        toks = set(tokenize(text)) if toks is None else toks
        out = []
        for _w, term, alts, subs in self.slots:
            if term in text or any(a in text for a in alts):
                out.append(1.0)
                continue
            tot = sum(x for _, x in subs) or 1.0
            out.append(0.8 * sum(x for t, x in subs if t in toks) / tot if len(subs) > 1 else 0.0)
        return out

    def cover(self, toks: set[str] | None, text: str, context: str = "") -> float:
        """Weighted share of the question's words found in ``text``; words found only in ``context`` (the
        section headings above the sentence) count 0.7."""
        got = self.credits(text, toks)
        if context:
            got = [max(a, 0.7 * b) for a, b in zip(got, self.credits(context))]
        return sum(c * s[0] for c, s in zip(got, self.slots)) / self.total

    def precision(self, text: str) -> float:
        """Share of the content of ``text`` (idf-weighted) that the question asks about."""
        toks = [t for t in tokenize(text) if not re.fullmatch(r"[\d.%]+", t)]
        if not toks:
            return 0.7
        qtext = self.question + "".join(a for s in self.slots for a in s[2])
        tot = sum(self.weights.idf(t) for t in toks) or 1.0
        return sum(self.weights.idf(t) for t in toks if t in qtext) / tot

    def positions(self, text: str) -> list[tuple[int, int, float]]:
        """Where the question's words occur in text: (start, end, weight)."""
        out = []
        for w, term, alts, subs in self.slots:
            for a in {term} | alts | {t for t, _ in subs if len(t) > 1}:
                for i in find_all(text, a):
                    out.append((i, i + len(a), w))
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


_LIST_SEP = re.compile(r"[、和及与]")


def _clauses(sent: str) -> list[tuple[int, int]]:
    out, s = [], 0
    for i, ch in enumerate(sent):
        if _CLAUSE_BREAK.match(ch):
            out.append((s, i))
            s = i + 1
    out.append((s, len(sent)))
    return out


def _respectively(sent: str, cs: int, ce: int, nums: list[re.Match]) -> dict[int, str]:
    """"A和B分别下降37%、40%" -> {start of 37%: "A", start of 40%: "B"}."""
    clause = sent[cs:ce]
    k = clause.find("分别")
    if k < 0:
        return {}
    mine = [m for m in nums if cs + k < m.start() < ce]
    head = clause[:k]
    # the items are the last list in the text before 分别 (possibly in an earlier clause)
    items = [x for x in _LIST_SEP.split(head) if x]
    if len(mine) < 2 or len(items) < len(mine):
        return {}
    items = items[-len(mine):]
    return {m.start(): it for m, it in zip(mine, items)}


def quantity_spans(sent: str, terms: QuestionTerms, unit_hint: str | None, question: str,
                   unit_strength: float = 1.0) -> list[tuple[int, int, float]]:
    out = []
    nums = list(NUMBER_RE.finditer(sent))
    clauses = _clauses(sent)
    resp: dict[int, str] = {}
    for cs, ce in clauses:
        resp.update(_respectively(sent, cs, ce, nums))
    for m in nums:
        num, unit = m.group("num"), m.group("unit")
        s, e = m.start(), m.end()
        if unit in ("年", "月", "日", "天") and unit_hint != unit and re.fullmatch(r"\d{4}|\d{1,2}", num):
            continue
        if unit in ("年", "月") and unit_hint not in ("年", "月"):
            continue
        if re.fullmatch(rf"[{CN_DIGITS}]+", num) and unit not in ("个", "次", "项", "件", "人", "名", "家", "条", "批"):
            continue
        if _inside_marks(sent, s):
            continue
        if m.group(0) in question:
            continue  # the figure is part of the question ("40岁以上的占多大比例")
        lead = re.match(r"^(达|共)", m.group(0))
        if lead:
            s += len(lead.group(0))
        cs, ce = next((a, b) for a, b in clauses if a <= m.start() <= b)
        # the label of a figure starts after the previous figure of its clause (A140项、B269项)
        prev_end = max((x.end() for x in nums if cs <= x.end() <= m.start()), default=cs)
        if prev_end > cs:
            cs = prev_end
        next_start = min((x.start() for x in nums if x.start() >= m.end()), default=ce)
        after = sent[m.end():min(ce, next_start)]
        after = re.split(r"[、]", after, maxsplit=1)[0]
        before = sent[cs:m.start()]
        label = resp.get(m.start(), before)
        own = label + "|" + after[:12]
        if m.start() in resp:  # the other items of a 分别 list are siblings, not context
            prev = sent[:m.start()]
            for item in resp.values():
                prev = prev.replace(item, "|")
        else:
            prev = sent[:cs]
        rest = sent[ce:]
        c_own = terms.credits(own)
        c_prev = terms.credits(prev) if prev else [0.0] * len(c_own)
        c_rest = terms.credits(rest) if rest else [0.0] * len(c_own)
        recall = sum(sl[0] * max(a, 0.6 * b, 0.25 * c) for sl, a, b, c in zip(terms.slots, c_own, c_prev, c_rest))
        recall /= terms.total
        precision = terms.precision(label + after[:8])
        prox = 0.75 * recall + 0.25 * precision
        fam = _UNIT_FAMILY.get(unit, unit)
        if unit_hint is None:
            unit_score = 0.6
        elif unit_hint == unit:
            unit_score = 1.0
        elif _UNIT_FAMILY.get(unit_hint, unit_hint) == fam:
            unit_score = 0.75
        else:
            unit_score = 0.05 if unit_strength >= 1.0 else 0.35
        # a figure right after its label ("纠错率为14.7%") beats one further away
        last = max((pe for ps, pe, _ in terms.positions(before)), default=None)
        first = min((ps for ps, pe, _ in terms.positions(after)), default=None)
        near = max(0.0 if last is None else 1.0 / (1.0 + (len(before) - last) / 6.0),
                   0.0 if first is None else 1.0 / (1.0 + first / 6.0),
                   1.0 if m.start() in resp and terms.cover(None, label) > 0 else 0.0)
        score = 0.45 * prox + 0.35 * unit_score + 0.2 * near
        out.append((s, e, score))
    return out


def person_spans(sent: str, terms: QuestionTerms, question: str) -> list[tuple[int, int, float]]:
    out = []
    pos = 0
    toks = pos_cut(sent)
    offs: list[tuple[int, int, str, str]] = []
    for w, f in toks:
        # the tagger may split a name into surname + given name (周 | 文澜): join them back
        if offs and f.startswith("nr") and offs[-1][3].startswith("nr") and len(offs[-1][2]) + len(w) <= 4 \
                and len(offs[-1][2]) == 1:
            ps, _, pw, _ = offs.pop()
            offs.append((ps, pos + len(w), pw + w, "nr"))
        else:
            offs.append((pos, pos + len(w), w, f))
        pos += len(w)
    for i, (s, e, w, f) in enumerate(offs):
        if f not in ("nr", "nrfg", "nrt") or not (2 <= len(w) <= 4) or w in question:
            continue
        before = sent[max(0, s - 8):s]
        # the longest end of the text before the name that the question also says (市委书记 | 吴巨培)
        said = max((k for k in range(1, len(before) + 1) if before[-k:] in question), default=0)
        title_near = min(said / 3.0, 1.0) if said >= 2 else (0.3 if any(t in before for t in _TITLE_WORDS) else 0.0)
        cs, ce = _clause_bounds(sent, s)
        local = terms.cover(set(tokenize(sent[cs:ce])), sent[cs:ce])
        out.append((s, e, 0.5 * title_near + 0.3 * local + 0.2))
    return out


def _asked_noun(question: str) -> str | None:
    """The noun the question asks for: 哪个基地 -> 基地, 什么人民调解工作法 -> 人民调解工作法."""
    m = re.search(r"(?:哪个|哪一个|哪家|哪些|哪项|哪部|什么|何种|哪)([\u4e00-\u9fff]{1,10}?)"
                  r"(?:[，。？?！]|$|进行|通过|获评|举办|执行|入选|创建|是|的|被|在|了)", question)
    if not m:
        return None
    noun = m.group(1)
    return noun if noun and noun not in ("样", "么", "时候", "时间") else None


def _widen_to_marks(sent: str, s: int, e: int) -> tuple[int, int]:
    """Include the 《》/“” around a span that is exactly a title or a quoted name."""
    for o, c in (("《", "》"), ("“", "”")):
        if s > 0 and sent[s - 1] == o and e < len(sent) and sent[e] == c:
            return s - 1, e + 1
    return s, e


def named_spans(sent: str, terms: QuestionTerms, question: str, places: re.Pattern | None = None,
                weights: TermWeights | None = None) -> list[tuple[int, int, float]]:
    """``places``: one compiled alternation of the indexed regions' names (longest first)."""
    out: list[tuple[int, int, float]] = []
    wants_doc = bool(_DOC_WORDS.search(question))
    noun = _asked_noun(question)
    wants_place = bool(_PLACE_NOUN.search(question)) or bool(noun and noun[-1] in "镇乡县市区村省州")
    positions = terms.positions(sent)
    top_w = max((w for _, _, w in positions), default=1.0)

    def near(s: int, e: int) -> float:
        best = 0.0
        for ps, pe, w in positions:
            if ps < e and s < pe:
                continue  # overlapping the question's own words
            d = min(abs(s - pe), abs(ps - e))
            best = max(best, (w / top_w) / (1.0 + d / 8.0))
        return best

    def specific(text: str) -> float:
        toks = tokenize(text)
        if not toks or weights is None:
            return 0.5
        return sum(weights.idf(t) for t in toks) / len(toks) / weights.max_idf

    for m in _QUOTE_RE.finditer(sent):
        s, e = m.start(), m.end()
        inner = m.group(0)[1:-1]
        if inner in question:
            continue
        bonus = 0.0
        if noun and m.group(0).startswith("“"):
            mm = re.match(rf"(的)?{re.escape(noun)}", sent[e:])
            if mm:
                e += mm.end()
                bonus = 0.3
        is_doc = m.group(0).startswith("《")
        base = 0.75 if (is_doc and wants_doc) else 0.5 if is_doc else 0.45
        if is_doc:  # the question may describe the title itself (脐橙产业…法规 -> 《…脐橙产业促进条例》)
            bonus += 0.4 * terms.cover(None, inner)
        if wants_place:
            base -= 0.3
        out.append((s, e, base * 0.5 + 0.4 * near(s, e) + bonus))
    if wants_place:
        cands: set[tuple[int, int]] = set()
        pos = 0
        for w, f in pos_cut(sent):
            if f == "ns" and len(w) >= 2:
                cands.add((pos, pos + len(w)))
            pos += len(w)
        alias_spans = set()
        if places is not None:
            alias_spans = {(m.start(), m.end()) for m in places.finditer(sent)}
        cands |= alias_spans
        suffix = noun[-1] if noun and noun[-1] in "镇乡县市区村省州" else None
        pos = 0
        toks = pos_cut(sent)
        for i, (w, f) in enumerate(toks):
            if suffix and w.endswith(suffix) and len(w) >= 3:
                cands.add((pos, pos + len(w)))
            elif suffix and i + 1 < len(toks) and toks[i + 1][0] == suffix and f != "x" and len(w) >= 2:
                cands.add((pos, pos + len(w) + 1))
            elif f in ("b", "nr", "nz", "j") and 2 <= len(w) <= 4 and i + 1 < len(toks) and toks[i + 1][0] == "“":
                cands.add((pos, pos + len(w)))  # a place word before a quoted local brand: 资兴“…”
            pos += len(w)
        for s, e in cands:
            w = sent[s:e]
            if w in question or any(a < e and s < b and (b - a) > (e - s) for a, b in cands):
                continue
            bonus = 0.1 if (s, e) in alias_spans else 0.0
            quoted = re.match(r"“([^“”]{1,20})”", sent[e:])
            if quoted and quoted.group(1) in question:
                bonus += 0.3  # the place that owns the name the question quotes: 某地“某品牌”
            out.append((s, e, 0.35 + 0.4 * near(s, e) + 0.25 * specific(w) + bonus))
    if noun:
        key = noun[-2:] if len(noun) >= 2 else noun
        for at in find_all(sent, key):
            e = at + len(key)
            toks = pos_cut(sent[:at])
            k = len(toks)
            while k > 0 and (toks[k - 1][1][0] in "nmqjbfsa" or toks[k - 1][1] in ("x", "eng")) \
                    and not re.match(r"[\W_]", toks[k - 1][0]) and toks[k - 1][0] not in ("的", "等"):
                k -= 1
            s = sum(len(w) for w, _ in toks[:k])
            cs, _ = _clause_bounds(sent, at)
            if cs == 0 and 0 < s <= 3 and not re.search(r"[\W_]", sent[:s]):
                s = 0  # a sentence's short first word the tagger took for a verb (云溪|某某…基地)
            s, e = _widen_to_marks(sent, s, e)
            span = sent[s:e]
            if len(span) <= len(noun) or span in question or len(span) > 40:
                continue
            out.append((s, e, 0.45 + 0.3 * near(s, e) + 0.25 * specific(span)))
    return out


def best_clause(sent: str, terms: QuestionTerms) -> tuple[int, int]:
    """For open questions: the sentence, minus a leading enumerator (一是 / 1.)."""
    colon = re.search(r"(?:是|为|有|包括)[:：]", sent)
    if colon:  # "存在的主要问题是:A,B" -> A
        s = colon.end()
        e = s
        while e < len(sent) and not _CLAUSE_BREAK.match(sent[e]):
            e += 1
        if e - s >= 4:
            return s, e
    m = re.match(r"^(?:[一二三四五六七八九十]+是|\d+[.、]|[（(][一二三四五六七八九十\d]+[)）])", sent)
    s, e = (m.end() if m else 0), len(sent)
    if e - s > LONG_SENTENCE:
        # a long sentence: answer with the clause that carries the question's words
        best, best_cover = None, 0.0
        for cs, ce in _clauses(sent):
            cs, ce = max(cs, s), min(ce, e)
            if ce - cs < 6:
                continue
            c = terms.cover(None, sent[cs:ce])
            if c > best_cover + 1e-9:
                best, best_cover = (cs, ce), c
        if best is not None and best_cover >= 0.3:
            s, e = best
    while e > s + 1 and sent[e - 1] in "。；;，,：:！？!?、":
        e -= 1
    return s, e


LONG_SENTENCE = 60
