"""The fact table: ``GET /facts`` (every figure the reports state, filtered, sorted, as JSON or CSV, each row
citing its span) and the chat page's table script. The CSV, the chat's Markdown table of a comparison and the
text of ``qa facts`` are written by api/render.py."""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import FileResponse, Response
from pydantic import Field

from api.deps import QADep
from api.render import rows_csv
from api.schemas import Out, error_responses
from qa.facts import FactQuery, FactQueryError, FactTable, fact_table

router = APIRouter(tags=["facts"])
ERRORS = error_responses(400, 422, 503)
STATIC = Path(__file__).resolve().parents[1] / "static"


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
