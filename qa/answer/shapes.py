"""What a well-formed answer of each type looks like, as hard constraints and as graded features.

``shape(text, asked)`` returns a ``Shape``: ``ok`` is False when the span can never answer a question of that
type (a role that ends in no role word, a body that ends in no organisation word, a headcount asked for and a
figure of events given), and ``fit`` grades how typical the span's form is (used as a scorer feature).

Each type has an ordered list of named rules (``RULES``), each with a one-line why; the first rule that applies
decides, and the Shape says which (``rule``). Every rule has examples in ``tests/qa/corpus/shapes.jsonl``; the
words the rules look for are data (``qa/lexicon/shape_words.tsv``, ``role_heads.txt``, ``org_ends.txt``).

    >>> from qa.answer.types import classify
    >>> shape("两个科室和司法所各1名工作人员", classify("主任由谁担任")).ok
    True
    >>> shape("建立健全工作机制", classify("领导小组组长由谁担任")).ok
    False
    >>> shape("7批", classify("多少人参加考试")).ok
    False
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from qa.answer.date import DAY_MARKS, FESTIVALS
from qa.answer.open import ENUMERATOR
from qa.answer.params import PARAMS
from qa.answer.quantity import BIG, FREQUENCY_RE, GENERIC_CLASSIFIERS
from qa.answer.spans import NUMBER_RE, inside_marks
from qa.answer.tagging import PERSON_TAG, VERB_TAG, is_person, tag
from qa.answer.types import AnswerType, Asked
from qa.lexicon import alternation, groups, table, unit_family, unit_kind, words

WORDS = groups("shape_words.tsv")


def _chars(group: str) -> str:
    return "".join(WORDS[group])


_CJK = re.compile(r"[\u4e00-\u9fff]")
_CLAUSE_PUNCT = re.compile(r"[，,。；;！!？?：:]")
_FIGURE = re.compile(rf"\d|[{_chars('figure_char')}]")
_LIST_JOIN = re.compile(rf"、|》《|”“|{alternation(WORDS['list_join'])}")
_CLOSING_MARKS = "”’\"')）》」"  # marks a name may end in, after its last word
_DATE_SHAPE = re.compile(
    rf"\d{{1,4}}\s*[{_chars('date_unit')}]|[{_chars('cn_date_digit')}]{{1,4}}[{_chars('cn_date_unit')}]"
    rf"|[{_chars('xun_part')}]{_chars('xun')}|{alternation(WORDS['date_word'])}"
    r"|(?:19|20)\d\d[-/.]\d{1,2}[-/.]\d{1,2}"  # a numeric date (2024-02-02)
    rf"|^\d{{1,2}}[{DAY_MARKS}]\d{{1,2}}$"  # an observance day (12·4)
    rf"|{FESTIVALS}")  # a festival (春节)
_ORDINAL_SHAPE = re.compile(rf"{_chars('ordinal_mark')}\s*[\d{_chars('ordinal_digit')}]+"
                            rf"|{_chars('first')}[{_chars('first_unit')}]")
_MARK_N = _chars("ordinal_mark") + "N"  # how an ordinal is written, for the why
_ADMIN_END = re.compile(rf"(?:{alternation(WORDS['admin_end'])})$")
_ORG_WORDS = frozenset(words("org_ends.txt"))
_ORG_NOUNS = frozenset(words("org_nouns.txt"))
_DOC_KINDS = tuple(r["kind"] for r in table("doc_kinds.tsv"))
_LAC_LEADS = ("v", "p")  # Baidu LAC's tags of a verb and a preposition
_LAC_ADVERBS = ("d", "ad", "vd")  # … of adverbs
_LAC_TIME = "TIME"  # … of a time word (全年, 今年)


class Shape(NamedTuple):
    ok: bool  # False: never an answer of the type asked
    fit: float  # how typical the form is, in [0, 1]
    why: str  # a short reason, shown by `qa explain`
    rule: str = ""  # the name of the rule that decided (RULES)


Verdict = tuple[bool, float, str]  # (ok, fit, why) of a rule that applies


@dataclass(frozen=True)
class ShapeRule:
    name: str
    why: str  # why the rule holds, in one line
    check: Callable[[str, Asked], Verdict | None]  # None: the rule does not apply, the next one decides


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
        return PARAMS.shape_unit_unknown, "no unit to compare"
    if want == got:
        return 1.0, f"unit {got} as asked"
    fw, fg = unit_family(want), unit_family(got)
    if fw and fg and fw == fg:
        return PARAMS.shape_unit_family, f"unit {got} of the family asked ({want})"
    if fw is None or fg is None:
        return PARAMS.shape_unit_unknown, f"unit {got} vs {want}: not in units.tsv"
    return 0.0, f"unit {got} is no {want}"


def _ends_with(text: str, vocab: str) -> str | None:
    t = text.rstrip(_CLOSING_MARKS)  # 《某县复议咨询委员会》: a body in title marks is still a body
    return next((w for w in words(vocab) if t.endswith(w)), None)


def _name_sized(text: str) -> bool:
    return PARAMS.name_min_len <= len(text) <= PARAMS.name_max_len


# --- figures (count, rate, money, duration)

def _no_figure(text: str, asked: Asked) -> Verdict | None:
    if asked.type == AnswerType.DURATION and FREQUENCY_RE.fullmatch(text):
        return True, 1.0, "a frequency: how often, not how long"
    return None if _FIGURE.search(text) else (False, 0.0, "no figure")


_SESSION_UNITS = frozenset(WORDS["session_unit"])  # sessions are no cases (几场 -> 136件)


def _other_kind(text: str, asked: Asked) -> Verdict | None:
    fit, why = unit_fit(text, asked)
    kinds = {unit_kind(asked.unit), unit_kind(figure_unit(text))}
    sessions = asked.unit in _SESSION_UNITS and unit_kind(figure_unit(text)) == "case"
    if fit == 0.0 and asked.unit_strength >= 1.0 and ("person" in kinds or sessions):
        return False, 0.0, why
    return None


def _figure(text: str, asked: Asked) -> Verdict | None:
    fit, why = unit_fit(text, asked)
    return True, fit, why


# --- roles, bodies, persons

def _role_word(text: str, asked: Asked) -> Verdict | None:
    head = _ends_with(text, "role_heads.txt")
    return (True, 1.0, f"ends in the role word {head}") if head else None


def _role_name(text: str, asked: Asked) -> Verdict | None:
    name = _name_sized(text) and _CJK.fullmatch(text[0]) and not _CLAUSE_PUNCT.search(text)
    if name and is_person(text, 0, len(text)):
        return True, PARAMS.shape_role_name, "a person's name (Baidu LAC: PER)"
    return None


def _no_role_word(text: str, asked: Asked) -> Verdict | None:
    return False, 0.0, "ends in no role word (role_heads.txt)"


def _org_word(text: str, asked: Asked) -> Verdict | None:
    end = _ends_with(text, "org_ends.txt")
    if end and len(text) >= PARAMS.body_min_len:
        return True, 1.0, f"ends in the organisation word {end}"
    return None


def _bare_org_word(text: str, asked: Asked) -> Verdict | None:
    if text in _ORG_WORDS:
        return False, 0.0, f"the organisation word {text} alone names no body"
    return None


def _other_kind_of_body(text: str, asked: Asked) -> Verdict | None:
    """哪家律师事务所 -> …管委会: a question that names a kind of body (not a generic 部门 / 单位, org_nouns.txt) is
    answered by a body of that kind only, ending in the same organisation word."""
    noun = asked.noun or ""
    kind = _ends_with(noun, "org_ends.txt") if noun and noun not in words("org_nouns.txt") else None
    if kind and not text.rstrip(_CLOSING_MARKS).endswith(kind):
        return False, 0.0, f"another kind of body than the {kind} asked"
    return None


def _event_word(text: str, asked: Asked) -> Verdict | None:
    end = _ends_with(text, "not_org_ends.txt")
    return (False, 0.0, f"ends in {end}: an event, a person or an idea, no body") if end else None


def _lead_verb(text: str, asked: Asked) -> Verdict | None:
    """面向县政府 / 向市司法局: a verb or a preposition (Baidu LAC) before a name is part of the clause, not of the
    body's name."""
    toks = tag(text)
    if len(toks) > 1 and toks[0][2] in _LAC_LEADS and len(text) - toks[0][1] >= PARAMS.body_min_len:
        return False, 0.0, f"starts with the verb or preposition {text[:toks[0][1]]}: a clause, no name"
    return None


def _role_lead_clause(text: str, asked: Asked) -> Verdict | None:
    """加强对|某某对象 / 就被|某某人员 / 严格落实|某某人员 / 全年|律师: a span that opens with a preposition, a verb or
    adverb and then a preposition, an adverb and then a verb, or a time word (Baidu LAC) carries its clause's words
    before the post. A verb alone may open a post (分管某某工作的领导, 拟提拔任用的干部): kept."""
    toks = tag(text)
    if len(toks) < 2 or len(text) - toks[1][0] < PARAMS.body_min_len:
        return None
    (_, _, t1), (_, _, t2) = toks[0], toks[1]
    if t1 == "p" or t1 == _LAC_TIME or (t1 in _LAC_LEADS + _LAC_ADVERBS and t2 == "p") \
            or (t1 in _LAC_ADVERBS and t2 == "v"):
        return False, 0.0, f"starts with {text[:toks[1][0]]}, words of its clause: no post"
    return None


def _generic_body(text: str, asked: Asked) -> Verdict | None:
    """个别部门 / 有关单位: a determiner before a generic organisation noun points at no body in particular."""
    text = ENUMERATOR.sub("", text)  # 1.个别部门 / 一是个别部门: a list's number is no part of the name
    lead = next((w for w in WORDS["generic_lead"] if text.startswith(w)), None)
    if lead and text[len(lead):] in _ORG_NOUNS:
        return False, 0.0, f"{lead} + a generic organisation noun names no body in particular"
    return None


def _no_org_word(text: str, asked: Asked) -> Verdict | None:
    return False, 0.0, "ends in no organisation word (org_ends.txt)"


def _person_post_said(text: str, asked: Asked) -> Verdict | None:
    head = _ends_with(text, "role_heads.txt")
    if asked.post_said and head and not is_person(text, 0, len(text)):
        return False, 0.0, f"the question says the post; another post (ending in {head}) is no holder's name"
    return None


def _person_titled(text: str, asked: Asked) -> Verdict | None:
    words = tag(text)
    if len(words) > 1 and words[0][2] == PERSON_TAG and _ends_with(text, "role_heads.txt"):
        return False, 0.0, f"a name with its title after it: the name {text[:words[0][1]]} alone answers"
    return None


def _person_post(text: str, asked: Asked) -> Verdict | None:
    head = _ends_with(text, "role_heads.txt")
    if head and len(text) > PARAMS.name_max_len:
        return True, PARAMS.shape_person_post, f"a post ending in the role word {head}"
    return None


def _person_name(text: str, asked: Asked) -> Verdict | None:
    return (True, 1.0, "name-sized") if _name_sized(text) else None


def _person_long(text: str, asked: Asked) -> Verdict | None:
    return True, PARAMS.shape_person_long, "long"


# --- honours, places, dates, ordinals, lists, anything else

def _honour_over_clause(text: str, asked: Asked) -> Verdict | None:
    return (True, PARAMS.shape_honour_over_clause, "runs over a clause break") if _CLAUSE_PUNCT.search(text) else None


def _honour_verb_end(text: str, asked: Asked) -> Verdict | None:
    """成果向纵深拓展: a phrase whose last word (Baidu LAC) is a verb is a clause, not a title."""
    toks = tag(text.rstrip(_CLOSING_MARKS))
    return (False, 0.0, "ends in a verb: a clause, no title") if toks and toks[-1][2] == VERB_TAG else None


def _honour_title(text: str, asked: Asked) -> Verdict | None:
    return (True, 1.0, "a title-shaped phrase") if len(text) >= PARAMS.honour_min_len else None


def _honour_short(text: str, asked: Asked) -> Verdict | None:
    return True, PARAMS.shape_honour_short, "short"


def _place_level(text: str, asked: Asked) -> Verdict | None:
    return (True, 1.0, "ends in an administrative level") if _ADMIN_END.search(text) else None


def _place_no_level(text: str, asked: Asked) -> Verdict | None:
    return True, PARAMS.shape_place_no_level, "no administrative level at its end"


def _date(text: str, asked: Asked) -> Verdict | None:
    return (True, 1.0, "a date") if _DATE_SHAPE.search(text) else None


def _no_date(text: str, asked: Asked) -> Verdict | None:
    return False, 0.0, "no year, month or day"


def _ordinal(text: str, asked: Asked) -> Verdict | None:
    return (True, 1.0, _MARK_N) if _ORDINAL_SHAPE.search(text) else None


def _no_ordinal(text: str, asked: Asked) -> Verdict | None:
    return True, PARAMS.shape_ordinal_no_mark, f"no {_MARK_N}"


_MARKED = re.compile(r"“[^“”]*”|《[^《》]*》")


def item_count(text: str) -> int:
    """How many items a list answer names (甲、乙和丙: 3); a 和 inside a “name” or 《title》 joins no items
    (“山和水”行动 is one)."""
    return len(_LIST_JOIN.findall(_MARKED.sub(lambda m: m.group(0)[0] + m.group(0)[-1], text))) + 1


def _several(text: str, asked: Asked) -> Verdict | None:
    n = item_count(text)
    return (True, 1.0, f"{n} items") if n > 1 else None


def _one_item(text: str, asked: Asked) -> Verdict | None:
    return True, PARAMS.shape_list_one_item, f"{item_count(text)} items"


_TITLE_ONLY = re.compile(r"^《[^《》]+》$")


def _title_for_other(text: str, asked: Asked) -> Verdict | None:
    """哪一类监督检查 -> 《某某纲要》: a whole document title answers a name question only when the noun asked is a kind
    of document (doc_kinds.tsv), the title ends in it, or none is said."""
    noun = asked.noun
    if asked.type != AnswerType.NAME or not noun or not _TITLE_ONLY.match(text):
        return None
    if any(noun.endswith(k) for k in _DOC_KINDS) or text[1:-1].endswith(noun[-2:]):
        return None  # a kind of document asked, or the title ends in the noun asked (…合规建议书)
    return False, 0.0, f"a document's title, but the {noun} asked is no document"


def _plain(text: str, asked: Asked) -> Verdict | None:
    return None if _CLAUSE_PUNCT.search(text) else (True, 1.0, "any")


def _over_clause(text: str, asked: Asked) -> Verdict | None:
    return True, PARAMS.shape_any_over_clause, "any"


def _bare_figure(text: str, asked: Asked) -> Verdict | None:
    return (False, 0.0, "a bare quantity") if NUMBER_RE.fullmatch(text) else None


_DIGIT_LEAD = re.compile(r"\d")
_MEASURE_TAG = "q"  # Baidu LAC's tag of a measure word


def lead_count_end(text: str) -> int:
    """Where a leading count of the named things ends (16个|某某基地 -> 3), 0 when the text opens with none: digits and
    a generic measure word (not a name's own numeral: 十佳, 六大)."""
    m = NUMBER_RE.match(text)
    return m.end() if m and _DIGIT_LEAD.match(text) and m.group("unit") in GENERIC_CLASSIFIERS - BIG else 0


def _lead_count(text: str, asked: Asked) -> Verdict | None:
    """16个|某某基地 / 个|某某基地: how many of them there are, or the bare measure word of that count, opens no name
    (a title's own numeral stays: 十佳, 五好, 首批, 十大)."""
    counted = lead_count_end(text)
    toks = tag(text) if not counted else ()
    bare = len(toks) > 1 and toks[0][2] == _MEASURE_TAG
    rest = len(text) - (counted or (toks[0][1] if bare else len(text)))
    if (counted or bare) and rest >= PARAMS.body_min_len:
        return False, 0.0, f"opens with a count of them ({text[:len(text) - rest]}): no name"
    return None


_MARK_PAIRS = (("\u201c", "\u201d"), ("\u300a", "\u300b"))  # “ ” and 《 》


def _unbalanced(text: str, asked: Asked) -> Verdict | None:
    """践行“某某 / 某某”、坚定“某某: a span whose quotation or title marks do not pair cuts a name in two."""
    for o, c in _MARK_PAIRS:
        opened: list[int] = []
        unpaired: list[int] = []
        for i, ch in enumerate(text):
            if ch == o:
                opened.append(i)
            elif ch == c:
                if opened:
                    opened.pop()
                else:
                    unpaired.append(i)
        # a mark left over at either end is the name's edge, trimmed elsewhere (spans.strip_span)
        if any(0 < i < len(text) - 1 for i in unpaired + opened):
            return False, 0.0, f"its {o} {c} marks do not pair: a name cut in two"
    return None


def _restates(text: str, asked: Asked) -> Verdict | None:
    """青禾县的法律顾问是谁 -> 青禾县法律顾问: a span the question says, but for its particles, is no answer."""
    said = asked.question
    for p in WORDS["restate_drop"]:
        said = said.replace(p, "")
    if len(text) >= PARAMS.restated_min_len and text in said:
        return False, 0.0, "the question itself says it"
    return None


def _aspect(text: str, asked: Asked) -> Verdict | None:
    """绘就了某某 / 建立了某某: a verb's aspect particle (Baidu LAC reads 了 as a particle) outside any quoted name
    makes a clause, not a name."""
    for a, b, t in tag(text):
        if text[a:b] in _ASPECT_PARTICLES and t == _PARTICLE_TAG and not inside_marks(text, a):
            return False, 0.0, f"holds the aspect particle after {text[:a]}: a clause, no name"
    return None


_ASPECT_PARTICLES = frozenset(WORDS["aspect_particle"])
_PARTICLE_TAG = "u"  # Baidu LAC's tag of a particle
_ASPECT = ShapeRule("phrase.aspect", "a name, body, post, honour, place or person never holds a verb's aspect "
                    "particle (shape_words.tsv) outside a quoted name: that is a clause", _aspect)
_UNBALANCED = ShapeRule("any.unbalanced", "an answer never cuts a “name” or 《title》 in two: its marks pair",
                        _unbalanced)
_LEAD_COUNT = ShapeRule("phrase.lead_count", "a name never opens with how many of them there are (16 of …) or that "
                        "count's measure word", _lead_count)
_RESTATES = ShapeRule("phrase.restates", "a span the question itself says (its particles aside) names nothing new",
                      _restates)
_BARE = ShapeRule("phrase.bare_figure", "a bare quantity (an area, a count) names no thing, body, post, honour, place "
                  "or person", _bare_figure)
_FIGURE_RULES = (
    _UNBALANCED,
    ShapeRule("figure.no_figure", "a figure answer holds a number, in digits or Chinese numerals", _no_figure),
    ShapeRule("figure.other_kind", "a unit said outright never takes a figure of another kind: batches are no "
              "headcount, sessions no attendance", _other_kind),
    ShapeRule("figure.unit", "otherwise graded by its unit: the one asked, its family, or another", _figure),
)
_BODY_RULES = (
    _UNBALANCED,
    _BARE,
    _LEAD_COUNT,
    _RESTATES,
    _ASPECT,
    ShapeRule("body.bare_org_word", "an organisation word alone (org_ends.txt) is a cut of a longer name, or a "
              "kind of body, not one", _bare_org_word),
    ShapeRule("body.other_kind", "a kind of body asked (a law firm, a court) takes a body of that kind only",
              _other_kind_of_body),
    ShapeRule("body.event_word", "what ends like an organisation but names an event, a person or an idea "
              "(not_org_ends.txt) is no body", _event_word),
    ShapeRule("body.lead_verb", "a body's name never starts with a verb or a preposition: that is a clause",
              _lead_verb),
    ShapeRule("body.generic", "a determiner and a generic organisation noun name no body in particular",
              _generic_body),
    ShapeRule("body.org_word", "a body's name ends in an organisation word (org_ends.txt)", _org_word),
    ShapeRule("body.no_org_word", "what ends in no organisation word names no body", _no_org_word),
)

# answer type -> its rules, in order: the first that applies decides
RULES: dict[AnswerType | None, tuple[ShapeRule, ...]] = {
    AnswerType.COUNT: _FIGURE_RULES, AnswerType.RATE: _FIGURE_RULES, AnswerType.MONEY: _FIGURE_RULES,
    AnswerType.DURATION: _FIGURE_RULES,
    AnswerType.ROLE: (
        _UNBALANCED,
        _BARE,
        _LEAD_COUNT,
        _RESTATES,
        _ASPECT,
        ShapeRule("role.lead_clause", "a post never opens with a preposition, an adverb before a verb or a time "
                  "word: those are its clause's", _role_lead_clause),
        ShapeRule("role.role_word", "a role ends in a role word (role_heads.txt)", _role_word),
        ShapeRule("role.name_sized", "a person's name may answer for the post: kept, graded low", _role_name),
        ShapeRule("role.no_role_word", "anything else is no role (a clause, a fragment of a policy)", _no_role_word),
    ),
    AnswerType.BODY: _BODY_RULES,
    AnswerType.HONOUR: (
        _UNBALANCED,
        _BARE,
        _LEAD_COUNT,
        _RESTATES,
        _ASPECT,
        ShapeRule("honour.over_clause", "a title never runs over a clause break", _honour_over_clause),
        ShapeRule("honour.verb_end", "a title never ends in a verb: that is a clause", _honour_verb_end),
        ShapeRule("honour.title", "a title has four characters at least", _honour_title),
        ShapeRule("honour.short", "shorter is a fragment more often than a title", _honour_short),
    ),
    AnswerType.PLACE: (
        _UNBALANCED,
        _BARE,
        _LEAD_COUNT,
        _RESTATES,
        _ASPECT,
        ShapeRule("place.level", "a place's name ends in its administrative level (county, town …)",
                  _place_level),
        ShapeRule("place.no_level", "a short form without its level may still be a place: graded low", _place_no_level),
    ),
    AnswerType.DATE: (
        _UNBALANCED,
        ShapeRule("date.date", "a date has a year, month, day, part of a month or of a year", _date),
        ShapeRule("date.no_date", "without one it dates nothing", _no_date),
    ),
    AnswerType.ORDINAL: (
        _UNBALANCED,
        ShapeRule("ordinal.mark", "an ordinal says its mark and number (the N-th) or the first", _ordinal),
        ShapeRule("ordinal.no_mark", "a rank said otherwise is possible: graded low", _no_ordinal),
    ),
    AnswerType.LIST: (
        _UNBALANCED,
        ShapeRule("list.several", "a list names two items at least, joined by a list comma or a conjunction",
                  _several),
        ShapeRule("list.one_item", "one item answers a list question in part", _one_item),
    ),
    AnswerType.PERSON: (
        _UNBALANCED,
        _BARE,
        _RESTATES,
        _ASPECT,
        ShapeRule("person.titled", "a name with its title after it: the name alone answers who",
                  _person_titled),
        ShapeRule("person.post_said", "who holds a post the question says is a name, not another post",
                  _person_post_said),
        ShapeRule("person.post", "a post answers who in part: a name is better", _person_post),
        ShapeRule("person.name_sized", "a Chinese name has two to four characters", _person_name),
        ShapeRule("person.long", "longer and no post: rarely a name", _person_long),
    ),
    None: (  # any other type (name, open)
        _UNBALANCED,
        _BARE,
        _LEAD_COUNT,
        _RESTATES,
        _ASPECT,
        ShapeRule("name.title_for_other", "a whole document title answers no name question about another kind of "
                  "thing", _title_for_other),
        ShapeRule("any.plain", "an answer within one clause", _plain),
        ShapeRule("any.over_clause", "an answer over a clause break is less typical", _over_clause),
    ),
}


def rules_for(asked: Asked) -> tuple[ShapeRule, ...]:
    """The rules of the type asked; a name question asking for an organisation (成立了什么机构) takes a body's."""
    if asked.type == AnswerType.NAME and asked.noun in words("org_nouns.txt"):
        return _BODY_RULES
    return RULES.get(asked.type, RULES[None])


def shape(text: str, asked: Asked) -> Shape:
    for rule in rules_for(asked):
        verdict = rule.check(text, asked)
        if verdict is not None:
            return Shape(*verdict, rule=rule.name)
    raise AssertionError(f"no shape rule applies to {text!r}")  # each type's last rule always applies
