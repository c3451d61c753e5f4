"""Comparative and aggregate questions, answered from the fact table with a cited figure for every place.

Five forms are read (nothing else is taken for a comparison, so ordinary questions never come here):

* superlative — 哪个地方行政复议纠错率最高 / 湖南哪个市法律援助案件最少
* all places  — 2024年各地法律援助案件数 / 各市行政复议申请情况
* compare     — 比较青禾县和云溪市的行政复议案件数 / 青禾县和云溪市的法律援助案件分别是多少 /
                青禾县和云溪市哪个行政复议纠错率高
* difference  — 青禾县比云溪市多办理多少法律援助案件
* threshold   — 行政机关负责人出庭应诉率超过95%的有哪些地方

The answer is a table of (place, year, value, citation) — one row per place (and year asked), the report's own
figure, its span cited — and a conclusion computed from those figures only (the highest, the lowest, a
difference). Places the question names, or places that have a report for the year but state no such figure,
are listed as missing. Figures are ranked only within one unit family (件 with 件, % with %); a difference of
two rates is in 个百分点.
"""
from __future__ import annotations

import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from index.facts import UNIT_FAMILY, Fact
from index.models import Document
from index.store import LoadedIndex
from qa.facts import FactTable, fact_table
from qa.models import Answer, Citation, QAResult, RetrievedPassage

Documents = Mapping[str, Document]  # the reports by id (LoadedIndex.documents)


class Engine(Protocol):
    """What answering a comparison needs of the engine (``qa.engine.QA``, which imports this module): its index."""

    @property
    def index(self) -> LoadedIndex: ...


_PLACE_WORD = r"(?:地方|地区|城市|市州|县市区|县区|市县|区县|市|县|区|旗|州|省|镇|乡|街道|单位)"
_WHICH = re.compile(rf"哪(?:个|些|一个|几个|两个|三个)?{_PLACE_WORD}|哪里|谁(?:的|家)?")
# 第一 ranks only as a rank (排名第一, 第一名): 第一责任人, 第一次 are no superlative
_MOST = re.compile(r"最(高|低|多|少|大|小)|(?:排名|排在|排|位列|位居|名列)第一|第一名|"
                   r"(?:从|由)(高|低|多|少)到(?:高|低|多|少)|排名|排序")
_EACH = re.compile(rf"(?:各|每个|每一个|所有|全部)(?:个)?{_PLACE_WORD}|各地")
_COMPARE = re.compile(r"比较|对比|相比|比一比|谁(?:高|低|多|少|大|小)|哪个(?:高|低|多|少|大|小)|分别(?:是|为|有)?多少")
# 青禾县和云溪市哪个行政复议纠错率高: the indicator between 哪个 and the comparing word, at the question's end
_WHICH_MORE = re.compile(r"(?:哪个|哪一个|谁)的?[^，,。？?]{1,16}?更?(?:高|低|多|少|大|小)(?:一些|一点|些)?[？?]?\s*$")
_MORE_END = r"更?(?:高|低|多|少|大|小)(?:一些|一点|些)?(?=[？?]?\s*$)|哪一?个"
_DIFF = re.compile(r"比[^，,。？?]{0,20}?(?:多|少|高|低|大|小)[^，,。？?]{0,12}?多少|相差|差(?:了)?多少|差距|差值|差额")
_THRESHOLD = re.compile(r"(超过|高于|多于|大于|不少于|不低于|达到|低于|少于|小于|不到|不足|在)\s*"
                        r"(\d+(?:\.\d+)?)\s*(万|亿)?\s*(%|％|[^\s\d的以，,？?]{0,3}?)?\s*(以上|以下)?的")
_NOISE = re.compile(rf"请问|{_MORE_END}|{_WHICH.pattern}|{_MOST.pattern}|{_EACH.pattern}|{_COMPARE.pattern}|"
                    rf"{_DIFF.pattern}|"
                    r"是多少|有多少|多少|分别|情况|数据|一下|列出|有哪些|是哪些|有哪几|的是|(?<=\s)(?:比|和|与|及|跟|同|、)|"
                    r"[？?，,。！!、]")
_YEARS = re.compile(r"(?<!\d)((?:19|20)\d\d)\s*年度?(?!以来|起|至|到|以前|之前)")
_DOWN_WORDS = ("低", "少", "小")


@dataclass
class ComparisonRow:
    rank: int | None  # 1 = first in the order the question asks (highest for 最高); None: not ranked
    region: str
    year: int | None
    value: float  # in the base unit
    unit: str
    text: str  # the figure as the report writes it (cited span)
    indicator: str  # the report's words for it
    doc_id: str
    title: str
    passage_id: str
    start: int
    end: int
    sentence_start: int
    sentence_end: int
    sentence: str
    qualifier: str | None = None
    level: str | None = None
    parents: list[str] = field(default_factory=list)


@dataclass
class MissingPlace:
    region: str
    year: int | None
    reason: str  # 报告未给出该数据 | 语料中没有该地的报告 | 单位不同


@dataclass
class Comparison:
    mode: str  # superlative | all | compare | difference | threshold
    indicator: str  # the indicator's name (from the keys) or the words asked
    keys: list[str]
    unit: str | None
    rows: list[ComparisonRow]
    missing: list[MissingPlace]
    conclusion: str
    order: str = "desc"  # desc | asc | document
    difference: float | None = None
    threshold: float | None = None


@dataclass
class ComparisonResult(QAResult):
    """A QAResult whose answer is a table: ``comparison`` holds the rows, the missing places, the conclusion."""

    comparison: Comparison | None = None


# ---------------------------------------------------------------------------------------------- reading
@dataclass
class Intent:
    mode: str
    order: str  # desc | asc
    places: list[str]  # places the question names (canonical names), in order
    years: list[int]
    indicator_text: str
    threshold: tuple[str, float] | None = None  # (comparison word, value in the base unit)
    threshold_unit: str | None = None
    level: str | None = None  # the kind of place ranked: a level (city …) or a name ending (市); None: any


def _threshold(q: str) -> tuple[tuple[str, float] | None, str | None]:
    m = _THRESHOLD.search(q)
    if not m:
        return None, None
    value = float(m.group(2)) * {"万": 1e4, "亿": 1e8}.get(m.group(3) or "", 1.0)
    word = m.group(1)
    if m.group(5) == "以下" or word in ("低于", "少于", "小于", "不到", "不足"):
        word = "below"
    else:
        word = "above"
    unit = (m.group(4) or "").replace("％", "%") or None
    return (word, value), unit


def _mode(q: str, places: list[str], years: list[int], place_ends: frozenset[int] = frozenset()) -> str | None:
    """Which comparative form ``q`` takes, or None for an ordinary question."""
    if len(places) >= 2 and _DIFF.search(q):
        return "difference"
    if (len(places) >= 2 or len(places) == 1 and len(years) >= 2) and (_COMPARE.search(q) or _WHICH_MORE.search(q)):
        return "compare"
    if _THRESHOLD.search(q) and (_WHICH.search(q) or re.search(r"有哪些|是哪些|有哪几", q)):
        return "threshold"
    if _WHICH.search(q) and _MOST.search(q):
        return "superlative"
    if _each(q, place_ends):
        return "all"
    return None


_BEFORE_EACH = re.compile(r"(?:(?:19|20)\d\d\s*年度?|的|\s)*$")
_FILLER = re.compile(r"^\s*(?:请问|想问一下|问一下|查一下)\s*")


def _each(q: str, place_ends: frozenset[int]) -> bool:
    """各县区 as what the question ranks: at its start, or right after a place, a year or 的 (2024年各地…, 某省各市…).
    After a verb it is an object the report speaks of (组织各县区对照…, 给各县区办了…): an ordinary question."""
    for m in _EACH.finditer(q):
        before = q[:m.start()]
        tail = _BEFORE_EACH.search(before)  # always matches (it may match nothing)
        before = _FILLER.sub("", before[:tail.start() if tail else len(before)])
        if not before or len(before) in place_ends:
            return True
    return False


def asked_years(q: str) -> list[int]:
    """The years a comparison is about (2023年和2024年 both; 2019年以来 is a period, not a year asked)."""
    return sorted({int(y) for y in _YEARS.findall(q)})


def read_intent(q: str, table: FactTable) -> Intent | None:
    """The comparison ``q`` asks for, or None when it is no comparative question."""
    found = table.places_in(q)
    places = list(dict.fromkeys(p for p, _, _ in found))
    years = asked_years(q)
    mode = _mode(q, places, years, frozenset(e for _p, _s, e in found))
    if mode is None:
        return None
    most = _MOST.search(q)
    word = next((g for g in (most.groups() if most else ()) if g), "高")
    order = "asc" if word in _DOWN_WORDS else "desc"
    rest = q
    for _, s, e in sorted(found, key=lambda x: -x[1]):
        rest = rest[:s] + " " + rest[e:]
    rest = re.sub(r"(?:19|20)\d\d\s*年度?", " ", rest)
    threshold, unit = _threshold(rest) if mode == "threshold" else (None, None)
    rest = _THRESHOLD.sub(" ", rest) if mode == "threshold" else rest
    indicator = _NOISE.sub(" ", rest)
    which = _WHICH.search(q) if mode in ("superlative", "threshold") else _EACH.search(q) if mode == "all" else None
    return Intent(mode, order, places, years, " ".join(indicator.split()), threshold, unit,
                  _level_word(which.group(0)) if which else None)


def _level_word(said: str) -> str | None:
    """The kind of place a question ranks (哪个市 -> 市; 各县区 -> county), None for any place (哪个地方)."""
    for words, level in (("县市区", "county"), ("县区", "county"), ("区县", "county"), ("市县", "county"),
                         ("市州", "city"), ("城市", "city"), ("地方", None), ("地区", None), ("单位", None)):
        if words in said:
            return level
    return next((ch for ch in "省市县区旗州镇乡" if ch in said), None)


def _level_fits(region: str | None, level: str | None, wanted: str | None) -> bool:
    if wanted is None:
        return True
    if wanted in ("city", "county", "province", "town"):
        return level == wanted
    return (region or "").endswith(wanted)


# ---------------------------------------------------------------------------------------------- selecting
def _fmt(v: float) -> str:
    return str(int(round(v))) if abs(v - round(v)) < 1e-9 else f"{v:.2f}".rstrip("0").rstrip(".")


def _family(unit: str) -> str:
    return UNIT_FAMILY.get(unit, unit)


def _candidates(table: FactTable, intent: Intent) -> tuple[list[int], list[str], str]:
    """Rows of the facts for the indicator asked (by key, else by the report's wording), the keys, the name."""
    keys = table.keys_for(intent.indicator_text) if intent.indicator_text else []
    if keys:
        rows = [int(i) for k in keys for i in table.by_key.get(k, [])]
        return rows, keys, table.key_names.get(keys[0], intent.indicator_text)
    pieces = sorted((p for p in intent.indicator_text.split() if len(p) >= 2), key=len, reverse=True)
    if not pieces:
        return [], [], ""
    rows = [int(i) for ind, idx in table.by_indicator.items() if pieces[0] in ind for i in idx]
    return rows, [], pieces[0]


def _in_scope(f: Fact, intent: Intent) -> bool:
    if f.kind != "level" or not _level_fits(f.region, f.level, intent.level):
        return False
    if intent.years and f.year not in intent.years:
        return False
    if not intent.places:
        return True
    if intent.mode in ("compare", "difference"):
        return f.region in intent.places
    return any(p == f.region or p in f.parents for p in intent.places)


def best_per_place(table: FactTable, rows: list[int], intent: Intent) -> list[Fact]:
    """One fact per (region, year): a government's report before a department's, the figure whose own words
    name the indicator before one read from its sentence, then the first stated; the latest year per region
    when the question names none."""
    best: dict[tuple[str, int | None], tuple[tuple, Fact]] = {}
    for i in rows:
        f = table.facts[i]
        if not f.region or not _in_scope(f, intent):
            continue
        rank = (f.department is not None, -f.key_strength, i)
        slot = (f.region, f.year)
        if slot not in best or rank < best[slot][0]:
            best[slot] = (rank, f)
    chosen = [f for _, f in best.values()]
    if not intent.years:
        latest: dict[str, Fact] = {}
        for f in chosen:
            region = f.region or ""
            if region not in latest or (f.year or 0) > (latest[region].year or 0):
                latest[region] = f
        chosen = list(latest.values())
    return chosen


def _report_places(docs: Documents, intent: Intent) -> dict[str, set[int | None]]:
    """The places in the question's scope that have a report (a government's, or any for a place the question
    names), with the years they cover."""
    named = intent.mode in ("compare", "difference")
    out: dict[str, set[int | None]] = {}
    for d in docs.values():
        m = d.meta
        if not m.region or (m.department and not named) or not _level_fits(m.region, m.level, intent.level):
            continue
        in_scope = (m.region in intent.places if named else
                    not intent.places or any(p == m.region or p in m.parents for p in intent.places))
        if in_scope:
            out.setdefault(m.region, set()).add(m.year)
    return out


def _missing(docs: Documents, intent: Intent, have: set[tuple[str, int | None]]) -> list[MissingPlace]:
    """The places (and years asked) in scope without the figure, and why."""
    reports = _report_places(docs, intent)
    named = intent.places if intent.mode in ("compare", "difference") else sorted(reports)
    out: list[MissingPlace] = []
    for place in named:
        years = reports.get(place, set())
        asked: list[int | None] = [*intent.years] or [None]
        for year in asked:
            if (place, year) in have or (year is None and any(p == place for p, _ in have)):
                continue
            if not years:
                reason = "语料中没有该地的报告"
            elif year is not None and year not in years:
                reason = f"语料中没有该地{year}年的报告"
            else:
                reason = "报告未给出该数据"
            out.append(MissingPlace(place, year, reason))
    return out


def _row(docs: Documents, table: FactTable, f: Fact) -> ComparisonRow:
    text = docs[f.doc_id].clean_text
    return ComparisonRow(None, f.region or "", f.year, f.value, f.unit, f.text, f.indicator, f.doc_id,
                         table.titles.get(f.doc_id, ""), f.passage_id, f.start, f.end, f.sentence_start,
                         f.sentence_end, text[f.sentence_start:f.sentence_end], f.qualifier, f.level, list(f.parents))


def _split_units(facts: list[Fact], keys: list[str], table: FactTable) -> tuple[list[Fact], list[Fact], str | None]:
    """The facts in the indicator's unit family (the key's, else the most common) and the others."""
    if not facts:
        return [], [], None
    unit = next((k.unit for k in table.keys if k.key in keys and k.unit), None)
    families = [_family(f.unit) for f in facts]
    family = _family(unit) if unit else max(set(families), key=lambda u: (families.count(u), u))
    same = [f for f in facts if _family(f.unit) == family]
    return same, [f for f in facts if _family(f.unit) != family], unit or same[0].unit


def _passes(v: float, threshold: tuple[str, float] | None) -> bool:
    if threshold is None:
        return True
    word, x = threshold
    return v > x if word == "above" else v < x


def _label(r: ComparisonRow) -> str:
    return f"{r.region}({r.year}年,{r.text})" if r.year else f"{r.region}({r.text})"


def _difference(rows: list[ComparisonRow], intent: Intent) -> tuple[str, float | None]:
    by_place = {r.region: r for r in rows}
    a, b = (by_place.get(p) for p in intent.places[:2])
    if a is None or b is None:
        return "", None
    diff = a.value - b.value
    unit = "个百分点" if a.unit == "%" else a.unit
    word = "多" if diff >= 0 else "少"
    if a.unit in ("%", "个百分点"):
        word = "高" if diff >= 0 else "低"
    return f"{_label(a)}比{_label(b)}{word}{_fmt(abs(diff))}{unit}", diff


def _conclusion(c: Comparison, intent: Intent) -> str:
    """One sentence from the cited figures: the highest / lowest, the difference, the places over a line."""
    name, rows = c.indicator, c.rows
    if not rows:
        return f"报告中没有找到可比较的“{name}”数据"
    if intent.mode == "difference" and c.difference is not None:
        text, _ = _difference(rows, intent)
        return f"{name}:{text}"
    if intent.mode == "threshold" and c.threshold is not None:
        word = "超过" if intent.threshold and intent.threshold[0] == "above" else "低于"
        head = f"{name}{word}{_fmt(c.threshold)}{c.unit or ''}的有{len(rows)}个地方"
        return head + ":" + "、".join(_label(r) for r in rows)
    high, low = ("最高", "最低") if c.unit in ("%", "个百分点") else ("最多", "最少")
    top, bottom = _extreme(rows, max), _extreme(rows, min)
    if len(rows) == 1:
        return f"只有{_label(rows[0])}报告了{name}"
    if c.order == "asc":
        return f"{name}{low}的是{bottom};{high}的是{top}"
    places = len({r.region for r in rows})
    head = f"{places}个地方报告了{name}" if places == len(rows) else f"{name}共{len(rows)}个数据"
    return f"{head}:{high}的是{top},{low}的是{bottom}"


def _extreme(rows: list[ComparisonRow], pick) -> str:
    """The rows holding the highest (``max``) or lowest (``min``) value, every one of a tie (A、B(100%))."""
    v = pick(r.value for r in rows)
    return "、".join(_label(r) for r in rows if r.value == v)


def _ordered(same: list[Fact], intent: Intent) -> tuple[list[Fact], str]:
    """The facts in the order the question asks: by value (desc or asc), or as it names the places."""
    if intent.mode in ("compare", "difference"):
        place_pos = {p: i for i, p in enumerate(intent.places)}
        return sorted(same, key=lambda f: (place_pos.get(f.region or "", 99), f.year or 0)), "document"
    order = "asc" if intent.order == "asc" else "desc"
    return sorted(same, key=lambda f: (f.value if order == "asc" else -f.value, f.region or "", f.year or 0)), order


def _over_line(same: list[Fact], other: list[Fact], unit: str | None,
               intent: Intent) -> tuple[list[Fact], list[Fact], float | None]:
    """The facts past the question's line (超过95%); a line in another unit compares with nothing."""
    if intent.mode != "threshold" or not intent.threshold:
        return same, other, None
    if intent.threshold_unit and unit and _family(intent.threshold_unit) != _family(unit):
        return [], other + same, intent.threshold[1]
    return [f for f in same if _passes(f.value, intent.threshold)], other, intent.threshold[1]


def compare(docs: Documents, intent: Intent, table: FactTable) -> Comparison | None:
    """The table and conclusion for ``intent`` over the reports ``docs`` (by id) and their fact table; None when
    no indicator can be read from the question."""
    rows, keys, name = _candidates(table, intent)
    if not name:
        return None
    facts = best_per_place(table, rows, intent)
    same, other, unit = _split_units(facts, keys, table)
    same, other, threshold = _over_line(same, other, unit, intent)
    same, order = _ordered(same, intent)
    out = [_row(docs, table, f) for f in same]
    for i, r in enumerate(out, 1):
        r.rank = i if order != "document" else None
    missing = _missing(docs, intent, {(f.region, f.year if intent.years else None) for f in facts if f.region})
    missing += [MissingPlace(f.region or "", f.year, f"单位不同({f.text}),未参与比较") for f in other]
    c = Comparison(intent.mode, name, keys, unit, out, missing, "", order, threshold=threshold)
    if intent.mode == "difference":
        c.difference = _difference(out, intent)[1]
    c.conclusion = _conclusion(c, intent)
    return c


def _answers(c: Comparison) -> list[Answer]:
    return [Answer(text=r.text, score=1.0, sentence=r.sentence, kind="quantity",
                   citation=Citation(r.doc_id, r.title, r.region, r.year, r.passage_id, r.start, r.end,
                                     r.sentence_start, r.sentence_end))
            for r in c.rows]


def _passages(qa: Engine, table: FactTable, c: Comparison, top_k: int) -> list[RetrievedPassage]:
    out: list[RetrievedPassage] = []
    seen: set[str] = set()
    for r in c.rows:
        if r.passage_id in seen or len(out) >= top_k:
            continue
        seen.add(r.passage_id)
        p = qa.index.passages[table.passage_pos[r.passage_id]]
        out.append(RetrievedPassage(rank=len(out) + 1, score=1.0, passage_id=p.passage_id, doc_id=p.doc_id,
                                    title=r.title, region=r.region, year=r.year, section=p.section_path,
                                    text=p.text, start=p.start, end=p.end))
    return out


def answer_comparison(qa: Engine, q: str, filters: dict | None, top_k: int, t0: float) -> ComparisonResult | None:
    """The answer to a comparative question, or None for any other question (answered as before)."""
    if not _mode_words(q):
        return None
    table = fact_table(qa.index)
    intent = read_intent(q, table)
    if intent is None:
        return None
    filters = filters or {}
    if filters.get("year") is not None and not intent.years:
        intent.years = [int(filters["year"])]
    if filters.get("region") and not intent.places:
        intent.places = table.places_for(str(filters["region"]))
    c = compare(qa.index.documents, intent, table)
    if c is None or not c.rows and len(intent.places) == 1:
        # one place and nothing to compare: a question about that place's report (某市把谁的第一责任人…, 某县没达到
        # 5%的是哪些单位) that merely reads like a comparison; the ordinary answer reads its report
        return None
    answers = _answers(c)
    return ComparisonResult(question=q, answer=c.conclusion if c.rows else None,
                            reason=None if c.rows else c.conclusion, answers=answers,
                            passages=_passages(qa, table, c, top_k),
                            took_ms=round((time.perf_counter() - t0) * 1000, 2), query=None, comparison=c)


def _mode_words(q: str) -> bool:
    """A cheap first look: could ``q`` be comparative at all (before the fact table is read)?"""
    return bool(_MOST.search(q) or _EACH.search(q) or _COMPARE.search(q) or _DIFF.search(q)
                or _THRESHOLD.search(q) or _WHICH_MORE.search(q))
