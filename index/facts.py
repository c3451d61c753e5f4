"""Facts: every figure a report states, read once at index time (region, year, indicator, value, unit, citation).

A fact is one figure of one sentence: ``办理法律援助案件8185件`` -> indicator 办理法律援助案件, value 8185, unit 件,
and the char span of ``8185件`` in the report's cleaned text (``clean_text[start:end] == text``). The region,
its level and parents and the year are the report's own (a year that opens the clause, 2023年，…, wins).
"分别" lists give each item its figure (A和B分别下降37%、40%: A -37%, B -40%), and a figure after 同比/较上年
下降/增长/提高 is a change, not a level. Figures of plan and problem sections (下一步 / 存在的问题) are targets or
shortfalls, not results, and are skipped; so are years, dates, ordinals, document numbers and figures inside
《》 or “”.

The indicator key (``index/data/indicators.tsv``, editable) lets synonyms meet: 纠错率 / 被纠正的比例,
新收 / 受理 / 收到 for applications. Facts are written to ``facts.jsonl`` in the build folder.

    >>> [(f.indicator, f.value, f.unit) for f in sentence_figures("全年办理法律援助案件1733件。")]
    [('办理法律援助案件', 1733.0, '件')]
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from index.models import Document, Passage
from index.text import sentence_spans, tokenizer
from index.units import fact_families

FACTS_FILE = "facts.jsonl"

# ------------------------------------------------------------------------------------------------ figures
# Units a comparable figure may have, longest first, and the family each is ranked within: the units /facts
# records in index/data/units.tsv, the table /ask reads too (durations, dates and areas are left out there: not
# quantities anyone ranks places by). ％ is the full-width spelling of %.
UNIT_FAMILY = fact_families()
UNITS = (*sorted(UNIT_FAMILY, key=len, reverse=True), "％")
_CN = "零〇一二两三四五六七八九十百千"
FIGURE_RE = re.compile(
    r"(?P<pre>约|近|超过|逾|达到|达|共计|共|不少于|不低于|累计|合计)?"
    rf"(?P<num>\d+(?:[.,]\d+)*|[{_CN}]{{1,4}})\s*(?P<mag>余万|多万|万余|万多|余|多|万|亿|千)?\s*"
    rf"(?P<unit>{'|'.join(map(re.escape, UNITS))})(?P<tail>以上|以下|左右)?")
_QUALIFIED_PRE = ("约", "近", "超过", "逾", "不少于", "不低于")
_MAGNITUDE = {"万": 1e4, "亿": 1e8, "千": 1e3}
# written unit -> (base unit, factor): 1.35亿元 is 135000000 元
_UNIT_BASE = {"万元": ("元", 1e4), "亿元": ("元", 1e8), "千元": ("元", 1e3), "万余元": ("元", 1e4),
              "亿余元": ("元", 1e8), "百分点": ("个百分点", 1.0), "％": ("%", 1.0)}
_CN_COUNT_UNITS = frozenset({"个", "次", "项", "件", "人", "名", "家", "条", "批", "场", "期", "支", "部", "份", "类"})

_CLAUSE_BREAK = re.compile(r"[，,；;：:。！？!?（）()]")
_CHANGE_VERB = re.compile(r"(?:同比|环比|较上年|比上年|较去年|比去年|较上一年|较\d{4}年|比\d{4}年)?"
                          r"(?:分别)?(下降|减少|降低|压减|压缩|缩减|回落|增长|增加|提高|提升|上升|增幅|降幅)(?:了|为|达)?$")
_COMPARED = re.compile(r"同比|环比|较上年|比上年|较去年|比去年|较上一年|较\d{4}年|比\d{4}年|"
                       r"增幅|降幅|下降|增长|提高|减少")
_DOWN = ("下降", "减少", "降低", "压减", "压缩", "缩减", "回落", "降幅")
_LEAD_FILLER = re.compile(r"^(?:[、并且还均也共的]|(?:和|及|与)$|另外|此外|同时|其中|全年|年内|今年|本年|当年|"
                          r"累计|合计|总计|先后|已经|已|分别|共有|(?:19|20)\d\d\s*年度?(?:来|以来|全年|内)?|"
                          r"截[至止][^，,]{0,8}?[底末])+")
_TRAIL_FILLER = re.compile(r"(?:分别|均|共计|共|合计|累计|总计|约|近|达到|达|为|是|有|计|了|至|到|超过|逾|\s)+$")
_CLAUSE_YEAR = re.compile(r"^\s*((?:19|20)\d\d)\s*年度?(?:[,，]|全年|内|来|$|(?=[^以至到起]))")
_PLAN_SECTION = re.compile(r"下一步|下一年度|下步|明年|今后|打算|安排|计划|思路|展望|存在的?问题|不足|短板|困难")
_PLAN_CLAUSE = re.compile(r"力争|争取|目标|计划|预计|要求|不低于|不少于|确保")
_SEPARATORS = re.compile(r"[、和及与]")
_TAIL = re.compile(r"[^\s，,；;：:。！？!?（）()、\d《》]{1,12}")
_TAIL_STOP = re.compile(r"参加|参与|开展|进行|实现|实行|完成|获得|提供|纳入|通过|接受|以上|以下|左右|按照|"
                        r"[到在的被向由从给]|^为")
_THRESHOLD_BEFORE = re.compile(r"(?:低于|高于|不到|不足|控制在|以内|标准|要求)$")
_NOT_A_COUNT_AFTER = re.compile(r"工作日|月|小时|星期|季度|半月|学年|周")


@dataclass
class Fact:
    """One figure a report states, with everything needed to cite it."""

    doc_id: str
    passage_id: str
    region: str | None
    level: str | None
    parents: list[str]
    year: int | None
    indicator: str  # the report's own words before the figure (行政复议纠错率, 办理法律援助案件)
    key: str | None  # normalised indicator (index/data/indicators.tsv); None: no key fits
    value: float  # in the base unit (3.16万人次 -> 31600; 12.4% -> 12.4)
    unit: str  # base unit (件, 人次, %, 元, 个百分点)
    text: str  # the figure as written: clean_text[start:end]
    start: int
    end: int
    sentence_start: int
    sentence_end: int
    kind: str = "level"  # level | change
    direction: str | None = None  # up | down for a change
    qualifier: str | None = None  # 约 / 超过 / 余 / 以上 …: approximate or a bound
    key_strength: int = 0  # 2: the figure's own label names the key; 1: with the sentence before it
    department: str | None = None  # the reporting department, when a department reports
    section: str = ""

    @property
    def family(self) -> str:
        """The unit family figures are compared within (件 with 起, % with %)."""
        return UNIT_FAMILY.get(self.unit, self.unit)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Fact:
        return cls(**d)


# ------------------------------------------------------------------------------------------------ keys
@dataclass(frozen=True)
class IndicatorKey:
    key: str
    name: str
    unit: str
    own: tuple[str, ...]
    context: tuple[str, ...]
    exclude: tuple[str, ...]
    asked: tuple[str, ...] = ()

    def words(self) -> tuple[str, ...]:
        """Every word that names this indicator (for free-text search)."""
        return (self.name,) + self.own + self.asked


def _alts(cell: str) -> tuple[str, ...]:
    return tuple(w for w in (x.strip() for x in cell.split("|")) if w)


def parse_keys(text: str) -> list[IndicatorKey]:
    """Rows of an indicators TSV; ValueError (with the line number) for a malformed row."""
    out: list[IndicatorKey] = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.rstrip("\n").split("\t")
        if len(cells) < 4 or not cells[0].strip() or not _alts(cells[3]):
            raise ValueError(f"indicators line {n}: expected key, name, unit, own words[, context, exclude, asked]")
        cells += [""] * (7 - len(cells))
        out.append(IndicatorKey(cells[0].strip(), cells[1].strip(), cells[2].strip(), _alts(cells[3]),
                                _alts(cells[4]), _alts(cells[5]), _alts(cells[6])))
    return out


@lru_cache(maxsize=1)
def indicator_keys() -> tuple[IndicatorKey, ...]:
    return tuple(parse_keys(resources.files("index").joinpath("data", "indicators.tsv").read_text(encoding="utf-8")))


def assign_key(indicator: str, context: str, unit: str,
               keys: Iterable[IndicatorKey] | None = None) -> tuple[str | None, int]:
    """The key of a figure labelled ``indicator`` (``context``: the words before it) and its strength."""
    family = UNIT_FAMILY.get(unit, unit)
    for k in indicator_keys() if keys is None else keys:
        if k.unit and UNIT_FAMILY.get(k.unit, k.unit) != family:
            continue
        if not any(w in indicator for w in k.own) or any(w in indicator for w in k.exclude):
            continue
        if not k.context or any(w in indicator for w in k.context):
            return k.key, 2
        if any(w in context for w in k.context):
            return k.key, 1
    return None, 0


# ------------------------------------------------------------------------------------------------ values
def _cn_number(s: str) -> float | None:
    digits = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}
    total, cur = 0, 0
    for ch in s:
        if ch in digits:
            cur = digits[ch]
        elif ch in "十百千":
            total += (cur or 1) * {"十": 10, "百": 100, "千": 1000}[ch]
            cur = 0
        else:
            return None
    return float(total + cur)


def figure_value(m: re.Match[str]) -> tuple[float, str, str | None] | None:
    """(value in the base unit, base unit, qualifier) of a FIGURE_RE match; None when it is no number."""
    num, mag, unit = m.group("num"), m.group("mag") or "", m.group("unit")
    if num[0].isdigit():
        try:
            value = float(num.replace(",", ""))
        except ValueError:
            return None
    else:
        parsed = _cn_number(num)
        if parsed is None:
            return None
        value = parsed
    factor = next((f for c, f in _MAGNITUDE.items() if c in mag), 1.0)
    base, unit_factor = _UNIT_BASE.get(unit, (unit, 1.0))
    qualifier = next((q for q in (m.group("pre"), m.group("tail")) if q and q not in ("达", "达到", "共", "共计",
                                                                                   "累计", "合计")), None)
    if qualifier is None and ("余" in mag or "余" in unit):
        qualifier = "余"
    elif qualifier is None and "多" in mag:
        qualifier = "多"
    return round(value * factor * unit_factor, 6), base, qualifier


# ------------------------------------------------------------------------------------------------ sentences
def _inside_marks(text: str, pos: int) -> bool:
    for open_, close in (("《", "》"), ("“", "”"), ("〔", "〕"), ("[", "]")):
        o = text.rfind(open_, 0, pos)
        if o != -1 and text.find(close, o) >= pos:
            return True
    return False


def _skip(sent: str, m: re.Match[str]) -> bool:
    """Not a stated quantity: an ordinal, a serial, an idiom (一次性), a quoted name, a figure in a name."""
    num, unit, s = m.group("num"), m.group("unit"), m.start("num")
    if not num[0].isdigit() and (unit not in _CN_COUNT_UNITS or num == "一"):
        return True
    if m.group("pre") in ("不少于", "不低于"):
        return True  # a requirement (课程不少于10学时), not a result
    if sent[max(0, s - 1):s] in ("第", "〕", "]", "）", ")", "-", "—", "～", "~", ".", "·"):
        return True
    nxt = sent[m.end():m.end() + 1]
    if nxt and (nxt.isdigit() or nxt in "-—～~"):
        return True  # a range or a code, not one figure
    if _THRESHOLD_BEFORE.search(sent[max(0, m.start() - 4):m.start()]):
        return True  # 低于15%: a threshold the figure is compared with
    if unit == "个" and _NOT_A_COUNT_AFTER.match(sent, m.end()):
        return True  # 1个工作日, 3个月: a duration
    return _inside_marks(sent, s)


@dataclass
class _Clause:
    start: int
    end: int
    items: dict[int, str] = field(default_factory=dict)  # figure start -> its "分别" item and verb (A下降)


def _clauses(sent: str) -> list[_Clause]:
    out, s = [], 0
    for m in _CLAUSE_BREAK.finditer(sent):
        out.append(_Clause(s, m.start()))
        s = m.end()
    out.append(_Clause(s, len(sent)))
    return out


def _respectively(sent: str, clause: _Clause, figures: list[re.Match[str]]) -> None:
    """"A、B和C分别为x、y、z": item k names figure k (the last items when there are more items than figures)."""
    k = sent.find("分别", clause.start, clause.end)
    if k < 0:
        return
    mine = [m for m in figures if k < m.start() < clause.end]
    items = [x for x in _SEPARATORS.split(_clean_label(sent[clause.start:k])) if x]
    if len(mine) >= 2 and len(items) >= len(mine):
        verb = sent[k + 2:mine[0].start()]
        clause.items = {m.start(): it + verb for m, it in zip(mine, items[-len(mine):], strict=False)}


def _clean_label(label: str) -> str:
    label = _LEAD_FILLER.sub("", label.strip().replace("“", "").replace("”", ""))
    return _TRAIL_FILLER.sub("", label).strip(" 、“”")


def _whole_words(part: str, longer: str) -> str:
    """``part`` without a word it cuts in two (…文件资|格 -> …文件)."""
    if len(part) < 12:
        return part
    out = ""
    for w in tokenizer().lcut(longer):
        if len(out) + len(w) > len(part):
            break
        out += w
    return out


def _label(sent: str, m: re.Match[str], clause: _Clause, prev: tuple[int, int]) -> tuple[str, int]:
    """The figure's own words — from the previous figure's words (or the clause start) up to it, and the noun
    right after it when one follows (组织716名行政执法人员参加… -> 组织行政执法人员) — and where its words end.
    ``prev``: where the previous figure and its words end (a figure with no words of its own shares them)."""
    if m.start() in clause.items:
        return clause.items[m.start()], m.end()
    label = _clean_label(sent[max(clause.start, prev[1]):m.start()])
    tail = _TAIL.match(sent, m.end())
    raw = tail.group(0) if tail else ""
    cut = _TAIL_STOP.search(raw)
    noun = raw[:cut.start()] if cut else _whole_words(raw, sent[m.end():m.end() + len(raw) + 4])
    end = m.end() + len(noun)
    noun = noun.replace("“", "").replace("”", "").rstrip("和及与等")
    if len(noun) < 2:
        noun = ""
    if not label and not noun:  # 8个领域行政执法案卷350余本: the words of the figure before
        label = _clean_label(sent[max(clause.start, prev[0]):m.start()])
    return label + noun, end


def _change(label: str, clause_head: str, unit: str) -> tuple[str, str | None, str]:
    """(kind, direction, indicator without the change words) of a figure labelled ``label``."""
    verb = _CHANGE_VERB.search(label)
    compared = unit in ("%", "个百分点") or bool(_COMPARED.search(clause_head))
    if verb and compared or unit == "个百分点":
        word = verb.group(1) if verb else ""
        stripped = _TRAIL_FILLER.sub("", label[:verb.start()] if verb else label)
        stripped = re.sub(r"(?:同比|环比|较上年|比上年|较去年|比去年)$", "", stripped)
        return "change", ("down" if word in _DOWN else "up") if word else None, stripped
    return "level", None, label


def _clause_year(sent: str, clause: _Clause, clauses: list[_Clause]) -> int | None:
    """A year that opens the figure's clause, or the first clause of its sentence (2023年，…)."""
    for c in (clause, clauses[0]):
        y = _CLAUSE_YEAR.match(sent[c.start:c.end])
        if y:
            return int(y.group(1))
    return None


@dataclass
class Figure:
    """A figure of one sentence, before it is tied to a report: offsets are the sentence's."""

    start: int
    end: int
    indicator: str
    value: float
    unit: str
    kind: str
    direction: str | None
    qualifier: str | None
    year: int | None  # the year its clause names, if any


def _span(sent: str, m: re.Match[str]) -> tuple[int, int]:
    s = m.start("pre") if m.group("pre") in _QUALIFIED_PRE else m.start("num")
    return s, m.end()


def sentence_figures(sent: str) -> list[Figure]:
    """The figures ``sent`` states, with their labels (see the module docstring)."""
    figures = [m for m in FIGURE_RE.finditer(sent) if not _skip(sent, m)]
    if not figures:
        return []
    clauses = _clauses(sent)
    for c in clauses:
        _respectively(sent, c, figures)
    out: list[Figure] = []
    prev = (0, 0)
    for m in figures:
        value = figure_value(m)
        clause = next(c for c in clauses if c.start <= m.start() <= c.end)
        head = sent[clause.start:m.start()]
        label, words_end = _label(sent, m, clause, prev)
        prev = (m.end(), words_end)
        if value is None or _PLAN_CLAUSE.search(head) or not re.search(r"[\u4e00-\u9fff]", label):
            continue
        kind, direction, indicator = _change(label, head, value[1])
        if not indicator:  # 优秀率为72.3%，较上年提高6.8个百分点: the change of the figure before
            indicator = out[-1].indicator if out else label
        s, e = _span(sent, m)
        out.append(Figure(s, e, indicator, value[0], value[1], kind, direction, value[2],
                          _clause_year(sent, clause, clauses)))
    return out


def _passage_facts(doc: Document, p: Passage, keys: tuple[IndicatorKey, ...]) -> Iterator[Fact]:
    text, meta = doc.clean_text, doc.meta
    if _PLAN_SECTION.search(p.section_path):
        return
    prev = ""
    for ss, se in sentence_spans(text, p.start, p.end):
        sent = text[ss:se]
        for f in sentence_figures(sent):
            key, strength = assign_key(f.indicator, prev + "|" + sent[:f.start], f.unit, keys)
            yield Fact(doc.doc_id, p.passage_id, meta.region, meta.level, list(meta.parents),
                       f.year or meta.year, f.indicator, key, f.value, f.unit, text[ss + f.start:ss + f.end],
                       ss + f.start, ss + f.end, ss, se, f.kind, f.direction, f.qualifier, strength,
                       meta.department, p.section_path)
        prev = sent


def extract_facts(docs: Iterable[Document], passages: Iterable[Passage]) -> list[Fact]:
    """Every fact of every report, in document order (a sentence split across passages is read in each)."""
    by_id = {d.doc_id: d for d in docs}
    keys = indicator_keys()
    seen: set[tuple[str, int]] = set()
    out: list[Fact] = []
    for p in passages:
        doc = by_id.get(p.doc_id)
        if doc is None:
            continue
        for f in _passage_facts(doc, p, keys):
            if (f.doc_id, f.start) not in seen:
                seen.add((f.doc_id, f.start))
                out.append(f)
    return out


def write_facts(folder: Path, docs: Iterable[Document], passages: Iterable[Passage]) -> int:
    """Extract the facts of ``docs`` and write them to ``folder/facts.jsonl``; returns how many."""
    facts = extract_facts(docs, passages)
    with (Path(folder) / FACTS_FILE).open("w", encoding="utf-8") as f:
        for fact in facts:
            f.write(json.dumps(fact.to_dict(), ensure_ascii=False) + "\n")
    return len(facts)


def read_facts(folder: Path) -> list[Fact] | None:
    """The facts stored in a build folder; None when the build has none (built before facts existed)."""
    path = Path(folder) / FACTS_FILE
    if not path.is_file():
        return None
    with path.open(encoding="utf-8") as f:
        return [Fact.from_dict(json.loads(line)) for line in f if line.strip()]
