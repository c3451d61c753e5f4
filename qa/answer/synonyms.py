"""Everyday words -> report words (``qa/data/synonyms.tsv``: 打官司输了 -> 败诉; editable data, not code)."""
from __future__ import annotations

from functools import lru_cache
from importlib import resources


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
    """Report words for the everyday words in ``question``."""
    out: list[str] = []
    for phrase, terms in synonyms():
        if phrase in question:
            out.extend(t for t in terms if t not in out and t not in question)
    return out
