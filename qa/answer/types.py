"""What a question asks for: its answer type, the unit or noun it names, and where its question word is.

Only the question's own wording is read (question words, measure words, verbs such as 担任 / 评为 / 报送); nothing
here knows a place or a report. The words are data: the answer type is decided by the first rule of
``qa/lexicon/type_rules.tsv`` that applies (``qa/question/rules.py``), over the named patterns of
``qa/lexicon/question_words.tsv``; each rule has examples in ``tests/qa/corpus/questions/``. Usage::

    >>> a = classify("2023年开展的是第几批示范创建活动?")
    >>> a.type, a.unit
    (<AnswerType.ORDINAL: 'ordinal'>, '批')
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from qa.answer.params import PARAMS
from qa.lexicon import listed, table
from qa.question.rules import ask_units, first_rule, question_pattern, quotes_masked, unit_hint_rule


class AnswerType(StrEnum):
    COUNT = "count"
    RATE = "rate"
    MONEY = "money"
    DATE = "date"
    DURATION = "duration"
    ORDINAL = "ordinal"
    PERSON = "person"
    ROLE = "role"
    BODY = "body"
    DOCUMENT = "document"
    HONOUR = "honour"
    NAME = "name"
    LIST = "list"
    PLACE = "place"
    OPEN = "open"


QUANTITY_TYPES = frozenset({AnswerType.COUNT, AnswerType.RATE, AnswerType.MONEY, AnswerType.DURATION})

# units people ask for after 多少/几 (qa/lexicon/q_units.txt), then every measure word of the shared unit table
# (units.tsv, which /facts' units agree with: 1240卷, 36批次), so a unit added there is read by /ask too; the unit of
# a figure in the text is matched the same way
UNITS = list(ask_units())
TIME_UNITS = frozenset(listed("q_time_units", "time"))
_COARSE_TIME = frozenset(listed("q_time_units", "coarse"))
_UNIT_AFTER_ASK = question_pattern("unit_after_ask")
_HOW_OFTEN = question_pattern("frequency")


@dataclass(frozen=True)
class Asked:
    """The answer a question wants: its type, the unit (多少件 -> 件) or noun (什么工作室 -> 工作室) it names,
    how many items (哪两个 -> 2; 几个市几个县 -> 2 figures), and where its question word starts."""

    type: AnswerType
    unit: str | None = None
    unit_strength: float = 0.0  # 1.0 when said outright (多少件) or a rate is asked; less when inferred
    noun: str | None = None
    items: int = 1
    wh_pos: int | None = None
    counted: str | None = None  # the noun right after a count's measure word: 几名执法人员 -> 执法人员
    counted_whole: bool = True  # False when the question goes on with 的 (多少辆出租车的顶灯)
    counted_head: str | None = None  # …适用的|裁量权基准: what the counted noun's clause modifies
    how_often: bool = False  # 多久…一次: a frequency answers (每月), read once per question
    post_said: bool = False  # 县长是谁 / 县长?: the post is said, its holder's name is asked
    question: str = ""  # the question itself, for the shape of a span that only restates it


_POST_HOLDER = question_pattern("post_holder")
_POST_AT_END = question_pattern("post_at_end")
_CN_SMALL = {r["numeral"]: int(r["value"]) for r in table("q_small_numbers.tsv")}


def unit_hint(q: str) -> tuple[str | None, float]:
    """The unit the question asks for and how sure we are (1.0: said outright or a rate word)."""
    m = _UNIT_AFTER_ASK.search(q)
    if m:
        return m.group(1), PARAMS.unit_said
    hint = unit_hint_rule(q)  # qa/lexicon/q_unit_hints.tsv: 面积 -> 平方米, 纠错率 -> %, 多少钱 -> 元 …
    if hint is None:
        return None, 0.0
    return hint.unit, getattr(PARAMS, hint.strength)


_WH = question_pattern("wh")
_WH_NOUN = question_pattern("wh_noun")
_NOUN_BEFORE_ASK = question_pattern("noun_before_ask")
_NOUN_STOP = question_pattern("noun_stop")
_NOUN_TAGS = listed("q_noun_tags", "noun")
_COUNTED_TAGS = listed("q_noun_tags", "counted")
_NAME_WORDS = frozenset(listed("q_name_words"))
_NOT_NOUNS = frozenset(listed("q_not_nouns"))
_ORG_NOUNS = frozenset(listed("org_nouns"))
_NOUN_CHARS = 6  # structural: the longest noun read before 叫什么 (a slice bound)


def _noun_before_ask(q: str, end: int) -> str | None:
    """The nouns that end at ``end`` (示范乡|叫什么), read backwards, without a word that only asks for a name."""
    from index.text import pos_cut_cached

    head = ""
    for w, f in reversed(pos_cut_cached(q[:end])):
        if not f.startswith(_NOUN_TAGS) or (head and len(w + head) > _NOUN_CHARS):
            break
        if head or w not in _NAME_WORDS:  # 工作要点|文件名: the name of the thing, not the thing
            head = w + head
    return head[-_NOUN_CHARS:] if head else None


def _noun_after_wh(q: str, wh_end: int) -> str | None:
    """The words after the question word up to a stop (哪个|基地|建设): the noun asked for."""
    tail = q[wh_end:wh_end + 14]
    stop = _NOUN_STOP.search(tail)
    noun = (tail[:stop.start()] if stop else tail).strip("“”")
    noun = _generic_org_noun(noun)
    return noun if noun and noun not in _NOT_NOUNS else None


def _generic_org_noun(noun: str) -> str:
    """哪个机构|发挥总揽全局…: a generic organisation noun (org_nouns.txt) followed by no noun is the whole noun
    asked; what follows it is the question's verb phrase."""
    from index.text import pos_cut_cached

    toks = pos_cut_cached(noun)
    if len(toks) > 1 and toks[0][0] in _ORG_NOUNS and (not toks[1][1].startswith(_NOUN_TAGS) or _lac_verb(noun, toks)):
        return toks[0][0]
    return noun


def _lac_verb(noun: str, toks: tuple[tuple[str, str], ...]) -> bool:
    """Whether LAC reads the word after the organisation noun as a verb where jieba reads a noun (机构|通报)."""
    from qa.answer.tagging import VERB_TAGS, tag

    at = len(toks[0][0])
    return any(s == at and t in VERB_TAGS for s, _, t in tag(noun))


def asked_noun(q: str) -> str | None:
    """The noun the question asks for: 哪个基地 -> 基地, 什么平安建设荣誉 -> 平安建设荣誉, 什么模式化解… -> 模式."""
    m = _WH_NOUN.search(q)
    before = _NOUN_BEFORE_ASK.search(q)
    if before and (not m or before.start() < m.start()):
        head = _noun_before_ask(q, before.end(1))
        if head:
            return head
    return _noun_after_wh(q, m.end()) if m else None


def coarse_time(unit: str) -> bool:
    return unit in _COARSE_TIME


_JOINERS = frozenset(listed("q_noun_joiners", "inside"))
_JOIN_BEFORE = frozenset(listed("q_noun_joiners", "before"))
_TRAILING = "".join(listed("q_noun_joiners", "trailing"))
_OPENING = frozenset(listed("q_noun_joiners", "open"))
_MODIFIER = frozenset(listed("q_noun_joiners", "modifier"))
CJK_WORD = re.compile(r"[\u4e00-\u9fff]+")
_END_TAG = "x"  # jieba's tag of punctuation: what ends the question's words


def _in_counted(noun: str, tok: tuple[str, str], nxt: tuple[str, str]) -> bool:
    """Whether word ``tok`` belongs to the counted noun read so far (``nxt``: the word after it)."""
    (w, f), (w2, f2) = tok, nxt
    ends = f2 == _END_TAG and w2 not in _OPENING  # a verb ending the question is what is counted: 几次|批示？
    return f.startswith(_COUNTED_TAGS) or (bool(noun) and w in _JOINERS) \
        or (len(w) >= 2 and bool(CJK_WORD.fullmatch(w)) and (ends or w2 in _JOIN_BEFORE))


def _counted_words(text: str) -> tuple[str, str]:
    """The counted noun at the start of ``text`` (what follows the measure word) and the word after it."""
    from index.text import pos_cut_cached

    noun = ""
    toks = pos_cut_cached(text) + (("", _END_TAG),)
    for tok, nxt in zip(toks, toks[1:], strict=False):
        if not _in_counted(noun, tok, nxt):
            return noun, tok[0]
        noun += tok[0]
    return noun, ""


def counted_noun(q: str) -> tuple[str | None, bool]:
    """The noun a count question counts, as worded right after its measure word (几名执法人员参加 -> 执法人员;
    多少个地区和项目参加 -> 地区和项目), and whether it is the whole of what is counted (not 多少辆出租车的顶灯)."""
    m = _UNIT_AFTER_ASK.search(q)
    if not m:
        return None, True
    noun, nxt = _counted_words(q[m.end():m.end() + 16])
    noun = noun.rstrip(_TRAILING)
    rest = q[m.end() + len(noun):]
    if noun and rest.startswith("“") and "”" in rest[:16]:
        noun += rest[:rest.index("”") + 1]  # 多少个高频“一件事一次办”
    if len(noun) < 2 or coarse_time(m.group(1)):
        return None, True
    return noun, nxt not in _MODIFIER and counted_head(q) is None


def counted_words_end(q: str, sent: str, e: int) -> int:
    """Where the words a count question says for what it counts end when the sentence repeats them right after a
    figure (多少个重点执法部门 … 27个|重点执法部门的): whole words the two share, up to the last noun; ``e`` if none."""
    from index.text import pos_cut_cached

    best = e
    for m in _UNIT_AFTER_ASK.finditer(q):
        asked, at, end = q[m.end():m.end() + 16], 0, e
        for w, f in pos_cut_cached(sent[e:e + 16]):
            if not asked.startswith(w, at):
                break
            at += len(w)
            if f.startswith(_NOUN_TAGS):
                end = e + at
        if end - e >= 2:
            best = max(best, end)
    return best


_COUNTED_HEAD = question_pattern("counted_head_clause")


def counted_head(q: str) -> str | None:
    """What a count question really counts when its counted noun only modifies it:
    多少个执法部门适用的裁量权基准 -> 裁量权基准."""
    m = _UNIT_AFTER_ASK.search(q)
    if not m:
        return None
    from index.text import pos_cut_cached

    h = _COUNTED_HEAD.match(q[m.end():])
    if not h:
        return None
    head, has_noun = "", False
    for w, f in pos_cut_cached(h.group(1)):
        if not (f.startswith(_COUNTED_TAGS) or (f == "v" and not has_noun)):
            break  # 处罚|基准 keeps a verb before its noun; 领导干部|去旁听 stops after it
        head += w
        has_noun = has_noun or f.startswith(_COUNTED_TAGS)
    return head if len(head) >= 2 and has_noun else None


def _items(q: str) -> int:
    m = question_pattern("items_which").search(q)
    if m:
        return _CN_SMALL[m.group(1)]
    return max(1, len(question_pattern("how_many").findall(q))) if question_pattern("count").search(q) else 1


def question_type(q: str) -> AnswerType:
    """The answer type a question wants, from its wording alone: the first rule of qa/lexicon/type_rules.tsv that
    applies (qa/question/rules.py)."""
    return AnswerType(first_rule(q).type)


def classify(question: str) -> Asked:
    q = question.strip()
    t = question_type(q)
    unit, strength = unit_hint(q) if t in QUANTITY_TYPES or t == AnswerType.ORDINAL else (None, 0.0)
    if t == AnswerType.ORDINAL:
        m = question_pattern("ordinal_unit").search(q)
        unit, strength = ((m.group(1), PARAMS.unit_said) if m and m.group(1) else (None, 0.0))
    wh = _WH.search(quotes_masked(q))
    counted, whole = counted_noun(q) if t in QUANTITY_TYPES else (None, True)
    return Asked(type=t, unit=unit, unit_strength=strength, noun=asked_noun(q), items=_items(q),
                 wh_pos=wh.start() if wh else None, counted=counted, counted_whole=whole,
                 counted_head=counted_head(q) if t in QUANTITY_TYPES else None,
                 how_often=bool(_HOW_OFTEN.search(q)), post_said=bool(_POST_HOLDER.search(q) or _POST_AT_END.search(q)),
                 question=q)
