"""Reading report files: bytes -> text, with encoding detection and refusal of non-text input."""
from __future__ import annotations

import re
from pathlib import Path

MAX_REPORT_BYTES = 20 * 1024 * 1024


class ReportError(ValueError):
    """A report that cannot be ingested (binary, empty, undecodable, too large)."""


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def decode_report(data: bytes, name: str = "<input>") -> str:
    """Decode report bytes: UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030 (a superset of GBK).

    Raises ReportError naming the input when it is empty, binary or not decodable.
    """
    if len(data) > MAX_REPORT_BYTES:
        raise ReportError(f"{name}: file is {len(data)} bytes, more than the {MAX_REPORT_BYTES} allowed")
    if not data.strip():
        raise ReportError(f"{name}: file is empty")
    text: str | None = None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16")
    elif b"\x00" in data:
        raise ReportError(f"{name}: looks like a binary file (contains NUL bytes), not a text report")
    else:
        for enc in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(enc)
                break
            except UnicodeDecodeError:
                continue
    if text is None:
        raise ReportError(f"{name}: not valid UTF-8, GBK or GB18030 text")
    controls = len(_CONTROL.findall(text))
    if controls > max(8, len(text) // 100):
        raise ReportError(f"{name}: looks like a binary file ({controls} control characters), not a text report")
    if not re.search(r"[\u4e00-\u9fff]", text):
        raise ReportError(f"{name}: contains no Chinese text; expected a report in Chinese")
    return text


def read_report(path: str | Path) -> str:
    """Read one report file and return its decoded text."""
    p = Path(path)
    if not p.is_file():
        raise ReportError(f"{p}: no such file")
    return decode_report(p.read_bytes(), str(p))
