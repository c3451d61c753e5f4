"""The file a report was read from (web page, PDF, Word document or text, as uploaded or found in the reports
folder): ``GET /documents/{doc_id}/original``. ``GET /documents/{doc_id}`` serves the cleaned text that
citations index; this serves the original bytes, with their media type and file name, for download."""
from __future__ import annotations

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse

from api.deps import QADep
from api.schemas import DocIdPath, error_responses
from index.formats.originals import stored_original

router = APIRouter(prefix="/documents", tags=["documents"])

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# what an original is served as: its own type when a browser cannot run it, else plain bytes (an uploaded web page
# may hold scripts: it is downloaded, never rendered on this origin)
SAFE_TYPES = ("application/pdf", DOCX, "application/msword", "text/plain; charset=utf-8")
FALLBACK_TYPE = "application/octet-stream"
ORIGINAL_HEADERS = {"Content-Security-Policy": "default-src 'none'; sandbox", "X-Content-Type-Options": "nosniff"}


def safe_media_type(media_type: str) -> str:
    return media_type if media_type in SAFE_TYPES else FALLBACK_TYPE


@router.get("/{doc_id}/original", response_class=FileResponse, responses={
    **error_responses(404, 422), 200: {"description": "the original file, as an attachment (a web page as "
                                                     f"{FALLBACK_TYPE})",
                                      "content": {t: {} for t in (*SAFE_TYPES, FALLBACK_TYPE)}}})
def get_original(doc_id: DocIdPath, qa: QADep) -> FileResponse:
    doc = qa.index.documents.get(doc_id)
    if doc is None:
        raise HTTPException(404, f"no report with doc_id {doc_id!r}")
    path = stored_original(qa.index.path, doc)
    if path is None or doc.original is None:
        raise HTTPException(404, f"no original file is kept for report {doc_id!r} (indexed before originals were "
                                 f"kept); its cleaned text is at GET /documents/{doc_id}")
    return FileResponse(path, media_type=safe_media_type(doc.original.media_type), filename=doc.original.name,
                        content_disposition_type="attachment", headers=ORIGINAL_HEADERS)
