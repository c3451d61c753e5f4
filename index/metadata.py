"""Detect a report's region, year, issuing body, publication date and title from its own text.

The region is the reporting body's place, with its administrative level, its parents and — for a department's
report — the department. Places come from China's administrative divisions (``index.places``, province → town);
names not in that tree (a made-up county, a development zone) are still read from their administrative suffix.
The reporting body is read, in this order, from the title and the lines above the body (中共某某县委 某某县人民政府,
关于某市…的报告), the signature above the closing date, the first sentence's subject (省政府 / 市人社局 / 我厅 …), the
addressee (某某县人大常委会: means the county's government reports) and finally the body's own words
(我省/全省/我厅/我镇/本乡 …: a level; the most mentioned place of that level). Word lists are data files in
``index/data/``. A sidecar ``<name>.meta.json`` next to a report overrides any field.
"""
from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from index.models import ReportMeta
from index.places import Level, Place, PlaceMention, common_parents, find_places, lookup
from index.text import pos_cut

ADMIN_SUFFIXES = ("市", "县", "区", "州", "旗", "盟")
# Zones that are named "<city><zone>" (某某市示范区, 某某市高新区 …).
ZONE_WORDS = ("示范区", "新区", "开发区", "高新区", "经开区", "经济开发区", "经济技术开发区", "高新技术产业开发区",
              "自治县", "自治州", "林区", "特区", "矿区", "管理区", "试验区", "合作区")
_ZONES = tuple(z for z in ZONE_WORDS if not z.startswith("自治"))
_PLACE_TAGS = {"ns", "nz", "nr", "nrt", "j", "nt"}
_NOT_PLACE_STEMS = {"全", "本", "我", "各", "该", "城", "市", "县", "区", "省", "地", "辖", "州", "城区",
                    "社区", "园区", "景区", "校区", "片区", "街区", "小区", "新", "老", "旧", "郊", "山区", "湖区",
                    "库区", "灾区", "牧区", "示范", "开发", "高新", "经开"}
_YEAR_OF_REPORT = re.compile(r"(20\d\d)\s*年度?(?:法治政府|法治建设|依法行政|法治)")
_YEAR = re.compile(r"(20\d\d)\s*年")
# "2022年,在市委…" / "2022年是…" / "2022年以来,…": a sentence that opens with the year the report covers
_YEAR_OPENING = re.compile(r"(?:^|[。；;\n])\s*(20\d\d)\s*年度?(?:[,，]|是|以来)")
_DATE_CN = re.compile(r"(20\d\d)\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_DATE_ISO = re.compile(r"(20\d\d)[-/.](\d{1,2})[-/.](\d{1,2})")
_ORG_SUFFIX = re.compile(r"(人民政府|政府|委员会|管委会|工委|党委|办公室|办公厅|局|厅|委|办|院|中心|司法所|法院|"
                         r"检察院)$")
_TITLE_FIELDS = ("名称", "文件名称", "标题", "题名")
_DATE_FIELDS = ("发布日期", "发布时间", "成文日期", "发文日期")
_HEADING = re.compile(r"^([一二三四五六七八九十]+\s*[、.．]|[（(]\s*[一二三四五六七八九十\d]+\s*[)）]|"
                      r"\d{1,2}\s*[、.．](?!\d))")
_ISSUER_FIELDS = ("发布机构", "发文机关", "来源", "信息来源", "公开责任部门")


def place_mentions(text: str, provinces: bool = False) -> list[str]:
    """Place names with an administrative suffix in ``text``, in order (云溪市, 石门县, 某某市示范区 …).

    Provinces (湖南省) only when asked: a city's report names its province often, but speaks for the city.
    """
    toks = pos_cut(text)
    suffixes = ADMIN_SUFFIXES + (("省",) if provinces else ())
    out: list[str] = []
    i = 0
    while i < len(toks):
        name, used = _place_at(toks, i, suffixes)
        i += used
        if name and i < len(toks) and toks[i][0] in ZONE_WORDS:  # "<city>示范区" and the like
            name += toks[i][0]
            i += 1
        if name and not name.endswith(suffixes) and not name.endswith(ZONE_WORDS):
            name = None
        if name and (provinces or not name.endswith("省")):
            out.append(name)
    return out


def _place_at(toks: list[tuple[str, str]], i: int, suffixes: tuple[str, ...]) -> tuple[str | None, int]:
    """The place name starting at token ``i`` (if any) and how many tokens it takes (at least 1)."""
    w, f = toks[i]
    nxt = toks[i + 1][0] if i + 1 < len(toks) else ""
    # jieba's HMM tags unseen place names (青禾县) as nr/nz rather than ns: accept any place-like tag.
    if f in _PLACE_TAGS and w.endswith(ADMIN_SUFFIXES) and len(w) >= 3 and w[:-1] not in _NOT_PLACE_STEMS:
        return w, 1
    if f in _PLACE_TAGS and 2 <= len(w) <= 4 and w not in _NOT_PLACE_STEMS and nxt in suffixes:
        return w + nxt, 2
    if f == "ns" and 2 <= len(w) <= 4 and nxt in ZONE_WORDS:
        return w, 1  # "某某" + "示范区": the zone is joined by the caller
    return None, 1


def _title_line(lines: list[str], fields: dict[str, str]) -> str | None:
    for key in _TITLE_FIELDS:
        v = fields.get(key, "").strip()
        if len(v) >= 6 and re.search(r"[\u4e00-\u9fff]", v):
            return v
    for line in lines[:6]:
        if _HEADING.match(line):
            continue  # "一、2022年法治政府建设主要成效" is a section heading, not the report's title
        if len(line) <= 80 and not re.search(r"[。；！？]", line) and re.search(r"报告|法治政府建设", line):
            return line
    return None


# ---------------------------------------------------------------------------------------------- word lists
PLACE_LEVEL_WORDS = ("省", "市", "县", "区", "州", "旗", "盟", "镇", "乡", "街道")
_DEPARTMENT_WORDS = ("厅", "局", "委", "办")  # 我厅, 我局, 我委, 我办
_LEVEL_OF_SUFFIX = (("自治区", Level.PROVINCE), ("省", Level.PROVINCE), ("州", Level.CITY), ("盟", Level.CITY),
                    ("市", Level.CITY), ("县", Level.COUNTY), ("旗", Level.COUNTY), ("区", Level.COUNTY),
                    ("街道", Level.TOWN), ("镇", Level.TOWN), ("乡", Level.TOWN), ("苏木", Level.TOWN))
_CJK = "\u4e00-\u9fff"


def _data_rows(name: str) -> list[list[str]]:
    text = resources.files("index").joinpath("data", name).read_text(encoding="utf-8")
    return [line.split("\t") for line in text.splitlines() if line.strip() and not line.startswith("#")]


def _alternation(words) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


@lru_cache(maxsize=1)
def department_forms() -> dict[str, str]:
    """Every written form of a department (full or short; 局 or the provincial 厅) -> its full name."""
    out: dict[str, str] = {}
    for row in _data_rows("departments.txt"):
        full = row[0].strip()
        for form in [full] + (row[1].split() if len(row) > 1 else []):
            out.setdefault(form, full)
            if form.endswith("局") and full.endswith("局"):
                out.setdefault(form[:-1] + "厅", full[:-1] + "厅")
    return out


@lru_cache(maxsize=1)
def zone_short_forms() -> dict[str, list[str]]:
    """经济技术开发区 -> [经开区] … (index/data/zone_words.txt)."""
    return {r[0].strip(): r[1].split() for r in _data_rows("zone_words.txt") if len(r) > 1}


@lru_cache(maxsize=1)
def level_words() -> dict[str, str]:
    """我省 -> 省, 我街道 -> 街道, 我厅 -> 厅 … (index/data/level_words.txt)."""
    return {r[0].strip(): r[1].strip() for r in _data_rows("level_words.txt") if len(r) > 1}


@dataclass(frozen=True)
class _Patterns:
    department: re.Pattern  # a department's written form at the start
    government: re.Pattern  # a word for the place's own government at the start
    any_department: re.Pattern  # an unlisted department (某某局) at the start
    zone: re.Pattern  # a zone word at the start
    named_zone: re.Pattern  # 某某新区管委会: a zone whose stem is no division
    unknown_place: re.Pattern  # 青禾县人民政府: a place name not in the divisions
    level_organ: re.Pattern  # 省政府, 市人社局, 我县, 全省
    level_words: re.Pattern


@lru_cache(maxsize=1)
def _patterns() -> _Patterns:
    dept = _alternation(department_forms())
    gov = _alternation(r[0].strip() for r in _data_rows("government_words.txt"))
    organ = rf"(?={gov}|{dept}|20\d\d|关于|法治|\s|$)"
    zones = _alternation(_ZONES)
    suffixes = "自治区|街道|省|市|县|区|州|旗|盟|镇|乡"
    return _Patterns(
        department=re.compile(dept), government=re.compile(gov),
        any_department=re.compile(rf"[{_CJK}]{{2,10}}?(?:局|厅|委员会|办公室)(?=党组|20\d\d|关于|\s|$)"),
        zone=re.compile(zones), named_zone=re.compile(rf"[{_CJK}]{{2,8}}?(?:{zones}){organ}"),
        unknown_place=re.compile(rf"(?![全本我各该每其此])[{_CJK}]{{2,12}}?(?:{suffixes}){organ}"),
        level_organ=re.compile(rf"(?:(?P<self>[我本全])|(?=[{_CJK}]{{1,2}}(?:{gov}|{dept})))(?P<lvl>街道|[省市县区州旗盟镇乡])"),
        level_words=re.compile(_alternation(level_words())))


# ---------------------------------------------------------------------------------------------- organs
@dataclass
class Organ:
    """A reporting body named at the start of a line: its place — or only its level (省政府, 市人社局, 我县) —
    and, for a department, the department's full name without the place (人力资源和社会保障局)."""

    name: str | None = None  # the place (canonical when it is a division)
    place: Place | None = None
    parents: tuple[str, ...] = ()
    level: str | None = None  # province … town, zone
    written: str = ""  # the place as written, for the department's full name (临沧市临翔区)
    level_word: str | None = None  # 省 … 街道, or 厅/局/委/办, when the line names a level, not a place
    department: str | None = None
    government: bool = False  # the place's own government (人民政府, 管委会, 党委 …) is named
    own: bool = False  # speaks as the place's government (县政府…, 我县…), in a sentence


def _level_of_name(name: str) -> str | None:
    if name.endswith(_ZONES):
        return "zone"
    return next((lv.value for suf, lv in _LEVEL_OF_SUFFIX if name.endswith(suf)), None)


def _suffix(name: str | None) -> str | None:
    if not name:
        return None
    return "街道" if name.endswith("街道") else "省" if name.endswith("自治区") else name[-1]


def _department_at(rest: str) -> tuple[str | None, bool]:
    """(department, government named) for the words after a place: 交通运输厅 -> (交通运输厅, False)."""
    pat = _patterns()
    rest = rest.lstrip(" ")
    m = pat.department.match(rest)
    if m:
        return department_forms()[m.group(0)], False
    if pat.government.match(rest):
        return None, True
    m = pat.any_department.match(rest)
    return (m.group(0), False) if m else (None, False)


def _mention_name(m: PlaceMention) -> str:
    if m.place:
        return m.place.name
    names = {c.name for c in m.candidates}
    return names.pop() if len(names) == 1 else m.text


def _mention_organ(m: PlaceMention) -> Organ:
    name = _mention_name(m)
    if m.place:
        return Organ(name, m.place, m.place.parents, m.place.level.value)
    levels = {c.level.value for c in m.candidates}
    return Organ(name, None, common_parents(list(m.candidates)), levels.pop() if len(levels) == 1 else None)


def _place_organ(s: str, chain: list[PlaceMention]) -> Organ:
    last = chain[-1]
    name = _mention_name(last)
    o = _mention_organ(last)
    o.written = "".join(_mention_name(m) if m.short else m.text for m in chain)
    rest = s[last.end:]
    z = _patterns().zone.match(rest)
    if z and not name.endswith(_ZONES):  # 某某市示范区, 某某经济技术开发区: the zone as written
        o = Organ(last.text + z.group(0), None, o.parents + (name,), "zone", o.written + z.group(0))
        rest = rest[z.end():]
    o.department, o.government = _department_at(rest)
    o.own = o.government
    return o


def _other_organ(s: str, sentence: bool) -> Organ | None:
    """A zone whose stem is no division (某某新区), or a place missing from the divisions (青禾县)."""
    pat = _patterns()
    m = pat.named_zone.match(s)
    if m:
        chain = _chain(find_places(m.group(0), strict=False))
        parents = chain[-1].place.chain if chain and chain[-1].place else ()
        o = Organ(m.group(0), None, parents, "zone", m.group(0))
    else:
        m = None if sentence else pat.unknown_place.match(s)
        if not m:
            return None
        pieces = re.findall(r"[\u4e00-\u9fff]{2,8}?(?:自治区|街道|省|市|县|区|州|旗|盟|镇|乡)", m.group(0))
        pieces = pieces or [m.group(0)]
        stem = pieces[-1][:-1]
        if stem in _NOT_PLACE_STEMS or stem[:1] in _NOT_PLACE_STEMS or re.search(_NOT_IN_NAMES, stem):
            return None
        o = Organ(pieces[-1], None, tuple(pieces[:-1]), _level_of_name(pieces[-1]), m.group(0))
    o.department, o.government = _department_at(s[m.end():])
    return o


def _level_organ(s: str) -> Organ | None:
    """省政府 / 市人社局 / 区政府 / 我县 / 全省 / 我厅 / 司法厅: a level, maybe a department, no place."""
    pat = _patterns()
    if s.startswith("自治区"):  # 自治区人民政府坚持…: an autonomous region speaks of itself
        return Organ(level_word="省")
    m = pat.department.match(s)
    if m:  # 司法厅坚持…: a department named without its place
        dept = department_forms()[m.group(0)]
        return Organ(level_word="厅" if dept.endswith("厅") else None, department=dept)
    m = pat.level_words.match(s)
    if m and level_words()[m.group(0)] not in PLACE_LEVEL_WORDS:  # 我厅, 我局
        return Organ(level_word=level_words()[m.group(0)])
    m = pat.level_organ.match(s)
    if not m:
        return None
    named, gov = _department_at(s[m.end():])
    if not (named or gov or m.group("self")):
        return None
    own = not named and (gov or m.group("self") in ("我", "本"))
    return Organ(level_word=m.group("lvl"), department=named, government=gov, own=own)


def _chain(mentions: list[PlaceMention]) -> list[PlaceMention]:
    """The places written one after another from the start (临沧市临翔区凤翔街道)."""
    out: list[PlaceMention] = []
    pos = 0
    for m in mentions:
        if m.start - pos > (1 if out else 0):
            break
        out.append(m)
        pos = m.end
    return out


_NOT_IN_NAMES = r"[的是在了把将从第]"  # words, not names: 二是全面贯彻省…, 在第四次县…
_LEAD_TITLE = re.compile(r"^(?:[|\s《“\"]|标\s*题\s*[:：]|关于|印发|报送|呈报|转发|中共|20\d\d\s*年度?)+")
_LEAD_SENTENCE = re.compile(
    r"^(?:\s|[,，、]|20\d\d\s*年(?:度|以来)?|现将|一年来|"
    r"在[^,，。；;]{0,60}?(?:领导|指导|支持|关怀|监督|带领|关心)[^,，。；;]{0,6}?下|"
    r"(?:根据|按照|围绕|为|对照)[^。；;]{0,80}?[,，])+")


def organ_at(line: str, sentence: bool = False) -> Organ | None:
    """The body a title, issuer or signature line starts with (or a body sentence: then only divisions, zones
    and level words count, not any word with an administrative suffix)."""
    s = (_LEAD_SENTENCE if sentence else _LEAD_TITLE).sub("", line.strip())[:60]
    if not s:
        return None
    chain = _chain(find_places(s, strict=False))
    if chain:
        return _place_organ(s, chain)
    return _other_organ(s, sentence) or _level_organ(s)


# ---------------------------------------------------------------------------------------------- where organs are named
_BODY_LINE = re.compile(r"[。；;！？!?]")


def head_lines(lines: list[str]) -> tuple[list[str], str | None]:
    """The short lines above the body (title, issuer, document number) and the addressee line (某某:)."""
    head: list[str] = []
    addressee = None
    for line in lines[:12]:
        t = line.strip().strip("|").strip()
        if not t:
            continue
        if _HEADING.match(t) or _BODY_LINE.search(t) or len(t) > 60:
            break
        if t.endswith((":", "：")):
            addressee = addressee or t
            continue
        head.append(t)
    return head, addressee


def _signature(lines: list[str]) -> list[str]:
    tail = [t for t in (line.strip() for line in lines[-5:]) if t]
    for i in range(len(tail) - 1, 0, -1):
        if _DATE_CN.fullmatch(tail[i]):
            sig = tail[i - 1]
            return [sig] if len(sig) <= 40 and not re.search(r"[。；，,]", sig) else []
    return []


def _subject(lines: list[str], head: list[str]) -> Organ | None:
    """The body the report's first sentences speak for (2022年,省政府坚持… / 现将市人社局… / 我县…)."""
    seen = 0
    for line in lines[:40]:
        t = line.strip()
        if not t or t in head or _HEADING.match(t) or (t.endswith((":", "：")) and len(t) <= 40) or len(t) < 12:
            continue
        for sent in re.split(r"(?<=[。；;])", t)[:3]:
            o = organ_at(sent, sentence=True)
            if o:
                return o
        seen += 1
        if seen == 3:
            break
    return None


def _addressee(addr: str | None) -> tuple[str | None, Organ | None, set[str]]:
    """(the reporter's level, its place, the levels above it) from whom it reports to: 某某县委、县人大常委会 ->
    the county government; 省政府、市委、市人大 -> a city; 市委、市政府 -> a city department or someone below."""
    if not addr:
        return None, None, set()
    own: set[str] = set()
    above: set[str] = set()
    place: Organ | None = None
    for item in re.split(r"[、,，\s]+", addr.rstrip(":：")):
        o = organ_at(item)
        if not o or not (o.government or o.level_word):
            continue
        lvl = o.level_word or _suffix(o.name)
        if lvl:
            (above if "政府" in item else own).add(lvl)
        if o.name and "政府" not in item:
            place = place or o
    own -= above
    lvl = next(iter(own)) if len(own) == 1 else None
    if place:
        place.department, place.government = None, True
    return lvl, (place if place and _suffix(place.name) == lvl else None), above


def _level_counts(text: str) -> Counter:
    words = level_words()
    return Counter(words[w] for w in _patterns().level_words.findall(text))


def _place_level(subject: Organ | None, addr_level: str | None, counts: Counter) -> str | None:
    """The level the report speaks for, as a place's last character (省 … 街道): its own words decide."""
    c = Counter({k: v for k, v in counts.items() if k in PLACE_LEVEL_WORDS})
    c["省"] += counts["厅"]  # 我厅: a provincial department
    if subject and subject.level_word in PLACE_LEVEL_WORDS:
        return subject.level_word  # the first sentence says who speaks (省政府, 市人社局, 我县)
    if subject and subject.level_word == "厅":
        return "省"
    if addr_level:
        c[addr_level] += 1
    c = +c
    return c.most_common(1)[0][0] if c else None


def _fits(name: str, place: Place | None, level: str | None) -> bool:
    if level is None:
        return True
    if level == "省":
        return place.level == Level.PROVINCE if place else name.endswith(("省", "自治区"))
    if level == "区":
        return name.endswith("区") and not name.endswith("自治区")
    return name.endswith(level)


def _contradicted(o: Organ, level: str | None, counts: Counter) -> bool:
    """The body's own words speak for another level, and never for this organ's (a county named first)."""
    return level is not None and o.name is not None and not _fits(o.name, o.place, level) and counts[level] >= 2 \
        and counts[_suffix(o.name)] == 0


def _mention_counts(mentions: list[PlaceMention], text: str, level: str | None) -> tuple[Counter, dict]:
    """How often each place is named, by its canonical name; names the divisions do not know (a made-up
    county) are read from their administrative suffix."""
    counts: Counter = Counter()
    first: dict[str, PlaceMention] = {}
    for m in mentions:
        name = _mention_name(m)
        counts[name] += 1
        first.setdefault(name, m)
    for name in place_mentions(text, level == "省"):
        if not find_places(name, strict=False):
            counts[name] += 1
    return counts, first


def _level_candidates(counts: Counter, place: dict, level: str | None, above: set[str]) -> list[str]:
    """The places named that fit the report's level and not a level it reports to (全区 in an autonomous
    region's own report: the region)."""
    fit = [n for n in counts if _fits(n, place[n], level) and not any(_fits(n, place[n], a) for a in above)]
    return fit or ([n for n in counts if n.endswith("自治区")] if level == "区" else [])


def _from_body(mentions: list[PlaceMention], level: str | None, text: str, above: set[str]) -> Organ | None:
    """The most mentioned place of the report's level, counting the places named within it (a province that
    names only its cities)."""
    counts, first = _mention_counts(mentions, text, level)
    for m in mentions if level else ():
        for parent in m.place.parents if m.place else ():
            counts[parent] += 1
    place = {n: _known_place(n, first) for n in counts}
    fit = _level_candidates(counts, place, level, above)
    if not fit:
        return None
    best = max(fit, key=lambda n: counts[n])  # ties: the first named
    if best in first:
        return _mention_organ(first[best])
    p = place[best]
    return Organ(best, p, p.parents, p.level.value) if p else Organ(best, level=_level_of_name(best))


def _known_place(name: str, first: dict[str, PlaceMention]) -> Place | None:
    if name in first:
        return first[name].place
    places = [p for p in lookup(name) if p.name == name]
    return places[0] if len(places) == 1 else None


def _named_organs(lines: list[str], title: str | None, head: list[str], fields: dict[str, str],
                  also: list[Organ | None]) -> list[Organ]:
    """The bodies the title, the lines above the body and the signature name, then ``also`` (the addressee's
    and the first sentence's), then the page's publisher field (its place only: a publisher is often the
    department that posts a government's report)."""
    written = ([title] if title else []) + head + _signature(lines)
    organs = [o for o in map(organ_at, written) if o and o.name]
    organs += [o for o in also if o and o.name]
    for key in _ISSUER_FIELDS[:2]:
        o = organ_at(fields.get(key, ""))
        if o and o.name:
            o.department, o.government = None, True
            organs.append(o)
    return organs


# ---------------------------------------------------------------------------------------------- the reporter
@dataclass
class Reporter:
    region: str | None = None
    level: str | None = None
    parents: list[str] = field(default_factory=list)
    department: str | None = None


@lru_cache(maxsize=1)
def _ministries() -> tuple[re.Pattern, dict[str, str]]:
    """交通运输部 -> 交通运输厅: the ministry a provincial department (or a local bureau) answers to."""
    forms: dict[str, str] = {}
    for full in set(department_forms().values()):
        if full.endswith(("厅", "局")):
            forms.setdefault(full[:-1] + "部", full)
    return re.compile(_alternation(forms)), forms


def _department_by_ministry(text: str, level: str | None) -> str | None:
    """A department that calls itself 我厅/我局 is the one its ministry (在交通运输部的指导下) speaks of."""
    pat, forms = _ministries()
    found = Counter(forms[m] for m in pat.findall(text))
    if not found:
        return None
    full = found.most_common(1)[0][0]
    return full[:-1] + ("厅" if level == "省" else "局")


def _department(o: Organ, subject: Organ | None, text: str, counts: Counter, level: str | None) -> str | None:
    """The reporting department's full name, or None when the government reports: a report whose first
    sentence speaks as the government (县政府…, 我县…) and that never says 我局/我厅 is the government's, whatever
    office's name heads the page."""
    says_department = any(counts[w] for w in _DEPARTMENT_WORDS)
    if o.government or (subject is not None and subject.own and not says_department):
        return None
    dept = o.department
    if dept is None and subject is not None and subject.name in (None, o.name):
        dept = subject.department
    if dept is None and says_department:
        dept = _department_by_ministry(text, level)
    return f"{o.written or o.name}{dept}" if dept else None


def detect_reporter(text: str, title: str | None, fields: dict[str, str]) -> Reporter:
    """Who reports: region (the reporting body's place), its level and parents, and the department if any."""
    lines = text.split("\n")
    head, addr = head_lines(lines)
    subject = _subject(lines, head)
    addr_level, addr_place, above = _addressee(addr)
    counts = _level_counts(text)
    level = _place_level(subject, addr_level, counts)
    organs = _named_organs(lines, title, head, fields, [addr_place, subject])
    chosen = next((o for o in organs if not _contradicted(o, level, counts)), None)
    if chosen is None:
        departmental = bool(subject and subject.department) or any(counts[w] for w in _DEPARTMENT_WORDS)
        chosen = _from_body(find_places(text), level, text, set() if departmental else above)
    chosen = chosen or (organs[0] if organs else None)
    if chosen is None:
        return Reporter()
    return Reporter(chosen.name, chosen.level, list(chosen.parents),
                    _department(chosen, subject, text, counts, level))


def detect_year(text: str, title: str | None, published: str | None) -> int | None:
    if title:
        m = _YEAR.search(title)
        if m:
            return int(m.group(1))
    head = text[:600]
    m = _YEAR_OPENING.search(head) or _YEAR_OF_REPORT.search(head)
    if m:
        return int(m.group(1))
    m = _YEAR.search(head)
    if m:
        return int(m.group(1))
    if published:
        return int(published[:4]) - 1
    years = Counter(int(y) for y in _YEAR.findall(text))
    return years.most_common(1)[0][0] if years else None


def _iso(y: str, m: str, d: str) -> str:
    return f"{int(y):04d}-{int(m):02d}-{int(d):02d}"


def detect_published(lines: list[str], fields: dict[str, str]) -> str | None:
    for key in _DATE_FIELDS:
        v = fields.get(key, "")
        m = _DATE_ISO.search(v) or _DATE_CN.search(v)
        if m:
            return _iso(*m.groups())
    for line in reversed(lines[-4:]):
        m = _DATE_CN.fullmatch(line.strip())
        if m:
            return _iso(*m.groups())
    return None


def detect_issuer(lines: list[str], fields: dict[str, str], title: str | None) -> str | None:
    # signature line just above the closing date
    for i in range(len(lines) - 1, max(len(lines) - 4, 0) - 1, -1):
        if _DATE_CN.fullmatch(lines[i].strip()) and i > 0:
            sig = lines[i - 1].strip()
            if len(sig) <= 40 and _ORG_SUFFIX.search(sig) and not re.search(r"[。；，,]", sig):
                return sig
    if title:
        m = re.match(r"(.{2,40}?(?:人民政府|政府|委员会|管委会|局|厅|办公室))(?:关于|20\d\d)", title)
        if m:
            return m.group(1)
    # organisation lines above the title (中共××工委 ××管委会)
    for line in lines[:3]:
        if line == title:
            break
        if len(line) <= 60 and not re.search(r"[。；]", line) and _ORG_SUFFIX.search(line.split()[-1]):
            return line
    for key in _ISSUER_FIELDS:
        v = fields.get(key, "").strip()
        if v and len(v) <= 40:
            return v
    return None


def compose_title(region: str | None, year: int | None) -> str:
    return f"{region or ''}{f'{year}年' if year else ''}法治政府建设情况报告"


def _names_place(title: str) -> bool:
    o = organ_at(title)
    return bool(find_places(title, strict=False)) or bool(o and o.name) or bool(place_mentions(title))


def detect_metadata(clean_text: str, fields: dict[str, str] | None = None) -> ReportMeta:
    fields = {k.replace(" ", ""): v for k, v in (fields or {}).items()}  # "标 题" is 标题
    lines = clean_text.split("\n")
    title = _title_line(lines, fields)
    published = detect_published(lines, fields)
    who = detect_reporter(clean_text, title, fields)
    region = who.region
    year = detect_year(clean_text, title, published)
    issuer = detect_issuer(lines, fields, title)
    if title is None or (region and region not in title and not _names_place(title)):
        # The page's title names no place (or a garbled one): compose one the user can read.
        base = title if title and not place_mentions(title) and _YEAR.match(title) else None
        who_title = who.department or region
        title = f"{who_title}{base}" if base and region else compose_title(who_title, year)
    return ReportMeta(region=region, year=year, issuer=issuer, published=published, title=title, level=who.level,
                      parents=who.parents, department=who.department)


def sidecar_path(report_path: Path) -> Path:
    return report_path.with_name(report_path.stem + ".meta.json")


META_FIELDS = ("region", "year", "issuer", "published", "title", "level", "parents", "department")
LEVELS = ("province", "city", "county", "town", "zone")


def apply_overrides(meta: ReportMeta, overrides: dict) -> ReportMeta:
    unknown = set(overrides) - set(META_FIELDS)
    if unknown:
        raise ValueError(f"unknown metadata field(s) {sorted(unknown)}; allowed: {', '.join(META_FIELDS)}")
    data = meta.to_dict()
    for k, v in overrides.items():
        if v is None:
            continue
        if k == "year":
            try:
                v = int(v)
            except (TypeError, ValueError):
                raise ValueError(f"metadata year must be an integer, got {v!r}") from None
        if k == "parents" and not (isinstance(v, list) and all(isinstance(x, str) for x in v)):
            raise ValueError(f"metadata parents must be a list of names, province first, got {v!r}")
        if k == "level" and v not in LEVELS:
            raise ValueError(f"metadata level must be one of {', '.join(LEVELS)}, got {v!r}")
        data[k] = v
    return ReportMeta(**data)


def load_sidecar(report_path: Path) -> dict:
    p = sidecar_path(report_path)
    if not p.is_file():
        return {}
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise ValueError(f"{p}: not valid JSON ({e})") from None
    if not isinstance(data, dict):
        raise ValueError(f"{p}: expected a JSON object with fields {', '.join(META_FIELDS)}")
    return data
