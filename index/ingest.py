"""From a report file (or uploaded bytes) to a Document: read any format, clean, detect metadata, apply sidecar."""
from __future__ import annotations

import hashlib
import re
from pathlib import Path, PurePath

from index.clean import clean_report, page_info
from index.formats import REPORT_SUFFIXES, Extracted, ExtractOptions
from index.formats.pages import map_offsets
from index.loader import ReportError, read_bytes, read_file
from index.metadata import apply_overrides, detect_metadata, load_sidecar
from index.models import Document, Original

__all__ = ["REPORT_SUFFIXES", "document_from_bytes", "document_from_text", "load_document", "load_folder",
           "make_doc_id", "report_files"]

_TITLE_FIELD, _DATE_FIELD = "名称", "发布日期"  # the page-metadata keys index.metadata reads a title/date from


def make_doc_id(name: str) -> str:
    stem = Path(name).stem if "." in name else name
    did = re.sub(r"[^\w\-]+", "_", stem, flags=re.UNICODE).strip("_")
    if not did:
        raise ReportError(f"{name}: cannot derive a document id from this name")
    return did[:80]


def document_from_text(raw: str, doc_id: str, source: str, overrides: dict | None = None,
                       extracted: Extracted | None = None) -> Document:
    """Clean ``raw`` and detect its metadata. ``extracted``: what a file reader found (page starts, a title and
    date from the file's metadata, used only where the text itself names none)."""
    cleaned = clean_report(raw)
    if len(re.findall(r"[\u4e00-\u9fff]", cleaned.text)) < 20:
        raise ReportError(f"{source}: no report text left after removing web boilerplate")
    meta = detect_metadata(cleaned.text, cleaned.fields)
    if extracted is not None and (not meta.title or not meta.published):
        fields = dict(cleaned.fields)
        if not meta.title and extracted.title:
            fields.setdefault(_TITLE_FIELD, extracted.title)
        if not meta.published and extracted.published:
            fields.setdefault(_DATE_FIELD, extracted.published)
        meta = detect_metadata(cleaned.text, fields)
    if overrides:
        try:
            meta = apply_overrides(meta, overrides)
        except ValueError as e:
            raise ReportError(f"{source}: {e}") from None
    pages = map_offsets(raw, cleaned.text, extracted.page_starts) if extracted else []
    # the page's own fields (文号, 发布日期 …) after the body: answerable and citable; no offset of the body moves
    text = cleaned.text + page_info(cleaned.fields)
    return Document(doc_id=doc_id, source=source, clean_text=text, meta=meta, page_starts=pages)


def _keep_original(doc: Document, data: bytes, name: str, ex: Extracted, hold: bool) -> Document:
    """Record the original file on ``doc`` (its bytes too when ``hold``: an upload has no file to copy from)."""
    doc.original = Original(name=PurePath(name).name, format=ex.format, media_type=ex.media_type,
                            sha256=hashlib.sha256(data).hexdigest(), size=len(data))
    doc.original_bytes = data if hold else None
    return doc


def document_from_bytes(data: bytes, name: str, overrides: dict | None = None, doc_id: str | None = None,
                        options: ExtractOptions | None = None) -> Document:
    """A report from the bytes of a file called ``name`` (any supported format; the original is kept)."""
    ex = read_bytes(data, name, options)
    doc = document_from_text(ex.text, doc_id or make_doc_id(name), name, overrides, ex)
    return _keep_original(doc, data, name, ex, hold=True)


def load_document(path: str | Path, options: ExtractOptions | None = None) -> Document:
    p = Path(path)
    try:
        overrides = load_sidecar(p)
    except ValueError as e:
        raise ReportError(str(e)) from None
    ex, data = read_file(p, options)
    doc = document_from_text(ex.text, make_doc_id(p.name), str(p), overrides, ex)
    return _keep_original(doc, data, p.name, ex, hold=False)


def report_files(folder: str | Path) -> list[Path]:
    """The report files in ``folder`` (any supported suffix; sidecars and hidden files left out). Two files that
    would get the same document id (report.pdf and report.docx) are refused by name."""
    d = Path(folder)
    if not d.is_dir():
        raise ReportError(f"{d}: not a directory")
    files = sorted(p for p in d.iterdir() if p.is_file() and p.suffix.lower() in REPORT_SUFFIXES
                   and not p.name.endswith(".meta.json") and not p.name.startswith("."))
    if not files:
        raise ReportError(f"{d}: no report files ({', '.join('*' + s for s in REPORT_SUFFIXES)}) found")
    seen: dict[str, Path] = {}
    for p in files:
        other = seen.setdefault(make_doc_id(p.name), p)
        if other != p:
            raise ReportError(f"{p}: same document id as {other.name} ({make_doc_id(p.name)}); rename one of them")
    return files


def load_folder(folder: str | Path, options: ExtractOptions | None = None) -> list[Document]:
    return [load_document(p, options) for p in report_files(folder)]
