"""Reading an uploaded report in a child process with a time and a memory limit.

Word, PDF and HTML readers (python-docx/lxml, PDFium, trafilatura) can be made to spend minutes or gigabytes on
a small hostile file. The service never runs them in its own process: :func:`read_isolated` forks a child
from a fork server that has the readers imported already (so a child costs milliseconds, not an interpreter
start), caps the child's address space (``RLIMIT_AS``: its size when it starts plus ``memory_mb``) and its
CPU time, waits at most ``seconds`` for the result and kills it after that. A child that runs out of time or
memory, or crashes, becomes a :class:`ReportLimitError` naming the limit; the service process stays as it was.

    doc, n_passages = read_isolated(data, "report.docx", limits=ParseLimits(seconds=60, memory_mb=1024))
"""
from __future__ import annotations

import multiprocessing
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from index.formats.base import ReportError, ReportLimitError
from index.ingest import document_from_bytes
from index.models import Document
from index.passages import split_passages

POLL_S = 0.05


@dataclass(frozen=True)
class ParseLimits:
    """How long (wall-clock seconds) and how much more memory (MB) reading one report may take."""

    seconds: float = 60.0
    memory_mb: int = 1024
    setting_seconds: str = "QA_PARSE_SECONDS"  # what to name in a refusal
    setting_memory: str = "QA_PARSE_MEMORY_MB"


class ParseCancelled(RuntimeError):
    """The caller gave up waiting (the server is stopping)."""


_context: Any = None


def _mp() -> Any:
    """The fork-server context; its server process imports every reader once, warm (index.isolated_warm)."""
    global _context
    if _context is None:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload([__name__, "index.isolated_warm"])
        _context = ctx
    return _context


def _vm_bytes() -> int:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _limit_self(memory_mb: int, seconds: float) -> None:
    if memory_mb > 0:
        cap = _vm_bytes() + memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    cpu = int(seconds) + 5
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))


def _child(conn: Connection, data: bytes, name: str, overrides: dict | None, doc_id: str | None,
           max_passage_chars: int, memory_mb: int, seconds: float) -> None:
    try:
        _limit_self(memory_mb, seconds)
        doc = document_from_bytes(data, name, overrides, doc_id)
        n = len(split_passages(doc, max_passage_chars))
        doc.original_bytes = None  # the parent has them
        conn.send(("ok", doc, n))
    except ReportError as e:
        conn.send(("limit" if isinstance(e, ReportLimitError) else "report", str(e), None))
    except MemoryError:
        conn.send(("memory", "", None))
    except Exception as e:  # noqa: BLE001 - any reader failure is a report that cannot be read
        conn.send(("report", f"{name}: cannot be read ({type(e).__name__}: {e})", None))
    finally:
        conn.close()


def read_isolated(data: bytes, name: str, overrides: dict | None = None, doc_id: str | None = None,
                  max_passage_chars: int = 320, limits: ParseLimits | None = None,
                  cancelled: Callable[[], bool] | None = None) -> tuple[Document, int]:
    """The report in ``data`` (a file called ``name``) and how many passages it makes, read in a child
    process within ``limits``. ReportError when it is no report, ReportLimitError when reading it needs more
    time or memory than allowed (or crashes the reader); ParseCancelled when ``cancelled()`` turns true."""
    lim = limits or ParseLimits()
    ctx = _mp()
    recv, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(send, data, name, overrides, doc_id, max_passage_chars,
                                            lim.memory_mb, lim.seconds), daemon=True)
    proc.start()
    send.close()
    deadline = time.monotonic() + lim.seconds
    try:
        while not recv.poll(POLL_S):
            if cancelled is not None and cancelled():
                raise ParseCancelled(f"{name}: reading stopped, the server is stopping")
            if time.monotonic() > deadline:
                raise ReportLimitError(f"{name}: reading this report took more than {lim.seconds:g} s "
                                       f"({lim.setting_seconds}); it is too large or malformed")
        try:
            kind, value, n = recv.recv()
        except EOFError:  # the child died without an answer: killed for memory, or the reader crashed
            proc.join(5)
            raise ReportLimitError(_died(name, proc.exitcode, lim)) from None
    finally:
        recv.close()
        if proc.is_alive():
            proc.kill()
        proc.join(5)
    if kind == "ok":
        value.original_bytes = data
        return value, n
    if kind == "memory":
        raise ReportLimitError(f"{name}: reading this report needs more than the {lim.memory_mb} MB of memory "
                               f"allowed ({lim.setting_memory}); it is too large or malformed")
    raise (ReportLimitError if kind == "limit" else ReportError)(value)


def _died(name: str, exitcode: int | None, lim: ParseLimits) -> str:
    if exitcode is not None and exitcode < 0:
        how = f"signal {-exitcode}"
        if -exitcode in (9, 24):  # SIGKILL (the kernel's OOM killer), SIGXCPU (the CPU time limit)
            return (f"{name}: reading this report was stopped ({how}): it needs more than the {lim.memory_mb} MB "
                    f"({lim.setting_memory}) or {lim.seconds:g} s ({lim.setting_seconds}) allowed")
    else:
        how = f"exit status {exitcode}"
    return f"{name}: the reader crashed on this report ({how}; memory limit {lim.memory_mb} MB, " \
           f"{lim.setting_memory}); it is malformed or too large"
