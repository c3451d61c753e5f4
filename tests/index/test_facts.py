# ruff: noqa: E501  (the hand-checked sample holds one fact per line)
"""Facts read at index time (index/facts.py): a hand-checked sample of the seeds' facts, and the rules.

The sample below is every third fact the seeds give (100 of them), each checked by hand against its sentence
and labelled ``correct`` or ``wrong`` (with why). A fact is correct when its span is a figure the report states
as a result (not a target, a threshold, an ordinal, a date), its value and unit are read right (万 / 亿 applied),
its indicator says what the figure counts, its key (when it has one) is the right indicator and a change (同比下降)
is a change. The test re-extracts the facts and requires every sampled fact to come back exactly as checked —
a change to the extractor shows up here and its facts must be checked again — and the precision to be >= 0.95.

Columns: doc (first 3 characters of the seed's id), start, text, indicator, key (- none), kind, value, unit, label,
why (- for a correct one).
"""
from __future__ import annotations

import pytest

from index.facts import (
    FIGURE_RE,
    Fact,
    assign_key,
    extract_facts,
    figure_value,
    parse_keys,
    read_facts,
    sentence_figures,
)
from index.models import Document, ReportMeta
from index.passages import split_passages

SAMPLE = """\
000	316	82次	市委常委会全年学习研究党内法规	-	level	82	次	correct	-
000	620	11次	市委副书记、市长阚保勇主持召开市政府常务会	-	level	11	次	correct	-
000	762	6个	市直单位	-	level	6	个	correct	-
000	1045	12亿元	退税减税降费	-	level	1.2e+09	元	correct	-
000	1113	335项	首违和轻微违法行为	-	level	335	项	correct	-
000	1296	97.4%	信访事项一次性化解率	petition.resolution_rate	level	97.4	%	correct	-
000	1717	47个	明确具备制发行政规范性文件	-	level	47	个	correct	-
000	1822	77件	备案审查县市区政府规范性文件	normative.filed	level	77	件	correct	-
000	2092	716名	组织行政执法人员	-	level	716	名	correct	-
000	2246	30名	选聘郴州市行政执法监督员	-	level	30	名	correct	-
000	2426	1191条	发现执法问题	-	level	1191	条	correct	-
000	2691	449件	受理各类民商事案件	-	level	449	件	correct	-
000	2717	7.61亿元	涉案标的额	-	level	7.61e+08	元	correct	-
000	2764	610件	审结	review.closed	level	610	件	correct	-
000	2799	18.5%	纠错率	review.correction_rate	level	18.5	%	correct	-
000	2836	100%	行政机关负责人出庭应诉率	litigation.appearance_rate	level	100	%	correct	-
000	3023	11031件	公证案件	notary.cases	level	11031	件	correct	-
000	3090	36.2万余人次	服务群众	-	level	362000	人次	correct	-
001	200	140项	明确一般镇权力事项	power.items	level	140	项	correct	-
001	252	100%	各部门检查实施清单录入率和完备率	-	level	100	%	correct	-
001	320	88条	推出突破性	-	level	88	条	wrong	the label stops at 、: 88条 counts 提升举措, not 突破性
001	482	100%	办结率和满意率	-	level	100	%	correct	-
001	703	55个	全市农商行网点	-	level	55	个	correct	-
001	752	240个	成交项目	-	level	240	个	correct	-
001	979	39件	依法依规及时答复依申请公开	disclosure.requests	level	39	件	correct	-
001	1490	47家	实施主体	-	level	47	家	correct	-
001	1835	13件	制发市政府行政规范性文件	-	level	13	件	correct	-
001	1893	2批次	集中评查	-	level	2	批次	correct	-
001	1953	31件	行政规范性文件保留	-	level	31	件	correct	-
001	1975	124件	政策性文件保留	-	level	124	件	correct	-
001	2071	75件	镇级共审查文件	-	level	75	件	correct	-
001	2105	47件	参与处理行政复议、诉讼案件	-	level	47	件	correct	-
001	2431	320件	不予行政处罚	-	level	320	件	correct	-
001	2464	4件	不予行政强制	-	level	4	件	correct	-
001	2618	350余本	重点执法领域行政执法案卷	-	level	350	本	correct	-
001	2797	45个	裁量权基准	-	level	45	个	correct	-
001	2947	40580学时	学习	-	level	40580	学时	correct	-
001	3350	8个	设置个人调解工作室	-	level	8	个	correct	-
001	3802	121件	南通两级人民法院共受理亚洲通一审行政案件	litigation.cases	level	121	件	correct	-
001	3893	42件	分类分级制定《海安市突发事件总体应急预案》和市级专项预案	-	level	42	件	correct	-
001	4200	2次	市委主要领导主持召开市委依法治市委会议	-	level	2	次	correct	-
001	4500	6家	实地督察执法部门	-	level	6	家	correct	-
001	4692	59名	拟提拔任用科级领导干部	-	level	59	名	correct	-
002	350	7件	及时研究违章建筑强制拆除执法流程、法制审核人员不足问题等法治建设重大事项	-	level	7	件	correct	-
002	719	1000余个	梳理区、乡两级行政发文目录	-	level	1000	个	correct	-
002	894	100%	行政机关负责人出庭应诉率	litigation.appearance_rate	level	100	%	correct	-
002	1011	两个	针对我区败诉率较高的政务公开和征地拆迁方面	-	level	2	个	correct	-
002	1148	3次	行政执法案卷评查工作	-	level	3	次	correct	-
002	1327	1次	组织开展执法部门法制审核人员专题培训	-	level	1	次	correct	-
002	1458	6835余万元	涉及金额	-	level	6.835e+07	元	correct	-
002	1737	18.85万余条	上传数据	-	level	188500	条	correct	-
002	1816	200余家	实地走访辖区企业	-	level	200	家	correct	-
002	1959	1500余人次	解答来访、来电法律咨询	legal.consultations	level	1500	人次	correct	-
002	2079	180余场	开展各类宣传活动	law_education.events	level	180	场	correct	-
003	1174	2241项	入驻岳办岳好APP可办事项	-	level	2241	项	correct	-
003	1220	140762件	办理量	-	level	140762	件	correct	-
003	1288	100%	发布率	-	level	100	%	correct	-
003	1444	78项	又与山东等17省47县签订事项	-	level	78	项	correct	-
003	1682	137项	最终实现事项全面落地	-	level	137	项	correct	-
003	1768	25份	发布涉企经营许可事项告知书	-	level	25	份	correct	-
003	1810	59.37%	全县的行政许可承诺时限平均压缩比	-	level	59.37	%	correct	-
003	1850	265项	四级办理深度事项总数	-	level	265	项	correct	-
003	2254	29项	县政府常务会议涉法议题	-	level	29	项	correct	-
003	3275	39项	第一批下放乡镇行政执法权限	-	level	39	项	correct	-
003	3534	6家	关停环境违法企业	-	level	6	家	correct	-
003	3753	132家	农资经营门店	-	level	132	家	correct	-
003	3782	33起	查处案件	-	level	33	起	correct	-
003	3952	18家	涉及传染病防治立案警告处罚	-	level	18	家	correct	-
003	4029	1626人	取得了省政府印制	-	level	1626	人	wrong	the label is the verb phrase after the count: 1626人 are people holding enforcement certificates
003	4321	181条	以文字、图表、视频等形式解读一件事一次办、乡村振兴、医疗卫生、就业、优化营商环境等信息	-	level	181	条	correct	-
003	4364	18起	办理依法申请公开	-	level	18	起	correct	-
003	4555	27件	办结	review.closed	level	27	件	correct	-
003	4574	13件	撤销	review.corrected	level	13	件	correct	-
003	4671	5件	结案	-	level	5	件	correct	-
003	4695	1件	撤诉	-	level	1	件	correct	-
003	4993	100余条	通过微信公众号推送普法信息	-	level	100	条	correct	-
003	5232	776 件	调解矛盾纠纷	mediation.disputes	level	776	件	correct	-
003	5354	1个	建成县级公共法律服务中心	-	level	1	个	correct	-
004	395	12次	党组理论学习中心组开展集中学习	-	level	12	次	correct	-
004	546	4次	局党组开展专题研讨	-	level	4	次	correct	-
004	587	48场次	局属各支部开展集中学习研讨	-	level	48	场次	correct	-
004	622	130名	党员围绕学习	-	level	130	名	correct	-
004	743	16个	局属基层党支部标准化规范化建设均	-	level	16	个	correct	-
004	811	28个	具体问题	-	level	28	个	correct	-
004	1198	1件	预备提案项目	-	level	1	件	correct	-
004	1230	22件	市政府合同送审稿	-	level	22	件	correct	-
004	1464	1093个	自查发现问题	-	level	1093	个	correct	-
004	1511	15699名	全市考生	-	level	15699	名	correct	-
004	1578	152件	市县两级政府经复议后被诉一审案件	-	level	152	件	correct	-
004	1685	5800余场次	开展宣传活动	law_education.events	level	5800	场次	correct	-
004	2054	6个	走访调研企业	-	level	6	个	correct	-
004	2099	1200余家	开展律企共建、结对服务企业	-	level	1200	家	correct	-
004	2150	360余次	为企业开展法治体检	-	level	360	次	correct	-
004	2403	8120件	全系统累计办理法律援助案件	legal_aid.cases	level	8120	件	correct	-
004	2467	2.6万件	公证办案	notary.cases	level	26000	件	correct	-
004	2504	93.4%以上	接听率	-	level	93.4	%	correct	-
004	2546	2300余次	提供公益法律服务	-	level	2300	次	correct	-
004	2812	15533名	人民调解员	-	level	15533	名	correct	-
004	2851	97.5%	调处成功率	mediation.success_rate	level	97.5	%	correct	-
004	2905	2.3万名	安置帮教对象总体稳定	-	level	23000	名	correct	-
"""


def _sample() -> list[list[str]]:
    return [line.split("\t") for line in SAMPLE.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def seed_facts(seed_docs) -> list[Fact]:
    return extract_facts(seed_docs, [p for d in seed_docs for p in split_passages(d, 320)])


def test_hand_checked_sample_precision(seed_facts):
    by_pos = {(f.doc_id[:3], f.start): f for f in seed_facts}
    rows = _sample()
    assert len(rows) == 100
    for doc, start, text, indicator, key, kind, value, unit, label, why in rows:
        f = by_pos.get((doc, int(start)))
        assert f is not None, f"the sampled fact {doc}:{start} {text} is no longer extracted: check the sample again"
        got = (f.text, f.indicator, f.key or "-", f.kind, f.unit)
        assert got == (text, indicator, key, kind, unit), f"{doc}:{start} changed: {got}; check the sample again"
        assert f.value == pytest.approx(float(value))
        assert label in ("correct", "wrong") and (label == "correct" or why != "-")
    precision = sum(r[8] == "correct" for r in rows) / len(rows)
    assert precision >= 0.95


def test_every_seed_fact_cites_its_span(seed_docs, seed_facts):
    docs = {d.doc_id: d for d in seed_docs}
    assert len(seed_facts) > 200
    for f in seed_facts:
        text = docs[f.doc_id].clean_text
        assert text[f.start:f.end] == f.text
        assert f.sentence_start <= f.start < f.end <= f.sentence_end
        assert f.region == docs[f.doc_id].meta.region and f.parents == docs[f.doc_id].meta.parents


def _figures(sent: str) -> list[tuple[str, str, float, str, str, str | None]]:
    return [(sent[f.start:f.end], f.indicator, f.value, f.unit, f.kind, f.direction) for f in sentence_figures(sent)]


def test_respectively_list_gives_each_item_its_change():
    got = _figures("全年交通事故起数和受伤人数分别下降12%、9.5%。")
    assert got == [("12%", "交通事故起数", 12.0, "%", "change", "down"),
                   ("9.5%", "受伤人数", 9.5, "%", "change", "down")]


def test_change_after_a_level_takes_its_indicator():
    got = _figures("案卷优秀率为81.2%，较上年提高4.5个百分点。")
    assert got[0][:5] == ("81.2%", "案卷优秀率", 81.2, "%", "level")
    assert got[1] == ("4.5个百分点", "案卷优秀率", 4.5, "个百分点", "change", "up")


def test_magnitudes_and_qualifiers():
    figs = sentence_figures("接待群众法律咨询3.4万人次，挽回经济损失约2.6亿元，培训调解员1200余名。")
    assert [(f.value, f.unit, f.qualifier) for f in figs] == [(34000.0, "人次", None), (260000000.0, "元", "约"),
                                                               (1200.0, "名", "余")]


def test_not_figures_years_ordinals_names_durations_requirements():
    sent = ("2023年召开第3次全体会议，印发《三年行动计划（2023—2025年）》和“一件事一次办”清单，"
            "审批时限压缩至2个工作日，课程不少于12学时，收到申请48件。")
    assert _figures(sent) == [("48件", "收到申请", 48.0, "件", "level", None)]


def test_list_items_after_a_noun_read_their_own_words():
    got = _figures("抽查8个部门和5个乡镇的执法案卷211件。")
    assert [(t, i) for t, i, *_ in got] == [("8个", "抽查部门"), ("5个", "乡镇"), ("211件", "执法案卷")]


def test_plan_and_problem_sections_state_no_facts():
    text = ("青川县2024年法治政府建设情况报告\n一、主要工作\n全年办理法律援助案件318件。\n二、存在的问题\n"
            "有3个乡镇未配备法律顾问。\n三、2025年工作安排\n计划开展普法活动200场。")
    doc = Document("qc", "qc.txt", text, ReportMeta(region="青川县", year=2024, level="county"))
    facts = extract_facts([doc], split_passages(doc, 320))
    assert [(f.text, f.key, f.year) for f in facts] == [("318件", "legal_aid.cases", 2024)]


def test_a_year_opening_the_clause_is_the_facts_year():
    doc = Document("y", "y.txt", "一、主要工作\n2022年，新收行政复议申请60件。今年受理行政复议申请75件。",
                   ReportMeta(region="某县", year=2023))
    assert [(f.text, f.year) for f in extract_facts([doc], split_passages(doc, 320))] == [("60件", 2022),
                                                                                          ("75件", 2023)]


def test_keys_let_synonyms_meet():
    assert assign_key("直接纠错率", "", "%")[0] == "review.correction_rate"
    assert assign_key("新收复议申请", "", "件") == ("review.applications", 2)
    assert assign_key("收到", "全县行政复议机构|", "件") == ("review.applications", 1)
    assert assign_key("审结", "全县行政复议机构收到复议申请89件|", "件")[0] == "review.closed"
    assert assign_key("纠错率", "", "件")[0] is None  # a rate's key never takes a count
    assert assign_key("法律援助值班律师", "", "人")[0] is None


def test_keys_file_errors_name_the_line():
    with pytest.raises(ValueError, match="line 2"):
        parse_keys("# comment\nbroken-row-without-columns\n")
    keys = parse_keys("x.rate\t某率\t%\t某率|某比例\t\t\t某某比例\n")
    assert keys[0].own == ("某率", "某比例") and keys[0].asked == ("某某比例",)
    assert assign_key("全年某比例", "", "%", keys) == ("x.rate", 2)


def test_figure_value_reads_chinese_numerals():
    m = FIGURE_RE.search("建成十二个工作站")
    assert m is not None and figure_value(m) == (12.0, "个", None)


def test_facts_are_stored_with_the_index(small_seed_index_dir):
    from index.ingest import load_document
    from index.store import current_build, load_index

    idx = load_index(small_seed_index_dir)
    stored = read_facts(current_build(small_seed_index_dir))
    assert stored is not None and len(stored) > 50
    fresh = extract_facts(idx.doc_list, idx.passages)
    assert [(f.doc_id, f.start, f.text, f.key) for f in stored] == [(f.doc_id, f.start, f.text, f.key) for f in fresh]
    assert load_document  # the index was built from the seed files by tests/conftest.py
