"""The HTTP service: REST API, OpenAI-compatible chat endpoint and the chat page.

``uvicorn api.app:create_app --factory`` (what ``qa serve`` runs). Tests build the app with an already loaded
QA: ``create_app(qa=qa, settings=Settings(...))``.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import time
from collections import Counter
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response, StreamingResponse
from pydantic import ValidationError
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException

from index.encoders import Encoder, EncoderError, get_encoder
from index.ingest import document_from_bytes, make_doc_id
from index.loader import ReportError
from index.store import IndexError_, build_index, current_build
from qa.engine import QA, QuestionError

from api import openai_compat
from api.schemas import (AskRequest, AskResponse, ChatRequest, DocumentIn, DocumentList, DocumentMeta, DocumentOut,
                         ErrorOut, Filters, JobAccepted, JobOut, MetadataIn, PassageOut, SearchResponse, Span,
                         TOP_K_MAX)
from api.settings import Settings
from api.state import AppState, Conflict, NotReady, UnknownDocument

log = logging.getLogger("api")

STATIC = Path(__file__).resolve().parent / "static"
DOC_ID_RE = re.compile(r"^[\w\-]{1,80}$", re.UNICODE)
ENVELOPE_BYTES = 64 * 1024  # multipart boundaries, form fields, JSON syntax around the report text


# ---------------------------------------------------------------------------------------------- errors


def _error(request: Request, status: int, detail: str, headers: dict | None = None, **extra: Any) -> JSONResponse:
    body: dict[str, Any] = {"detail": detail, **extra}
    if request.url.path.startswith("/v1/"):
        # the shape OpenAI clients read their error message from
        kind = "invalid_request_error" if 400 <= status < 500 else "server_error"
        body["error"] = {"message": detail, "type": kind, "param": None, "code": status}
    return JSONResponse(body, status_code=status, headers=headers)


def _loc(loc: tuple) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts)


def _validation_detail(errors: list[dict]) -> tuple[int, str, list[dict]]:
    simple = [{"loc": [str(x) for x in e.get("loc", ())], "msg": e.get("msg", ""), "type": e.get("type", "")}
              for e in errors]
    for e in errors:
        if e.get("type") == "json_invalid":
            err = (e.get("ctx") or {}).get("error", "")
            return 400, f"malformed JSON body: {err}".rstrip(": "), simple
    msgs = []
    for e in errors:
        where = _loc(tuple(e.get("loc", ())))
        if e.get("type") == "missing":
            msgs.append(f"{where}: field required" if where else "a request body is required")
        elif e.get("type") == "extra_forbidden":
            msgs.append(f"{where}: unknown field")
        else:
            msgs.append(f"{where}: {e.get('msg', 'invalid value')}" if where else e.get("msg", "invalid value"))
    return 422, "invalid request: " + "; ".join(msgs), simple


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def on_validation(request: Request, exc: RequestValidationError):
        status, detail, errors = _validation_detail(list(exc.errors()))
        return _error(request, status, detail, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def on_http(request: Request, exc: StarletteHTTPException):
        detail = exc.detail if isinstance(exc.detail, str) else json.dumps(exc.detail, ensure_ascii=False)
        return _error(request, exc.status_code, detail, headers=getattr(exc, "headers", None))

    @app.exception_handler(QuestionError)
    async def on_question(request: Request, exc: QuestionError):
        return _error(request, 422, f"invalid question: {exc}")

    @app.exception_handler(openai_compat.ChatInputError)
    async def on_chat(request: Request, exc: openai_compat.ChatInputError):
        return _error(request, 422, str(exc))

    @app.exception_handler(ReportError)
    async def on_report(request: Request, exc: ReportError):
        return _error(request, 422, f"cannot ingest this report: {exc}")

    @app.exception_handler(NotReady)
    async def on_not_ready(request: Request, exc: NotReady):
        return _error(request, 503, f"the index is not available: {exc}", headers={"Retry-After": "5"})

    @app.exception_handler(Conflict)
    async def on_conflict(request: Request, exc: Conflict):
        return _error(request, 409, str(exc))

    @app.exception_handler(UnknownDocument)
    async def on_unknown(request: Request, exc: UnknownDocument):
        return _error(request, 404, f"no report with doc_id {exc.args[0]!r}")

    @app.exception_handler(Exception)
    async def on_error(request: Request, exc: Exception):
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return _error(request, 500, "internal server error; the request was not completed")


# ---------------------------------------------------------------------------------------------- loading


def load_qa(settings: Settings, encoder: Encoder | None = None) -> QA:
    """Load the index in ``settings.index_dir``; when there is none, build it from ``settings.seeds_dir``."""
    try:
        current_build(settings.index_dir)
    except IndexError_:
        from index.config import IndexConfig
        from index.ingest import load_folder

        log.warning("no index in %s: building one from %s", settings.index_dir, settings.seeds_dir)
        docs = load_folder(settings.seeds_dir)
        enc = encoder or get_encoder(settings.encoder)
        build_index(docs, enc, settings.index_dir, hnsw_threshold=IndexConfig().hnsw_threshold)
        encoder = enc
    return QA.load(settings.index_dir, encoder)


# ---------------------------------------------------------------------------------------------- app


def create_app(qa: QA | None = None, settings: Settings | None = None, encoder: Encoder | None = None) -> FastAPI:
    """The FastAPI app. ``qa``: serve this already loaded QA (its index must live in ``settings.index_dir`` for
    uploads to update it); otherwise the index is loaded (or first built) at startup. ``encoder``: reuse a
    loaded encoder when loading."""
    settings = settings or Settings.from_env()
    state = AppState(settings.index_dir, qa)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if not state.ready:
            t0 = time.time()
            try:
                state.set_qa(await run_in_threadpool(load_qa, settings, encoder))
                log.info("index %s loaded in %.1fs", state.qa.index.path, time.time() - t0)
            except (IndexError_, EncoderError, ReportError, OSError) as e:
                state.load_error = str(e)
                log.error("cannot load the index: %s", e)
        try:
            yield
        finally:
            state.shutdown()

    app = FastAPI(title="法治报告问答", version="0.1.0", lifespan=lifespan,
                  description="Extractive question answering with exact citations over Chinese rule-of-law reports.")
    app.state.qa_state = state
    app.state.settings = settings
    _install_error_handlers(app)
    if settings.cors_origins:
        wildcard = "*" in settings.cors_origins
        app.add_middleware(CORSMiddleware, allow_origins=["*"] if wildcard else settings.cors_origins,
                           allow_methods=["GET", "POST", "DELETE", "OPTIONS"],
                           allow_headers=["Authorization", "Content-Type"], expose_headers=["Location"],
                           allow_credentials=False, max_age=600)

    errors = {400: {"model": ErrorOut}, 422: {"model": ErrorOut}, 503: {"model": ErrorOut}}

    # ------------------------------------------------------------------ health
    @app.get("/healthz", tags=["health"])
    def healthz() -> dict:
        return {"status": "ok"}

    @app.get("/readyz", tags=["health"], responses={503: {"model": ErrorOut}})
    def readyz():
        if not state.ready:
            return JSONResponse({"status": "not ready", "detail": state.load_error or "the index is loading"},
                                status_code=503)
        idx = state.qa.index
        return {"status": "ready", "index": {"path": str(idx.path), **idx.manifest.to_dict()}}

    # ------------------------------------------------------------------ question answering
    @app.post("/ask", response_model=AskResponse, tags=["qa"], responses=errors)
    def ask(req: AskRequest) -> AskResponse:
        qa_ = state.qa
        r = qa_.ask(req.question, top_k=req.top_k, filters=req.filters.as_dict() if req.filters else None)
        return AskResponse.of(r)

    @app.get("/search", response_model=SearchResponse, tags=["qa"], responses=errors)
    def search(q: str = Query(..., description="the question or keywords"),
               top_k: int = Query(5, ge=1, le=TOP_K_MAX),
               region: str | None = Query(None, max_length=100),
               year: int | None = Query(None, ge=1900, le=2100)) -> SearchResponse:
        qa_ = state.qa
        t0 = time.perf_counter()
        filters = Filters(region=region, year=year).as_dict()
        hits = qa_.search(q, top_k=top_k, filters=filters or None)
        return SearchResponse(query=q.strip(), passages=[PassageOut.of(p) for p in hits],
                              took_ms=round((time.perf_counter() - t0) * 1000, 2))

    # ------------------------------------------------------------------ documents
    _counts: dict[int, Counter] = {}

    def passage_counts(qa_: QA) -> Counter:
        c = _counts.get(id(qa_))
        if c is None:
            c = Counter(p.doc_id for p in qa_.index.passages)
            _counts.clear()
            _counts[id(qa_)] = c
        return c

    @app.get("/documents", response_model=DocumentList, tags=["documents"])
    def list_documents() -> DocumentList:
        qa_ = state.qa
        counts = passage_counts(qa_)
        docs = [DocumentMeta.of(d, counts.get(d.doc_id, 0)) for d in qa_.index.doc_list]
        return DocumentList(count=len(docs), documents=docs)

    @app.get("/documents/{doc_id}", response_model=DocumentOut, tags=["documents"],
             responses={404: {"model": ErrorOut}, 422: {"model": ErrorOut}})
    def get_document(request: Request, doc_id: str, start: int | None = Query(None, ge=0),
                     end: int | None = Query(None, ge=0),
                     format: str | None = Query(None, pattern="^(json|html)$",
                                                description="html: open the report in the chat page")):
        qa_ = state.qa
        doc = qa_.index.documents.get(doc_id)
        if doc is None:
            raise UnknownDocument(doc_id)
        n = len(doc.clean_text)
        if (start is None) != (end is None):
            raise HTTPException(422, "give both start and end, or neither")
        if start is not None and not start <= end <= n:
            raise HTTPException(422, f"span {start}:{end} is outside the report (0 <= start <= end <= {n})")
        accept = request.headers.get("accept", "")
        if format == "html" or (format is None and "text/html" in accept):
            # a person following a citation link: show the report, highlighted, in the chat page
            params = {"doc": doc_id, **({"start": start, "end": end} if start is not None else {})}
            return RedirectResponse(str(request.url_for("chat_page")) + "?" + urlencode(params), status_code=303)
        span = Span(start=start, end=end, text=doc.clean_text[start:end]) if start is not None else None
        meta = DocumentMeta.of(doc, passage_counts(qa_).get(doc_id, 0))
        return DocumentOut(**meta.model_dump(), text=doc.clean_text, span=span)

    def require_admin(request: Request) -> None:
        token = settings.admin_token
        if not token:
            raise HTTPException(403, "adding and deleting reports is disabled on this server: no admin token is "
                                     "configured (set QA_ADMIN_TOKEN)")
        auth = request.headers.get("authorization")
        challenge = {"WWW-Authenticate": "Bearer"}
        if not auth:
            raise HTTPException(401, "missing Authorization header: send 'Authorization: Bearer <admin token>'",
                                headers=challenge)
        scheme, _, cred = auth.strip().partition(" ")
        cred = cred.strip()
        if scheme.lower() != "bearer" or not cred or " " in cred:
            raise HTTPException(401, "malformed Authorization header: expected 'Bearer <admin token>'",
                                headers=challenge)
        if not hmac.compare_digest(cred.encode("utf-8"), token.encode("utf-8")):
            raise HTTPException(403, "wrong admin token")

    async def read_body(request: Request, limit: int) -> bytes:
        too_big = HTTPException(413, f"request body is larger than the {settings.max_upload_bytes} bytes allowed "
                                     "for a report (QA_MAX_UPLOAD_BYTES)")
        cl = request.headers.get("content-length")
        if cl and cl.isdigit() and int(cl) > limit:
            raise too_big
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise too_big
            chunks.append(chunk)
        body = b"".join(chunks)
        request._body = body  # starlette reads the cached body for .form()/.json()
        return body

    def _check_size(data: bytes) -> None:
        if len(data) > settings.max_upload_bytes:
            raise HTTPException(413, f"report is {len(data)} bytes, more than the {settings.max_upload_bytes} "
                                     "allowed (QA_MAX_UPLOAD_BYTES)")

    def _meta_from_form(form) -> MetadataIn:
        raw: dict[str, Any] = {}
        if form.get("metadata"):
            try:
                raw = json.loads(str(form.get("metadata")))
            except json.JSONDecodeError as e:
                raise HTTPException(422, f"metadata: not valid JSON ({e})") from None
            if not isinstance(raw, dict):
                raise HTTPException(422, "metadata: expected a JSON object")
        for k in ("region", "year", "issuer", "published", "title"):
            v = form.get(k)
            if isinstance(v, str) and v.strip():
                raw[k] = v.strip()
        try:
            return MetadataIn.model_validate(raw)
        except ValidationError as e:
            raise RequestValidationError([{**err, "loc": ("metadata", *err["loc"])} for err in e.errors()]) from None

    @app.post("/documents", status_code=202, response_model=JobAccepted, tags=["documents"],
              dependencies=[Depends(require_admin)],
              responses={401: {"model": ErrorOut}, 403: {"model": ErrorOut}, 409: {"model": ErrorOut},
                         413: {"model": ErrorOut}, 415: {"model": ErrorOut}, 422: {"model": ErrorOut}},
              openapi_extra={"requestBody": {"content": {
                  "application/json": {"schema": DocumentIn.model_json_schema()},
                  "multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {
                      "file": {"type": "string", "format": "binary"}, "doc_id": {"type": "string"},
                      "name": {"type": "string"}, "metadata": {"type": "string", "description": "JSON object"},
                      "region": {"type": "string"}, "year": {"type": "integer"}, "title": {"type": "string"}}}}}}})
    async def add_document(request: Request):
        """Add a report: a multipart upload (field ``file``) or JSON ``{"text", "name"?, "doc_id"?, "metadata"?}``.

        The report is checked now (decoding, cleaning, metadata); indexing runs in the background — poll
        ``GET /jobs/{job_id}``. Questions are answered from the previous index until the new one is ready."""
        state.qa  # 503 before reading anything when no index is loaded
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype == "multipart/form-data":
            await read_body(request, settings.max_upload_bytes + ENVELOPE_BYTES)
            form = await request.form()
            upload = form.get("file")
            if not isinstance(upload, UploadFile):
                raise HTTPException(422, "multipart upload needs the report in a file field named 'file'")
            data = await upload.read()
            name = str(form.get("name") or upload.filename or "").strip() or None
            doc_id = str(form.get("doc_id") or "").strip() or None
            meta = _meta_from_form(form)
        elif ctype == "application/json" or ctype.endswith("+json"):
            body = await read_body(request, 2 * settings.max_upload_bytes + ENVELOPE_BYTES)
            try:
                payload = json.loads(body)
            except (json.JSONDecodeError, UnicodeDecodeError) as e:
                raise HTTPException(400, f"malformed JSON body: {e}") from None
            try:
                req = DocumentIn.model_validate(payload)
            except ValidationError as e:
                raise RequestValidationError(e.errors()) from None
            data = req.text.encode("utf-8")
            name, doc_id, meta = req.name, req.doc_id, req.metadata or MetadataIn()
        else:
            raise HTTPException(415, "send the report as multipart/form-data (field 'file') or as JSON "
                                     "{\"text\": ..., \"name\"?: ..., \"doc_id\"?: ..., \"metadata\"?: {...}}")
        _check_size(data)
        if doc_id is not None and not DOC_ID_RE.match(doc_id):
            raise HTTPException(422, "doc_id may only contain letters, digits, '_' and '-' (at most 80 characters)")
        if doc_id is None:
            doc_id = make_doc_id(name) if name else "upload_" + hashlib.sha1(data).hexdigest()[:12]
        doc = await run_in_threadpool(document_from_bytes, data, name or f"{doc_id}.txt", meta.overrides() or None,
                                      doc_id)
        job = state.submit_add(doc)
        m = doc.meta
        return JSONResponse(JobAccepted(doc_id=doc.doc_id, status="pending", job_id=job.job_id, title=m.title,
                                        region=m.region, year=m.year).model_dump(), status_code=202,
                            headers={"Location": str(request.url_for("get_job", job_id=job.job_id))})

    @app.delete("/documents/{doc_id}", status_code=202, response_model=JobAccepted, tags=["documents"],
                dependencies=[Depends(require_admin)],
                responses={401: {"model": ErrorOut}, 403: {"model": ErrorOut}, 404: {"model": ErrorOut},
                           409: {"model": ErrorOut}})
    def delete_document(request: Request, doc_id: str):
        """Remove a report; like adding, the index is rebuilt in the background (poll ``GET /jobs/{job_id}``)."""
        job = state.submit_delete(doc_id)
        return JSONResponse(JobAccepted(doc_id=doc_id, status="pending", job_id=job.job_id).model_dump(),
                            status_code=202, headers={"Location": str(request.url_for("get_job", job_id=job.job_id))})

    @app.get("/jobs/{job_id}", response_model=JobOut, tags=["documents"], name="get_job",
             responses={404: {"model": ErrorOut}})
    def get_job(job_id: str) -> JobOut:
        job = state.job(job_id)
        if job is None:
            raise HTTPException(404, f"no job {job_id!r} (jobs are kept in memory until the server restarts)")
        return JobOut(**job.to_dict())

    # ------------------------------------------------------------------ OpenAI-compatible
    @app.get("/v1/models", tags=["openai"])
    def v1_models() -> dict:
        return openai_compat.models_list(settings.model_name)

    @app.post("/v1/chat/completions", tags=["openai"], responses=errors)
    def v1_chat(request: Request, req: ChatRequest):
        question = openai_compat.question_from_messages(req)
        qa_ = state.qa
        r = qa_.ask(question, top_k=req.top_k, filters=req.filters.as_dict() if req.filters else None)
        reply = openai_compat.build_reply(r, str(request.base_url))
        model = req.model or settings.model_name
        if req.stream:
            include_usage = bool(req.stream_options and req.stream_options.include_usage)
            return StreamingResponse(openai_compat.stream_events(reply, model, r.question, include_usage),
                                     media_type="text/event-stream",
                                     headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
        return JSONResponse(openai_compat.completion(reply, model, r.question))

    # ------------------------------------------------------------------ chat page
    @app.get("/", include_in_schema=False, name="chat_page")
    def chat_page() -> FileResponse:
        return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8",
                            headers={"Cache-Control": "no-cache"})

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        return Response(status_code=204)

    return app
