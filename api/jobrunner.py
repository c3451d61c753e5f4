"""Running one journaled ingest job: the next set of reports, the build (with progress), the record updates.

The caller holds the ingest lock of the index folder. A job is idempotent: when the server stopped after the
build was published but before the job was recorded done, running it again finds its work already in the
current build and only records it done.

Bounds: the uploaded file is read again in a child process with a time and memory limit
(:mod:`index.isolated`); the whole job has a time budget (``QA_JOB_SECONDS``), checked between encoder
batches of a few bounded texts each, so a job that exceeds it ends ``failed`` with the reason within seconds
and the queue moves on. When the server is stopping, the job is abandoned at the next such check and stays
queued (the journal runs it again after the restart). A job during whose runs the server died twice (killed,
out of memory, crashed) is not run a third time: it ends ``failed`` (the poison-job rule).
"""
from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from api.journal import JobKind, JobRecord, JobStatus, Journal
from index.config import IndexConfig
from index.encoders import Encoder
from index.isolated import ParseCancelled, ParseLimits, read_isolated
from index.models import Document
from index.store import LoadedIndex, build_index, load_index
from qa.engine import QA

log = logging.getLogger("api.jobs")

PROGRESS_EVERY_S = 0.5
JOB_BATCH = 8  # texts per encoder call in a job: the budget and a stop are checked between calls
POISON_CRASHES = 2  # runs the server died during (killed, crashed) after which a job is given up on


class Conflict(ValueError):
    """The request contradicts the current or pending set of reports (duplicate id or text, last report …)."""


class UnknownDocument(KeyError):
    pass


class JobStopped(Exception):
    """The server is stopping: the job is abandoned where it is and stays queued."""


class JobOverBudget(Exception):
    """The job ran longer than its time budget."""


@dataclass(frozen=True)
class JobLimits:
    """How long one job may run, and what reading its upload may take."""

    seconds: float = 1800.0
    parse: ParseLimits = field(default_factory=ParseLimits)


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class PausePlan:
    """Test hook (``QA_PAUSE_AT``): a job sleeps when it reaches a named stage, so a test can kill the server
    right there. ``"stage"`` pauses every job, ``"doc_id:stage"`` only that report's, ``"add:doc_id:stage"`` or
    ``"delete:doc_id:stage"`` only that kind of job; comma-separated. A job pauses on its first run only."""

    points: frozenset[tuple[str, str]]
    seconds: float = 60.0

    @classmethod
    def parse(cls, spec: str | None, seconds: float = 60.0) -> PausePlan | None:
        if not spec or not spec.strip():
            return None
        pts = set()
        for part in spec.split(","):
            doc, _, stage = part.strip().rpartition(":")
            pts.add((doc or "*", stage))
        return cls(frozenset(pts), seconds)

    def __call__(self, rec: JobRecord, stop: threading.Event | None = None) -> float:
        """Sleep if ``rec`` is at a pause point (until ``stop`` is set); the seconds slept."""
        if rec.attempts - rec.interrupted > 1:
            return 0.0  # pause a job once: after a kill, it runs through
        if {(rec.doc_id, rec.stage), (f"{rec.kind}:{rec.doc_id}", rec.stage), ("*", rec.stage)} & self.points:
            log.warning("QA_PAUSE_AT: job %s (%s) sleeps %.0fs at stage %s", rec.job_id, rec.doc_id,
                        self.seconds, rec.stage)
            t0 = time.monotonic()
            (stop or threading.Event()).wait(self.seconds)
            return time.monotonic() - t0
        return 0.0


def _no_pause(rec: JobRecord, stop: threading.Event | None = None) -> float:
    return 0.0


class ReuseVectors:
    """The encoder, remembering every passage vector it computes during one job: repeated text (the same
    paragraph twice in a report, the same sentence in many passages) is embedded once."""

    def __init__(self, encoder: Encoder) -> None:
        self._enc, self.name, self.dim = encoder, encoder.name, encoder.dim
        self._seen: dict[str, np.ndarray] = {}

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._enc.encode_queries(texts)

    def encode_passages(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        new = list(dict.fromkeys(t for t in texts if t not in self._seen))
        if new:
            self._seen.update(zip(new, self._enc.encode_passages(new, batch_size), strict=True))
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self._seen[t] for t in texts])


class JobProgress:
    """build_index's progress callback: stage and passages done/total into the job record (throttled); at
    every call it checks the job's time budget (JobOverBudget) and whether the server is stopping (JobStopped).
    Time spent in a test pause (QA_PAUSE_AT) does not count against the budget."""

    def __init__(self, rec: JobRecord, journal: Journal, pause=_no_pause, stop: threading.Event | None = None,
                 budget_s: float = float("inf")) -> None:
        self.rec, self.journal, self.pause = rec, journal, pause
        self.stop = stop or threading.Event()
        self.budget_s, self.started = budget_s, time.monotonic()
        self._last = 0.0

    def check(self) -> None:
        if self.stop.is_set():
            raise JobStopped(f"the server is stopping: job {self.rec.job_id} stays queued")
        elapsed = time.monotonic() - self.started
        if elapsed > self.budget_s:
            raise JobOverBudget(f"stopped after {elapsed:.0f} s at stage {self.rec.stage}: more than the "
                                f"{self.budget_s:g} s one ingest job may take (QA_JOB_SECONDS); the report is too "
                                "long to index in that time: split it into several reports")

    def stage(self, name: str) -> None:
        self.rec.stage = name
        self.journal.save(self.rec, sync=False)
        self._last = time.monotonic()
        self.started += self.pause(self.rec, self.stop)
        self.check()

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage == "passages":
            self.rec.passages_done, self.rec.passages_total = done, total
        name = "publishing" if stage == "bm25" and done >= total else stage
        if name != self.rec.stage:
            self.stage(name)
            return
        if time.monotonic() - self._last >= PROGRESS_EVERY_S:
            self.journal.save(self.rec, sync=False)
            self._last = time.monotonic()
        self.check()


def next_documents(rec: JobRecord, base: list[Document], doc: Document | None) -> list[Document] | None:
    """The reports after ``rec``; None when ``base`` already reflects it (it was applied before a crash)."""
    by_id = {d.doc_id: d for d in base}
    if rec.kind == JobKind.DELETE:
        if rec.doc_id not in by_id:
            return None
        docs = [d for d in base if d.doc_id != rec.doc_id]
        if not docs:
            raise Conflict("cannot delete the last report: the index must hold at least one report")
        return docs
    assert doc is not None
    others = set(rec.replaces) - {rec.doc_id}
    cur = by_id.get(rec.doc_id)
    if cur is not None and content_hash(cur.clean_text) == rec.content_hash and not others & by_id.keys():
        return None
    if cur is not None and rec.doc_id not in rec.replaces:
        raise Conflict(f"a report with doc_id {rec.doc_id!r} already exists")
    gone = set(rec.replaces) | {rec.doc_id}
    return [d for d in base if d.doc_id not in gone] + [doc]


class JobRunner:
    def __init__(self, journal: Journal, config: IndexConfig, pause: PausePlan | None = None,
                 limits: JobLimits | None = None, stop: threading.Event | None = None) -> None:
        self.journal, self.config = journal, config
        self.index_dir = Path(config.index_dir)
        self.pause = pause or _no_pause
        self.limits = limits or JobLimits()
        self.stop = stop or threading.Event()

    def _base(self, qa: QA, disk: Path | None) -> LoadedIndex:
        if disk is not None and disk != Path(qa.index.path).resolve():
            return load_index(self.index_dir, qa.encoder.name)  # another worker process changed the index
        return qa.index

    def _document(self, rec: JobRecord) -> Document:
        """The uploaded report, read again from the bytes in the journal (as the upload route read it), in a
        child process within the parse limits."""
        name = rec.name or f"{rec.doc_id}.txt"
        try:
            doc, _ = read_isolated(self.journal.upload(rec.job_id), name, rec.overrides or None, rec.doc_id,
                                   self.config.max_passage_chars, self.limits.parse, cancelled=self.stop.is_set)
        except ParseCancelled as e:
            raise JobStopped(str(e)) from None
        return doc

    def run(self, rec: JobRecord, qa: QA, disk: Path | None, swap: Callable[[QA], None]) -> bool:
        """Apply ``rec`` on top of the build current on disk (``disk``) and ``swap`` in the new QA before the
        job is recorded done (a client that sees "done" gets answers from the new index). The record ends done
        or failed (with the reason) and leaves the queue; True. False when the server is stopping: the job was
        abandoned and stays queued."""
        progress = JobProgress(rec, self.journal, self.pause, self.stop, self.limits.seconds)
        crashes = rec.attempts - rec.interrupted  # earlier runs that neither finished nor were stopped
        rec.started_at, rec.worker_pid = time.time(), os.getpid()
        rec.attempts += 1
        try:
            if crashes >= POISON_CRASHES:
                raise RuntimeError(f"not run again: the server stopped (killed or crashed) during each of its last "
                                   f"{crashes} runs; a report that brings the server down every time is given up on")
            progress.stage("started")
            base = self._base(qa, disk)
            doc = self._document(rec) if rec.kind == JobKind.ADD else None
            docs = next_documents(rec, base.doc_list, doc)
            if docs is not None:
                cfg = self.config
                build_index(docs, ReuseVectors(qa.encoder), self.index_dir, previous=base, progress=progress,
                            hnsw_threshold=cfg.hnsw_threshold, max_passage_chars=cfg.max_passage_chars,
                            sentence_vectors=base.sentence_vectors is not None, batch_size=JOB_BATCH)
                progress.stage("published")
                swap(QA(load_index(self.index_dir, qa.encoder.name), qa.encoder, qa.config))
            rec.documents = len(docs if docs is not None else base.doc_list)
            rec.status, rec.stage = JobStatus.DONE, "done"
            log.info("%s %s: done, %d reports", rec.kind, rec.doc_id, rec.documents)
        except JobStopped:
            rec.interrupted += 1
            rec.stage = "queued"
            self.journal.save(rec)
            log.warning("%s %s: abandoned (the server is stopping); it stays queued", rec.kind, rec.doc_id)
            return False
        except Exception as e:  # noqa: BLE001 - a failed job is reported, the old index keeps serving
            log.exception("%s %s failed", rec.kind, rec.doc_id)
            rec.error = str(e) if str(e).strip() and not isinstance(e, KeyError) else f"{type(e).__name__}: {e}"
            rec.status, rec.stage = JobStatus.FAILED, "failed"
        rec.finished_at = time.time()
        self.journal.save(rec)
        try:
            progress.stage(rec.stage)  # the "done"/"failed" pause point: recorded, not yet off the queue
        except (JobStopped, JobOverBudget):
            pass  # the job's outcome is recorded: it leaves the queue all the same
        self.journal.finish(rec)
        return True
