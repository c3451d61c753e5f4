"""Re-record the responses tests/api/test_openwebui_contract.py reads (tests/api/fixtures/openwebui/).

    .venv/bin/python scripts/check_openwebui_record.py [INDEX_DIR]     # default var/index (the seed reports)

A non-streamed and a streamed completion of the example question, from the app over INDEX_DIR with
QA_PUBLIC_URL=http://qa.example.org:8000 (the id and creation time of the completion are blanked).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from qa.engine import QA

OUT = Path(__file__).resolve().parents[1] / "tests" / "api" / "fixtures" / "openwebui"
QUESTION = "郴州行政复议纠错率是多少"


def main(index_dir: str = "var/index") -> None:
    settings = Settings(index_dir=index_dir, public_url="http://qa.example.org:8000")
    client = TestClient(create_app(qa=QA.load(index_dir), settings=settings))
    req = {"model": "fazhi-qa", "messages": [{"role": "user", "content": QUESTION}]}
    body = client.post("/v1/chat/completions", json=req).json()
    body["id"] = body["created"] = "recorded"
    (OUT / "completion.json").write_text(json.dumps(body, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    sse = client.post("/v1/chat/completions", json={**req, "stream": True}).text
    (OUT / "completion.sse").write_text(sse, encoding="utf-8")
    print(f"recorded {OUT}/completion.json, completion.sse")


if __name__ == "__main__":
    main(*sys.argv[1:2])
