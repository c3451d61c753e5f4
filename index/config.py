"""Index settings: where the index lives, which encoder, when to switch FAISS to HNSW.

Each can be set by an environment variable (QA_INDEX_DIR, QA_ENCODER, QA_HNSW_THRESHOLD, QA_SEEDS_DIR)
or by the CLI flags that mirror them.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from index.encoders import DEFAULT_ENCODER


def _env_int(name: str, default: int) -> int:
    v = os.environ.get(name)
    if v is None or v == "":
        return default
    try:
        return int(v)
    except ValueError:
        raise SystemExit(f"environment variable {name} must be an integer, got {v!r}") from None


@dataclass
class IndexConfig:
    index_dir: Path = field(default_factory=lambda: Path(os.environ.get("QA_INDEX_DIR", "var/index")))
    seeds_dir: Path = field(default_factory=lambda: Path(os.environ.get("QA_SEEDS_DIR", "seeds")))
    encoder: str = field(default_factory=lambda: os.environ.get("QA_ENCODER", DEFAULT_ENCODER))
    # FAISS Flat (exact) below this many passages, HNSW above; 0 forces HNSW, -1 never.
    hnsw_threshold: int = field(default_factory=lambda: _env_int("QA_HNSW_THRESHOLD", 50_000))
    max_passage_chars: int = 320
    sentence_vectors: bool = True  # embed every sentence too, for answer selection
