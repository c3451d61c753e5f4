"""Dify's External Knowledge API: ``POST /retrieval``.

Dify (docs.dify.ai, "External Knowledge API") sends ``POST {endpoint}/retrieval`` with ``Authorization: Bearer
<key>`` and ``{"knowledge_id", "query", "retrieval_setting": {"top_k", "score_threshold"},
"metadata_condition"?}`` and reads ``{"records": [{"content", "score", "title", "metadata"}]}``.

* The key is ``QA_DIFY_API_KEY`` (its own key, not the admin token); unset, the endpoint is disabled (403).
  Errors have Dify's shape, ``{"error_code", "error_msg"}`` (and our ``detail``): 1001 malformed Authorization
  header, 1002 authorization failed (both 403, Dify's AccessDeniedException), 2001 the knowledge does not exist
  (404). Errors Dify's docs give no code for carry the HTTP status as their code: 400 malformed JSON, 413 body too
  large, 422 invalid field, 429 too many wrong keys, 503 no index loaded.
* ``knowledge_id`` names a scope (:mod:`api.scopes`): ``all``, or ``region:青禾县;year:2023`` …
* ``metadata_condition`` narrows it: conditions on region, level, year, department, doc_id, title, published
  with an operator that fits are applied; the others are ignored and logged.
* Each record is a passage: ``content`` its text, ``title`` the report's title, ``score`` our retrieval score
  in [0, 1] (never rising down the ranking), ``metadata`` an object (never null) with the citation: doc id,
  passage id, region, level, parents, department, year, section, character offsets, a link to the span, and —
  when the query is a question the passage answers — the extractive answer and its sentence.
"""
from __future__ import annotations

import hmac
import logging
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator

from api.deps import QADep, SettingsDep
from api.render import doc_url
from api.routes.openai import base_url
from api.schemas import TOP_K_MAX, json_integer
from api.scopes import Doc, ScopeError, filter_docs, scope_docs
from qa.engine import MAX_QUESTION_CHARS, QA
from qa.models import Answer, RetrievedPassage

log = logging.getLogger("api.dify")
router = APIRouter(tags=["dify"])

INVALID_HEADER, AUTH_FAILED, NO_KNOWLEDGE = 1001, 1002, 2001
MAX_QUERY_CHARS = 20_000  # longer queries are cut to their last MAX_QUESTION_CHARS characters


class DifyError(Exception):
    """An error answered in Dify's shape: ``{"error_code", "error_msg"}`` with an HTTP status."""

    def __init__(self, status: int, code: int, msg: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(msg)
        self.status, self.code, self.msg, self.headers = status, code, msg, headers


async def on_dify_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DifyError)
    return JSONResponse({"error_code": exc.code, "error_msg": exc.msg, "detail": exc.msg}, status_code=exc.status,
                        headers=exc.headers)


# ---------------------------------------------------------------------------------------------- request / response
class RetrievalSetting(BaseModel):
    model_config = ConfigDict(extra="ignore")

    top_k: int = Field(..., ge=1, le=1000, description=f"most records to return (more than {TOP_K_MAX} is read as "
                                                       f"{TOP_K_MAX})")
    score_threshold: float = Field(..., ge=0, le=1, allow_inf_nan=False,
                                   description="records scoring below it are left out (0.0: Dify's threshold off)")

    _top_k_is_an_integer = field_validator("top_k", mode="before")(json_integer)


class Condition(BaseModel):
    model_config = ConfigDict(extra="ignore")

    name: str | list[str] = Field(..., description="metadata field: region, level, year, department, doc_id, "
                                                   "title, published (others are ignored)")
    comparison_operator: str = Field(..., max_length=20, description="contains, not contains, start with, end with, "
                                                                     "is, is not, in, not in, empty, not empty, =, ≠, "
                                                                     ">, <, ≥, ≤, before, after")
    value: str | float | list[str | float] | None = None


class MetadataCondition(BaseModel):
    model_config = ConfigDict(extra="ignore")

    logical_operator: Literal["and", "or"] = "and"
    conditions: list[Condition] = Field(..., max_length=100)


class RetrievalRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")  # Dify may add fields: they must not break retrieval

    knowledge_id: str = Field(..., max_length=500, description="'all', or a scope such as region:青禾县;year:2023")
    query: str = Field(..., min_length=1, max_length=MAX_QUERY_CHARS)
    retrieval_setting: RetrievalSetting
    metadata_condition: MetadataCondition | None = None


class RecordOut(BaseModel):
    content: str = Field(description="the passage text")
    score: float = Field(ge=0, le=1)
    title: str = Field(description="the report's title")
    metadata: dict[str, Any] = Field(description="the citation (never null)")


class RetrievalResponse(BaseModel):
    records: list[RecordOut]


class DifyErrorOut(BaseModel):
    error_code: int = Field(description="1001 malformed Authorization header, 1002 authorization failed, 2001 "
                                        "unknown knowledge; otherwise the HTTP status")
    error_msg: str
    detail: str


_ERROR_DOCS = {400: "malformed JSON", 403: "1001: malformed Authorization header; 1002: authorization failed or "
                                           "the endpoint is disabled (QA_DIFY_API_KEY unset)",
               404: "2001: the knowledge does not exist", 413: "body too large", 422: "invalid field",
               429: "too many wrong keys from this address", 503: "no index loaded"}
ERRORS: dict[int | str, dict[str, Any]] = {s: {"model": DifyErrorOut, "description": d} for s, d in _ERROR_DOCS.items()}


# ---------------------------------------------------------------------------------------------- auth
def require_dify_key(request: Request, settings: SettingsDep,
                     authorization: Annotated[str | None, Header()] = None) -> None:
    key = settings.server.dify_api_key
    if not key:
        raise DifyError(403, AUTH_FAILED, "Authorization failed: the external knowledge API is disabled on this "
                                          "server (set QA_DIFY_API_KEY)")
    scheme, _, cred = (authorization or "").strip().partition(" ")
    cred = cred.strip()
    if scheme.lower() != "bearer" or not cred or " " in cred:
        raise DifyError(403, INVALID_HEADER, "Invalid Authorization header format. Expected 'Bearer <api-key>' "
                                             "format.")
    limiter = request.app.state.auth_limiter
    client = request.client.host if request.client else "?"
    wait = limiter.retry_after(client)
    if wait is not None:
        raise DifyError(429, 429, f"too many wrong keys from this address; try again in {wait} s",
                        {"Retry-After": str(wait)})
    if not hmac.compare_digest(cred.encode("utf-8", "surrogatepass"), key.encode("utf-8")):
        limiter.failed(client)
        raise DifyError(403, AUTH_FAILED, "Authorization failed. Please check your API key.")


# ---------------------------------------------------------------------------------------------- retrieval
def allowed_docs(qa: QA, req: RetrievalRequest) -> set[str] | None:
    """The reports the request may search (None: all); DifyError 2001 for an unknown scope."""
    docs = [Doc(doc_id, d.meta) for doc_id, d in qa.index.documents.items()]
    try:
        allowed = scope_docs(docs, req.knowledge_id)
    except ScopeError as e:
        raise DifyError(404, NO_KNOWLEDGE, f"The knowledge does not exist: {e}") from None
    mc = req.metadata_condition
    if mc is not None and mc.conditions:
        narrowed, notes = filter_docs(docs, mc.logical_operator, [c.model_dump() for c in mc.conditions])
        for note in notes:
            log.info("POST /retrieval knowledge_id=%r: metadata_condition %s", req.knowledge_id, note)
        if narrowed is not None:
            allowed = narrowed if allowed is None else allowed & narrowed
    return allowed


def record(qa: QA, p: RetrievedPassage, score: float, answer: Answer | None, base: str) -> dict[str, Any]:
    meta = qa.index.documents[p.doc_id].meta
    md: dict[str, Any] = {
        "doc_id": p.doc_id, "passage_id": p.passage_id, "rank": p.rank, "region": p.region, "level": meta.level,
        "parents": list(meta.parents), "department": meta.department, "year": p.year, "section": p.section,
        "start": p.start, "end": p.end, "url": doc_url(p.doc_id, p.start, p.end, base),
    }
    if answer is not None:
        c = answer.citation
        md.update(answer=answer.text, answer_score=round(answer.score, 4), answer_start=c.start, answer_end=c.end,
                  sentence=answer.sentence, sentence_start=c.sentence_start, sentence_end=c.sentence_end,
                  answer_url=doc_url(c.doc_id, c.start, c.end, base))
        if c.page is not None:
            md["page"] = c.page
    return {"content": p.text, "score": score, "title": p.title, "metadata": md}


def retrieve(qa: QA, req: RetrievalRequest, base: str) -> list[dict[str, Any]]:
    query = req.query.strip()[-MAX_QUESTION_CHARS:]
    if not query or not any(ch.isalnum() for ch in query):
        return []  # nothing to search for: no records, as Dify expects for no match
    allowed = allowed_docs(qa, req)
    if allowed is not None and not allowed:
        return []
    top_k = min(req.retrieval_setting.top_k, TOP_K_MAX)
    filters = {"doc_ids": tuple(sorted(allowed))} if allowed is not None else None
    result = qa.ask(query, top_k=top_k, filters=filters)
    passages, answers = result.passages, result.answers
    if getattr(result, "comparison", None) is not None or not passages:
        passages, answers = qa.search(query, top_k=top_k, filters=filters), []
    best: dict[str, Answer] = {}
    for a in answers:  # ranked: the first answer a passage holds is its best
        best.setdefault(a.citation.passage_id, a)
    records, last = [], 1.0
    for p in passages:
        last = min(last, max(0.0, min(1.0, p.score)))  # in [0, 1], never rising down our ranking
        if last < req.retrieval_setting.score_threshold:
            break
        records.append(record(qa, p, round(last, 4), best.get(p.passage_id), base))
    return records


@router.post("/retrieval", responses=ERRORS, dependencies=[Depends(require_dify_key)],
             summary="Dify External Knowledge API")
def retrieval(req: RetrievalRequest, request: Request, qa: QADep, settings: SettingsDep) -> RetrievalResponse:
    """Passages for Dify's knowledge retrieval, each with its citation in ``metadata``."""
    return RetrievalResponse.model_validate({"records": retrieve(qa, req, base_url(request, settings))})
