"""Normalise a question before anything else reads it: Traditional -> Simplified Chinese, full-width digits and
letters -> ASCII, emoji and other symbols dropped, spaces between Chinese characters removed.

    >>> normalize_question("青禾縣 2023年 行政復議 糾錯率是多少？😀")
    '青禾县2023年行政复议纠错率是多少?'
"""
from __future__ import annotations

import re
import unicodedata
from functools import cache

_SPACE_IN_CJK = re.compile(r"(?<=[\u4e00-\u9fff])\s+|\s+(?=[\u4e00-\u9fff])")  # 青禾县 2023年 -> 青禾县2023年
_SPACES = re.compile(r"\s+")


@cache
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


_EMOJI = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\uFE0F\u200D\u20E3]")


def _keep(ch: str) -> bool:
    """Emoji and unassigned or private characters go; other symbols (○ in 二○二三年, ℃) stay."""
    return not (_EMOJI.match(ch) or unicodedata.category(ch) in ("Cs", "Co", "Cn"))


def normalize_question(text: str) -> str:
    t = unicodedata.normalize("NFKC", text)
    t = "".join(ch for ch in t if _keep(ch))
    t = _t2s().convert(t)
    t = _SPACE_IN_CJK.sub("", t)
    return _SPACES.sub(" ", t).strip()
