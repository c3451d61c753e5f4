"""Dependencies of the routes, as ``Annotated`` types (the FastAPI full-stack template's style)::

    @router.post("/ask")
    def ask(req: AskRequest, qa: QADep) -> AskResponse: ...

``QADep`` reads the QA being served once per request (503 while no index is loaded), so a swap to a new index
never changes the QA a request is using. ``AdminDep`` checks the bearer admin token.
"""
from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request

from api.settings import Settings
from api.state import AppState
from qa.engine import QA


def get_state(request: Request) -> AppState:
    state: AppState = request.app.state.qa_state
    return state


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


StateDep = Annotated[AppState, Depends(get_state)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


def get_qa(state: StateDep) -> QA:
    return state.qa  # NotReady -> 503


QADep = Annotated[QA, Depends(get_qa)]
ReadyDep = Depends(get_qa)  # for routes that only need an index to be loaded (503 before reading the body)

_CHALLENGE = {"WWW-Authenticate": "Bearer"}


def require_admin(request: Request, settings: SettingsDep,
                  authorization: Annotated[str | None, Header()] = None) -> None:
    """403 when uploads are disabled or the token is wrong, 401 when it is missing or malformed, 429 after too
    many wrong tokens from one address (api.limits.FailedAuthLimiter)."""
    token = settings.server.admin_token
    if not token:
        raise HTTPException(403, "adding and deleting reports is disabled on this server: no admin token is "
                                 "configured (set QA_ADMIN_TOKEN)")
    if not authorization:
        raise HTTPException(401, "missing Authorization header: send 'Authorization: Bearer <admin token>'",
                            headers=_CHALLENGE)
    scheme, _, cred = authorization.strip().partition(" ")
    cred = cred.strip()
    if scheme.lower() != "bearer" or not cred or " " in cred:
        raise HTTPException(401, "malformed Authorization header: expected 'Bearer <admin token>'",
                            headers=_CHALLENGE)
    limiter = request.app.state.auth_limiter
    client = request.client.host if request.client else "?"
    wait = limiter.retry_after(client)
    if wait is not None:
        raise HTTPException(429, f"too many wrong admin tokens from this address; try again in {wait} s",
                            headers={"Retry-After": str(wait)})
    if not hmac.compare_digest(cred.encode("utf-8", "surrogatepass"), token.encode("utf-8")):
        limiter.failed(client)
        raise HTTPException(403, "wrong admin token")


AdminDep = Depends(require_admin)
