"""The job runner's bounds, run directly on a copy of the two-report index (no server): the time budget ends a
job ``failed`` naming QA_JOB_SECONDS; a stopping server abandons the job, which stays queued and counts as
interrupted, not crashed; a job during whose runs the server died twice is not run a third time (the poison-job
rule), while one that was only interrupted runs normally.
"""
from __future__ import annotations

import threading

import pytest
from api_testlib import DATA, copy_index

from api.jobrunner import JobLimits, JobRunner
from api.journal import JobKind, JobRecord, JobStatus, Journal
from index.config import IndexConfig
from index.store import load_index
from qa.engine import QA

TEXT = (DATA / "qinghe_2022.txt").read_text(encoding="utf-8").replace("青禾县", "荻原县")


@pytest.fixture()
def setup(tmp_path, small_seed_index_dir, api_encoder):
    index_dir = copy_index(small_seed_index_dir, tmp_path / "index")
    qa = QA(load_index(index_dir, api_encoder.name), api_encoder)
    journal = Journal(index_dir)
    return index_dir, qa, journal


def queued(journal: Journal, **kw) -> JobRecord:
    rec = JobRecord.new(JobKind.ADD, "diyuan", name="diyuan.txt", **kw)
    with journal.lock():
        journal.append(rec, TEXT.encode("utf-8"))
    return rec


def run(index_dir, qa, journal, rec, limits=None, stop=None) -> tuple[bool, JobRecord, list]:
    swapped: list = []
    runner = JobRunner(journal, IndexConfig(index_dir=index_dir), limits=limits, stop=stop)
    finished = runner.run(rec, qa, None, swapped.append)
    stored = journal.get(rec.job_id)
    assert stored is not None
    return finished, stored, swapped


def test_a_job_over_its_time_budget_fails_naming_it(setup):
    index_dir, qa, journal = setup
    rec = queued(journal)
    finished, stored, swapped = run(index_dir, qa, journal, rec, limits=JobLimits(seconds=0.001))
    assert finished and stored.status == JobStatus.FAILED and not swapped
    assert "QA_JOB_SECONDS" in stored.error and "0.001 s" in stored.error
    assert not journal.has_pending()  # the queue moves on


def test_a_stopping_server_leaves_the_job_queued_as_interrupted(setup):
    index_dir, qa, journal = setup
    rec = queued(journal)
    stop = threading.Event()
    stop.set()
    finished, stored, swapped = run(index_dir, qa, journal, rec, stop=stop)
    assert not finished and not swapped
    assert stored.status == JobStatus.PENDING and stored.stage == "queued"
    assert (stored.attempts, stored.interrupted) == (1, 1)
    assert [r.job_id for r in journal.pending()] == [rec.job_id]


def test_a_job_the_server_died_during_twice_is_not_run_again(setup):
    index_dir, qa, journal = setup
    rec = queued(journal, attempts=2)  # two runs that neither finished nor were stopped: two crashes
    finished, stored, swapped = run(index_dir, qa, journal, rec)
    assert finished and stored.status == JobStatus.FAILED and not swapped
    assert "not run again" in stored.error and "2 runs" in stored.error
    assert not journal.has_pending()


def test_interrupted_runs_are_not_crashes(setup):
    index_dir, qa, journal = setup
    rec = queued(journal, attempts=2, interrupted=1)  # one crash, one shutdown: run it
    finished, stored, swapped = run(index_dir, qa, journal, rec)
    assert finished and stored.status == JobStatus.DONE, stored.error
    assert swapped and "diyuan" in swapped[0].index.documents
