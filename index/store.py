"""Build, save and load the hybrid index (FAISS dense + bm25s sparse) with a manifest.

Layout of an index directory::

    <index_dir>/current -> builds/<build-id>     (symlink, swapped atomically)
    <index_dir>/builds/<build-id>/manifest.json
                                 documents.jsonl  passages.jsonl
                                 dense.faiss      vectors.npy (passage vectors, reused by incremental builds)
                                 bm25/            (bm25s files)
                                 sentences.npy    sentence_vectors.npy

A build is written to a fresh ``builds/`` folder and only then made current by replacing the ``current``
symlink (``os.replace`` is atomic), so an interrupted build never damages the index being served.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from functools import cached_property
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import bm25s
import faiss
import numpy as np

from index.encoders import Encoder
from index.models import Document, Passage
from index.passages import corpus_checksum, split_passages
from index.text import sentence_spans, tokenize

FORMAT_VERSION = 3
KEEP_BUILDS = 2

Progress = Callable[[str, int, int], None]  # (stage, done, total)


class IndexError_(RuntimeError):
    """The index is missing, corrupt, or incompatible with the requested encoder."""


IndexLoadError = IndexError_


@dataclass
class Manifest:
    format_version: int
    encoder: str
    dim: int
    passage_count: int
    document_count: int
    sentence_count: int
    corpus_checksum: str
    built_at: str
    faiss_index: str
    build_seconds: float

    def to_dict(self) -> dict:
        return dict(self.__dict__)


def _embed_text(p: Passage) -> str:
    return f"{p.header}\n{p.text}" if p.header else p.text


def _vec_key(encoder: str, text: str) -> str:
    return hashlib.sha1(f"{encoder}\0{text}".encode()).hexdigest()


@dataclass
class LoadedIndex:
    path: Path
    manifest: Manifest
    documents: dict[str, Document]
    passages: list[Passage]
    faiss_index: faiss.Index
    vectors: np.ndarray  # passage vectors (memory-mapped)
    bm25: bm25s.BM25
    sentences: np.ndarray  # int32 rows: passage index, start, end (document offsets)
    sentence_vectors: np.ndarray | None  # float16, memory-mapped

    @property
    def doc_list(self) -> list[Document]:
        return list(self.documents.values())

    @cached_property
    def passage_counts(self) -> Counter[str]:
        """Passages per doc_id (an index never changes once loaded)."""
        return Counter(p.doc_id for p in self.passages)


def _write_jsonl(path: Path, rows) -> None:
    with path.open("w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


def _read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _faiss_index(vectors: np.ndarray, dim: int, use_hnsw: bool) -> tuple[faiss.Index, str]:
    if use_hnsw:
        idx = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
        idx.hnsw.efConstruction = 80
        idx.hnsw.efSearch = 64
        name = "HNSWFlat(M=32)"
    else:
        idx = faiss.IndexFlatIP(dim)
        name = "FlatIP"
    if len(vectors):
        idx.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return idx, name


def build_index(docs: list[Document], encoder: Encoder, index_dir: Path, *, hnsw_threshold: int = 50_000,
                max_passage_chars: int = 320, sentence_vectors: bool = True,
                previous: LoadedIndex | None = None, progress: Progress | None = None,
                passages: list[Passage] | None = None) -> Path:
    """Build the index for ``docs`` and make it current in ``index_dir``. Returns the build folder.

    Vectors of passages/sentences already in ``previous`` (same encoder, same text) are reused, so adding a
    report only embeds that report.
    """
    t0 = time.time()
    if not docs:
        raise IndexError_("no documents to index")
    ids = [d.doc_id for d in docs]
    if len(set(ids)) != len(ids):
        raise IndexError_("duplicate document ids: " + ", ".join(sorted({i for i in ids if ids.count(i) > 1})))
    progress = progress or (lambda stage, done, total: None)
    if passages is None:
        passages = [p for d in docs for p in split_passages(d, max_passage_chars)]
    if not passages:
        raise IndexError_("the documents produced no passages")

    cache: dict[str, np.ndarray] = {}
    if previous is not None and previous.manifest.encoder == encoder.name:
        for i, p in enumerate(previous.passages):
            cache[_vec_key(encoder.name, _embed_text(p))] = previous.vectors[i]
        if previous.sentence_vectors is not None:
            for row, vec in zip(previous.sentences, previous.sentence_vectors):
                p = previous.passages[int(row[0])]
                doc = previous.documents[p.doc_id]
                cache[_vec_key(encoder.name, "s:" + doc.clean_text[int(row[1]):int(row[2])])] = vec

    def embed(texts: list[str], keys: list[str], stage: str) -> np.ndarray:
        out = np.zeros((len(texts), encoder.dim), dtype=np.float32)
        todo = [i for i, k in enumerate(keys) if k not in cache]
        for i, k in enumerate(keys):
            if k in cache:
                out[i] = cache[k]
        done = len(texts) - len(todo)
        progress(stage, done, len(texts))
        step = 64
        for b in range(0, len(todo), step):
            batch = todo[b:b + step]
            out[batch] = encoder.encode_passages([texts[i] for i in batch])
            done += len(batch)
            progress(stage, done, len(texts))
        return out

    texts = [_embed_text(p) for p in passages]
    vectors = embed(texts, [_vec_key(encoder.name, t) for t in texts], "passages")

    doc_by_id = {d.doc_id: d for d in docs}
    sent_rows: list[tuple[int, int, int]] = []
    for pi, p in enumerate(passages):
        for s, e in sentence_spans(doc_by_id[p.doc_id].clean_text, p.start, p.end):
            sent_rows.append((pi, s, e))
    sentences = np.asarray(sent_rows, dtype=np.int32).reshape(-1, 3)
    sent_vecs = None
    if sentence_vectors:
        stexts = [doc_by_id[passages[r[0]].doc_id].clean_text[r[1]:r[2]] for r in sent_rows]
        sent_vecs = embed(stexts, [_vec_key(encoder.name, "s:" + t) for t in stexts], "sentences")

    use_hnsw = hnsw_threshold >= 0 and len(passages) >= hnsw_threshold
    fidx, fname = _faiss_index(vectors, encoder.dim, use_hnsw)

    progress("bm25", 0, 1)
    old_tokens = _previous_tokens(previous)
    corpus_tokens = _tokenize_all(texts, old_tokens)
    retriever = bm25s.BM25()
    retriever.index(corpus_tokens, show_progress=False)
    progress("bm25", 1, 1)

    index_dir = Path(index_dir)
    builds = index_dir / "builds"
    builds.mkdir(parents=True, exist_ok=True)
    build_id = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f") + f"-{os.getpid()}"
    tmp = builds / f".tmp-{build_id}"
    final = builds / build_id
    try:
        tmp.mkdir()
        _write_jsonl(tmp / "documents.jsonl", (d.to_dict() for d in docs))
        _write_jsonl(tmp / "passages.jsonl", (p.to_dict() for p in passages))
        np.save(tmp / "vectors.npy", vectors)
        faiss.write_index(fidx, str(tmp / "dense.faiss"))
        retriever.save(str(tmp / "bm25"), show_progress=False)
        _write_jsonl(tmp / "tokens.jsonl", corpus_tokens)  # reused by the next incremental build
        np.save(tmp / "sentences.npy", sentences)
        if sent_vecs is not None:
            np.save(tmp / "sentence_vectors.npy", sent_vecs.astype(np.float16))
        manifest = Manifest(
            format_version=FORMAT_VERSION, encoder=encoder.name, dim=encoder.dim, passage_count=len(passages),
            document_count=len(docs), sentence_count=len(sent_rows), corpus_checksum=corpus_checksum(docs),
            built_at=datetime.now(timezone.utc).isoformat(timespec="seconds"), faiss_index=fname,
            build_seconds=round(time.time() - t0, 2))
        # the manifest is written last: a folder without one is never a complete build
        (tmp / "manifest.json").write_text(json.dumps(manifest.to_dict(), ensure_ascii=False, indent=2),
                                           encoding="utf-8")
        os.replace(tmp, final)
        link_tmp = index_dir / f".current-{build_id}"
        os.symlink(Path("builds") / build_id, link_tmp)
        os.replace(link_tmp, index_dir / "current")
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _prune(builds, keep=final)
    return final


def _previous_tokens(previous: LoadedIndex | None) -> dict[str, list[str]]:
    """BM25 tokens of the previous build's passages, by embedded text (read only while building)."""
    if previous is None or not (previous.path / "tokens.jsonl").exists():
        return {}
    try:
        rows = _read_jsonl(previous.path / "tokens.jsonl")
    except (OSError, json.JSONDecodeError):
        return {}
    if len(rows) != len(previous.passages):
        return {}
    return {_embed_text(p): toks for p, toks in zip(previous.passages, rows)}


PARALLEL_TOKENIZE_MIN = 20_000


def _tokenize_all(texts: list[str], known: dict[str, list[str]]) -> list[list[str]]:
    """jieba tokens for every text: reused when known, else computed (in worker processes for large corpora)."""
    todo = [t for t in texts if t not in known]
    fresh: dict[str, list[str]] = {}
    workers = min(os.cpu_count() or 1, 8)
    if len(todo) >= PARALLEL_TOKENIZE_MIN and workers > 1:
        import multiprocessing as mp

        with mp.get_context("fork" if os.name == "posix" else "spawn").Pool(workers) as pool:
            fresh = dict(zip(todo, pool.map(tokenize, todo, chunksize=500)))
    else:
        fresh = {t: tokenize(t) for t in todo}
    return [known[t] if t in known else fresh[t] for t in texts]


def _prune(builds: Path, keep: Path) -> None:
    done = sorted((p for p in builds.iterdir() if p.is_dir() and not p.name.startswith(".tmp-")),
                  key=lambda p: p.name)
    for old in done[:-KEEP_BUILDS]:
        if old != keep:
            shutil.rmtree(old, ignore_errors=True)
    for stale in builds.glob(".tmp-*"):
        try:
            if time.time() - stale.stat().st_mtime > 3600:
                shutil.rmtree(stale, ignore_errors=True)
        except FileNotFoundError:
            pass


def current_build(index_dir: Path) -> Path:
    index_dir = Path(index_dir)
    link = index_dir / "current"
    if link.exists():
        return link.resolve()
    if (index_dir / "manifest.json").exists():  # a build folder given directly
        return index_dir
    raise IndexError_(f"no index found in {index_dir}: build one with `qa index build`")


def read_manifest(index_dir: Path) -> Manifest:
    path = current_build(index_dir) / "manifest.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        m = Manifest(**data)
    except FileNotFoundError:
        raise IndexError_(f"index at {path.parent} has no manifest.json: the build is incomplete; rebuild it") from None
    except (json.JSONDecodeError, UnicodeDecodeError, TypeError) as e:
        raise IndexError_(f"index manifest {path} is corrupted ({e.__class__.__name__}: {e}); rebuild the index "
                          "with `qa index build`") from None
    if m.format_version != FORMAT_VERSION:
        raise IndexError_(f"index at {path.parent} has format version {m.format_version}, this program reads "
                          f"{FORMAT_VERSION}; rebuild it with `qa index build`")
    return m


def load_index(index_dir: Path, encoder_name: str | None = None, mmap: bool = True) -> LoadedIndex:
    """Load the current index. ``encoder_name``, when given, must match the encoder the index was built with."""
    build = current_build(index_dir)
    manifest = read_manifest(index_dir)
    if encoder_name is not None and encoder_name != manifest.encoder:
        raise IndexError_(f"index at {build} was built with encoder {manifest.encoder!r} but {encoder_name!r} was "
                          f"requested; rebuild with `qa index build --encoder {encoder_name}` or use "
                          f"--encoder {manifest.encoder}")
    try:
        docs = [Document.from_dict(d) for d in _read_jsonl(build / "documents.jsonl")]
        passages = [Passage.from_dict(p) for p in _read_jsonl(build / "passages.jsonl")]
        flag = faiss.IO_FLAG_MMAP | faiss.IO_FLAG_READ_ONLY if mmap else 0
        try:
            fidx = faiss.read_index(str(build / "dense.faiss"), flag)
        except RuntimeError:
            fidx = faiss.read_index(str(build / "dense.faiss"))
        vectors = np.load(build / "vectors.npy", mmap_mode="r" if mmap else None)
        bm25 = bm25s.BM25.load(str(build / "bm25"), mmap=mmap, show_progress=False, verbosity=0)
        sentences = np.load(build / "sentences.npy")
        sv_path = build / "sentence_vectors.npy"
        sent_vecs = np.load(sv_path, mmap_mode="r" if mmap else None) if sv_path.exists() else None
    except (OSError, ValueError, KeyError, json.JSONDecodeError, RuntimeError) as e:
        raise IndexError_(f"index at {build} is damaged ({e.__class__.__name__}: {e}); rebuild it with "
                          "`qa index build`") from None
    if len(passages) != manifest.passage_count or fidx.ntotal != manifest.passage_count \
            or len(docs) != manifest.document_count or fidx.d != manifest.dim \
            or vectors.shape != (manifest.passage_count, manifest.dim) \
            or len(sentences) != manifest.sentence_count \
            or (sent_vecs is not None and sent_vecs.shape[0] != manifest.sentence_count):
        raise IndexError_(f"index at {build} does not match its manifest (passages {len(passages)}/"
                          f"{fidx.ntotal} vs {manifest.passage_count}); rebuild it with `qa index build`")
    if isinstance(fidx, faiss.IndexHNSW):
        fidx.hnsw.efSearch = 64
    return LoadedIndex(path=build, manifest=manifest, documents={d.doc_id: d for d in docs}, passages=passages,
                       faiss_index=fidx, vectors=vectors, bm25=bm25, sentences=sentences,
                       sentence_vectors=sent_vecs)
