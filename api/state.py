"""The service's mutable state: the QA being served, and the journaled jobs that replace it.

Requests read ``state.qa`` once and use that object to the end, so a swap never affects a request in flight.

Adding or deleting a report is a job written to the journal (:mod:`api.journal`, on disk under the index
folder, fsynced) before the client is told "202 accepted". Every worker process serving the folder runs a
job runner thread: it takes the ingest lock of the folder (a file lock, so one job runs at a time across
processes), runs the queued jobs oldest first (:mod:`api.jobrunner`) on top of the build current on disk, and
swaps in the new QA. A job ends ``done`` or ``failed`` with a reason; ``GET /jobs/{id}`` reads its record from
disk, so every worker answers it. After a crash, the jobs still queued run when any worker starts again, and
half-written ``builds/.tmp-*`` folders of dead processes are removed.

With several worker processes (``qa serve --workers N``) each holds its own QA: a process notices that the
``current`` build on disk changed (at most every DISK_CHECK_SECONDS) and loads it in the background. Each
process records the build it serves in ``<index_dir>/workers/<host>-<pid>``; the process that ran a job waits
(at most SETTLE_SECONDS) until every other live process on this host serves the new build before it records the
job ``done`` — so once a client sees ``done``, every worker serves the new report, and a duplicate of it sent
to any worker is refused (409).
"""
from __future__ import annotations

import fcntl
import logging
import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from api.jobrunner import Conflict, JobLimits, JobRunner, PausePlan, UnknownDocument, content_hash
from api.journal import JobKind, JobRecord, JobStatus, Journal
from index.config import IndexConfig
from index.models import Document
from index.store import index_changed, load_index
from qa.engine import QA

__all__ = ["AppState", "Conflict", "JobKind", "JobStatus", "JobView", "NotReady", "UnknownDocument"]

log = logging.getLogger("api.state")

DISK_CHECK_SECONDS = 2.0  # how often a process looks whether another process made a new build current
RUNNER_POLL_SECONDS = 1.0  # how often the job runner looks for jobs queued by other processes
SETTLE_SECONDS = 60.0  # how long a job waits for the other workers to serve its build before it is done anyway
STOP_WAIT_SECONDS = 6.0  # on shutdown, how long to wait for the running job to be abandoned at its next check
_TMP_BUILD = re.compile(r"^\.(?:tmp|current)-.*-(\d+)$")


@contextmanager
def _ingest_lock(index_dir: Path, wait: bool = True) -> Iterator[bool]:
    """One ingest at a time per index folder, across worker processes (an advisory file lock). Yields
    whether the lock is held (always True when ``wait``)."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / ".ingest.lock", "a+") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_dead_builds(index_dir: Path) -> list[str]:
    """Half-written ``builds/.tmp-<id>-<pid>`` folders and ``.current-<id>-<pid>`` links of processes that
    no longer run (a crash mid-build); what was removed."""
    removed = []
    for folder in (index_dir / "builds", index_dir):
        for p in folder.glob(".*-*") if folder.is_dir() else []:
            m = _TMP_BUILD.match(p.name)
            if not m or int(m.group(1)) == os.getpid() or _alive(int(m.group(1))):
                continue
            if p.is_dir() and not p.is_symlink():
                shutil.rmtree(p, ignore_errors=True)
            else:
                p.unlink(missing_ok=True)
            removed.append(p.name)
    return removed


class NotReady(RuntimeError):
    """No index is loaded (still loading, or loading failed)."""


@dataclass
class JobView:
    """A job as ``GET /jobs/{id}`` shows it: its record and its place in the queue."""

    record: JobRecord
    queue_position: int | None


class AppState:
    def __init__(self, index_config: IndexConfig, qa: QA | None = None, pause: PausePlan | None = None,
                 limits: JobLimits | None = None) -> None:
        self.index_config = index_config
        self.index_dir = Path(index_config.index_dir)
        self.journal = Journal(self.index_dir)
        self._stop = threading.Event()
        self.limits = limits or JobLimits()
        self.runner = JobRunner(self.journal, index_config, pause, self.limits, self._stop)
        self._qa = qa
        self.load_error: str | None = None
        self._swap_lock = threading.Lock()
        self._hashes: tuple[int, dict[str, str]] = (0, {})  # (id of the QA, content hash -> doc_id)
        self._loader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="qa-reload")
        self._wake = threading.Event()
        self._current: JobRecord | None = None  # the job being run by this process
        self._thread: threading.Thread | None = None
        self._running_job = False
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
        if now - self._last_disk_check < DISK_CHECK_SECONDS or self._reload_queued or self._running_job:
            return
        self._last_disk_check = now
        build = self._disk_build()
        if build is None or build == Path(qa.index.path).resolve() or build == self._bad_build:
            if not index_changed(qa.index):  # the Milvus store: another replica added or deleted a report
                return
        self._reload_queued = True
        try:
            self._loader.submit(self._reload_from_disk)
        except RuntimeError:  # shutting down
            self._reload_queued = False

    def _reload_from_disk(self) -> None:
        build = None
        try:
            with self._swap_lock:
                old = self._qa
                build = self._disk_build()
                if old is None or build is None or (build == Path(old.index.path).resolve()
                                                    and not index_changed(old.index)):
                    return
                self._qa = QA(load_index(self.index_dir, old.encoder.name), old.encoder, old.config)
            self._register(self._qa)
            log.info("loaded build %s made current by another process", build.name)
        except Exception as e:  # noqa: BLE001 - keep serving the old index
            self._bad_build = build
            log.error("cannot load the new build %s: %s", build.name if build else None, e)
        finally:
            self._reload_queued = False

    @property
    def ready(self) -> bool:
        return self._qa is not None

    def set_qa(self, qa: QA) -> None:
        with self._swap_lock:
            self._qa = qa
            self.load_error = None
        self._register(qa)

    # ------------------------------------------------------------ what every worker serves
    @property
    def _workers_dir(self) -> Path:
        return self.index_dir / "workers"

    def _worker_file(self, pid: int | None = None) -> Path:
        return self._workers_dir / f"{socket.gethostname()}-{pid or os.getpid()}"

    def _register(self, qa: QA | None) -> None:
        """Record (atomically) which build this process serves."""
        if qa is None:
            return
        try:
            self._workers_dir.mkdir(parents=True, exist_ok=True)
            path = self._worker_file()
            tmp = path.with_name(f".{path.name}.tmp")
            tmp.write_text(f"{Path(qa.index.path).resolve().name}\n{self.index_dir.resolve()}\n")
            os.replace(tmp, path)
        except OSError as e:
            log.warning("cannot record the build this worker serves: %s", e)

    def _unregister(self) -> None:
        self._worker_file().unlink(missing_ok=True)

    def lagging_workers(self, build: str) -> list[int]:
        """Live worker processes on this host (other than this one) that do not serve ``build`` yet; files of
        dead processes are removed."""
        host = socket.gethostname() + "-"
        here = str(self.index_dir.resolve())
        out = []
        try:
            paths = list(self._workers_dir.iterdir())
        except FileNotFoundError:
            return []
        for p in paths:
            if not p.name.startswith(host) or not p.name[len(host):].isdigit():
                continue
            pid = int(p.name[len(host):])
            if pid == os.getpid():
                continue
            if not _alive(pid):
                p.unlink(missing_ok=True)
                continue
            try:
                served, _, folder = p.read_text().partition("\n")
            except FileNotFoundError:
                continue
            if folder.strip() != here:  # a copy of another index folder brought this file along
                p.unlink(missing_ok=True)
            elif served.strip() != build:
                out.append(pid)
        return out

    def _swap_and_settle(self, qa: QA) -> None:
        """Serve ``qa`` (a job's new build), then wait until every other worker serves it too."""
        self.set_qa(qa)
        build = Path(qa.index.path).resolve().name
        deadline = time.monotonic() + SETTLE_SECONDS
        while not self._stop.is_set():
            lagging = self.lagging_workers(build)
            if not lagging:
                return
            if time.monotonic() > deadline:
                log.warning("workers %s still do not serve build %s after %.0fs", lagging, build, SETTLE_SECONDS)
                return
            self._stop.wait(0.05)

    # ------------------------------------------------------------ lifecycle
    def start(self) -> None:
        """After a (re)start: settle what a crash left, then run queued jobs in the background."""
        removed = remove_dead_builds(self.index_dir)
        if removed:
            log.warning("removed half-written builds left by a crash: %s", ", ".join(removed))
        self._register(self._qa)
        queued = self.journal.recover()
        if queued:
            log.warning("%d ingest job(s) queued before the restart will run now", queued)
        self._thread = threading.Thread(target=self._run_loop, name="qa-ingest", daemon=True)
        self._thread.start()

    def shutdown(self) -> None:
        """Stop the job runner: a running job is abandoned at its next check (between encoder batches, a second
        or two) and stays queued, so the journal runs it again after the restart. When it does not stop within
        STOP_WAIT_SECONDS, its record is marked interrupted here and the process exits without it."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=STOP_WAIT_SECONDS)
            rec = self._current
            if self._thread.is_alive() and rec is not None:
                log.warning("job %s did not stop within %.0fs: leaving it queued", rec.job_id, STOP_WAIT_SECONDS)
                stored = self.journal.get(rec.job_id)
                if stored is not None and not stored.finished:
                    stored.interrupted += 1
                    stored.stage = "queued"
                    self.journal.save(stored)
        self._loader.shutdown(wait=False, cancel_futures=True)
        self._unregister()

    def _run_loop(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(RUNNER_POLL_SECONDS)
            self._wake.clear()
            qa = self._qa
            if qa is None or self._stop.is_set():
                continue
            self._check_disk(qa)
            try:
                if self.journal.has_pending():
                    self._drain()
            except Exception:  # noqa: BLE001 - never let the runner thread die
                log.exception("the job runner failed; retrying")
                time.sleep(RUNNER_POLL_SECONDS)

    def _drain(self) -> None:
        """Run every queued job, oldest first, unless another process is already doing so."""
        with _ingest_lock(self.index_dir, wait=False) as held:
            if not held:
                return
            while not self._stop.is_set():
                queued = self.journal.pending()
                if not queued:
                    self.journal.prune()
                    return
                rec = queued[0]
                if rec.finished:  # recorded, but the server stopped before it left the queue
                    self.journal.finish(rec)
                    continue
                self._running_job, self._current = True, rec
                try:
                    if not self.runner.run(rec, self.qa, self._disk_build(), self._swap_and_settle):
                        return  # abandoned: the server is stopping
                finally:
                    self._running_job, self._current = False, None

    # ------------------------------------------------------------ jobs
    def job(self, job_id: str) -> JobView | None:
        rec = self.journal.get(job_id)
        if rec is None:
            return None
        return JobView(rec, None if rec.finished else self.journal.queue_position(rec))

    def _doc_by_hash(self, qa: QA) -> dict[str, str]:
        key, table = self._hashes
        if key != id(qa):
            table = {content_hash(d.clean_text): d.doc_id for d in qa.index.doc_list}
            self._hashes = (id(qa), table)
        return table

    def _check_add(self, qa: QA, doc: Document, digest: str, pending: list[JobRecord], replace: bool) -> list[str]:
        """409 unless ``doc`` may be added now; the reports it replaces (``replace``: same doc_id or same text)."""
        deleting = {r.doc_id for r in pending if r.kind == JobKind.DELETE}
        adding = {r.doc_id: r for r in pending if r.kind == JobKind.ADD}
        if doc.doc_id in adding:
            raise Conflict(f"a report with doc_id {doc.doc_id!r} is already being added")
        same = next((r.doc_id for r in adding.values() if r.content_hash == digest), None)
        if same is not None:
            raise Conflict(f"the same text is already being added as report {same!r}")
        replaces = []
        existing = self._doc_by_hash(qa).get(digest)
        if existing is not None and existing not in deleting:
            if not replace:
                raise Conflict(f"the same text is already indexed as report {existing!r}; send ?replace=true to "
                               "replace it")
            replaces.append(existing)
        if doc.doc_id in qa.index.documents and doc.doc_id not in deleting:
            if not replace:
                raise Conflict(f"a report with doc_id {doc.doc_id!r} already exists; delete it first, choose "
                               "another doc_id or send ?replace=true")
            replaces.append(doc.doc_id)
        return sorted(set(replaces))

    def submit_add(self, doc: Document, data: bytes, name: str, overrides: dict | None = None,
                   replace: bool = False) -> JobView:
        """Journal the upload of ``doc`` (``data``: the file called ``name``, read with ``overrides``)."""
        qa = self.qa
        digest = content_hash(doc.clean_text)
        with self.journal.lock():
            replaces = self._check_add(qa, doc, digest, self.journal.pending(), replace)
            rec = JobRecord.new(JobKind.ADD, doc.doc_id, content_hash=digest, replaces=replaces, name=name,
                                overrides=overrides or {})
            self.journal.append(rec, data)
        self._wake.set()
        return JobView(rec, self.journal.queue_position(rec))

    def submit_delete(self, doc_id: str) -> JobView:
        qa = self.qa
        with self.journal.lock():
            pending = self.journal.pending()
            if any(r.doc_id == doc_id and r.kind == JobKind.DELETE for r in pending):
                raise Conflict(f"report {doc_id!r} is already being deleted")
            adding = [r.doc_id for r in pending if r.kind == JobKind.ADD]
            if doc_id not in qa.index.documents:
                if doc_id in adding:
                    raise Conflict(f"report {doc_id!r} is still being added; wait for its job to finish")
                raise UnknownDocument(doc_id)
            deleting = {r.doc_id for r in pending if r.kind == JobKind.DELETE} | {doc_id}
            if len(set(qa.index.documents) - deleting) + len(adding) < 1:
                raise Conflict("cannot delete the last report: the index must hold at least one report")
            rec = JobRecord.new(JobKind.DELETE, doc_id)
            self.journal.append(rec)
        self._wake.set()
        return JobView(rec, self.journal.queue_position(rec))
