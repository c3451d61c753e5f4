"""The one vocabulary of answer shapes and question intents, as data files beside this module — except the unit
table, units.tsv, which /facts reads too and which therefore lives in index/data/ (index/units.py; the index
does not import qa).

Each file starts with ``#`` lines saying what it holds (and, for ``.tsv`` files, a header naming its columns).
Readers here are cached: the files are read once per process. Word lists are ``words`` (longest first) or
``in_order`` / ``listed`` (file order, where order matters); tables are ``table``; named regex patterns
(``question_words.tsv``: rows name, pattern, why) are ``patterns`` / ``pattern``, whose ``{list}`` references stand
for the alternation of a word list's words. Files whose names start with ``q_`` hold the small vocabularies of the
question reader (``qa/question/``, ``qa/answer/types.py``).

    >>> unit_family("名") == unit_family("人")
    True
"""
from __future__ import annotations

import re
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable

from index.units import UNITS_TSV

SHARED: dict[str, Traversable] = {"units.tsv": UNITS_TSV}  # files read by /facts too, kept in index/data/


def _lines(name: str) -> list[str]:
    text = (SHARED.get(name) or resources.files(__package__).joinpath(name)).read_text(encoding="utf-8")
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]


@cache
def words(name: str) -> tuple[str, ...]:
    """A one-word-a-line list (``role_heads.txt``), longest first."""
    return tuple(sorted(dict.fromkeys(_lines(name)), key=len, reverse=True))


@cache
def in_order(name: str) -> tuple[str, ...]:
    """A one-word-a-line list in the file's own order (where order is meaning: the first listed is tried first)."""
    return tuple(dict.fromkeys(_lines(name)))


@cache
def table(name: str) -> tuple[dict[str, str], ...]:
    """A ``.tsv`` file as rows keyed by its header."""
    rows = [ln.split("\t") for ln in _lines(name)]
    header, body = rows[0], rows[1:]
    return tuple(dict(zip(header, r, strict=True)) for r in body)


@cache
def units() -> dict[str, dict[str, str]]:
    """unit -> its row of ``units.tsv`` (family, kind)."""
    return {r["unit"]: r for r in table("units.tsv")}


def unit_family(unit: str | None) -> str | None:
    row = units().get(unit or "")
    return row["family"] if row else None


def unit_kind(unit: str | None) -> str | None:
    row = units().get(unit or "")
    return row["kind"] if row else None


@cache
def groups(name: str) -> dict[str, tuple[str, ...]]:
    """A ``group<TAB>words<TAB>why`` table (``span_words.tsv``): group -> its space-separated words, in the order
    the file gives them (the order of a regex alternation can matter: 号 before 号令)."""
    return {r["group"]: tuple(r["words"].split()) for r in table(name)}


def listed(name: str, use: str | None = None) -> tuple[str, ...]:
    """The words of lexicon list ``name`` in file order: ``name.txt``, or, with ``use``, the first column of the rows
    of ``name.tsv`` whose ``uses`` column names ``use`` (``*``: every row)."""
    if use is None:
        return in_order(f"{name}.txt")
    rows = table(f"{name}.tsv")
    first = next(iter(rows[0]))
    return tuple(r[first] for r in rows if use == "*" or use in r["uses"].split(","))


def alternation(ws: tuple[str, ...]) -> str:
    """``ws`` as one regex alternation of literal words, in their order (wrap it in ``(?:…)`` where needed)."""
    return "|".join(map(re.escape, ws))


_REF = re.compile(r"\{([a-z_]+)(?:\.([a-z_*]+))?\}")


@cache
def patterns(name: str) -> dict[str, str]:
    """The named patterns of a ``.tsv`` of rows (name, pattern, why), as written: the rows of one name are
    alternatives of one pattern, joined in file order."""
    out: dict[str, list[str]] = {}
    for r in table(name):
        out.setdefault(r["name"], []).append(r["pattern"])
    return {k: "|".join(v) for k, v in out.items()}


def expand(pat: str, **given: str) -> str:
    """A pattern with its ``{list}`` / ``{table.use}`` references replaced by ``(?:…)`` around the alternation of
    those words (``listed``); ``given`` names alternations built by the caller (``{units}``), put in as they are."""
    def ref(m: re.Match[str]) -> str:
        if m.group(2) is None and m.group(1) in given:
            return given[m.group(1)]
        return f"(?:{alternation(listed(m.group(1), m.group(2)))})"

    return _REF.sub(ref, pat)


def pattern(file: str, name: str, **given: str) -> str:
    """Pattern ``name`` of lexicon file ``file`` (``question_words.tsv``), its references expanded."""
    return expand(patterns(file)[name], **given)
