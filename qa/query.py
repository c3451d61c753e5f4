"""Question understanding: which place and year a question names, and what kind of answer it wants.

Places are matched against the regions of the indexed reports (never a list in code); a place the question
names that no report covers — and that the corpus never mentions — makes the question unanswerable.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from index.metadata import ADMIN_SUFFIXES, ZONE_WORDS, place_mentions
from index.models import Document
from index.text import pos_cut, stopwords, tokenizer
from qa.models import QueryInfo

_YEAR_Q = re.compile(r"(20\d\d|19\d\d)\s*年?")
_PERSON = re.compile(r"谁|叫什么名字|姓名|名字是|哪位|何人")
_QUANTITY = re.compile(r"多少|几[个件次项人名家条场起份支面所处批年天]?|比例|比重|占比|百分之|百分比|多高|多大|多快|多长|"
                       r"多重|率是|率为|率有|率达|增长了|下降了|减少了|增加了|提高了|降低了|压缩了|缩短了|率$|率？|率\?")
_NAMED = re.compile(r"什么|哪个|哪些|哪里|哪儿|哪家|哪一|哪项|哪部|何处|何种|名称|全称|叫啥|是啥")
_OPEN = re.compile(r"如何|怎么|怎样|哪些措施|什么措施|什么做法|为什么|什么问题|哪些问题|问题是什么|不足是什么|有哪些不足|"
                   r"什么模式|哪几种|哪些方面|哪些不足|什么不足|不足之处|短板")
_TITLE_ASKED = re.compile(r"(书记|[市县区州省镇乡]长|局长|厅长|主任|主席|院长|部长|检察长|负责人)(叫什么|是哪位|名字|姓名)")
# units people ask for after 多少/几 (longest first); the unit of a figure in the text is matched the same way
UNITS = ["平方公里", "平方米", "个百分点", "百分点", "万余元", "亿余元", "万元", "亿元", "千元", "元", "人次", "件次",
         "场次", "户次", "次", "件", "人", "名", "个", "项", "条", "场", "家", "起", "份", "支", "面", "所", "处", "批",
         "篇", "期", "部", "册", "套", "宗", "户", "座", "台", "辆", "份", "天", "日", "小时", "分钟", "年", "月", "周",
         "公里", "米", "亩", "吨", "省", "市", "县", "镇", "村", "类", "种", "块", "笔", "单", "例", "组", "队", "轮",
         "本", "张", "万", "亿", "%"]
_UNIT_AFTER_ASK = re.compile(r"(?:多少|几)(" + "|".join(sorted(set(UNITS) - {"%"}, key=len, reverse=True)) + ")")
_RATE_WORDS = re.compile(r"率|比例|比重|占比|百分|多高|多少成|幅度")
_MONEY_WORDS = re.compile(r"钱|资金|金额|经费|费用|标的|投入|元|税|费")
_PLAN_WORDS = re.compile(r"计划|打算|安排|将要|下一步|明年|今后|(?<![主重需只])要(?![求点素])")
QUESTION_WORDS = ["是多少", "有多少", "多少", "是几", "有几", "几", "是什么", "叫什么名字", "叫什么", "什么", "是谁",
                  "谁", "哪个", "哪些", "哪里", "哪家", "哪位", "如何", "怎么样", "怎么", "怎样", "是否", "有没有",
                  "吗", "呢", "请问", "一共", "共", "总共", "累计", "分别", "多高", "多大", "比例", "占比"]


@lru_cache(maxsize=1)
def synonyms() -> list[tuple[str, list[str]]]:
    text = resources.files("qa").joinpath("data", "synonyms.tsv").read_text(encoding="utf-8")
    out = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        left, _, right = line.partition("\t")
        if left.strip() and right.strip():
            out.append((left.strip(), right.split()))
    out.sort(key=lambda x: -len(x[0]))
    return out


def expand(question: str) -> list[str]:
    """Report words for the everyday words in ``question`` (from qa/data/synonyms.tsv)."""
    out: list[str] = []
    for phrase, terms in synonyms():
        if phrase in question:
            out.extend(t for t in terms if t not in out and t not in question)
    return out


def region_aliases(region: str) -> set[str]:
    """云溪市 -> {云溪市, 云溪}; 某某市示范区 -> {某某市示范区, 某某示范区, 示范区}; 石门县 -> {石门县, 石门}."""
    out = {region}
    if region.endswith(ADMIN_SUFFIXES) and len(region) >= 3 and not region.endswith(ZONE_WORDS):
        out.add(region[:-1])
    m = re.match(r"^(.{2,}?)(市|州|盟)(.{2,})$", region)
    if m:
        parent, _, rest = m.groups()
        out.add(parent + rest)
        if len(rest) >= 3:
            out.add(rest)
        out |= {a for a in region_aliases(rest) if len(a) >= 2} if rest != region else set()
    for zone in ZONE_WORDS:
        if region.endswith(zone) and len(region) > len(zone):
            out.add(region[: -len(zone)].rstrip("市") + zone)
    return {a for a in out if len(a) >= 2}


@dataclass
class Gazetteer:
    """The indexed reports' regions and years, with the aliases a question may use."""

    alias_to_regions: dict[str, set[str]]
    region_docs: dict[str, list[str]]
    doc_years: dict[str, int | None]
    doc_region: dict[str, str | None]
    corpus_text: str  # all cleaned text, for "is this place mentioned anywhere"

    @classmethod
    def from_documents(cls, docs: list[Document]) -> "Gazetteer":
        a2r: dict[str, set[str]] = {}
        r2d: dict[str, list[str]] = {}
        for d in docs:
            if d.meta.region:
                r2d.setdefault(d.meta.region, []).append(d.doc_id)
                for a in region_aliases(d.meta.region):
                    a2r.setdefault(a, set()).add(d.meta.region)
        return cls(a2r, r2d, {d.doc_id: d.meta.year for d in docs}, {d.doc_id: d.meta.region for d in docs},
                   "\n".join(d.clean_text for d in docs))

    def sorted_aliases(self) -> list[str]:
        if not hasattr(self, "_sorted"):
            self._sorted = sorted(self.alias_to_regions, key=len, reverse=True)
        return self._sorted

    def find_regions(self, q: str) -> tuple[list[str], list[tuple[int, int]]]:
        found: list[str] = []
        spans: list[tuple[int, int]] = []
        for alias in self.sorted_aliases():
            if alias not in q:
                continue
            for m in re.finditer(re.escape(alias), q):
                if any(s < m.end() and m.start() < e for s, e in spans):
                    continue
                nxt = q[m.end():m.end() + 1]
                regs = self.alias_to_regions[alias]
                if nxt in ADMIN_SUFFIXES and not any(r.endswith(alias + nxt) or r == alias for r in regs) \
                        and not q[m.end():m.end() + 2] in ("市委", "县委", "区委", "市长", "县长", "区长", "市政", "县政", "区政"):
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
    masked = list(q)
    for s, e in spans:
        for i in range(s, e):
            masked[i] = "，"
    text = "".join(masked)
    cands = set(place_mentions(text))
    cands |= {w for w, f in pos_cut(text) if f == "ns" and len(w) >= 2}
    out = []
    for c in sorted(cands):
        if c in gaz.corpus_text:
            continue  # a place the reports talk about (a district, a county of the city …)
        out.append(c)
    return out


def question_kind(q: str) -> str:
    if _PERSON.search(q) or _TITLE_ASKED.search(q):
        return "person"
    if _OPEN.search(q):
        return "open"
    if _QUANTITY.search(q):
        return "quantity"
    if _NAMED.search(q):
        return "named"
    return "open"


_CHANGE = re.compile(r"(下降|减少|降低|压缩|缩短|提高|提升|增长|增加|上升|压减)了?多少")


def unit_hint(q: str) -> tuple[str | None, float]:
    """The unit the question asks for and how sure we are (1.0: said outright or a rate word)."""
    m = _UNIT_AFTER_ASK.search(q)
    if m:
        return m.group(1), 1.0
    if _CHANGE.search(q) and _RATE_WORDS.search(q):
        return "个百分点", 0.5  # a rate that rose or fell: by how many points
    if _RATE_WORDS.search(q):
        return "%", 1.0
    if re.search(r"多少钱|多少资金|多少经费|金额|标的额", q):
        return "元", 0.6
    if _CHANGE.search(q):
        return "%", 0.5
    return None, 0.0


def focus_terms(q: str, drop_spans: list[tuple[int, int]]) -> list[str]:
    """Content words of the question, in order, without place, year and question words.

    A word is dropped only when it lies wholly inside a place name, so "云溪市长" keeps 市长.
    """
    text = _YEAR_Q.sub(lambda m: " " * len(m.group(0)), q)
    for w in sorted(QUESTION_WORDS, key=len, reverse=True):
        text = text.replace(w, " " * len(w))
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


def analyse(question: str, gaz: Gazetteer) -> QueryInfo:
    q = question.strip()
    regions, spans = gaz.find_regions(q)
    unknown = _unknown_places(q, spans, gaz)
    # "2019年以来" / "自2019年起" name a period inside a report, not the year a report covers
    years = sorted({int(y) for y in re.findall(r"(?<!\d)((?:19|20)\d\d)\s*年(?!度?以来|起|至|到|以前|之前)", q)})
    kind = question_kind(q)
    hint, strength = unit_hint(q) if kind == "quantity" else (None, 0.0)
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
