"""Normalise a question before anything else reads it: Traditional -> Simplified Chinese, full-width digits and
letters -> ASCII, emoji and other symbols dropped, spaces between Chinese characters removed, a trailing modal
particle and a run of question marks cut to one mark, and a figure stated to be checked (是不是12.5%, 是8件吗:
qa/lexicon/q_check_words.tsv) asked for (是多少, 是多少件).

    >>> normalize_question("青禾縣 2023年 行政復議 糾錯率是多少？😀")
    '青禾县2023年行政复议纠错率是多少?'
    >>> normalize_question("青禾县的纠错率呢？？")
    '青禾县的纠错率?'
    >>> normalize_question("能告诉我青禾县的纠错率吗？")
    '青禾县的纠错率?'
    >>> normalize_question("青禾县的纠错率是不是12.5%")  # a figure stated to be checked is asked for
    '青禾县的纠错率是多少?'
"""
from __future__ import annotations

import re
import unicodedata
from functools import cache

from qa.lexicon import alternation, in_order

_SPACE_IN_CJK = re.compile(r"(?<=[\u4e00-\u9fff])\s+|\s+(?=[\u4e00-\u9fff])")  # 青禾县 2023年 -> 青禾县2023年
_SPACES = re.compile(r"\s+")
_END_MARKS = "?!.。~…"


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
    return _unwrap(_trailing(_check_figure(_SPACES.sub(" ", t).strip())))


@cache
def _check_words(where: str) -> tuple[str, ...]:
    from qa.lexicon import table

    return tuple(r["word"] for r in table("q_check_words.tsv") if r["where"] == where)


@cache
def _check_re() -> re.Pattern[str]:
    from qa.question.rules import ask_units, units_alternation

    before, after = alternation(_check_words("before")), alternation(_check_words("after"))
    copula, magnitude = alternation(_check_words("copula")), alternation(_check_words("magnitude"))
    figure = rf"(?P<fig>\d+(?:\.\d+)?\s*(?:{magnitude})?\s*(?P<unit>%|{units_alternation(ask_units())})?)"
    marks = f"[{re.escape(_END_MARKS)}]*"
    return re.compile(rf"^(?P<head>.+?)(?:(?P<check>{before})|{copula})\s*{figure}\s*(?P<after>{after})?{marks}$")


def _check_figure(t: str) -> str:
    """青禾县的纠错率是不是12.5% -> 青禾县的纠错率是多少: a figure stated to be checked is asked for (its unit kept:
    是8件吗 -> 是多少件)."""
    m = _check_re().match(t)
    if not m or len(m.group("head")) < 2 or not (m.group("check") or m.group("after")):
        return t
    unit = m.group("unit") or ""
    return f"{m.group('head')}{_check_words('ask')[0]}{'' if unit == '%' else unit}?"


@cache
def _wrapper_re() -> re.Pattern[str]:
    leads = alternation(in_order("q_ask_wrappers.txt"))
    yes_no = alternation(in_order("q_yes_no_particles.txt"))
    return re.compile(rf"^(?:{leads})(?P<q>.+?)(?:{yes_no})?(?P<marks>[{re.escape(_END_MARKS)}]*)$")


def _unwrap(t: str) -> str:
    """A question wrapped in a request (q_ask_wrappers.txt): the question alone (能告诉我…吗? -> …?)."""
    m = _wrapper_re().match(t)
    if not m or len(m.group("q").strip()) < 2:  # 你知道吗 is no wrapped question
        return t
    return m.group("q").strip() + ("?" if m.group("marks") else "")


@cache
def _trailing_re() -> re.Pattern[str]:
    particles = alternation(in_order("q_trailing_particles.txt"))
    return re.compile(rf"(?<=[\u4e00-\u9fff%\d])(?:{particles})?(?P<marks>[{re.escape(_END_MARKS)}]*)$")


def _trailing(t: str) -> str:
    """Drop a modal particle at the end and keep one question mark of the marks after it (多少呢?? -> 多少?)."""
    m = _trailing_re().search(t)
    if not m or m.end() - m.start() == 0:
        return t
    return t[:m.start()] + ("?" if m.group("marks") else "")
