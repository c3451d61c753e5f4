"""One table from exception to HTTP status, and the JSON error body every 4xx/5xx has.

Every error response is ``{"detail": "<one readable sentence>"}``; under ``/v1/`` it also carries OpenAI's
``{"error": {"message", "type", "param", "code"}}`` so OpenAI clients show the message. Routes raise the
domain's own exceptions (``QuestionError``, ``UnknownDocument`` …) and :data:`ERRORS` turns them into responses.
"""
from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from api.openai_compat import ChatInputError
from api.schemas import QUESTION_PATTERN
from api.state import Conflict, NotReady, UnknownDocument
from index.formats import ReportLimitError
from index.loader import ReportError
from qa.engine import QuestionError

log = logging.getLogger("api")


class Rule(NamedTuple):
    status: int
    detail: Callable[[Exception], str] = str
    headers: dict[str, str] | None = None


_ABS_PATH = re.compile(r"(?<![\w.~])/(?:[^\s'\"/:,;()<>]+/)*([^\s'\"/:,;()<>]+)")


def hide_paths(text: str) -> str:
    """``text`` without the server's absolute filesystem paths (each one is shortened to its last part)."""
    return _ABS_PATH.sub(r"\1", text)


ERRORS: dict[type[Exception], Rule] = {
    QuestionError: Rule(422, lambda e: f"invalid question: {e}"),
    ChatInputError: Rule(422),
    ReportLimitError: Rule(413, lambda e: f"cannot ingest this report: {e}"),
    ReportError: Rule(422, lambda e: f"cannot ingest this report: {e}"),
    UnknownDocument: Rule(404, lambda e: f"no report with doc_id {e.args[0]!r}"),
    Conflict: Rule(409),
    NotReady: Rule(503, lambda e: f"the index is not available: {hide_paths(str(e))}", {"Retry-After": "5"}),
}


_SURROGATE = re.compile("[\ud800-\udfff]")


def printable(value: Any) -> Any:
    """``value`` (a string, or lists and dicts of them) without lone surrogates: each one becomes its escape
    (``\\ud800``), so an error message that quotes a client's invalid text can still be encoded."""
    if isinstance(value, str):
        return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", value)
    if isinstance(value, dict):
        return {printable(k): printable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [printable(v) for v in value]
    return value


def error_response(request: Request, status: int, detail: str, headers: Mapping[str, str] | None = None,
                   **extra: Any) -> JSONResponse:
    detail = printable(detail)
    body: dict[str, Any] = {"detail": detail, **printable(extra)}
    if request.url.path == "/retrieval":  # Dify's External Knowledge API: its error shape, the status as the code
        body = {"error_code": status, "error_msg": detail, **body}
    if request.url.path.startswith("/v1/"):
        kind = "invalid_request_error" if 400 <= status < 500 else "server_error"
        body["error"] = {"message": detail, "type": kind, "param": None, "code": status}
    return JSONResponse(body, status_code=status, headers=headers)


def _where(loc: tuple[Any, ...]) -> str:
    if loc and loc[0] in ("body", "query", "path", "header"):  # where the field was, not a field's name
        loc = loc[1:]
    return ".".join(str(p) for p in loc)


def _message(e: dict[str, Any]) -> str:
    where = _where(tuple(e.get("loc", ())))
    kind = e.get("type")
    if kind == "missing":
        return f"{where}: field required" if where else "a request body is required"
    if kind == "extra_forbidden":
        return f"{where}: unknown field"
    if kind == "string_pattern_mismatch" and (e.get("ctx") or {}).get("pattern") == QUESTION_PATTERN:
        return f"{where}: empty, or no words (only spaces, punctuation or symbols)"
    msg = e.get("msg", "invalid value")
    return f"{where}: {msg}" if where else msg


def validation_detail(errors: list[dict[str, Any]]) -> tuple[int, str, list[dict[str, Any]]]:
    """(status, detail, errors): 400 for a body that is not JSON, else 422 naming every bad field."""
    simple = [{"loc": [printable(str(x)) for x in e.get("loc", ())], "msg": printable(e.get("msg", "")),
               "type": e.get("type", "")} for e in errors]
    for e in errors:
        if e.get("type") == "json_invalid":
            err = (e.get("ctx") or {}).get("error", "")
            return 400, f"malformed JSON body: {err}".rstrip(": "), simple
    return 422, "invalid request: " + "; ".join(_message(e) for e in errors), simple


async def _on_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    status, detail, errors = validation_detail(list(exc.errors()))
    return error_response(request, status, detail, errors=errors)


HTTP_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def allowed_methods(request: Request) -> list[str]:
    """Every method some route serves at this path (Starlette's 405 names only the first matching route's)."""
    routes = request.app.router.routes
    return [m for m in HTTP_METHODS
            if any(r.matches({**request.scope, "method": m})[0] == Match.FULL for r in routes)]


async def _on_http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else json.dumps(exc.detail, ensure_ascii=False)
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        allow = allowed_methods(request)
        headers["Allow"] = ", ".join(allow)
        detail = f"method {request.method} is not allowed here; use {', '.join(allow)}"
    return error_response(request, exc.status_code, detail, headers=headers or None)


async def _on_domain(request: Request, exc: Exception) -> JSONResponse:
    rule = next(ERRORS[t] for t in type(exc).__mro__ if t in ERRORS)
    return error_response(request, rule.status, rule.detail(exc), headers=rule.headers)


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(request, 500, "internal server error; the request was not completed")


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    for exc_type in ERRORS:
        app.add_exception_handler(exc_type, _on_domain)
    app.add_exception_handler(Exception, _on_unexpected)
