"""Nothing acknowledged is lost: a real ``qa serve`` killed with SIGKILL in the middle of uploads and deletes.

Each upload or delete is acknowledged (202), then the server is killed at a named stage of its job: the test
hook ``QA_PAUSE_AT=<add|delete>:<doc_id>:<stage>`` makes that job sleep there (once: a job run again after a kill goes
through), the test polls ``GET /jobs/{id}`` until the job reports that stage and sends SIGKILL. After a restart
every acknowledged job ends ``done`` and the index reflects it: the made-up reports answer their own questions,
deleted ones are gone. With ``--workers 2`` only the worker running the job is killed: the other worker (or
the one uvicorn starts in its place) finishes it, and every worker answers ``/jobs/{id}``.

The made-up reports are variants of tests/api/data/qinghe_2022.txt under invented county names and figures.
"""
from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import httpx
import pytest
from api_testlib import ADMIN_TOKEN, DATA, Serve, copy_index

AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
COUNTIES = ["岚溪县", "雁丘县", "栖梧县", "澄渚县", "柘川县", "苇塘县", "杉屿县", "荻原县"]
UPLOAD_STAGES = ["started", "passages", "sentences", "publishing", "published", "done"]
DELETE_STAGES = ["started", "passages", "publishing", "published", "done"]


def report(i: int) -> tuple[str, str, str, str]:
    """(doc_id, text, question, answer) of made-up report i: another county, another error-correction rate."""
    county = COUNTIES[i]
    rate = f"{31 + i}.{i + 2}%"
    text = (DATA / "qinghe_2022.txt").read_text(encoding="utf-8").replace("青禾县", county)
    text = text.replace("23.4%", rate)
    return f"made_{i}", text, f"{county}行政复议纠错率是多少", rate


def upload(srv: Serve, i: int) -> str:
    doc_id, text, _, _ = report(i)
    r = httpx.post(srv.base + "/documents", headers=AUTH, timeout=60,
                   files={"file": (f"{doc_id}.txt", text.encode("utf-8"), "text/plain")})
    assert r.status_code == 202, r.text
    return r.json()["job_id"]


def delete(srv: Serve, doc_id: str) -> str:
    r = httpx.delete(f"{srv.base}/documents/{doc_id}", headers=AUTH, timeout=60)
    assert r.status_code == 202, r.text
    return r.json()["job_id"]


def wait_stage(srv: Serve, job_id: str, stage: str, timeout: float = 120) -> dict:
    deadline = time.time() + timeout
    while time.time() < deadline:
        job = srv.get(f"/jobs/{job_id}").json()
        if job["stage"] == stage:
            return job
        assert job["status"] == "pending", job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} never reached stage {stage}")


def wait_done(srv: Serve, job_ids: list[str], timeout: float = 180) -> None:
    deadline = time.time() + timeout
    for job_id in job_ids:
        while True:
            r = srv.get(f"/jobs/{job_id}")
            assert r.status_code == 200, (job_id, r.text)  # never "no such job", whichever worker answers
            job = r.json()
            if job["status"] != "pending":
                assert job["status"] == "done", job
                break
            assert time.time() < deadline, f"job {job_id} still pending: {job}"
            time.sleep(0.2)


def _reflects(srv: Serve, present: set[int], absent: set[int]) -> tuple[bool, object]:
    docs = {d["doc_id"] for d in srv.get("/documents").json()["documents"]}
    if not {report(i)[0] for i in present} <= docs or {report(i)[0] for i in absent} & docs:
        return False, docs
    for i in present:
        _, _, q, a = report(i)
        body = httpx.post(srv.base + "/ask", json={"question": q}, timeout=30).json()
        if body["answer"] != a or body["answers"][0]["citation"]["doc_id"] != report(i)[0]:
            return False, body
    return True, None


def assert_index(srv: Serve, present: set[int], absent: set[int], timeout: float = 30) -> None:
    """The made-up reports in ``present`` are listed and answer their own question, those in ``absent`` are
    not listed — three times in a row, so that every worker process is asked (they reload within seconds)."""
    deadline = time.time() + timeout
    streak, last = 0, None
    while streak < 3:
        ok, last = _reflects(srv, present, absent)
        streak = streak + 1 if ok else 0
        assert ok or time.time() < deadline, (present, absent, last)
        if not ok:
            time.sleep(0.3)


def pause_spec() -> str:
    ups = [f"add:made_{i}:{stage}" for i, stage in enumerate(UPLOAD_STAGES)]
    dels = [f"delete:made_{i}:{stage}" for i, stage in enumerate(DELETE_STAGES)]
    return ",".join(ups + dels)


@pytest.fixture()
def index_dir(tmp_path, small_seed_index_dir) -> Path:
    return copy_index(small_seed_index_dir, tmp_path / "index")


@pytest.mark.slow
def test_kill_9_during_uploads_and_deletes_loses_nothing(index_dir, tmp_path):
    """One worker: SIGKILL at 6 stages of an upload (with a second upload queued behind the first) and at 5
    stages of a delete; after each restart every acknowledged job is done and the index reflects it."""
    srv = Serve(index_dir, 1, pause_spec(), tmp_path / "serve.log").start()
    present: set[int] = set()
    try:
        # the first kill also catches an acknowledged upload still waiting in the queue
        first = upload(srv, 0)
        wait_stage(srv, first, "started")
        queued = upload(srv, 6)
        assert srv.get(f"/jobs/{queued}").json()["queue_position"] == 1
        pending = [first, queued]
        for i, stage in enumerate(UPLOAD_STAGES):
            if i:
                job = upload(srv, i)
                wait_stage(srv, job, stage)
                pending = [job]
            srv.kill()
            srv.start()
            wait_done(srv, pending)
            present |= {i, 6} if i == 0 else {i}
            assert_index(srv, present, set())
        for i, stage in enumerate(DELETE_STAGES):
            job = delete(srv, report(i)[0])
            wait_stage(srv, job, stage)
            srv.kill()
            srv.start()
            wait_done(srv, [job])
            present.discard(i)
            assert_index(srv, present, {i})
        assert not list((index_dir / "builds").glob(".tmp-*"))
        deadline = time.time() + 10  # the last job was killed after "done" was recorded: it leaves the queue now
        while os.listdir(index_dir / "journal" / "queue") and time.time() < deadline:
            time.sleep(0.2)
        assert not os.listdir(index_dir / "journal" / "queue")
        assert not os.listdir(index_dir / "journal" / "data")  # no upload is kept once its job is finished
    finally:
        srv.stop()


def _worker_of(index_dir: Path, job_id: str) -> int:
    return json.loads((index_dir / "journal" / "jobs" / f"{job_id}.json").read_text())["worker_pid"]


@pytest.mark.slow
def test_kill_9_with_two_workers(index_dir, tmp_path):
    """Two workers: SIGKILL only the worker running the job, at 5 stages of an upload and 3 of a delete; the
    job is finished by the other worker (or its replacement), and both workers answer /jobs/{id} throughout.
    Then SIGKILL the whole server mid-upload and restart it."""
    srv = Serve(index_dir, 2, pause_spec(), tmp_path / "serve.log").start()
    present: set[int] = set()
    try:
        for i, stage in enumerate(UPLOAD_STAGES[:5]):
            job = upload(srv, i)
            wait_stage(srv, job, stage)
            os.kill(_worker_of(index_dir, job), signal.SIGKILL)
            wait_done(srv, [job])
            present.add(i)
            assert_index(srv, present, set())
        for i, stage in enumerate(DELETE_STAGES[:3]):
            job = delete(srv, report(i)[0])
            wait_stage(srv, job, stage)
            os.kill(_worker_of(index_dir, job), signal.SIGKILL)
            wait_done(srv, [job])
            present.discard(i)
            assert_index(srv, present, {i})
        job = upload(srv, 5)
        wait_stage(srv, job, UPLOAD_STAGES[5])
        srv.kill()
        srv.start()
        wait_done(srv, [job])
        assert_index(srv, present | {5}, {0, 1, 2})
    finally:
        srv.stop()


# ---------------------------------------------------------------------------------------------- the journal


def test_journal_settles_what_a_crash_left(tmp_path):
    """Each window between two writes of the journal: a pending record that never reached the queue was not
    acknowledged (failed, with the reason); a marker without its record goes; an upload whose job left the
    queue goes; a queued job stays queued with its bytes."""
    from api.journal import JobKind, JobRecord, JobStatus, Journal

    j = Journal(tmp_path)
    with j.lock():
        queued = JobRecord.new(JobKind.ADD, "kept", name="kept.txt")
        j.append(queued, "青禾县报告".encode())
    orphan = JobRecord.new(JobKind.DELETE, "never_acknowledged")
    j.save(orphan)  # the server died before writing its queue marker
    (j.queue / "00000000000000000001-0123456789abcdef").touch()  # a marker whose record was never written
    (j.data / "deadbeef.bin").write_bytes(b"x")  # bytes of a job that is not queued
    (j.jobs / ".half.json.1-2.tmp").write_bytes(b"{")  # a record write cut short
    assert j.recover() == 1
    assert [r.job_id for r in j.pending()] == [queued.job_id]
    assert j.upload(queued.job_id) == "青禾县报告".encode()
    failed = j.get(orphan.job_id)
    assert failed.status == JobStatus.FAILED and "before this job was accepted" in failed.error
    assert sorted(p.name for p in j.data.iterdir()) == [f"{queued.job_id}.bin"]
    assert not list(j.jobs.glob(".*.tmp")) and len(j.markers()) == 1
    assert j.queue_position(queued) == 0
    queued.status = JobStatus.DONE
    j.finish(queued)
    assert j.get(queued.job_id).status == JobStatus.DONE and not j.has_pending()
    assert not list(j.data.iterdir())
    assert j.get("../../etc/passwd") is None
