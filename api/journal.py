"""The write-ahead journal of ingest jobs: a job is on disk (fsynced) before the client hears "accepted".

Layout, under the index folder (so every worker process serving that folder sees the same jobs)::

    <index_dir>/journal/jobs/<job_id>.json       the job's record (status, stage, progress, error …),
                                                 replaced atomically on every change
    <index_dir>/journal/data/<job_id>.bin        the uploaded bytes, as received (read again by the job)
    <index_dir>/journal/queue/<seq>-<job_id>     one empty marker per unfinished job; sorted, they are the queue
    <index_dir>/journal/.lock                    held briefly while a job is queued or leaves the queue

Writing a job: data files, then the record, then the queue marker (the commit point), each fsynced and their
folders fsynced. Finishing one: the record (status done/failed, fsynced), then the marker and the data files
go. A crash between any two steps leaves a state :meth:`Journal.recover` and the job runner understand: a
record without a marker that is still pending was never acknowledged (marked failed); a marker whose record
is finished is just removed.
"""
from __future__ import annotations

import fcntl
import json
import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields
from enum import StrEnum
from pathlib import Path
from typing import Any

KEEP_FINISHED = 1000  # finished job records kept (oldest pruned first)


class JobKind(StrEnum):
    ADD = "add"
    DELETE = "delete"


class JobStatus(StrEnum):
    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"


@dataclass
class JobRecord:
    """One ingest job, as stored in ``jobs/<job_id>.json``."""

    job_id: str
    kind: JobKind
    doc_id: str
    seq: int = field(default_factory=time.time_ns)
    status: JobStatus = JobStatus.PENDING
    stage: str = "queued"
    error: str | None = None
    created_at: float = field(default_factory=time.time)
    started_at: float | None = None
    finished_at: float | None = None
    documents: int | None = None  # reports in the index after the job
    passages_done: int | None = None
    passages_total: int | None = None
    content_hash: str | None = None  # sha256 of the report's cleaned text (adds)
    replaces: list[str] = field(default_factory=list)  # reports this add replaces (?replace=true)
    attempts: int = 0  # runs started (more than 1: the server stopped during an earlier run)
    interrupted: int = 0  # runs abandoned because the server was stopping (SIGTERM); not crashes
    worker_pid: int | None = None  # the process running (or that last ran) the job
    name: str | None = None  # the uploaded file's name (adds: it picks the reader of its format)
    overrides: dict[str, Any] = field(default_factory=dict)  # metadata given with the upload

    @property
    def took_ms(self) -> float | None:
        return round((self.finished_at - self.created_at) * 1000, 1) if self.finished_at else None

    @property
    def finished(self) -> bool:
        return self.status != JobStatus.PENDING

    @property
    def marker(self) -> str:
        return f"{self.seq:020d}-{self.job_id}"

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), ensure_ascii=False).encode("utf-8")

    @classmethod
    def from_json(cls, raw: bytes) -> JobRecord:
        d = json.loads(raw)
        known = {f.name for f in fields(cls)}
        rec = cls(**{k: v for k, v in d.items() if k in known})
        rec.kind, rec.status = JobKind(rec.kind), JobStatus(rec.status)
        return rec

    @classmethod
    def new(cls, kind: JobKind, doc_id: str, **kw: Any) -> JobRecord:
        return cls(job_id=uuid.uuid4().hex, kind=kind, doc_id=doc_id, **kw)


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes, sync: bool = True) -> None:
    """Write ``data`` to ``path`` through a temporary file and ``os.replace`` (fsynced when ``sync``)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{uuid.uuid4().hex[:8]}.tmp")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        if sync:
            os.fsync(f.fileno())
    os.replace(tmp, path)
    if sync:
        fsync_dir(path.parent)


class Journal:
    def __init__(self, index_dir: Path) -> None:
        self.root = Path(index_dir) / "journal"
        self.jobs, self.data, self.queue = self.root / "jobs", self.root / "data", self.root / "queue"

    def _ensure(self) -> None:
        if self.queue.is_dir() and self.jobs.is_dir() and self.data.is_dir():
            return
        for d in (self.jobs, self.data, self.queue):
            d.mkdir(parents=True, exist_ok=True)
        fsync_dir(self.root)
        fsync_dir(self.root.parent)

    @contextmanager
    def lock(self) -> Iterator[None]:
        """The journal lock (across processes): held while a job enters or leaves the queue."""
        self._ensure()
        with open(self.root / ".lock", "a+") as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(f, fcntl.LOCK_UN)

    # ------------------------------------------------------------ writing
    def append(self, rec: JobRecord, data: bytes | None = None) -> None:
        """Make ``rec`` (and its upload) durable and queue it. Call with :meth:`lock` held."""
        self._ensure()
        if data is not None:
            write_atomic(self.data / f"{rec.job_id}.bin", data)
        self.save(rec)
        marker = self.queue / rec.marker
        with open(marker, "wb") as f:
            os.fsync(f.fileno())
        fsync_dir(self.queue)

    def save(self, rec: JobRecord, sync: bool = True) -> None:
        write_atomic(self.jobs / f"{rec.job_id}.json", rec.to_json(), sync=sync)

    def finish(self, rec: JobRecord) -> None:
        """Store the finished ``rec`` (durably), then take it off the queue and drop its upload."""
        assert rec.finished
        self.save(rec)
        with self.lock():
            (self.queue / rec.marker).unlink(missing_ok=True)
            fsync_dir(self.queue)
        (self.data / f"{rec.job_id}.bin").unlink(missing_ok=True)

    # ------------------------------------------------------------ reading
    def get(self, job_id: str) -> JobRecord | None:
        if not (0 < len(job_id) <= 64 and job_id.isascii() and job_id.isalnum()):
            return None  # never a file name the filesystem refuses (too long, a path)
        try:
            return JobRecord.from_json((self.jobs / f"{job_id}.json").read_bytes())
        except (FileNotFoundError, NotADirectoryError):
            return None

    def markers(self) -> list[str]:
        try:
            return sorted(n for n in os.listdir(self.queue) if not n.startswith("."))
        except FileNotFoundError:
            return []

    def has_pending(self) -> bool:
        return bool(self.markers())

    def pending(self) -> list[JobRecord]:
        """The queued jobs, oldest first."""
        out = []
        for m in self.markers():
            rec = self.get(m.partition("-")[2])
            if rec is not None:
                out.append(rec)
        return out

    def queue_position(self, rec: JobRecord) -> int | None:
        """0 for the job being run (or next to run), 1 for the one after it …; None when not queued."""
        marks = self.markers()
        return marks.index(rec.marker) if rec.marker in marks else None

    def upload(self, job_id: str) -> bytes:
        return (self.data / f"{job_id}.bin").read_bytes()

    # ------------------------------------------------------------ after a crash
    def recover(self) -> int:
        """Settle what a crash left: pending records that never reached the queue fail (they were never
        acknowledged), markers without a record go. Returns how many jobs are queued."""
        self._ensure()
        with self.lock():
            queued = {m.partition("-")[2]: m for m in self.markers()}
            for m_job, marker in list(queued.items()):
                if not (self.jobs / f"{m_job}.json").exists():
                    (self.queue / marker).unlink(missing_ok=True)
                    queued.pop(m_job)
            for path in self.jobs.glob("*.json"):
                rec = self._read(path)
                if rec is not None and not rec.finished and rec.job_id not in queued:
                    rec.status, rec.stage, rec.finished_at = JobStatus.FAILED, "failed", time.time()
                    rec.error = "the server stopped before this job was accepted"
                    self.save(rec)
            self._drop_leftovers(set(queued))
            self.prune()
            return len(queued)

    def _drop_leftovers(self, queued: set[str]) -> None:
        """Half-written temporary files, and uploads of jobs no longer queued."""
        for d in (self.jobs, self.data):
            for p in d.glob(".*.tmp"):
                p.unlink(missing_ok=True)
        for p in self.data.iterdir():
            if p.name.split(".")[0] not in queued:
                p.unlink(missing_ok=True)

    def _read(self, path: Path) -> JobRecord | None:
        try:
            return JobRecord.from_json(path.read_bytes())
        except (OSError, ValueError, TypeError):
            return None

    def prune(self) -> None:
        """Drop the oldest finished job records beyond KEEP_FINISHED."""
        paths = list(self.jobs.glob("*.json"))
        if len(paths) <= KEEP_FINISHED:
            return
        finished = []
        for p in paths:
            try:
                finished.append((p.stat().st_mtime, p))
            except FileNotFoundError:
                continue
        queued = {m.partition("-")[2] for m in self.markers()}
        for _, p in sorted(finished)[:-KEEP_FINISHED]:
            if p.stem not in queued:
                p.unlink(missing_ok=True)
