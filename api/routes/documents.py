"""The reports: list, read (with a cited span), add and delete (admin; re-indexed in the background).

``POST /documents`` takes a multipart upload (field ``file``) or JSON ``{"text", "name"?, "doc_id"?,
"metadata"?}``. The body is read with a size limit before anything is parsed; the report is decoded, cleaned and
its metadata detected at once (4xx on failure) in a child process with a time and memory limit
(:mod:`index.isolated`: 413 naming the limit), and the index is rebuilt by a job (``GET /jobs/{job_id}``).
"""
from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Literal, NamedTuple
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData, UploadFile
from starlette.types import Message

from api.deps import AdminDep, QADep, ReadyDep, SettingsDep, StateDep
from api.hosts import local_url
from api.limits import unicode_problem
from api.schemas import (
    DOC_ID_PATTERN,
    DocIdPath,
    DocumentIn,
    DocumentList,
    DocumentMeta,
    DocumentOut,
    JobAccepted,
    MetadataIn,
    Span,
    error_responses,
)
from api.settings import Settings
from api.state import JobStatus, JobView, UnknownDocument
from index.ingest import make_doc_id
from index.isolated import ParseLimits, read_isolated
from index.models import Document

router = APIRouter(prefix="/documents", tags=["documents"])

DOC_ID_RE = re.compile(DOC_ID_PATTERN, re.UNICODE)
ENVELOPE_BYTES = 64 * 1024  # multipart boundaries, form fields, JSON syntax around the report text
FORM_META_FIELDS = ("region", "year", "issuer", "published", "title")


def inline_defs(schema: dict[str, Any]) -> dict[str, Any]:
    """A model's JSON schema with its ``$defs`` written in place (a ``#/$defs/..`` ref means nothing inside
    an OpenAPI document)."""
    defs = schema.pop("$defs", {})

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            if ref.startswith("#/$defs/"):
                return walk(dict(defs[ref.removeprefix("#/$defs/")]))
            return {k: walk(v) for k, v in node.items()}
        return [walk(v) for v in node] if isinstance(node, list) else node

    return walk(schema)


UPLOAD_SCHEMA = {"requestBody": {"required": True, "content": {
    "application/json": {"schema": inline_defs(DocumentIn.model_json_schema())},
    "multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {
        "file": {"type": "string", "format": "binary"}, "doc_id": {"type": "string"},
        "name": {"type": "string"}, "metadata": {"type": "string", "description": "JSON object"},
        "region": {"type": "string"}, "year": {"type": "integer"}, "title": {"type": "string"}}}}}}}


def document_meta(doc: Document, passages: int) -> dict[str, Any]:
    """The fields of DocumentMeta: the report's metadata, its id and source, its size."""
    return {**doc.meta.to_dict(), "doc_id": doc.doc_id, "source": doc.source, "chars": len(doc.clean_text),
            "passages": passages}


# ---------------------------------------------------------------------------------------------- read


@router.get("", responses=error_responses(503))
def list_documents(qa: QADep) -> DocumentList:
    counts = qa.index.passage_counts
    docs = [DocumentMeta.model_validate(document_meta(d, counts.get(d.doc_id, 0))) for d in qa.index.doc_list]
    return DocumentList(count=len(docs), documents=docs)


@router.get("/{doc_id}", response_model=DocumentOut,
            responses={**error_responses(404, 422, 503),
                       303: {"description": "format=html (or a browser): the chat page showing the report"}})
def get_document(request: Request, doc_id: DocIdPath, qa: QADep, settings: SettingsDep,
                 start: Annotated[int | None, Query(ge=0, description="span start (default 0 when end is given)")]
                 = None,
                 end: Annotated[int | None, Query(ge=0, description="span end (default: the end of the text when "
                                                                    "start is given)")] = None,
                 format: Annotated[Literal["json", "html"] | None,
                                   Query(description="html: open the report in the chat page")] = None) -> Any:
    doc = qa.index.documents.get(doc_id)
    if doc is None:
        raise UnknownDocument(doc_id)
    n = len(doc.clean_text)
    if start is not None or end is not None:
        start, end = start or 0, n if end is None else end
        if not start <= end <= n:
            raise HTTPException(404, f"no span {start}:{end} in this report: its text has {n} characters "
                                     f"(0 <= start <= end <= {n})")
    if format == "html" or (format is None and "text/html" in request.headers.get("accept", "")):
        # a person following a citation link: show the report, highlighted, in the chat page
        params = {"doc": doc_id, **({"start": start, "end": end} if start is not None else {})}
        return RedirectResponse(local_url(settings, "/?" + urlencode(params)), status_code=303)
    span = Span(start=start, end=end, text=doc.clean_text[start:end]) if start is not None and end is not None \
        else None
    fields = document_meta(doc, qa.index.passage_counts.get(doc_id, 0))
    return DocumentOut.model_validate({**fields, "text": doc.clean_text, "span": span})


# ---------------------------------------------------------------------------------------------- upload


class Upload(NamedTuple):
    data: bytes
    name: str | None
    doc_id: str | None
    meta: MetadataIn


def _too_big(limit: int, size: int | None = None) -> HTTPException:
    if size is not None:
        return HTTPException(413, f"report is {size} bytes, more than the {limit} allowed (QA_MAX_UPLOAD_BYTES)")
    return HTTPException(413, f"request body is larger than the {limit} bytes allowed for a report "
                              "(QA_MAX_UPLOAD_BYTES)")


async def read_limited(request: Request, limit: int, allowed: int) -> bytes:
    """The request body, refused with 413 as soon as it passes ``limit`` bytes (``allowed``: the upload limit
    named in the message)."""
    cl = request.headers.get("content-length")
    if cl and cl.isdigit() and int(cl) > limit:
        raise _too_big(allowed)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_big(allowed)
        chunks.append(chunk)
    return b"".join(chunks)


def _replay(body: bytes) -> Callable[[], Awaitable[Message]]:
    """An ASGI ``receive`` that delivers ``body`` once (to parse a form from bytes already read)."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


def _meta_from_form(form: FormData) -> MetadataIn:
    raw: dict[str, Any] = {}
    if form.get("metadata"):
        try:
            raw = json.loads(str(form.get("metadata")))
        except json.JSONDecodeError as e:
            raise HTTPException(422, f"metadata: not valid JSON ({e})") from None
        if not isinstance(raw, dict):
            raise HTTPException(422, "metadata: expected a JSON object")
    for k in FORM_META_FIELDS:
        v = form.get(k)
        if isinstance(v, str) and v.strip():
            raw[k] = v.strip()
    try:
        return MetadataIn.model_validate(raw)
    except ValidationError as e:
        raise RequestValidationError([{**err, "loc": ("metadata", *err["loc"])} for err in e.errors()]) from None


async def _from_multipart(request: Request, max_bytes: int) -> Upload:
    body = await read_limited(request, max_bytes + ENVELOPE_BYTES, max_bytes)
    form = await Request(request.scope, _replay(body)).form()
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise HTTPException(422, "multipart upload needs the report in a file field named 'file'")
    name = str(form.get("name") or upload.filename or "").strip() or None
    doc_id = str(form.get("doc_id") or "").strip() or None
    return Upload(await upload.read(), name, doc_id, _meta_from_form(form))


async def _from_json(request: Request, max_bytes: int) -> Upload:
    body = await read_limited(request, 2 * max_bytes + ENVELOPE_BYTES, max_bytes)
    problem = unicode_problem(body)
    if problem:
        raise HTTPException(422, "invalid request: " + problem)
    try:
        payload = json.loads(body)
    except (ValueError, RecursionError) as e:
        raise HTTPException(400, f"malformed JSON body: {e}") from None
    try:
        req = DocumentIn.model_validate(payload)
    except ValidationError as e:
        raise RequestValidationError(e.errors()) from None
    return Upload(req.text.encode("utf-8"), req.name, req.doc_id, req.metadata or MetadataIn())


async def read_upload(request: Request, max_bytes: int) -> Upload:
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype == "multipart/form-data":
        up = await _from_multipart(request, max_bytes)
    elif ctype == "application/json" or ctype.endswith("+json"):
        up = await _from_json(request, max_bytes)
    else:
        raise HTTPException(415, "send the report as multipart/form-data (field 'file') or as JSON "
                                 "{\"text\": ..., \"name\"?: ..., \"doc_id\"?: ..., \"metadata\"?: {...}}")
    if len(up.data) > max_bytes:
        raise _too_big(max_bytes, len(up.data))
    if up.doc_id is not None and not DOC_ID_RE.match(up.doc_id):
        raise HTTPException(422, "doc_id may only contain letters, digits, '_' and '-' (at most 80 characters)")
    return up


def _accepted(settings: Settings, view: JobView, doc: Document | None = None) -> JSONResponse:
    rec = view.record
    meta = {"title": doc.meta.title, "region": doc.meta.region, "year": doc.meta.year} if doc else {}
    body = JobAccepted.model_validate({"doc_id": rec.doc_id, "status": JobStatus.PENDING, "job_id": rec.job_id,
                                       "queue_position": view.queue_position, "replaces": rec.replaces, **meta})
    return JSONResponse(body.model_dump(mode="json"), status_code=202,
                        headers={"Location": local_url(settings, f"/jobs/{rec.job_id}")})


def upload_name(up: Upload) -> tuple[str, str]:
    """(doc_id, file name) of an upload."""
    doc_id = up.doc_id or (make_doc_id(up.name) if up.name else "upload_" + hashlib.sha1(up.data).hexdigest()[:12])
    return doc_id, up.name or f"{doc_id}.txt"


def parse_report(up: Upload, max_passages: int, max_passage_chars: int, limits: ParseLimits) -> Document:
    """The uploaded report as a Document (4xx when it cannot be read), read in a child process within
    ``limits`` (413), and within the passage limit (413)."""
    doc_id, name = upload_name(up)
    doc, n = read_isolated(up.data, name, up.meta.overrides() or None, doc_id, max_passage_chars, limits)
    if n > max_passages:
        raise HTTPException(413, f"the report makes {n} passages, more than the {max_passages} allowed for one "
                                 "upload (QA_MAX_UPLOAD_PASSAGES); split it into several reports")
    return doc


@router.post("", status_code=202, response_model=JobAccepted, dependencies=[AdminDep, ReadyDep],
             responses=error_responses(400, 401, 403, 409, 413, 415, 422, 429, 503), openapi_extra=UPLOAD_SCHEMA)
async def add_document(request: Request, state: StateDep, settings: SettingsDep,
                       replace: Annotated[bool, Query(description="replace the report with the same doc_id or "
                                                                  "the same text instead of a 409")] = False
                       ) -> Response:
    """Add a report: a multipart upload (field ``file``) or JSON ``{"text", "name"?, "doc_id"?, "metadata"?}``.

    The report is checked now (decoding, cleaning, metadata, size in passages) and written to the job journal
    on disk before the 202; indexing runs in the background — poll ``GET /jobs/{job_id}``. Questions are
    answered from the previous index until the new one is ready. The same text as an indexed report (under any
    name) is a 409 naming it, unless ``?replace=true``."""
    up = await read_upload(request, settings.server.max_upload_bytes)
    doc = await run_in_threadpool(parse_report, up, settings.server.max_upload_passages,
                                  state.index_config.max_passage_chars, state.limits.parse)
    view = await run_in_threadpool(state.submit_add, doc, up.data, upload_name(up)[1], up.meta.overrides(),
                                   replace)
    return _accepted(settings, view, doc)


@router.delete("/{doc_id}", status_code=202, response_model=JobAccepted, dependencies=[AdminDep],
               responses=error_responses(401, 403, 404, 409, 422, 429, 503))
def delete_document(doc_id: DocIdPath, state: StateDep, settings: SettingsDep) -> Response:
    """Remove a report; like adding, the job is journaled on disk before the 202 and the index is rebuilt in
    the background (poll ``GET /jobs/{job_id}``)."""
    return _accepted(settings, state.submit_delete(doc_id))
