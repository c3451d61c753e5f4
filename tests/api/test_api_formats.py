"""Uploading reports as people have them (PDF, Word, a saved web page) over real HTTP, citing their pages and
serving their original files; broken files refused with 4xx naming the file and the reason, the index unchanged.

The files are built here from a made-up report (桐溪县, tests/index/formats_files.py).
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
from api_testlib import ADMIN_TOKEN, EXAMPLE_A, EXAMPLE_Q, copy_index, wait_job
from fastapi.testclient import TestClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "index"))

import formats_files as ff  # noqa: E402

AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
REPORT = ff.TONGXI_REPORT
ANSWER = "12.6%"  # the 行政复议纠错率 of the made-up report
# an uploaded web page is served back as bytes to save, never rendered on our origin (issue 24: safe content type)
MEDIA = {"pdf": "application/pdf", "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
         "html": "application/octet-stream"}


@pytest.fixture(scope="module")
def upload_client(tmp_path_factory, api_index_dir, api_encoder):
    """The real app over a copy of the two-report index, uploads enabled."""
    from api.app import create_app
    from api.settings import Settings
    from index.store import load_index
    from qa.engine import QA

    index_dir = copy_index(api_index_dir, tmp_path_factory.mktemp("formats") / "index")
    qa = QA(load_index(index_dir, api_encoder.name), api_encoder)
    app = create_app(qa=qa, settings=Settings(index_dir=index_dir, admin_token=ADMIN_TOKEN))
    with TestClient(app) as c:
        yield c


def _upload(client, name: str, data: bytes, **form):
    return client.post("/documents", headers=AUTH, files={"file": (name, data)}, data=form)


BAD = {  # file name -> (bytes, words the 4xx message must carry)
    "truncated.pdf": (lambda: ff.to_pdf(REPORT)[:4000], "truncated"),
    "archive.docx": (lambda: _zip(), "not a Word"),
    "scan.pdf": (ff.image_only_pdf, "no text layer"),
    "blank.pdf": (lambda: b"", "empty"),
    "report.docx": (lambda: ff.to_plain(REPORT).encode(), "wrong extension"),
    "photo.txt": (ff._tiny_png, "PNG image"),
}


def _zip() -> bytes:
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("notes.txt", ff.to_plain(REPORT))
    return buf.getvalue()


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_files_are_4xx_naming_file_and_reason(upload_client, name):
    before = upload_client.get("/documents").json()
    make, words = BAD[name]
    r = _upload(upload_client, name, make())
    assert 400 <= r.status_code < 500, (r.status_code, r.text)
    detail = r.json()["detail"]
    assert name in detail and words in detail, detail
    assert upload_client.get("/documents").json() == before  # the index is unchanged
    assert upload_client.post("/ask", json={"question": EXAMPLE_Q}).json()["answer"] == EXAMPLE_A


PLACES = {"pdf": "桐溪县", "docx": "柳岙县", "html": "杉浦县"}  # one made-up county per format


@pytest.mark.slow  # three background re-index jobs
def test_upload_pdf_docx_html_answer_cite_pages_and_serve_originals(upload_client):
    import pypdfium2 as pdfium

    files = {"pdf": ff.to_pdf(REPORT, lines_per_page=14), "docx": ff.to_docx(REPORT.replace("桐溪县", "柳岙县")),
             "html": ff.to_html(REPORT.replace("桐溪县", "杉浦县"))}
    for ext, data in files.items():
        r = _upload(upload_client, f"{PLACES[ext]}报告.{ext}", data, doc_id=f"report_{ext}")
        assert r.status_code == 202, r.text
        assert r.json()["region"] == PLACES[ext] and r.json()["year"] == 2024
        assert wait_job(upload_client.get, r.json()["job_id"])["status"] == "done"
    for ext, data in files.items():
        body = upload_client.post("/ask", json={"question": f"{PLACES[ext]}行政复议纠错率是多少"}).json()
        assert body["answer"] == ANSWER, body
        c = body["answers"][0]["citation"]
        assert c["doc_id"] == f"report_{ext}"
        text = upload_client.get(f"/documents/report_{ext}").json()["text"]
        assert text[c["start"]:c["end"]] == ANSWER
        if ext == "pdf":  # the citation names the page the figure is printed on
            assert ANSWER in pdfium.PdfDocument(data)[c["page"] - 1].get_textpage().get_text_range()
        else:
            assert c["page"] is None
        r = upload_client.get(f"/documents/report_{ext}/original")
        assert r.status_code == 200 and r.content == data
        assert r.headers["content-type"].startswith(MEDIA[ext])
        assert "filename*=utf-8''" in r.headers["content-disposition"].lower()


def test_original_of_unknown_report_is_404(upload_client):
    r = upload_client.get("/documents/no_such_report/original")
    assert r.status_code == 404 and "no_such_report" in r.json()["detail"]
