"""OpenAI-compatible chat: ``GET /v1/models``, ``POST /v1/chat/completions`` (``stream`` true or false)."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, StreamingResponse

from api import openai_compat
from api.deps import QADep, SettingsDep
from api.schemas import ChatRequest, error_responses

router = APIRouter(prefix="/v1", tags=["openai"])


@router.get("/models")
def v1_models(settings: SettingsDep) -> dict[str, Any]:
    return openai_compat.models_list(settings.server.model_name)


@router.post("/chat/completions", responses=error_responses(400, 422, 503))
def v1_chat(request: Request, req: ChatRequest, qa: QADep, settings: SettingsDep) -> Any:
    question = openai_compat.question_from_messages(req)
    r = qa.ask(question, top_k=req.top_k, filters=req.filters.as_dict() if req.filters else None)
    reply = openai_compat.build_reply(r, str(request.base_url))
    model = req.model or settings.server.model_name
    if req.stream:
        include_usage = bool(req.stream_options and req.stream_options.include_usage)
        return StreamingResponse(openai_compat.stream_events(reply, model, r.question, include_usage),
                                 media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
    return JSONResponse(openai_compat.completion(reply, model, r.question))
