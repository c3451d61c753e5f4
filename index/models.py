"""Typed records shared by ingestion, indexing and question answering."""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class ReportMeta:
    """What we know about one report; every field can be corrected by a sidecar file."""

    region: str | None = None
    year: int | None = None
    issuer: str | None = None
    published: str | None = None  # ISO date (YYYY-MM-DD) when stated
    title: str = ""
    level: str | None = None  # province | city | county | town | zone
    parents: list[str] = field(default_factory=list)  # from the province down, e.g. ["云南省", "临沧市", "凤庆县"]
    department: str | None = None  # the reporting department (临沧市人力资源和社会保障局); None: the government

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Original:
    """The file a report was read from (kept for download by its sha256, see index.formats.originals)."""

    name: str
    format: str  # text | html | pdf | docx | doc
    media_type: str
    sha256: str
    size: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Document:
    """One report: its id, where it came from, its cleaned text and metadata.

    Every character offset in the system refers to ``clean_text``. ``page_starts[i]``: where page ``i + 1`` of
    a paged original (PDF) begins in ``clean_text``. ``original_bytes`` is only held between reading a file and
    indexing it (never serialised).
    """

    doc_id: str
    source: str
    clean_text: str
    meta: ReportMeta
    page_starts: list[int] = field(default_factory=list)
    original: Original | None = None
    original_bytes: bytes | None = field(default=None, repr=False, compare=False)

    def page_at(self, offset: int) -> int | None:
        """The page (from 1) of the original file that ``clean_text[offset]`` is on; None for unpaged formats."""
        return bisect_right(self.page_starts, offset) or 1 if self.page_starts else None

    def to_dict(self) -> dict[str, Any]:
        return {"doc_id": self.doc_id, "source": self.source, "clean_text": self.clean_text,
                "meta": self.meta.to_dict(), "page_starts": self.page_starts,
                "original": self.original.to_dict() if self.original else None}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Document:
        orig = d.get("original")
        return cls(doc_id=d["doc_id"], source=d["source"], clean_text=d["clean_text"],
                   meta=ReportMeta(**d["meta"]), page_starts=list(d.get("page_starts") or []),
                   original=Original(**orig) if orig else None)


@dataclass
class Passage:
    """A retrievable piece of a report: ``doc.clean_text[start:end] == text``."""

    passage_id: str
    doc_id: str
    start: int
    end: int
    text: str
    section: list[str] = field(default_factory=list)
    header: str = ""  # context (region, year, title, section) used for embedding and BM25 only

    @property
    def section_path(self) -> str:
        return " > ".join(self.section)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Passage:
        return cls(**d)
