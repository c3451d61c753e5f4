"""The HTTP routes, one router per concern; :func:`api.app.create_app` includes them all."""
from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request

from api.routes import ask, dify, documents, facts, health, jobs, openai, originals, page


def single_query_values(request: Request) -> None:
    """422 for a query parameter given more than once (``?region=a&region=b``): every parameter of this API
    takes one value, and silently keeping the last one would answer another question than the one asked."""
    seen: set[str] = set()
    for key, _ in request.query_params.multi_items():
        if key in seen:
            raise HTTPException(422, f"invalid request: query parameter {key!r} given more than once")
        seen.add(key)


api_router = APIRouter(dependencies=[Depends(single_query_values)])
for _module in (health, ask, facts, documents, originals, jobs, openai, dify, page):
    api_router.include_router(_module.router)
