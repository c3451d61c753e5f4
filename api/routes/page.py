"""The chat page (``GET /``, a self-contained HTML file) and an empty favicon."""
from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, Response

from api.security import page_csp

STATIC = Path(__file__).resolve().parents[1] / "static"

router = APIRouter(include_in_schema=False)


@router.get("/", name="chat_page")
def chat_page() -> FileResponse:
    page = STATIC / "index.html"
    return FileResponse(page, media_type="text/html; charset=utf-8",
                        headers={"Cache-Control": "no-cache", "Content-Security-Policy": page_csp(page)})


@router.get("/favicon.ico")
def favicon() -> Response:
    return Response(status_code=204)
