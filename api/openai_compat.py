"""OpenAI-compatible chat endpoint: the last user message is the question, the reply is the extracted answer.

The assistant message reads::

    **12.4%**

    > 已审结的案件中,纠错26件,纠错率为**12.4%**;

    来源:
    [1] 清河县2024年法治政府建设情况报告 · 一、2024年主要工作 > (五)…

A follow-up turn ("那清河呢?", see :mod:`qa.followup`) first says which question it answered
(``问题:清河县2024年行政复议纠错率``). The sources come in three shapes, one per passage:

* ``annotations`` on the message, OpenAI's ``url_citation`` (``start_index``/``end_index`` index the content; the
  url opens ``/documents/{doc_id}?start=..&end=..``), and a top-level ``citations`` list (our structured
  citations) — for OpenAI-style clients;
* a top-level ``sources`` list in Open WebUI's shape (``{"source": {...}, "document": [...], "metadata": [...]}``,
  what its chat page reads from a non-streamed completion), whose document is the cited sentence with the answer
  in bold;
* with ``stream: true``: the content as ``chat.completion.chunk`` events, one ``{"event": {"type": "source",
  "data": <source>}}`` chunk per source before it (what Open WebUI forwards to its page), and the annotations
  (one per source url) and citations in the final chunk.
"""
from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from api.render import comparison_reply, doc_url, md_text
from api.schemas import ChatMessage, ChatRequest
from qa.engine import NOT_FOUND
from qa.models import QAResult

MAX_SOURCES = 3


class ChatInputError(ValueError):
    """A chat request the service cannot turn into a question."""


def message_text(m: ChatMessage) -> str:
    """The text of a message: its string content, or its text parts joined by new lines."""
    content = m.content
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    return "\n".join(p.text for p in content if p.type in ("text", "input_text") and p.text)


# a chat UI's retrieval prompt put in front of the user's message (Open WebUI's RAG template: "### Task: Respond
# to the user query using the provided context … <context>…</context>" then the query)
_CONTEXT_WRAPPER = re.compile(r"\A\s*### Task:.*</context>\s*", re.S)


def user_turns(req: ChatRequest) -> list[str]:
    """The text of every user message, oldest first (without a chat UI's retrieval prompt around it); the last
    one is the question."""
    users = [_CONTEXT_WRAPPER.sub("", message_text(m)) for m in req.messages if m.role == "user"]
    if not users:
        raise ChatInputError("no user message: messages must contain at least one {\"role\": \"user\"} message "
                             "with the question")
    if not users[-1].strip():
        raise ChatInputError("the last user message has no text: put the question in its content")
    return users


def question_from_messages(req: ChatRequest) -> str:
    return user_turns(req)[-1]


@dataclass
class Reply:
    content: str
    annotations: list[dict] = field(default_factory=list)
    citations: list[dict] = field(default_factory=list)
    sources: list[dict] = field(default_factory=list)  # Open WebUI's shape, one per citation
    question: dict[str, Any] | None = None  # which question was answered (follow-ups)


def _one_line(s: str) -> str:
    return re.sub(r"\s*\n\s*", " ", s).strip()


def _bold(text: str) -> str:
    return f"**{text}**" if text.strip() else text


def marked_sentence(sentence: str, offset: int, length: int) -> str:
    """The sentence on one line (Markdown-escaped) with the span [offset, offset+length) in bold."""
    if 0 <= offset and offset + length <= len(sentence) and length > 0:
        return _one_line(md_text(sentence[:offset]) + _bold(md_text(sentence[offset:offset + length]))
                         + md_text(sentence[offset + length:]))
    return _one_line(md_text(sentence))


def _citations(r: QAResult, max_sources: int) -> list[dict]:
    """One citation per passage: the answer's, then the other retrieved passages (no passage twice)."""
    out: list[dict] = []
    seen: set[str] = set()
    if r.answers:
        a = r.answers[0]
        c = a.citation
        out.append({"type": "answer", "doc_id": c.doc_id, "title": c.title, "region": c.region, "year": c.year,
                    "passage_id": c.passage_id, "section": c.section, "start": c.start, "end": c.end,
                    "sentence_start": c.sentence_start, "sentence_end": c.sentence_end, "text": a.text,
                    "sentence": a.sentence, "score": a.score})
        seen.add(c.passage_id)
    for p in r.passages:
        if len(out) >= max_sources:
            break
        if p.passage_id in seen:
            continue
        seen.add(p.passage_id)
        out.append({"type": "passage", "doc_id": p.doc_id, "title": p.title, "region": p.region, "year": p.year,
                    "passage_id": p.passage_id, "section": p.section, "start": p.start, "end": p.end,
                    "sentence_start": None, "sentence_end": None, "text": p.text, "sentence": None,
                    "score": p.score})
    return out


def source_label(c: dict) -> str:
    return c["title"] + (f" · {c['section']}" if c["section"] else "")


def md_source_label(c: dict) -> str:
    """:func:`source_label` as Markdown text (in the reply's content)."""
    return md_text(source_label(c))


def openwebui_source(c: dict) -> dict:
    """A citation in Open WebUI's source shape. Its page groups a message's sources by ``metadata[i].source``
    (falling back to ``source.id``), shows ``source.name`` (kept, not replaced by the url, when ``external``) and
    renders each ``document`` as Markdown in the pop-up, under ``source.name`` linked to ``source.url``;
    ``distances`` are shown as relevance."""
    if c["type"] == "answer":
        doc = marked_sentence(c["sentence"], c["start"] - c["sentence_start"], c["end"] - c["start"])
    else:
        doc = _one_line(md_text(c["text"]))
    label = source_label(c)  # the pop-up's heading, a link to the report at the span
    document = doc
    meta = {"source": c["url"], "name": label, "url": c["url"], "external": True, "title": c["title"],
            "section": c["section"], "doc_id": c["doc_id"], "passage_id": c["passage_id"], "start": c["start"],
            "end": c["end"], "region": c["region"], "year": c["year"], "type": c["type"]}
    return {"source": {"id": c["url"], "name": label, "url": c["url"]}, "document": [document],
            "metadata": [meta], "distances": [round(float(c["score"]), 4)]}


def _not_found_line(r: QAResult) -> str:
    if r.intent == "chitchat" and r.reason:
        return r.reason  # a greeting gets what the service answers, not "not found"
    reason = r.reason if r.reason and r.reason != NOT_FOUND else None
    return NOT_FOUND + (f":{md_text(reason)}" if reason else "") + "。"


def build_reply(r: QAResult, base_url: str, max_sources: int = MAX_SOURCES, label: str | None = None) -> Reply:
    """The assistant message for ``r``: (the question answered,) answer, quoted sentence, numbered sources."""
    if getattr(r, "comparison", None) is not None:  # a comparison: a Markdown table, one source per row
        content, notes, cited = comparison_reply(r, base_url)
        return _with_label(Reply(content, notes, cited, sources=[openwebui_source(c) for c in cited]), label)
    return _with_label(_answer_reply(r, base_url, max_sources), label)


def _with_label(reply: Reply, label: str | None) -> Reply:
    """A follow-up's reply first says which question it answered (the annotations move with the content)."""
    if not label:
        return reply
    head = f"问题:{md_text(label)}\n\n"
    for a in reply.annotations:
        u = a["url_citation"]
        u["start_index"] += len(head)
        u["end_index"] += len(head)
    reply.content = head + reply.content
    return reply


def _answer_reply(r: QAResult, base_url: str, max_sources: int) -> Reply:
    citations = _citations(r, max_sources)
    for i, s in enumerate(citations, 1):
        s["index"] = i
        s["url"] = doc_url(s["doc_id"], s["start"], s["end"], base_url)
    out = ""
    annotations: list[dict] = []

    def annotate(start: int, end: int, src: dict) -> None:
        annotations.append({"type": "url_citation", "url_citation": {
            "start_index": start, "end_index": end, "url": src["url"], "title": source_label(src)}})

    if r.answers:
        a = r.answers[0]
        out += "**"
        answer = md_text(a.text)
        annotate(len(out), len(out) + len(answer), citations[0])
        out += answer + "**"
        c = a.citation
        out += "\n\n> " + marked_sentence(a.sentence, c.start - c.sentence_start, c.end - c.start)
        out += "\n\n来源:"
    else:
        out += _not_found_line(r)
        if citations:
            out += "\n\n相关段落(未找到确切答案,仅供参考):"
    for s in citations:
        out += "\n"
        line = f"[{s['index']}] {md_source_label(s)}"
        annotate(len(out), len(out) + len(line), s)
        out += line
    return Reply(content=out, annotations=annotations, citations=citations,
                 sources=[openwebui_source(c) for c in citations])


def _usage(question: str, content: str) -> dict:
    # no tokenizer is involved: characters stand in for tokens
    return {"prompt_tokens": len(question), "completion_tokens": len(content),
            "total_tokens": len(question) + len(content)}


def completion(reply: Reply, model: str, question: str) -> dict:
    body: dict[str, Any] = {
        "id": "chatcmpl-" + uuid.uuid4().hex,
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "system_fingerprint": None,
        "choices": [{
            "index": 0,
            "message": {"role": "assistant", "content": reply.content, "refusal": None,
                        "annotations": reply.annotations},
            "logprobs": None,
            "finish_reason": "stop",
        }],
        "usage": _usage(question, reply.content),
        "citations": reply.citations,
        "sources": reply.sources,
    }
    if reply.question is not None:
        body["question"] = reply.question
    return body


def _pieces(content: str, size: int = 24) -> list[str]:
    return re.findall(rf"[^\n]{{1,{size}}}|\n", content)


def one_per_url(annotations: list[dict]) -> list[dict]:
    """The first annotation of each url: a client that makes a source of every annotation (Open WebUI does, in
    streams) gets each passage once."""
    seen: set[str] = set()
    out = []
    for a in annotations:
        url = a["url_citation"]["url"]
        if url not in seen:
            seen.add(url)
            out.append(a)
    return out


def stream_events(reply: Reply, model: str, question: str, include_usage: bool = False) -> Iterator[str]:
    cid = "chatcmpl-" + uuid.uuid4().hex
    created = int(time.time())

    def chunk(delta: dict | None, finish: str | None = None, **extra: Any) -> str:
        choices = [] if delta is None else [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]
        body = {"id": cid, "object": "chat.completion.chunk", "created": created, "model": model,
                "system_fingerprint": None, "choices": choices, **extra}
        return "data: " + json.dumps(body, ensure_ascii=False) + "\n\n"

    yield chunk({"role": "assistant", "content": ""})
    for source in reply.sources:
        yield chunk(None, event={"type": "source", "data": source})
    for piece in _pieces(reply.content):
        yield chunk({"content": piece})
    extra: dict[str, Any] = {"citations": reply.citations}
    if reply.question is not None:
        extra["question"] = reply.question
    yield chunk({"annotations": one_per_url(reply.annotations)}, "stop", **extra)
    if include_usage:
        yield chunk(None, usage=_usage(question, reply.content))
    yield "data: [DONE]\n\n"


def models_list(model: str) -> dict:
    return {"object": "list", "data": [{"id": model, "object": "model", "created": 0, "owned_by": "fazhi-qa"}]}
