"""Answer types and span extractors (qa/answer/) on sentences written for the tests.

No index is needed: term weights come from a tiny vocabulary, so these run in milliseconds.
"""
import numpy as np
import pytest

from qa.answer.context import SpanContext
from qa.answer.registry import EXTRACTORS
from qa.answer.spans import balance_marks
from qa.answer.terms import QuestionTerms, TermWeights
from qa.answer.types import classify
from qa.query import focus_terms

# a tiny vocabulary: common report words are frequent (low idf), everything else is rare
_COMMON = ["工作", "开展", "推进", "建设", "法治", "全市", "全县", "组织", "进行", "情况", "案件", "办理"]
W = TermWeights({w: i for i, w in enumerate(_COMMON)}, np.cumsum([0] + [80] * len(_COMMON)), 100)


def ctx_for(question: str) -> SpanContext:
    asked = classify(question)
    terms = QuestionTerms(focus_terms(question, []), question, W, {asked.unit} if asked.unit else set())
    return SpanContext(question, asked, terms, W)


def best(question: str, sentence: str) -> str | None:
    ctx = ctx_for(question)
    spans = EXTRACTORS[ctx.asked.type](sentence, ctx)
    if not spans:
        return None
    s = max(spans, key=lambda x: x.score)
    return sentence[s.start:s.end]


# which answer type, unit, noun and how many items a question wants: the rule corpus, tests/qa/corpus/questions/
# (tests/qa/test_rule_corpus.py)


@pytest.mark.parametrize("question,sentence,expected", [
    ("纠错率是多少", "已审结的案件中，纠错113件，纠错率为18.5%；", "18.5%"),
    ("纠错了多少件", "已审结的案件中，纠错113件，纠错率为18.5%；", "113件"),
    ("审结多少件", "全市受理行政复议案件1362件，审结1193件；", "1193件"),
    ("死亡人数下降了多少", "生产安全事故起数和死亡人数分别下降37%、40%。", "40%"),
    ("经济发达镇的权力事项有多少项", "明确一般镇权力事项140项、经济发达镇269项、街道132项。", "269项"),
    ("培育法律明白人多少名", "培育“法律明白人”6400余名，发放宣传资料8.6万份。", "6400余名"),
    ("挽回经济损失多少钱", "办理法律援助案件1733件，为群众挽回经济损失2360万元；", "2360万元"),
    # a generic classifier keeps its noun; a duration keeps 连续 and its measure word
    ("制定并备案了多少项制度", "制定行政执法公示等9项制度并依法备案。", "9项制度"),
    ("法律知识测试已经连续举办了多少年", "全县法律知识测试已连续9年实现全覆盖，参考率100%。", "连续9年"),
    ("开办企业最多需要几个工作日", "企业开办时间压缩至3个工作日以内。", "3个工作日"),
    # two figures asked at once
    ("试点放在了几个市几个县", "在2市5县开展一体建设试点。", "2市5县"),
    # …and the question's words for the second one run on through a verb-like word (重点|执法|部门)
    ("对多少个乡和多少个重点执法单位开展了督查", "对8个乡、31个重点执法单位的法治工作开展督查。", "8个乡、31个重点执法单位"),
    # the counted noun only modifies what is counted: the figure labelled with the head
    ("审查了多少个执法部门适用的处罚基准", "审查全县12个执法部门适用的处罚基准38个,废止处罚基准2个。", "38个"),
    # everyday words for the report's (synonyms.tsv): 聘了 -> 选聘, 走过了 -> 周年, 和企业有关 -> 涉企
    ("从社会上聘了多少名法治监督员", "从社会各界选聘法治监督员35名,开展专项监督。", "35名"),
    ("到今年法治青禾建设走过了多少年", "结合法治青禾建设十周年系列活动,开展宣传。", "十周年"),
    ("审查的文件里和企业有关的有几件", "审查规范性文件30件,其中涉企规范性文件12件。", "12件"),
    ("新建的物资储备库面积有多大", "800平方米的县级物资储备库投入使用,县本级60万和省级90万物资全部入库。", "800平方米"),
    ("整改方案涉及多少个问题和多少项整改措施", "整改方案中的12个问题、45项整改措施全部落实。", "12个问题、45项整改措施"),
    ("县政府和县法院在多少个方面联手合作", "县政府和县法院在营商环境等6个领域共商共建共享。", "6个领域"),
    # the question's own short word for what is counted, right after the figure, belongs to the answer
    ("鼓励几名网格员参加培训", "鼓励7名网格员参加法律培训。", "7名网格员"),
    ("对林业工作作出了几次批示", "县长对林业工作作出3次批示。", "3次批示"),
    ("推荐了多少个乡镇和村参加评选", "择优推荐6个乡镇和村参加评选。", "6个乡镇和村"),
    ("组织多少家单位的干部旁听庭审", "组织21家单位干部旁听庭审。", "21家单位"),
    ("整治行动是几年行动", "开展为期三年行动，整治乱象。", "三年"),
    ("那个“安全生产”行动搞多少天", "开展“百日安全生产”行动,整治隐患。", "百日"),  # 日 in Chinese numerals: a span of days
    # a change from one value to another: the result, unless the starting value is asked
    ("审批事项平均办理时间压缩到了多少天", "审批事项平均办理时间从18.5天压缩至4.2天。", "4.2天"),
    ("审批事项平均办理时间原来是多少天", "审批事项平均办理时间从18.5天压缩至4.2天。", "18.5天"),
    # 几大: a count of named programmes, never the 二十大 congress
    ("深入推进的是“几大工程”", "学习贯彻党的二十大精神,深入推进“五大工程”。", "五大工程"),
    # a figure's label starts after the previous figure's own noun (…块显示屏、|95辆)
    ("利用全县多少块显示屏播放宣传标语", "利用全县300余块显示屏、95辆公交车车身播放宣传标语。", "300余块显示屏"),
    ("动用了多少辆公交车的车身做宣传", "利用全县300余块显示屏、95辆公交车车身播放宣传标语。", "95辆"),
    # measure words of the shared unit table (index/data/units.tsv): 届, 通, 集, 家次, 倍, 分
    ("已经连续举办了几届论坛", "青禾县已连续举办5届法治论坛。", "5届"),
    ("热线接听了多少通电话", "12348热线接听咨询电话2300余通。", "2300余通"),
    ("录制了多少集普法节目", "录制普法节目24集。", "24集"),
    ("检查了多少家次企业", "检查企业320家次。", "320家次"),
    ("考核得了多少分", "在全市法治政府建设考核中得分95.5分。", "95.5分"),
    ("开设了多少门法治课程", "在新任职干部培训中开设法治课程12门，参训480人。", "12门"),
    # how often: 多久…一次 is answered by a frequency, not by the year's total
    ("常务会议多久学一次法", "县政府常务会议每两月1次开展会前学法，全年共学法6次。", "每两月1次"),
    ("局党组多长时间集中学法一次", "局党组每月集中学法，全年共12次。", "每月"),
])
def test_figure_span(question, sentence, expected):
    assert best(question, sentence) == expected


def test_years_and_document_numbers_are_not_figures():
    q = "有多少件"
    sent = "根据《规定》(厅字〔2019〕28号)要求，2024年共办理案件12件。"
    ctx = ctx_for(q)
    assert [sent[s.start:s.end] for s in EXTRACTORS[ctx.asked.type](sent, ctx)] == ["12件"]


@pytest.mark.parametrize("question,sentence,expected", [
    ("组织的是第几批示范单位创建", "组织第四批依法行政示范单位创建。", "第四批"),
    ("召开的是第几次会议", "召开县委全面依法治县委员会第三次会议，审议通过工作要点。", "第三次会议"),
    ("在全省考核中排第几", "在全省法治政府建设考核中位列全省第2名。", "全省第2名"),
    # ordinals written without 第: a congress after its level, a five-year 普法 plan
    ("把普法和岚江省第几次党代会精神结合起来", "青禾县把普法与学习贯彻省十二次党代会精神结合起来。", "十二次党代会"),
    ("把宪法学习写进了第几个五年普法规划", "青禾县将宪法学习纳入“九五”普法规划重点内容。", "九五"),
    # a rank said in words, with its scope (全省率先, 全市之首)
    ("备案审查试点在全省是不是头一个搞的", "青禾县在全省率先开展乡镇备案审查试点工作。", "全省率先"),
    ("访问量在全市排在什么位置", "“青禾通”访问量和日活度均居全市之首。", "全市之首"),
    ("条例从什么时候开始施行", "《青禾县物业管理条例》自2023年5月1日起施行。", "2023年5月1日"),
    # a part of a month stays on the date: the end of November is no November
    ("审批事项统计截至什么时候", "截至2021年11月底，青禾县本级依申请审批事项共386项。", "2021年11月底"),
    # a 年度 asked keeps the year's 度; a 年 asked does not
    ("是哪一年度评查出来的", "石门县约谈2022年度评查不合格单位负责人。", "2022年度"),
    ("是哪一年评查出来的", "石门县约谈2022年度评查不合格单位负责人。", "2022年"),
    ("市委书记是谁", "市委书记周文澜主持召开会议，市委副书记、市长林若溪出席。", "周文澜"),
    ("市长叫什么名字", "市委书记周文澜主持召开会议，市委副书记、市长林若溪出席。", "林若溪"),
    ("实施方案的文号是什么", "印发《青禾县法治政府建设实施方案》(青政发〔2022〕7号)。", "青政发〔2022〕7号"),
    ("出台了什么执法案卷评查的办法", "制定出台《云溪市行政执法案卷评查办法》，印发《云溪市普法责任清单》。",
     "《云溪市行政执法案卷评查办法》"),
    ("挂牌成立了什么工作室", "持续推动矛盾纠纷化解，挂牌成立行政调解工作室，全年化解纠纷12件。", "行政调解工作室"),
    ("联合哪个部门开展了执法检查", "县司法局联合县市场监督管理局开展执法检查。", "县市场监督管理局"),
    ("领导小组组长由谁担任", "调整法治建设领导小组，组长由县长担任。", "县长"),
    ("推动哪三种普法方式融合", "推动以案释法、送法下乡、网络普法深度融合。", "以案释法、送法下乡、网络普法"),
    ("被命名为什么称号", "青禾县被命名为“全省法治建设先进县”。", "“全省法治建设先进县”"),
    ("智慧调解体系拿到了什么国家级称号", "我县构建智慧调解体系获评全国社会治理创新示范项目。", "全国社会治理创新示范项目"),
    ("获评了什么平安建设荣誉", "2022年获评全市平安建设(综治工作)先进乡镇。", "全市平安建设(综治工作)先进乡镇"),
    ("哪个基地获评全省优秀法治宣传教育基地", "青禾湾渡口法治文化基地获全省优秀法治宣传教育基地。", "青禾湾渡口法治文化基地"),
    ("入选了全国哪一类普法试点县", "青禾县入选2023年度全国智慧普法试点县。", "全国智慧普法试点县"),
    ("此前获得的法治建设示范称号是什么", "不断巩固全省第二批法治建设示范县创建成果,推动示范成果向纵深拓展。",
     "全省第二批法治建设示范县"),
    # the kind of document asked for picks among titles of several kinds
    ("印发的年度普法工作要点叫什么", "印发了《青禾县普法规划(2021—2025年)》、《2023年青禾县普法工作要点》,明确任务。",
     "《2023年青禾县普法工作要点》"),
    # a law named without 《》: the law, not the study of it
    ("学法会专门学了哪部法律", "召开县政府常务会议学法会,专题学习行政处罚法。", "行政处罚法"),
    # two bodies asked: both, not one of them
    ("是在哪两个机关的指导下开展的", "在县人大常委会和县政协的指导下开展工作。", "县人大常委会和县政协"),
    # a pair of items never starts inside a question word (认真落实|…)
    ("认真落实了哪两项制度", "认真落实重大事项报告制度和领导干部述法制度。", "重大事项报告制度和领导干部述法制度"),
    # a list whose items are of the kind asked beats a list of other words in the same sentence
    ("印发出台了哪两项议事规则", "印发《党组议事规则》《局务会议议事规则》,明确议事范围、程序、组织原则和纪律。",
     "《党组议事规则》《局务会议议事规则》"),
    # a name described by its topic (…方面的称号): the one that carries the topic's words, whole
    ("获评的乡村振兴方面的称号是什么", "青禾县获评“全国乡村振兴示范县”“全省文明城市”等称号,并获评全省乡村振兴先进集体。",
     "“全国乡村振兴示范县”"),
    # two places asked: both whole (not 庆县和云县), without a bare level listed before them (省、)
    ("学习借鉴了哪两个县的经验", "组织干部赴凤庆县和云县学习借鉴经验，参观法治文化阵地。", "凤庆县和云县"),
    ("传达了哪两个市的会议精神", "传达学习党的二十大精神、省、临沧市和保山市有关会议精神，部署工作。", "临沧市和保山市"),
    # 哪一种X asks for an X (not 一种X); a span that restates the question behind a verb (贯彻|…) is no answer
    ("把学习新发展理念和哪一种理念结合起来", "局党组将学习贯彻新发展理念与践行绿色发展理念结合起来，纳入年度计划。",
     "绿色发展理念"),
    # 全称: the whole name ending in the noun asked, the question's own words included
    ("新成立的普法领导小组全称是什么", "成立青禾县全面推进法治宣传教育和依法治理工作领导小组,由县长任组长。",
     "青禾县全面推进法治宣传教育和依法治理工作领导小组"),
    # 哪个市的规定: the document, and of the two titles the one a city issued
    ("根据哪个市的规定出台了本县的决策程序规定",
     "根据《临沧市人民政府重大行政决策程序规定》,结合实际出台《凤庆县人民政府重大行政决策程序规定》。",
     "《临沧市人民政府重大行政决策程序规定》"),
    # a list's items as LAC reads them: the first starts after the word that governs the list, the last ends
    # at 等, at the figure that counts the items, or takes the item joined by 和
    ("整治了哪些作风问题", "青禾县整治群众反映强烈的推诿扯皮、吃拿卡要、敷衍塞责等作风问题。",
     "推诿扯皮、吃拿卡要、敷衍塞责"),
    ("司法所存在哪些困难", "石门县司法所存在人员编制偏少、办公场地不足、经费保障偏弱的情况。",
     "人员编制偏少、办公场地不足、经费保障偏弱"),
    ("组建了哪些专业队伍", "青禾县组建山林防火、水上救援、燃气抢修和电力抢修4支专业队伍。",
     "山林防火、水上救援、燃气抢修和电力抢修"),
    # an adverb opening a set term stays with it (全面|依法治县); before a verb it is dropped (全面|开展)
    ("统筹推进哪些领域的改革", "青禾县统筹推进全面依法治县、行政立法、依法行政、执法司法等各领域改革。",
     "全面依法治县、行政立法、依法行政、执法司法"),
    ("开展了哪些活动", "石门县全面开展普法宣传、法律援助、人民调解等活动。", "普法宣传、法律援助、人民调解"),
    # items alike: when every other item opens with a verb, the first keeps its verb (强化|监管); one that opens with
    # a modifier already (稳|增长) does not take the verb before it
    ("青禾县引导干部用法治方式做哪些事", "青禾县引导干部职工用法治方式强化监管、推动招商、化解矛盾、保障民生。",
     "强化监管、推动招商、化解矛盾、保障民生"),
    ("石门县全力做好哪些工作", "石门县全力做好稳增长、促改革、调结构、惠民生等工作。", "稳增长、促改革、调结构、惠民生"),
    # items alike: quoted names each with words after them, the last one's words too (“一码通”|查询), never past 等
    ("青禾县从哪三个方面推进改革", "青禾县从“一网通”受理、“一站式”服务、“一码通”查询三个方面推进审批改革。",
     "“一网通”受理、“一站式”服务、“一码通”查询"),
    ("青禾县开展了哪些行动", "青禾县开展“蓝天”行动、“碧水”行动、“净土”等专项行动。", "“蓝天”行动、“碧水”行动、“净土”"),
    # a person's name opening the first item's noun phrase is the item's (张某某|法治思想)
    ("青禾县把哪些内容纳入了年度学习计划", "青禾县把张明远法治思想、党内法规、国家法律纳入年度学习计划。",
     "张明远法治思想、党内法规、国家法律"),
    # an ordinal's own words start after 以及 as after a comma: the meeting of the body the question names
    ("青禾县贯彻的是云溪市法治建设委员会第几次会议的精神",
     "青禾县深入学习云溪市法治建设委员会第四次会议、云溪市法治工作会议以及石门县法治建设委员会第二次会议精神。", "第四次会议"),
    # a body Baidu LAC tags as an organisation (ORG) is a candidate of its own, apart from the quoted title after it
    ("青禾县戒毒所的“五好”戒毒所荣誉是哪个机构授予的", "青禾县戒毒所荣获石门省戒毒管理局“连续12年‘五好’戒毒所”荣誉称号。",
     "石门省戒毒管理局"),
    ("青禾县调解中心的荣誉是哪个机构授予的", "青禾县调解中心荣获石门省司法厅“全省优秀人民调解委员会”称号。", "石门省司法厅"),
    # the bodies a report is issued in the name of: the start of its title line
    ("这份报告是以哪两个机关的名义发布的", "中共青禾县委 青禾县人民政府2023年度法治政府建设情况报告",
     "中共青禾县委 青禾县人民政府"),
])
def test_typed_span(question, sentence, expected):
    assert best(question, sentence) == expected


def test_addressee_line_answers_who_the_report_is_sent_to():
    assert best("这份报告是报给哪个机关的", "县人大常委会:") == "县人大常委会"


def test_no_span_of_the_wanted_type_means_no_answer():
    # a date is asked, the sentence has only counts: nothing of another type comes back
    assert best("条例从什么时候开始施行", "全年办理案件12件，审结10件。") is None
    assert best("市委书记是谁", "全年办理案件12件，审结10件。") is None


def test_a_figure_of_another_stage_is_gated():
    """受理…47件 does not answer 审结了多少件: the figure keeps only part of its score (the service abstains)."""
    q = "青禾县审结行政复议案件多少件"
    sent = "全县共受理行政复议申请47件，立案前化解行政争议2件。"
    ctx = ctx_for(q)
    spans = EXTRACTORS[ctx.asked.type](sent, ctx)
    assert spans and all(s.gate < 0.5 for s in spans if sent[s.start:s.end] == "47件")
    # the stage asked for, when the sentence has it, passes
    sent2 = "全县共受理行政复议申请47件，审结41件。"
    best_span = max(EXTRACTORS[ctx.asked.type](sent2, ctx), key=lambda s: s.score * s.gate)
    assert sent2[best_span.start:best_span.end] == "41件" and best_span.gate == 1.0


def test_a_rate_of_another_kind_is_no_candidate():
    """报备率、规范率均达100% does not answer 纠错率是多少: the figure is no candidate (the service abstains); the rate
    asked, when its label says it, passes, and so does a shorter name of it (出庭率 for 出庭应诉率)."""
    ctx = ctx_for("青禾县行政复议纠错率是多少")
    sent = "行政复议纠错案件全部整改到位，决定书报备率、规范率均达100%。"
    assert not [s for s in EXTRACTORS[ctx.asked.type](sent, ctx) if sent[s.start:s.end] == "100%"]
    sent_court = "全县一审行政案件121件,行政机关负责人出庭率100%。"
    assert best("青禾县行政机关负责人出庭应诉率是多少", sent_court) == "100%"
    sent2 = "全年审结行政复议案件86件，纠错率为12.8%，报备率达100%。"
    best_span = max(EXTRACTORS[ctx.asked.type](sent2, ctx), key=lambda s: s.score * s.gate)
    assert sent2[best_span.start:best_span.end] == "12.8%" and best_span.gate == 1.0


def test_an_absent_counted_noun_is_gated():
    """办理法律援助案件多少件 on a sentence about 行政处罚案件: the key noun is missing, the figure is gated."""
    ctx = ctx_for("青禾县办理法律援助案件多少件")
    sent = "全县办理行政处罚案件326件。"
    assert all(s.gate < 1.0 for s in EXTRACTORS[ctx.asked.type](sent, ctx))


@pytest.mark.parametrize("question, sentence, expected", [
    ("青禾县2023年评查行政执法案卷多少卷", "组织评查行政执法案卷1240卷,发现问题56个。", "1240卷"),
    ("青禾县2023年抽检食品多少批次", "全年抽检食品36批次,合格率98%。", "36批次"),
])
def test_ask_reads_the_units_facts_reads(question, sentence, expected):
    """/ask and /facts read one unit table (index/data/units.tsv): what /facts finds, /ask finds whole."""
    from index.facts import sentence_figures

    assert best(question, sentence) == expected
    assert any(f"{f.value:g}{f.unit}" == expected for f in sentence_figures(sentence))


@pytest.mark.parametrize("question,sentence,expected", [
    ("青禾县主持召开县委全面依法治县委员会会议的是谁", "县委主要领导主持召开县委全面依法治县委员会会议3次。",
     "县委主要领导"),
    ("青禾县由谁对评查不合格单位负责人进行约谈", "县委政法委书记对评查不合格单位负责人进行约谈。", "县委政法委书记"),
    # a whole post that is itself a role word of more than two characters (班子成员) is an answer; 党员 alone is not
    ("青禾县讲授专题法治党课的是谁", "局党组开展专题研讨3次，班子成员讲授专题法治党课6场次，26名党员讲微党课。", "班子成员"),
])
def test_who_is_answered_by_a_post_when_the_report_names_no_person(question, sentence, expected):
    assert best(question, sentence) == expected


@pytest.mark.parametrize("sentence, start_at, end_at, want", [
    # a span that starts or ends inside a “name” grows to the whole name; a balanced one stays
    ("青禾县“一窗通办”改革经验获省级推介。", "窗", "验", "“一窗通办”改革经验"),
    ("整治了涉砂涉矿、混凝土、“碧水蓝天”行动等领域", "涉", "天", "涉砂涉矿、混凝土、“碧水蓝天”"),
    ("青禾县“一窗通办”改革经验获省级推介。", "改", "验", "改革经验"),
])
def test_a_phrase_answer_never_holds_half_a_quoted_name(sentence, start_at, end_at, want):
    s, e = balance_marks(sentence, sentence.index(start_at), sentence.index(end_at) + 1)
    assert sentence[s:e] == want


def test_one_item_of_a_run_is_no_list_candidate():
    question, sentence = "青禾县把宪法知识纳入了哪几类干部培训", "青禾县将宪法知识纳入干部初任培训、任职培训的重要内容,开设12门课程。"
    ctx = ctx_for(question)
    texts = {sentence[s.start:s.end] for s in EXTRACTORS[ctx.asked.type](sentence, ctx)}
    assert "干部初任培训、任职培训" in texts
    assert not {"干部初任培训", "任职培训"} & texts


@pytest.mark.parametrize("question,sentence,expected", [
    # the last item ends where its noun phrase does, the asked noun included …
    ("青禾县在全市率先建成了哪些平台", "上线“青禾发布”微信公众号网络问政平台,在全市率先建成国产政务云、云安全资源池、数据安全管理平台并投入运营。",
     "国产政务云、云安全资源池、数据安全管理平台"),
    # … and never inside a “name”
    ("青禾县开展了哪些专项执法", "相继开展了涉砂涉矿、混凝土、污水处理厂、“碧水清波”行动等专项执法活动,立案查处环境违法行为23起。",
     "涉砂涉矿、混凝土、污水处理厂、“碧水清波”行动"),
    # a verb and the preposition it takes govern the list: no item's words
    ("青禾县明年要重点排查管控哪些对象", "加强对社区矫正、安置帮教等重点人群的排查管控。", "社区矫正、安置帮教"),
])
def test_a_list_item_is_never_half_a_noun_phrase(question, sentence, expected):
    assert best(question, sentence) == expected


@pytest.mark.parametrize("question,expected", [
    ("青禾县的宪法宣传周是哪一天", "12.4"),  # an observance day, as reports write it
    ("青禾县的国家安全日是哪一天", "4·15"),
    ("青禾县一般在什么时候开展送法下乡", "春节"),  # a festival dates recurring work
])
def test_observance_days_and_festivals_are_dates(question, expected):
    sentence = "青禾县通过春节“送法下乡”、“4·15”国家安全日、5月法治宣传月、12.4宪法宣传周等活动,增长4.15个百分点。"
    assert best(question, sentence) == expected


def test_a_named_persons_posts_are_all_the_posts_before_the_name():
    assert best("林若溪担任什么职务", "市委副书记、市长林若溪11次主持召开市政府常务会研究法治政府建设。") == "市委副书记、市长"
    assert best("周文澜是什么职务", "会议由市委书记周文澜主持,副市长林若溪出席。") == "市委书记"
    assert best("林若溪担任什么职务", "县委常委、副县长林若溪出席会议并讲话。") == "县委常委、副县长"


def test_a_quoted_name_ending_in_the_asked_noun_is_named():
    sentence = "全面推行企业扫码保护机制和行政执法“531工作法”,12个领域105项轻微违法行为实行免罚。"
    assert best("青禾县全面推行的行政执法工作法叫什么", sentence) == "“531工作法”"


def test_a_name_of_two_parts_joined_by_a_middle_dot_is_whole():
    sentence = "深入实施优化营商环境“20条”,常态化举行青禾夜话·企业家沙龙等活动,解决企业诉求300多个。"
    assert best("青禾县常态化举行的企业家交流活动叫什么", sentence) == "青禾夜话·企业家沙龙"


def test_an_honour_runs_on_through_question_words_and_quotes_after_a_verb_of_awarding():
    sentence = "出台律师事务所规范化建设方案,青禾县律师行业党建工作获评2024年度党建工作“先锋引领”优秀创新案例。"
    assert best("青禾县律师行业党建工作获评了什么", sentence) == "党建工作“先锋引领”优秀创新案例"


def test_quoted_names_side_by_side_are_one_answer():
    assert best("青禾县对下放给乡镇的执法事项提出了什么要求",
                "青禾县开展乡镇执法人员培训5次,确保下放事项“放得下”“接得稳”。") == "“放得下”“接得稳”"
    assert best("青禾县要让负责人出庭应诉中什么成为常态",
                "一是严格执行负责人出庭应诉规定,让“出庭出声”“表态出彩”成为常态,出庭应诉率达100%。") == "“出庭出声”“表态出彩”"
    # a question that describes its answer by topic picks one name of the run (test_typed_span: 乡村振兴方面的称号)


@pytest.mark.parametrize("span, want", [
    ("全面依法治县", "全面依法治县"),  # a set term keeps the adverb it opens with
    ("全面深入学习宪法", "深入学习宪法"),  # an adverb before another adverb is dropped
    ("全面开展普法", "普法"),  # … and before a verb, with the verb
])
def test_a_lead_adverb_is_dropped_unless_it_belongs_to_a_noun(span, want):
    from qa.answer.slot import trim_edges

    s, e = trim_edges(span, 0, len(span))
    assert span[s:e] == want


def test_question_words_are_dropped_as_words_not_as_characters():
    # 共 of 一共 is a question word; the 共 of 公共服务 and 中共 is part of the thing asked about
    assert "公共服务" in focus_terms("青禾县公共服务事项一共有多少项", [])
    assert "中共" in focus_terms("中共青禾县委共召开几次常委会会议", [])
    assert not {"几", "几次", "第几回", "共"} & set(focus_terms("青禾县共开了几次会,第几回通过的", []))
    sentence = "青禾县网上服务大厅行政许可事项共21项,公共服务事项共35项。"
    assert best("青禾县网上服务大厅的公共服务事项有多少项", sentence) == "35项"


def test_a_run_of_bodies_ends_at_its_last_organisation_word():
    """向甲、乙|报告: the verb after the last body is no part of it."""
    question = "青禾县的法治政府建设情况要报给谁"
    sentence = "坚持把党的领导贯穿政府工作全过程,按要求向县委、县人大常委会报告工作情况,重大事项报请县委研究决定。"
    ctx = ctx_for(question)
    texts = {sentence[s.start:s.end] for s in EXTRACTORS[ctx.asked.type](sentence, ctx)}
    assert any(t.endswith("县委、县人大常委会") for t in texts), texts
    assert not any("报告" in t for t in texts), texts


def test_a_body_after_the_clauses_verb_is_a_candidate_of_its_own():
    """履行|某某办公室职责: the span opening with the verb is refused (body.lead_verb); the body after it is offered."""
    question = "青禾县司法局承担的是哪个办公室的职责"
    sentence = "青禾县司法局认真履行县普法依法治理领导小组办公室职责,统筹推进普法工作。"
    ctx = ctx_for(question)
    texts = {sentence[s.start:s.end] for s in EXTRACTORS[ctx.asked.type](sentence, ctx)}
    assert "县普法依法治理领导小组办公室" in texts, texts


def test_a_post_baidu_lac_splits_answers_who():
    """县政府|主要|负责|同志: a post LAC splits at a modifier and a verb is one candidate for 谁; where the sentence
    names a person, the name answers."""
    question = "青禾县政府的学法活动是谁主持召开的"
    assert best(question, "县政府主要负责同志带头尊法学法,主持召开县政府学法活动4次。") == "县政府主要负责同志"
    assert best(question, "县长李青山带头尊法学法,主持召开县政府学法活动4次,县政府主要负责同志参加。") == "李青山"
