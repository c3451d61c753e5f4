"""OpenAI-compatible chat: ``GET /v1/models``, ``POST /v1/chat/completions`` (``stream`` true or false).

A request is one of: a chat UI's background task (title, tags, follow-ups … see :mod:`api.tasks`), answered
from the chat and the index; or a question, the last user message, resolved against the user messages before it
(:mod:`qa.followup`: "那清河呢?") and answered with its sources.
"""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, StreamingResponse

from api import openai_compat, tasks
from api.deps import QADep, SettingsDep
from api.hosts import link_base
from api.schemas import AskResponse, ChatRequest, error_responses
from api.settings import Settings
from qa.engine import QA, QuestionError
from qa.followup import resolve

router = APIRouter(prefix="/v1", tags=["openai"])


@router.get("/models")
def v1_models(settings: SettingsDep) -> dict[str, Any]:
    return openai_compat.models_list(settings.server.model_name)


def base_url(request: Request, settings: Settings) -> str:
    """Where citation links point: QA_PUBLIC_URL when set, else the address the client reached us on when that
    Host is trusted (api.hosts), else relative links."""
    return link_base(request, settings)


def answer_year(qa: QA, question: str) -> int | None:
    """The year of the report that answers ``question`` (for "去年呢" after a question naming no year)."""
    try:
        r = qa.ask(question)
    except QuestionError:
        return None
    return r.answers[0].citation.year if r.answers else None


def _respond(req: ChatRequest, reply: openai_compat.Reply, model: str, question: str,
             extra: dict[str, Any] | None = None) -> Any:
    if req.stream:
        include_usage = bool(req.stream_options and req.stream_options.include_usage)
        return StreamingResponse(openai_compat.stream_events(reply, model, question, include_usage),
                                 media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
    return JSONResponse({**openai_compat.completion(reply, model, question), **(extra or {})})


@router.post("/chat/completions", responses={**error_responses(400, 413, 422, 503), 200: {"content": {
    "text/event-stream": {"schema": {"type": "object", "required": ["data"], "properties": {"data": {
        "type": "string", "description": "stream: true: a chat.completion.chunk (JSON), then [DONE]"}}}}}}})
def v1_chat(request: Request, req: ChatRequest, qa: QADep, settings: SettingsDep) -> Any:
    model = req.model or settings.server.model_name
    messages = [(m.role, openai_compat.message_text(m)) for m in req.messages]
    task = tasks.detect(messages)
    if task is not None:
        content = tasks.answer(task, qa)
        return _respond(req, openai_compat.Reply(content=content), model, task.kind.value)
    turns = openai_compat.user_turns(req)
    resolved = resolve(turns[:-1], turns[-1], qa.gazetteer, year_of=lambda q: answer_year(qa, q))
    r = qa.ask(resolved.question, top_k=req.top_k, filters=req.filters.as_dict() if req.filters else None)
    label = None
    if resolved.followup:
        region = r.query.regions[0] if r.query and r.query.regions else None
        year = r.answers[0].citation.year if r.answers else None
        label = resolved.label(region, year)
    reply = openai_compat.build_reply(r, base_url(request, settings), label=label)
    reply.question = {"asked": turns[-1], "resolved": resolved.question, "followup": resolved.followup,
                      "label": label}
    extra = None
    if req.include_result:
        extra = {"result": AskResponse.model_validate(r, from_attributes=True).model_dump(mode="json")}
    return _respond(req, reply, model, r.question, extra)
