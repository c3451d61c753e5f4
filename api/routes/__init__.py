"""The HTTP routes, one router per concern; :func:`api.app.create_app` includes them all."""
from __future__ import annotations

from fastapi import APIRouter

from api.routes import ask, dify, documents, facts, health, jobs, openai, originals, page

api_router = APIRouter()
for _module in (health, ask, facts, documents, originals, jobs, openai, dify, page):
    api_router.include_router(_module.router)
