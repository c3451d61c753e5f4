"""Names, bodies, honours, roles and places: the words of the sentence that fill the question's gap.

The question's words are found in the sentence; what the question asks for is the stretch they leave open —
between 联合 and 开展 in "联合了哪个局开展…", or the noun phrase ending in the noun asked for (什么工作室 ->
行政调解工作室), or a “quoted name”. Each candidate is scored by how tightly the question's words frame
it, how well its clause matches the question, whether it looks like the type asked (a body ends in 局/委/办…,
a place is a place), and how much it says that the question does not.
"""
from __future__ import annotations

import re

from index.places import find_places
from index.text import find_all, pos_cut_cached
from qa.answer.context import SpanContext
from qa.answer.document import title_spans
from qa.answer.scoring import clause_cover, near, novelty, order_fit, specific
from qa.answer.spans import (
    CLAUSE_BREAK,
    Span,
    clause_bounds,
    drop_question_tail,
    inside_marks,
    noun_phrase_after,
    noun_phrase_before,
    quote_only,
    snap_to_marks,
    strip_span,
)
from qa.answer.types import AnswerType

QUOTE_RE = re.compile(r"“[^“”]{1,40}”|\"[^\"]{1,40}\"")
_ORG_END = re.compile(r"(局|委|办|厅|院|部|处|科|股|室|中心|政府|机关|党校|学院|学校|大学|法院|检察院|组|会|所|站|队|社区|"
                      r"街道|公司|协会|党工委|党委|人大|常委会|政协)$")
_HONOUR_WORDS = re.compile(r"示范|先进|称号|优秀|模范|试点|标兵|文明|达标|合格|典型|样板|品牌|奖|等级|等次|第一|荣誉|百强|"
                           r"城市|县|市|区|单位|集体|个人|项目")
_ROLE_END = re.compile(r"(负责人|领导|书记|长|主任|人员|专家|干部|同志|委员|律师|顾问|班子|成员|职工|群众|代表|学者|对象)$")
_PLACE_END = re.compile(r"(省|市|县|区|州|盟|旗|镇|乡|街道|社区|村|新区|开发区)$")
_LEAD = re.compile(r"^(?:邀请|会同|联合|围绕|按照|根据|通过|开展|深化|推进|打造|实施|成立|"
                   r"建立|设立|挂牌|举办|召开|创建|获评|评为|命名为|列为|列入|纳入|入选|荣获|获得|是由|任命|推行|推动|实行|采取|推出|"
                   r"坚持|践行|弘扬|秉持|树立|遵循|落实|建成|制定|出台|印发|组织|开设|上线|设在|形成|构建|借助|依托|利用|"
                   r"[了的是为在对将把由以与和向从被请并同跟获])+")  # words before single characters: 获评, not 获|评
_TAIL = re.compile(r"(?:[的了等为]|进行|开展|担任|任|作为|相结合|结合|有机统一)+$")


def token_bounds(sent: str) -> set[int]:
    """Offsets where a jieba word starts or ends."""
    out, pos = {0}, 0
    for w, _f in pos_cut_cached(sent):
        pos += len(w)
        out.add(pos)
    return out


def _type_fit(text: str, t: AnswerType, ctx: SpanContext) -> float:
    if t == AnswerType.BODY:
        return 1.0 if _ORG_END.search(text) else 0.2
    if t == AnswerType.ROLE:
        return 1.0 if _ROLE_END.search(text) else 0.3
    if t == AnswerType.PLACE:
        places = ctx.places
        return 1.0 if _PLACE_END.search(text) or (places is not None and places.fullmatch(text)) else 0.1
    if t == AnswerType.HONOUR:
        return 1.0 if _HONOUR_WORDS.search(text) else 0.3
    return 0.7


def _frame(sent: str, s: int, e: int, ctx: SpanContext) -> float:
    """1.0 when question words touch the span on both sides, 0.5 on one side."""
    left = right = 0.0
    for ps, pe, _w in ctx.terms.positions(sent):
        if 0 <= s - pe <= 2:
            left = 1.0
        if 0 <= ps - e <= 2 or (pe == e and pe - ps >= 2 and ps > s):
            right = 1.0  # framed on the right, or ending in the noun the question asks for (…|工作室)
    return (left + right) / 2


_LEAD_TIME = re.compile(r"^(?:[一二三四五六七八九十]+是|[（(][一二三四五六七八九十\d]+[)）]|\d+[.、])?"
                        r"(?:先后|积极|全面|深入|认真|切实|扎实|持续|不断)?(?:与|和)?"
                        r"(?:于|在)?(?:(?:19|20)\d\d年)?(?:\d{1,2}月)?(?:\d{1,2}日)?(?:以来|起)?")
_TAIL_COUNT = re.compile(r"等[\d一二三四五六七八九十两]+[个项件类种批家]$")


_LEAD_VERB = re.compile(r"^(?:推出|推行|推动|实行|采取|制定|出台|印发|建立|成立|开展|组织|实施|落实|坚持|形成|构建)")


def trim_edges(sent: str, s: int, e: int) -> tuple[int, int]:
    """Drop a leading time (于2023年5月|通过…) and a trailing count (…不动产登记|等6项)."""
    s, e = strip_span(sent, s, e)
    m = _LEAD_TIME.match(sent[s:e])
    if m and m.end() and e - s - m.end() >= 2:
        s += m.end()  # 于2023年5月|通过…
    m = _TAIL_COUNT.search(sent[s:e])
    if m and m.start() >= 2:
        e = s + m.start()  # …不动产登记|等6项
    m = _LEAD_VERB.match(sent[s:e])
    if m and e - s - m.end() >= 2:
        s += m.end()  # 推出|一件事套餐、…
    return strip_span(sent, s, e)


def trim_slot(sent: str, s: int, e: int) -> tuple[int, int]:
    """A gap without the verbs and particles around it."""
    s, e = trim_edges(sent, s, e)
    m = _LEAD.match(sent[s:e])
    if m and e - s - m.end() >= 2:
        s += m.end()
    m = _TAIL.search(sent[s:e])
    if m and m.start() >= 2:
        e = s + m.start()
    return strip_span(sent, s, e)


def _inner_verb(sent: str, s: int, e: int) -> bool:
    pos = 0
    for w, f in pos_cut_cached(sent):
        if s <= pos and pos + len(w) <= e and f == "v" and len(w) >= 2:
            return True
        pos += len(w)
    return False


def _covered(sent: str, ctx: SpanContext) -> list[bool]:
    """Which characters of ``sent`` belong to a (whole) question word."""
    covered = [False] * len(sent)
    for ps, pe, _ in ctx.terms.positions(sent, subwords=False):
        for i in range(ps, pe):
            covered[i] = True
    return covered


def _gaps(sent: str, ctx: SpanContext) -> list[tuple[int, int]]:
    """Stretches of a clause that no question word covers, next to at least one that does."""
    covered = _covered(sent, ctx)
    out, i = [], 0
    while i < len(sent):
        if covered[i] or CLAUSE_BREAK.match(sent[i]):
            i += 1
            continue
        j = i
        while j < len(sent) and not covered[j] and not CLAUSE_BREAK.match(sent[j]):
            j += 1
        touches = (i > 0 and covered[i - 1]) or (j < len(sent) and covered[j])
        if touches and j - i >= 2 and not inside_marks(sent, i):
            out.append((i, j))
        i = j
    return out


def _head_phrases(sent: str, ctx: SpanContext) -> list[tuple[int, int]]:
    """Noun phrases ending in the noun the question asks for (什么工作室 -> 行政调解工作室)."""
    noun = ctx.asked.noun
    if not noun:
        return []
    out = []
    key = noun[-2:] if len(noun) >= 2 else noun
    for at in find_all(sent, key):
        e = noun_phrase_after(sent, at + len(key), limit=6) if ctx.asked.type == AnswerType.HONOUR else at + len(key)
        s = noun_phrase_before(sent, at)
        cs, _ = clause_bounds(sent, at)
        if cs == 0 and 0 < s <= 3 and not re.search(r"[\W_]", sent[:s]):
            s = 0
        if e - s > len(noun):
            out.append((s, e))
    return out


_HONOUR_HEAD = re.compile(r"(?:示范|先进|达标|合格|优秀|模范|试点|标兵|文明|样板|百强)(?:县|市|区|城市|单位|集体|项目|乡镇|镇|街道|"
                          r"村|社区|基地|窗口|机关|部门|地区)")


_SCOPE = re.compile(r"(?:全国|全省|全市|全州|全区|全县|国家级|省级|市级|县级)$")


def _with_scope(sent: str, s: int, e: int) -> tuple[int, int]:
    year = re.match(r"(?:19|20)\d\d年度?", sent[s:e])
    if year and e - s - year.end() >= 4:
        s += year.end()  # 2023年度|全国…试点县: the year is when, not part of the honour
    m = _SCOPE.search(sent, 0, s)
    return (m.start(), e) if m and sent[s:s + 1] not in "“《" else (s, e)


def _honour_phrases(sent: str, ctx: SpanContext) -> list[tuple[int, int]]:
    """The noun phrase that ends in an honour's head (…首批法治政府建设|示范县), for 什么称号 questions."""
    if ctx.asked.type != AnswerType.HONOUR:
        return []
    out = []
    for m in _HONOUR_HEAD.finditer(sent):
        s = noun_phrase_before(sent, m.end())
        if m.end() - s > len(m.group(0)):
            out.append((s, m.end()))
    return out


_QUOTE_RUN = re.compile(r"(?:[、和及与]?“[^“”]{1,40}”)*等")


def _quoted(sent: str, ctx: SpanContext) -> list[tuple[tuple[int, int], float]]:
    """“Quoted names”, with a bonus when the noun asked for follows (“某某”微信公众号 for 哪个微信公众号), also after
    a run of them (“甲”“乙”等称号 for 什么称号)."""
    out = []
    noun = ctx.asked.noun or ""
    for m in QUOTE_RE.finditer(sent):
        if m.group(0)[1:-1] in ctx.question:
            continue
        after = sent[m.end():m.end() + len(noun) + 1]
        # “甲”“乙”等称号: the noun after a run of quoted names names each of them
        run = _QUOTE_RUN.match(sent, m.end())
        later = sent[run.end():run.end() + len(noun) + 1] if run else ""
        named = len(noun) >= 2 and (after.startswith(noun[:2]) or after.lstrip("的").startswith(noun[-2:])
                                    or later.lstrip("的").startswith(noun[-2:]))
        out.append(((m.start(), m.end()), 0.3 if named else 0.0))
    return out


_TOPIC = re.compile(r"(?:方面|领域|主题|相关)的")


def _topic(question: str) -> str | None:
    """The words a question describes its answer by (市域社会治理|方面的称号 -> 市域社会治理), if it does."""
    m = _TOPIC.search(question)
    if not m:
        return None
    start = max(question.rfind("的", 0, m.start()), question.rfind("了", 0, m.start()), m.start() - 11) + 1
    topic = question[start:m.start()]
    return topic if len(topic) >= 2 else None


def _to_phrase(sent: str, s: int, e: int, ctx: SpanContext) -> tuple[int, int]:
    """Grow a gap to whole words: the asked noun right after it (…化解|工作室), and the noun phrase it ends
    (列入|某某镇委党校, 由|分管副局长)."""
    noun = ctx.asked.noun
    if noun:
        covered = _covered(sent, ctx)
        for key in [noun[:k] for k in range(len(noun), 1, -1)] + [noun[-2:]]:
            k = sent.find(key, e)
            # right after the gap, or after question words only (某某|法治宣传|志愿服务队)
            if 0 <= k - e <= 12 and all(covered[i] or sent[i] == "的" for i in range(e, k)):
                e = k + len(key)
                break
    start = noun_phrase_before(sent, e)
    if start < s and s - start <= 6 and not CLAUSE_BREAK.search(sent[start:s]):
        s = start
    if ctx.places is not None:  # a place name the span starts inside of (某某|镇委党校)
        for m in ctx.places.finditer(sent, max(0, s - 8), s + 2):
            if m.start() < s < m.end() or m.end() == s:
                s = m.start()
                break
    return s, e


_ADDRESSEE = re.compile(r"^([^，,。；;：:]{2,40})[：:]\s*$")
_ASKS_ADDRESSEE = re.compile(r"报给|报送|呈报|主送|呈送|报告给|致")


def addressee_spans(sent: str, ctx: SpanContext) -> list[Span]:
    """"省人民政府:" above a report's body: the body it is addressed to (报给哪个机关 / 主送单位)."""
    m = _ADDRESSEE.match(sent.strip())
    if not m or not _ASKS_ADDRESSEE.search(ctx.question) or re.search(r"现将|如下|报告|情况", m.group(1)):
        return []
    s = sent.find(m.group(1))
    return [Span(s, s + len(m.group(1)), 1.0, sure=True)]


def _gap_candidates(sent: str, ctx: SpanContext) -> dict[tuple[int, int], float]:
    """Candidate spans (with a bonus) grown from the gaps the question's words leave in the sentence."""
    t = ctx.asked.type
    cands: dict[tuple[int, int], float] = {}
    for s, e in _gaps(sent, ctx):
        s, e = trim_slot(sent, s, e)
        cands[(s, e)] = 0.0
        # the asked noun belongs to the answer (召开了什么推进会 -> …建设推进会)
        cands.setdefault(trim_slot(sent, *_to_phrase(sent, s, e, ctx)), 0.12)
        np_end = noun_phrase_after(sent, s, limit=24)
        if s + 2 <= np_end < e:
            cands.setdefault((s, np_end), 0.0)  # the noun phrase the gap starts with (…管理局|开展联合)
        elif e < np_end <= e + 12 and t in (AnswerType.HONOUR, AnswerType.NAME, AnswerType.BODY):
            cands.setdefault((s, np_end), 0.05)  # …市级专业|调解队: the phrase goes on through a question word
        np_start = noun_phrase_before(sent, e)
        if s < np_start <= e - 2:
            cands.setdefault((np_start, e), 0.0)  # the noun phrase it ends with (全局形成|法制科)
    return cands


def _shape(sent: str, s: int, e: int, ctx: SpanContext, bounds: set[int]) -> float:
    """How much the span's shape is worth as an answer of the type asked (1.0: a whole, right-sized phrase)."""
    t = ctx.asked.type
    short = 0.6 if t in (AnswerType.NAME, AnswerType.HONOUR, AnswerType.DOCUMENT, AnswerType.LIST) else 0.9
    most = 40 if _FULL_NAME.search(ctx.question) else 16  # a full name (全称) is as long as it is
    length = short if e - s <= 2 else 1.0 if e - s <= most else most / (e - s)
    if s not in bounds or e not in bounds:
        length *= 0.6  # a span that cuts a word in half is not an answer
    if noun_phrase_before(sent, e) < s and sent[s - 1:s] not in "“《":
        length *= 0.9  # the noun phrase goes on to the left (…法治|文化基地)
    noun = ctx.asked.noun
    if noun and len(noun) >= 2 and sent.startswith(noun[:2], e) and sent[s:s + 1] != "“":
        length *= 0.85  # the noun asked for comes next: it belongs to the answer (…建设|推进会)
    if t in (AnswerType.BODY, AnswerType.ROLE, AnswerType.PLACE) and _inner_verb(sent, s, e):
        length *= 0.85  # a body is a noun phrase, not a clause (全厅形成|法规处)
    if ctx.asked.wh_pos == 0 and s == clause_bounds(sent, s)[0] and noun and sent.endswith(noun, s, e):
        length *= 1.1  # 哪个基地获评…: the question asks for the subject, the phrase the clause opens with
    return length


def _fit(sent: str, s: int, e: int, ctx: SpanContext) -> float:
    text = sent[s:e]
    return (0.25 * _frame(sent, s, e, ctx) + 0.1 * near(sent, s, e, ctx) + 0.15 * clause_cover(sent, s, ctx)
            + 0.15 * order_fit(sent, s, e, ctx) + 0.2 * _type_fit(text, ctx.asked.type, ctx)
            + 0.15 * (0.5 * novelty(text, ctx) + 0.5 * specific(text, ctx)))


def _word_start(sent: str, s: int, e: int, bounds: set[int], question: str) -> int:
    """A span that starts inside a question word (切实落|实党政…) starts after that word."""
    if s in bounds or sent[s] in "“《":
        return s
    prev = max((b for b in bounds if b < s), default=0)
    nxt = min((b for b in bounds if s < b < e), default=s)
    return nxt if e - nxt >= 2 and nxt - s <= 2 and sent[prev:nxt] in question else s


def _items_fit(text: str, ctx: SpanContext) -> float:
    """哪两个机关: a span naming two (A和B) fits better than one naming a single body."""
    want = ctx.asked.items
    if want < 2 or want > 9 or ctx.asked.type == AnswerType.LIST:  # a list is counted by list_spans
        return 1.0
    n = len(re.findall(r"、|》《|”“|[和与及]", text)) + 1
    if ctx.asked.type == AnswerType.PLACE and sum(not pm.short for pm in find_places(text)) != n:
        return ctx.params.items_mismatch  # an item that is no place's name (省、某某市和某某市)
    if n == want:
        return 1.0
    return ctx.params.items_mismatch if n > want else ctx.params.items_short  # fewer: 亚运会亚残运会 may be two


def _pairs(sent: str, spans: dict[tuple[int, int], float]) -> dict[tuple[int, int], float]:
    """Two candidate spans joined by 和/与/及/、 as one (for 哪两个 questions)."""
    ends: dict[int, list[tuple[int, int]]] = {}
    for s, e in spans:
        ends.setdefault(e, []).append((s, e))
    out = {}
    for (s2, e2), b2 in spans.items():
        if s2 >= 1 and sent[s2 - 1] in "和与及、":
            for s1, e1 in ends.get(s2 - 1, []):
                out[(s1, e2)] = max(spans[(s1, e1)], b2)
    return out


_FULL_NAME = re.compile(r"全称|全名|完整名称|完整的名称")


def _full_names(sent: str, ctx: SpanContext) -> list[tuple[int, int]]:
    """…的全称是什么: the whole name that ends in the noun asked, from where its clause starts (after the verb that
    opens it: 调整|某某州深入推进依法行政…工作领导小组), question words and all."""
    noun = ctx.asked.noun or ""
    if len(noun) < 2 or not _FULL_NAME.search(ctx.question):
        return []
    out = []
    for at in find_all(sent, noun):
        cs, _ = clause_bounds(sent, at)
        toks = pos_cut_cached(sent[cs:at])
        if toks and toks[0][1].startswith("v") and len(toks) > 1:
            cs += len(toks[0][0])
        if at - cs >= 2:
            out.append((cs, at + len(noun)))
    return out


def _restates(text: str, question: str) -> bool:
    """The span only says what the question says, maybe behind a verb (贯彻|某某思想 for 把某某思想和哪种思想结合)."""
    if text in question:
        return True
    toks = pos_cut_cached(text)
    k = 0
    while k < len(toks) - 1 and toks[k][1] == "v":
        k += 1
    rest = "".join(w for w, _ in toks[k:])
    return k > 0 and len(rest) >= 2 and rest in question


def _candidates(sent: str, ctx: SpanContext) -> dict[tuple[int, int], float]:
    """Every candidate span with its bonus: gaps the question leaves, phrases of the head or honour shape, places,
    quoted names; grown to whole marks and names, and joined in pairs when two are asked."""
    t = ctx.asked.type
    cands = _gap_candidates(sent, ctx)
    for s, e in _head_phrases(sent, ctx):
        cands[strip_span(sent, s, e)] = 0.1
    for s, e in _honour_phrases(sent, ctx):
        cands[strip_span(sent, s, e)] = 0.2  # …示范县: a phrase of an honour's shape
    for s, e in _full_names(sent, ctx):
        cands[strip_span(sent, s, e)] = 0.2  # 全称: the whole name
    if t == AnswerType.PLACE:  # every division the sentence names in full is a candidate
        for pm in find_places(sent):
            if not pm.short:
                cands.setdefault((pm.start, pm.end), 0.05)
    for (s, e), named in _quoted(sent, ctx):
        cands[(s, e)] = named + (0.05 if t in (AnswerType.NAME, AnswerType.HONOUR) else 0.0)
    topic = _topic(ctx.question) if t in (AnswerType.NAME, AnswerType.HONOUR, AnswerType.DOCUMENT) else None
    if topic:  # 市域社会治理方面的称号: a name that carries the topic's words is about it
        cands = {(s, e): b + (ctx.params.topic_named if topic in sent[s:e] else 0.0) for (s, e), b in cands.items()}
    grown = {quote_only(sent, *drop_question_tail(sent, *snap_to_marks(sent, s, e), ctx), ctx): b
             for (s, e), b in cands.items()}
    if t == AnswerType.HONOUR:  # an honour keeps its scope: 全国|党建引领乡村治理试点县
        grown = {_with_scope(sent, s, e): b for (s, e), b in grown.items()}
    if 2 <= ctx.asked.items <= 9 and t != AnswerType.LIST:  # 哪两个市: two names side by side (甲市和乙市)
        grown.update(_pairs(sent, grown))
    return grown


def slot_spans(sent: str, ctx: SpanContext) -> list[Span]:
    t = ctx.asked.type
    found = addressee_spans(sent, ctx)
    if found:
        return found
    # a question about whom the report is sent to is answered by its addressee line, if it has one
    damp = 0.7 if _ASKS_ADDRESSEE.search(ctx.question) and "报告" in ctx.question else 1.0
    bounds = token_bounds(sent)
    out = []
    for (s, e), bonus in _candidates(sent, ctx).items():
        s = _word_start(sent, s, e, bounds, ctx.question)
        if 2 <= e - s <= 40 and not _restates(sent[s:e], ctx.question):
            score = (_fit(sent, s, e, ctx) * _shape(sent, s, e, ctx, bounds) + bonus) * damp
            out.append(Span(s, e, score * _items_fit(sent[s:e], ctx)))
    if t in (AnswerType.NAME, AnswerType.HONOUR):
        out += [Span(sp.start, sp.end, sp.score * 0.9) for sp in title_spans(sent, ctx)]
    return out
