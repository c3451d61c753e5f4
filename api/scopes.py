"""Which reports a request may search: a scope named by an id, or Dify-style metadata conditions.

Both are evaluated per report, on its metadata (region with its parents, level, department, year, title,
publication date), and give a set of doc ids that :meth:`qa.engine.QA.ask` takes as ``filters["doc_ids"]``.

Scope ids (Dify's "External Knowledge ID", see the README)::

    all                              every report (also: *, fazhi-qa, an empty id)
    region:青禾县                     the reports of a place of any level: a province's include its cities' …
    region:青禾县;year:2023           conditions joined by ; (or ,) must all hold
    level:county  year:2022|2023     | separates values: any of them
    department:司法局  doc:<doc_id>

Metadata conditions are Dify's ``metadata_condition`` (``{"logical_operator": "and"|"or", "conditions":
[{"name", "comparison_operator", "value"}]}``). A condition on a field we have with an operator that fits it is
applied; any other (an unknown field, ``>`` on a place name …) is ignored, and the reason is returned so the
caller can log it.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from index.models import ReportMeta
from qa.query import region_aliases

# metadata field names a condition may use -> our field
FIELD_NAMES = {
    "region": "region", "place": "region", "地区": "region", "地方": "region", "行政区": "region",
    "level": "level", "层级": "level", "级别": "level",
    "year": "year", "年份": "year", "年度": "year",
    "department": "department", "部门": "department",
    "doc_id": "doc_id", "doc": "doc_id", "document_id": "doc_id",
    "title": "title", "标题": "title", "document_name": "title",
    "published": "published", "发布日期": "published", "date": "published",
}
LEVELS = {"province": "province", "city": "city", "county": "county", "town": "town", "zone": "zone",
          "省": "province", "省级": "province", "市": "city", "市级": "city", "地级市": "city", "县": "county",
          "县级": "county", "区县": "county", "镇": "town", "乡镇": "town", "街道": "town", "开发区": "zone",
          "示范区": "zone", "园区": "zone"}
STRING_OPS = {"contains", "not contains", "start with", "end with", "is", "is not", "in", "not in", "empty",
              "not empty"}
NUMBER_OPS = {"=", "≠", "!=", ">", "<", "≥", ">=", "≤", "<=", "is", "is not", "in", "not in", "empty", "not empty",
              "before", "after"}
DATE_OPS = {"is", "is not", "before", "after", "empty", "not empty", "start with", "contains"}
OPS_BY_FIELD = {"region": STRING_OPS, "department": STRING_OPS, "title": STRING_OPS, "doc_id": STRING_OPS,
                "level": {"is", "is not", "in", "not in", "empty", "not empty"}, "year": NUMBER_OPS,
                "published": DATE_OPS}
ALL_IDS = {"", "all", "*", "fazhi-qa", "default"}
ID_FIELDS = {"region", "level", "year", "department", "doc"}


class ScopeError(ValueError):
    """A scope id that names no scope (a malformed id, or one no report is in)."""


@dataclass(frozen=True)
class Doc:
    doc_id: str
    meta: ReportMeta


def _strings(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list | tuple | set):
        return [str(v).strip() for v in value if str(v).strip()]
    return [s.strip() for s in str(value).split("|") if s.strip()] if isinstance(value, str) else [str(value)]


def _year_of(value: Any) -> int | None:
    """2024, "2024", "2024-03-01", "2024年" -> 2024."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return int(value)
    m = re.match(r"\s*(\d{4})", str(value))
    return int(m.group(1)) if m else None


def place_matches(meta: ReportMeta, name: str) -> bool:
    """Is ``name`` (any written form: 青禾县, 青禾, a province 某某省 / 某某) the report's place or one of its
    parents?"""
    name = name.strip()
    if not name or not meta.region:
        return False
    if name in region_aliases(meta.region, meta.parents):
        return True
    parents = list(meta.parents)
    return any(name in region_aliases(p, parents[:i]) for i, p in enumerate(parents))


def _text_of(meta: ReportMeta, doc_id: str, field: str) -> str | None:
    if field == "doc_id":
        return doc_id
    value = getattr(meta, field, None)
    return None if value in (None, "") else str(value)


def _string_test(field: str, op: str, values: list[str]) -> Callable[[Doc], bool] | None:
    def text(d: Doc) -> str | None:
        return _text_of(d.meta, d.doc_id, field)

    def equal(d: Doc, v: str) -> bool:
        if field == "region":
            return place_matches(d.meta, v)
        if field == "level":
            return d.meta.level == LEVELS.get(v, v)
        t = text(d)
        if field == "department" and t is not None:
            return t == v or (t.endswith(v) and len(v) >= 2)  # 司法局 matches 某某市司法局
        return t == v

    if op == "empty":
        return lambda d: text(d) is None
    if op == "not empty":
        return lambda d: text(d) is not None
    if not values:
        return None
    if op in ("is", "in"):
        return lambda d: any(equal(d, v) for v in values)
    if op in ("is not", "not in"):
        return lambda d: not any(equal(d, v) for v in values)
    v = values[0]
    if op == "contains":
        return lambda d: v in (text(d) or "") or (field == "region" and any(v in p for p in d.meta.parents))
    if op == "not contains":
        return lambda d: v not in (text(d) or "") and not (field == "region" and any(v in p for p in d.meta.parents))
    if op == "start with":
        return lambda d: (text(d) or "").startswith(v)
    if op == "end with":
        return lambda d: (text(d) or "").endswith(v)
    return None


_NUMBER_CMP: dict[str, Callable[[int, int], bool]] = {
    "=": lambda a, b: a == b, "is": lambda a, b: a == b, "≠": lambda a, b: a != b, "!=": lambda a, b: a != b,
    "is not": lambda a, b: a != b, ">": lambda a, b: a > b, "after": lambda a, b: a > b, "<": lambda a, b: a < b,
    "before": lambda a, b: a < b, "≥": lambda a, b: a >= b, ">=": lambda a, b: a >= b, "≤": lambda a, b: a <= b,
    "<=": lambda a, b: a <= b,
}


def _year_test(op: str, value: Any) -> Callable[[Doc], bool] | None:
    if op == "empty":
        return lambda d: d.meta.year is None
    if op == "not empty":
        return lambda d: d.meta.year is not None
    if op in ("in", "not in"):
        years = {y for y in (_year_of(v) for v in _strings(value)) if y is not None}
        if not years:
            return None
        inside = op == "in"
        return lambda d: (d.meta.year in years) == inside
    year = _year_of(value[0] if isinstance(value, list) and value else value)
    cmp = _NUMBER_CMP.get(op)
    if year is None or cmp is None:
        return None
    return lambda d: d.meta.year is not None and cmp(d.meta.year, year)


def _date_test(op: str, value: Any) -> Callable[[Doc], bool] | None:
    if op == "empty":
        return lambda d: not d.meta.published
    if op == "not empty":
        return lambda d: bool(d.meta.published)
    v = str(value[0] if isinstance(value, list) and value else value or "").strip()
    if not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", v):
        return None
    tests: dict[str, Callable[[str], bool]] = {
        "is": lambda p: p == v, "is not": lambda p: p != v, "before": lambda p: p[:len(v)] < v,
        "after": lambda p: p[:len(v)] > v, "start with": lambda p: p.startswith(v), "contains": lambda p: v in p}
    test = tests[op]
    return lambda d: bool(d.meta.published) and test(str(d.meta.published))


def condition_test(name: Any, op: Any, value: Any) -> tuple[Callable[[Doc], bool] | None, str | None]:
    """(test, None) for a condition we can apply; (None, why) for one we ignore."""
    names = name if isinstance(name, list) else [name]
    tests = []
    for n in names:
        field = FIELD_NAMES.get(str(n).strip().lower()) or FIELD_NAMES.get(str(n).strip())
        if field is None:
            return None, f"unknown metadata field {n!r} (known: region, level, year, department, doc_id, title, " \
                         "published)"
        if op not in OPS_BY_FIELD[field]:
            return None, f"operator {op!r} does not fit the field {field!r}"
        if field == "year":
            test = _year_test(op, value)
        elif field == "published":
            test = _date_test(op, value)
        else:
            test = _string_test(field, op, _strings(value))
        if test is None:
            return None, f"value {value!r} does not fit {field!r} {op!r}"
        tests.append(test)
    if len(tests) == 1:
        return tests[0], None
    return (lambda d: any(t(d) for t in tests)), None  # one condition on several fields: any of them


def filter_docs(docs: Iterable[Doc], logical_operator: str, conditions: list[dict[str, Any]]
                ) -> tuple[set[str] | None, list[str]]:
    """(doc ids the conditions allow — None when no condition applies —, notes on the ignored conditions)."""
    docs = list(docs)
    tests, notes = [], []
    for i, c in enumerate(conditions):
        test, why = condition_test(c.get("name"), c.get("comparison_operator"), c.get("value"))
        if test is None:
            notes.append(f"condition {i} ignored: {why}")
        else:
            tests.append(test)
    if not tests:
        return None, notes
    join = any if logical_operator == "or" else all
    return {d.doc_id for d in docs if join(t(d) for t in tests)}, notes


def parse_scope_id(knowledge_id: str) -> list[dict[str, Any]]:
    """``region:青禾县;year:2023`` -> conditions (all must hold); [] for every report. ScopeError when malformed."""
    kid = knowledge_id.strip()
    if kid.lower() in ALL_IDS:
        return []
    out = []
    for part in re.split(r"[;,；，&]", kid):
        if not part.strip():
            continue
        m = re.fullmatch(r"\s*([A-Za-z_]+)\s*[:=：]\s*(.*?)\s*", part)
        key, value = (m.group(1).lower(), m.group(2)) if m else ("", "")
        if key not in ID_FIELDS or not value:
            raise ScopeError(f"unknown knowledge_id {knowledge_id!r}: use 'all' or field:value pairs joined by ';' "
                             "(fields: region, level, year, department, doc; e.g. region:青禾县;year:2023)")
        values = _strings(value)
        if key == "year" and any(_year_of(v) is None for v in values):
            raise ScopeError(f"unknown knowledge_id {knowledge_id!r}: year must be a year such as 2023")
        if key == "level" and any(v not in LEVELS for v in values):
            raise ScopeError(f"unknown knowledge_id {knowledge_id!r}: level must be one of province, city, "
                             "county, town, zone")
        out.append({"name": "doc_id" if key == "doc" else key, "comparison_operator": "in", "value": values})
    if not out:
        raise ScopeError(f"unknown knowledge_id {knowledge_id!r}")
    return out


def scope_docs(docs: Iterable[Doc], knowledge_id: str) -> set[str] | None:
    """The doc ids of a scope id (None: every report). ScopeError when the id is malformed or no report is in
    the scope."""
    conditions = parse_scope_id(knowledge_id)
    if not conditions:
        return None
    allowed, notes = filter_docs(docs, "and", conditions)
    if notes:  # cannot happen for a parsed id; kept as a guard
        raise ScopeError(f"unknown knowledge_id {knowledge_id!r}: {'; '.join(notes)}")
    if not allowed:
        raise ScopeError(f"no report is in the scope {knowledge_id!r}")
    return allowed
