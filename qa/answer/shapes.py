"""What a well-formed answer of each type looks like, as hard constraints and as graded features.

``shape(text, asked)`` returns a ``Shape``: ``ok`` is False when the span can never answer a question of that
type (a role that ends in no role word, a body that ends in no organisation word, a headcount asked for and a
figure of events given), and ``fit`` grades how typical the span's form is (used as a scorer feature).

    >>> from qa.answer.types import classify
    >>> shape("两个科室和司法所各1名工作人员", classify("主任由谁担任")).ok
    True
    >>> shape("文明", classify("领导小组组长由谁担任")).ok
    False
    >>> shape("7批", classify("多少人参加考试")).ok
    False
"""
from __future__ import annotations

import re
from typing import NamedTuple

from qa.answer.spans import NUMBER_RE
from qa.answer.types import AnswerType, Asked
from qa.lexicon import unit_family, unit_kind, words

_CJK = re.compile(r"[\u4e00-\u9fff]")
_CLAUSE_PUNCT = re.compile(r"[，,。；;！!？?：:]")
_LIST_JOIN = re.compile(r"、|》《|”“|[和与及]")
_DATE_SHAPE = re.compile(r"\d{1,4}\s*[年月日号]|[〇零一二三四五六七八九十]{1,4}[年月日]|[上中下]旬|年底|年初|季度")
_ORDINAL_SHAPE = re.compile(r"第\s*[\d〇零一二三四五六七八九十百]+|首[批次届个]")
_ADMIN_END = re.compile(r"[省市县区镇乡村旗州盟]$|街道$|社区$|自治[州县旗]$|新区$|开发区$")


class Shape(NamedTuple):
    ok: bool  # False: never an answer of the type asked
    fit: float  # how typical the form is, in [0, 1]
    why: str  # a short reason, shown by `qa explain`


def figure_unit(text: str) -> str | None:
    """The measure word of the last figure in ``text`` (12名执法人员 -> 名), None when it has no figure."""
    last = None
    for m in NUMBER_RE.finditer(text):
        last = m.group("unit")
    return last


def unit_fit(text: str, asked: Asked) -> tuple[float, str]:
    """1.0 the unit asked; 0.75 its family; 0.5 nothing to compare; 0.0 a unit of another family."""
    want, got = asked.unit, figure_unit(text)
    if not want or not got:
        return 0.5, "no unit to compare"
    if want == got:
        return 1.0, f"unit {got} as asked"
    fw, fg = unit_family(want), unit_family(got)
    if fw and fg and fw == fg:
        return 0.75, f"unit {got} of the family asked ({want})"
    if fw is None or fg is None:
        return 0.5, f"unit {got} vs {want}: not in units.tsv"
    return 0.0, f"unit {got} is no {want}"


def _ends_with(text: str, vocab: str) -> str | None:
    t = text.rstrip("”’\"')）")
    return next((w for w in words(vocab) if t.endswith(w)), None)


def _quantity(text: str, asked: Asked) -> Shape:
    fit, why = unit_fit(text, asked)
    if not re.search(r"\d|[〇零一二两三四五六七八九十百千万亿]", text):
        return Shape(False, 0.0, "no figure")
    # a unit said outright (多少人) never takes a figure of another kind: 7批 is no headcount, 6场 no 人次
    kinds = {unit_kind(asked.unit), unit_kind(figure_unit(text))}
    if fit == 0.0 and asked.unit_strength >= 1.0 and "person" in kinds:
        return Shape(False, 0.0, why)
    return Shape(True, fit, why)


def _role(text: str, asked: Asked) -> Shape:
    head = _ends_with(text, "role_heads.txt")
    if head:
        return Shape(True, 1.0, f"ends in the role word {head}")
    if 2 <= len(text) <= 4 and _CJK.fullmatch(text[0]) and not _CLAUSE_PUNCT.search(text):
        return Shape(True, 0.5, "short enough to be a person's name")
    return Shape(False, 0.0, "ends in no role word (role_heads.txt)")


def _body(text: str, asked: Asked) -> Shape:
    end = _ends_with(text, "org_ends.txt")
    if end and len(text) >= 2:
        return Shape(True, 1.0, f"ends in the organisation word {end}")
    return Shape(False, 0.0, "ends in no organisation word (org_ends.txt)")


def _honour(text: str, asked: Asked) -> Shape:
    if _CLAUSE_PUNCT.search(text):
        return Shape(True, 0.3, "runs over a clause break")
    return Shape(True, 1.0 if len(text) >= 4 else 0.4, "a title-shaped phrase" if len(text) >= 4 else "short")


def _place(text: str, asked: Asked) -> Shape:
    return Shape(True, 1.0 if _ADMIN_END.search(text) else 0.5, "ends in an administrative level"
                 if _ADMIN_END.search(text) else "no administrative level at its end")


def _date(text: str, asked: Asked) -> Shape:
    if _DATE_SHAPE.search(text):
        return Shape(True, 1.0, "a date")
    return Shape(False, 0.0, "no year, month or day")


def _ordinal(text: str, asked: Asked) -> Shape:
    return Shape(True, 1.0 if _ORDINAL_SHAPE.search(text) else 0.5, "第N" if _ORDINAL_SHAPE.search(text)
                 else "no 第N")


def _list(text: str, asked: Asked) -> Shape:
    n = len(_LIST_JOIN.findall(text)) + 1
    return Shape(True, 1.0 if n >= 2 else 0.4, f"{n} items")


def _person(text: str, asked: Asked) -> Shape:
    head = _ends_with(text, "role_heads.txt")
    if head and len(text) > 4:
        return Shape(True, 0.75, f"a post ending in the role word {head}")
    return Shape(True, 1.0 if 2 <= len(text) <= 4 else 0.5, "name-sized" if 2 <= len(text) <= 4 else "long")


def _any(text: str, asked: Asked) -> Shape:
    return Shape(True, 1.0 if not _CLAUSE_PUNCT.search(text) else 0.6, "any")


_SHAPES = {
    AnswerType.COUNT: _quantity, AnswerType.RATE: _quantity, AnswerType.MONEY: _quantity,
    AnswerType.DURATION: _quantity, AnswerType.ROLE: _role, AnswerType.BODY: _body, AnswerType.HONOUR: _honour,
    AnswerType.PLACE: _place, AnswerType.DATE: _date, AnswerType.ORDINAL: _ordinal, AnswerType.LIST: _list,
    AnswerType.PERSON: _person,
}


def shape(text: str, asked: Asked) -> Shape:
    if asked.type == AnswerType.NAME and asked.noun in words("org_nouns.txt"):
        return _body(text, asked)  # 成立了什么机构: a body's name
    return _SHAPES.get(asked.type, _any)(text, asked)
