"""The fact table of an index: filter the figures every report states by indicator, place and year, and sort.

``fact_table(index)`` reads ``facts.jsonl`` of the index's build folder once (or extracts the facts when an
older build has none) and keeps posting lists by indicator key, by place (a fact is filed under its region and
every parent, so a province returns its cities and counties) and by year, so a query over hundreds of
thousands of facts only touches the rows it returns.

    >>> t = fact_table(qa.index)
    >>> [(f.region, f.text) for f in t.select(FactQuery(indicator="法律援助案件", region="湖南"))]
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import quote

import numpy as np

from index.facts import FACTS_FILE, Fact, IndicatorKey, extract_facts, indicator_keys, read_facts
from index.store import LoadedIndex
from qa.query import region_aliases

SortKey = Literal["value", "-value", "region", "year", "-year", "document"]
SORT_KEYS: tuple[str, ...] = ("value", "-value", "region", "year", "-year", "document")
_EMPTY = np.zeros(0, dtype=np.int64)
_ROW_FIELDS = ("region", "level", "parents", "year", "indicator", "key", "value", "unit", "text", "kind", "direction",
               "qualifier", "department", "doc_id", "passage_id", "section", "start", "end", "sentence_start",
               "sentence_end")


class FactQueryError(ValueError):
    """A fact query that cannot be answered as asked (an unknown sort key, a bad limit)."""


@dataclass
class FactQuery:
    indicator: str | None = None  # free text or a key (review.correction_rate)
    region: str | None = None  # any level: a province, a city, a county (某省, 青禾县 …)
    year: int | None = None
    kind: str | None = None  # level | change; None: both
    keyed_only: bool = False  # only facts that have an indicator key
    sort: str = "document"
    limit: int = 200
    offset: int = 0


@dataclass
class Resolved:
    """How a query's free text was read: the keys it names, or the report wording it was matched in."""

    keys: list[str]
    places: list[str]
    unknown_region: bool = False


def _posting(groups: dict, key, idx: int) -> None:
    groups.setdefault(key, []).append(idx)


def _arrays(groups: dict) -> dict:
    return {k: np.asarray(v, dtype=np.int64) for k, v in groups.items()}


class FactTable:
    """All facts of one index, with posting lists for fast filters."""

    def __init__(self, facts: list[Fact], titles: dict[str, str] | None = None,
                 keys: tuple[IndicatorKey, ...] | None = None) -> None:
        self.facts = facts
        self.titles = titles or {}
        self.keys = keys if keys is not None else indicator_keys()
        self.key_names = {k.key: k.name for k in self.keys}
        self.passage_pos: dict[str, int] = {}  # passage id -> position in the index (set by fact_table)
        self.values = np.asarray([f.value for f in facts], dtype=np.float64)
        self.years = np.asarray([f.year or 0 for f in facts], dtype=np.int64)
        self.is_change = np.asarray([f.kind == "change" for f in facts], dtype=bool)
        self.keyed = np.asarray([i for i, f in enumerate(facts) if f.key], dtype=np.int64)
        self._index_rows(facts)
        regions = sorted({f.region or "" for f in facts})
        rank = {r: i for i, r in enumerate(regions)}
        self.region_rank = np.asarray([rank[f.region or ""] for f in facts], dtype=np.int64)
        self._names = list(self.by_indicator)  # every indicator wording, for a substring search in one string
        self._blob = "\n".join(self._names)
        self._starts = np.cumsum([0] + [len(n) + 1 for n in self._names[:-1]]) if self._names else _EMPTY

    def _index_rows(self, facts: list[Fact]) -> None:
        """Posting lists by key, place (region and every parent), year and wording; the aliases of the places."""
        by_key: dict[str | None, list[int]] = {}
        by_place: dict[str, list[int]] = {}
        by_year: dict[int | None, list[int]] = {}
        by_indicator: dict[str, list[int]] = {}
        chains: set[tuple[str, ...]] = set()
        for i, f in enumerate(facts):
            _posting(by_key, f.key, i)
            _posting(by_year, f.year, i)
            _posting(by_indicator, f.indicator, i)
            for place in {*f.parents, f.region} - {None}:
                _posting(by_place, place, i)
            if f.region:
                chains.add((*f.parents, f.region))
        self.by_key, self.by_place = _arrays(by_key), _arrays(by_place)
        self.by_year, self.by_indicator = _arrays(by_year), _arrays(by_indicator)
        self.aliases: dict[str, set[str]] = {}
        for chain in chains:
            for i, name in enumerate(chain):
                for alias in region_aliases(name, chain[:i]) | {name}:
                    self.aliases.setdefault(alias, set()).add(name)

    def __len__(self) -> int:
        return len(self.facts)

    # ------------------------------------------------------------------ reading a query
    def keys_for(self, text: str) -> list[str]:
        """The indicator keys ``text`` names: a key itself, or the longest indicator words it contains."""
        text = "".join(text.split())
        if text in self.key_names:
            return [text]
        best, out = 0, []
        for k in self.keys:
            if any(w in text for w in k.exclude):
                continue
            n = max((len(w) for w in k.words() if w and (w in text or text in w and len(text) >= 2)), default=0)
            if n > best:
                best, out = n, [k.key]
            elif n == best and n:
                out.append(k.key)
        return out

    def places_for(self, text: str) -> list[str]:
        """The places (region or parent names of the facts) ``text`` names, by any alias."""
        text = "".join(text.split())
        return sorted(self.aliases.get(text, set()))

    def places_in(self, text: str) -> list[tuple[str, int, int]]:
        """The places ``text`` names (canonical name, start, end), longest alias first, never overlapping."""
        if not hasattr(self, "_by_first"):
            self._by_first: dict[str, list[str]] = {}
            for a in sorted(self.aliases, key=len, reverse=True):
                self._by_first.setdefault(a[0], []).append(a)
        found = sorted({a for ch in set(text) for a in self._by_first.get(ch, ()) if a in text},
                       key=lambda a: (-len(a), a))
        out: list[tuple[str, int, int]] = []
        for a in found:
            start = text.find(a)
            while start >= 0:
                end = start + len(a)
                if not any(s < end and start < e for _, s, e in out):
                    out += [(p, start, end) for p in sorted(self.aliases[a])]
                start = text.find(a, end)
        return sorted(out, key=lambda x: x[1])

    def _indicator_rows(self, text: str) -> np.ndarray:
        keys = self.keys_for(text)
        if keys:
            return np.concatenate([self.by_key.get(k, _EMPTY) for k in keys])
        text = "".join(text.split()).replace("\n", "")
        if not text:
            return _EMPTY
        hits: set[int] = set()
        at = self._blob.find(text)
        while at >= 0:
            hits.add(int(np.searchsorted(self._starts, at, side="right")) - 1)
            at = self._blob.find(text, at + 1)
        return np.concatenate([self.by_indicator[self._names[i]] for i in sorted(hits)]) if hits else _EMPTY

    # ------------------------------------------------------------------ selecting
    def rows(self, q: FactQuery) -> tuple[np.ndarray, Resolved]:
        """Indices of the facts matching ``q`` (unsorted), and how its text was read."""
        resolved = Resolved(keys=self.keys_for(q.indicator) if q.indicator else [], places=[])
        sets: list[np.ndarray] = []
        if q.indicator:
            sets.append(self._indicator_rows(q.indicator))
        if q.region:
            resolved.places = self.places_for(q.region)
            resolved.unknown_region = not resolved.places
            sets.append(np.concatenate([self.by_place[p] for p in resolved.places]) if resolved.places else _EMPTY)
        if q.year is not None:
            sets.append(self.by_year.get(q.year, _EMPTY))
        if q.keyed_only:
            sets.append(self.keyed)
        if sets:
            rows = np.unique(sets[0])
            for s in sets[1:]:
                rows = np.intersect1d(rows, s, assume_unique=False)
        else:
            rows = np.arange(len(self.facts), dtype=np.int64)
        if q.kind:
            rows = rows[self.is_change[rows] == (q.kind == "change")]
        return rows, resolved

    def order(self, rows: np.ndarray, sort: str) -> np.ndarray:
        if sort not in SORT_KEYS:
            raise FactQueryError(f"unknown sort {sort!r}; use one of {', '.join(SORT_KEYS)}")
        if sort == "document" or not len(rows):
            return np.sort(rows)
        if sort in ("value", "-value"):
            v = self.values[rows]
            o = np.lexsort((rows, -v if sort == "-value" else v))
        elif sort in ("year", "-year"):
            y = self.years[rows]
            o = np.lexsort((rows, -y if sort == "-year" else y))
        else:
            o = np.lexsort((rows, self.region_rank[rows]))
        return rows[o]

    def row(self, i: int) -> dict:
        """Fact ``i`` as a response row: its fields, its key's name, its report's title, its cited span's url."""
        f = self.facts[i]
        d = {k: getattr(f, k) for k in _ROW_FIELDS}
        d["key_name"] = self.key_names.get(f.key or "")
        d["title"] = self.titles.get(f.doc_id, "")
        d["url"] = f"documents/{quote(f.doc_id, safe='')}?start={f.start}&end={f.end}"
        return d

    def answer(self, q: FactQuery) -> tuple[int, list[dict], Resolved]:
        """What GET /facts returns for ``q``: how many facts match, the page of rows, how the text was read."""
        if not 1 <= q.limit <= 10_000 or q.offset < 0:
            raise FactQueryError("limit must be from 1 to 10000 and offset at least 0")
        rows, resolved = self.rows(q)
        page = self.order(rows, q.sort)[q.offset:q.offset + q.limit]
        return len(rows), [self.row(int(i)) for i in page], resolved

    def select(self, q: FactQuery) -> list[Fact]:
        if not 1 <= q.limit <= 10_000 or q.offset < 0:
            raise FactQueryError("limit must be from 1 to 10000 and offset at least 0")
        rows, _ = self.rows(q)
        return [self.facts[i] for i in self.order(rows, q.sort)[q.offset:q.offset + q.limit]]


# ---------------------------------------------------------------------------------------------- per index
_tables: OrderedDict[Path, FactTable] = OrderedDict()
_lock = threading.Lock()


def fact_table(index: LoadedIndex) -> FactTable:
    """The fact table of ``index`` (read once per build folder; extracted when the build stored none). A caller
    arriving while another reads it waits for that read."""
    with _lock:
        t = _tables.get(index.path)
        if t is not None:
            _tables.move_to_end(index.path)
            return t
        facts = read_facts(index.path)
        if facts is None:
            facts = extract_facts(index.doc_list, index.passages)
        t = FactTable(facts, {d.doc_id: d.meta.title for d in index.doc_list})
        t.passage_pos = {p.passage_id: i for i, p in enumerate(index.passages)}
        _tables[index.path] = t
        while len(_tables) > 4:
            _tables.popitem(last=False)
        return t


def prefetch(index: LoadedIndex) -> None:
    """Read the fact table of ``index`` in the background (a large index's facts take seconds to read), so the
    first comparison or GET /facts does not wait for all of it. A build without facts.jsonl (made before facts
    existed) is left alone: extracting them is work the first comparison asks for, not every start."""
    if (Path(index.path) / FACTS_FILE).is_file():
        threading.Thread(target=fact_table, args=(index,), name="facts-prefetch", daemon=True).start()
