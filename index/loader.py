"""Reading report files: bytes -> text, whatever the format (see :mod:`index.formats`), with refusal of input
that is no report (binary, empty, undecodable, too large, unsupported type, no text layer, corrupt)."""
from __future__ import annotations

from pathlib import Path

from index.formats import MAX_REPORT_BYTES, Extracted, ExtractOptions, ReportError, extract

__all__ = ["MAX_REPORT_BYTES", "ReportError", "decode_report", "read_bytes", "read_file", "read_report"]


def read_bytes(data: bytes, name: str = "<input>", options: ExtractOptions | None = None) -> Extracted:
    """The report text in ``data`` (a file named ``name``: its suffix is a hint, its content decides)."""
    return extract(data, name, options)


def decode_report(data: bytes, name: str = "<input>", options: ExtractOptions | None = None) -> str:
    """The report text in ``data``; ReportError naming the input when it is no report."""
    return read_bytes(data, name, options).text


def _file_bytes(path: Path) -> bytes:
    if not path.is_file():
        raise ReportError(f"{path}: no such file")
    size = path.stat().st_size
    if size > MAX_REPORT_BYTES:
        raise ReportError(f"{path}: too large: {size} bytes, more than the {MAX_REPORT_BYTES} allowed")
    try:
        return path.read_bytes()
    except OSError as e:
        raise ReportError(f"{path}: cannot be read ({e.strerror})") from None


def read_file(path: str | Path, options: ExtractOptions | None = None) -> tuple[Extracted, bytes]:
    """One report file: its extracted text and its original bytes."""
    p = Path(path)
    data = _file_bytes(p)
    return read_bytes(data, str(p), options), data


def read_report(path: str | Path, options: ExtractOptions | None = None) -> str:
    """Read one report file and return its text."""
    return read_file(path, options)[0].text
