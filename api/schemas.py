"""Request and response bodies of the HTTP API (pydantic v2).

Response models read the qa/index dataclasses directly: ``AskResponse.model_validate(result,
from_attributes=True)`` (see :class:`Out`); a field added here is filled from the attribute of the same name.
"""
from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Path
from pydantic import BaseModel, ConfigDict, Field, field_validator

from api.state import JobKind, JobStatus
from qa.engine import MAX_QUESTION_CHARS

TOP_K_MAX = 50

# ids in paths are checked (length, alphabet) before anything touches the filesystem: 422 otherwise
DOC_ID_PATTERN = r"^[\w\-]{1,80}$"
JOB_ID_PATTERN = r"^[0-9A-Za-z]{1,64}$"
DocIdPath = Annotated[str, Path(min_length=1, max_length=80, pattern=DOC_ID_PATTERN,
                                description="a report's id: letters, digits, '_' and '-' (at most 80)")]
JobIdPath = Annotated[str, Path(min_length=1, max_length=64, pattern=JOB_ID_PATTERN,
                                description="a job's id (as POST/DELETE /documents returned it)")]


class Out(BaseModel):
    """A response body, validated from the attributes of a dataclass (extra attributes are left out)."""

    model_config = ConfigDict(from_attributes=True)


def json_integer(cls: type, v: Any) -> Any:
    """No coercion that surprises: "5" and true are not integers (5.0 is one, as in JSON Schema)."""
    if isinstance(v, str | bool):
        raise ValueError("must be a JSON integer, not a string or a boolean")
    return v


class Filters(BaseModel):
    model_config = ConfigDict(extra="forbid")

    region: str | None = Field(None, max_length=100, description="only reports of this place (青禾县, 青禾 …)")
    year: int | None = Field(None, ge=1900, le=2100, description="only reports about this year")

    _year_is_an_integer = field_validator("year", mode="before")(json_integer)

    def as_dict(self) -> dict:
        return {k: v for k, v in self.model_dump().items() if v not in (None, "")}


# A question has a word character (or a CJK one) and at most MAX_QUESTION_CHARS characters: what QA.ask accepts.
QUESTION_PATTERN = r"[\w\u4e00-\u9fff]"


class AskRequest(BaseModel):
    # python-re: the pattern means what it means in QA.ask
    model_config = ConfigDict(extra="forbid", regex_engine="python-re")

    question: str = Field(..., min_length=1, max_length=MAX_QUESTION_CHARS, pattern=QUESTION_PATTERN,
                          description="a question in Chinese, e.g. 青禾县行政复议纠错率是多少")
    top_k: int = Field(5, ge=1, le=TOP_K_MAX, description="passages to return")
    filters: Filters | None = None
    explain: bool = Field(False, description="also return `explanation`: the question as read, each candidate's "
                                             "shape, features and probability, and why the winner won")

    _top_k_is_an_integer = field_validator("top_k", mode="before")(json_integer)


class CitationOut(Out):
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
    page: int | None = Field(None, description="page of the original file (PDF) the answer is on; null when the "
                                                "report's original has no pages")


class AnswerOut(Out):
    text: str
    score: float
    sentence: str
    kind: str = "open"
    citation: CitationOut


class PassageOut(Out):
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


class ComparisonRowOut(Out):
    rank: int | None = Field(description="1 = first in the order asked (highest for 最高); null: as named")
    region: str
    year: int | None
    value: float = Field(description="in the base unit (1.2万件 -> 12000)")
    unit: str
    text: str = Field(description="the figure as the report writes it: document text[start:end]")
    indicator: str
    doc_id: str
    title: str
    passage_id: str
    start: int
    end: int
    sentence_start: int
    sentence_end: int
    sentence: str
    qualifier: str | None = None


class MissingPlaceOut(Out):
    region: str
    year: int | None
    reason: str


class ComparisonOut(Out):
    mode: str = Field(description="superlative | all | compare | difference | threshold")
    indicator: str
    keys: list[str]
    unit: str | None
    order: str = Field(description="desc | asc | document (the places in the order the question names them)")
    rows: list[ComparisonRowOut]
    missing: list[MissingPlaceOut] = Field(description="places (and years) without the figure, and why")
    conclusion: str = Field(description="computed from the cited rows only")
    difference: float | None = None
    threshold: float | None = None


class AskResponse(Out):
    question: str
    answer: str | None
    reason: str | None
    answers: list[AnswerOut]
    passages: list[PassageOut]
    took_ms: float
    comparison: ComparisonOut | None = Field(None, description="a comparative question's table (哪个地方…最高, "
                                                               "比较A和B…); null for other questions")
    intent: str = Field("question", description="question | chitchat (a greeting, a question about the "
                                                "service, or a place named with nothing asked about it: `reason` "
                                                "says what to ask) | out_of_scope (nothing the reports could "
                                                "answer: `reason` says why)")
    normalized: str | None = Field(None, description="the question as read when normalising changed it "
                                                     "(Traditional -> Simplified Chinese, full-width -> ASCII)")
    explanation: dict[str, Any] | None = Field(None, description="with `explain: true`: what `qa explain` prints")


class SearchResponse(Out):
    query: str
    passages: list[PassageOut]
    took_ms: float


class DocumentMeta(Out):
    doc_id: str
    title: str
    region: str | None
    year: int | None
    issuer: str | None
    published: str | None
    level: str | None = Field(None, description="province | city | county | town | zone")
    parents: list[str] = Field(default_factory=list, description="the region's parents, province first")
    department: str | None = Field(None, description="the reporting department; null when the government reports")
    source: str
    chars: int
    passages: int


class DocumentList(Out):
    count: int
    documents: list[DocumentMeta]


class Span(Out):
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
    level: Literal["province", "city", "county", "town", "zone"] | None = None
    parents: list[str] | None = Field(None, max_length=4)
    department: str | None = Field(None, max_length=100)

    def overrides(self) -> dict:
        return {k: v for k, v in self.model_dump().items() if v is not None}


class DocumentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(..., min_length=1, description="the report's text")
    name: str | None = Field(None, max_length=200, description="file name; the doc_id is derived from it")
    doc_id: str | None = Field(None, min_length=1, max_length=80, pattern=DOC_ID_PATTERN)
    metadata: MetadataIn | None = None


class JobAccepted(Out):
    doc_id: str
    status: JobStatus
    job_id: str
    queue_position: int | None = Field(None, description="jobs ahead of this one (0: it runs next)")
    replaces: list[str] = Field(default_factory=list, description="reports this upload replaces (?replace=true)")
    title: str | None = None
    region: str | None = None
    year: int | None = None


class JobOut(Out):
    job_id: str
    kind: JobKind
    doc_id: str
    status: JobStatus
    stage: str = Field(description="queued | started | passages | sentences | publishing | published | done | "
                                   "failed")
    error: str | None = Field(description="why the job failed")
    created_at: float
    started_at: float | None = None
    finished_at: float | None
    took_ms: float | None
    documents: int | None = Field(description="reports in the index after the job")
    passages_done: int | None = Field(None, description="passages of the new index embedded so far")
    passages_total: int | None = Field(None, description="passages of the new index")
    queue_position: int | None = Field(None, description="jobs ahead of this one while it waits (0: running "
                                                         "or next)")
    replaces: list[str] = Field(default_factory=list)
    attempts: int = Field(0, description="runs started; more than 1: the server stopped during an earlier run (a job "
                                         "whose runs the server died during twice is not run again)")
    interrupted: int = Field(0, description="runs abandoned because the server was stopping (it resumes after a "
                                            "restart)")


class ErrorOut(Out):
    detail: str


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for these error statuses (the body every error has)."""
    return {c: {"model": ErrorOut} for c in codes}


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
    messages: list[ChatMessage] = Field(..., min_length=1, json_schema_extra={
        "contains": {"type": "object", "required": ["role", "content"], "properties": {
            "role": {"const": "user"},
            "content": {"type": "string", "minLength": 1, "maxLength": MAX_QUESTION_CHARS,
                        "pattern": QUESTION_PATTERN}}},
        "description": "the last user message is the question"})
    stream: bool = Field(False, strict=True)
    stream_options: StreamOptions | None = None
    top_k: int = Field(5, ge=1, le=TOP_K_MAX, description="extension: passages retrieved")
    filters: Filters | None = Field(None, description="extension: restrict to a region/year")
    include_result: bool = Field(False, strict=True,
                                 description="extension: add the /ask result (answers with citations, passages, "
                                             "took_ms) as `result` (not streamed)")
    n: int | None = Field(None, ge=1, le=1)

    _integers = field_validator("top_k", "n", mode="before")(json_integer)
