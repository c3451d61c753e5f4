"""Two worker processes agree: once ``GET /jobs/{id}`` says ``done``, every worker serves the new report (0 × 404
over 200 reads, each on a new connection, so both workers answer), and the same text uploaded again under a new
name is refused with 409 by whichever worker receives it.

A real ``qa serve --workers 2`` process; the made-up reports are variants of tests/api/data/qinghe_2022.txt.
"""
from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest
from api_testlib import ADMIN_TOKEN, DATA, Serve, copy_index

AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
BASE = (DATA / "qinghe_2022.txt").read_text(encoding="utf-8")
COUNTIES = [("苇塘县", "35.6%")]  # one upload: without the wait, 9 of its 200 reads were 404


def wait_done(srv: Serve, job_id: str, timeout: float = 180) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        job = httpx.get(f"{srv.base}/jobs/{job_id}", timeout=30).json()
        if job["status"] != "pending":
            return job
        assert time.monotonic() < deadline, job
        time.sleep(0.05)


def upload(srv: Serve, name: str, text: str) -> httpx.Response:
    return httpx.post(srv.base + "/documents", headers=AUTH, timeout=60,
                      files={"file": (name, text.encode("utf-8"), "text/plain")})


@pytest.mark.slow
def test_after_done_both_workers_serve_the_report_and_refuse_its_duplicate(tmp_path, small_seed_index_dir):
    index_dir: Path = copy_index(small_seed_index_dir, tmp_path / "index")
    srv = Serve(index_dir, 2, "", tmp_path / "serve.log").start()
    try:
        deadline = time.monotonic() + 60  # both workers loaded the index (each records the build it serves)
        while len(list((index_dir / "workers").glob("*-*"))) < 2:
            assert time.monotonic() < deadline, "the second worker never loaded the index"
            time.sleep(0.2)
        for county, rate in COUNTIES:
            text = BASE.replace("青禾县", county).replace("23.4%", rate)
            r = upload(srv, f"{county}.txt", text)
            assert r.status_code == 202, r.text
            doc_id = r.json()["doc_id"]
            assert wait_done(srv, r.json()["job_id"])["status"] == "done"

            statuses = []
            for _ in range(200):  # a new connection each time: the kernel hands them to both workers
                statuses.append(httpx.get(f"{srv.base}/documents/{doc_id}", timeout=30).status_code)
            assert statuses.count(404) == 0 and set(statuses) == {200}, statuses

            for i in range(10):
                dup = upload(srv, f"{county}_copy{i}.txt", text)
                assert dup.status_code == 409, dup.text
                assert doc_id in dup.json()["detail"], dup.text
    finally:
        srv.stop()
