"""The fact table: ``GET /facts`` (every figure the reports state, filtered, sorted, as JSON or CSV, each row
citing its span), the chat page's table script, and the Markdown table the chat endpoint answers a comparison
with."""
from __future__ import annotations

import csv
import io
import json
import time
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import FileResponse, Response
from pydantic import Field

from api.deps import QADep
from api.openai_compat import md_text
from api.schemas import Out, error_responses
from qa.compare import Comparison
from qa.facts import FactQuery, FactQueryError, FactTable, fact_table
from qa.models import QAResult

router = APIRouter(tags=["facts"])
ERRORS = error_responses(400, 422, 503)
STATIC = Path(__file__).resolve().parents[1] / "static"
CSV_FIELDS = ("region", "level", "parents", "year", "indicator", "key", "key_name", "value", "unit", "text", "kind",
              "direction", "qualifier", "department", "doc_id", "title", "start", "end", "sentence_start",
              "sentence_end", "url")


class FactOut(Out):
    region: str | None
    level: str | None
    parents: list[str]
    year: int | None
    indicator: str = Field(description="the report's own words for the figure")
    key: str | None = Field(description="normalised indicator (index/data/indicators.tsv); null: none fits")
    key_name: str | None = None
    value: float = Field(description="in the base unit: 2.42万人次 -> 24200")
    unit: str
    text: str = Field(description="the figure as written: document text[start:end]")
    kind: str = Field(description="level | change (同比下降37%)")
    direction: str | None = None
    qualifier: str | None = Field(None, description="约 / 余 / 以上 …: approximate or a bound")
    department: str | None = None
    doc_id: str
    title: str
    passage_id: str
    section: str = ""
    start: int
    end: int
    sentence_start: int
    sentence_end: int
    url: str = Field(description="the cited span: GET /documents/{doc_id}?start=&end=")


class FactList(Out):
    count: int = Field(description="facts matching the filters (before limit/offset)")
    returned: int
    keys: list[str] = Field(description="indicator keys the indicator text was read as (empty: matched in the "
                                        "reports' own words)")
    places: list[str] = Field(description="places the region text was read as")
    took_ms: float
    facts: list[FactOut]


def doc_url(doc_id: str, start: int, end: int, base_url: str = "") -> str:
    """The link to a span of a report: under ``base_url``, or root-relative (/documents/…) when it is empty."""
    return f"{base_url.rstrip('/')}/documents/{quote(doc_id, safe='')}?start={start}&end={end}"


def rows_csv(rows: list[dict]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=CSV_FIELDS, extrasaction="ignore")
    w.writeheader()
    for r in rows:
        w.writerow({**r, "parents": " > ".join(r["parents"])})
    return buf.getvalue()


@router.get("/facts", responses={200: {"model": FactList, "content": {"text/csv": {}}}, **ERRORS})
def facts(qa: QADep,
          indicator: Annotated[str | None, Query(max_length=100, description="free text (纠错率, 法律援助案件) or a "
                                                                           "key (review.correction_rate)")] = None,
          region: Annotated[str | None, Query(max_length=100, description="any level: a province returns its "
                                                                        "cities and counties")] = None,
          year: Annotated[int | None, Query(ge=1900, le=2100)] = None,
          kind: Annotated[Literal["level", "change"] | None, Query()] = None,
          keyed: Annotated[bool, Query(description="only facts with an indicator key")] = False,
          sort: Annotated[Literal["value", "-value", "region", "year", "-year", "document"], Query()] = "document",
          limit: Annotated[int, Query(ge=1, le=10_000)] = 200,
          offset: Annotated[int, Query(ge=0)] = 0,
          format: Annotated[Literal["json", "csv"], Query()] = "json") -> Response:
    """The figures the reports state, each citing its span (``text == document text[start:end]``)."""
    q = FactQuery(indicator=(indicator or "").strip() or None, region=(region or "").strip() or None, year=year,
                  kind=kind, keyed_only=keyed, sort=sort, limit=limit, offset=offset)
    try:
        return facts_response(fact_table(qa.index), q, format)
    except FactQueryError as e:
        raise HTTPException(400, str(e)) from None


def facts_response(table: FactTable, q: FactQuery, fmt: str = "json") -> Response:
    """The body of ``GET /facts`` for ``q`` over ``table`` (JSON or CSV); FactQueryError for a bad query."""
    t0 = time.perf_counter()
    count, rows, resolved = table.answer(q)
    if fmt == "csv":
        return Response(rows_csv(rows), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="facts.csv"'})
    body = {"count": count, "returned": len(rows), "keys": resolved.keys, "places": resolved.places,
            "took_ms": round((time.perf_counter() - t0) * 1000, 2), "facts": rows}
    return Response(json.dumps(body, ensure_ascii=False), media_type="application/json")


@router.get("/compare.js", include_in_schema=False)
def compare_script() -> FileResponse:
    """The chat page's renderer of comparison tables (a table and a small bar chart)."""
    return FileResponse(STATIC / "compare.js", media_type="text/javascript; charset=utf-8",
                        headers={"Cache-Control": "no-cache"})


# ---------------------------------------------------------------------------------------------- chat reply
def _source(i: int, r, base_url: str) -> dict:
    return {"type": "answer", "index": i, "doc_id": r.doc_id, "title": r.title, "region": r.region, "year": r.year,
            "passage_id": r.passage_id, "section": "", "start": r.start, "end": r.end,
            "sentence_start": r.sentence_start, "sentence_end": r.sentence_end, "text": r.text,
            "sentence": r.sentence, "score": 1.0, "url": doc_url(r.doc_id, r.start, r.end, base_url)}


def _annotation(start: int, end: int, src: dict) -> dict:
    return {"type": "url_citation", "url_citation": {"start_index": start, "end_index": end, "url": src["url"],
                                                     "title": src["title"]}}


def comparison_reply(r: QAResult, base_url: str) -> tuple[str, list[dict], list[dict]]:
    """(content, annotations, citations) of a comparison answer: the conclusion, a Markdown table with a
    numbered source per row, the places without the figure, then the numbered sources."""
    c: Comparison = r.comparison  # type: ignore[attr-defined]
    sources = [_source(i, row, base_url) for i, row in enumerate(c.rows, 1)]
    annotations: list[dict] = []
    out = md_text(c.conclusion) + "\n\n"
    if c.rows:
        out += "| # | 地方 | 年份 | 数值 | 报告中的说法 | 来源 |\n|---|---|---|---|---|---|\n"
    for row, src in zip(c.rows, sources, strict=True):
        out += (f"| {row.rank or src['index']} | {md_text(row.region)} | {row.year or ''} | {md_text(row.text)} | "
                f"{md_text(row.indicator)} | ")
        mark = f"[{src['index']}]"
        annotations.append(_annotation(len(out), len(out) + len(mark), src))
        out += mark + " |\n"
    if c.missing:
        out += "\n未列入:" + "、".join(md_text(f"{m.region}{f'({m.year}年)' if m.year else ''}:{m.reason}")
                                     for m in c.missing) + "\n"
    if sources:
        out += "\n来源:"
    for src in sources:
        line = f"[{src['index']}] {md_text(src['title'])} · {md_text(src['region'] or '')} {md_text(src['text'])}"
        out += "\n"
        annotations.append(_annotation(len(out), len(out) + len(line), src))
        out += line
    return out.rstrip("\n"), annotations, sources


# ---------------------------------------------------------------------------------------------- command line
def _table_text(rows: list[dict]) -> str:
    lines = ["地方\t年份\t数值\t说法\t指标\t出处"]
    lines += [f"{r['region'] or '-'}\t{r['year'] or '-'}\t{r['text']}\t{r['indicator']}\t{r['key'] or '-'}\t"
              f"{r['doc_id']}:{r['start']}-{r['end']}" for r in rows]
    return "\n".join(lines)


def print_facts(index_dir: Path, indicator: str | None, region: str | None, year: int | None, sort: str,
                limit: int, fmt: str) -> str:
    """``qa facts``: the facts of the index at ``index_dir`` as a table, CSV or JSON (ValueError: bad input)."""
    from index.facts import read_facts
    from index.store import IndexError_, current_build
    if fmt not in ("table", "csv", "json"):
        raise ValueError(f"unknown format {fmt!r}; use table, csv or json")
    try:
        build = current_build(Path(index_dir))
    except IndexError_ as e:
        raise ValueError(str(e)) from None
    facts = read_facts(build)
    if facts is None:
        raise ValueError(f"index at {build} has no facts.jsonl (built before facts existed): rebuild it with "
                         "`qa index build`")
    table = FactTable(facts, _titles(build))
    q = FactQuery(indicator=indicator, region=region, year=year, sort=sort, limit=limit)
    try:
        _, rows, _ = table.answer(q)
    except FactQueryError as e:
        raise ValueError(str(e)) from None
    if fmt == "csv":
        return rows_csv(rows).rstrip("\n")
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=1)
    return _table_text(rows)


def _titles(build: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    with (build / "documents.jsonl").open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                d = json.loads(line)
                out[d["doc_id"]] = d["meta"].get("title", "")
    return out
