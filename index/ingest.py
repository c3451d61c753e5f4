"""From a report file (or uploaded bytes) to a Document: decode, clean, detect metadata, apply sidecar."""
from __future__ import annotations

import re
from pathlib import Path

from index.clean import clean_report
from index.loader import ReportError, decode_report, read_report
from index.metadata import apply_overrides, detect_metadata, load_sidecar
from index.models import Document

REPORT_SUFFIXES = (".txt", ".text", ".md")


def make_doc_id(name: str) -> str:
    stem = Path(name).stem if "." in name else name
    did = re.sub(r"[^\w\-]+", "_", stem, flags=re.UNICODE).strip("_")
    if not did:
        raise ReportError(f"{name}: cannot derive a document id from this name")
    return did[:80]


def document_from_text(raw: str, doc_id: str, source: str, overrides: dict | None = None) -> Document:
    cleaned = clean_report(raw)
    if len(re.findall(r"[\u4e00-\u9fff]", cleaned.text)) < 20:
        raise ReportError(f"{source}: no report text left after removing web boilerplate")
    meta = detect_metadata(cleaned.text, cleaned.fields)
    if overrides:
        try:
            meta = apply_overrides(meta, overrides)
        except ValueError as e:
            raise ReportError(f"{source}: {e}") from None
    return Document(doc_id=doc_id, source=source, clean_text=cleaned.text, meta=meta)


def document_from_bytes(data: bytes, name: str, overrides: dict | None = None,
                        doc_id: str | None = None) -> Document:
    return document_from_text(decode_report(data, name), doc_id or make_doc_id(name), name, overrides)


def load_document(path: str | Path) -> Document:
    p = Path(path)
    try:
        overrides = load_sidecar(p)
    except ValueError as e:
        raise ReportError(str(e)) from None
    return document_from_text(read_report(p), make_doc_id(p.name), str(p), overrides)


def report_files(folder: str | Path) -> list[Path]:
    d = Path(folder)
    if not d.is_dir():
        raise ReportError(f"{d}: not a directory")
    files = sorted(p for p in d.iterdir() if p.is_file() and p.suffix.lower() in REPORT_SUFFIXES
                   and not p.name.endswith(".meta.json") and not p.name.startswith("."))
    if not files:
        raise ReportError(f"{d}: no report files (*.txt) found")
    return files


def load_folder(folder: str | Path) -> list[Document]:
    return [load_document(p) for p in report_files(folder)]
