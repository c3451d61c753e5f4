"""End-to-end question answering over the real seed index: exact spans, citations, abstention."""
import pytest
from conftest import assert_cited

from qa.engine import QuestionError

SEED_CASES = [
    # (question, expected answer, region of the cited report)
    ("郴州行政复议纠错率是多少", "18.5%", "郴州市"),
    ("郴州市2024年法律援助案件办了多少件", "8185件", "郴州市"),
    ("郴州的法律援助案件数", "8185件", "郴州市"),  # a number named at the end, no 多少: a count, not a clause
    ("郴州市委书记是谁", "吴巨培", "郴州市"),
    ("郴州出台的规范涉企行政执法检查的文件叫什么", "《郴州市进一步规范涉企行政执法检查的若干规定》", "郴州市"),
    ("海安市行政复议申请收到了多少件", "136件", "海安市"),
    ("海安政务公开发布信息多少条", "13333条", "海安市"),
    ("开封示范区法律援助案件多少件", "620件", "开封市示范区"),
    ("开封示范区排查化解矛盾纠纷多少件", "4454件", "开封市示范区"),
    ("岳阳县人民调解成功率是多少", "99.9%", "岳阳县"),
    ("岳阳县2021年受理了多少件行政复议案件", "37件", "岳阳县"),
    ("邵阳市12348热线回访满意率", "99.5%", "邵阳市"),
    ("邵阳全市人民调解委员会有多少个", "3933个", "邵阳市"),
]

PARAPHRASES = [
    ("郴州行政复议案子被纠正的比例是多少", "18.5%"),
    ("邵阳政府复议后被起诉的官司输了多少件", "11件"),
    ("岳阳县负责人出庭的比例是多少", "100%"),
]


@pytest.mark.parametrize("question,expected,region", SEED_CASES)
def test_seed_answers_with_exact_citation(seed_qa, question, expected, region):
    r = seed_qa.ask(question)
    assert r.answer == expected, (r.answer, r.reason, [a.text for a in r.answers])
    assert r.answers[0].citation.region == region
    assert_cited(seed_qa, r)
    assert r.passages and r.passages[0].rank == 1


@pytest.mark.parametrize("question,expected", PARAPHRASES)
def test_paraphrases(seed_qa, question, expected):
    r = seed_qa.ask(question)
    assert r.answer == expected, (r.answer, [a.text for a in r.answers])
    assert_cited(seed_qa, r)


def test_example_question_cites_the_exact_characters(seed_qa):
    r = seed_qa.ask("郴州行政复议纠错率是多少")
    c = r.answers[0].citation
    doc = seed_qa.index.documents[c.doc_id]
    assert doc.clean_text[c.start:c.end] == "18.5%"
    assert "已审结的案件中,纠错113件,纠错率为18.5%" in r.answers[0].sentence
    assert c.title and c.year == 2024 and c.passage_id.startswith(c.doc_id)


@pytest.mark.parametrize("question,why", [
    ("长沙市2024年行政复议纠错率是多少", "长沙市"),
    ("郴州2018年行政复议纠错率是多少", "2018"),
    ("岳阳县2024年办理法律援助案件多少件", "2024"),
])
def test_abstains_on_places_and_years_not_covered(seed_qa, question, why):
    r = seed_qa.ask(question)
    assert r.answer is None and r.answers == []
    assert why in r.reason


@pytest.mark.parametrize("question", [
    "郴州市2024年行政复议案件平均审理天数是多少天",
    "海安市行政复议纠错率是多少",  # the report gives other rates only (报备率、规范率均达100%)
])
def test_abstains_when_the_reports_do_not_say(seed_qa, question):
    r = seed_qa.ask(question)
    assert r.answer is None and r.reason, r.answer
    assert r.passages, "retrieved passages are still returned"


def test_a_long_message_is_answered_from_the_question_it_ends_with(seed_qa):
    preamble = "我们单位最近在学习各地推进依法行政、规范执法和化解矛盾纠纷的做法，想做一个对比分析。" * 5
    short = seed_qa.ask("郴州行政复议纠错率是多少")
    long = seed_qa.ask(preamble + "请问郴州行政复议纠错率是多少？")
    assert long.answer == short.answer == "18.5%"
    assert long.question.startswith(preamble)  # the response echoes the message as sent
    assert long.answers[0].citation == short.answers[0].citation


def test_no_place_question_finds_the_only_report(seed_qa):
    r = seed_qa.ask("“岳办岳好”APP上可以办理多少项事项")
    assert r.answers and r.answers[0].citation.region == "岳阳县"
    assert_cited(seed_qa, r)


def test_filters_restrict_reports(seed_qa):
    r = seed_qa.ask("行政复议纠错率是多少", filters={"region": "郴州"})
    assert r.answer == "18.5%"
    assert all(p.region == "郴州市" for p in r.passages)
    r = seed_qa.ask("行政复议纠错率是多少", filters={"year": 2019})
    assert r.answer is None and "2019" in r.reason


def test_search_returns_ranked_passages_with_offsets(seed_qa):
    ps = seed_qa.search("法律援助", top_k=7)
    assert [p.rank for p in ps] == list(range(1, 8))
    for p in ps:
        assert seed_qa.index.documents[p.doc_id].clean_text[p.start:p.end] == p.text


@pytest.mark.parametrize("question,top_k", [("", 5), ("   ", 5), ("问" * 501, 5), ("纠错率", 0), ("纠错率", 51)])
def test_bad_questions_are_refused(seed_qa, question, top_k):
    with pytest.raises(QuestionError):
        seed_qa.ask(question, top_k=top_k)


MADEUP_CASES = [
    ("云溪市行政复议纠错率是多少", "14.7%"),
    ("云溪2023年收到多少件行政复议申请", "438件"),
    ("云溪市长是谁", "林若溪"),
    ("云溪的市委书记叫什么名字", "周文澜"),
    ("云溪市败诉率是多少", "4.3%"),
    ("云溪市制定了什么执法案卷评查的办法", "《云溪市行政执法案卷评查办法》"),
    ("云溪帮群众挽回了多少钱", "2360万元"),
    ("云溪市政府当被告的官司有多少件", "211件"),
    ("云溪市审结行政复议案件多少件", "389件"),
    ("云溪有多少持证执法人员", "2875人"),
    # 挂牌为|什么 asks what it became (no 为什么); how many there are is no part of the name
    ("云溪市2023年青峰书院等9处被新挂牌为什么", "市级廉洁文化教育基地"),
    # a figure after 其中 is a part: a total asked takes the whole, the part named takes the part
    ("云溪市便民服务站和服务点一共办了多少件事", "8642件"),
    ("云溪市网上办件多少件", "3117件"),
    # the page's own fields (来源, 发布时间) follow the body as lines of their own: answered and cited
    ("云溪市2023年法治政府建设年度报告是哪天发布的", "2024-01-20"),
    ("云溪市这份法治政府建设报告的来源是哪个部门", "市司法局"),
]


@pytest.mark.parametrize("question,expected", MADEUP_CASES)
def test_a_report_written_for_the_test(madeup_qa, question, expected):
    r = madeup_qa.ask(question)
    assert r.answer == expected, (r.answer, r.reason, [a.text for a in r.answers])
    assert r.answers[0].citation.doc_id == "yunxi_2023"
    assert_cited(madeup_qa, r)


def test_madeup_report_metadata_and_scope(madeup_qa):
    m = madeup_qa.index.documents["yunxi_2023"].meta
    assert (m.region, m.year, m.issuer, m.published) == ("云溪市", 2023, "云溪市人民政府", "2024-01-20")
    assert madeup_qa.ask("云溪2021年行政复议纠错率").answer is None
    # the seeds still answer next to it
    assert madeup_qa.ask("郴州行政复议纠错率是多少").answer == "18.5%"


MADEUP_2_CASES = [
    ("石门县县长是谁", "赵德明"),
    ("石门县委书记叫什么", "王建国"),
    ("石门县政务服务网上可办率是多少", "98.5%"),
    ("石门县避免了多少经济损失", "约1.35亿元"),
    ("石门县案卷评查优秀率比上年提高了多少", "6.8个百分点"),
    ("石门县行政复议直接纠错率", "16.9%"),
    ("石门县负责人出庭应诉了多少件", "61件"),
    ("石门县下一步要推进落实什么办法", "《石门县行政执法协调监督工作办法》"),
    ("石门县存在的问题是什么", "部分乡镇执法力量薄弱"),
    # the unit and noun asked (个 领域) beside a figure of another unit (97项) that counts the offences
    ("石门县有多少个领域的轻微违法行为推行首违不罚", "8个领域"),
]


@pytest.mark.parametrize("question,expected", MADEUP_2_CASES)
def test_a_second_report_in_another_style(madeup_qa, question, expected):
    r = madeup_qa.ask(question)
    assert r.answer == expected, (r.answer, r.reason, [a.text for a in r.answers])
    assert r.answers[0].citation.doc_id == "shimen_2022"
    assert_cited(madeup_qa, r)
    m = madeup_qa.index.documents["shimen_2022"].meta
    assert (m.region, m.year, m.issuer) == ("石门县", 2022, "石门县人民政府")


# every answer type on a county bureau's report written for the test (answers as a reader would cite them)
MADEUP_3_CASES = [
    ("岚溪县市场监管局2024年办理了多少件行政处罚案件", "326件"),
    ("岚溪县市场监管局2024年一般程序案件有多少件", "208件"),
    ("岚溪县市场监管局罚没款一共多少钱", "412万元"),
    ("岚溪县市场监管局2024年法治建设报告的文号是什么", "岚市监发〔2025〕4号"),
    ("岚溪县市场监管局的报告是报给哪个机关的", "县人民政府"),
    ("岚溪县市场监管局的报告是哪天落款的", "2025年1月20日"),
    ("《岚溪县食品安全监督管理办法》从什么时候开始施行", "2024年6月1日"),
    ("岚溪县市场监管局召开的是第几次党组会议", "第五次"),
    ("岚溪县市场监管局在全县考核中排第几", "全县第2名"),
    ("岚溪县开办企业要几个工作日", "1个工作日"),
    ("岚溪县市场监管局被评为什么", "“全省市场监管系统法治建设先进单位”"),
    ("岚溪县市场监管局法治建设领导小组组长由谁担任", "局长"),
    ("岚溪县市场监管局法治建设领导小组办公室设在哪个股", "局法规股"),
    ("岚溪县市场监管局修订了什么重大行政决策的规定", "《岚溪县市场监督管理局重大行政决策程序规定》"),
    ("岚溪县市场监管局执法大队和哪两个部门联合执法", "县公安局、县农业农村局"),
    # what is counted is named only by the short lead sentence before the figures (二是做好行政应诉工作。)
    ("岚溪县市场监管局2024年审结行政应诉案件多少件", "7件"),
]


@pytest.mark.parametrize("question,expected", MADEUP_3_CASES)
def test_every_answer_type_on_a_bureau_report(madeup_qa, question, expected):
    r = madeup_qa.ask(question)
    assert r.answer is not None, (r.reason, r.query.regions if r.query else None)
    from eval.metrics import normalize
    assert normalize(r.answer) == normalize(expected), (r.answer, [a.text for a in r.answers])
    assert r.answers[0].citation.doc_id == "lanxi_scjg_2024"
    assert_cited(madeup_qa, r)


@pytest.mark.parametrize("question", [
    "岚溪县市场监管局2024年办理了多少件行政复议案件",  # the report gives no such figure
    "岚溪县市场监管局2024年行政诉讼败诉率是多少",  # nor a rate of lost lawsuits
    "岚溪县市场监管局2021年办理了多少件行政处罚案件",  # a year it does not cover
])
def test_facts_the_bureau_report_lacks_are_not_answered(madeup_qa, question):
    assert madeup_qa.ask(question).answer is None


def test_a_year_only_a_later_report_tells_of(madeup_qa):
    """岚溪's only report is of 2024; it says how 2023 was rated, and nothing else of 2023 or of 2022."""
    r = madeup_qa.ask("岚溪县市场监督管理局2023年法治建设绩效考核得了多少分")
    assert r.answer == "96.5分", (r.answer, r.reason)
    assert "2023年" in r.answers[0].sentence and r.answers[0].citation.doc_id == "lanxi_scjg_2024"
    # a year no sentence names stays unanswered, though the place's report is there
    r = madeup_qa.ask("岚溪县市场监督管理局2022年办理行政处罚案件多少件")
    assert r.answer is None and r.passages == [] and "2022" in r.reason, (r.answer, r.reason)
    assert madeup_qa.ask("岚溪县市场监督管理局2023年办理行政处罚案件多少件").answer is None


def test_explain_sees_the_year_a_later_report_tells_of(madeup_qa):
    """`qa explain` and the scorer's fit rows see what /ask answers from: for a year only a later report tells of,
    the candidates are those of sentences that name the year."""
    _asked, cands = madeup_qa.candidates("岚溪县市场监督管理局2023年法治建设绩效考核得了多少分")
    assert cands and all("2023年" in c.sentence.text for c in cands)
    assert "96.5分" in [c.text for c in cands]
    _asked, cands = madeup_qa.candidates("岚溪县市场监督管理局2022年办理行政处罚案件多少件")
    assert cands == []
