"""The OpenAI-compatible endpoints: format checks with TestClient, then the official `openai` client against
uvicorn on a local port."""
from __future__ import annotations

import json
from urllib.parse import urlsplit

import httpx
import pytest
from api_testlib import EXAMPLE_A, EXAMPLE_Q

from api.openai_compat import one_per_url
from qa.engine import MAX_QUESTION_CHARS


def chat(client, content, **extra):
    return client.post("/v1/chat/completions",
                       json={"model": "fazhi-qa", "messages": [{"role": "user", "content": content}], **extra})


def check_annotations(client, message: dict, citations: list[dict]) -> None:
    content = message["content"]
    anns = message["annotations"]
    assert anns, message
    for a in anns:
        assert a["type"] == "url_citation"
        u = a["url_citation"]
        assert 0 <= u["start_index"] < u["end_index"] <= len(content)
        assert u["title"]
        # the url resolves to the cited span
        parts = urlsplit(u["url"])
        assert parts.scheme in ("http", "https") and parts.path.startswith("/documents/")
        r = client.get(parts.path + "?" + parts.query)
        assert r.status_code == 200, r.text
        span = r.json()["span"]
        assert span["text"] == r.json()["text"][span["start"]:span["end"]]
    if citations and citations[0]["type"] == "answer":
        # the answer itself is annotated with source [1], whose url opens exactly the answer span
        first = anns[0]["url_citation"]
        assert content[first["start_index"]:first["end_index"]] == citations[0]["text"]
        assert first["url"] == citations[0]["url"]
    for c in citations:
        label = f"[{c['index']}] {c['title']}"
        assert label in content
        hit = [a for a in anns if content[a["url_citation"]["start_index"]:].startswith(label)]
        assert hit and hit[0]["url_citation"]["url"] == c["url"]


def test_models(client):
    r = client.get("/v1/models")
    assert r.status_code == 200
    body = r.json()
    assert body["object"] == "list" and body["data"][0]["id"] == "fazhi-qa"


def test_chat_completion(client):
    r = chat(client, EXAMPLE_Q)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["object"] == "chat.completion" and body["model"] == "fazhi-qa"
    choice = body["choices"][0]
    assert choice["finish_reason"] == "stop"
    msg = choice["message"]
    assert msg["role"] == "assistant"
    content = msg["content"]
    assert content.startswith(f"**{EXAMPLE_A}**\n\n> ")  # the answer in bold
    assert "> 已审结的案件中,纠错113件,纠错率为**18.5%**;" in content  # the quote marks the span
    assert "\n\n来源:\n[1] 郴州市2024年法治政府建设情况报告 · " in content
    cits = body["citations"]
    c1 = cits[0]
    assert c1["index"] == 1 and c1["type"] == "answer" and c1["text"] == EXAMPLE_A
    text = client.get(f"/documents/{c1['doc_id']}").json()["text"]
    assert text[c1["start"]:c1["end"]] == EXAMPLE_A
    assert text[c1["sentence_start"]:c1["sentence_end"]] == c1["sentence"]
    assert c1["url"].startswith("http://testserver/documents/")
    check_annotations(client, msg, cits)
    assert body["usage"]["total_tokens"] > 0


def test_chat_content_parts_and_last_user_message(client):
    r = client.post("/v1/chat/completions", json={"model": "whatever", "messages": [
        {"role": "system", "content": "你是法治报告助手"},
        {"role": "user", "content": "长沙市行政复议纠错率是多少"},
        {"role": "assistant", "content": "未找到相关内容"},
        {"role": "user", "content": [{"type": "text", "text": "郴州行政复议"}, {"type": "text", "text": "纠错率是多少"}]},
    ]})
    assert r.status_code == 200, r.text
    assert r.json()["model"] == "whatever"
    assert r.json()["choices"][0]["message"]["content"].startswith(f"**{EXAMPLE_A}**")


def test_chat_without_answer_says_so(client):
    r = chat(client, "长沙市行政复议纠错率是多少")
    assert r.status_code == 200, r.text
    body = r.json()
    content = body["choices"][0]["message"]["content"]
    assert content.startswith("未找到相关内容")
    assert "长沙" in content.split("\n")[0]
    # the retrieved passages are still listed, each annotated
    assert all(c["type"] == "passage" for c in body["citations"])
    if body["citations"]:
        assert "[1] " in content
        check_annotations(client, body["choices"][0]["message"], body["citations"])


def sse_events(text: str) -> list:
    events = []
    for block in text.split("\n\n"):
        if not block.strip():
            continue
        assert block.startswith("data: "), block
        data = block[len("data: "):]
        events.append(data if data == "[DONE]" else json.loads(data))
    return events


def test_chat_stream(client):
    full = chat(client, EXAMPLE_Q).json()
    with client.stream("POST", "/v1/chat/completions", json={
            "model": "fazhi-qa", "stream": True, "stream_options": {"include_usage": True},
            "messages": [{"role": "user", "content": EXAMPLE_Q}]}) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        text = "".join(r.iter_text())
    events = sse_events(text)
    assert events[-1] == "[DONE]"
    chunks = events[:-1]
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)
    assert len({c["id"] for c in chunks}) == 1
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    content = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"])
    assert content == full["choices"][0]["message"]["content"]
    assert len([c for c in chunks if c["choices"] and c["choices"][0]["delta"].get("content")]) > 1
    final = [c for c in chunks if c["choices"] and c["choices"][0]["finish_reason"]]
    assert len(final) == 1 and final[0]["choices"][0]["finish_reason"] == "stop"
    # one annotation per source url (a client that makes a source of each annotation gets each passage once)
    streamed_anns = final[0]["choices"][0]["delta"]["annotations"]
    assert streamed_anns == one_per_url(full["choices"][0]["message"]["annotations"])
    assert len({a["url_citation"]["url"] for a in streamed_anns}) == len(streamed_anns) == len(full["citations"])
    # the sources in Open WebUI's shape, as `event` chunks before the content
    events = [c["event"] for c in chunks if "event" in c]
    assert [e["type"] for e in events] == ["source"] * len(full["sources"])
    assert [e["data"] for e in events] == full["sources"]
    first_content = next(i for i, c in enumerate(chunks) if c["choices"] and c["choices"][0]["delta"].get("content"))
    assert all(i < first_content for i, c in enumerate(chunks) if "event" in c)
    assert [c["text"] for c in final[0]["citations"]] == [c["text"] for c in full["citations"]]
    assert chunks[-1]["choices"] == [] and chunks[-1]["usage"]["total_tokens"] > 0


CHAT_BAD = [
    pytest.param({"messages": [{"role": "system", "content": "你好"}]}, id="no-user-message"),
    pytest.param({"messages": [{"role": "assistant", "content": "你好"}]}, id="only-assistant"),
    pytest.param({"messages": []}, id="empty-messages"),
    pytest.param({"model": "fazhi-qa"}, id="missing-messages"),
    pytest.param({"messages": "郴州"}, id="messages-not-a-list"),
    pytest.param({"messages": [{"content": "郴州"}]}, id="message-without-role"),
    pytest.param({"messages": [{"role": "user", "content": ""}]}, id="empty-content"),
    pytest.param({"messages": [{"role": "user", "content": "   "}]}, id="whitespace-content"),
    pytest.param({"messages": [{"role": "user", "content": None}]}, id="null-content"),
    pytest.param({"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "x"}}]}]},
                 id="no-text-part"),
    pytest.param({"messages": [{"role": "user", "content": "郴" * (MAX_QUESTION_CHARS + 1)}]}, id="too-long"),
    pytest.param({"messages": [{"role": "user", "content": EXAMPLE_Q}], "top_k": 0}, id="top_k-0"),
    pytest.param({"messages": [{"role": "user", "content": EXAMPLE_Q}], "n": 3}, id="n-3"),
]


@pytest.mark.parametrize("body", CHAT_BAD)
def test_chat_bad_input_is_4xx(client, body):
    r = client.post("/v1/chat/completions", json=body)
    assert r.status_code in (400, 422), r.text
    err = r.json()
    assert isinstance(err["detail"], str) and err["detail"]
    assert err["error"]["message"] == err["detail"]  # what OpenAI clients show


def test_chat_malformed_json_is_400(client):
    r = client.post("/v1/chat/completions", content=b'{"messages": [', headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and "JSON" in r.json()["detail"]


def test_no_user_message_is_named(client):
    r = client.post("/v1/chat/completions", json={"messages": [{"role": "system", "content": "你好"}]})
    assert "user" in r.json()["detail"]


# ---------------------------------------------------------------------------------------------- live server


@pytest.mark.slow
def test_official_openai_client(server_url):
    openai = pytest.importorskip("openai")
    client = openai.OpenAI(base_url=f"{server_url}/v1", api_key="anything", max_retries=0, timeout=60)

    assert [m.id for m in client.models.list()] == ["fazhi-qa"]

    resp = client.chat.completions.create(model="fazhi-qa", messages=[{"role": "user", "content": EXAMPLE_Q}])
    msg = resp.choices[0].message
    assert msg.content.startswith(f"**{EXAMPLE_A}**")
    assert "来源:\n[1] 郴州市2024年法治政府建设情况报告" in msg.content
    ann = msg.annotations[0]
    assert ann.type == "url_citation"
    assert msg.content[ann.url_citation.start_index:ann.url_citation.end_index] == EXAMPLE_A
    assert ann.url_citation.url.startswith(server_url + "/documents/")
    doc = httpx.get(ann.url_citation.url, headers={"Accept": "application/json"}).json()
    assert doc["span"]["text"] == EXAMPLE_A and doc["title"].startswith("郴州市")
    citations = resp.model_extra["citations"]
    assert citations[0]["text"] == EXAMPLE_A and citations[0]["title"] == doc["title"]

    stream = client.chat.completions.create(model="fazhi-qa", stream=True,
                                            messages=[{"role": "user", "content": EXAMPLE_Q}])
    parts, finish, final_extra = [], None, None
    for chunk in stream:
        if not chunk.choices:
            continue
        delta = chunk.choices[0].delta
        if delta.content:
            parts.append(delta.content)
        if chunk.choices[0].finish_reason:
            finish = chunk.choices[0].finish_reason
            final_extra = chunk.model_extra
            annotations = (delta.model_extra or {}).get("annotations")
    streamed = "".join(parts)
    assert streamed == msg.content
    assert finish == "stop"
    assert final_extra["citations"][0]["text"] == EXAMPLE_A
    assert annotations and annotations[0]["url_citation"]["url"] == ann.url_citation.url

    with pytest.raises(openai.UnprocessableEntityError) as e:
        client.chat.completions.create(model="fazhi-qa", messages=[{"role": "system", "content": "你好"}])
    assert "user" in str(e.value)
