"""The OpenAI-compatible endpoints: format checks with TestClient, then the official `openai` client against
uvicorn on a local port."""
from __future__ import annotations

import json
import re
from pathlib import Path
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


# ---------------------------------------------------------------------------------------------- chat-UI tasks

TASKS = Path(__file__).resolve().parent / "fixtures" / "tasks"


def render_openwebui(template: str, messages: list[dict]) -> str:
    """What Open WebUI sends for a task (backend/open_webui/utils/task.py replace_messages_variable): the
    template with {{MESSAGES:END:n}} replaced by the last n messages as ``ROLE: content`` lines."""
    def lines(m: re.Match) -> str:
        return "\n".join(f"{x['role'].upper()}: {x['content']}" for x in messages[-int(m.group(1)):])

    out = re.sub(r"\{\{MESSAGES:END:(\d+)\}\}", lines, template)
    return out.replace("{{CURRENT_DATE}}", "2026-11-23").replace("{{TYPE}}", "General").replace(
        "{{PROMPT}}", messages[-1]["content"] if messages[-1]["role"] == "user" else "")


def openwebui_json(content: str) -> dict:
    """How Open WebUI reads a task's reply: the JSON between the first { and the last }."""
    return json.loads(content[content.index("{"):content.rindex("}") + 1])


@pytest.fixture(scope="module")
def chat_history(client) -> list[dict]:
    answer = chat(client, EXAMPLE_Q).json()["choices"][0]["message"]["content"]
    return [{"role": "user", "content": EXAMPLE_Q}, {"role": "assistant", "content": answer}]


def task(client, template: str, history: list[dict], **extra):
    prompt = render_openwebui((TASKS / template).read_text(encoding="utf-8"), history)
    assert len(prompt) > MAX_QUESTION_CHARS  # longer than any question: refused before this
    r = client.post("/v1/chat/completions", json={"model": "fazhi-qa", "stream": False, "max_tokens": 1000,
                                                  "messages": [{"role": "user", "content": prompt}], **extra})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["object"] == "chat.completion" and "sources" not in body or not body["sources"]
    return openwebui_json(body["choices"][0]["message"]["content"])


def test_openwebui_title_task(client, chat_history):
    t = task(client, "openwebui_title.txt", chat_history)["title"]
    assert t == "郴州市2024年行政复议纠错率"  # place (as the index names it), the report's year, the indicator


def test_openwebui_tags_task(client, chat_history):
    tags = task(client, "openwebui_tags.txt", chat_history)["tags"]
    assert tags[0] == "法治政府建设" and "郴州市" in tags and all(isinstance(t, str) and t for t in tags)


def test_openwebui_follow_up_task_suggests_answerable_questions(client, chat_history):
    follow_ups = task(client, "openwebui_follow_up.txt", chat_history)["follow_ups"]
    assert 1 <= len(follow_ups) <= 3
    for q in follow_ups:
        assert q.startswith("郴州") and "纠错率" not in q  # other figures of the cited report
        r = chat(client, q).json()
        assert r["citations"][0]["type"] == "answer" and r["citations"][0]["doc_id"] == "000_c33fefab3f638279"


def test_openwebui_query_task_gives_the_resolved_question(client, chat_history):
    assert task(client, "openwebui_query.txt", chat_history)["queries"] == [EXAMPLE_Q]
    follow = chat_history + [{"role": "user", "content": "调解率呢?"}]
    assert task(client, "openwebui_query.txt", follow)["queries"] == ["郴州调解率是多少"]


@pytest.mark.parametrize("template, key, value", [("openwebui_image_prompt.txt", "prompt", ""),
                                                  ("openwebui_autocomplete.txt", "text", "")])
def test_other_openwebui_tasks_get_their_empty_shape(client, chat_history, template, key, value):
    assert task(client, template, chat_history) == {key: value}


def test_openwebui_task_streamed(client, chat_history):
    prompt = render_openwebui((TASKS / "openwebui_title.txt").read_text(encoding="utf-8"), chat_history)
    with client.stream("POST", "/v1/chat/completions", json={
            "stream": True, "messages": [{"role": "user", "content": prompt}]}) as r:
        assert r.status_code == 200
        chunks = [e for e in sse_events("".join(r.iter_text())) if e != "[DONE]"]
    content = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"])
    assert openwebui_json(content) == {"title": "郴州市2024年行政复议纠错率"}
    assert not any("event" in c for c in chunks)


@pytest.mark.parametrize("variant", [0, 1])
def test_lobechat_title_task(client, chat_history, variant):
    v = json.loads((TASKS / "lobechat_title.json").read_text(encoding="utf-8"))["variants"][variant]
    history = "\n".join(f"{m['role']}: {m['content']}" for m in chat_history)
    r = client.post("/v1/chat/completions", json={"model": "fazhi-qa", "messages": [
        {"role": "system", "content": v["system"].replace("{locale}", "zh-CN")},
        {"role": "user", "content": v["user"].replace("{history}", history).replace("{locale}", "zh-CN")}]})
    assert r.status_code == 200, r.text
    assert r.json()["choices"][0]["message"]["content"] == "郴州市2024年行政复议纠错率"  # plain text, no JSON


# ---------------------------------------------------------------------------------------------- settings, docs


def test_public_url_sets_the_base_of_citation_links(served_qa, api_index_dir):
    from fastapi.testclient import TestClient

    from api.app import create_app
    from api.settings import Settings

    app = create_app(qa=served_qa, settings=Settings(index_dir=api_index_dir, public_url="https://qa.example.org/fz/"))
    with TestClient(app) as c:
        body = chat(c, EXAMPLE_Q).json()
    urls = [x["url"] for x in body["citations"]] + [s["source"]["url"] for s in body["sources"]]
    urls += [a["url_citation"]["url"] for a in body["choices"][0]["message"]["annotations"]]
    assert urls and all(u.startswith("https://qa.example.org/fz/documents/") for u in urls)


def test_bad_public_url_is_refused():
    from api.settings import Settings, SettingsError

    with pytest.raises(SettingsError, match="QA_PUBLIC_URL='ftp://x' is not allowed: expected an http"):
        Settings.from_env(public_url="ftp://x")


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_work_offline(client, page):
    r = client.get(page)
    assert r.status_code == 200
    refs = re.findall(r"""(?:src|href)=["']([^"']+)["']""", r.text)
    assert refs and not [u for u in refs if urlsplit(u).netloc], refs  # nothing from another host
    assert "fonts.googleapis" not in r.text and "cdn.jsdelivr" not in r.text
    for ref in refs:
        asset = client.get(ref)
        assert asset.status_code == 200 and len(asset.content) > 1000, ref
    assert client.get("/openapi.json").json()["info"]["title"] == "法治报告问答"


# ---------------------------------------------------------------------------------------------- follow-ups

@pytest.fixture(scope="module")
def seed_client(seed_index_dir, api_encoder):
    """The app over the five seed reports (the follow-ups move between places)."""
    from fastapi.testclient import TestClient

    from api.app import create_app
    from api.settings import Settings
    from qa.engine import QA

    with TestClient(create_app(qa=QA.load(seed_index_dir, api_encoder),
                               settings=Settings(index_dir=seed_index_dir))) as c:
        yield c


# (user turns, the question the last one resolves to, what the reply says it answered, the answer or None)
CHAINS = [
    pytest.param(["郴州行政复议纠错率是多少", "那邵阳呢？", "败诉率呢？"], "邵阳败诉率是多少", "邵阳市2024年败诉率",
                 "7.2%", id="place-then-indicator"),
    pytest.param(["郴州行政复议调解率是多少", "按期结案率呢？"], "郴州按期结案率是多少", "郴州市2024年按期结案率", "100%",
                 id="indicator"),
    pytest.param(["郴州2024年新收行政复议申请多少件", "海安的呢"], "海安新收行政复议申请多少件",
                 "海安市2023年新收行政复议申请", "136件", id="place-without-a-report-of-that-year"),
    pytest.param(["郴州2024年新收行政复议申请多少件", "海安的呢", "2023年呢？"], "海安2023年新收行政复议申请多少件",
                 "海安市2023年新收行政复议申请", "136件", id="place-then-year"),
    pytest.param(["海安2023年行政复议机关收到多少件行政复议申请", "那岳阳县呢"], "岳阳县行政复议机关收到多少件行政复议申请",
                 "岳阳县2021年行政复议机关收到行政复议申请", "37件", id="county"),
    pytest.param(["岳阳县2021年行政机关负责人出庭应诉率", "郴州呢", "2024年呢"], "郴州2024年行政机关负责人出庭应诉率",
                 "郴州市2024年行政机关负责人出庭应诉率", "100%", id="place-then-year-2"),
    pytest.param(["邵阳2024年全市受理行政复议案件多少件", "败诉率呢？"], "邵阳2024年败诉率是多少", "邵阳市2024年败诉率",
                 "7.2%", id="indicator-keeps-the-year"),
    pytest.param(["开封示范区行政机关负责人出庭应诉率是多少", "岳阳县呢？"], "岳阳县行政机关负责人出庭应诉率是多少",
                 "岳阳县2021年行政机关负责人出庭应诉率", "100%", id="zone-to-county"),
    pytest.param(["郴州2024年行政复议纠错率是多少", "去年呢？"], "郴州2023年行政复议纠错率是多少",
                 "郴州市2023年行政复议纠错率", None, id="last-year"),
    pytest.param(["郴州行政机关负责人出庭应诉率是多少", "去年呢？"], "郴州2023年行政机关负责人出庭应诉率是多少",
                 "郴州市2023年行政机关负责人出庭应诉率", None, id="last-year-of-the-answering-report"),
    pytest.param(["郴州2024年行政复议纠错率是多少", "和邵阳比呢？"], "比较郴州和邵阳2024年的行政复议纠错率",
                 "比较郴州和邵阳2024年的行政复议纠错率", "", id="comparison"),
    pytest.param(["郴州行政复议纠错率是多少", "长沙呢"], "长沙行政复议纠错率是多少", "长沙行政复议纠错率", None,
                 id="place-not-in-the-reports"),
]


def conversation(turns: list[str], client) -> list[dict]:
    """The messages a chat UI sends: the user turns with the service's own replies between them."""
    messages: list[dict] = [{"role": "system", "content": "你是法治报告助手"}]
    for turn in turns[:-1]:
        messages.append({"role": "user", "content": turn})
        reply = client.post("/v1/chat/completions", json={"messages": messages}).json()
        messages.append({"role": "assistant", "content": reply["choices"][0]["message"]["content"]})
    return messages + [{"role": "user", "content": turns[-1]}]


@pytest.mark.parametrize("turns, resolved, label, answer", CHAINS)
def test_follow_up_chains(seed_client, turns, resolved, label, answer):
    r = seed_client.post("/v1/chat/completions", json={"messages": conversation(turns, seed_client)})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["question"] == {"asked": turns[-1], "resolved": resolved, "followup": True, "label": label}
    content = body["choices"][0]["message"]["content"]
    assert content.startswith(f"问题:{label}\n\n")  # the reply says which question it answered
    if answer:
        assert content.startswith(f"问题:{label}\n\n**{answer}**\n\n> ")
        assert body["citations"][0]["text"] == answer
    elif answer is None:
        assert "未找到相关内容" in content.split("\n\n")[1]
    else:  # a comparison (qa/compare.py): both places named, the figure the reports give, cited
        assert "郴州" in content and "邵阳" in content and "18.5%" in content and body["citations"]


def test_a_question_that_stands_on_its_own_ignores_history(seed_client):
    turns = ["郴州行政复议纠错率是多少", "海安2023年受理了多少件行政复议申请"]
    body = seed_client.post("/v1/chat/completions", json={"messages": conversation(turns, seed_client)}).json()
    assert body["question"]["followup"] is False and body["question"]["label"] is None
    assert body["choices"][0]["message"]["content"].startswith("**136件**")


def test_follow_up_streamed(seed_client):
    messages = conversation(["郴州行政复议纠错率是多少", "那邵阳呢？", "败诉率呢？"], seed_client)
    with seed_client.stream("POST", "/v1/chat/completions", json={"stream": True, "messages": messages}) as r:
        chunks = [e for e in sse_events("".join(r.iter_text())) if e != "[DONE]"]
    content = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"])
    assert content.startswith("问题:邵阳市2024年败诉率\n\n**7.2%**")
    final = next(c for c in chunks if c["choices"] and c["choices"][0]["finish_reason"])
    assert final["question"]["resolved"] == "邵阳败诉率是多少"


def test_question_inside_openwebui_retrieval_prompt(client):
    """With files or web search on, Open WebUI puts its RAG template (and the context) in front of the user's
    message (utils/misc.py update_message_content, append=False): the question after it is answered."""
    rag = (TASKS / "openwebui_rag.txt").read_text(encoding="utf-8")
    context = '<source id="1" name="note.txt">一段与报告无关的材料。</source>'
    wrapped = rag.replace("{{CONTEXT}}", context) + "\n" + EXAMPLE_Q
    body = chat(client, wrapped).json()
    assert body["choices"][0]["message"]["content"].startswith(f"**{EXAMPLE_A}**")
    assert body["question"]["asked"] == EXAMPLE_Q


def test_openwebui_emoji_task(client):
    prompt = (TASKS / "openwebui_emoji.txt").read_text(encoding="utf-8").replace("{{prompt}}", EXAMPLE_Q)
    r = chat(client, prompt)
    assert r.status_code == 200 and r.json()["choices"][0]["message"]["content"] == "📄"
