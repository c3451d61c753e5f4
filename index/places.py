"""China's administrative divisions — province, city, county, town — with their parents and short forms.

The tree comes from the maintained PyPI package ``jionlp`` (its data file ``dictionary/china_location.zip``:
province / city / county, each with its code and short form, then towns and villages, tab-indented). The file
is read straight from the installed package — importing jionlp itself takes seconds — and villages are
skipped. Nothing here lists a place: every name, parent and short form comes from that file.

    >>> [p.name for p in lookup("云南")]
    ['云南省']
    >>> [(m.text, m.place.name, m.place.parents) for m in find_places("凤庆县凤山镇") if m.place][-1]
    ('凤山镇', '凤山镇', ('云南省', '临沧市', '凤庆县'))
"""
from __future__ import annotations

import importlib.util
import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from index.text import pos_tokenizer, tokenizer


class Level(StrEnum):
    PROVINCE = "province"  # 省, 自治区, 直辖市
    CITY = "city"  # 地级市, 自治州, 地区, 盟
    COUNTY = "county"  # 县, 县级市, 区, 旗
    TOWN = "town"  # 镇, 乡, 街道, 苏木


LEVEL_ORDER = (Level.PROVINCE, Level.CITY, Level.COUNTY, Level.TOWN)
# Towns are kept only with these endings (the file also lists farms, parks, prisons … at that level).
TOWN_SUFFIXES = ("街道", "镇", "乡", "苏木")
# Rows of the tree that group places rather than name one.
_GROUPING_ROWS = ("省直辖行政区划", "自治区直辖县级行政区划", "县直辖行政区划", "市辖区")
# Long forms whose short form is the stem plus the last character (大理白族自治州 -> 大理州).
_AUTONOMOUS = ("自治州", "自治县", "自治旗")
_SUFFIX_CHARS = set("省市县区州旗盟镇乡")
# Levels whose short forms (a province's or a city's name without 省/市) count wherever they are written.
_SHORT_ANYWHERE = (Level.PROVINCE, Level.CITY)


@dataclass(frozen=True)
class Place:
    name: str
    level: Level
    parents: tuple[str, ...] = ()  # from the province down, e.g. ('云南省', '临沧市', '凤庆县')
    code: str | None = None  # the division code (towns have none in the data)
    short: tuple[str, ...] = ()  # forms people write instead of the name (云南, 大理州)

    @property
    def chain(self) -> tuple[str, ...]:
        return self.parents + (self.name,)


@dataclass(frozen=True)
class PlaceMention:
    """A place name found in a text; ``place`` is None when the name fits several places equally well."""

    start: int
    end: int
    text: str
    candidates: tuple[Place, ...]
    place: Place | None
    short: bool  # matched by a short form (山东), not the full name


@dataclass
class Divisions:
    places: list[Place]
    by_name: dict[str, list[Place]] = field(default_factory=dict)
    by_short: dict[str, list[Place]] = field(default_factory=dict)
    lengths: dict[str, tuple[int, ...]] = field(default_factory=dict)  # first two characters -> key lengths

    def __post_init__(self) -> None:
        for p in self.places:
            self.by_name.setdefault(p.name, []).append(p)
            for s in p.short:
                self.by_short.setdefault(s, []).append(p)
        first: dict[str, set[int]] = {}
        for key in list(self.by_name) + list(self.by_short):
            first.setdefault(key[:2], set()).add(len(key))
        self.lengths = {k: tuple(sorted(v, reverse=True)) for k, v in first.items()}


def data_path() -> Path:
    """china_location.zip inside the installed jionlp package (found without importing it)."""
    spec = importlib.util.find_spec("jionlp")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the package jionlp is not installed: pip install 'jionlp>=1.5'")
    return Path(list(spec.submodule_search_locations)[0]) / "dictionary" / "china_location.zip"


def short_forms(name: str, alias: str) -> tuple[str, ...]:
    """Short forms of a division from the data's alias column (云南省/云南 -> 云南; 云县/云县 -> none).

    An alias counts when it begins the name (山东) or keeps the name's first and last character (克州, 察右中旗);
    generic ones (高新区 for a named development zone) are neither. Autonomous prefectures, counties and
    banners also go by stem + last character (大理州).
    """
    out: list[str] = []
    for a in alias.split("/"):
        a = a.strip()
        if len(a) < 2 or a == name:
            continue
        if name.startswith(a) or (a[0] == name[0] and a[-1] == name[-1]):
            out.append(a)
        if name.endswith(_AUTONOMOUS) and name.startswith(a) and a + name[-1] != name:
            out.append(a + name[-1])
    return tuple(dict.fromkeys(out))


def parse(text: str) -> list[Place]:
    """Places of the tree in ``text`` (china_location.txt), villages skipped."""
    text = re.sub(r"\n\t\t\t\t[^\n]*", "", text)  # villages: four tabs deep
    places: list[Place] = []
    chain: list[tuple[str, ...]] = [()]  # chain[d]: the names above a row at depth d
    for line in text.splitlines():
        name = line.lstrip("\t")
        depth = len(line) - len(name)
        if depth > 3 or not name:
            continue
        parts = name.split("\t")
        name, parents = parts[0], chain[depth]
        del chain[depth + 1:]
        # a row that groups places (省直辖行政区划) or repeats its parent (北京市 under 北京市) adds no name
        if name in _GROUPING_ROWS or parents[-1:] == (name,):
            chain.append(parents)
            continue
        chain.append(parents + (name,))
        if depth == 3:
            if len(name) >= 3 and name.endswith(TOWN_SUFFIXES):
                places.append(Place(name, Level.TOWN, parents))
            continue
        code = parts[1] if len(parts) > 1 and parts[1] else None
        places.append(Place(name, LEVEL_ORDER[depth], parents, code,
                            short_forms(name, parts[2]) if len(parts) > 2 else ()))
    return places


@lru_cache(maxsize=1)
def divisions() -> Divisions:
    with zipfile.ZipFile(data_path()) as z:
        text = z.read("china_location.txt").decode("utf-8")
    return Divisions(parse(text))


def lookup(name: str) -> list[Place]:
    """Places called ``name`` (full name first, else a short form): 云南 -> [云南省]; 云县 -> [云县]."""
    d = divisions()
    return list(d.by_name.get(name) or d.by_short.get(name) or [])


def is_under(place: Place, ancestor: str) -> bool:
    return ancestor in place.parents


def _standalone(text: str, start: int, end: int) -> bool:
    """No word of the dictionary runs across the mention's edges (长治 in 长治久安, 和县 in 市委和县委)."""
    lo, hi = max(0, start - 4), min(len(text), end + 4)
    cuts, pos = set(), lo
    for w in tokenizer().cut(text[lo:hi], HMM=False):
        pos += len(w)
        cuts.add(pos)
    return (start == lo or start in cuts) and end in cuts


def _plausible(key: str, full: bool, text: str, start: int, strict: bool) -> bool:
    """Short forms and two-character names are also everyday words (平安, 城区): they count in running text
    only when the dictionary knows them as nouns or not at all (``strict``), and no longer word runs across
    them."""
    if full and len(key) > 2:
        return True
    tag = pos_tokenizer().word_tag_tab.get(key)
    if strict and tag is not None and not (tag == "ns" if full else tag[0] in "nj"):
        return False
    return _standalone(text, start, start + len(key))


def _scan(text: str, strict: bool) -> list[tuple[int, int, tuple[Place, ...], bool]]:
    d = divisions()
    out = []
    i, n = 0, len(text)
    while i < n - 1:
        hit = None
        for length in d.lengths.get(text[i:i + 2], ()):
            key = text[i:i + length]
            if len(key) == length and (key in d.by_name or key in d.by_short):
                hit = key
                break
        full = hit in d.by_name
        # 云溪 + 市 is not 云溪区: a short form followed by an administrative suffix names another place
        other = not full and text[i + len(hit):i + len(hit) + 1] in _SUFFIX_CHARS if hit else False
        if hit is None or other or not _plausible(hit, full, text, i, strict):
            i += 1
            continue
        out.append((i, i + len(hit), tuple(d.by_name.get(hit) or d.by_short[hit]), not full))
        i += len(hit)
    return out


def _choose(cands: tuple[Place, ...], named: Counter, before: set[str]) -> Place | None:
    """The candidate whose parents the text names (those named just before it count most)."""
    if len(cands) == 1:
        return cands[0]

    def score(p: Place) -> tuple[int, int, int]:
        return (sum(a in before for a in p.parents), sum(named[a] > 0 for a in p.parents),
                -LEVEL_ORDER.index(p.level))

    ranked = sorted(cands, key=score, reverse=True)
    return ranked[0] if score(ranked[0]) != score(ranked[1]) else None


def find_places(text: str, strict: bool = True) -> list[PlaceMention]:
    """Every division named in ``text``, in order, each resolved against the others the text names.

    ``strict=False`` is for a title or a signature, where 单县 or 城区 can only be a place.
    """
    raw = _scan(text, strict)
    # A county's short form (会同, 公安, 全州) is an everyday word too often: in running text it counts only
    # when the text also names that county in full (凤庆 beside 凤庆县).
    full = {c.name for _, _, cands, short in raw if not short for c in cands}
    if strict:
        raw = [r for r in raw if not r[3] or any(c.level in _SHORT_ANYWHERE or c.name in full for c in r[2])]
    named: Counter = Counter()
    for _, _, cands, _ in raw:
        for c in {c.name for c in cands}:
            named[c] += 1
    out: list[PlaceMention] = []
    for k, (s, e, cands, short) in enumerate(raw):
        out.append(PlaceMention(s, e, text[s:e], cands, _choose(cands, named, _chain_before(raw, k)), short))
    return out


def _chain_before(raw: list, k: int) -> set[str]:
    """Names written right before mention ``k`` (临沧市临翔区|凤翔街道: 临沧市, 临翔区)."""
    out: set[str] = set()
    start = raw[k][0]
    for s, e, cands, _ in reversed(raw[:k]):
        if start - e > 1:
            break
        out |= {c.name for c in cands}
        start = s
    return out


def common_parents(places: list[Place]) -> tuple[str, ...]:
    """The parents all ``places`` share (for a name that stays ambiguous)."""
    if not places:
        return ()
    chains = [p.parents for p in places]
    out = []
    for names in zip(*chains, strict=False):
        if len(set(names)) > 1:
            break
        out.append(names[0])
    return tuple(out)
