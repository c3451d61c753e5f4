"""What a file is, from its first bytes (its name's suffix is only a hint): a document format we read, or a
refusal naming what it is instead."""
from __future__ import annotations

import re
from typing import Literal

from index.formats.base import refuse

Kind = Literal["text", "html", "pdf", "docx", "doc"]

SUFFIX_KIND: dict[str, Kind] = {".txt": "text", ".text": "text", ".md": "text", ".html": "html", ".htm": "html",
                                ".xhtml": "html", ".shtml": "html", ".pdf": "pdf", ".docx": "docx", ".doc": "doc"}
BINARY_KINDS: tuple[Kind, ...] = ("pdf", "docx", "doc")

# (magic bytes at offset 0, what the file is): files we never read, refused by name
_OTHER = ((b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"), (b"GIF8", "a GIF image"),
          (b"II*\x00", "a TIFF image"), (b"MM\x00*", "a TIFF image"), (b"\x1f\x8b", "a gzip archive"),
          (b"7z\xbc\xaf", "a 7-Zip archive"), (b"Rar!", "a RAR archive"), (b"\x7fELF", "a program (ELF)"),
          (b"MZ", "a Windows program"), (b"{\\rtf", "an RTF document (save it as .docx)"),
          (b"BM", "a BMP image"), (b"OggS", "an audio file"), (b"ID3", "an MP3 file"))
_HTML_START = re.compile(r"^\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*(<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>])",
                         re.I | re.S)
_MHTML = re.compile(rb"^\s*(From:[^\n]*\n)?(MIME-Version:|Content-Type:\s*multipart/related)", re.I)


def magic_kind(data: bytes, name: str) -> Kind | None:
    """The binary document format of ``data`` (None: not one; text or a web page, perhaps); refuses the
    file types we never read."""
    head = data[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return "docx"  # the .docx reader refuses other ZIP archives by what they hold
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "doc"
    if data[8:12] == b"WEBP" and data.startswith(b"RIFF"):
        raise refuse(name, "binary file (a WebP image), not a report: unsupported type (no OCR)")
    for magic, what in _OTHER:
        if data.startswith(magic) and (magic != b"BM" or b"\x00" in head):
            raise refuse(name, f"binary file ({what}), not a report: unsupported type"
                         + (" (no OCR)" if "image" in what else ""))
    if _MHTML.match(data[:512]):
        raise refuse(name, "an MHTML web archive: unsupported type; save the page as HTML (.html) instead")
    return None


def looks_like_html(text: str) -> bool:
    return bool(_HTML_START.match(text[:2048]))
