"""Opening the encoder and the QA the service and the CLI use, configured by :class:`api.settings.Settings`.

    settings = load_settings()
    qa = load_qa(settings)              # builds the index from settings.index.seeds_dir when there is none
"""
from __future__ import annotations

import logging
from pathlib import Path

from api.settings import Settings
from index.encoders import Encoder, get_encoder
from index.ingest import load_folder
from index.store import IndexError_, build_index, current_build, read_manifest
from qa.engine import QA

log = logging.getLogger("api")


def open_encoder(settings: Settings, name: str | None = None) -> Encoder:
    """The encoder ``name`` (default: the configured one) with the configured query threads."""
    return get_encoder(name or settings.index.encoder, query_threads=settings.index.query_threads)


def open_qa(settings: Settings, index_dir: Path | None = None, encoder: str | Encoder | None = None) -> QA:
    """The QA over an existing index; ``encoder`` defaults to the one the index was built with."""
    index_dir = index_dir or settings.index.index_dir
    if not isinstance(encoder, str) and encoder is not None:
        enc = encoder
    else:
        enc = open_encoder(settings, encoder or read_manifest(index_dir).encoder)
    return QA.load(index_dir, enc, settings.qa_config())


def load_qa(settings: Settings, encoder: Encoder | None = None) -> QA:
    """Load the index in ``settings.index.index_dir``; when there is none, build it from the seeds folder."""
    cfg = settings.index_config()
    try:
        current_build(cfg.index_dir)
    except IndexError_:
        log.warning("no index in %s: building one from %s", cfg.index_dir, cfg.seeds_dir)
        docs = load_folder(cfg.seeds_dir)
        encoder = encoder or open_encoder(settings)
        build_index(docs, encoder, cfg.index_dir, hnsw_threshold=cfg.hnsw_threshold,
                    max_passage_chars=cfg.max_passage_chars, sentence_vectors=cfg.sentence_vectors)
    return open_qa(settings, cfg.index_dir, encoder)
