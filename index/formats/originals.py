"""The original files reports were read from, kept for download next to the index's builds.

``<index_dir>/originals/<sha256>`` holds each original once, whatever build refers to it (a build's documents
name theirs by sha256 in ``Document.original``), so an incremental build copies only the new report's file.
:func:`keep_originals` runs before a build is published: a published build never names a missing original.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from index.models import Document, Original

ORIGINALS = "originals"


def originals_dir(index_dir: Path) -> Path:
    return Path(index_dir) / ORIGINALS


def original_path(index_dir: Path, original: Original) -> Path:
    return originals_dir(index_dir) / original.sha256


def _bytes_of(doc: Document) -> bytes | None:
    """The original's bytes: held by the document (an upload) or read again from its source file when that
    file still has the same content."""
    if doc.original_bytes is not None:
        return doc.original_bytes
    src = Path(doc.source)
    try:
        data = src.read_bytes() if src.is_file() else None
    except OSError:
        return None
    if data is None or doc.original is None or hashlib.sha256(data).hexdigest() != doc.original.sha256:
        return None
    return data


def keep_originals(docs: list[Document], index_dir: Path) -> None:
    """Store the original file of each of ``docs`` under ``index_dir/originals`` (written atomically, once)."""
    folder = originals_dir(index_dir)
    for doc in docs:
        if doc.original is None or original_path(index_dir, doc.original).is_file():
            continue
        data = _bytes_of(doc)
        if data is None:
            doc.original = None  # nothing to serve: the report says so instead of a broken download
            continue
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, original_path(index_dir, doc.original))


def index_dir_of(build: Path) -> Path:
    """The index folder a build folder belongs to (``<index_dir>/builds/<id>``; a bare build folder is its own)."""
    build = Path(build)
    return build.parent.parent if build.parent.name == "builds" else build


def stored_original(build: Path, doc: Document) -> Path | None:
    """The stored original file of ``doc`` in the index that ``build`` belongs to; None when none is kept."""
    if doc.original is None:
        return None
    path = original_path(index_dir_of(build), doc.original)
    return path if path.is_file() else None
