"""Dify's External Knowledge API contract (``POST /retrieval``) against the real app.

The requests are those of Dify's documentation page "External Knowledge API" (docs.dify.ai): its example
request (and the older page's), every ``comparison_operator`` it lists, ``name`` as a string and as an array,
``logical_operator`` and/or; the responses are checked against the documented shape: HTTP 200 with
``{"records": [{"content": str, "score": float in 0-1, "title": str, "metadata": object, never null}]}``, and
errors as ``{"error_code": int, "error_msg": str}`` with the documented codes (1001 invalid Authorization header
format, 1002 authorization failed — HTTP 403, Dify's AccessDeniedException —, 2001 the knowledge does not exist).
The app serves the two-report seed index (郴州市 2024 and 开封市示范区 2024) in-process.
"""
from __future__ import annotations

import logging

import pytest
from api_testlib import EXAMPLE_A, EXAMPLE_Q, copy_index

KEY = "dify-test-key-qinghe"
AUTH = {"Authorization": f"Bearer {KEY}"}
CHENZHOU, KAIFENG = "000_c33fefab3f638279", "002_1867eea4f21729fd"

# The documentation's example request bodies (current page; the older page used top_k 2)
DOC_EXAMPLES = [
    {"knowledge_id": "your-knowledge-id", "query": "What is Dify?",
     "retrieval_setting": {"top_k": 3, "score_threshold": 0.5}},
    {"knowledge_id": "your-knowledge-id", "query": "your question",
     "retrieval_setting": {"top_k": 2, "score_threshold": 0.5}},
]


@pytest.fixture(scope="module")
def dify_app(served_qa, api_index_dir, tmp_path_factory):
    from api.app import create_app
    from api.settings import Settings

    # its own copy of the index folder: wrong-key counts live on disk beside the index (shared by workers)
    index_dir = copy_index(api_index_dir, tmp_path_factory.mktemp("dify") / "index")
    return create_app(qa=served_qa, settings=Settings(index_dir=index_dir, dify_api_key=KEY))


@pytest.fixture
def own_index(api_index_dir, tmp_path):
    """A copy of the test index for an app of one test, with no wrong-key counts from other tests."""
    return copy_index(api_index_dir, tmp_path / "index")


@pytest.fixture(scope="module")
def dc(dify_app):
    from fastapi.testclient import TestClient

    with TestClient(dify_app) as c:
        yield c


def check_shape(body: dict, top_k: int, threshold: float) -> list[dict]:
    """The documented response shape, and what this service promises on top of it."""
    assert set(body) == {"records"} and isinstance(body["records"], list)
    records = body["records"]
    assert len(records) <= top_k
    last = 1.0
    for r in records:
        assert set(r) == {"content", "score", "title", "metadata"}
        assert isinstance(r["content"], str) and r["content"]
        assert isinstance(r["title"], str) and r["title"]
        assert isinstance(r["score"], float) and threshold <= r["score"] <= 1.0
        assert r["score"] <= last  # monotone in our ranking
        last = r["score"]
        md = r["metadata"]
        assert isinstance(md, dict)  # never null: Dify's pipeline fails on null
        for k in ("doc_id", "passage_id", "region", "year", "section", "start", "end", "url"):
            assert k in md, k
        assert md["end"] > md["start"]
    return records


def retrieve(dc, query: str = EXAMPLE_Q, knowledge_id: str = "all", top_k: int = 5, threshold: float = 0.0,
             condition: dict | None = None, headers: dict | None = None):
    body: dict = {"knowledge_id": knowledge_id, "query": query,
                  "retrieval_setting": {"top_k": top_k, "score_threshold": threshold}}
    if condition is not None:
        body["metadata_condition"] = condition
    return dc.post("/retrieval", json=body, headers=AUTH if headers is None else headers)


@pytest.mark.parametrize("example", DOC_EXAMPLES)
def test_documented_example_requests(dc, example):
    """The docs' examples name a knowledge id we do not have: 404 with code 2001; as 'all' they are answered."""
    r = dc.post("/retrieval", json=example, headers=AUTH)
    assert r.status_code == 404
    assert r.json()["error_code"] == 2001 and "does not exist" in r.json()["error_msg"]
    r = dc.post("/retrieval", json={**example, "knowledge_id": "all"}, headers=AUTH)
    assert r.status_code == 200, r.text
    check_shape(r.json(), example["retrieval_setting"]["top_k"], 0.5)


def test_question_records_carry_the_answer_and_citation(dc):
    r = retrieve(dc, top_k=3)
    assert r.status_code == 200
    records = check_shape(r.json(), 3, 0.0)
    top = records[0]
    md = top["metadata"]
    assert md["doc_id"] == CHENZHOU and md["answer"] == EXAMPLE_A and md["region"] == "郴州市" and md["year"] == 2024
    assert EXAMPLE_A in md["sentence"] and "纠错率" in md["sentence"]
    assert top["title"] == "郴州市2024年法治政府建设情况报告" and top["content"]
    # the offsets resolve in the report's text: the answer span, the sentence, the passage (= content)
    doc = dc.get(f"/documents/{md['doc_id']}").json()["text"]
    assert doc[md["answer_start"]:md["answer_end"]] == EXAMPLE_A
    assert doc[md["sentence_start"]:md["sentence_end"]] == md["sentence"]
    assert doc[md["start"]:md["end"]] == top["content"]
    assert md["url"].endswith(f"/documents/{CHENZHOU}?start={md['start']}&end={md['end']}")


def test_top_k_and_score_threshold_are_honoured(dc):
    full = check_shape(retrieve(dc, top_k=10).json(), 10, 0.0)
    assert len(full) == 10  # two reports have more than ten passages
    assert len(check_shape(retrieve(dc, top_k=1).json(), 1, 0.0)) == 1
    cut = (full[2]["score"] + full[3]["score"]) / 2 if full[2]["score"] > full[3]["score"] else full[2]["score"]
    kept = check_shape(retrieve(dc, top_k=10, threshold=cut).json(), 10, cut)
    assert kept == [r for r in full if r["score"] >= cut]
    assert retrieve(dc, top_k=10, threshold=1.0).json()["records"] == [r for r in full if r["score"] >= 1.0]
    # more than the service's 50 is read as 50
    many = check_shape(retrieve(dc, query="法治政府建设", top_k=200).json(), 50, 0.0)
    assert len(many) > 10 and many == retrieve(dc, query="法治政府建设", top_k=50).json()["records"]


def test_keyword_queries_get_passages_without_an_answer(dc):
    records = check_shape(retrieve(dc, query="法律援助", top_k=3).json(), 3, 0.0)
    assert records and all("法律援助" in r["content"] for r in records[:1])


@pytest.mark.parametrize("kid, docs", [("all", {CHENZHOU, KAIFENG}), ("region:开封", {KAIFENG}),
                                       ("region:湖南;year:2024", {CHENZHOU}), ("level:zone", {KAIFENG})])
def test_knowledge_id_selects_the_scope(dc, kid, docs):
    records = check_shape(retrieve(dc, query="行政复议", knowledge_id=kid, top_k=20).json(), 20, 0.0)
    assert records and {r["metadata"]["doc_id"] for r in records} <= docs


@pytest.mark.parametrize("kid", ["region:火星", "year:1999", "nonsense-id", "colour:red"])
def test_unknown_knowledge_is_2001(dc, kid):
    r = retrieve(dc, knowledge_id=kid)
    assert r.status_code == 404 and r.json()["error_code"] == 2001


# Every comparison operator the documentation lists, applied to the two reports (郴州市: city, 湖南省;
# 开封市示范区: zone, 河南省 开封市; both 2024, no department, no publication date)
BOTH, NONE = {CHENZHOU, KAIFENG}, set()
OPERATORS = [
    ("region", "contains", "郴州", {CHENZHOU}), ("region", "not contains", "郴州", {KAIFENG}),
    ("region", "start with", "开封", {KAIFENG}), ("region", "end with", "市", {CHENZHOU}),
    ("region", "is", "郴州市", {CHENZHOU}), ("region", "is not", "郴州市", {KAIFENG}),
    ("region", "in", ["河南", "广东"], {KAIFENG}), ("region", "not in", ["河南"], {CHENZHOU}),
    ("department", "empty", None, BOTH), ("department", "not empty", None, NONE),
    ("year", "=", 2024, BOTH), ("year", "≠", 2024, NONE), ("year", ">", 2023, BOTH), ("year", "<", 2024, NONE),
    ("year", "≥", 2024, BOTH), ("year", "≤", 2023, NONE), ("year", "before", "2025-01-01", BOTH),
    ("year", "after", "2024-01-01", NONE), ("level", "is", "city", {CHENZHOU}),
]


@pytest.mark.parametrize("name, op, value, docs", OPERATORS)
def test_every_documented_operator(dc, name, op, value, docs):
    cond: dict = {"name": name, "comparison_operator": op}
    if value is not None:
        cond["value"] = value
    r = retrieve(dc, query="行政复议", top_k=20, condition={"logical_operator": "and", "conditions": [cond]})
    assert r.status_code == 200, r.text
    records = check_shape(r.json(), 20, 0.0)
    assert {rec["metadata"]["doc_id"] for rec in records} == docs


def test_logical_or_and_the_older_array_name(dc):
    cond = {"logical_operator": "or", "conditions": [
        {"name": "region", "comparison_operator": "is", "value": "郴州"},
        {"name": ["region", "title"], "comparison_operator": "contains", "value": "示范区"}]}
    records = check_shape(retrieve(dc, query="行政复议", top_k=20, condition=cond).json(), 20, 0.0)
    assert {r["metadata"]["doc_id"] for r in records} == BOTH
    cond["logical_operator"] = "and"
    assert retrieve(dc, query="行政复议", top_k=20, condition=cond).json() == {"records": []}


def test_conditions_that_do_not_fit_are_ignored_and_logged(dc, caplog):
    cond = {"conditions": [{"name": "category", "comparison_operator": "contains", "value": "AI"},
                           {"name": "region", "comparison_operator": "<", "value": "郴州"}]}
    with caplog.at_level(logging.INFO, logger="api.dify"):
        r = retrieve(dc, top_k=3, condition=cond)
    assert r.status_code == 200 and r.json() == retrieve(dc, top_k=3).json()
    notes = [rec.getMessage() for rec in caplog.records if rec.name == "api.dify"]
    assert any("unknown metadata field 'category'" in n for n in notes)
    assert any("'<' does not fit" in n for n in notes)


def test_a_scope_and_a_condition_together(dc):
    cond = {"conditions": [{"name": "region", "comparison_operator": "is", "value": "开封市示范区"}]}
    assert retrieve(dc, knowledge_id="region:郴州", condition=cond).json() == {"records": []}


@pytest.mark.parametrize("headers, code", [
    ({}, 1001), ({"Authorization": KEY}, 1001), ({"Authorization": f"Basic {KEY}"}, 1001),
    ({"Authorization": "Bearer "}, 1001), ({"Authorization": "Bearer wrong-key"}, 1002),
])
def test_wrong_or_malformed_authorization(served_qa, own_index, headers, code):
    from fastapi.testclient import TestClient

    from api.app import create_app
    from api.settings import Settings

    with TestClient(create_app(qa=served_qa, settings=Settings(index_dir=own_index, dify_api_key=KEY))) as c:
        r = retrieve(c, headers=headers)
    assert r.status_code == 403
    body = r.json()
    assert body["error_code"] == code and isinstance(body["error_msg"], str) and body["error_msg"]


def test_disabled_without_a_key_and_the_admin_token_is_not_the_key(served_qa, own_index):
    from fastapi.testclient import TestClient

    from api.app import create_app
    from api.settings import Settings

    settings = Settings(index_dir=own_index, admin_token="admin-secret")
    with TestClient(create_app(qa=served_qa, settings=settings)) as c:
        r = retrieve(c, headers={"Authorization": "Bearer admin-secret"})
    assert r.status_code == 403 and r.json()["error_code"] == 1002 and "QA_DIFY_API_KEY" in r.json()["error_msg"]


def test_wrong_keys_are_throttled(served_qa, own_index):
    from fastapi.testclient import TestClient

    from api.app import create_app
    from api.settings import Settings

    with TestClient(create_app(qa=served_qa, settings=Settings(index_dir=own_index, dify_api_key=KEY))) as c:
        codes = [retrieve(c, headers={"Authorization": f"Bearer wrong-{i}"}).status_code for i in range(12)]
        assert codes[:10] == [403] * 10 and codes[-1] == 429
        assert retrieve(c).status_code == 429  # the throttle is per address, as for admin tokens


@pytest.mark.parametrize("body, status", [
    ({"query": EXAMPLE_Q, "retrieval_setting": {"top_k": 3, "score_threshold": 0.5}}, 422),  # no knowledge_id
    ({"knowledge_id": "all", "retrieval_setting": {"top_k": 3, "score_threshold": 0.5}}, 422),  # no query
    ({"knowledge_id": "all", "query": EXAMPLE_Q}, 422),  # no retrieval_setting
    ({"knowledge_id": "all", "query": EXAMPLE_Q, "retrieval_setting": {"top_k": 3}}, 422),
    ({"knowledge_id": "all", "query": EXAMPLE_Q, "retrieval_setting": {"top_k": "3", "score_threshold": 0.5}}, 422),
    ({"knowledge_id": "all", "query": EXAMPLE_Q, "retrieval_setting": {"top_k": 0, "score_threshold": 0.5}}, 422),
    ({"knowledge_id": "all", "query": EXAMPLE_Q, "retrieval_setting": {"top_k": 3, "score_threshold": 1.5}}, 422),
    ({"knowledge_id": "all", "query": "", "retrieval_setting": {"top_k": 3, "score_threshold": 0.5}}, 422),
    ({"knowledge_id": "all", "query": EXAMPLE_Q, "retrieval_setting": {"top_k": 3, "score_threshold": 0.5},
      "metadata_condition": {"logical_operator": "xor", "conditions": []}}, 422),
    ({"knowledge_id": "all", "query": EXAMPLE_Q, "retrieval_setting": {"top_k": 3, "score_threshold": 0.5},
      "metadata_condition": {"logical_operator": "and"}}, 422),
    ([1, 2, 3], 422),
])
def test_malformed_bodies(dc, body, status):
    r = dc.post("/retrieval", json=body, headers=AUTH)
    assert r.status_code == status, r.text
    err = r.json()
    assert err["error_code"] == status and isinstance(err["error_msg"], str) and err["error_msg"]


def test_malformed_json_and_oversized_bodies(dc):
    r = dc.post("/retrieval", content=b'{"knowledge_id": "all", ', headers={**AUTH, "Content-Type": "application/json"})
    assert r.status_code == 400 and r.json()["error_code"] == 400
    big = {"knowledge_id": "all", "query": "法" * 200_000, "retrieval_setting": {"top_k": 3, "score_threshold": 0}}
    r = dc.post("/retrieval", json=big, headers=AUTH)
    assert r.status_code == 413 and r.json()["error_code"] == 413


def test_lenient_where_dify_may_differ(dc):
    """Fields Dify may add are ignored; a query with no words gets no records; a long query is read from its end."""
    body = {"knowledge_id": "all", "query": EXAMPLE_Q, "retrieval_setting": {"top_k": 2, "score_threshold": 0.0,
                                                                            "rerank": True}, "user": "someone"}
    r = dc.post("/retrieval", json=body, headers=AUTH)
    assert r.status_code == 200 and r.json()["records"][0]["metadata"]["answer"] == EXAMPLE_A
    assert retrieve(dc, query="???").json() == {"records": []}
    long = "请根据下面的材料回答。" * 80 + EXAMPLE_Q
    records = check_shape(retrieve(dc, query=long, top_k=2).json(), 2, 0.0)
    assert records[0]["metadata"]["doc_id"] == CHENZHOU


def test_documented_in_openapi(dc):
    spec = dc.get("/openapi.json").json()
    op = spec["paths"]["/retrieval"]["post"]
    assert {"200", "403", "404", "422"} <= set(op["responses"])
