"""Our chat completions read through Open WebUI's parsing contract: which sources its chat page shows.

The functions below port, line for line, the parts of Open WebUI 0.12.4 (PyPI ``open-webui==0.12.4``, GitHub
open-webui/open-webui) that turn an OpenAI-compatible upstream's response into a message's sources:

* non-streamed: ``backend/open_webui/utils/middleware.py:3984`` (``non_streaming_chat_response_handler`` emits the
  whole completion as the data of a ``chat:completion`` event) and ``src/lib/components/chat/Chat.svelte:3497``
  (``if (sources && !message?.sources) message.sources = sources`` — the completion's top-level ``sources``);
* streamed: ``middleware.py:4808`` (a chunk with an ``event`` field goes to the event emitter),
  ``backend/open_webui/socket/main.py:1583`` and ``Chat.svelte:1737`` (a ``source`` event's data is appended to
  the message's sources), and ``middleware.py:4970`` (every ``url_citation`` annotation of a delta becomes a
  source whose only document is the annotation's title);
* display: ``src/lib/components/chat/Messages/Citations.svelte:109-140`` (sources grouped by ``metadata[i].source
  ?? source.id``; the name is ``metadata.name``, replaced by the url for http ids unless ``metadata.external``),
  and ``Citations/CitationModal.svelte`` (each document of a source rendered as Markdown in its pop-up).

Checked on responses of ours recorded in tests/api/fixtures/openwebui/ (by scripts/check_openwebui_record.py: the
seed index, QA_PUBLIC_URL set) and
on live responses of the test app.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

from api_testlib import EXAMPLE_A, EXAMPLE_Q

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "openwebui"
SENTENCE_MARKED = "已审结的案件中,纠错113件,纠错率为**18.5%**;"


# ------------------------------------------------------------------------------------- Open WebUI, ported


def sse_data(text: str) -> list[dict]:
    """middleware.py: each line starting with ``data:`` is JSON after the prefix; ``[DONE]`` ends the stream."""
    out = []
    for line in text.splitlines():
        if not line.startswith("data:"):
            continue
        data = line[5:].strip()
        if data == "[DONE]":
            break
        out.append(json.loads(data))
    return out


def sources_from_completion(body: dict) -> list[dict]:
    """Chat.svelte:3497: a non-streamed completion's top-level ``sources`` become the message's sources."""
    return list(body.get("sources") or [])


def sources_from_stream(chunks: list[dict]) -> list[dict]:
    """middleware.py:4808 + socket/main.py:1583 + Chat.svelte:1737 (event sources), middleware.py:4970
    (annotation sources), in the order the chunks arrive."""
    sources: list[dict] = []
    for data in chunks:
        if "event" in data:
            event = data.get("event", {})
            if event.get("type") in ("source", "citation") and event.get("data", {}).get("type") is None:
                sources.append(event["data"])
        choices = data.get("choices", [])
        if not choices:
            continue
        for annotation in choices[0].get("delta", {}).get("annotations") or []:
            if annotation.get("type") == "url_citation" and "url_citation" in annotation:
                u = annotation["url_citation"]
                url, title = u.get("url", ""), u.get("title", u.get("url", ""))
                sources.append({"source": {"name": title, "url": url}, "document": [title],
                                "metadata": [{"source": url, "name": title}]})
    return sources


def citations_shown(sources: list[dict]) -> list[dict]:
    """Citations.svelte:109-140: the citations the page lists (and numbers [1], [2] …)."""
    acc: list[dict] = []
    for source in sources:
        if not source:
            continue
        for index, document in enumerate(source.get("document") or []):
            metadata = (source.get("metadata") or [None] * (index + 1))[index] if source.get("metadata") else None
            distances = source.get("distances") or []
            distance = distances[index] if index < len(distances) else None
            cid = (metadata or {}).get("source") or (source.get("source") or {}).get("id") or "N/A"
            _source = dict(source.get("source") or {})
            if metadata and metadata.get("name"):
                _source["name"] = metadata["name"]
            if cid.startswith(("http://", "https://")):
                _source = {**_source, "name": _source.get("name") if metadata and metadata.get("external") else cid,
                           "url": cid}
            existing = next((c for c in acc if c["id"] == cid), None)
            if existing:
                existing["document"].append(document)
                existing["metadata"].append(metadata)
                if distance is not None:
                    existing["distances"].append(distance)
            else:
                acc.append({"id": cid, "source": _source, "document": [document],
                            "metadata": [metadata] if metadata else [], "distances": [] if distance is None else
                            [distance]})
    return acc


# ------------------------------------------------------------------------------------- the contract


def one_line(s: str) -> str:
    return re.sub(r"\s*\n\s*", " ", s).strip()


def check_shown(shown: list[dict], citations: list[dict], get=None) -> None:
    """What a user of Open WebUI sees: one citation per passage we cite, in our order, named by the report and
    section, whose first document is the cited sentence with the answer in bold, linked to the cited span."""
    assert [c["id"] for c in shown] == [c["url"] for c in citations]  # one per passage, no duplicates
    for c, ours in zip(shown, citations, strict=True):
        assert c["source"]["name"] == f"{ours['title']} · {ours['section']}"  # not the url
        assert c["source"]["url"] == ours["url"]
        # its document: the cited sentence (the answer in bold), or the retrieved passage
        shown_text = c["document"][0].replace("**", "") if ours["type"] == "answer" else c["document"][0]
        shown_text = re.sub(r"\\(.)", r"\1", shown_text)  # Markdown escapes of report text (issue 24)
        assert shown_text == one_line(ours["sentence"] if ours["type"] == "answer" else ours["text"])
        assert c["metadata"][0]["doc_id"] == ours["doc_id"] and c["metadata"][0]["start"] == ours["start"]
    first = shown[0]
    assert first["document"][0].startswith(SENTENCE_MARKED)
    if get is not None:  # the link opens the report at the cited span
        parts = urlsplit(first["source"]["url"])
        doc = get(f"{parts.path}?{parts.query}", headers={"Accept": "application/json"}).json()
        assert doc["span"]["text"] == EXAMPLE_A


def test_recorded_completion_shows_sources():
    body = json.loads((FIXTURES / "completion.json").read_text(encoding="utf-8"))
    assert body["choices"][0]["message"]["content"].startswith(f"**{EXAMPLE_A}**")
    shown = citations_shown(sources_from_completion(body))
    check_shown(shown, body["citations"])
    assert all(len(c["document"]) == 1 for c in shown)
    assert all(c["source"]["url"].startswith("http://qa.example.org:8000/documents/") for c in shown)


def test_recorded_stream_shows_each_source_once_with_its_sentence():
    chunks = sse_data((FIXTURES / "completion.sse").read_text(encoding="utf-8"))
    final = next(c for c in chunks if c.get("choices") and c["choices"][0].get("finish_reason"))
    shown = citations_shown(sources_from_stream(chunks))
    check_shown(shown, final["citations"])
    # the annotation Open WebUI also makes a source of lands in the same citation, after our document
    assert all(len(c["document"]) <= 2 for c in shown)
    content = "".join((c["choices"][0]["delta"].get("content") or "") for c in chunks if c.get("choices"))
    assert content.startswith(f"**{EXAMPLE_A}**") and SENTENCE_MARKED in content


def test_live_completion_and_stream(client):
    msgs = [{"role": "user", "content": EXAMPLE_Q}]
    body = client.post("/v1/chat/completions", json={"model": "fazhi-qa", "messages": msgs}).json()
    check_shown(citations_shown(sources_from_completion(body)), body["citations"], client.get)
    recorded = json.loads((FIXTURES / "completion.json").read_text(encoding="utf-8"))
    # the recording has the shape the app gives today
    assert set(body) == set(recorded)
    assert set(body["sources"][0]) == set(recorded["sources"][0])
    assert set(body["sources"][0]["metadata"][0]) == set(recorded["sources"][0]["metadata"][0])

    with client.stream("POST", "/v1/chat/completions",
                       json={"model": "fazhi-qa", "stream": True, "messages": msgs}) as r:
        chunks = sse_data("".join(r.iter_text()))
    final = next(c for c in chunks if c.get("choices") and c["choices"][0].get("finish_reason"))
    check_shown(citations_shown(sources_from_stream(chunks)), final["citations"], client.get)


def test_unanswered_question_still_shows_its_passages(client):
    body = client.post("/v1/chat/completions",
                       json={"messages": [{"role": "user", "content": "长沙市行政复议纠错率是多少"}]}).json()
    shown = citations_shown(sources_from_completion(body))
    assert [c["id"] for c in shown] == [c["url"] for c in body["citations"]]
    assert all(c["document"][0] and "**" not in c["document"][0].split("\n\n")[0] for c in shown)

