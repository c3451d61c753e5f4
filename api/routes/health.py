"""Liveness and readiness."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.deps import StateDep
from api.errors import hide_paths
from api.schemas import error_responses

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", responses=error_responses(503))
def readyz(state: StateDep) -> Any:
    if not state.ready:
        return JSONResponse({"status": "not ready", "detail": hide_paths(state.load_error or "the index is loading")},
                            status_code=503)
    idx = state.qa.index
    return {"status": "ready", "index": {"build": idx.path.name, **idx.manifest.to_dict()}}
