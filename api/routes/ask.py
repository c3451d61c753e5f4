"""Question answering: ``POST /ask`` (answer + citations + passages) and ``GET /search`` (passages only)."""
from __future__ import annotations

import re
import time
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query

from api.deps import QADep
from api.schemas import (
    QUESTION_PATTERN,
    TOP_K_MAX,
    AskRequest,
    AskResponse,
    Filters,
    PassageOut,
    SearchResponse,
    error_responses,
)
from qa.engine import MAX_QUESTION_CHARS

router = APIRouter(tags=["qa"])
ERRORS = error_responses(400, 413, 422, 503)


@router.post("/ask", responses=ERRORS)
def ask(req: AskRequest, qa: QADep) -> AskResponse:
    filters = req.filters.as_dict() if req.filters else None
    r = qa.ask(req.question, top_k=req.top_k, filters=filters)
    out = AskResponse.model_validate(r, from_attributes=True)
    if req.explain:
        out.explanation = qa.explain(req.question, top_k=req.top_k, filters=filters)
    return out


@router.get("/search", responses=ERRORS)
def search(qa: QADep,
           q: Annotated[str, Query(min_length=1, max_length=MAX_QUESTION_CHARS,
                                   json_schema_extra={"pattern": QUESTION_PATTERN},
                                   description="the question or keywords")],
           top_k: Annotated[int, Query(ge=1, le=TOP_K_MAX)] = 5,
           region: Annotated[str | None, Query(max_length=100)] = None,
           year: Annotated[int | None, Query(ge=1900, le=2100)] = None) -> SearchResponse:
    if not re.search(QUESTION_PATTERN, q):  # the pattern as Python reads it (QA.ask's own check)
        raise HTTPException(422, "invalid request: q: empty, or no words (only spaces, punctuation or symbols)")
    t0 = time.perf_counter()
    filters = Filters(region=region, year=year).as_dict()
    hits = qa.search(q, top_k=top_k, filters=filters or None)
    return SearchResponse(query=q.strip(), took_ms=round((time.perf_counter() - t0) * 1000, 2),
                          passages=[PassageOut.model_validate(p, from_attributes=True) for p in hits])
