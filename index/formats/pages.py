"""Carrying page starts through cleaning: offsets in the extracted text -> offsets in the cleaned text.

Cleaning (index.clean) keeps lines in order, stripped, drops boilerplate lines and joins hard-wrapped lines, so
each kept line is found where the cleaned text has got to (right there, or after one newline).
"""
from __future__ import annotations

from bisect import bisect_right


def _norm(line: str) -> tuple[str, int]:
    """The line as cleaning keeps it, and how many characters its stripping removed in front."""
    s = line.replace("\u3000", " ").replace("\xa0", " ")
    return s.strip(), len(s) - len(s.lstrip())


def _line_map(raw: str, clean: str) -> tuple[list[int], list[int]]:
    """For each line of ``raw``: its start offset in ``raw`` and the offset of its first kept character in
    ``clean`` (a dropped line maps to where the cleaned text had got to)."""
    raw_starts, clean_starts = [], []
    cur, pos = 0, 0
    for line in raw.split("\n"):
        s, lead = _norm(line.rstrip("\r"))
        raw_starts.append(pos + lead)
        if s and clean.startswith(s, cur):
            clean_starts.append(cur)
            cur += len(s)
        elif s and clean.startswith("\n" + s, cur):
            clean_starts.append(cur + 1)
            cur += 1 + len(s)
        else:
            clean_starts.append(cur + 1 if clean.startswith("\n", cur) else cur)
        pos += len(line) + 1
    return raw_starts, clean_starts


def map_offsets(raw: str, clean: str, offsets: list[int]) -> list[int]:
    """``offsets`` into ``raw`` as offsets into ``clean`` (monotone, within ``0..len(clean)``)."""
    if not offsets:
        return []
    raw_starts, clean_starts = _line_map(raw.replace("\ufeff", ""), clean)
    out: list[int] = []
    for off in offsets:
        i = max(bisect_right(raw_starts, off) - 1, 0)
        mapped = min(clean_starts[i] + max(off - raw_starts[i], 0), len(clean))
        out.append(max(mapped, out[-1] if out else 0))
    return out
