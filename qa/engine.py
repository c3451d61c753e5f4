"""The question-answering entry point: ``QA.load(index_dir).ask(question)``.

Every caller (CLI, HTTP API, eval) goes through ``QA.ask``; the model and index are loaded once per process.
"""
from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict
from dataclasses import replace
from pathlib import Path

import numpy as np

from index.encoders import Encoder, get_encoder
from index.store import LoadedIndex, load_index, read_manifest
from index.text import tokenize_cached as tokenize
from qa.answer.extractor import Extractor
from qa.answer.params import PARAMS
from qa.answer.registry import FIGURE_TYPES
from qa.answer.scorer import default_scorer
from qa.answer.shapes import shape
from qa.answer.synonyms import expand as _synonyms
from qa.answer.terms import TermWeights
from qa.answer.types import classify
from qa.compare import answer_comparison
from qa.config import QAConfig
from qa.facts import prefetch as prefetch_facts
from qa.lexicon import table, words
from qa.models import Answer, QAResult, QueryInfo, RetrievedPassage, cite_pages
from qa.query import Gazetteer, analyse, expand, near_places, question_core, wants_plan
from qa.question.intent import intent
from qa.question.normalize import normalize_question
from qa.question.typos import TypoFixer
from qa.retrieve import HybridRetriever, Scored, query_tokens

MAX_QUESTION_CHARS = 500
NOT_FOUND = "未找到相关内容"
OFF_TOPIC = "这个问题不在法治政府建设情况报告的范围内:本服务只回答已收录报告写到的内容"
MESSAGES = {r["key"]: r["text"] for r in table("q_messages.tsv")}
_TOPIC_ONLY = frozenset(words("q_topic_only.txt"))
_POSTS = frozenset(words("q_posts.txt"))
_EXAMPLE_TOPICS = ("行政复议纠错率是多少", "法治政府建设领导小组组长由谁担任", "办理法律援助案件多少件")


def _example_questions(metas: list) -> list[str]:
    """One example question per example topic, over the reports ``metas`` in turn (none without reports)."""
    return [f"{metas[i % len(metas)].region}{metas[i % len(metas)].year}年{topic}"
            for i, topic in enumerate(_EXAMPLE_TOPICS)] if metas else []


_REPORTS_NAMED = 8  # reports named (place and year) in the description of the service, then 等
_YEAR_SAID_POOL = 20  # answers looked through for those whose sentence names the year asked (QA._extract)


class QuestionError(ValueError):
    """A question that cannot be asked (empty, too long, bad top_k or filters)."""


def _names_year(sentence: str, years: list[int]) -> bool:
    """Whether ``sentence`` names one of ``years`` (2022年)."""
    return any(f"{y}年" in sentence for y in years)


class QA:
    def __init__(self, index: LoadedIndex, encoder: Encoder, config: QAConfig | None = None) -> None:
        self.index = index
        self.encoder = encoder
        self.config = config or QAConfig()
        self.retriever = HybridRetriever(index, self.config)
        self.gazetteer = Gazetteer.from_documents(index.doc_list)
        self.typos = TypoFixer(index.bm25.vocab_dict, self.gazetteer.corpus_text)  # 复意 -> 复议 (qa/question/typos.py)
        sc = index.bm25.scores
        self.weights = TermWeights(index.bm25.vocab_dict, sc["indptr"], int(sc.get("num_docs", len(index.passages))))
        aliases = self.gazetteer.sorted_aliases()
        places = re.compile("|".join(map(re.escape, aliases))) if aliases else None
        scorer = default_scorer() if self.config.scorer == "fitted" else None
        self.extractor = Extractor(index, self.weights, places, scorer=scorer)
        self._qcache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._answers: OrderedDict[tuple, QAResult] = OrderedDict()
        self._lock = threading.Lock()

    # ---------------------------------------------------------------- loading
    @classmethod
    def load(cls, index_dir: str | Path, encoder: str | Encoder | None = None,
             config: QAConfig | None = None) -> QA:
        manifest = read_manifest(Path(index_dir))
        if encoder is None or isinstance(encoder, str):
            name = encoder or manifest.encoder
            enc = get_encoder(name)
        else:
            enc = encoder
        index = load_index(Path(index_dir), encoder_name=enc.name)
        qa = cls(index, enc, config)
        qa.warmup()
        return qa

    def warmup(self) -> None:
        """Load jieba's dictionaries and touch the hot paths once, so the first user does not wait."""
        prefetch_facts(self.index)  # the fact table of comparisons and GET /facts, read in the background
        region = next((d.meta.region for d in self.index.doc_list if d.meta.region), "")
        for q in (f"{region}行政复议纠错率是多少", "谁主持召开了会议", "印发了什么文件"):
            self.ask(q, use_cache=False)

    # ---------------------------------------------------------------- helpers
    def embed_query(self, text: str) -> np.ndarray:
        with self._lock:
            v = self._qcache.get(text)
            if v is not None:
                self._qcache.move_to_end(text)
                return v
        v = self.encoder.encode_queries([text])[0].astype(np.float32)
        with self._lock:
            self._qcache[text] = v
            while len(self._qcache) > self.config.query_cache_size:
                self._qcache.popitem(last=False)
        return v

    def _passage_out(self, rank: int, s: Scored) -> RetrievedPassage:
        p = self.index.passages[s.idx]
        m = self.index.documents[p.doc_id].meta
        return RetrievedPassage(rank=rank, score=round(s.score, 4), passage_id=p.passage_id, doc_id=p.doc_id,
                                title=m.title, region=m.region, year=m.year, section=p.section_path, text=p.text,
                                start=p.start, end=p.end, bm25_score=round(s.bm25, 4), dense_score=round(s.dense, 4))

    @staticmethod
    def _check(question: str, top_k: int) -> str:
        if not isinstance(question, str) or not question.strip():
            raise QuestionError("question is empty")
        q = question.strip()
        if not re.search(r"[\w\u4e00-\u9fff]", q):
            raise QuestionError("question has no words, only punctuation or symbols")
        if len(q) > MAX_QUESTION_CHARS:
            raise QuestionError(f"question is {len(q)} characters; the limit is {MAX_QUESTION_CHARS}")
        if not isinstance(top_k, int) or not 1 <= top_k <= 50:
            raise QuestionError("top_k must be an integer from 1 to 50")
        return q

    # ---------------------------------------------------------------- scope
    def _scope(self, info: QueryInfo, filters: dict | None,
               by_year: bool = True) -> tuple[list[str] | None, str | None]:
        """Which reports the question is about; a reason when no report can answer it.

        A department the question names (临沧市人社局) means that department's reports; a place named alone means
        its government's reports when there is one for the year asked, else every report of the place.
        """
        gaz = self.gazetteer
        filters = filters or {}
        allowed = set(self.index.documents)
        if filters.get("doc_ids") is not None:  # a saved scope (Dify's knowledge_id, metadata conditions)
            allowed &= set(filters["doc_ids"])
            if not allowed:
                return [], "语料中没有符合条件的报告"
        if filters.get("region"):
            allowed &= gaz.docs_for(gaz.find_regions(str(filters["region"]))[0])
            if not allowed:
                return [], f"语料中没有“{filters['region']}”的报告"
        if filters.get("year") is not None:
            allowed = gaz.docs_of_years([int(filters["year"])], allowed)
            if not allowed:
                return [], f"语料中没有{filters['year']}年的报告"
        if info.unknown_places and not info.regions:
            return None, f"语料中没有关于{'、'.join(info.unknown_places)}的报告"
        if info.years and by_year:
            allowed = gaz.docs_of_years(info.years, allowed, plan=wants_plan(info.text))
        if info.regions:
            allowed = gaz.docs_for(info.regions, allowed)
        if not allowed:
            where = "、".join(info.regions)
            years = "、".join(str(y) for y in info.years)
            return [], f"语料中没有{where}{years}年的报告" if years else f"语料中没有{where}符合条件的报告"
        restricted = bool(filters or info.regions or info.years)
        return (sorted(allowed) if restricted else None), None

    # ---------------------------------------------------------------- main
    def search(self, question: str, top_k: int = 5, filters: dict | None = None) -> list[RetrievedPassage]:
        q = self._check(question, top_k)
        info = analyse(q, self.gazetteer)
        doc_ids, reason = self._scope(info, filters)
        if doc_ids == []:
            return []
        hits = self._retrieve(q, info, top_k, doc_ids)
        return [self._passage_out(i + 1, s) for i, s in enumerate(hits)]

    def _retrieve(self, q: str, info: QueryInfo, top_k: int, doc_ids: list[str] | None,
                  mode: str | None = None) -> list[Scored]:
        extra = expand(q)
        toks = query_tokens(info.search_text or q, extra)
        mode = mode or self.config.mode
        qvec = self.embed_query(q) if mode in ("hybrid", "dense") else None
        return self.retriever.search(toks, qvec, top_k, doc_ids=doc_ids, mode=mode)

    def ask(self, question: str, top_k: int = 5, filters: dict | None = None, mode: str | None = None,
            use_cache: bool = True) -> QAResult:
        """Answer ``question`` from the index. Results are cached per (question, top_k, filters, mode) for
        the lifetime of this QA object (a new index means a new QA object, so the cache never goes stale)."""
        t0 = time.perf_counter()
        q = self._check(question, top_k)
        key = (q, top_k, tuple(sorted((filters or {}).items())), mode)
        if use_cache:
            with self._lock:
                hit = self._answers.get(key)
                if hit is not None:
                    self._answers.move_to_end(key)
            if hit is not None:
                return replace(hit, took_ms=round((time.perf_counter() - t0) * 1000, 3))
        nq = normalize_question(q) or q
        said = intent(nq)
        if said.kind == "chitchat":
            result = self._reply(q, self.describe(), "chitchat", t0)
        elif said.kind == "out_of_scope":
            result = self._reply(q, said.reason, "out_of_scope", t0)
        else:
            result = self._ask(question_core(nq), top_k, filters, mode, t0)
        if result.question != q or (nq != q and result.normalized is None):
            result = replace(result, question=q, normalized=result.normalized or (nq if nq != q else None))
        if use_cache:
            with self._lock:
                self._answers[key] = result
                while len(self._answers) > self.config.query_cache_size:
                    self._answers.popitem(last=False)
        return result

    @staticmethod
    def _reply(q: str, reason: str | None, kind: str, t0: float) -> QAResult:
        return QAResult(question=q, answer=None, reason=reason, answers=[], passages=[],
                        took_ms=round((time.perf_counter() - t0) * 1000, 2), intent=kind)

    def describe(self) -> str:
        """What the service answers, with example questions built from the indexed reports."""
        docs = [d.meta for d in self.index.doc_list if d.meta.region and d.meta.year]
        shown = "; ".join(f"“{e}”" for e in _example_questions(docs)) or "“某市2024年行政复议纠错率是多少”"
        named = list(dict.fromkeys(f"{m.region}{m.year}年" for m in docs))
        which = "、".join(named[:_REPORTS_NAMED]) + ("等" if len(named) > _REPORTS_NAMED else "")
        which = f"({which})" if which else ""
        return (f"您好!我回答关于已收录的{len(self.index.doc_list)}份法治政府建设情况报告{which}的问题,"
                f"给出报告原文中的答案、"
                f"所在句子和出处(哪份报告、哪一段、哪几个字);报告没有写到的,我会说“{NOT_FOUND}”。可以这样问:{shown}")

    @staticmethod
    def _asks_nothing(info: QueryInfo) -> bool:
        """A place (and year) named and nothing asked about it (青禾县; 青禾县2023年法治政府建设情况): no span could
        answer, so no clause of the place's report is passed off as one."""
        return bool(info.regions) and all(t in _TOPIC_ONLY for t in info.focus)

    def _ask_about(self, info: QueryInfo, doc_ids: list[str] | None) -> str:
        """What to ask about the place named: example questions over its own reports."""
        allowed = set(doc_ids) if doc_ids is not None else None
        docs = [d.meta for d in self.index.doc_list
                if d.meta.region and d.meta.year and (allowed is None or d.doc_id in allowed)]
        examples = _example_questions(docs) or [f"{info.regions[0]}{topic}" for topic in _EXAMPLE_TOPICS]
        shown = "; ".join(f"“{e}”" for e in examples)
        return MESSAGES["place_only"].format(place="、".join(info.regions), examples=shown)

    def _off_topic(self, info: QueryInfo) -> bool:
        """A question whose words the reports hardly use (今天天气怎么样, 比特币现在多少钱): the share of its content
        characters in words of the index's vocabulary is below ``QAConfig.min_known_share``. A question that names an
        indexed place is off topic only when none of its words is the reports' (青禾县天气怎么样, 青禾县有什么景点);
        a post (县长) counts as the reports' word."""
        if (info.regions or info.unknown_places) and all(t in _TOPIC_ONLY for t in info.focus):
            return False  # a place named and nothing asked: QA._asks_nothing, or the scope, answers it
        terms = [t for t in info.focus if not t.isdigit()]
        total = sum(len(t) for t in terms)
        if not total:
            return not info.regions
        vocab = self.index.bm25.vocab_dict
        known = sum(len(t) for t in terms
                    if t in vocab or t in _POSTS or any(a in vocab for a in _synonyms(t)))
        if info.regions:  # a word the reports use inside a compound counts (法治|广场)
            return known == 0 and not any(len(w) > 1 and w in vocab for t in terms for w in tokenize(t))
        return known / total < self.config.min_known_share

    def _ask(self, q: str, top_k: int, filters: dict | None, mode: str | None, t0: float) -> QAResult:
        compared = answer_comparison(self, q, filters, top_k, t0)  # 哪个地方…最高 / 比较A和B… (qa/compare.py)
        if compared is not None:
            return compared
        info = analyse(q, self.gazetteer)
        fixed = q
        if info.unknown_places and not info.regions:  # 青和县 -> 青禾县: a place one character off an indexed one
            for place in info.unknown_places:
                near = near_places(place, self.gazetteer)
                if len(near) == 1:
                    fixed = fixed.replace(place, near[0])
        fixed = self.typos.fix(fixed)  # a word mistyped by its sound (复意 -> 复议)
        note = fixed != q  # the question was read otherwise than typed: `normalized` says how
        if note:
            q, info = fixed, analyse(fixed, self.gazetteer)
        if not filters and self._off_topic(info):
            return QAResult(question=q, answer=None, reason=OFF_TOPIC, answers=[], passages=[],
                            took_ms=round((time.perf_counter() - t0) * 1000, 2), query=info, intent="out_of_scope")
        doc_ids, no_year, said_years = self._scope_said(info, filters)
        if doc_ids != [] and self._asks_nothing(info):
            if said_years:  # 青禾县2019年 with only the 2023 report: that year is not covered
                return replace(self._reply(q, no_year, "question", t0), query=info)
            return replace(self._reply(q, self._ask_about(info, doc_ids), "chitchat", t0), query=info,
                           normalized=q if note else None)
        reason = None if said_years else no_year
        info.doc_ids = doc_ids or []
        hits: list[Scored] = []
        if doc_ids != []:
            hits = self._retrieve(q, info, max(top_k, self.config.answer_passages), doc_ids, mode)
        passages = [self._passage_out(i + 1, s) for i, s in enumerate(hits[:top_k])]
        answers: list[Answer] = []
        if reason is None and hits:
            answers = cite_pages(self._extract(q, info, hits[: self.config.answer_passages], mode, said_years),
                                 self.index.documents)
            if not answers or answers[0].score < self.config.min_answer_score:
                reason = no_year if said_years else NOT_FOUND  # no report of the year, and none that names it
                answers = []
                if said_years:
                    passages = []  # other years' text is no related text for a year nobody reported on
        elif reason is None:
            reason = no_year if said_years else NOT_FOUND
        return QAResult(question=q, answer=answers[0].text if answers else None, reason=reason, answers=answers,
                        passages=passages, took_ms=round((time.perf_counter() - t0) * 1000, 2), query=info,
                        normalized=q if note else None)

    def _scope_said(self, info: QueryInfo, filters: dict | None) -> tuple[list[str] | None, str | None, list[int]]:
        """``_scope``, and the years only a sentence may answer for: a place whose reports are of other years may
        still tell of the year asked in a later report (2022年…考核结果 in the 2023 report), but only a sentence
        that names that year answers. With such years, the reason is the one to give when no sentence does."""
        doc_ids, reason = self._scope(info, filters)
        if doc_ids == [] and info.years and info.regions and not filters:
            other_years, _ = self._scope(info, filters, by_year=False)
            if other_years:
                return other_years, reason, info.years
        return doc_ids, reason, []

    # ---------------------------------------------------------------- extraction
    def _extract(self, q: str, info: QueryInfo, hits: list[Scored], mode: str | None,
                 said_years: list[int] | None = None) -> list[Answer]:
        """The answers, best first; with ``said_years``, only those whose sentence names one of the years."""
        use_dense = (mode or self.config.mode) != "bm25"
        qvec = self.embed_query(q) if use_dense else None
        if not said_years:
            return self.extractor.answers(q, info, classify(q), hits, qvec)
        found = self.extractor.answers(q, info, classify(q), hits, qvec, limit=_YEAR_SAID_POOL)
        return [a for a in found if _names_year(a.sentence, said_years)][: PARAMS.answers_shown]

    def candidates(self, question: str, top_k: int = 5, filters: dict | None = None, mode: str | None = None):
        """``(asked, candidates)`` as the engine sees them before ranking: the rule engine's best distinct spans
        with their named features (what the scorer is fitted on and `qa explain` prints); ``([], reason)``-like
        empty list when no report is in scope."""
        q = question_core(normalize_question(self._check(question, top_k)))
        info = analyse(q, self.gazetteer)
        doc_ids, reason, said_years = self._scope_said(info, filters)
        info.doc_ids = doc_ids or []
        asked = classify(q)
        if doc_ids == [] or (reason is not None and not said_years):
            return asked, []
        hits = self._retrieve(q, info, max(top_k, self.config.answer_passages), doc_ids, mode)
        if not hits:
            return asked, []
        use_dense = (mode or self.config.mode) != "bm25"
        qvec = self.embed_query(q) if use_dense else None
        cands = self.extractor.candidates(q, info, asked, hits[: self.config.answer_passages], qvec)
        if said_years:  # as _extract: a later report answers for a year only from a sentence that names it
            cands = [c for c in cands if _names_year(c.sentence.text, said_years)]
        return asked, cands

    # ---------------------------------------------------------------- explanation
    def explain(self, question: str, top_k: int = 5, filters: dict | None = None, limit: int = 8) -> dict:
        """Why the service answers what it answers: the question as read, each candidate with its shape verdict,
        features, probability and the features that moved it most, and why the winner won (`qa explain`)."""
        result = self.ask(question, top_k=top_k, filters=filters, use_cache=False)
        read = result.normalized or result.question
        out: dict = {"question": result.question, "read_as": read, "intent": result.intent,
                     "answer": result.answer, "reason": result.reason,
                     "threshold": self.config.min_answer_score,
                     "scorer": "fitted" if self.extractor.scorer is not None else "hand", "candidates": []}
        if result.intent != "question":
            out["why"] = f"not a question about the reports ({result.intent}): {result.reason}"
            return out
        asked, cands = self.candidates(read, top_k, filters)
        info = result.query
        out["asked"] = {"type": asked.type.value, "unit": asked.unit, "noun": asked.noun, "items": asked.items,
                        "counted": asked.counted}
        if info is not None:
            out.update(regions=info.regions, years=info.years, focus=info.focus)
        figure = asked.type in FIGURE_TYPES
        rows = []
        for c in cands:
            sh = shape(c.text, asked)
            if self.extractor.scorer is not None:
                p, parts = self.extractor.scorer.explain(c.features, figure)
            else:
                p, parts = c.features["hand"], []
            top = sorted(parts, key=lambda x: -abs(x[1]))[:4]
            rows.append({"text": c.text, "sentence": c.sentence.text, "shape_ok": sh.ok, "shape": sh.why,
                         "probability": round(p, 4), "hand": round(c.features["hand"], 4),
                         "features": {k: round(v, 4) for k, v in c.features.items()},
                         "moved_by": [f"{n} {v:+.2f}" for n, v in top]})
        rows.sort(key=lambda r: (not r["shape_ok"], -r["probability"]))
        out["candidates"] = rows[:limit]
        ok = [r for r in rows if r["shape_ok"]]
        if not ok:
            out["why"] = "no candidate of a well-formed shape: abstained"
        elif ok[0]["probability"] < self.config.min_answer_score:
            out["why"] = (f"best well-formed candidate {ok[0]['text']!r} has probability {ok[0]['probability']:.2f}, "
                          f"below the threshold {self.config.min_answer_score:.2f}: abstained")
        else:
            runner = f"; runner-up {ok[1]['text']!r} at {ok[1]['probability']:.2f}" if len(ok) > 1 else ""
            out["why"] = (f"{ok[0]['text']!r} has the highest probability ({ok[0]['probability']:.2f}, threshold "
                          f"{self.config.min_answer_score:.2f}), mostly from {', '.join(ok[0]['moved_by'][:3])}"
                          f"{runner}")
        return out
