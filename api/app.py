"""The HTTP service: REST API, OpenAI-compatible chat endpoint and the chat page.

``uvicorn api.app:create_app --factory`` (what ``qa serve`` runs). Tests build the app with an already loaded
QA: ``create_app(qa=qa, settings=Settings(index_dir=...))``. The routes are in ``api/routes/``, their
dependencies in ``api/deps.py``, the exception -> status table in ``api/errors.py``.
"""
from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool
from fastapi.middleware.cors import CORSMiddleware
from fastapi_offline import FastAPIOffline

from api import errors, limits, mcp_server, security
from api.jobrunner import JobLimits, PausePlan
from api.loading import load_qa
from api.routes import api_router, dify
from api.settings import Settings, load_settings
from api.state import AppState
from index.encoders import Encoder, EncoderError
from index.isolated import ParseLimits
from index.loader import ReportError
from index.store import IndexError_
from qa.engine import QA

log = logging.getLogger("api")


async def _load(state: AppState, settings: Settings, encoder: Encoder | None) -> None:
    t0 = time.time()
    try:
        state.set_qa(await run_in_threadpool(load_qa, settings, encoder))
        log.info("index %s loaded in %.1fs", state.qa.index.path, time.time() - t0)
    except (IndexError_, EncoderError, ReportError, OSError) as e:
        state.load_error = str(e)
        log.error("cannot load the index: %s", e)


def parse_limits(settings: Settings) -> ParseLimits:
    return ParseLimits(settings.server.parse_seconds, settings.server.parse_memory_mb)


def create_app(qa: QA | None = None, settings: Settings | None = None, encoder: Encoder | None = None) -> FastAPI:
    """The FastAPI app. ``qa``: serve this already loaded QA (its index must live in ``settings.index.index_dir``
    for uploads to update it); otherwise the index is loaded (or first built) at startup. ``encoder``: reuse a
    loaded encoder when loading."""
    settings = settings or load_settings()
    server = settings.server
    state = AppState(settings.index_config(), qa, PausePlan.parse(server.pause_at, server.pause_seconds),
                     JobLimits(server.job_seconds, parse_limits(settings)))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if not state.ready:
            await _load(state, settings, encoder)
        state.start()
        try:
            async with mcp_running():  # the MCP SDK's session manager behind /mcp
                yield
        finally:
            state.shutdown()

    # /docs and /redoc from the Swagger UI / ReDoc files of the fastapi-offline package: no CDN, work offline
    app = FastAPIOffline(title="法治报告问答", version="0.1.0", lifespan=lifespan,
                         description="Extractive question answering with exact citations over Chinese rule-of-law "
                                     "reports.")
    app.state.qa_state = state
    app.state.settings = settings
    # wrong admin tokens counted on disk, by every worker serving the index folder
    app.state.auth_limiter = limits.SharedFailedAuthLimiter(state.index_dir / ".auth-failures.json")
    errors.install(app)
    app.add_exception_handler(dify.DifyError, dify.on_dify_error)
    app.add_middleware(limits.BodyLimit, max_bytes=server.max_body_bytes)
    origins = settings.server.cors_origins
    if origins:
        app.add_middleware(CORSMiddleware, allow_origins=["*"] if "*" in origins else origins,
                           allow_methods=["GET", "POST", "DELETE", "OPTIONS"],
                           allow_headers=["Authorization", "Content-Type"], expose_headers=["Location"],
                           allow_credentials=False, max_age=600)
    app.add_middleware(security.SecurityHeaders)  # outermost: also on the 413s of BodyLimit and CORS answers
    app.include_router(api_router)
    mcp_running = mcp_server.mount(app, settings, lambda: state.qa)  # POST /mcp: MCP over streamable HTTP
    return app
