"""Reading an uploaded report in a child process with a time and a memory limit.

Word, PDF and HTML readers (python-docx/lxml, PDFium, trafilatura) can be made to spend minutes or gigabytes on
a small hostile file. The service never runs them in its own process: :func:`read_isolated` hands the bytes to
a *reader server* — a helper process (``python -m index.isolated``) that imported every reader and warmed
their caches once (:mod:`index.isolated_warm`) — which forks one child per report. The child caps its address
space (``RLIMIT_AS``: its size when forked plus ``memory_mb``) and CPU time, reads the report and sends the
result back; the caller kills the child after ``seconds``. A child that runs out of time or memory, or
crashes, becomes a :class:`ReportLimitError` naming the limit; the calling process stays as it was. A child
costs ~20 ms for a short report (a fresh interpreter would cost ~0.7 s).

Wire format (helper stdin/stdout): 8-byte big-endian length, then a pickle. Request: ``(data, name, overrides,
doc_id, max_passage_chars, memory_mb, cpu_seconds)``. Replies: ``("pid", pid)`` when the child is forked, then
``("end", exit_status, payload)`` with ``payload`` the child's pickled ``(kind, value, n)`` or None.

    doc, n_passages = read_isolated(data, "report.docx", limits=ParseLimits(seconds=60, memory_mb=1024))
"""
from __future__ import annotations

import os
import pickle
import resource
import select
import signal
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any

from index.formats.base import ReportError, ReportLimitError
from index.models import Document

POLL_S = 0.05
MAX_HELPERS = 4  # reader servers kept per process (one per report read at the same time)
_HEADER = struct.Struct(">Q")


@dataclass(frozen=True)
class ParseLimits:
    """How long (wall-clock seconds) and how much more memory (MB) reading one report may take."""

    seconds: float = 60.0
    memory_mb: int = 1024
    setting_seconds: str = "QA_PARSE_SECONDS"  # what to name in a refusal
    setting_memory: str = "QA_PARSE_MEMORY_MB"


class ParseCancelled(RuntimeError):
    """The caller gave up waiting (the server is stopping)."""


class _HelperGone(RuntimeError):
    pass


# ---------------------------------------------------------------------------------------------- framing


def _write(f: IO[bytes], obj: Any) -> None:
    raw = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    f.write(_HEADER.pack(len(raw)) + raw)
    f.flush()


def _read_exact(fd: int, n: int) -> bytes:
    chunks, left = [], n
    while left:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _read(fd: int) -> Any:
    (n,) = _HEADER.unpack(_read_exact(fd, _HEADER.size))
    return pickle.loads(_read_exact(fd, n))


# ---------------------------------------------------------------------------------------------- the helper process


def _vm_bytes() -> int:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _child(req: tuple, out_fd: int) -> None:
    """In the forked child: limits, then read the report and write the pickled outcome to ``out_fd``."""
    data, name, overrides, doc_id, max_passage_chars, memory_mb, cpu_seconds = req
    try:
        if memory_mb > 0:
            cap = _vm_bytes() + memory_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 5))
        from index.ingest import document_from_bytes
        from index.passages import split_passages

        doc = document_from_bytes(data, name, overrides, doc_id)
        n = len(split_passages(doc, max_passage_chars))
        doc.original_bytes = None  # the caller has them
        outcome: tuple = ("ok", doc, n)
    except ReportError as e:
        outcome = ("limit" if isinstance(e, ReportLimitError) else "report", str(e), None)
    except MemoryError:
        outcome = ("memory", "", None)
    except Exception as e:  # noqa: BLE001 - any reader failure is a report that cannot be read
        outcome = ("report", f"{name}: cannot be read ({type(e).__name__}: {e})", None)
    raw = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(raw)
    while view:
        view = view[os.write(out_fd, view):]


def serve() -> None:
    """The helper's loop: one request at a time from stdin, each read by a forked child."""
    import index.isolated_warm  # noqa: F401 - every reader imported, caches warm, before the first fork

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server's Ctrl-C is for the server; stdin EOF ends us
    stdin, stdout = sys.stdin.buffer.fileno(), sys.stdout.buffer
    while True:
        try:
            req = _read(stdin)
        except EOFError:
            return
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child
            os.close(r)
            try:
                _child(req, w)
            finally:
                os._exit(0)
        os.close(w)
        _write(stdout, ("pid", pid))
        chunks = []
        while chunk := os.read(r, 1 << 20):
            chunks.append(chunk)
        os.close(r)
        _, status = os.waitpid(pid, 0)
        payload = b"".join(chunks)
        ok = os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0 and payload
        code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else -os.WTERMSIG(status)
        _write(stdout, ("end", code, payload if ok else None))


# ---------------------------------------------------------------------------------------------- the caller's side


class _Helper:
    def __init__(self) -> None:
        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p),
               "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
        self.proc = subprocess.Popen([sys.executable, "-m", "index.isolated"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, env=env, close_fds=True)
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.stdin, self.out = self.proc.stdin, self.proc.stdout.fileno()

    def alive(self) -> bool:
        return self.proc.poll() is None

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(5)

    def wait_message(self, timeout: float) -> Any | None:
        """The next message, or None when none came within ``timeout``."""
        ready, _, _ = select.select([self.out], [], [], max(timeout, 0))
        if not ready:
            return None
        try:
            return _read(self.out)
        except (EOFError, OSError, pickle.UnpicklingError, struct.error):
            raise _HelperGone from None


class _Pool:
    def __init__(self) -> None:
        self._idle: list[_Helper] = []
        self._count = 0
        self._cond = threading.Condition()

    def take(self) -> _Helper:
        with self._cond:
            while True:
                while self._idle:
                    h = self._idle.pop()
                    if h.alive():
                        return h
                    self._count -= 1
                if self._count < MAX_HELPERS:
                    self._count += 1
                    break
                self._cond.wait()
        try:
            return _Helper()
        except BaseException:
            with self._cond:
                self._count -= 1
                self._cond.notify()
            raise

    def give(self, h: _Helper, broken: bool = False) -> None:
        if broken:
            h.close()
        with self._cond:
            if broken:
                self._count -= 1
            else:
                self._idle.append(h)
            self._cond.notify()


_pool = _Pool()


def read_isolated(data: bytes, name: str, overrides: dict | None = None, doc_id: str | None = None,
                  max_passage_chars: int = 320, limits: ParseLimits | None = None,
                  cancelled: Callable[[], bool] | None = None) -> tuple[Document, int]:
    """The report in ``data`` (a file called ``name``) and how many passages it makes, read in a child
    process within ``limits``. ReportError when it is no report, ReportLimitError when reading it needs more
    time or memory than allowed (or crashes the reader); ParseCancelled when ``cancelled()`` turns true."""
    lim = limits or ParseLimits()
    helper = _pool.take()
    broken = True
    try:
        _write(helper.stdin, (data, name, overrides, doc_id, max_passage_chars, lim.memory_mb, int(lim.seconds) + 5))
        msg = helper.wait_message(30)  # the fork itself
        if msg is None or msg[0] != "pid":
            raise _HelperGone
        pid = msg[1]
        deadline = time.monotonic() + lim.seconds
        end: Any = None
        why: Exception | None = None
        while end is None:
            end = helper.wait_message(POLL_S)
            if end is not None:
                break
            if cancelled is not None and cancelled():
                why = ParseCancelled(f"{name}: reading stopped, the server is stopping")
            elif time.monotonic() > deadline:
                why = ReportLimitError(f"{name}: reading this report took more than {lim.seconds:g} s "
                                       f"({lim.setting_seconds}); it is too large or malformed")
            if why is not None:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                end = helper.wait_message(10)  # the helper reports the child's end; then it is ready again
                if end is None:
                    raise why
                broken = False
                raise why
        broken = False
    except _HelperGone:
        raise ReportLimitError(f"{name}: the report reader stopped unexpectedly; the report may be malformed") from None
    except OSError as e:  # the helper's pipe broke (it was killed)
        raise ReportLimitError(f"{name}: the report reader failed ({type(e).__name__})") from None
    finally:
        _pool.give(helper, broken)
    _, code, payload = end
    if payload is None:
        raise ReportLimitError(_died(name, code, lim))
    kind, value, n = pickle.loads(payload)
    if kind == "ok":
        value.original_bytes = data
        return value, n
    if kind == "memory":
        raise ReportLimitError(f"{name}: reading this report needs more than the {lim.memory_mb} MB of memory "
                               f"allowed ({lim.setting_memory}); it is too large or malformed")
    raise (ReportLimitError if kind == "limit" else ReportError)(value)


def _died(name: str, code: int, lim: ParseLimits) -> str:
    if code < 0 and -code in (signal.SIGKILL, signal.SIGXCPU):  # the kernel's OOM killer, the CPU time limit
        return (f"{name}: reading this report was stopped (signal {-code}): it needs more than the {lim.memory_mb} "
                f"MB ({lim.setting_memory}) or {lim.seconds:g} s ({lim.setting_seconds}) allowed")
    how = f"signal {-code}" if code < 0 else f"exit status {code}"
    return (f"{name}: the reader crashed on this report ({how}; memory limit {lim.memory_mb} MB, "
            f"{lim.setting_memory}); it is malformed or too large")


if __name__ == "__main__":
    serve()
