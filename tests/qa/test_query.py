"""Question understanding against the regions and years of the indexed reports."""
from qa.query import Gazetteer, analyse, question_kind, region_aliases, unit_hint


def test_region_aliases_are_derived_not_listed():
    assert {"郴州市", "郴州"} <= region_aliases("郴州市")
    assert {"开封市示范区", "开封示范区", "示范区"} <= region_aliases("开封市示范区")
    assert {"岳阳县", "岳阳"} <= region_aliases("岳阳县")
    assert {"某某市高新区", "某某高新区", "高新区"} <= region_aliases("某某市高新区")


def test_places_and_years_match_indexed_reports(seed_docs):
    g = Gazetteer.from_documents(seed_docs)
    i = analyse("郴州2024年行政复议纠错率是多少", g)
    assert i.regions == ["郴州市"] and i.years == [2024] and i.kind == "quantity" and i.unit_hint == "%"
    assert analyse("开封示范区听取法治建设汇报几次", g).regions == ["开封市示范区"]
    assert analyse("岳阳县有多少调解员", g).regions == ["岳阳县"]


def test_unknown_place_is_reported_but_mentioned_subplace_is_not(seed_docs):
    g = Gazetteer.from_documents(seed_docs)
    assert analyse("长沙市行政复议纠错率是多少", g).unknown_places == ["长沙市"]
    # 苏仙区 is not a report's region, but the 郴州 report talks about it
    i = analyse("苏仙区的工作法入选了什么案例", g)
    assert i.unknown_places == [] and i.regions == []


def test_period_years_are_not_report_years(seed_docs):
    g = Gazetteer.from_documents(seed_docs)
    assert analyse("清理2019年以来制发的文件多少件", g).years == []
    assert analyse("郴州2019年新收复议申请多少件", g).years == [2019]


def test_place_suffix_goes_back_to_the_title():
    docs_region = Gazetteer({"郴州市": {"郴州市"}, "郴州": {"郴州市"}}, {"郴州市": ["d"]}, {"d": 2024},
                            {"d": "郴州市"}, "郴州市")
    i = analyse("郴州市长叫什么名字", docs_region)
    assert "市长" in i.focus and i.kind == "person"


def test_kinds_and_units():
    assert question_kind("市委书记是谁") == "person"
    assert question_kind("办理法律援助案件多少件") == "quantity"
    assert question_kind("印发了什么清单") == "named"
    assert question_kind("采取了哪些措施") == "open"
    assert unit_hint("办理法律援助案件多少件") == ("件", 1.0)
    assert unit_hint("败诉率是多少")[0] == "%"
    assert unit_hint("被纠正的比例有多高")[0] == "%"
    assert unit_hint("一共花了多少钱")[0] == "元"
