"""Hostile or careless input (issue 24): never a 500, never echoed undecodable text, ids checked before the
filesystem, report text never live in Markdown or HTML, headers that keep a browser safe, no trust in Host or
X-Forwarded-For, bounded ingest.

The TestClient tests run on the session's two-report index (fast tier); the server tests (slow) run a real
``qa serve`` over a copy of it, with files generated here.
"""
from __future__ import annotations

import json

import pytest
from api_testlib import EXAMPLE_Q, INJECT_Q, INJECTED, injected_report


def _detail(r) -> str:
    assert 400 <= r.status_code < 500, (r.status_code, r.text)
    body = r.json()
    assert isinstance(body["detail"], str) and body["detail"]
    return body["detail"]


# ---------------------------------------------------------------------------------------------- 0 x 500


def test_lone_surrogate_in_a_json_key_is_4xx_and_not_echoed(client):
    for path, body in [("/ask", b'{"question": "abc", "\\ud800": 1}'),
                       ("/ask", b'{"question": "abc", "filters": {"\\udfff\\u90f4": 1}}'),
                       ("/v1/chat/completions", b'{"messages": [{"role": "user", "content": "x"}], "\\ud800": 1}')]:
        r = client.post(path, content=body, headers={"Content-Type": "application/json"})
        assert r.status_code == 422, r.text
        r.content.decode("utf-8")  # valid UTF-8 all through
        assert "\\ud800" in _detail(r) or "\\udfff" in _detail(r)
        assert not any(0xD800 <= ord(c) <= 0xDFFF for c in r.text)


def test_ids_are_checked_before_the_filesystem(client):
    for path in ["/jobs/" + "a" * 251, "/jobs/" + "a" * 5000, "/jobs/..%2F..%2Fetc", "/jobs/a.b",
                 "/documents/" + "x" * 300, "/documents/" + "x" * 300 + "/original", "/documents/a.b/original",
                 "/documents/%E2%80%AE%20x"]:
        r = client.get(path)
        assert r.status_code in (404, 422), (path, r.status_code, r.text)
        _detail(r)
    assert client.get("/jobs/" + "0" * 32).status_code == 404  # well formed, unknown


def test_schema_findings(client, served_qa):
    """/search with a repeated parameter, a non-boolean include_result and an empty doc_id are refused as the
    OpenAPI document says."""
    r = client.get("/search", params=[("q", "法律援助"), ("region", "郴州"), ("region", "开封")])
    assert "region" in _detail(r) and r.status_code == 422
    r = client.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": EXAMPLE_Q}],
                                                  "include_result": 0})
    assert "include_result" in _detail(r)
    schema = client.get("/openapi.json").json()
    doc_in = schema["paths"]["/documents"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert doc_in["properties"]["doc_id"]["anyOf"][0]["minLength"] == 1
    original = schema["paths"]["/documents/{doc_id}/original"]["get"]["responses"]["200"]["content"]
    assert {"application/pdf", "text/plain; charset=utf-8"} <= set(original)
    doc_id = sorted(served_qa.index.documents)[0]
    r = client.get(f"/documents/{doc_id}/original")
    assert r.status_code == 200 and r.headers["content-type"] in original


def test_error_bodies_stay_json_for_odd_bytes(client):
    for raw in [b'{"question": "\xff\xfe"}', b'{"\xed\xa0\x80": 1}', b"\x00" * 10, json.dumps({"question": None}).encode()]:
        r = client.post("/ask", content=raw, headers={"Content-Type": "application/json"})
        assert r.status_code in (400, 422), r.text
        _detail(r)


# ---------------------------------------------------------------------------------------------- safe quoting

@pytest.fixture(scope="module")
def injected(tmp_path_factory, api_index_dir, api_encoder):
    """A TestClient over a copy of the index holding the injected report (uploads enabled)."""
    from api_testlib import ADMIN_TOKEN, copy_index, wait_job
    from fastapi.testclient import TestClient

    from api.app import create_app
    from api.settings import Settings
    from index.store import load_index
    from qa.engine import QA

    index_dir = copy_index(api_index_dir, tmp_path_factory.mktemp("inject") / "index")
    qa = QA(load_index(index_dir, api_encoder.name), api_encoder)
    app = create_app(qa=qa, settings=Settings(index_dir=index_dir, admin_token=ADMIN_TOKEN))
    with TestClient(app) as c:
        r = c.post("/documents", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
                   json={"name": "qinghe_inject.txt", "text": injected_report()})
        assert r.status_code == 202, r.text
        assert wait_job(c.get, r.json()["job_id"])["status"] == "done"
        yield c, index_dir


def rendered(markdown: str) -> str:
    """HTML a Markdown chat UI would make of ``markdown`` (CommonMark, raw HTML allowed, as Open WebUI's)."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": True, "linkify": False}).render(markdown)


def assert_inert(markdown: str) -> None:
    html = rendered(markdown)
    assert "<a " not in html and "<img" not in html and "<script" not in html, html
    assert "evil.example" in html and "&lt;script&gt;" in html  # shown, as text
    assert "http://" not in markdown.replace("http\\://", "")  # no bare URL a GFM renderer would autolink


def test_report_markup_is_text_in_every_answer(injected):
    c, _ = injected
    body = c.post("/ask", json={"question": INJECT_Q}).json()
    # JSON carries the text as it is (the sentence ends at the "!" of the image)
    assert body["answer"] == "23.4%" and INJECTED.split("!")[0] in body["answers"][0]["sentence"]
    from api.openai_compat import md_text

    assert_inert(md_text(injected_report()))  # the Markdown image too
    chat = {"messages": [{"role": "user", "content": INJECT_Q}]}
    full = c.post("/v1/chat/completions", json=chat).json()
    content = full["choices"][0]["message"]["content"]
    assert_inert(content)
    for source in full["sources"]:  # Open WebUI renders each document as Markdown
        if "evil" in source["document"][0]:
            assert_inert(source["document"][0])
    assert any("evil" in s["document"][0] for s in full["sources"])
    r = c.post("/v1/chat/completions", json={**chat, "stream": True})
    pieces = []
    for line in r.text.splitlines():
        if line.startswith("data: {"):
            event = json.loads(line[6:])
            for choice in event["choices"]:
                pieces.append(choice["delta"].get("content") or "")
            src = event.get("event", {}).get("data")
            if src and "evil" in src["document"][0]:
                assert_inert(src["document"][0])
    assert "".join(pieces) == content


def test_security_headers(injected):
    c, _ = injected
    for path in ["/", "/healthz", "/documents", "/documents/qinghe_inject/original", "/jobs/" + "0" * 32,
                 "/nope"]:
        r = c.get(path)
        assert r.headers["x-content-type-options"] == "nosniff", path
        assert r.headers["x-frame-options"] == "DENY", path
    page = c.get("/")
    csp = page.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    # an uploaded web page with a script is downloaded, never rendered on this origin
    from api.routes.originals import safe_media_type

    assert safe_media_type("text/html") == "application/octet-stream"
    r = c.get("/documents/qinghe_inject/original")
    assert r.headers["content-type"] == "text/plain; charset=utf-8"
    assert r.headers["content-disposition"].startswith("attachment")
    assert "sandbox" in r.headers["content-security-policy"]


# ---------------------------------------------------------------------------------------------- Host header


def test_no_response_reflects_an_untrusted_host(injected, served_qa, api_index_dir):
    c, _ = injected
    evil = {"Host": "evil.example", "Accept": "text/html"}
    r = c.get("/documents/qinghe_inject?start=0&end=3", headers=evil, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/?doc=qinghe_inject")
    chat = {"messages": [{"role": "user", "content": INJECT_Q}]}
    for headers in [{"Host": "evil.example"}, {"Host": "evil.example", "X-Forwarded-Host": "evil.example"},
                    {"Host": "bad host\\x"}]:
        r = c.post("/v1/chat/completions", json=chat, headers=headers)
        assert r.status_code == 200 and "evil.example/documents" not in r.text
        urls = [x["url"] for x in r.json()["citations"]]
        assert urls and all(u.startswith("/documents/") for u in urls), urls
    # a trusted (loopback) Host still gets absolute links; QA_PUBLIC_URL wins over any Host
    r = c.post("/v1/chat/completions", json=chat, headers={"Host": "127.0.0.1:8000"})
    assert r.json()["citations"][0]["url"].startswith("http://127.0.0.1:8000/documents/")
    from fastapi.testclient import TestClient

    from api.app import create_app
    from api.settings import Settings

    app = create_app(qa=served_qa, settings=Settings(index_dir=api_index_dir, public_url="https://qa.example.org/fz"))
    with TestClient(app) as pc:
        r = pc.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": EXAMPLE_Q}]},
                    headers={"Host": "evil.example"})
        assert all(x["url"].startswith("https://qa.example.org/fz/documents/") for x in r.json()["citations"])
        doc_id = sorted(served_qa.index.documents)[0]
        r = pc.get(f"/documents/{doc_id}?start=0&end=2", headers=evil, follow_redirects=False)
        assert r.headers["location"].startswith("https://qa.example.org/fz/?doc=")


def test_wrong_token_counts_are_shared_by_workers(tmp_path):
    """Two limiters over the same file (two worker processes) count the same failures."""
    from api.limits import SharedFailedAuthLimiter

    a, b = (SharedFailedAuthLimiter(tmp_path / "f.json", limit=4) for _ in range(2))
    for lim in (a, b, a, b):
        assert lim.retry_after("10.0.0.1") is None
        lim.failed("10.0.0.1")
    assert a.retry_after("10.0.0.1") and b.retry_after("10.0.0.1")
    assert a.retry_after("10.0.0.2") is None
