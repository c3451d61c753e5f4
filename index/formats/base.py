"""What every format reader returns (:class:`Extracted`), the options they take and the one refusal they raise."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

MAX_REPORT_BYTES = 20 * 1024 * 1024


class ReportError(ValueError):
    """A report that cannot be ingested; the message names the file and the reason (binary, no text layer,
    unsupported type, too large, undecodable, empty, corrupt or truncated)."""


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
