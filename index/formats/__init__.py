"""Reading reports as people have them: plain text in any common Chinese encoding, saved web pages, PDF, Word
(.docx and legacy .doc). :func:`extract` turns a file's bytes and name into an :class:`Extracted` text, or
raises :class:`ReportError` naming the file and the reason.

The content decides the format, the name's suffix only hints: a PDF saved as ``.txt`` is read as a PDF; but a
file named ``.pdf``, ``.docx`` or ``.doc`` that holds plain text is refused as a wrong extension (it is more often
a broken download than a report), except a web page saved by Word as ``.doc``, which is read as a web page.
"""
from __future__ import annotations

from pathlib import PurePath

from index.formats.base import (
    MAX_REPORT_BYTES,
    MAX_REPORT_CHARS,
    Extracted,
    ExtractOptions,
    Reader,
    ReportError,
    ReportLimitError,
    refuse,
)
from index.formats.doc import read_doc
from index.formats.docx import read_docx
from index.formats.html import read_html
from index.formats.pdf import read_pdf
from index.formats.sniff import BINARY_KINDS, SUFFIX_KIND, Kind, looks_like_html, magic_kind
from index.formats.text import decode_text, read_text

__all__ = ["MAX_REPORT_BYTES", "MAX_REPORT_CHARS", "REPORT_SUFFIXES", "ExtractOptions", "Extracted", "ReportError",
           "ReportLimitError", "detect_kind", "extract"]

READERS: dict[Kind, Reader] = {"text": read_text, "html": read_html, "pdf": read_pdf, "docx": read_docx,
                               "doc": read_doc}
REPORT_SUFFIXES = tuple(SUFFIX_KIND)
_NAMES = {"text": "a plain-text file", "html": "a web page"}


def detect_kind(data: bytes, name: str) -> Kind:
    """The format to read ``data`` as: sniffed from its bytes, checked against its name's suffix."""
    if len(data) > MAX_REPORT_BYTES:
        raise refuse(name, f"too large: {len(data)} bytes, more than the {MAX_REPORT_BYTES} allowed")
    if not data.strip():
        raise refuse(name, "empty file (0 bytes)" if not data else "empty file (only white space)")
    suffix = PurePath(name).suffix.lower()
    if suffix and suffix not in SUFFIX_KIND and not suffix[1:].isdigit():
        raise refuse(name, f"unsupported type {suffix} (supported: {', '.join(REPORT_SUFFIXES)})")
    binary = magic_kind(data, name)
    if binary is not None:
        return binary
    text, _ = decode_text(data, name)
    named = SUFFIX_KIND.get(suffix)
    kind: Kind = "html" if looks_like_html(text) or named == "html" else "text"
    if named in BINARY_KINDS and not (named == "doc" and kind == "html"):
        raise refuse(name, f"named {suffix} but is {_NAMES[kind]}, not a {suffix[1:].upper()} file: wrong extension "
                           "or a broken download")
    return kind


def extract(data: bytes, name: str, options: ExtractOptions | None = None) -> Extracted:
    """The text of the report in ``data`` (a file called ``name``); ReportError naming the file and why not."""
    ex = READERS[detect_kind(data, name)](data, name, options or ExtractOptions())
    if len(ex.text) > MAX_REPORT_CHARS:
        raise ReportLimitError(f"{name}: {len(ex.text)} characters of text, more than the {MAX_REPORT_CHARS} allowed "
                               "for one report (character limit); split it into several reports")
    return ex
