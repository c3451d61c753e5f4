"""OpenAI-compatible chat endpoint: the last user message is the question, the reply is the extracted answer.

The assistant message reads::

    18.5%

    > 已审结的案件中,纠错113件,纠错率为18.5%;

    来源:
    [1] 郴州市2024年法治政府建设情况报告 · 一、2024年主要工作 > (五)…

and carries ``annotations`` in OpenAI's ``url_citation`` shape (``start_index``/``end_index`` index the content;
the url opens ``/documents/{doc_id}?start=..&end=..``); the response has an extra top-level ``citations`` list with
the structured citations. With ``stream: true`` the same content arrives as ``chat.completion.chunk`` events and
the annotations/citations in the final chunk.
"""
from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import quote

from api.schemas import ChatRequest
from qa.engine import NOT_FOUND
from qa.models import QAResult

MAX_SOURCES = 3


class ChatInputError(ValueError):
    """A chat request the service cannot turn into a question."""


def question_from_messages(req: ChatRequest) -> str:
    users = [m for m in req.messages if m.role == "user"]
    if not users:
        raise ChatInputError("no user message: messages must contain at least one {\"role\": \"user\"} message "
                             "with the question")
    content = users[-1].content
    if content is None:
        text = ""
    elif isinstance(content, str):
        text = content
    else:
        text = "\n".join(p.text for p in content if p.type in ("text", "input_text") and p.text)
    if not text.strip():
        raise ChatInputError("the last user message has no text: put the question in its content")
    return text


@dataclass
class Reply:
    content: str
    annotations: list[dict] = field(default_factory=list)
    citations: list[dict] = field(default_factory=list)


def _doc_url(base_url: str, doc_id: str, start: int, end: int) -> str:
    return f"{base_url.rstrip('/')}/documents/{quote(doc_id, safe='')}?start={start}&end={end}"


def _one_line(s: str) -> str:
    return re.sub(r"\s*\n\s*", " ", s).strip()


def build_reply(r: QAResult, base_url: str, max_sources: int = MAX_SOURCES) -> Reply:
    """The assistant message for ``r``: answer, quoted sentence, numbered sources, with their annotations."""
    sources: list[dict] = []
    seen: set[tuple[str, str]] = set()
    if r.answers:
        a = r.answers[0]
        c = a.citation
        sources.append({"type": "answer", "doc_id": c.doc_id, "title": c.title, "region": c.region, "year": c.year,
                        "passage_id": c.passage_id, "section": c.section, "start": c.start, "end": c.end,
                        "sentence_start": c.sentence_start, "sentence_end": c.sentence_end, "text": a.text,
                        "sentence": a.sentence, "score": a.score})
        seen.add((c.doc_id, c.section))
    for p in r.passages:
        if len(sources) >= max_sources:
            break
        if (p.doc_id, p.section) in seen:
            continue
        seen.add((p.doc_id, p.section))
        sources.append({"type": "passage", "doc_id": p.doc_id, "title": p.title, "region": p.region, "year": p.year,
                        "passage_id": p.passage_id, "section": p.section, "start": p.start, "end": p.end,
                        "sentence_start": None, "sentence_end": None, "text": p.text, "sentence": None,
                        "score": p.score})
    for i, s in enumerate(sources, 1):
        s["index"] = i
        s["url"] = _doc_url(base_url, s["doc_id"], s["start"], s["end"])

    out = ""
    annotations: list[dict] = []

    def annotate(start: int, end: int, src: dict) -> None:
        label = src["title"] + (f" · {src['section']}" if src["section"] else "")
        annotations.append({"type": "url_citation", "url_citation": {
            "start_index": start, "end_index": end, "url": src["url"], "title": label}})

    if r.answers:
        a = r.answers[0]
        out = a.text
        annotate(0, len(out), sources[0])
        out += "\n\n> " + _one_line(a.sentence)
        if sources:
            out += "\n\n来源:"
    else:
        reason = r.reason if r.reason and r.reason != NOT_FOUND else None
        out = NOT_FOUND + (f":{reason}" if reason else "") + "。"
        if sources:
            out += "\n\n相关段落(未找到确切答案,仅供参考):"
    for s in sources:
        out += "\n"
        line = f"[{s['index']}] {s['title']}" + (f" · {s['section']}" if s["section"] else "")
        annotate(len(out), len(out) + len(line), s)
        out += line
    return Reply(content=out, annotations=annotations, citations=sources)


def _usage(question: str, content: str) -> dict:
    # no tokenizer is involved: characters stand in for tokens
    return {"prompt_tokens": len(question), "completion_tokens": len(content),
            "total_tokens": len(question) + len(content)}


def completion(reply: Reply, model: str, question: str) -> dict:
    return {
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
    }


def _pieces(content: str, size: int = 24) -> list[str]:
    return re.findall(rf"[^\n]{{1,{size}}}|\n", content)


def stream_events(reply: Reply, model: str, question: str, include_usage: bool = False) -> Iterator[str]:
    cid = "chatcmpl-" + uuid.uuid4().hex
    created = int(time.time())

    def chunk(delta: dict, finish: str | None = None, **extra) -> str:
        body = {"id": cid, "object": "chat.completion.chunk", "created": created, "model": model,
                "system_fingerprint": None,
                "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}], **extra}
        return "data: " + json.dumps(body, ensure_ascii=False) + "\n\n"

    yield chunk({"role": "assistant", "content": ""})
    for piece in _pieces(reply.content):
        yield chunk({"content": piece})
    yield chunk({"annotations": reply.annotations}, "stop", citations=reply.citations)
    if include_usage:
        body = {"id": cid, "object": "chat.completion.chunk", "created": created, "model": model, "choices": [],
                "usage": _usage(question, reply.content)}
        yield "data: " + json.dumps(body, ensure_ascii=False) + "\n\n"
    yield "data: [DONE]\n\n"


def models_list(model: str) -> dict:
    return {"object": "list", "data": [{"id": model, "object": "model", "created": 0, "owned_by": "fazhi-qa"}]}
