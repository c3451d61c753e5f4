"""Follow-up questions: a turn that lacks a place, a year or what is asked takes it from the turns before.

People chat: "云溪行政复议纠错率是多少" then "那清河呢?", "2023年呢?", "去年呢?", "败诉率呢?", "石门的呢",
"和石门比呢?".
No language model is involved: each turn is read with the question analysis of :mod:`qa.query` (places from the
index's gazetteer, years), and the conversation keeps a small state (the last question asked, its place, year
and indicator). A turn that stands on its own (it names what is asked and a place, or it is a whole question
without the marks of an elliptical one) ignores the history. Usage::

    r = resolve(["云溪行政复议纠错率是多少"], "那清河呢?", qa.gazetteer)
    r.question   # "清河行政复议纠错率是多少"
    r.followup   # True
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from qa.query import Gazetteer, analyse, report_years

_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d\s*年度?(?:的)?")
# words that move the year of the turn before: 去年 is the year before the one asked about
_RELATIVE_YEAR = {"前年": -2, "去年": -1, "上一年": -1, "前一年": -1, "上年": -1, "同年": 0, "当年": 0,
                  "这一年": 0, "次年": 1, "第二年": 1, "下一年": 1, "后一年": 1, "明年": 1}
_RELATIVE = re.compile("|".join(sorted(map(re.escape, _RELATIVE_YEAR), key=len, reverse=True)))
_LEAD = re.compile(r"^(?:那么|那|还有|另外|再看看?|换成|换到|请问|而|再问一下)")
_TRAIL = re.compile(r"(?:呢|吧|啊|呀|嘛|咧)$")
# a comparison with the place of the turn before: 和石门比呢, 跟石门相比, 与石门对比一下
_COMPARE = re.compile(r"(?:和|与|跟|同|对比|比较)|(?:相比|对比|比较|比)(?:一下|下)?$")
_FILLER = re.compile(r"^(?:的|之|之间|各自|一下|下|看看?|呢)+$")
_PUNCT = re.compile(r"[\s\W_]+")
# question words (with the measure word a count asks in): what is left of a turn without them is what it asks about
_QWORD = re.compile(r"(?:是|有|为)?(?:多少|几)(?:个百分点|人次|件次|万元|亿元|个|件|人|项|次|名|家|场|条|份|元|天|%)?|"
                    r"(?:是|为)?(?:什么|谁|哪些|哪个|哪里|多高|多大)|叫什么名字|叫什么|如何|怎么样|怎么|怎样|是否|"
                    r"有没有|吗|请问|一共|总共|累计|分别是|分别")


@dataclass(frozen=True)
class Turn:
    """What one turn names: its place as written, its year, and the rest (what it asks)."""

    text: str
    place: str | None = None
    place_span: tuple[int, int] | None = None
    year: int | None = None
    year_span: tuple[int, int] | None = None
    relative_year: int | None = None  # 去年 -> -1
    indicator: str = ""  # what is asked, without place, year, question words and fillers
    asked: str = ""  # the turn without place, year and fillers: "败诉率是多少", "受理了多少件复议申请"
    asks: str = ""  # the question words of the turn (是多少, 多少件 …)
    compare: bool = False  # "和石门比呢"
    elliptic: bool = False  # 那…呢 / …呢 / no question word: leans on the turn before


@dataclass(frozen=True)
class ConversationState:
    """The conversation so far: the last question asked (as resolved) and what it named."""

    question: str | None = None
    place: str | None = None
    year: int | None = None
    indicator: str = ""


@dataclass(frozen=True)
class Resolved:
    """The question to ask for a turn; ``followup`` when the turns before filled something in."""

    question: str
    original: str
    followup: bool = False
    compare: bool = False
    place: str | None = None
    year: int | None = None
    indicator: str = ""

    def label(self, region: str | None = None, year: int | None = None) -> str:
        """What was answered, e.g. "清河县2024年行政复议纠错率" (``region``/``year`` from the answer's report
        when the question did not spell them)."""
        if self.compare:
            return self.question
        y = self.year or year
        return f"{region or self.place or ''}{f'{y}年' if y else ''}{self.indicator}"


def _place_spans(q: str, gaz: Gazetteer) -> list[tuple[int, int]]:
    """Where the turn names places: indexed regions' aliases, else places no report covers (长沙)."""
    _, spans = gaz.find_regions(q)
    if spans:
        return sorted(spans)
    out = []
    for name in analyse(q, gaz).unknown_places:
        i = q.find(name)
        if i >= 0:
            out.append((i, i + len(name)))
    return sorted(out)


def _blank(text: str, span: tuple[int, int] | None) -> str:
    if span is None:
        return text
    s, e = span
    return text[:s] + " " * (e - s) + text[e:]


def read_turn(text: str, gaz: Gazetteer) -> Turn:
    """Split a turn into place, year, what it asks and the words that make it a follow-up."""
    q = text.strip()
    pspans = _place_spans(q, gaz)
    years = report_years(q)
    ym = _YEAR.search(q)
    yspan = (ym.start(), ym.end()) if ym else None
    rm = _RELATIVE.search(q)
    rest = q
    for span in [*pspans, yspan, (rm.start(), rm.end()) if rm else None]:
        rest = _blank(rest, span)
    rest = _PUNCT.sub(" ", rest).strip()
    lead = bool(_LEAD.match(rest))
    rest = _LEAD.sub("", rest).strip()
    trail = bool(_TRAIL.search(rest))
    rest = _TRAIL.sub("", rest).strip()
    asks = "".join(_QWORD.findall(rest))
    core = _QWORD.sub(" ", rest)
    compare = bool(pspans) and bool(_COMPARE.search(core.replace(" ", "")))
    if compare:
        core = _COMPARE.sub(" ", core)
    core = re.sub(r"\s+", "", core).strip("的")
    if _FILLER.match(core or "的"):
        core = ""
    pspan = pspans[0] if pspans else None
    return Turn(text=q, place=q[pspan[0]:pspan[1]] if pspan else None, place_span=pspan,
                year=years[0] if years else None, year_span=yspan,
                relative_year=_RELATIVE_YEAR[rm.group(0)] if rm else None, indicator=core,
                asked=re.sub(r"\s+", "", rest).lstrip("的"), asks=asks, compare=compare,
                elliptic=lead or trail or not asks)


def _with_year(turn: Turn, year: int) -> str:
    """``turn``'s text with its year set to ``year`` (replaced, or put after the place, or in front)."""
    q = turn.text
    if turn.year_span:
        s, e = turn.year_span
        return f"{q[:s]}{year}年{q[e:]}"
    if turn.place_span:
        e = turn.place_span[1]
        return f"{q[:e]}{year}年{q[e:]}"
    return f"{year}年{q}"


def _with_place(turn: Turn, place: str) -> str:
    q = turn.text
    if turn.place_span:
        s, e = turn.place_span
        return q[:s] + place + q[e:]
    return place + q


YearOf = Callable[[str], "int | None"]  # the year of the report that answers a question (when it names none)


def _year_of(turn: Turn, state: ConversationState, year_of: YearOf | None = None) -> int | None:
    """The year a turn asks about: its own, or 去年/次年 … counted from the year of the question before (or, when
    that named none, from the year of the report that answered it)."""
    if turn.year:
        return turn.year
    if turn.relative_year is None:
        return None
    base = state.year or (year_of(state.question) if year_of and state.question else None)
    return base + turn.relative_year if base else None


def _without_year(turn: Turn) -> str:
    if not turn.year_span:
        return turn.text
    s, e = turn.year_span
    return turn.text[:s] + turn.text[e:]


def _has_report(place: str, year: int, gaz: Gazetteer) -> bool:
    regions, _ = gaz.find_regions(place)
    docs = gaz.docs_for(regions) if regions else set()
    return bool(gaz.docs_of_years([year], docs))


def _elliptic_place_or_year(turn: Turn, state: ConversationState, gaz: Gazetteer,
                            year_of: YearOf | None = None) -> str:
    """"那清河呢" / "2023年呢" / "和石门比呢": the question before, with the new place or year. A year carried
    over to a new place that has no report of that year is dropped (the place's own reports answer)."""
    assert state.question is not None
    before = read_turn(state.question, gaz)
    year = _year_of(turn, state, year_of)
    if turn.place and not year and before.year and not _has_report(turn.place, before.year, gaz):
        before = read_turn(_without_year(before), gaz)
    if turn.compare and turn.place and state.place and turn.place != state.place:
        year = year or before.year
        both = year and all(_has_report(p, year, gaz) for p in (state.place, turn.place))
        when = f"{year}年" if both else ""
        return f"比较{state.place}和{turn.place}{when}的{before.indicator or state.indicator}"
    q = before
    if turn.place:
        q = read_turn(_with_place(before, turn.place), gaz)
    if year:
        return _with_year(q, year)
    return q.text


def _elliptic_indicator(turn: Turn, state: ConversationState, year_of: YearOf | None = None) -> str:
    """"败诉率呢" / "2023年的败诉率呢": the new indicator at the place (and year) of the question before."""
    year = _year_of(turn, state, year_of) or state.year
    return f"{state.place}{f'{year}年' if year else ''}{turn.asked}{'' if turn.asks else '是多少'}"


def resolve_turn(text: str, state: ConversationState, gaz: Gazetteer, year_of: YearOf | None = None) -> Resolved:
    """The question to ask for ``text`` after the conversation ``state`` (``year_of``: see :func:`resolve`)."""
    turn = read_turn(text, gaz)
    if state.question is None or not state.indicator:  # nothing asked before to carry over
        return Resolved(question=turn.text, original=text)
    lacks_indicator = not turn.indicator and (turn.place or turn.year or turn.relative_year is not None)
    if lacks_indicator:
        q = _elliptic_place_or_year(turn, state, gaz, year_of)
    elif not turn.place and state.place and turn.elliptic:
        q = _elliptic_indicator(turn, state, year_of)
    else:
        return Resolved(question=turn.text, original=text)
    return Resolved(question=q, original=text, followup=q != turn.text, compare=turn.compare)


def _state_after(resolved: Resolved, gaz: Gazetteer) -> ConversationState:
    turn = read_turn(resolved.question, gaz)
    return ConversationState(question=resolved.question, place=turn.place, year=turn.year,
                             indicator=turn.indicator)


def resolve(previous: Sequence[str], text: str, gaz: Gazetteer, year_of: YearOf | None = None) -> Resolved:
    """The question to ask for the user turn ``text`` after the user turns ``previous`` (oldest first).

    ``year_of(question)``, when given, tells the year of the report that answers a question naming no year, so
    that "去年呢" after it counts from that year."""
    state = ConversationState()
    for before in previous:
        if before.strip():
            state = _state_after(resolve_turn(before, state, gaz, year_of), gaz)
    out = resolve_turn(text, state, gaz, year_of)
    turn = read_turn(out.question, gaz)
    return replace(out, place=turn.place, year=turn.year, indicator=turn.indicator)
