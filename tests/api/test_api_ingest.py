"""Adding and deleting reports through the API while questions keep being answered.

The made-up reports in tests/api/data (青禾县 2022, 望川县 2023) exist nowhere else: answering their figures
proves the new report was indexed. Every test works on a copy of the seed index.
"""
from __future__ import annotations

import os
import threading
import time

import httpx
import pytest
from api_testlib import ADMIN_TOKEN, DATA, EXAMPLE_A, EXAMPLE_Q, copy_index, live_server, wait_job
from fastapi.testclient import TestClient

AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
QINGHE_Q = "青禾县行政复议纠错率是多少"
QINGHE_A = "23.4%"
WANGCHUAN_Q = "望川县行政复议纠错率是多少"
WANGCHUAN_A = "9.7%"
MAX_UPLOAD = 200_000

pytestmark = pytest.mark.slow  # index rebuilds in background jobs, uvicorn, concurrent uploads


@pytest.fixture(scope="module")
def ingest_server(tmp_path_factory, api_index_dir, api_encoder):
    """uvicorn serving a copy of the seed index, uploads enabled."""
    from api.app import create_app
    from api.settings import Settings
    from index.store import load_index
    from qa.engine import QA

    index_dir = copy_index(api_index_dir, tmp_path_factory.mktemp("ingest") / "index")
    qa = QA(load_index(index_dir, api_encoder.name), api_encoder)
    settings = Settings(index_dir=index_dir, admin_token=ADMIN_TOKEN, max_upload_bytes=MAX_UPLOAD)
    with live_server(create_app(qa=qa, settings=settings)) as url:
        with httpx.Client(base_url=url, timeout=60) as http:
            yield http, index_dir


def ask(http, q: str) -> dict:
    r = http.post("/ask", json={"question": q})
    assert r.status_code == 200, r.text
    return r.json()


def assert_cited(http, body: dict, answer: str, doc_id: str) -> None:
    assert body["answer"] == answer, body
    c = body["answers"][0]["citation"]
    assert c["doc_id"] == doc_id
    text = http.get(f"/documents/{doc_id}").json()["text"]
    assert text[c["start"]:c["end"]] == answer
    assert text[c["sentence_start"]:c["sentence_end"]] == body["answers"][0]["sentence"]


@pytest.mark.slow
def test_upload_while_answering_then_restart(ingest_server, api_encoder):
    from api.app import create_app
    from api.settings import Settings
    from index.store import read_manifest

    http, index_dir = ingest_server
    before = read_manifest(index_dir)
    assert ask(http, QINGHE_Q)["answer"] is None  # no such report yet

    # keep asking the seed question from another thread for the whole ingest
    stop = threading.Event()
    results: list[tuple[int, str | None]] = []
    failures: list[str] = []

    def hammer() -> None:
        with httpx.Client(base_url=str(http.base_url), timeout=60) as h:
            while not stop.is_set():
                try:
                    r = h.post("/ask", json={"question": EXAMPLE_Q})
                    results.append((r.status_code, r.json().get("answer")))
                except Exception as e:  # noqa: BLE001 - any failure fails the test below
                    failures.append(repr(e))

    t = threading.Thread(target=hammer, daemon=True)
    t.start()
    try:
        while len(results) < 3:
            time.sleep(0.02)
        with open(DATA / "qinghe_2022.txt", "rb") as f:
            r = http.post("/documents", files={"file": ("qinghe_2022.txt", f, "text/plain")}, headers=AUTH)
        assert r.status_code == 202, r.text
        accepted = r.json()
        assert accepted["doc_id"] == "qinghe_2022" and accepted["status"] == "pending" and accepted["job_id"]
        assert accepted["region"] == "青禾县" and accepted["year"] == 2022
        assert r.headers["location"].endswith(f"/jobs/{accepted['job_id']}")
        during = len(results)

        # the same report again while it is being indexed: a conflict, not a second job
        with open(DATA / "qinghe_2022.txt", "rb") as f:
            dup = http.post("/documents", files={"file": ("qinghe_2022.txt", f, "text/plain")}, headers=AUTH)
        assert dup.status_code == 409, dup.text

        job = wait_job(http.get, accepted["job_id"])
        assert job["status"] == "done", job
        assert job["error"] is None and job["documents"] == before.document_count + 1
        time.sleep(0.3)  # a few more questions against the new index
    finally:
        stop.set()
        t.join(timeout=60)
    assert not failures, failures[:3]
    assert results and all(code == 200 and a == EXAMPLE_A for code, a in results), \
        [x for x in results if x != (200, EXAMPLE_A)][:5]
    assert len(results) > during  # questions were answered while the report was being indexed

    # the new report answers its own questions, with exact citations
    assert_cited(http, ask(http, QINGHE_Q), QINGHE_A, "qinghe_2022")
    assert_cited(http, ask(http, "青禾县调解成功率是多少"), "98.6%", "qinghe_2022")
    seed = ask(http, EXAMPLE_Q)
    assert_cited(http, seed, EXAMPLE_A, seed["answers"][0]["citation"]["doc_id"])
    docs = http.get("/documents").json()
    assert docs["count"] == before.document_count + 1
    new = [d for d in docs["documents"] if d["doc_id"] == "qinghe_2022"][0]
    assert new["region"] == "青禾县" and new["year"] == 2022 and new["passages"] > 0

    # once indexed, the same doc_id is still a conflict
    with open(DATA / "qinghe_2022.txt", "rb") as f:
        r = http.post("/documents", files={"file": ("qinghe_2022.txt", f, "text/plain")}, headers=AUTH)
    assert r.status_code == 409 and "qinghe_2022" in r.json()["detail"]

    # it is on disk: a restarted service (new app, loading from the index folder) answers it
    m = read_manifest(index_dir)
    assert m.document_count == before.document_count + 1
    assert len(os.listdir(index_dir / "builds")) <= 2
    restarted = create_app(settings=Settings(index_dir=index_dir, admin_token=ADMIN_TOKEN), encoder=api_encoder)
    with TestClient(restarted) as c:
        assert c.get("/readyz").json()["index"]["document_count"] == before.document_count + 1
        assert_cited(c, c.post("/ask", json={"question": QINGHE_Q}).json(), QINGHE_A, "qinghe_2022")


@pytest.mark.slow
def test_json_upload_then_delete(ingest_server):
    http, index_dir = ingest_server
    n0 = http.get("/documents").json()["count"]
    text = (DATA / "wangchuan_2023.txt").read_text(encoding="utf-8")
    r = http.post("/documents", headers=AUTH, json={
        "text": text, "doc_id": "wangchuan", "metadata": {"issuer": "望川县人民政府办公室", "year": 2023}})
    assert r.status_code == 202, r.text
    assert r.json()["doc_id"] == "wangchuan"
    assert wait_job(http.get, r.json()["job_id"])["status"] == "done"
    assert_cited(http, ask(http, WANGCHUAN_Q), WANGCHUAN_A, "wangchuan")
    doc = http.get("/documents/wangchuan").json()
    assert doc["issuer"] == "望川县人民政府办公室" and doc["region"] == "望川县" and doc["year"] == 2023

    r = http.delete("/documents/wangchuan", headers=AUTH)
    assert r.status_code == 202, r.text
    assert r.json()["status"] == "pending"
    job = wait_job(http.get, r.json()["job_id"])
    assert job["status"] == "done" and job["kind"] == "delete" and job["documents"] == n0
    assert http.get("/documents/wangchuan").status_code == 404
    assert http.get("/documents").json()["count"] == n0
    assert ask(http, WANGCHUAN_Q)["answer"] is None
    assert ask(http, EXAMPLE_Q)["answer"] == EXAMPLE_A
    r = http.delete("/documents/wangchuan", headers=AUTH)
    assert r.status_code == 404 and "wangchuan" in r.json()["detail"]


@pytest.mark.parametrize("headers,status", [
    ({}, 401),
    ({"Authorization": f"Basic {ADMIN_TOKEN}"}, 401),
    ({"Authorization": "Bearer"}, 401),
    ({"Authorization": ADMIN_TOKEN}, 401),
    ({"Authorization": "Bearer wrong-token"}, 403),
    ({"Authorization": f"Bearer {ADMIN_TOKEN}x"}, 403),
], ids=["missing", "basic", "bearer-empty", "no-scheme", "wrong", "wrong-suffix"])
def test_admin_auth(ingest_server, headers, status):
    http, _ = ingest_server
    n0 = http.get("/documents").json()["count"]
    seed = sorted(d["doc_id"] for d in http.get("/documents").json()["documents"])[0]
    r = http.post("/documents", headers=headers, json={"text": (DATA / "wangchuan_2023.txt").read_text("utf-8")})
    assert r.status_code == status, r.text
    assert isinstance(r.json()["detail"], str)
    if status == 401:
        assert r.headers["www-authenticate"] == "Bearer"
    with open(DATA / "qinghe_2022.txt", "rb") as f:
        r = http.post("/documents", headers=headers, files={"file": ("x.txt", f, "text/plain")})
    assert r.status_code == status, r.text
    r = http.delete(f"/documents/{seed}", headers=headers)
    assert r.status_code == status, r.text
    assert http.get("/documents").json()["count"] == n0


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4


def _multipart(name, data, **fields):
    return {"files": {"file": (name, data, "application/octet-stream")}, "data": fields}


BAD_UPLOADS = [
    pytest.param(_multipart("scan.png", PNG), 422, "scan.png", id="binary-file"),
    pytest.param(_multipart("empty.txt", b""), 422, "empty", id="empty-file"),
    pytest.param(_multipart("big.txt", "法治".encode() * (MAX_UPLOAD // 6 + 10)), 413, "allowed", id="oversized-file"),
    pytest.param(_multipart("huge.txt", "法治".encode() * (MAX_UPLOAD // 2)), 413, "allowed", id="huge-file"),
    pytest.param({"json": {"text": "法治" * (MAX_UPLOAD // 6 + 10)}}, 413, "allowed", id="oversized-json"),
    pytest.param(_multipart("en.txt", b"This report has no Chinese text at all. " * 20), 422, "Chinese",
                 id="no-chinese"),
    pytest.param(_multipart("gbk.txt", "青禾县法治政府建设情况报告".encode("gbk") + b"\x00\x01" * 50), 422, "binary",
                 id="nul-bytes"),
    pytest.param({"data": {"doc_id": "x"}, "files": {"other": ("a.txt", b"x", "text/plain")}}, 422, "file",
                 id="no-file-field"),
    pytest.param(_multipart("ok.txt", (DATA / "qinghe_2022.txt").read_bytes(), doc_id="../etc/passwd"), 422,
                 "doc_id", id="bad-doc-id"),
    pytest.param(_multipart("ok.txt", (DATA / "qinghe_2022.txt").read_bytes(), metadata="{not json"), 422,
                 "metadata", id="metadata-not-json"),
    pytest.param({"json": {"text": "青禾县" * 30, "metadata": {"mayor": "张三"}}}, 422, "metadata", id="metadata-unknown"),
    pytest.param({"json": {"text": "青禾县" * 30, "metadata": {"year": "去年"}}}, 422, "year", id="metadata-year"),
    pytest.param({"json": {"name": "a.txt"}}, 422, "text", id="json-without-text"),
    pytest.param({"json": {"text": ""}}, 422, "text", id="json-empty-text"),
    pytest.param({"json": ["青禾县"]}, 422, "", id="json-array"),
    pytest.param({"content": b'{"text": "abc"', "headers": {"Content-Type": "application/json"}}, 400, "JSON",
                 id="malformed-json"),
    pytest.param({"content": "青禾县报告".encode(), "headers": {"Content-Type": "text/plain"}}, 415, "multipart",
                 id="wrong-content-type"),
    pytest.param({"json": {"text": "<html><body>登录 注册 首页</body></html>"}}, 422, "", id="boilerplate-only"),
]


@pytest.mark.parametrize("kwargs,status,needle", BAD_UPLOADS)
def test_bad_uploads_are_4xx(ingest_server, kwargs, status, needle):
    http, _ = ingest_server
    n0 = http.get("/documents").json()["count"]
    kwargs = dict(kwargs)
    headers = {**AUTH, **kwargs.pop("headers", {})}
    r = http.post("/documents", headers=headers, **kwargs)
    assert r.status_code == status, r.text
    detail = r.json()["detail"]
    assert isinstance(detail, str) and needle in detail
    assert http.get("/documents").json()["count"] == n0


@pytest.fixture()
def one_report_app(tmp_path, served_qa, api_encoder):
    """An app over a one-report index (the 郴州 report; vectors reused from the seed index, so it is quick)."""
    from api.app import create_app
    from api.settings import Settings
    from index.store import build_index, load_index
    from qa.engine import QA

    doc = next(d for d in served_qa.index.doc_list if d.meta.region == "郴州市")
    build_index([doc], api_encoder, tmp_path / "index", previous=served_qa.index)
    qa = QA(load_index(tmp_path / "index", api_encoder.name), api_encoder)
    app = create_app(qa=qa, settings=Settings(index_dir=tmp_path / "index", admin_token=ADMIN_TOKEN))
    with TestClient(app) as c:
        yield c, tmp_path / "index", doc.doc_id


def test_cannot_delete_the_last_report(one_report_app):
    c, _, doc_id = one_report_app
    r = c.delete(f"/documents/{doc_id}", headers=AUTH)
    assert r.status_code == 409 and "last" in r.json()["detail"]
    assert c.post("/ask", json={"question": EXAMPLE_Q}).json()["answer"] == EXAMPLE_A


def test_failed_ingest_keeps_the_old_index(one_report_app):
    """The index folder cannot be written (its builds/ is a file): the job fails, the old index keeps serving
    and stays current on disk."""
    from index.store import current_build, read_manifest

    c, index_dir, doc_id = one_report_app
    old_build = current_build(index_dir)
    builds = index_dir / "builds"
    builds.rename(index_dir / "builds.bak")
    builds.write_text("not a folder")
    try:
        r = c.post("/documents", headers=AUTH, files={"file": ("qinghe_2022.txt",
                                                               (DATA / "qinghe_2022.txt").read_bytes())})
        assert r.status_code == 202, r.text
        job = wait_job(c.get, r.json()["job_id"], timeout=120)
        assert job["status"] == "failed" and job["error"]
        assert c.post("/ask", json={"question": EXAMPLE_Q}).json()["answer"] == EXAMPLE_A
        assert c.post("/ask", json={"question": QINGHE_Q}).json()["answer"] is None
        assert c.get("/documents").json()["count"] == 1
        assert c.get("/readyz").status_code == 200
    finally:
        builds.unlink()
        (index_dir / "builds.bak").rename(builds)
    assert current_build(index_dir) == old_build
    assert read_manifest(index_dir).document_count == 1
    # and the failure did not wedge the worker: the next upload goes through
    r = c.post("/documents", headers=AUTH, files={"file": ("qinghe_2022.txt", (DATA / "qinghe_2022.txt").read_bytes())})
    assert wait_job(c.get, r.json()["job_id"], timeout=120)["status"] == "done"
    assert c.post("/ask", json={"question": QINGHE_Q}).json()["answer"] == QINGHE_A


def test_other_processes_pick_up_the_new_build(one_report_app, api_encoder):
    """Two services on one index folder (like `qa serve --workers 2`): a report added through one is answered
    by the other once it notices the new current build."""
    from api.app import create_app
    from api.settings import Settings

    a, index_dir, _ = one_report_app
    other = create_app(settings=Settings(index_dir=index_dir), encoder=api_encoder)
    with TestClient(other) as b:
        assert b.post("/ask", json={"question": QINGHE_Q}).json()["answer"] is None
        r = a.post("/documents", headers=AUTH, files={"file": ("qinghe_2022.txt",
                                                               (DATA / "qinghe_2022.txt").read_bytes())})
        assert wait_job(a.get, r.json()["job_id"], timeout=120)["status"] == "done"
        deadline = time.time() + 30
        while True:
            body = b.post("/ask", json={"question": QINGHE_Q}).json()  # never fails while reloading
            if body["answer"] == QINGHE_A or time.time() > deadline:
                break
            time.sleep(0.3)
        assert body["answer"] == QINGHE_A
        assert b.get("/documents").json()["count"] == 2


def test_uploads_to_two_workers_are_serialised_and_none_is_lost(one_report_app, api_encoder):
    """Two services on one index folder each take an upload at the same time: the file lock serialises the
    jobs and each starts from the build current on disk, so both reports end up in the index."""
    from api.app import create_app
    from api.settings import Settings
    from index.store import read_manifest

    a, index_dir, _ = one_report_app
    other = create_app(settings=Settings(index_dir=index_dir, admin_token=ADMIN_TOKEN), encoder=api_encoder)
    with TestClient(other) as b:
        ra = a.post("/documents", headers=AUTH, files={"file": ("qinghe_2022.txt",
                                                                (DATA / "qinghe_2022.txt").read_bytes())})
        rb = b.post("/documents", headers=AUTH, files={"file": ("wangchuan_2023.txt",
                                                                (DATA / "wangchuan_2023.txt").read_bytes())})
        assert wait_job(a.get, ra.json()["job_id"], timeout=180)["status"] == "done"
        assert wait_job(b.get, rb.json()["job_id"], timeout=180)["status"] == "done"
    assert read_manifest(index_dir).document_count == 3
    deadline = time.time() + 30
    while time.time() < deadline:
        answers = [a.post("/ask", json={"question": q}).json()["answer"] for q in (QINGHE_Q, WANGCHUAN_Q)]
        if answers == [QINGHE_A, WANGCHUAN_A]:
            break
        time.sleep(0.3)
    assert answers == [QINGHE_A, WANGCHUAN_A]


# ---------------------------------------------------------------------------------------------- issue 11


def test_the_same_text_again_is_a_409_naming_the_report_unless_replace(one_report_app):
    """The same report under another name (and another doc_id) is refused, naming the indexed one; with
    ?replace=true it replaces it. Progress and the outcome are in /jobs/{id}."""
    c, _, _ = one_report_app
    text = (DATA / "qinghe_2022.txt").read_bytes()
    r = c.post("/documents", headers=AUTH, files={"file": ("qinghe_2022.txt", text)})
    assert r.status_code == 202, r.text
    assert r.json()["queue_position"] == 0
    job = wait_job(c.get, r.json()["job_id"], timeout=120)
    assert job["status"] == "done" and job["stage"] == "done"
    assert job["passages_total"] and job["passages_done"] == job["passages_total"]
    r = c.post("/documents", headers=AUTH, files={"file": ("copy_of_the_report.txt", text)})
    assert r.status_code == 409 and "qinghe_2022" in r.json()["detail"] and "replace" in r.json()["detail"]
    r = c.post("/documents", headers=AUTH, json={"text": text.decode("utf-8"), "doc_id": "qinghe_again"})
    assert r.status_code == 409 and "qinghe_2022" in r.json()["detail"]
    r = c.post("/documents?replace=true", headers=AUTH, files={"file": ("copy_of_the_report.txt", text)})
    assert r.status_code == 202 and r.json()["replaces"] == ["qinghe_2022"], r.text
    assert wait_job(c.get, r.json()["job_id"], timeout=120)["status"] == "done"
    ids = {d["doc_id"] for d in c.get("/documents").json()["documents"]}
    assert "copy_of_the_report" in ids and "qinghe_2022" not in ids and len(ids) == 2
    body = c.post("/ask", json={"question": QINGHE_Q}).json()
    assert body["answer"] == QINGHE_A and body["answers"][0]["citation"]["doc_id"] == "copy_of_the_report"


def test_an_upload_over_the_passage_limit_is_413_naming_the_limit(served_qa, api_index_dir):
    from api.app import create_app
    from api.settings import Settings

    settings = Settings(index_dir=api_index_dir, admin_token=ADMIN_TOKEN, max_upload_passages=5)
    with TestClient(create_app(qa=served_qa, settings=settings)) as c:
        r = c.post("/documents", headers=AUTH, files={"file": ("qinghe_2022.txt",
                                                               (DATA / "qinghe_2022.txt").read_bytes() * 3)})
        assert r.status_code == 413, r.text
        assert "5" in r.json()["detail"] and "QA_MAX_UPLOAD_PASSAGES" in r.json()["detail"]
        assert not (api_index_dir / "journal" / "queue").exists() or \
            not list((api_index_dir / "journal" / "queue").iterdir())


def test_repeated_text_is_embedded_once(api_encoder):
    """A report repeating the same paragraphs costs one embedding per distinct text."""
    from api.jobrunner import ReuseVectors

    class Counting:
        def __init__(self, enc):
            self.enc, self.name, self.dim, self.texts = enc, enc.name, enc.dim, 0

        def encode_passages(self, texts, batch_size=32):
            self.texts += len(texts)
            return self.enc.encode_passages(texts, batch_size)

    counting = Counting(api_encoder)
    reuse = ReuseVectors(counting)
    paras = ["青禾县全年办理行政复议案件52件。", "县政府常务会议会前学法15次。"]
    first = reuse.encode_passages(paras * 40)
    again = reuse.encode_passages(paras[::-1] * 10)
    assert counting.texts == 2 and first.shape == (80, api_encoder.dim)
    assert (first[0] == again[1]).all() and (first[1] == again[0]).all()
    assert (first[0] == api_encoder.encode_passages(paras[:1])[0]).all()
