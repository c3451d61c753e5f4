"""Question understanding: which place and year a question names, and what kind of answer it wants.

Places are matched against the regions of the indexed reports (never a list in code); a place the question
names that no report covers — and that the corpus never mentions — makes the question unanswerable.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from index.metadata import ADMIN_SUFFIXES, ZONE_WORDS, department_forms, place_mentions, zone_short_forms
from index.models import Document
from index.places import find_places, lookup
from index.text import pos_cut, stopwords, tokenizer
from qa.answer.spans import inside_marks
from qa.answer.synonyms import expand, synonyms  # noqa: F401  (re-exported)
from qa.answer.types import classify
from qa.models import QueryInfo

_YEAR_Q = re.compile(r"(20\d\d|19\d\d)\s*年?")
_PLAN_WORDS = re.compile(r"计划|打算|安排|将要|下一步|明年|今后|(?<![主重需只])要(?![求点素])")
QUESTION_WORDS = ["是多少", "有多少", "多少", "是几", "有几", "几", "是什么", "叫什么名字", "叫什么", "什么", "是谁",
                  "谁", "哪个", "哪些", "哪里", "哪家", "哪位", "如何", "怎么样", "怎么", "怎样", "是否", "有没有",
                  "吗", "呢", "请问", "一共", "共", "总共", "共计", "共有", "累计", "分别", "多高", "多大",
                  "比例", "占比"]


# a stem followed by one of these still names its place: 石门县委 is 石门 + 县委
_LEVEL_WORDS_AFTER = ("市委", "县委", "区委", "市长", "县长", "区长", "市政", "县政", "区政")


def _division_forms(region: str, parents: tuple[str, ...] = ()) -> set[str]:
    """Short forms of a division from China's administrative divisions (云南省 -> 云南; 大理白族自治州 -> 大理州)."""
    places = [p for p in lookup(region) if p.name == region]
    fitting = [p for p in places if not parents or p.parents == parents] or places
    return {s for p in fitting for s in p.short}


def _written_forms(region: str) -> set[str]:
    """Forms derived from the name itself (for places not in the divisions): 云溪市 -> 云溪; 某某市示范区 -> 示范区."""
    out = {region}
    if region.endswith(ADMIN_SUFFIXES) and len(region) >= 3 and not region.endswith(ZONE_WORDS):
        out.add(region[:-1])
    m = re.match(r"^(.{2,}?)(市|州|盟)(.{2,})$", region)
    if m:
        parent, _, rest = m.groups()
        out.add(parent + rest)
        if len(rest) >= 3:
            out.add(rest)
        out |= {a for a in _written_forms(rest) if len(a) >= 2} if rest != region else set()
    return out | _zone_forms(region)


def _zone_forms(region: str) -> set[str]:
    """某某市示范区 -> 某某示范区; 某某经济技术开发区 -> 某某经开区 (index/data/zone_words.txt)."""
    out: set[str] = set()
    for zone in ZONE_WORDS:
        if region.endswith(zone) and len(region) > len(zone):
            out.add(region[: -len(zone)].rstrip("市") + zone)
    for zone, shorts in zone_short_forms().items():
        if region.endswith(zone) and len(region) > len(zone):
            stem = region[: -len(zone)]
            out |= {stem + s for s in shorts} | {stem.rstrip("市") + s for s in shorts}
    return out


def _join(parent: str, child: str) -> set[str]:
    """乐山市 + 市中区 -> {乐山市市中区, 乐山市中区}."""
    out = {parent + child}
    if parent[-1:] == child[:1]:
        out.add(parent + child[1:])
    return out


def region_aliases(region: str, parents: list[str] | tuple[str, ...] = ()) -> set[str]:
    """The names a question may use for a report's region.

    云溪市 -> {云溪市, 云溪}; 某某市示范区 -> {某某市示范区, 某某示范区, 示范区}; 云南省 -> {云南省, 云南};
    with its parents, a town also by its county (凤庆县凤山镇, 凤庆凤山镇) and a district by its city (乐山市中区).
    A one-character stem has no short form: 云县 stays 云县.
    """
    parents = tuple(parents)
    out = _written_forms(region) | _division_forms(region, parents)
    for i, parent in enumerate(parents):
        if i < len(parents) - 2:
            continue  # the county and the city above a town, the city and the province above a county
        for pf in {parent} | _division_forms(parent, parents[:i]):
            if not region.startswith(pf):
                out |= _join(pf, region)
    if len(parents) >= 2 and not region.startswith(parents[-1]):  # 临沧市临翔区凤翔街道
        out |= _join(parents[-2] + parents[-1], region)
    return {a for a in out if len(a) >= 2}


@lru_cache(maxsize=1)
def _forms_by_department() -> dict[str, set[str]]:
    """人力资源和社会保障局 -> {人力资源和社会保障局, 人社局, 人力社保局, …} (index/data/departments.txt)."""
    out: dict[str, set[str]] = {}
    for form, full in department_forms().items():
        out.setdefault(full, {full}).add(form)
    return out


def department_aliases(department: str, region: str, parents: list[str] | tuple[str, ...] = ()) -> set[str]:
    """临沧市人力资源和社会保障局 -> {临沧市人社局, 临沧人社局, …}; 云南省交通运输厅 -> {云南交通厅, …}."""
    forms = department_forms()
    core = next((department_forms()[f] for f in sorted(forms, key=len, reverse=True) if department.endswith(f)), None)
    if core is None:
        i = department.find(region)
        core = department[i + len(region):] if i >= 0 and department[i + len(region):] else None
    out = {department}
    if core:
        for place in region_aliases(region, parents):
            out |= {place + f for f in _forms_by_department().get(core, {core})}
    return out


@dataclass
class Gazetteer:
    """The indexed reports' regions (and departments) and years, with the aliases a question may use."""

    alias_to_regions: dict[str, set[str]]
    region_docs: dict[str, list[str]]  # a region's reports, or a department's
    doc_years: dict[str, int | None]
    doc_region: dict[str, str | None]
    corpus_text: str  # all cleaned text, for "is this place mentioned anywhere"
    departments: set[str] = field(default_factory=set)  # the keys of region_docs that name a department
    government_docs: set[str] = field(default_factory=set)  # reports of a government, not of a department

    @classmethod
    def from_documents(cls, docs: list[Document]) -> Gazetteer:
        a2r: dict[str, set[str]] = {}
        r2d: dict[str, list[str]] = {}
        depts: set[str] = set()
        for d in docs:
            m = d.meta
            if not m.region:
                continue
            r2d.setdefault(m.region, []).append(d.doc_id)
            for a in region_aliases(m.region, m.parents):
                a2r.setdefault(a, set()).add(m.region)
            if m.department:
                depts.add(m.department)
                r2d.setdefault(m.department, []).append(d.doc_id)
                for a in department_aliases(m.department, m.region, m.parents):
                    a2r.setdefault(a, set()).add(m.department)
        gov = {d.doc_id for d in docs if not d.meta.department}
        return cls(a2r, r2d, {d.doc_id: d.meta.year for d in docs}, {d.doc_id: d.meta.region for d in docs},
                   "\n".join(d.clean_text for d in docs), depts, gov)

    def docs_for(self, keys: list[str], within: set[str] | None = None) -> set[str]:
        """The reports (among ``within``) of the regions or departments a question names: a department's own
        reports; for a place named alone, its government's reports when there is one, else all the place's."""
        named = [k for k in keys if k in self.departments] or keys
        out: set[str] = set()
        for k in named:
            docs = set(self.region_docs.get(k, []))
            if within is not None:
                docs &= within
            out |= docs if k in self.departments else (docs & self.government_docs) or docs
        return out

    def docs_of_years(self, years: list[int], within: set[str], plan: bool = False) -> set[str]:
        """The reports (among ``within``) about one of ``years``; with ``plan``, also those of the year before
        (a report's plans for next year)."""
        wanted = set(years) | ({y - 1 for y in years} if plan else set())
        return {d for d in within if self.doc_years.get(d) in wanted}

    def sorted_aliases(self) -> list[str]:
        if not hasattr(self, "_sorted"):
            self._sorted = sorted(self.alias_to_regions, key=len, reverse=True)
        return self._sorted

    def _aliases_in(self, q: str) -> list[str]:
        """The aliases that occur in ``q``, longest first (only those starting with one of q's characters are
        tried: a corpus of thousands of reports has tens of thousands of aliases)."""
        if not hasattr(self, "_by_first"):
            self._by_first: dict[str, list[str]] = {}
            for a in self.sorted_aliases():
                self._by_first.setdefault(a[0], []).append(a)
        found = {a for ch in set(q) for a in self._by_first.get(ch, ()) if a in q}
        return sorted(found, key=lambda a: (-len(a), a))

    def find_regions(self, q: str) -> tuple[list[str], list[tuple[int, int]]]:
        found: list[str] = []
        spans: list[tuple[int, int]] = []
        for alias in self._aliases_in(q):
            if alias not in q:
                continue
            for m in re.finditer(re.escape(alias), q):
                if any(s < m.end() and m.start() < e for s, e in spans):
                    continue
                nxt = q[m.end():m.end() + 1]
                regs = self.alias_to_regions[alias]
                if nxt in ADMIN_SUFFIXES and not any(r.endswith(alias + nxt) or r == alias for r in regs) \
                        and q[m.end():m.end() + 2] not in _LEVEL_WORDS_AFTER:
                    continue  # 石门市 is not 石门县: a stem followed by another level names another place
                end = m.end()
                # "云溪市长" is 云溪 + 市长, "石门县委" is 石门 + 县委: give the suffix back to the word it starts
                if alias.endswith(ADMIN_SUFFIXES) and end < len(q):
                    first = tokenizer().lcut(q[end - 1:end + 4])[0]
                    if len(first) >= 2 and (end - 1 - m.start()) >= 2:
                        end -= 1
                spans.append((m.start(), end))
                # an alias shared by several regions (石门 for 石门县 and 石门市) names them all
                for r in sorted(regs):
                    if r not in found:
                        found.append(r)
        return found, spans


def _unknown_places(q: str, spans: list[tuple[int, int]], gaz: Gazetteer) -> list[str]:
    """Places the question names that no report covers and the corpus never mentions (昆明市, 山东 …)."""
    masked = list(q)
    for s, e in spans:
        for i in range(s, e):
            masked[i] = "，"
    text = "".join(masked)
    cands = set(place_mentions(text))
    cands |= {w for w, f in pos_cut(text) if f == "ns" and len(w) >= 2}
    cands |= {m.text for m in find_places(text)}
    out = []
    for c in sorted(cands):
        if c in gaz.corpus_text or any(p.name in gaz.corpus_text for p in lookup(c)):
            continue  # a place the reports talk about (a district, a county of the city …)
        if any(c in o and c != o for o in cands):
            continue  # 长沙 inside 长沙市
        out.append(c)
    return out


def focus_terms(q: str, drop_spans: list[tuple[int, int]]) -> list[str]:
    """Content words of the question, in order, without place, year and question words.

    A word is dropped only when it lies wholly inside a place name, so "云溪市长" keeps 市长.
    """
    text = _YEAR_Q.sub(lambda m: " " * len(m.group(0)), q)
    for w in sorted(QUESTION_WORDS, key=len, reverse=True):
        if len(w) > 1:
            text = text.replace(w, " " * len(w))
    # a one-character question word goes only where it is a word of its own (共 of 一共, not of 公共服务)
    # or stands inside a numeral word (几 of 几次, 第几回)
    singles = {w for w in QUESTION_WORDS if len(w) == 1}
    pieces = []
    for p, f in pos_cut(text):
        if p in singles:
            p = " "
        elif f == "m":
            p = "".join(" " if c in singles else c for c in p)
        pieces.append(p)
    text = "".join(pieces)
    sw = stopwords()
    out = []
    pos = 0
    for w, f in pos_cut(text):
        s, e = pos, pos + len(w)
        pos = e
        w = w.strip()
        if not w or w in sw or re.fullmatch(r"[\W_]+", w) or f in ("uj", "ul", "p", "c", "r", "y", "e"):
            continue
        if any(a <= s and e <= b for a, b in drop_spans):
            continue
        # a word straddling the place name is kept whole (云溪市|长 is read as 云溪|市长)
        out.append(w)
    return out


_YEAR_OF = re.compile(r"(?<!\d)((?:19|20)\d\d)\s*年(?!度?以来|起|至|到|以前|之前)")
# "针对2019年度全省评估发现的问题" names a year inside the report, not the year the report covers
_INNER_YEAR_LEAD = re.compile(r"(?:针对|对|按照|根据|截至|截止|于|从|自|比|较|与|同|和|在|据)$")


def report_years(q: str) -> list[int]:
    """Years the question asks a report about (2019年以来 / 针对2019年度… are periods inside a report)."""
    return sorted({int(m.group(1)) for m in _YEAR_OF.finditer(q)
                   if not _INNER_YEAR_LEAD.search(q[:m.start()]) and not inside_marks(q, m.start())})


def near_places(place: str, gaz: Gazetteer) -> list[str]:
    """Indexed regions one character off ``place`` (青和县 -> 青禾县): same length, one character different, the
    two different ones not both administrative levels (石门市 is no typo of 石门县); none when ``place`` is itself a
    real place (长安 is no typo of 长沙)."""
    out: set[str] = set()
    if lookup(place) or place_mentions(place):
        return []
    for alias in gaz.sorted_aliases():
        if len(alias) != len(place) or len(alias) < 2:
            continue
        diff = [i for i, (a, b) in enumerate(zip(alias, place, strict=True)) if a != b]
        if len(diff) == 1 and not (alias[diff[0]] in ADMIN_SUFFIXES and place[diff[0]] in ADMIN_SUFFIXES):
            out.add(alias)
    return sorted(out)


def analyse(question: str, gaz: Gazetteer) -> QueryInfo:
    q = question.strip()
    regions, spans = gaz.find_regions(q)
    unknown = _unknown_places(q, spans, gaz)
    # "2019年以来" / "自2019年起" name a period inside a report, not the year a report covers
    years = report_years(q)
    asked = classify(q)
    kind, hint, strength = asked.type.value, asked.unit, asked.unit_strength
    # segment the rest of the question apart from the place names (云溪市长 -> 云溪 | 市长)
    spaced, new_spans, last = "", [], 0
    for a, b in sorted(spans):
        spaced += q[last:a] + " "
        new_spans.append((len(spaced), len(spaced) + b - a))
        spaced += q[a:b] + " "
        last = b
    spaced += q[last:]
    return QueryInfo(text=q, regions=regions, unknown_places=unknown, years=years, kind=kind,
                     unit_hint=hint, unit_strength=strength, focus=focus_terms(spaced, new_spans),
                     search_text=spaced)


def wants_plan(q: str) -> bool:
    return bool(_PLAN_WORDS.search(q))


QUESTION_CORE_CHARS = 80  # a question longer than this is read from its end (the sentences that ask)
_SENTENCE_END = re.compile(r"(?<=[。！？!?；;\n])")
_ASKS = re.compile(r"多少|几|什么|哪|谁|何|是否|吗|呢|怎么|如何|[？?]")
_SCENE_CHARS = 20


def question_core(question: str, max_chars: int = QUESTION_CORE_CHARS) -> str:
    """The part of a long message that asks: its last sentences, up to ``max_chars`` characters.

    >>> question_core("我们对本地依法行政、规范执法、化解矛盾纠纷、法治宣传教育方面的工作情况十分关心，" * 3
    ...               + "想了解更多。请问青禾县行政复议纠错率是多少？")
    '请问青禾县行政复议纠错率是多少？'

    Analysing 500 characters of preamble costs ~10x a plain question (jieba tagging) and only adds noise.
    """
    if len(question) <= max_chars:
        return question
    sents = [x for x in _SENTENCE_END.split(question) if x.strip()]
    asks = max((i for i, x in enumerate(sents) if _ASKS.search(x)), default=len(sents) - 1)
    core = sents[asks]
    for sent in reversed(sents[:asks]):  # short sentences just before it set the scene (我在某某县。)
        if len(sent) > _SCENE_CHARS or len(sent) + len(core) > max_chars:
            break
        core = sent + core
    return core[-max_chars:].strip() or question[-max_chars:]

