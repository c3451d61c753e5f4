"""Detect a report's region, year, issuing body, publication date and title from its own text.

Nothing here knows any particular place: regions are found as place names (jieba's ``ns`` and related tags)
followed by an administrative suffix, and the report's own words (我市/全县/本区 …) tell which level it speaks
for. A sidecar ``<name>.meta.json`` next to a report overrides any field.
"""
from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

from index.models import ReportMeta
from index.text import pos_cut

ADMIN_SUFFIXES = ("市", "县", "区", "州", "旗", "盟")
# Zones that are named "<city><zone>" (某某市示范区, 某某市高新区 …).
ZONE_WORDS = ("示范区", "新区", "开发区", "高新区", "经开区", "经济开发区", "高新技术产业开发区", "自治县", "自治州",
              "林区", "特区", "矿区", "管理区", "试验区", "合作区")
_PLACE_TAGS = {"ns", "nz", "nr", "nrt", "j", "nt"}
_NOT_PLACE_STEMS = {"全", "本", "我", "各", "该", "城", "市", "县", "区", "省", "地", "辖", "州", "城区", "社区", "园区",
                    "景区", "校区", "片区", "街区", "小区", "新", "老", "旧", "郊", "山区", "湖区", "库区", "灾区", "牧区",
                    "示范", "开发", "高新", "经开"}
_LEVEL_RE = re.compile(r"(?:我|全|本)(省|市|县|区|州|旗)")
_YEAR_OF_REPORT = re.compile(r"(20\d\d)\s*年度?(?:法治政府|法治建设|依法行政|法治)")
_YEAR = re.compile(r"(20\d\d)\s*年")
_DATE_CN = re.compile(r"(20\d\d)\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_DATE_ISO = re.compile(r"(20\d\d)[-/.](\d{1,2})[-/.](\d{1,2})")
_ORG_SUFFIX = re.compile(r"(人民政府|政府|委员会|管委会|工委|党委|办公室|办公厅|局|厅|委|办|院|中心|司法所|法院|检察院)$")
# "湖南省人民政府关于…", "某某县2023年…", "某某区司法局…": the place that opens a title
_TITLE_PLACE = re.compile(r"^(?:中共)?([\u4e00-\u9fff]{2,10}?(?:自治区|省|市|县|区|州|旗|盟))"
                          r"(?=人民政府|政府|委员会|管委会|司法局|司法厅|法治|20\d\d|关于)")
_TITLE_FIELDS = ("名称", "文件名称", "标题", "题名")
_DATE_FIELDS = ("发布日期", "发布时间", "成文日期", "发文日期")
_HEADING = re.compile(r"^([一二三四五六七八九十]+\s*[、.．]|[（(]\s*[一二三四五六七八九十\d]+\s*[)）]|\d{1,2}\s*[、.．](?!\d))")
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
        w, f = toks[i]
        name = None
        # jieba's HMM tags unseen place names (青禾县) as nr/nz rather than ns: accept any place-like tag.
        if f in _PLACE_TAGS and w.endswith(ADMIN_SUFFIXES) and len(w) >= 3 and w[:-1] not in _NOT_PLACE_STEMS:
            name = w
        elif (f in _PLACE_TAGS or f.startswith("n")) and 2 <= len(w) <= 4 and w not in _NOT_PLACE_STEMS \
                and i + 1 < len(toks) and toks[i + 1][0] in suffixes and f in _PLACE_TAGS:
            name = w + toks[i + 1][0]
            i += 1
        elif f == "ns" and 2 <= len(w) <= 4 and i + 1 < len(toks) and toks[i + 1][0] in ZONE_WORDS:
            name = w  # "某某" + "示范区" is handled below via the zone merge
        if name:
            # "<city>示范区" and the like
            if i + 1 < len(toks) and toks[i + 1][0] in ZONE_WORDS:
                name = name + toks[i + 1][0]
                i += 1
            if not name.endswith(suffixes) and not name.endswith(ZONE_WORDS):
                name = None
        if name and (provinces or not name.endswith("省")):
            out.append(name)
        i += 1
    return out


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


def _level(text: str) -> str | None:
    c = Counter(_LEVEL_RE.findall(text))
    return c.most_common(1)[0][0] if c else None


def detect_region(text: str, title: str | None, head_lines: list[str]) -> str | None:
    level = _level(text)
    prov = level == "省"

    def fits(name: str) -> bool:
        return level is None or name.endswith(level) or name.endswith(ZONE_WORDS) and level == "区"

    # 1. the title or the lines above the body (issuer lines) name the place
    for src in ([title] if title else []) + head_lines:
        m = _TITLE_PLACE.match(src)
        if m and fits(m.group(1)) and m.group(1)[:-1] not in _NOT_PLACE_STEMS:
            return m.group(1)
        names = [n for n in place_mentions(src, prov) if fits(n)]
        if names:
            return max(names, key=len)
    # 2. otherwise the most mentioned place of the report's own level
    counts = Counter(place_mentions(text, prov))
    ranked = [n for n, _ in counts.most_common() if fits(n)] or [n for n, _ in counts.most_common()]
    if not ranked:
        return None
    # Prefer a longer name that contains the winner when equally common ("某某市" vs "某某市示范区").
    best = ranked[0]
    for n in ranked[1:]:
        if n.startswith(best) and counts[n] >= counts[best] / 2 and fits(n):
            best = n
    return best


def detect_year(text: str, title: str | None, published: str | None) -> int | None:
    if title:
        m = _YEAR.search(title)
        if m:
            return int(m.group(1))
    head = text[:600]
    m = _YEAR_OF_REPORT.search(head)
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


def detect_metadata(clean_text: str, fields: dict[str, str] | None = None) -> ReportMeta:
    fields = fields or {}
    lines = clean_text.split("\n")
    title = _title_line(lines, fields)
    head_lines: list[str] = []
    for line in lines[:3]:
        if title and line == title:
            break
        if len(line) <= 60 and not re.search(r"[。；]", line):
            head_lines.append(line)
    published = detect_published(lines, fields)
    region = detect_region(clean_text, title, head_lines)
    year = detect_year(clean_text, title, published)
    issuer = detect_issuer(lines, fields, title)
    if title is None or (region and region not in title and not any(n in title for n in place_mentions(title))):
        # The page's title names no place (or a garbled one): compose one the user can read.
        base = title if title and not place_mentions(title) and _YEAR.match(title) else None
        title = f"{region}{base}" if base and region else compose_title(region, year)
    return ReportMeta(region=region, year=year, issuer=issuer, published=published, title=title)


def sidecar_path(report_path: Path) -> Path:
    return report_path.with_name(report_path.stem + ".meta.json")


META_FIELDS = ("region", "year", "issuer", "published", "title")


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
