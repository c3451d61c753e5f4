"""The HTTP routes, one router per concern; :func:`api.app.create_app` includes them all."""
from __future__ import annotations

from fastapi import APIRouter

from api.routes import ask, documents, health, jobs, openai, page

api_router = APIRouter()
for _module in (health, ask, documents, jobs, openai, page):
    api_router.include_router(_module.router)
