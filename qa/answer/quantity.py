"""Figures: counts, rates, money and durations (438件, 14.7%, 1.35亿元, 连续5年, 3个工作日, 4个方面36项举措).

A figure is scored by how well the words of its *own* clause match the question (the label before it, up to
the previous figure; items of a 分别 list), whether its unit is the one asked for, and how close it sits to the
question's words. The span keeps what a reader needs: the unit's measure word, a generic classifier's noun
(9项制度, not 9项), a duration's 连续/提前, an estimate's 约/近/超过.

Its words are in ``qa/lexicon/quantity_words.tsv``, its units' families and kinds in ``quantity_units.tsv``, its
weights in ``params.py`` (``unit_*``, ``figure_*``).
"""
from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

from qa.answer.context import SpanContext
from qa.answer.params import PARAMS, Params
from qa.answer.scoring import clause_cover, near
from qa.answer.spans import CN_DIGITS, NUMBER_RE, Span, clauses, inside_marks, noun_phrase_after
from qa.answer.types import TIME_UNITS, AnswerType, counted_words_end
from qa.lexicon import alternation, groups, table, units

WORDS = groups("quantity_words.tsv")
PART_OF = tuple(WORDS["part_of"])  # 其中: the figure after it is a part of the one before (features._part_not_asked)
TOTAL_ASK = tuple(WORDS["total_ask"])  # 一共 / 累计: the question asks for a total
_NONE = "-"
# the ONE unit table (index/data/units.tsv, read by /facts too), and the magnitudes a figure may end in without a unit
_UNITS = [{"unit": u, "family": r["family"], "kind": r["kind"]} for u, r in units().items()] + list(
    table("quantity_units.tsv"))
_KINDS = {r["kind"]: r["coarse"] for r in table("quantity_kinds.tsv")}
UNIT_FAMILY = {r["unit"]: r["family"] for r in _UNITS if r["family"] != _NONE}
_COARSE = {r["unit"]: _KINDS.get(r["kind"], _NONE) for r in _UNITS if _KINDS.get(r["kind"], _NONE) != _NONE}
_COUNT = "n"  # the kind of a figure of no other kind: a count
# classifiers that say nothing without their noun: 9项 -> 9项制度, 25个 -> 25个镇街
GENERIC_CLASSIFIERS = frozenset(WORDS["generic"])
BIG = frozenset(WORDS["big"])  # 六大工程: a numeral of a name's own, not a count of it
_CN_UNITS_OK = frozenset(WORDS["cn_units_ok"])
SHORT_COUNTED = PARAMS.short_counted  # 3名|执法人员 keeps a short counted noun; 971名 (新提拔领导干部) leaves it out
_LIST_SEP = re.compile(f"[{''.join(WORDS['list_sep'])}]")
_RESPECTIVELY = WORDS["respectively"][0]
_DURATION_LEAD = re.compile(f"({alternation(WORDS['duration_lead'])})$")
_DURATION_LEAD_LEN = max(map(len, WORDS["duration_lead"]))  # how far back a duration's lead word is looked for
_DROP_LEAD = re.compile(f"^({alternation(WORDS['drop_lead'])})")
_BIG = WORDS["big"][0]
_ANNIVERSARY = WORDS["anniversary"][0]


def _respectively(sent: str, cs: int, ce: int, nums: list[re.Match[str]]) -> dict[int, str]:
    """"A和B分别下降37%、40%" -> {start of 37%: "A", start of 40%: "B"}."""
    clause = sent[cs:ce]
    k = clause.find(_RESPECTIVELY)
    if k < 0:
        return {}
    mine = [m for m in nums if cs + k < m.start() < ce]
    items = [x for x in _LIST_SEP.split(clause[:k]) if x]
    if len(mine) <= 1 or len(items) < len(mine):
        return {}
    return {m.start(): it for m, it in zip(mine, items[-len(mine):], strict=False)}


def coarse(unit: str | None) -> str:
    """Rate, money, time, area or a count: figures of different kinds never answer each other."""
    return _COARSE.get(unit or "", _COUNT)


def _idiom(num: str, unit: str, hint: str | None) -> bool:
    if unit == _BIG and hint != _BIG:
        return True  # 六大工程 answers 几大工程; 二十大 is a congress, not a count
    return num in WORDS["idiom_one"] and unit in WORDS["idiom_unit"]  # 一次性 / 一个窗口 / 一件事: not a count


_DATE_NUM = re.compile(r"\d{4}|\d{1,2}")  # a year's or a month's or a day's digits
_YEAR_NUM = re.compile(r"(19|20)\d\d")
_CN_NUM = re.compile(rf"[{CN_DIGITS}]+")


def _time_not_asked(num: str, unit: str, ctx: SpanContext) -> bool:
    """A date or a year (2023年, 5月), or years and months when no duration is asked: no count."""
    hint, duration = ctx.asked.unit, ctx.asked.type == AnswerType.DURATION
    if unit in WORDS["date_unit"] and hint != unit and _DATE_NUM.fullmatch(num) and not duration:
        return True
    if unit in WORDS["year"] and _YEAR_NUM.fullmatch(num):
        return True  # a year, not a duration
    return unit in WORDS["period"] and hint not in WORDS["period"] and not duration


def _not_counted(m: re.Match[str], sent: str, ctx: SpanContext) -> bool:
    """An ordinal or a serial, a figure inside a name or quote, or one the question itself says."""
    before = sent[max(0, m.start() - 1):m.start()]
    if before in WORDS["ordinal_before"]:
        return True  # an ordinal or a document number's serial, not a count
    quoted_figure = before == "“"  # “两场攻坚战”: a figure that opens a quote
    return (inside_marks(sent, m.start()) and not quoted_figure) or m.group(0) in ctx.question


def _skip(m: re.Match[str], sent: str, ctx: SpanContext) -> bool:
    num, unit = m.group("num"), m.group("unit")
    hint = ctx.asked.unit
    if hint and ctx.asked.unit_strength >= 1.0 and coarse(hint) != coarse(unit):
        return True  # a rate for a headcount, a count for a rate
    if _idiom(num, unit, hint) or _time_not_asked(num, unit, ctx):
        return True
    if _CN_NUM.fullmatch(num) and unit not in _CN_UNITS_OK:
        return True
    return _not_counted(m, sent, ctx)


def _unit_score(unit: str, ctx: SpanContext) -> float:
    p, hint = ctx.params, ctx.asked.unit
    if ctx.asked.type == AnswerType.DURATION and hint is None:
        return p.unit_exact if unit in TIME_UNITS or unit == _ANNIVERSARY else p.unit_wrong_unsure
    if hint is None:
        return p.unit_unknown
    if hint == unit:
        return p.unit_exact
    if UNIT_FAMILY.get(hint, hint) == UNIT_FAMILY.get(unit, unit):
        return p.unit_family
    if coarse(hint) == coarse(unit):
        return p.unit_other_count
    return p.unit_wrong_sure if ctx.asked.unit_strength >= 1.0 else p.unit_wrong_unsure


def _span_start(sent: str, m: re.Match[str], ctx: SpanContext) -> int:
    """A figure's answer starts after a total's lead (达|438件) and, for a duration, at its lead word (连续|5年)."""
    s = m.start()
    lead = _DROP_LEAD.match(m.group(0))
    if lead:
        s += len(lead.group(0))
    if ctx.asked.type == AnswerType.DURATION:
        d = _DURATION_LEAD.search(sent[max(0, s - _DURATION_LEAD_LEN):s])
        if d:
            s -= len(d.group(0))
    return s


def _takes_counted(sent: str, e: int, generic: bool, ctx: SpanContext) -> bool:
    """The question's own words for what is counted follow the figure and belong to it (3名|执法人员)."""
    counted = ctx.asked.counted
    return bool(counted and sent.startswith(counted, e)
                and (generic or (ctx.asked.counted_whole and len(counted) <= SHORT_COUNTED)))


def _span_bounds(sent: str, m: re.Match[str], ctx: SpanContext) -> tuple[int, int]:
    s, e = _span_start(sent, m, ctx), m.end()
    noun, counted = ctx.asked.noun, ctx.asked.counted
    generic = m.group("unit") in GENERIC_CLASSIFIERS
    if counted and _takes_counted(sent, e, generic, ctx):
        return s, e + len(counted)  # the question's own words for what is counted: 3名|执法人员
    if generic or (noun and sent.startswith(noun, e)):
        e = max(e, noun_phrase_after(sent, e))
    if generic and ctx.asked.items > 1:
        # 多少个镇和多少个重点执法部门 -> 9个镇、27个|重点执法部门: the question's words tell the figures apart
        e = max(e, counted_words_end(ctx.question, sent, m.end()))
    return s, e


def _figure_end(sent: str, x: re.Match[str], ctx: SpanContext) -> int:
    """Where a figure's own words end: its classifier's noun (2000块|屏幕、), or the counted noun asked."""
    counted = ctx.asked.counted
    if counted and sent.startswith(counted, x.end()):
        return x.end() + len(counted)
    return noun_phrase_after(sent, x.end()) if x.group("unit") in GENERIC_CLASSIFIERS else x.end()


def _words_after(sent: str, m: re.Match[str], nums: list[re.Match[str]], ce: int, ctx: SpanContext) -> str:
    """The words after a figure up to the next figure or clause end (a list item ends at 、 unless the counted
    noun asked runs through it: 16个|县(市)区、开发区|对照…)."""
    end = min(min((x.start() for x in nums if x.start() >= m.end()), default=ce), ce)
    counted = ctx.asked.counted
    if counted and sent.startswith(counted, m.end()):
        return counted + sent[m.end() + len(counted):end]
    return re.split(r"[、]", sent[m.end():end], maxsplit=1)[0]


def _context_before(sent: str, m: re.Match[str], cs: int, resp: dict[int, str]) -> str:
    if m.start() not in resp:
        return sent[:cs]
    prev = sent[:m.start()]
    for item in resp.values():  # the other items of a 分别 list are siblings, not context
        prev = prev.replace(item, "|")
    return prev


def _credits(terms, text: str, n: int) -> list[float]:
    return terms.credits(text) if text else [0.0] * n


def _recall(terms, own: str, prev: str, rest: str, p: Params) -> float:
    """The question's words the figure's own words carry; those only said before its clause or later in the
    sentence count less."""
    c_own = terms.credits(own)
    c_prev, c_rest = _credits(terms, prev, len(c_own)), _credits(terms, rest, len(c_own))
    recall = sum(sl[0] * max(a, p.figure_prev_credit * b, p.figure_rest_credit * c)
                 for sl, a, b, c in zip(terms.slots, c_own, c_prev, c_rest, strict=False))
    return recall / terms.total


def _figure_near(terms, before: str, after: str, label: str, listed: bool, p: Params) -> float:
    """1.0 when a question word touches the figure on either side (or it is an item of a 分别 list whose item
    says one), falling with distance."""
    last = max((pe for ps, pe, _ in terms.positions(before)), default=None)
    first = min((ps for ps, pe, _ in terms.positions(after)), default=None)
    return max(0.0 if last is None else 1.0 / (1.0 + (len(before) - last) / p.figure_near_reach),
               0.0 if first is None else 1.0 / (1.0 + first / p.figure_near_reach),
               1.0 if listed and terms.cover(None, label) > 0 else 0.0)


def _label_start(sent: str, m: re.Match[str], nums: list[re.Match[str]], cs: int, ctx: SpanContext) -> int:
    """The label of a figure starts after the previous figure of its clause and its noun (…2000块屏幕、)."""
    prev_end = max((min(_figure_end(sent, x, ctx), m.start()) for x in nums if cs <= x.end() <= m.start()),
                   default=cs)
    return max(cs, prev_end)


def _label_score(sent: str, m: re.Match[str], nums: list[re.Match[str]], cl: list[tuple[int, int]],
                 resp: dict[int, str], ctx: SpanContext) -> tuple[float, float]:
    """How well the figure's own clause (label before it, words right after it) matches the question, and the gate:
    whether the sentence names what is counted."""
    terms, p = ctx.terms, ctx.params
    cs, ce = next((a, b) for a, b in cl if a <= m.start() <= b)
    clause_head = sent[cs:m.start()]
    cs = _label_start(sent, m, nums, cs, ctx)
    after = _words_after(sent, m, nums, ce, ctx)
    before = sent[cs:m.start()]
    label = resp.get(m.start(), before)
    prev = _context_before(sent, m, cs, resp)
    own = label + "|" + after[:p.figure_after_reach]
    recall = _recall(terms, own, prev, sent[ce:], p)
    precision = terms.precision(label + after[:p.figure_precision_reach])
    # the word that says what is counted (受理 / 审结 / 败诉) must be in the figure's own words
    key = _best_key(terms, own, clause_head, prev, nouns_only=False)
    gate = terms.has_key_noun(sent)  # an absent fact: the sentence never names what is counted
    if other_rate(terms, label):
        return 0.0, -1.0  # 报备率…100% when 纠错率 is asked: a rate of another kind answers nothing
    if other_stage(terms, label):
        gate = min(gate, p.other_stage_gate)  # 受理…47件 when 审结 is asked: another stage of the same cases
    near = _figure_near(terms, before, after, label, m.start() in resp, p)
    share = p.figure_recall_share
    return ((p.figure_w_label * (share * recall + (1 - share) * precision) + p.figure_w_near * near)
            * (p.figure_key_floor + (1 - p.figure_key_floor) * key)), gate


@lru_cache(maxsize=1)
def stages() -> frozenset[str]:
    text = resources.files("qa").joinpath("data", "stages.txt").read_text(encoding="utf-8")
    return frozenset(w.strip() for w in text.splitlines() if w.strip() and not w.startswith("#"))


def other_stage(terms, label: str) -> bool:
    """The question asks about one stage of a case (审结) and the figure's own label names only another (受理)."""
    st = stages()
    asked = set()
    for i in terms.key:
        slot = terms.slots[i]
        asked |= {w for w in {slot.term} | slot.alts if w in st}
    if not asked:
        return False
    said = {w for w in st if w in label}
    return bool(said) and not (said & asked) and not any(a in label for a in asked)


_RATE_END = WORDS["rate_end"][0]
_RATE_WORD = re.compile(rf"[\u4e00-\u9fff]{{2}}(?={_RATE_END})")  # the two characters before a rate's end word


def other_rate(terms, label: str) -> bool:
    """The question asks one rate (纠错率) and the figure's own label names only others (报备率、规范率均达100%):
    a rate of another kind answers nothing."""
    words = {w for slot in terms.slots for w in {slot.term} | slot.alts if _RATE_WORD.search(w)}
    asked = {stem for w in words for stem in _RATE_WORD.findall(w)}
    said = _RATE_WORD.findall(label)
    # 出庭率 for 出庭应诉率: the label's rate is a shorter name of the one asked
    return bool(asked) and bool(said) and not any(stem in label for stem in asked) \
        and not any(stem in w for stem in said for w in words)


def _best_key(terms, own: str, clause_head: str, prev: str, nouns_only: bool) -> float:
    """The key words in the figure's own words; a label shared by a list (权力事项: A140项、B269项) or said a
    clause before counts less."""
    p = PARAMS
    key = terms.key_credit(own, nouns_only)
    if key < p.figure_key_weak:
        key = max(key, p.figure_head_key * terms.key_credit(clause_head, nouns_only),
                  p.figure_prev_key * terms.key_credit(prev[-p.figure_prev_reach:], nouns_only))
    return key


def _chars(group: str) -> str:
    return "".join(WORDS[group])


_FROM_ASKED = re.compile(
    rf"[{_chars('from_mark')}](?:{alternation(WORDS['from_mark_tail'])})?(?:{alternation(WORDS['from_link'])})?"
    rf"(?:{alternation(WORDS['how_many'])})|{alternation(WORDS['from_asked'])}")
_FROM_BEFORE = re.compile(rf"[{_chars('from_start')}][^，。；,;]{{0,{PARAMS.from_reach}}}$")
_TO_AFTER = re.compile(rf"[^，。；,;\d]{{0,{PARAMS.to_reach}}}?(?:{alternation(WORDS['from_to'])})"
                       rf"[^，。；,;]{{0,{PARAMS.result_reach}}}\d")
_JOIN = re.compile(f"[{_chars('join')}]?")


def _is_from_figure(sent: str, m: re.Match[str]) -> bool:
    """The starting value of a change, 从|由 X … 至|到|为 Y (of the same clause)."""
    return bool(_FROM_BEFORE.search(sent[max(0, m.start() - PARAMS.from_reach - 1):m.start()])
                and _TO_AFTER.match(sent[m.end():]))


def _adjust(score: float, sent: str, m: re.Match[str], labelled: bool, ctx: SpanContext) -> float:
    """A change's starting value, and a figure beside the one a labelled sentence counts, keep a share of it."""
    if _FROM_ASKED.search(ctx.question) is None and _is_from_figure(sent, m):
        score *= ctx.params.from_figure  # 从20.86天压缩至6.44天: the result, unless 从多少 is asked
    head = ctx.asked.counted_head
    if head and labelled and not sent.endswith(head, 0, m.start()):
        score *= ctx.params.head_label  # 多少个部门适用的裁量权基准: …适用的裁量权基准|45个, not 20个|部门
    return score


def _all_respectively(sent: str, cl: list[tuple[int, int]], nums: list[re.Match[str]]) -> dict[int, str]:
    resp: dict[int, str] = {}
    for cs, ce in cl:
        resp.update(_respectively(sent, cs, ce, nums))
    return resp


def quantity_spans(sent: str, ctx: SpanContext) -> list[Span]:
    nums = list(NUMBER_RE.finditer(sent))
    cl = clauses(sent)
    resp = _all_respectively(sent, cl, nums)
    out: list[Span] = []
    head = ctx.asked.counted_head
    labelled = head is not None and any(sent.endswith(head, 0, x.start()) for x in nums)
    for m in nums:
        if _skip(m, sent, ctx):
            continue
        s, e = _span_bounds(sent, m, ctx)
        label, key = _label_score(sent, m, nums, cl, resp, ctx)
        if key < 0:
            continue  # a rate of another kind (other_rate)
        score = _adjust(label + ctx.params.figure_w_unit * _unit_score(m.group("unit"), ctx), sent, m, labelled, ctx)
        out.append(Span(s, e, score, key))
    if ctx.asked.items > 1 and len(out) > 1:
        out += _joined(sent, out, ctx.params.joined_bonus)
    return out


def _joined(sent: str, spans: list[Span], bonus: float) -> list[Span]:
    """几个市几个县 / 多少个问题和多少项措施: two figures side by side (2市5县, 14个问题、52项整改措施) as one span."""
    out = []
    ordered = sorted(spans)
    for a, b in zip(ordered, ordered[1:], strict=False):
        gap = sent[a.end:b.start]
        if len(gap) <= 1 and _JOIN.fullmatch(gap):
            out.append(Span(a.start, b.end, max(a.score, b.score) + bonus, max(a.gate, b.gate)))
    return out


_EVERY = f"(?:{alternation(WORDS['every'])})"
FREQUENCY_RE = re.compile(
    rf"{_EVERY}(?:[\d{CN_DIGITS}{''.join(WORDS['every_half'])}]{{1,3}}(?:{alternation(WORDS['every_measure'])})?)?"
    rf"(?:{alternation(WORDS['every_span'])})"
    rf"(?:[^，,。；;]{{0,{PARAMS.frequency_reach}}}?[\d{CN_DIGITS}]+(?:{alternation(WORDS['every_times'])}))?")


def frequency_spans(sent: str, ctx: SpanContext) -> list[Span]:
    """多久…一次: how often, said as 每月 / 每季度 / 每两月1次, scored by nearness to the question's words and the
    share of them its clause holds (only when the question asks how often)."""
    if not ctx.asked.how_often:
        return []
    p = ctx.params
    return [Span(m.start(), m.end(), p.frequency_w_near * near(sent, m.start(), m.end(), ctx)
                 + p.frequency_w_clause * clause_cover(sent, m.start(), ctx) + p.frequency_base)
            for m in FREQUENCY_RE.finditer(sent)]
