"""What a question asks for: its answer type, the unit or noun it names, and where its question word is.

Only the question's own wording is read (question words, measure words, verbs such as 担任 / 评为 / 报送); nothing
here knows a place or a report. Usage::

    >>> a = classify("2023年开展的是第几批示范创建活动?")
    >>> a.type, a.unit
    (<AnswerType.ORDINAL: 'ordinal'>, '批')
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from qa.lexicon import units


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

# units people ask for after 多少/几 (longest first); the unit of a figure in the text is matched the same way
_OWN_UNITS = ["平方公里", "平方米", "个百分点", "百分点", "个工作日", "工作日", "个月", "万余元", "亿余元", "万元", "亿元", "千元", "元",
         "人次", "件次", "场次", "户次", "周年", "学时", "课时", "次", "件", "人", "名", "个", "项", "条", "场", "家", "起", "份", "支", "面", "所",
         "处", "批", "篇", "期", "部", "册", "套", "宗", "户", "座", "台", "辆", "天", "日", "小时", "分钟", "年", "月",
         "周", "公里", "米", "亩", "吨", "省", "市", "县", "镇", "村", "类", "种", "块", "笔", "单", "例", "组", "队", "轮",
         "本", "张", "堂", "节", "课", "位", "万", "亿", "大", "%"]
# ... and every measure word of the shared unit table (qa/lexicon/units.tsv, which /facts' units agree with:
# 1240卷, 36批次), so a unit added there is read by /ask too
UNITS = _OWN_UNITS + [u for u in units() if u not in _OWN_UNITS]
TIME_UNITS = frozenset({"年", "月", "天", "日", "周", "小时", "分钟", "个工作日", "工作日", "个月"})
_UNIT_ALT = "|".join(re.escape(u) for u in sorted(set(UNITS) - {"%"}, key=len, reverse=True))
_UNIT_AFTER_ASK = re.compile(rf"(?:多少|几)(个月|{_UNIT_ALT})")

_DATE = re.compile(r"什么时[候间]|何时|哪天|哪一天|哪日|哪一日|几月几[日号]|哪个月|几月份?|哪年|哪一年|几几年|"
                   r"日期|落款时间|从哪一?年|自哪一?年|哪个时[候间]|什么日子")
_ORDINAL = re.compile(r"第几|第多少|排第|排名第?几|排老几|排在第?几|名次|位次|哪一届|第几届|哪一批|哪次(?:会议|全会)|"
                      r"哪一次(?:会议|全会)?|什么名次|几号令")
_DURATION = re.compile(r"(?:连续|连着|坚持|持续|已经|走过|前后)[^，,。？?]{0,12}(?:多少|几)(?:个)?(?:年|月|天|周)|"
                       r"多少(?:个)?(?:工作日|天|小时|分钟|周年|个月)|几(?:个)?(?:工作日|天|小时|周年|个月)|多久|多长时间|"
                       r"提前了?多少|时限|几年了|多少年了?$|多少年[?？]?$|周年")
_RATE = re.compile(r"率|比例|比重|占比|百分之|百分比|多少成(?!本|果|员)|幅度")
_MONEY = re.compile(r"多少钱|钱|资金|金额|经费|费用|标的|投入了?多少|多少(?:万|亿)?元|多少万|多少亿|成本")
_COUNT = re.compile(r"多少|几(?!乎)|数量|总数|规模|多高|多大|多快|多长|多重|多宽|多远|多久")
_COUNT_AT_END = re.compile(r"(?:多少|几)[^，,。？?哪什谁]{0,5}[？?]?$")
_DOCNUM = re.compile(r"文号|发文字号|字号")
_DOCUMENT = re.compile(r"哪份|哪部|哪个文件|哪些文件|什么文件|哪篇|哪本|什么书|哪几份|"
                       r"(?:什么|哪个|哪项|哪一)(?:方案|规定|办法|条例|意见|通知|清单|要点|规划|纲要|细则|标准|指引|制度|规则|法律|法规|文章|报告|案例|决定|实施方案)(?![会厅团])|"
                       r"(?:方案|规定|办法|条例|意见|通知|清单|要点|规划|纲要|细则|规则|文章|报告|案例|法规|规章)(?:叫什么|的?(?:名称|全称|题目|标题|文件名)|是哪)|文件名|"
                       r"什么[^，,。？?]{1,12}(?:方案|规定|办法|条例|意见|通知|清单|要点|规划|纲要|细则|规则)[？?]?$|"
                       r"哪(?:个|一个|一)?(?:市|县|区|省|州|级)的(?:方案|规定|办法|条例|意见|通知|文件|规划|纲要|细则|规则)")
_HONOUR = re.compile(r"(?:评为|命名为|授予|获评|荣获|获得|拿到|获|入选|认定为|确定为|列为)[^，,？?]{0,12}(?:什么|哪|何)|"
                     r"什么(?:称号|荣誉|奖|等级|等次|殊荣)|哪(?:个|项|一)?(?:称号|荣誉|奖项|等级|等次)|称号|荣誉")
_ROLE = re.compile(r"由谁(?:担任|任|牵头|负责|兼任)|谁(?:担任|任)(?:组长|主任|第一|双组长|副组长|召集人)|"
                   r"(?:组长|主任|召集人|负责人|第一责任人)(?:是谁|由谁|是什么人)|哪(?:两|几)?位领导|什么(?:人(?!民)|人员|职务|身份|对象|职位)|"
                   r"哪类(?:人|专家|人员)|哪些人|对象是谁|谁(?:带头|来讲|主讲)")
_BODY = re.compile(r"哪(?:个|些|两个|几个|一个|家|所)?(?:单位|部门|机关|机构|处室|处|科室|股室|股|厅|局|委|办|中心|学院|学校|大学|"
                   r"法院|检察院|党校|组织|协会|小组|领导小组|委员会|政府)|"
                   r"(?:报给|报送|呈报|报送给|主送|发给|抄送|呈送|报告给|会同|联合)[^，,？?]{0,6}(?:谁|哪)|"
                   r"在谁的|谁的领导|谁牵头|谁挑头|哪个处|主送单位|主送机关|是谁(?:发布|印发|制定)")
_PLACE = re.compile(r"哪里|哪儿|何处|何地|在哪|哪(?:个|些|两个|几个)?(?:地方|地区|城市|市|县|区|镇|乡|街道|社区|村|省)|"
                    r"属于哪|哪(?:个|些)(?:市县|县区)")
_PERSON = re.compile(r"谁|哪位|何人|(?:人|书记|长|主任|专家|律师|同志|领导|委员|干部|教授)叫什么名字|姓名|名字是")
_LIST = re.compile(r"哪些|哪(?:两|三|四|五|六|七|八|九|几)(?:个|项|种|类|方面|部|份|条|句|大|字|“)?|分别是|有什么|包括什么|"
                   r"哪“|怎样分工|各自|什么角色|哪几")
_OPEN = re.compile(r"如何|怎么|怎样(?!分工)|为什么|什么措施|哪些措施|什么做法|哪些做法|什么问题|哪些问题|问题是什么|不足是什么|"
                   r"有哪些不足|哪些不足|什么不足|不足之处|短板|哪些方面的?工作|什么经验|哪些经验")
_NAME = re.compile(r"什么|哪个|哪项|哪一|名称|全称|叫啥|是啥|哪类|哪种|何种")
_WH = re.compile(r"多少|几|谁|什么|哪|何|如何|怎么|怎样")

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


_CHANGE = re.compile(r"(下降|减少|降低|压缩|缩短|提高|提升|增长|增加|上升|压减)了?多少")
_CN_SMALL = {"两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "几": 2}


def unit_hint(q: str) -> tuple[str | None, float]:
    """The unit the question asks for and how sure we are (1.0: said outright or a rate word)."""
    m = _UNIT_AFTER_ASK.search(q)
    if m:
        return m.group(1), 1.0
    if re.search(r"面积|占地|多大(?:面积|地方)", q):
        return "平方米", 0.6  # an area: 平方米 / 亩 / 平方公里, not a count
    if _CHANGE.search(q) and _RATE.search(q):
        return "个百分点", 0.5  # a rate that rose or fell: by how many points
    if _RATE.search(q):
        return "%", 1.0
    if re.search(r"多少钱|多少资金|多少经费|金额|标的额", q):
        return "元", 0.6
    if _CHANGE.search(q):
        return "%", 0.5
    return None, 0.0


_WH_NOUN = re.compile(r"哪一(?:个|类|种|项|部|份|家|所|位|批|次)|哪两个|哪两项|哪几个|哪个|哪家|哪些|哪项|哪部|哪份|哪所|哪类|哪种|哪两|哪几|哪|什么|何种")
_NOUN_STOP = re.compile(r"[的，,。？?！!、：:；;（(“”]|(?:专题|集中|深入)(?=学习|研究|部署|研讨|听取|审议|调度)|提高|提升|增强|促进|推动|保障|进行|通过|获评|举办|执行|入选|创建|开展|签订|合作|结合|参加|发布|印发|挂牌|"
                        r"审议|部署|作出|拿到|打造|建立|成立|担任|负责|牵头|挑头|化解|处理|解决|上|里|中|来|去|是|被|在|了|和|与|对|为")
_NOUN_TAGS = ("n", "vn", "nz", "nt", "ns", "j", "l", "an", "b", "ng", "eng", "zg", "nr")


_NAME_WORDS = frozenset({"文件名", "名称", "全称", "名字", "题目", "标题", "简称", "名"})


def asked_noun(q: str) -> str | None:
    """The noun the question asks for: 哪个基地 -> 基地, 什么平安建设荣誉 -> 平安建设荣誉, 什么模式化解… -> 模式."""
    from index.text import pos_cut_cached

    m = _WH_NOUN.search(q)
    before = re.search(r"([\u4e00-\u9fff]{2,12}?)的?(?:叫什么|是什么|全称|名称|叫啥|是哪(?:个|些|一个|家|位|份|部)?[？?]?$)", q)
    if before and (not m or before.start() < m.start()):
        head = ""
        for w, f in reversed(pos_cut_cached(q[:before.end(1)])):
            if not f.startswith(_NOUN_TAGS) or (head and len(w + head) > 6):
                break
            if head or w not in _NAME_WORDS:  # 工作要点|文件名: the name of the thing, not the thing
                head = w + head
        if head:
            return head[-6:]
    if not m:
        return None
    tail = q[m.end():m.end() + 14]
    stop = _NOUN_STOP.search(tail)
    noun = tail[:stop.start()] if stop else tail
    noun = noun.strip("“”")
    return noun if len(noun) >= 1 and noun not in ("样", "么", "时候", "时间", "个", "些", "位", "里", "的") else None


_COUNTED_TAGS = _NOUN_TAGS + ("nr", "ns", "vn", "s", "zg")


def coarse_time(unit: str) -> bool:
    return unit in TIME_UNITS or unit in ("周年", "个月")


def counted_noun(q: str) -> tuple[str | None, bool]:
    """The noun a count question counts, as worded right after its measure word (几名执法人员参加 -> 执法人员;
    多少个地区和项目参加 -> 地区和项目), and whether it is the whole of what is counted (not 多少辆出租车的顶灯)."""
    from index.text import pos_cut_cached

    m = _UNIT_AFTER_ASK.search(q)
    if not m:
        return None, True
    noun, nxt = "", ""
    toks = pos_cut_cached(q[m.end():m.end() + 16]) + (("", "x"),)
    for (w, f), (w2, f2) in zip(toks, toks[1:], strict=False):
        ends = f2 == "x" and w2 not in ("(", "（")  # a verb ending the question is what is counted: 几次|批示？
        if f.startswith(_COUNTED_TAGS) or (noun and w in ("和", "与", "、", "(", ")", "（", "）")) \
                or (len(w) >= 2 and re.fullmatch(r"[\u4e00-\u9fff]+", w) and (ends or w2 in ("和", "与"))):
            noun += w
            continue
        nxt = w
        break
    noun = noun.rstrip("和与、(（")
    rest = q[m.end() + len(noun):]
    if noun and rest.startswith("“") and "”" in rest[:16]:
        noun += rest[:rest.index("”") + 1]  # 多少个高频“一件事一次办”
    if len(noun) < 2 or coarse_time(m.group(1)):
        return None, True
    return noun, nxt != "的" and counted_head(q) is None


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


def counted_head(q: str) -> str | None:
    """What a count question really counts when its counted noun only modifies it:
    多少个执法部门适用的裁量权基准 -> 裁量权基准."""
    m = _UNIT_AFTER_ASK.search(q)
    if not m:
        return None
    from index.text import pos_cut_cached

    h = re.match(r"[^，,。？?！!的]{2,16}?的([\u4e00-\u9fff]{2,12})", q[m.end():])
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
    m = re.search(r"哪([两二三四五六七八九几])", q)
    if m:
        return _CN_SMALL[m.group(1)]
    return max(1, len(re.findall(r"多少|几(?!乎)", q))) if _COUNT.search(q) else 1


def question_type(q: str) -> AnswerType:
    """The answer type a question wants, from its wording alone (first matching rule wins)."""
    rules: list[tuple[re.Pattern[str], AnswerType]] = [
        (_DOCNUM, AnswerType.DOCUMENT), (_DATE, AnswerType.DATE), (_ORDINAL, AnswerType.ORDINAL),
        (_DURATION, AnswerType.DURATION), (_ROLE, AnswerType.ROLE), (_BODY, AnswerType.BODY),
        (_HONOUR, AnswerType.HONOUR), (_DOCUMENT, AnswerType.DOCUMENT),
    ]
    asks_count = bool(_COUNT_AT_END.search(q))  # …称号的示范窗口有几个: a count, whatever it counts
    for rx, t in rules:
        if rx.search(q) and not (asks_count and t in (AnswerType.BODY, AnswerType.HONOUR, AnswerType.DOCUMENT)
                                 and rx is not _DOCNUM):
            return t
    if re.search(r"哪几|哪些", q) and not _OPEN.search(q):
        return AnswerType.LIST  # 哪几种调解: the items, not how many
    if _COUNT.search(q):
        if _RATE.search(q) or _CHANGE.search(q):
            return AnswerType.RATE
        if _MONEY.search(q):
            return AnswerType.MONEY
        return AnswerType.COUNT
    if _RATE.search(q) and re.search(r"率$|率[？?]$|率(?:是|为|有|达)", q):
        return AnswerType.RATE
    if _PERSON.search(q):
        return AnswerType.PERSON
    if _OPEN.search(q):
        return AnswerType.OPEN
    if _PLACE.search(q):
        return AnswerType.PLACE
    if _LIST.search(q):
        return AnswerType.LIST
    if _NAME.search(q):
        return AnswerType.NAME
    return AnswerType.OPEN


def classify(question: str) -> Asked:
    q = question.strip()
    t = question_type(q)
    unit, strength = unit_hint(q) if t in QUANTITY_TYPES or t == AnswerType.ORDINAL else (None, 0.0)
    if t == AnswerType.ORDINAL:
        m = re.search(r"第(?:几|多少)(个|次|批|届|名|位|号|轮|期|项|条|款|章|季度)?", q)
        unit, strength = ((m.group(1), 1.0) if m and m.group(1) else (None, 0.0))
    wh = _WH.search(q)
    counted, whole = counted_noun(q) if t in QUANTITY_TYPES else (None, True)
    return Asked(type=t, unit=unit, unit_strength=strength, noun=asked_noun(q), items=_items(q),
                 wh_pos=wh.start() if wh else None, counted=counted, counted_whole=whole,
                 counted_head=counted_head(q) if t in QUANTITY_TYPES else None)
