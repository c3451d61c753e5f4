"""The question's words and the type rules, read from data: ``qa/lexicon/question_words.tsv`` names the patterns by
which a question asks for something (date, count, rate …), ``qa/lexicon/type_rules.tsv`` orders the rules that turn
them into an answer type. The first rule that applies decides.

    >>> first_rule("青禾县2023年行政复议纠错率是多少").name
    'rate_counted'
    >>> question_pattern("docnum").search("实施方案的文号是什么") is not None
    True
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from qa.lexicon import listed, pattern, table, units

QUESTION_WORDS = "question_words.tsv"
TYPE_RULES = "type_rules.tsv"
_ALWAYS = "*"
_NONE = "-"


@cache
def ask_units() -> tuple[str, ...]:
    """Every measure word a question may ask for after 多少/几: the question's own (``q_units.txt``, in their order),
    then those of the shared unit table (``units.tsv``) not among them."""
    own = listed("q_units")
    return own + tuple(u for u in units() if u not in own)


def units_alternation(ws: Iterable[str]) -> str:
    """The units as regex alternatives, longest first (多少个月 before 多少个)."""
    return "|".join(re.escape(u) for u in sorted(set(ws), key=len, reverse=True))


@cache
def question_pattern(name: str) -> re.Pattern[str]:
    """Pattern ``name`` of ``question_words.tsv``, compiled (``{units}``: the units of ``ask_units`` but %)."""
    return re.compile(pattern(QUESTION_WORDS, name, units=units_alternation(set(ask_units()) - {"%"})))


# a quoted name said in the question (“某某”): at most this long, and read as a name, not as the question's words
_QUOTED_SAID = re.compile(r"“[^“”]{1,20}”|「[^「」]{1,20}」")
_MASK = "\uff0a"  # ＊, a neutral character of the same width: no question word, no unit


def quotes_masked(q: str) -> str:
    """``q`` with a quoted name that holds a question word masked, so the name's words are not read as the question's:
    开辟“谁请客谁付账”专栏的是哪个公众号 asks for a name, not for a person. Same length, so positions hold. When
    no question word is left outside the quotes (合成了“几合一”), the question is its own quote: kept."""
    masked = _QUOTED_SAID.sub(lambda m: m.group(0)[0] + _MASK * (len(m.group(0)) - 2) + m.group(0)[-1]
                              if question_pattern("wh").search(m.group(0)) else m.group(0), q)
    return masked if question_pattern("wh").search(masked) else q


@dataclass(frozen=True)
class TypeRule:
    """One row of ``type_rules.tsv``: the answer type a question wants when all ``when`` patterns match and no
    ``unless`` pattern does."""

    name: str
    type: str
    when: tuple[str, ...]
    unless: tuple[str, ...]
    why: str

    def applies(self, q: str) -> bool:
        return all(question_pattern(p).search(q) for p in self.when) \
            and not any(question_pattern(p).search(q) for p in self.unless)


def _names(cell: str, empty: str) -> tuple[str, ...]:
    return () if cell == empty else tuple(cell.split())


@cache
def type_rules() -> tuple[TypeRule, ...]:
    """The type rules in the order they are tried."""
    rules = tuple(TypeRule(r["name"], r["type"], _names(r["when"], _ALWAYS), _names(r["unless"], _NONE), r["why"])
                  for r in table(TYPE_RULES))
    if len({r.name for r in rules}) != len(rules):
        raise ValueError(f"{TYPE_RULES}: a rule name is used twice")
    return rules


def first_rule(q: str) -> TypeRule:
    """The first type rule that applies to question ``q`` (the last rule applies to every question), read with its
    quoted names masked."""
    q = quotes_masked(q)
    for rule in type_rules():
        if rule.applies(q):
            return rule
    raise ValueError(f"{TYPE_RULES}: no rule applies to {q!r}; the last rule must apply always")


@dataclass(frozen=True)
class UnitHint:
    """One row of ``q_unit_hints.tsv``: the unit a question asks for without naming it, when all ``when``
    patterns match; ``strength`` names the weight (``qa/answer/params.py``) saying how sure that is."""

    name: str
    when: tuple[str, ...]
    unit: str
    strength: str
    why: str


@cache
def unit_hints() -> tuple[UnitHint, ...]:
    return tuple(UnitHint(r["name"], _names(r["when"], _ALWAYS), r["unit"], r["strength"], r["why"])
                 for r in table("q_unit_hints.tsv"))


def unit_hint_rule(q: str) -> UnitHint | None:
    """The first unit hint whose patterns all match question ``q``, if any."""
    for hint in unit_hints():
        if all(question_pattern(p).search(q) for p in hint.when):
            return hint
    return None
