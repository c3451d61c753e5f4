"""Question understanding against the regions, departments and years of the indexed reports."""
import pytest

from index.ingest import document_from_text
from qa.query import Gazetteer, analyse, department_aliases, region_aliases


def test_region_aliases_are_derived_not_listed():
    assert {"郴州市", "郴州"} <= region_aliases("郴州市")
    assert {"开封市示范区", "开封示范区", "示范区"} <= region_aliases("开封市示范区")
    assert {"岳阳县", "岳阳"} <= region_aliases("岳阳县")
    assert {"某某市高新区", "某某高新区", "高新区"} <= region_aliases("某某市高新区")


def test_region_aliases_from_the_divisions():
    assert region_aliases("云南省") == {"云南省", "云南"}
    assert {"大理白族自治州", "大理州", "大理"} <= region_aliases("大理白族自治州", ["云南省"])
    # a one-character stem has no short form
    assert "云" not in region_aliases("云县", ["云南省", "临沧市"])
    assert {"云县", "临沧市云县", "临沧云县"} <= region_aliases("云县", ["云南省", "临沧市"])
    # a town by its county, a district by its city (乐山市 + 市中区 -> 乐山市中区)
    assert {"凤山镇", "凤庆县凤山镇", "凤庆凤山镇"} <= region_aliases("凤山镇", ["云南省", "临沧市", "凤庆县"])
    assert {"市中区", "乐山市市中区", "乐山市中区"} <= region_aliases("市中区", ["四川省", "乐山市"])


def test_department_aliases_use_short_forms():
    assert {"临沧市人社局", "临沧人社局", "临沧市人力资源和社会保障局"} <= \
        department_aliases("临沧市人力资源和社会保障局", "临沧市", ["云南省"])
    assert {"云南交通厅", "云南省交通运输厅"} <= department_aliases("云南省交通运输厅", "云南省")


def test_places_and_years_match_indexed_reports(seed_docs):
    g = Gazetteer.from_documents(seed_docs)
    i = analyse("郴州2024年行政复议纠错率是多少", g)
    assert i.regions == ["郴州市"] and i.years == [2024]
    assert analyse("开封示范区听取法治建设汇报几次", g).regions == ["开封市示范区"]
    assert analyse("岳阳县有多少调解员", g).regions == ["岳阳县"]


def test_unknown_place_is_reported_but_mentioned_subplace_is_not(seed_docs):
    g = Gazetteer.from_documents(seed_docs)
    assert analyse("长沙市行政复议纠错率是多少", g).unknown_places == ["长沙市"]
    # 苏仙区 is not a report's region, but the 郴州 report talks about it
    i = analyse("苏仙区的工作法入选了什么案例", g)
    assert i.unknown_places == [] and i.regions == []
    # a province by its short form, named nowhere in the corpus
    assert analyse("云南2023年行政复议纠错率是多少", g).unknown_places == ["云南"]


def test_period_years_are_not_report_years(seed_docs):
    g = Gazetteer.from_documents(seed_docs)
    assert analyse("清理2019年以来制发的文件多少件", g).years == []
    assert analyse("郴州2019年新收复议申请多少件", g).years == [2019]


def test_place_suffix_goes_back_to_the_title():
    docs_region = Gazetteer({"郴州市": {"郴州市"}, "郴州": {"郴州市"}}, {"郴州市": ["d"]}, {"d": 2024},
                            {"d": "郴州市"}, "郴州市")
    i = analyse("郴州市长叫什么名字", docs_region)
    assert "市长" in i.focus


# ---- reports of every level, written for these tests (real places the development set does not use) ----------

def _report(first_line: str, body_words: str = "我市") -> str:
    return (f"{first_line}\n2023年,{body_words}坚持以习近平法治思想为指导,全面推进依法行政。\n"
            "一、主要工作\n全年办理行政复议案件45件,纠错率为11.1%。\n")


@pytest.fixture(scope="module")
def levels_gazetteer() -> Gazetteer:
    texts = {
        "yn": _report("云南省2023年法治政府建设情况报告", "全省"),
        "yn_jt": _report("云南省交通运输厅关于2023年度法治政府建设情况的报告", "我厅"),
        "lc": _report("临沧市人民政府关于2023年度法治政府建设情况的报告"),
        "lc_rs": _report("临沧市人力资源和社会保障局2023年法治政府建设工作报告", "我局"),
        "lc_hb": _report("临沧市生态环境局2023年度法治政府建设情况报告", "我局"),
        "yx": _report("云县人民政府关于2023年度法治政府建设情况的报告", "我县"),
        "fs": _report("凤庆县凤山镇人民政府2023年法治政府建设情况报告", "我镇"),
        "fx": _report("临沧市临翔区凤翔街道办事处2022年法治政府建设年度报告", "我街道"),
    }
    return Gazetteer.from_documents([document_from_text(t, k, f"{k}.txt") for k, t in texts.items()])


def _docs(g: Gazetteer, q: str) -> set[str]:
    return g.docs_for(analyse(q, g).regions)


@pytest.mark.parametrize("question, docs", [
    ("云南2023年行政复议纠错率是多少", {"yn"}),  # a province by its short name: its government's report
    ("云南交通厅2023年办理了多少件行政复议案件", {"yn_jt"}),  # a provincial department by short forms
    ("云南省交通运输厅行政复议纠错率", {"yn_jt"}),
    ("临沧市人社局行政复议纠错率是多少", {"lc_rs"}),  # a city bureau by its short form
    ("临沧人力资源和社会保障局办理了多少件行政复议案件", {"lc_rs"}),
    ("临沧市生态环境局纠错率", {"lc_hb"}),  # the bureau, not the city government
    ("临沧市2023年行政复议纠错率", {"lc"}),  # the place alone: its government's report
    ("云县行政复议纠错率", {"yx"}),  # a one-character stem
    ("凤山镇办理了多少件行政复议案件", {"fs"}),  # a town without its county
    ("凤庆县凤山镇行政复议纠错率", {"fs"}),  # … and with it
    ("凤庆凤山镇行政复议纠错率", {"fs"}),
    ("凤翔街道行政复议纠错率", {"fx"}),
    ("临翔区凤翔街道行政复议纠错率", {"fx"}),
])
def test_any_level_and_short_form_finds_the_report(levels_gazetteer, question, docs):
    assert _docs(levels_gazetteer, question) == docs
    assert analyse(question, levels_gazetteer).unknown_places == []


def test_detected_levels_of_the_written_reports(levels_gazetteer):
    g = levels_gazetteer
    assert g.departments == {"云南省交通运输厅", "临沧市人力资源和社会保障局", "临沧市生态环境局"}
    assert g.government_docs == {"yn", "lc", "yx", "fs", "fx"}


def test_a_place_with_only_department_reports():
    """A place named alone finds its departments' reports when it has no government report."""
    g = Gazetteer.from_documents([document_from_text(
        _report("临沧市生态环境局2023年度法治政府建设情况报告", "我局"), "hb", "hb.txt")])
    assert _docs(g, "临沧2023年行政复议纠错率") == {"hb"}


def test_a_place_no_report_covers_stays_unanswerable(levels_gazetteer):
    i = analyse("昆明市2023年行政复议纠错率是多少", levels_gazetteer)
    assert i.regions == [] and i.unknown_places == ["昆明市"]
    i = analyse("西藏2023年行政复议纠错率是多少", levels_gazetteer)
    assert i.regions == [] and i.unknown_places == ["西藏"]


def test_scope_prefers_the_department_or_the_government(tmp_path_factory, seed_index_dir, encoder):
    """QA._scope over a real index: the bureau's report for the bureau, the government's for the place."""
    from index.store import build_index, load_index
    from qa.engine import QA

    docs = [document_from_text(_report("临沧市人民政府关于2023年度法治政府建设情况的报告"), "lc", "lc.txt"),
            document_from_text(_report("临沧市生态环境局2023年度法治政府建设情况报告", "我局"), "hb", "hb.txt")]
    d = tmp_path_factory.mktemp("levels_index")
    build_index(docs, encoder, d, previous=load_index(seed_index_dir))
    qa = QA.load(d, encoder)
    assert qa._scope(analyse("临沧市生态环境局2023年行政复议纠错率", qa.gazetteer), None) == (["hb"], None)
    assert qa._scope(analyse("临沧2023年行政复议纠错率", qa.gazetteer), None) == (["lc"], None)
    assert qa._scope(analyse("临沧市生态环境局行政复议纠错率", qa.gazetteer), {"year": 2023}) == (["hb"], None)
    assert qa._scope(analyse("临沧2022年行政复议纠错率", qa.gazetteer), None)[0] == []


def test_question_core_reads_a_long_message_from_its_end():
    from qa.query import QUESTION_CORE_CHARS, question_core
    short = "青禾县2023年行政复议纠错率是多少"
    assert question_core(short) == short
    preamble = "我们单位最近在学习各地推进依法行政、规范执法和化解矛盾纠纷的做法,想做个对比。" * 4
    assert question_core(preamble + "请问" + short + "？") == "请问" + short + "？"
    # several short sentences that ask are kept together, up to the limit
    assert question_core(preamble + "我在青禾县。纠错率是多少？") == "我在青禾县。纠错率是多少？"
    assert len(question_core("法" * 600)) == QUESTION_CORE_CHARS

