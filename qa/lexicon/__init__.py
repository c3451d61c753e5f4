"""The one vocabulary of answer shapes and question intents, as data files beside this module — except the unit
table, units.tsv, which /facts reads too and which therefore lives in index/data/ (index/units.py; the index
does not import qa).

Each file starts with ``#`` lines saying what it holds (and, for ``.tsv`` files, a header naming its columns).
Readers here are cached: the files are read once per process.

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


def alternation(ws: tuple[str, ...]) -> str:
    """``ws`` as one regex alternation of literal words, in their order (wrap it in ``(?:…)`` where needed)."""
    return "|".join(map(re.escape, ws))
