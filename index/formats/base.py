"""What every format reader returns (:class:`Extracted`), the options they take and the one refusal they raise."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

MAX_REPORT_BYTES = 20 * 1024 * 1024
# Decompression limits: a small file must not unpack into a big one (a "zip bomb"). Checked from the ZIP's
# directory (and again while reading) before any part is parsed, and on the PDF's page count before its pages.
MAX_UNZIPPED_BYTES = 48 * 1024 * 1024  # all parts of a .docx together, unpacked
MAX_ZIP_RATIO = 100  # unpacked / packed size of any part larger than ZIP_RATIO_FROM (Word's XML: 5-40)
ZIP_RATIO_FROM = 1024 * 1024
MAX_ZIP_ENTRIES = 10_000
MAX_PDF_PAGES = 2000
MAX_REPORT_CHARS = 3_000_000  # characters of text read from one file (a long report has ~100,000)


class ReportError(ValueError):
    """A report that cannot be ingested; the message names the file and the reason (binary, no text layer,
    unsupported type, too large, undecodable, empty, corrupt or truncated)."""


class ReportLimitError(ReportError):
    """A report refused for a limit it exceeds (decompressed size, compression ratio, pages, characters, the
    time or memory reading it takes); the message names the limit. The API answers 413."""


@dataclass(frozen=True)
class ExtractOptions:
    """How to read a report. ``to_simplified``: convert traditional Chinese (e.g. a Big5 file) to simplified."""

    to_simplified: bool = False


@dataclass
class Extracted:
    """A report's text as read from its file: one paragraph per line (headings on lines of their own).

    ``page_starts[i]`` is the offset in ``text`` where page ``i + 1`` begins (paged formats only, else empty).
    ``title`` and ``published`` (ISO date) come from the file's own metadata when it has them.
    """

    text: str
    format: str  # text | html | pdf | docx | doc
    media_type: str
    title: str | None = None
    published: str | None = None
    page_starts: list[int] = field(default_factory=list)
    encoding: str | None = None  # the character encoding a text or web page was read in


class Reader(Protocol):
    """One format: bytes and the file's name in, an :class:`Extracted` out (or :class:`ReportError`)."""

    def __call__(self, data: bytes, name: str, options: ExtractOptions) -> Extracted: ...


def refuse(name: str, reason: str) -> ReportError:
    return ReportError(f"{name}: {reason}")
