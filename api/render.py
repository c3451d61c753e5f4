"""Answers and facts written out for people, apart from the routes that serve them: report text as chat Markdown
(escaped so it renders as text), the link to a cited span, a comparison as the chat's Markdown table with numbered
sources, and fact rows as CSV or as the tab-separated table of ``qa facts``."""
from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from urllib.parse import quote

from qa.compare import Comparison
from qa.facts import FactQuery, FactQueryError, FactTable
from qa.models import QAResult

CSV_FIELDS = ("region", "level", "parents", "year", "indicator", "key", "key_name", "value", "unit", "text", "kind",
              "direction", "qualifier", "department", "doc_id", "title", "start", "end", "sentence_start",
              "sentence_end", "url")


# ---------------------------------------------------------------------------------------------- links, Markdown
def doc_url(doc_id: str, start: int, end: int, base_url: str = "") -> str:
    """The link to a span of a report: under ``base_url``, or root-relative (/documents/…) when it is empty."""
    return f"{base_url.rstrip('/')}/documents/{quote(doc_id, safe='')}?start={start}&end={end}"


# Markdown and HTML in report text (or in a question quoted back) must render as text: every character that can
# open a link, an image, HTML, code, emphasis, a table cell or KaTeX math ($) is backslash-escaped, a line cannot
# open a heading, quote or list, and bare URLs are broken up so no autolink forms. A Markdown renderer shows the
# text as it was; the raw content differs only by backslashes (most report sentences have none of these).
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~$&])")
_MD_LINE_START = re.compile(r"(?m)^(\s*)([#>+=-])")
_AUTOLINK = re.compile(r"(?i)(?<=[a-z])(:)(?=//)|(?<=www)(\.)")


def md_text(text: str) -> str:
    """``text`` escaped for Markdown: links, images, HTML, emphasis and tables in it render as plain text."""
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return _MD_LINE_START.sub(r"\1\\\2", _AUTOLINK.sub(r"\\\1\2", text))


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


# ---------------------------------------------------------------------------------------------- CSV, command line
def rows_csv(rows: list[dict]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=CSV_FIELDS, extrasaction="ignore")
    w.writeheader()
    for r in rows:
        w.writerow({**r, "parents": " > ".join(r["parents"])})
    return buf.getvalue()


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
