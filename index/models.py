"""Typed records shared by ingestion, indexing and question answering."""
from __future__ import annotations

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
class Document:
    """One report: its id, where it came from, its cleaned text and metadata.

    Every character offset in the system refers to ``clean_text``.
    """

    doc_id: str
    source: str
    clean_text: str
    meta: ReportMeta

    def to_dict(self) -> dict[str, Any]:
        return {"doc_id": self.doc_id, "source": self.source, "clean_text": self.clean_text,
                "meta": self.meta.to_dict()}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Document:
        return cls(doc_id=d["doc_id"], source=d["source"], clean_text=d["clean_text"],
                   meta=ReportMeta(**d["meta"]))


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
