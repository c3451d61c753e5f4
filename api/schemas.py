"""Request and response bodies of the HTTP API (pydantic v2), and the mapping from qa.models dataclasses."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from index.models import Document
from qa.models import Answer, Citation, QAResult, RetrievedPassage

TOP_K_MAX = 50


class Filters(BaseModel):
    model_config = ConfigDict(extra="forbid")

    region: str | None = Field(None, max_length=100, description="only reports of this place (郴州市, 郴州 …)")
    year: int | None = Field(None, ge=1900, le=2100, description="only reports about this year")

    def as_dict(self) -> dict:
        return {k: v for k, v in self.model_dump().items() if v not in (None, "")}


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: str = Field(..., description="a question in Chinese, e.g. 郴州行政复议纠错率是多少")
    top_k: int = Field(5, ge=1, le=TOP_K_MAX, description="passages to return")
    filters: Filters | None = None


class CitationOut(BaseModel):
    doc_id: str
    title: str
    region: str | None
    year: int | None
    passage_id: str
    section: str = ""
    start: int = Field(description="answer span in GET /documents/{doc_id} text: text[start:end]")
    end: int
    sentence_start: int
    sentence_end: int

    @classmethod
    def of(cls, c: Citation) -> "CitationOut":
        return cls(doc_id=c.doc_id, title=c.title, region=c.region, year=c.year, passage_id=c.passage_id,
                   section=c.section, start=c.start, end=c.end, sentence_start=c.sentence_start,
                   sentence_end=c.sentence_end)


class AnswerOut(BaseModel):
    text: str
    score: float
    sentence: str
    kind: str = "open"
    citation: CitationOut

    @classmethod
    def of(cls, a: Answer) -> "AnswerOut":
        return cls(text=a.text, score=a.score, sentence=a.sentence, kind=a.kind, citation=CitationOut.of(a.citation))


class PassageOut(BaseModel):
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

    @classmethod
    def of(cls, p: RetrievedPassage) -> "PassageOut":
        return cls(rank=p.rank, score=p.score, passage_id=p.passage_id, doc_id=p.doc_id, title=p.title,
                   region=p.region, year=p.year, section=p.section, text=p.text, start=p.start, end=p.end)


class AskResponse(BaseModel):
    question: str
    answer: str | None
    reason: str | None
    answers: list[AnswerOut]
    passages: list[PassageOut]
    took_ms: float

    @classmethod
    def of(cls, r: QAResult) -> "AskResponse":
        answers = [AnswerOut.of(a) for a in r.answers]
        return cls(question=r.question, answer=answers[0].text if answers else None, reason=r.reason,
                   answers=answers, passages=[PassageOut.of(p) for p in r.passages], took_ms=r.took_ms)


class SearchResponse(BaseModel):
    query: str
    passages: list[PassageOut]
    took_ms: float


class DocumentMeta(BaseModel):
    doc_id: str
    title: str
    region: str | None
    year: int | None
    issuer: str | None
    published: str | None
    source: str
    chars: int
    passages: int

    @classmethod
    def of(cls, d: Document, passages: int) -> "DocumentMeta":
        m = d.meta
        return cls(doc_id=d.doc_id, title=m.title, region=m.region, year=m.year, issuer=m.issuer,
                   published=m.published, source=d.source, chars=len(d.clean_text), passages=passages)


class DocumentList(BaseModel):
    count: int
    documents: list[DocumentMeta]


class Span(BaseModel):
    start: int
    end: int
    text: str


class DocumentOut(DocumentMeta):
    text: str = Field(description="the cleaned report text; every citation offset refers to it")
    span: Span | None = Field(None, description="text[start:end] when ?start=&end= were given")


class MetadataIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    region: str | None = Field(None, max_length=100)
    year: int | None = Field(None, ge=1900, le=2100)
    issuer: str | None = Field(None, max_length=200)
    published: str | None = Field(None, pattern=r"^\d{4}-\d{2}-\d{2}$")
    title: str | None = Field(None, max_length=300)

    def overrides(self) -> dict:
        return {k: v for k, v in self.model_dump().items() if v is not None}


class DocumentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(..., min_length=1, description="the report's text")
    name: str | None = Field(None, max_length=200, description="file name; the doc_id is derived from it")
    doc_id: str | None = Field(None, max_length=80)
    metadata: MetadataIn | None = None


class JobAccepted(BaseModel):
    doc_id: str
    status: Literal["pending", "done", "failed"]
    job_id: str
    title: str | None = None
    region: str | None = None
    year: int | None = None


class JobOut(BaseModel):
    job_id: str
    kind: str
    doc_id: str
    status: Literal["pending", "done", "failed"]
    error: str | None
    created_at: float
    finished_at: float | None
    took_ms: float | None
    documents: int | None


class ErrorOut(BaseModel):
    detail: str


# ------------------------------------------------------------------ OpenAI-compatible


class ContentPart(BaseModel):
    model_config = ConfigDict(extra="allow")

    type: str
    text: str | None = None


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")

    role: str
    content: str | list[ContentPart] | None = None


class StreamOptions(BaseModel):
    model_config = ConfigDict(extra="allow")

    include_usage: bool = False


class ChatRequest(BaseModel):
    """OpenAI chat.completions request; generation parameters (temperature …) are accepted and ignored."""

    model_config = ConfigDict(extra="allow")

    model: str | None = None
    messages: list[ChatMessage] = Field(..., min_length=1)
    stream: bool = False
    stream_options: StreamOptions | None = None
    top_k: int = Field(5, ge=1, le=TOP_K_MAX, description="extension: passages retrieved")
    filters: Filters | None = Field(None, description="extension: restrict to a region/year")
    n: int | None = Field(None, ge=1, le=1)


def jsonable(x: Any) -> Any:
    return x.model_dump() if isinstance(x, BaseModel) else x
