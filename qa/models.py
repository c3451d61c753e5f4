"""Typed results of question answering (the seam between qa/ and its callers: CLI, HTTP, eval)."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Citation:
    doc_id: str
    title: str
    region: str | None
    year: int | None
    passage_id: str
    start: int  # answer span in the document's cleaned text
    end: int
    sentence_start: int
    sentence_end: int
    section: str = ""
    page: int | None = None  # page of the original file (PDF) the answer is on; None for unpaged formats


@dataclass
class Answer:
    text: str
    score: float  # in [0, 1]
    sentence: str
    citation: Citation
    kind: str = "open"  # quantity | person | named | open


@dataclass
class RetrievedPassage:
    rank: int
    score: float
    passage_id: str
    doc_id: str
    title: str
    region: str | None
    year: int | None
    section: str
    text: str
    start: int
    end: int
    bm25_score: float = 0.0
    dense_score: float = 0.0


@dataclass
class QueryInfo:
    """What the question names and asks."""

    text: str
    regions: list[str] = field(default_factory=list)  # indexed regions the question names
    unknown_places: list[str] = field(default_factory=list)  # places named that no report covers
    years: list[int] = field(default_factory=list)
    kind: str = "open"  # quantity | person | named | open
    unit_hint: str | None = None  # 件, 人, %, 元 … when the question says it
    unit_strength: float = 0.0  # 1.0 when said outright (多少件) or a rate is asked; less when inferred
    focus: list[str] = field(default_factory=list)  # content terms, most specific last
    doc_ids: list[str] = field(default_factory=list)  # reports the question restricts to (empty: all)
    search_text: str = ""  # the question with place names set apart, for tokenising


@dataclass
class QAResult:
    question: str
    answer: str | None
    reason: str | None
    answers: list[Answer]
    passages: list[RetrievedPassage]
    took_ms: float
    query: QueryInfo | None = None
    intent: str = "question"  # question | chitchat | out_of_scope (qa/question/intent.py)
    normalized: str | None = None  # the question as read, when normalising changed it (繁体 -> 简体, full-width)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("query", None)
        return d


def cite_pages(answers: list[Answer], documents: Mapping[str, Any]) -> list[Answer]:
    """Set each citation's page from its report's page starts (``Document.page_at``); returns ``answers``."""
    for a in answers:
        doc = documents.get(a.citation.doc_id)
        a.citation.page = doc.page_at(a.citation.start) if doc is not None else None
    return answers
