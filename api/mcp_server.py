"""The MCP (Model Context Protocol) server: the reports' QA as tools and resources for agent clients.

Built with the official ``mcp`` SDK (``mcp.server.mcpserver.MCPServer``, mcp 2.x). Two transports:

* ``qa mcp`` — stdio, for desktop clients that start the server themselves (Claude Desktop, Cherry Studio,
  Cursor): :func:`run_stdio` loads the index once and serves until stdin closes.
* streamable HTTP at ``/mcp`` of the HTTP service (``qa serve``): :func:`mount` adds the endpoint to the FastAPI
  app, stateless and with JSON responses, so any worker answers any request. It serves the index the app serves
  (a new build is picked up as by every route) under the app's body-size limit.

Tools: ``ask`` (answer, confidence, cited sentence and citation; an abstention said plainly), ``search``
(passages), ``facts`` (the figures the reports state, per indicator × place × year, each cited) and
``list_reports``. Every report is a resource, ``report://<doc_id>`` (its cleaned text, the text every citation
offset refers to). Everything is read-only: no tool changes the index.
"""
from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import quote

from pydantic import BaseModel, Field

from api.schemas import TOP_K_MAX
from qa.engine import NOT_FOUND, QA, QuestionError
from qa.facts import FactQuery, FactQueryError, fact_table

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from fastapi import FastAPI

    from api.settings import Settings

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ResourceError, ToolError
from mcp.types import Resource, ToolAnnotations

log = logging.getLogger("api.mcp")

INSTRUCTIONS = (
    "法治报告问答: Chinese local governments' annual reports on building a rule-of-law government "
    "(法治政府建设情况报告). Every answer is an exact span of a report with its citation (report, section, character "
    "offsets); when the reports do not say, the tools say so (found=false) — never guess a figure then. Use `ask` "
    "for one fact (青禾县行政复议纠错率是多少), `facts` to compare a figure across places and years, `search` for "
    "passages on a topic, `list_reports` to see which places and years are covered.")

READ_ONLY = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False)


# ---------------------------------------------------------------------------------------------- outputs
class CitationOut(BaseModel):
    doc_id: str
    title: str = Field(description="the report's title")
    region: str | None
    year: int | None
    section: str = Field(description="the section path of the passage, e.g. 一、主要工作 > (五)…")
    passage_id: str
    start: int = Field(description="answer span in the report's text: report://<doc_id> text[start:end]")
    end: int
    sentence_start: int
    sentence_end: int
    page: int | None = None
    uri: str = Field(description="the report as an MCP resource")


class AnswerOut(BaseModel):
    found: bool = Field(description="false: the reports do not answer this question; do not guess")
    summary: str = Field(description="one line to show the user")
    answer: str | None = Field(description="the exact span of the report that answers; null when not found")
    confidence: float | None = Field(description="0-1; answers below the service's threshold are withheld")
    sentence: str | None = Field(description="the report sentence the answer is in")
    citation: CitationOut | None
    reason: str | None = Field(description="why there is no answer, when found is false")
    other_answers: list[dict[str, Any]] = Field(default_factory=list,
                                                description="lower-ranked candidate spans with their citations")
    comparison: dict[str, Any] | None = Field(None, description="for a comparative question (哪个地方…最高): rows "
                                                                "of place, year, value, each cited")


class PassageOut(BaseModel):
    rank: int
    score: float
    text: str
    doc_id: str
    title: str
    region: str | None
    year: int | None
    section: str
    passage_id: str
    start: int
    end: int
    uri: str


class SearchOut(BaseModel):
    query: str
    passages: list[PassageOut]


class FactsOut(BaseModel):
    count: int = Field(description="facts matching (before limit)")
    returned: int
    indicator_keys: list[str] = Field(description="the normalised indicators the indicator text was read as")
    places: list[str] = Field(description="the places the region text was read as")
    facts: list[dict[str, Any]] = Field(description="one row per figure: region, year, indicator (the report's "
                                                    "words), value (base unit), unit, text (as written), doc_id, "
                                                    "start, end (text[start:end] in the report)")


class ReportOut(BaseModel):
    doc_id: str
    title: str
    region: str | None
    level: str | None
    parents: list[str]
    department: str | None
    year: int | None
    published: str | None
    uri: str


class ReportsOut(BaseModel):
    count: int
    reports: list[ReportOut]


def report_uri(doc_id: str) -> str:
    return f"report://{quote(doc_id, safe='')}"


# ---------------------------------------------------------------------------------------------- the tools' work
def _filters(region: str | None, year: int | None) -> dict | None:
    f: dict[str, Any] = {}
    if region and region.strip():
        f["region"] = region.strip()
    if year is not None:
        f["year"] = year
    return f or None


def _citation(c: Any) -> CitationOut:
    return CitationOut(doc_id=c.doc_id, title=c.title, region=c.region, year=c.year, section=c.section,
                       passage_id=c.passage_id, start=c.start, end=c.end, sentence_start=c.sentence_start,
                       sentence_end=c.sentence_end, page=c.page, uri=report_uri(c.doc_id))


def ask_tool(qa: QA, question: str, region: str | None = None, year: int | None = None) -> AnswerOut:
    try:
        r = qa.ask(question, top_k=5, filters=_filters(region, year))
    except QuestionError as e:
        raise ToolError(f"invalid question: {e}") from None
    comparison = getattr(r, "comparison", None)
    if comparison is not None:  # 哪个地方…最高 / 比较A和B…: the conclusion, computed from the cited rows
        return AnswerOut(found=bool(comparison.rows), summary=comparison.conclusion, answer=r.answer,
                         confidence=None, sentence=None, citation=None, reason=r.reason, comparison=_plain(comparison))
    if not r.answers:
        reason = r.reason or NOT_FOUND
        if r.intent == "chitchat":  # a greeting, or a place with nothing asked: what to ask, not "not found"
            summary = reason
        elif reason != NOT_FOUND:
            summary = f"报告中未找到答案:{reason}"
        else:
            summary = "报告中未找到答案(未找到相关内容),请勿推测。"
        return AnswerOut(found=False, summary=summary, answer=None, confidence=None, sentence=None, citation=None,
                         reason=reason)
    a = r.answers[0]
    c = a.citation
    others = [{"answer": o.text, "confidence": round(o.score, 4), "sentence": o.sentence,
               "citation": _citation(o.citation).model_dump()} for o in r.answers[1:3]]
    return AnswerOut(found=True, summary=f"答案:{a.text}(出自《{c.title}》{c.section})", answer=a.text,
                     confidence=round(a.score, 4), sentence=a.sentence, citation=_citation(c), reason=None,
                     other_answers=others)


def _plain(obj: Any) -> Any:
    """A dataclass tree as JSON-ready dicts and lists."""
    from dataclasses import asdict, is_dataclass
    return asdict(obj) if is_dataclass(obj) and not isinstance(obj, type) else obj


def search_tool(qa: QA, query: str, region: str | None = None, year: int | None = None, top_k: int = 5) -> SearchOut:
    try:
        hits = qa.search(query, top_k=top_k, filters=_filters(region, year))
    except QuestionError as e:
        raise ToolError(f"invalid query: {e}") from None
    return SearchOut(query=query.strip(), passages=[
        PassageOut(rank=p.rank, score=p.score, text=p.text, doc_id=p.doc_id, title=p.title, region=p.region,
                   year=p.year, section=p.section, passage_id=p.passage_id, start=p.start, end=p.end,
                   uri=report_uri(p.doc_id)) for p in hits])


def facts_tool(qa: QA, indicator: str | None = None, region: str | None = None, year: int | None = None,
               sort: str = "document", limit: int = 50) -> FactsOut:
    q = FactQuery(indicator=(indicator or "").strip() or None, region=(region or "").strip() or None, year=year,
                  sort=sort, limit=limit)
    try:
        count, rows, resolved = fact_table(qa.index).answer(q)
    except FactQueryError as e:
        raise ToolError(str(e)) from None
    keep = ("region", "level", "year", "indicator", "key", "value", "unit", "text", "kind", "qualifier",
            "department", "doc_id", "title", "section", "start", "end", "sentence_start", "sentence_end")
    facts = [{**{k: r.get(k) for k in keep}, "uri": report_uri(r["doc_id"])} for r in rows]
    return FactsOut(count=count, returned=len(facts), indicator_keys=resolved.keys, places=resolved.places,
                    facts=facts)


def reports_tool(qa: QA) -> ReportsOut:
    out = [ReportOut(doc_id=doc_id, title=d.meta.title, region=d.meta.region, level=d.meta.level,
                     parents=list(d.meta.parents), department=d.meta.department, year=d.meta.year,
                     published=d.meta.published, uri=report_uri(doc_id))
           for doc_id, d in sorted(qa.index.documents.items())]
    return ReportsOut(count=len(out), reports=out)


# ---------------------------------------------------------------------------------------------- the server
class ReportsServer(MCPServer):
    """An MCPServer whose resource list is the reports of the index being served (it changes with uploads)."""

    def __init__(self, get_qa: Callable[[], QA], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.get_qa = get_qa

    async def list_resources(self) -> list[Resource]:
        listed = await super().list_resources()
        try:
            qa = self.get_qa()
        except Exception:  # noqa: BLE001 - no index loaded yet: no reports to list
            return listed
        return listed + [Resource(uri=report_uri(doc_id), name=doc_id, title=d.meta.title, mime_type="text/plain",
                                  description=f"{d.meta.region or ''} {d.meta.year or ''}年 报告全文")
                         for doc_id, d in sorted(qa.index.documents.items())]


def _qa_or_error(get_qa: Callable[[], QA]) -> QA:
    try:
        return get_qa()
    except Exception as e:  # noqa: BLE001 - NotReady and its kin: say it to the model
        raise ToolError(f"the index is not available: {e}") from None


Question = Annotated[str, Field(min_length=1, max_length=500, description="the question in Chinese, naming the "
                                                                          "place and year when known")]
Region = Annotated[str | None, Field(None, max_length=100, description="only reports of this place, any level "
                                                                       "(青禾县, 青禾, 某省)")]
Year = Annotated[int | None, Field(None, ge=1900, le=2100, description="only reports about this year")]


def build_server(get_qa: Callable[[], QA]) -> ReportsServer:
    """The MCP server over the QA ``get_qa()`` returns (called per request: a reloaded index is used at once)."""
    server = ReportsServer(get_qa, name="fazhi-qa", title="法治报告问答", version="0.1.0", instructions=INSTRUCTIONS,
                           log_level="WARNING")

    @server.tool(annotations=READ_ONLY, description=(
        "Answer one factual question about the rule-of-law reports with the exact words of a report and its "
        "citation (report title, section, character offsets, the sentence). Ask in Chinese and name the place "
        "and year when you know them, e.g. 青禾县行政复议纠错率是多少, 青禾县2023年办理了多少件行政复议案件, "
        "某某市法治政府建设领导小组组长是谁. found=false means the reports do not say: tell the user so and do "
        "not guess. Comparative questions (哪个地方行政复议纠错率最高, 比较A和B的法律援助案件数) return a cited "
        "comparison table."))
    def ask(question: Question, region: Region = None, year: Year = None) -> AnswerOut:
        return ask_tool(_qa_or_error(get_qa), question, region, year)

    @server.tool(annotations=READ_ONLY, description=(
        "Search the reports' passages (hybrid keyword + semantic search) for a topic or question, best first, "
        "each with its report, section and offsets. Use it to read around a topic (法律援助, 行政复议, 执法监督) "
        "or when `ask` found nothing. Example: query=\"行政执法人员培训\", region=\"青禾县\", top_k=5."))
    def search(query: Question, region: Region = None, year: Year = None,
               top_k: Annotated[int, Field(ge=1, le=TOP_K_MAX, description="passages to return")] = 5) -> SearchOut:
        return search_tool(_qa_or_error(get_qa), query, region, year, top_k)

    @server.tool(annotations=READ_ONLY, description=(
        "List the figures the reports state, as a table of indicator × place × year, each row cited (report, "
        "offsets, the figure as written and its value in the base unit: 1.2万件 -> 12000). Filter by indicator "
        "(free text such as 纠错率, 法律援助案件, 行政复议案件; synonyms meet), by place (any level: a province "
        "returns its cities and counties) and year; sort by value (-value: largest first), region, year or "
        "document. Use it to compare places: indicator=\"纠错率\", sort=\"-value\"."))
    def facts(indicator: Annotated[str | None, Field(None, max_length=100, description="what is counted, e.g. "
                                                                                      "纠错率")] = None,
              region: Region = None, year: Year = None,
              sort: Annotated[str, Field(pattern="^(value|-value|region|year|-year|document)$",
                                         description="value | -value | region | year | -year | document")]
              = "document",
              limit: Annotated[int, Field(ge=1, le=500, description="rows to return")] = 50) -> FactsOut:
        return facts_tool(_qa_or_error(get_qa), indicator, region, year, sort, limit)

    @server.tool(annotations=READ_ONLY, description=(
        "List the indexed reports: place (with level, parents, department), year, title and the resource URI of "
        "each report's full text. Use it to learn which places and years can be asked about."))
    def list_reports() -> ReportsOut:
        return reports_tool(_qa_or_error(get_qa))

    @server.resource("report://{doc_id}", name="report", title="报告全文", mime_type="text/plain",
                     description="A report's cleaned text: every citation's start/end offsets index into it.")
    def report(doc_id: str) -> str:
        qa = get_qa()
        doc = qa.index.documents.get(doc_id)
        if doc is None:
            raise ResourceError(f"no report with doc_id {doc_id!r}")
        return doc.clean_text

    return server


# ---------------------------------------------------------------------------------------------- transports
def mount(app: FastAPI, settings: Settings, get_qa: Callable[[], QA]) -> Callable[[], Any]:
    """Add the streamable-HTTP endpoint ``/mcp`` to ``app``; returns the async context manager the app's lifespan
    must enter (it runs the SDK's session manager)."""
    from mcp.server.transport_security import TransportSecuritySettings

    server = build_server(get_qa)
    loopback = settings.server.host in ("127.0.0.1", "localhost", "::1")
    security = None
    if loopback:  # DNS-rebinding protection, as the SDK does for a local server; a public URL is allowed too
        hosts = ["127.0.0.1:*", "localhost:*", "[::1]:*", "127.0.0.1", "localhost", "[::1]"]
        origins = ["http://127.0.0.1:*", "http://localhost:*", "http://[::1]:*"]
        public = settings.server.public_url
        if public:
            netloc = public.split("://", 1)[1].split("/", 1)[0]
            hosts.append(netloc)
            origins.append(public.split("://", 1)[0] + "://" + netloc)
        origins += [o for o in settings.server.cors_origins if o != "*"]
        security = TransportSecuritySettings(enable_dns_rebinding_protection="*" not in settings.server.cors_origins,
                                             allowed_hosts=hosts, allowed_origins=origins)
    else:
        security = TransportSecuritySettings(enable_dns_rebinding_protection=False)
    sub = server.streamable_http_app(streamable_http_path="/mcp", stateless_http=True, json_response=True,
                                     transport_security=security, max_request_body_size=settings.server.max_body_bytes)
    for route in sub.routes:
        app.router.routes.append(route)

    @asynccontextmanager
    async def running() -> AsyncIterator[None]:
        async with server.session_manager.run():
            yield

    return running


def run_stdio(index_dir: Path | None = None, encoder: str | None = None) -> None:
    """``qa mcp``: load the index, then serve MCP over stdin/stdout until the client closes it."""
    from api.loading import open_qa
    from api.settings import load_settings

    settings = load_settings()
    out, sys.stdout = sys.stdout, sys.stderr  # nothing but protocol messages may reach stdout
    try:
        qa = open_qa(settings, index_dir, encoder)
    finally:
        sys.stdout = out
    build_server(lambda: qa).run("stdio")
