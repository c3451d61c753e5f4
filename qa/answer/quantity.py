"""Figures: counts, rates, money and durations (438件, 14.7%, 1.35亿元, 连续5年, 3个工作日, 4个方面36项举措).

A figure is scored by how well the words of its *own* clause match the question (the label before it, up to
the previous figure; items of a 分别 list), whether its unit is the one asked for, and how close it sits to the
question's words. The span keeps what a reader needs: the unit's measure word, a generic classifier's noun
(9项制度, not 9项), a duration's 连续/提前, an estimate's 约/近/超过.
"""
from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

from qa.answer.context import SpanContext
from qa.answer.spans import CN_DIGITS, NUMBER_RE, Span, clauses, inside_marks, noun_phrase_after
from qa.answer.types import TIME_UNITS, AnswerType, counted_words_end

UNIT_FAMILY = {
    "人": "人", "名": "人", "人次": "人", "位": "人",
    "件": "件", "起": "件", "宗": "件", "件次": "件", "例": "件",
    "元": "元", "万元": "元", "亿元": "元", "千元": "元", "万余元": "元", "亿余元": "元", "万": "元", "亿": "元",
    "次": "次", "场次": "次", "场": "次", "轮": "次", "期": "次",
    "个": "个", "家": "个", "所": "个",
    "%": "%", "个百分点": "%", "百分点": "%",
    "天": "天", "日": "天", "个工作日": "天", "工作日": "天",
}
# classifiers that say nothing without their noun: 9项 -> 9项制度, 25个 -> 25个镇街
GENERIC_CLASSIFIERS = frozenset({"个", "项", "家", "块", "类", "种", "批", "支", "所", "处", "套", "大"})
_CN_UNITS_OK = frozenset({"个", "次", "项", "件", "人", "名", "家", "条", "批", "年", "周年", "场", "期", "届", "轮",
                          "类",
                          "种", "大", "支", "部", "份", "个月", "天"})
SHORT_COUNTED = 4  # 3名|执法人员 keeps a short counted noun; 971名 (新提拔领导干部) leaves a long one out
_LIST_SEP = re.compile(r"[、和及与]")
_DURATION_LEAD = re.compile(r"(连续|提前|持续|累计|长达|历时|坚持)$")
_DROP_LEAD = re.compile(r"^(达|共|累计)")


def _respectively(sent: str, cs: int, ce: int, nums: list[re.Match[str]]) -> dict[int, str]:
    """"A和B分别下降37%、40%" -> {start of 37%: "A", start of 40%: "B"}."""
    clause = sent[cs:ce]
    k = clause.find("分别")
    if k < 0:
        return {}
    mine = [m for m in nums if cs + k < m.start() < ce]
    items = [x for x in _LIST_SEP.split(clause[:k]) if x]
    if len(mine) < 2 or len(items) < len(mine):
        return {}
    return {m.start(): it for m, it in zip(mine, items[-len(mine):], strict=False)}


_COARSE = {"%": "%", "个百分点": "%", "百分点": "%", "元": "元", "万元": "元", "亿元": "元", "千元": "元",
           "万余元": "元",
           "亿余元": "元", "年": "t", "月": "t", "个月": "t", "天": "t", "日": "t", "周": "t", "小时": "t", "分钟": "t",
           "个工作日": "t", "工作日": "t", "周年": "t", "平方米": "m2", "平方公里": "m2", "亩": "m2"}


def coarse(unit: str | None) -> str:
    """Rate, money, time, area or a count: figures of different kinds never answer each other."""
    return _COARSE.get(unit or "", "n")


def _idiom(num: str, unit: str, hint: str | None) -> bool:
    if unit == "大" and hint != "大":
        return True  # 六大工程 answers 几大工程; 二十大 is a congress, not a count
    return num == "一" and unit in ("次", "个", "件", "项", "批", "年")  # 一次性 / 一个窗口 / 一件事: not a count


def _skip(m: re.Match[str], sent: str, ctx: SpanContext) -> bool:
    num, unit = m.group("num"), m.group("unit")
    hint = ctx.asked.unit
    if hint and ctx.asked.unit_strength >= 1.0 and coarse(hint) != coarse(unit):
        return True  # a rate for a headcount, a count for a rate
    if _idiom(num, unit, hint):
        return True
    if unit in ("年", "月", "日", "天") and hint != unit and re.fullmatch(r"\d{4}|\d{1,2}", num) \
            and ctx.asked.type != AnswerType.DURATION:
        return True
    if unit == "年" and re.fullmatch(r"(19|20)\d\d", num):
        return True  # a year, not a duration
    if unit in ("年", "月") and hint not in ("年", "月") and ctx.asked.type != AnswerType.DURATION:
        return True
    if re.fullmatch(rf"[{CN_DIGITS}]+", num) and unit not in _CN_UNITS_OK:
        return True
    if sent[max(0, m.start() - 1):m.start()] in ("第", "〕", "]", "）", ")"):
        return True  # an ordinal or a document number's serial, not a count
    quoted_figure = sent[max(0, m.start() - 1):m.start()] == "“"  # “两场攻坚战”: a figure that opens a quote
    return (inside_marks(sent, m.start()) and not quoted_figure) or m.group(0) in ctx.question


def _unit_score(unit: str, ctx: SpanContext) -> float:
    p, hint = ctx.params, ctx.asked.unit
    if ctx.asked.type == AnswerType.DURATION and hint is None:
        return p.unit_exact if unit in TIME_UNITS or unit == "周年" else p.unit_wrong_unsure
    if hint is None:
        return p.unit_unknown
    if hint == unit:
        return p.unit_exact
    if UNIT_FAMILY.get(hint, hint) == UNIT_FAMILY.get(unit, unit):
        return p.unit_family
    if coarse(hint) == coarse(unit):
        return p.unit_other_count
    return p.unit_wrong_sure if ctx.asked.unit_strength >= 1.0 else p.unit_wrong_unsure


def _span_bounds(sent: str, m: re.Match[str], ctx: SpanContext) -> tuple[int, int]:
    s, e = m.start(), m.end()
    lead = _DROP_LEAD.match(m.group(0))
    if lead:
        s += len(lead.group(0))
    if ctx.asked.type == AnswerType.DURATION:
        d = _DURATION_LEAD.search(sent[max(0, s - 2):s])
        if d:
            s -= len(d.group(0))
    unit = m.group("unit")
    noun, counted = ctx.asked.noun, ctx.asked.counted
    if counted and sent.startswith(counted, e) and (unit in GENERIC_CLASSIFIERS
                                                    or (ctx.asked.counted_whole and len(counted) <= SHORT_COUNTED)):
        return s, e + len(counted)  # the question's own words for what is counted: 3名|执法人员
    if unit in GENERIC_CLASSIFIERS or (noun and sent.startswith(noun, e)):
        e = max(e, noun_phrase_after(sent, e))
    if unit in GENERIC_CLASSIFIERS and ctx.asked.items >= 2:
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


def _label_score(sent: str, m: re.Match[str], nums: list[re.Match[str]], cl: list[tuple[int, int]],
                 resp: dict[int, str], ctx: SpanContext) -> tuple[float, float]:
    """How well the figure's own clause (label before it, words right after it) matches the question."""
    terms = ctx.terms
    cs, ce = next((a, b) for a, b in cl if a <= m.start() <= b)
    clause_head = sent[cs:m.start()]
    prev_end = max((min(_figure_end(sent, x, ctx), m.start()) for x in nums if cs <= x.end() <= m.start()),
                   default=cs)
    cs = max(cs, prev_end)  # the label of a figure starts after the previous figure and its noun (…2000块屏幕、)
    after = _words_after(sent, m, nums, ce, ctx)
    before = sent[cs:m.start()]
    label = resp.get(m.start(), before)
    prev = _context_before(sent, m, cs, resp)
    c_own = terms.credits(label + "|" + after[:20])
    c_prev = terms.credits(prev) if prev else [0.0] * len(c_own)
    rest = sent[ce:]
    c_rest = terms.credits(rest) if rest else [0.0] * len(c_own)
    recall = sum(sl[0] * max(a, 0.6 * b, 0.25 * c)
                 for sl, a, b, c in zip(terms.slots, c_own, c_prev, c_rest, strict=False))
    recall /= terms.total
    precision = terms.precision(label + after[:8])
    # the word that says what is counted (受理 / 审结 / 败诉) must be in the figure's own words
    own = label + "|" + after[:20]
    key = _best_key(terms, own, clause_head, prev, nouns_only=False)
    gate = terms.has_key_noun(sent)  # an absent fact: the sentence never names what is counted
    if other_stage(terms, label):
        gate = min(gate, 0.3)  # 受理…47件 when 审结 is asked: another stage of the same cases
    last = max((pe for ps, pe, _ in terms.positions(before)), default=None)
    first = min((ps for ps, pe, _ in terms.positions(after)), default=None)
    near = max(0.0 if last is None else 1.0 / (1.0 + (len(before) - last) / 6.0),
               0.0 if first is None else 1.0 / (1.0 + first / 6.0),
               1.0 if m.start() in resp and terms.cover(None, label) > 0 else 0.0)
    return (0.45 * (0.75 * recall + 0.25 * precision) + 0.2 * near) * (0.3 + 0.7 * key), gate


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


def _best_key(terms, own: str, clause_head: str, prev: str, nouns_only: bool) -> float:
    """The key words in the figure's own words; a label shared by a list (权力事项: A140项、B269项) or said a
    clause before counts less."""
    key = terms.key_credit(own, nouns_only)
    if key < 0.5:
        key = max(key, 0.9 * terms.key_credit(clause_head, nouns_only), 0.5 * terms.key_credit(prev[-12:], nouns_only))
    return key


_FROM_ASKED = re.compile(r"[从由原](?:来|先|本)?(?:的)?(?:多少|几)|之前|以前|原来|原先")


def _is_from_figure(sent: str, m: re.Match[str]) -> bool:
    """The starting value of a change, 从|由 X … 至|到|为 Y (of the same clause)."""
    return bool(re.search(r"[从由][^，。；,;]{0,14}$", sent[max(0, m.start() - 15):m.start()])
                and re.match(r"[^，。；,;\d]{0,8}?(?:至|到|为|降为|减为)[^，。；,;]{0,3}\d", sent[m.end():]))


def quantity_spans(sent: str, ctx: SpanContext) -> list[Span]:
    nums = list(NUMBER_RE.finditer(sent))
    cl = clauses(sent)
    resp: dict[int, str] = {}
    for cs, ce in cl:
        resp.update(_respectively(sent, cs, ce, nums))
    out: list[Span] = []
    head = ctx.asked.counted_head
    labelled = head is not None and any(sent.endswith(head, 0, x.start()) for x in nums)
    for m in nums:
        if _skip(m, sent, ctx):
            continue
        s, e = _span_bounds(sent, m, ctx)
        label, key = _label_score(sent, m, nums, cl, resp, ctx)
        score = label + 0.35 * _unit_score(m.group("unit"), ctx)
        if _FROM_ASKED.search(ctx.question) is None and _is_from_figure(sent, m):
            score *= ctx.params.from_figure  # 从20.86天压缩至6.44天: the result, unless 从多少 is asked
        if head and labelled and not sent.endswith(head, 0, m.start()):
            score *= ctx.params.head_label  # 多少个部门适用的裁量权基准: …适用的裁量权基准|45个, not 20个|部门
        out.append(Span(s, e, score, key))
    if ctx.asked.items >= 2 and len(out) >= 2:
        out += _joined(sent, out)
    return out


def _joined(sent: str, spans: list[Span]) -> list[Span]:
    """几个市几个县 / 多少个问题和多少项措施: two figures side by side (2市5县, 14个问题、52项整改措施) as one span."""
    out = []
    ordered = sorted(spans)
    for a, b in zip(ordered, ordered[1:], strict=False):
        gap = sent[a.end:b.start]
        if len(gap) <= 1 and re.fullmatch(r"[、和及与]?", gap):
            out.append(Span(a.start, b.end, max(a.score, b.score) + 0.1, max(a.gate, b.gate)))
    return out
