"""The one table of measure words, ``index/data/units.tsv``, read by /facts and /ask alike.

/facts (index/facts.py) reads which units a ranked figure may have and the family it is ranked within (the
``facts`` column); /ask reads the family and kind of answer shapes through ``qa.lexicon`` (the ``family`` and
``kind`` columns). The table lives in the index package because the index does not import qa.

    >>> fact_families()["卷"], fact_families()["人次"], "天" in fact_families()
    ('件', '人次', False)
"""
from __future__ import annotations

from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable

UNITS_TSV: Traversable = resources.files("index").joinpath("data", "units.tsv")
NOT_A_FACT = "-"  # the facts column of a unit /facts records no figure in


def read_tsv(text: str) -> tuple[dict[str, str], ...]:
    """Rows of a tab-separated table whose ``#`` lines are comments and whose first other line names the columns."""
    rows = [ln.strip().split("\t") for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    header, body = rows[0], rows[1:]
    return tuple(dict(zip(header, r, strict=True)) for r in body)


@cache
def unit_table() -> tuple[dict[str, str], ...]:
    """Every row of units.tsv keyed by its header (unit, family, kind, facts)."""
    return read_tsv(UNITS_TSV.read_text(encoding="utf-8"))


@cache
def fact_families() -> dict[str, str]:
    """unit -> the family /facts ranks a figure in it within, for every unit /facts records."""
    return {r["unit"]: r["facts"] for r in unit_table() if r["facts"] != NOT_A_FACT}
