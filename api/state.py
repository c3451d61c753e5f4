"""The service's mutable state: the QA being served, and the background jobs that replace it.

Requests read ``state.qa`` once and use that object to the end, so a swap never affects a request in flight.
Adding or deleting a report runs on a single worker thread (jobs are serialised): it rebuilds the index from
the documents of the QA currently served plus/minus one report, reusing every vector already computed, and
only when the new build is on disk and loaded does it replace ``state.qa``. A failed job leaves the old QA
serving and the old build current on disk.

With several worker processes (``qa serve --workers N``) each holds its own QA: a process notices that the
``current`` build on disk changed (at most every DISK_CHECK_SECONDS, on a request) and loads it in the
background. Ingest jobs take a file lock on the index folder and start from the build that is current on disk,
so uploads sent to different worker processes are serialised and none is lost.
"""
from __future__ import annotations

import fcntl
import logging
import threading
import time
import traceback
import uuid
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from index.config import IndexConfig
from index.models import Document
from index.store import build_index, load_index
from qa.engine import QA

log = logging.getLogger("api.state")

MAX_JOBS_KEPT = 500
DISK_CHECK_SECONDS = 2.0  # how often a request may look whether another process made a new build current


@contextmanager
def _ingest_lock(index_dir: Path):
    """One ingest at a time per index folder, across worker processes (an advisory file lock)."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / ".ingest.lock", "a+") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


class NotReady(RuntimeError):
    """No index is loaded (still loading, or loading failed)."""


class Conflict(ValueError):
    """The request contradicts the current or pending set of reports (duplicate id, last report …)."""


class UnknownDocument(KeyError):
    pass


class JobKind(StrEnum):
    ADD = "add"
    DELETE = "delete"


class JobStatus(StrEnum):
    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"


@dataclass
class Job:
    job_id: str
    kind: JobKind
    doc_id: str
    status: JobStatus = JobStatus.PENDING
    error: str | None = None
    created_at: float = field(default_factory=time.time)
    finished_at: float | None = None
    documents: int | None = None  # reports in the index after the job

    @property
    def took_ms(self) -> float | None:
        return round((self.finished_at - self.created_at) * 1000, 1) if self.finished_at else None


class AppState:
    def __init__(self, index_config: IndexConfig, qa: QA | None = None) -> None:
        self.index_config = index_config
        self.index_dir = Path(index_config.index_dir)
        self._qa = qa
        self.load_error: str | None = None
        self._swap_lock = threading.Lock()
        self._jobs_lock = threading.Lock()
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._pending_add: set[str] = set()
        self._pending_delete: set[str] = set()
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="qa-ingest")
        self._last_disk_check = time.monotonic()
        self._reload_queued = False
        self._bad_build: Path | None = None  # a build that failed to load: not retried

    # ------------------------------------------------------------ serving
    @property
    def qa(self) -> QA:
        qa = self._qa
        if qa is None:
            raise NotReady(self.load_error or "the index is not loaded yet")
        self._check_disk(qa)
        return qa

    def _disk_build(self) -> Path | None:
        try:
            link = self.index_dir / "current"
            return link.resolve() if link.is_symlink() and link.exists() else None
        except OSError:
            return None

    def _check_disk(self, qa: QA) -> None:
        """Queue a reload when another process made a different build current."""
        now = time.monotonic()
        if now - self._last_disk_check < DISK_CHECK_SECONDS or self._reload_queued:
            return
        self._last_disk_check = now
        build = self._disk_build()
        if build is None or build == Path(qa.index.path).resolve() or build == self._bad_build:
            return
        with self._jobs_lock:
            if self._reload_queued or self._pending_add or self._pending_delete:
                return  # our own job is about to swap in its build
            self._reload_queued = True
        try:
            self._worker.submit(self._reload_from_disk)
        except RuntimeError:  # shutting down
            self._reload_queued = False

    def _reload_from_disk(self) -> None:
        build = None
        try:
            old = self._qa
            build = self._disk_build()
            if old is None or build is None or build == Path(old.index.path).resolve():
                return
            new = QA(load_index(self.index_dir, old.encoder.name), old.encoder, old.config)
            self.set_qa(new)
            log.info("loaded build %s made current by another process (%d reports)", new.index.path,
                     len(new.index.documents))
        except Exception as e:  # noqa: BLE001 - keep serving the old index
            self._bad_build = build
            log.error("cannot load the new build %s: %s", build, e)
        finally:
            self._reload_queued = False

    @property
    def ready(self) -> bool:
        return self._qa is not None

    def set_qa(self, qa: QA) -> None:
        with self._swap_lock:
            self._qa = qa
            self.load_error = None

    def shutdown(self) -> None:
        self._worker.shutdown(wait=True, cancel_futures=True)

    # ------------------------------------------------------------ jobs
    def job(self, job_id: str) -> Job | None:
        with self._jobs_lock:
            return self._jobs.get(job_id)

    def _new_job(self, kind: JobKind, doc_id: str) -> Job:
        job = Job(job_id=uuid.uuid4().hex, kind=kind, doc_id=doc_id)
        self._jobs[job.job_id] = job
        while len(self._jobs) > MAX_JOBS_KEPT:
            old_id, old = next(iter(self._jobs.items()))
            if old.status == JobStatus.PENDING:
                break
            self._jobs.pop(old_id)
        return job

    def submit_add(self, doc: Document) -> Job:
        qa = self.qa
        with self._jobs_lock:
            if doc.doc_id in qa.index.documents and doc.doc_id not in self._pending_delete:
                raise Conflict(f"a report with doc_id {doc.doc_id!r} already exists; delete it first or choose "
                               "another doc_id")
            if doc.doc_id in self._pending_add:
                raise Conflict(f"a report with doc_id {doc.doc_id!r} is already being added")
            self._pending_add.add(doc.doc_id)
            job = self._new_job(JobKind.ADD, doc.doc_id)
        self._worker.submit(self._run, job, doc)
        return job

    def submit_delete(self, doc_id: str) -> Job:
        qa = self.qa
        with self._jobs_lock:
            if doc_id in self._pending_delete:
                raise Conflict(f"report {doc_id!r} is already being deleted")
            if doc_id not in qa.index.documents:
                if doc_id in self._pending_add:
                    raise Conflict(f"report {doc_id!r} is still being added; wait for its job to finish")
                raise UnknownDocument(doc_id)
            remaining = len(set(qa.index.documents) - self._pending_delete - {doc_id}) + len(self._pending_add)
            if remaining < 1:
                raise Conflict("cannot delete the last report: the index must hold at least one report")
            self._pending_delete.add(doc_id)
            job = self._new_job(JobKind.DELETE, doc_id)
        self._worker.submit(self._run, job, None)
        return job

    def _run(self, job: Job, doc: Document | None) -> None:
        try:
            new_qa = self._rebuild(job, doc)
            self.set_qa(new_qa)
            job.documents = len(new_qa.index.documents)
            job.finished_at = time.time()
            job.status = JobStatus.DONE
            log.info("%s %s: done, %d reports", job.kind, job.doc_id, job.documents)
        except Exception as e:  # noqa: BLE001 - a failed job is reported, the old index keeps serving
            log.error("%s %s failed: %s\n%s", job.kind, job.doc_id, e, traceback.format_exc())
            job.error = f"{e.__class__.__name__}: {e}" if not str(e).strip() else str(e)
            job.finished_at = time.time()
            job.status = JobStatus.FAILED
        finally:
            with self._jobs_lock:
                (self._pending_add if job.kind == JobKind.ADD else self._pending_delete).discard(job.doc_id)

    def _rebuild(self, job: Job, doc: Document | None) -> QA:
        with _ingest_lock(self.index_dir):
            return self._rebuild_locked(job, doc)

    def _rebuild_locked(self, job: Job, doc: Document | None) -> QA:
        old = self.qa
        base = old.index
        disk = self._disk_build()
        if disk is not None and disk != Path(base.path).resolve():
            base = load_index(self.index_dir, old.encoder.name)  # another worker process changed the index
        docs = list(base.doc_list)
        if job.kind == JobKind.ADD:
            assert doc is not None
            if any(d.doc_id == doc.doc_id for d in docs):
                raise Conflict(f"a report with doc_id {doc.doc_id!r} already exists")
            docs.append(doc)
        else:
            if not any(d.doc_id == job.doc_id for d in docs):
                raise UnknownDocument(job.doc_id)
            docs = [d for d in docs if d.doc_id != job.doc_id]
            if not docs:
                raise Conflict("cannot delete the last report")
        cfg = self.index_config
        build_index(docs, old.encoder, self.index_dir, previous=base, hnsw_threshold=cfg.hnsw_threshold,
                    max_passage_chars=cfg.max_passage_chars, sentence_vectors=base.sentence_vectors is not None)
        return QA(load_index(self.index_dir, old.encoder.name), old.encoder, old.config)
