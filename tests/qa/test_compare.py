"""Comparative questions (qa/compare.py) over made-up reports: seven reports of made-up places of a made-up
province (eval/compare_reports/, written for the comparison eval), indexed for real and asked through QA.ask.

Every row must cite a span of its report that slices back to the figure, the conclusion's figures must be the
rows' own (or their difference), places without the figure are listed as missing, and ordinary questions are
never taken for comparisons.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow  # builds an index of seven reports (module fixture)
REPORTS = ROOT / "eval" / "compare_reports"


@pytest.fixture(scope="module")
def cmp_qa(tmp_path_factory, encoder):
    from index.ingest import load_folder
    from index.store import build_index
    from qa.engine import QA

    index_dir = tmp_path_factory.mktemp("compare_index")
    build_index(load_folder(REPORTS), encoder, index_dir, sentence_vectors=False)
    return QA.load(index_dir, encoder)


def _ask(qa, q: str, **kw):
    r = qa.ask(q, **kw)
    c = getattr(r, "comparison", None)
    assert c is not None, f"{q!r} was not read as a comparison"
    for row in c.rows:  # every row cites its own figure
        text = qa.index.documents[row.doc_id].clean_text
        assert text[row.start:row.end] == row.text
        assert text[row.sentence_start:row.sentence_end] == row.sentence
    for a in r.answers:
        assert qa.index.documents[a.citation.doc_id].clean_text[a.citation.start:a.citation.end] == a.text
    return r, c


def _rows(c) -> list[tuple[str, int | None, str]]:
    return [(r.region, r.year, r.text) for r in c.rows]


def _missing(c) -> dict[str, str]:
    return {m.region: m.reason for m in c.missing}


def test_highest_rate_ranks_every_place_and_lists_the_missing(cmp_qa):
    r, c = _ask(cmp_qa, "哪个地方行政复议纠错率最高")
    assert c.mode == "superlative" and c.keys == ["review.correction_rate"] and c.unit == "%"
    assert _rows(c) == [("青禾市", 2024, "19.6%"), ("云溪市", 2024, "16.0%"), ("柳塘县", 2024, "15.0%"),
                        ("石岭市", 2024, "12.5%")]
    assert [row.rank for row in c.rows] == [1, 2, 3, 4]
    assert _missing(c) == {"墨川市": "报告未给出该数据"}
    assert r.answer == c.conclusion and "青禾市" in r.answer and "19.6%" in r.answer


def test_lowest_among_cities_only(cmp_qa):
    _, c = _ask(cmp_qa, "岚江省哪个市法律援助案件最少")
    assert c.order == "asc"
    assert _rows(c) == [("石岭市", 2024, "1876件"), ("云溪市", 2024, "2154件"), ("青禾市", 2024, "1.2万件")]
    assert c.rows[-1].value == 12000  # 1.2万件, compared as 12000
    assert _missing(c) == {"墨川市": "报告未给出该数据"}  # counties (柳塘县, 桐岸县) are not cities
    assert c.conclusion.startswith("法律援助案件最少的是石岭市")


def test_each_place_for_a_year_includes_a_departments_report(cmp_qa):
    _, c = _ask(cmp_qa, "2024年各地法律援助案件数")
    assert c.mode == "all"
    assert [row.region for row in c.rows] == ["青禾市", "云溪市", "石岭市", "柳塘县", "桐岸县"]
    assert ("桐岸县", 2024, "212件") in _rows(c)  # 桐岸县司法局's report: the only one of the county
    assert "墨川市" in _missing(c)


def test_compare_two_places_in_the_order_named_with_synonyms_meeting(cmp_qa):
    _, c = _ask(cmp_qa, "比较云溪市和青禾市的行政复议申请")
    assert c.mode == "compare" and c.order == "document"
    # 云溪市 writes 新收行政复议申请, 青禾市 收到行政复议申请: one key
    assert _rows(c) == [("云溪市", 2024, "526件"), ("青禾市", 2024, "318件")]
    assert "最多的是云溪市" in c.conclusion


def test_difference_of_rates_is_in_percentage_points(cmp_qa):
    _, c = _ask(cmp_qa, "青禾的纠错率比石岭高多少")
    assert c.mode == "difference" and c.difference == pytest.approx(7.1)
    assert c.conclusion.endswith("高7.1个百分点")


def test_difference_of_counts_across_magnitudes(cmp_qa):
    _, c = _ask(cmp_qa, "云溪比青禾多办理多少法律援助案件")
    assert c.difference == pytest.approx(2154 - 12000)
    assert "少9846件" in c.conclusion


def test_threshold_keeps_the_places_over_the_line(cmp_qa):
    _, c = _ask(cmp_qa, "行政机关负责人出庭应诉率超过95%的有哪些地方")
    assert c.mode == "threshold" and c.threshold == 95
    assert sorted(_rows(c)) == [("云溪市", 2024, "98.7%"), ("柳塘县", 2024, "100%"), ("青禾市", 2024, "100%")]
    assert all(row.value > 95 for row in c.rows)


def test_two_years_of_one_place(cmp_qa):
    _, c = _ask(cmp_qa, "云溪市2023年和2024年的纠错率分别是多少")
    assert _rows(c) == [("云溪市", 2023, "14.7%"), ("云溪市", 2024, "16.0%")]


def test_units_that_differ_are_not_compared(cmp_qa):
    _, c = _ask(cmp_qa, "各地法治体检情况")
    assert _rows(c) == [("云溪市", 2024, "120次")]
    assert _missing(c)["青禾市"].startswith("单位不同(86家)")


def test_a_change_is_not_a_level(cmp_qa):
    r, c = _ask(cmp_qa, "各地死亡人数情况")  # 死亡人数 only appears as a change (分别下降12%、15%)
    assert c.rows == [] and r.answer is None and r.reason == c.conclusion


def test_filters_restrict_the_year(cmp_qa):
    _, c = _ask(cmp_qa, "各地法律援助案件数", filters={"year": 2023})
    assert _rows(c) == [("云溪市", 2023, "1733件")]


def test_conclusion_states_only_cited_figures(cmp_qa):
    for q in ("哪个地方普法活动最多", "各地调解矛盾纠纷数", "比较石岭和墨川的出庭应诉率", "哪个地方行政诉讼败诉率最低"):
        _, c = _ask(cmp_qa, q)
        cited = {row.text for row in c.rows}
        for figure in re.findall(r"\d+(?:\.\d+)?(?:万)?[件场次%人]", c.conclusion):
            assert figure in cited, (q, figure, c.conclusion)


def test_ordinary_questions_are_not_comparisons(cmp_qa, seeds_dir):
    from qa.compare import read_intent
    from qa.facts import fact_table

    r = cmp_qa.ask("云溪市2024年办理法律援助案件多少件")
    assert getattr(r, "comparison", None) is None
    table = fact_table(cmp_qa.index)
    questions = [json.loads(line)["question"] for line in (ROOT / "eval" / "questions.jsonl").open(encoding="utf-8")]
    assert len(questions) > 100
    assert [q for q in questions if read_intent(q, table) is not None] == []


def test_comparative_words_inside_an_ordinary_question(cmp_qa):
    """第一 of 第一责任人 ranks nothing, 各县区 after a verb is what the report speaks of, and a question about one
    place that finds nothing to compare is answered from that place's report."""
    from qa.compare import read_intent
    from qa.facts import fact_table

    table = fact_table(cmp_qa.index)
    for q in ("云溪市由谁带头履行推进法治建设第一责任人职责", "青禾市2024年组织各县区对照多少项指标开展示范创建",
              "石岭市给各县区分管法治的人员办了什么培训班"):
        assert read_intent(q, table) is None, q
    for q, mode in (("哪个地方法律援助案件排名第一", "superlative"), ("青禾市的各县区法律援助案件数", "all"),
                    ("请问各地行政诉讼败诉率", "all"), ("2024年各地法律援助案件数", "all")):
        intent = read_intent(q, table)
        assert intent is not None and intent.mode == mode, q
    r = cmp_qa.ask("云溪市法律援助覆盖率低于90%要求的是哪些县区")  # reads as a threshold, but one place, no figure
    assert getattr(r, "comparison", None) is None and r.query is not None


def test_development_reports_answer_consistently():
    """../shared/dev/reports (read here, never copied), when present: every indicator asked as 各地… over their
    facts gives rows whose spans slice back, whose values re-read from their own text, in one unit family,
    one per place, ranked by value."""
    from eval.compare import DEV, dev_consistency

    if not DEV.is_dir():
        pytest.skip(f"no development reports at {DEV}")
    r = dev_consistency(DEV)
    assert r["reports"] >= 50 and r["questions"] >= 3
    assert r["rows_slice_back"] == r["rows_value_rereads"] == r["rows"]
    assert r["questions_consistent"] == r["questions"]


@pytest.mark.parametrize("q", ["云溪市和青禾市哪个行政复议申请多", "云溪市和青禾市哪个的行政复议申请更多一些？"])
def test_which_of_two_places_is_a_comparison(cmp_qa, q):
    """A和B哪个X多: two places named and the indicator between 哪个 and the comparing word."""
    _, c = _ask(cmp_qa, q)
    assert c.mode == "compare"
    assert _rows(c) == [("云溪市", 2024, "526件"), ("青禾市", 2024, "318件")]
    assert "最多的是云溪市" in c.conclusion
