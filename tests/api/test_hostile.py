"""Hostile or careless input (issue 24): never a 500, never echoed undecodable text, ids checked before the
filesystem, report text never live in Markdown or HTML, headers that keep a browser safe, no trust in Host or
X-Forwarded-For, bounded ingest.

The TestClient tests run on the session's two-report index (fast tier); the server tests (slow) run a real
``qa serve`` over a copy of it, with files generated here.
"""
from __future__ import annotations

import json

import pytest
from api_testlib import EXAMPLE_Q


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
