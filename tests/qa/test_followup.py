"""Follow-up questions (qa/followup.py) read against a real gazetteer: the seed reports and the made-up ones.

No index is built: the gazetteer comes from the documents (regions, years, aliases), as QA builds it."""
from __future__ import annotations

import pytest
from madeup import MADEUP_REPORT, MADEUP_REPORT_2, MADEUP_REPORT_3

from qa.followup import ConversationState, read_turn, resolve, resolve_turn

Q = "云溪市2023年行政复议纠错率是多少"


@pytest.fixture(scope="module")
def gaz(seed_docs):
    from index.ingest import document_from_text
    from qa.query import Gazetteer

    docs = [document_from_text(MADEUP_REPORT, "yunxi_2023", "yunxi_2023.txt"),
            document_from_text(MADEUP_REPORT_2, "shimen_2022", "shimen_2022.txt"),
            document_from_text(MADEUP_REPORT_3, "lanxi_scjg_2024", "lanxi_scjg_2024.txt")]
    return Gazetteer.from_documents(seed_docs + docs)


def test_a_turn_is_read_into_place_year_and_indicator(gaz):
    t = read_turn(Q, gaz)
    assert (t.place, t.year, t.indicator, t.asks) == ("云溪市", 2023, "行政复议纠错率", "是多少")
    assert not t.elliptic and not t.compare
    t = read_turn("那郴州呢？", gaz)
    assert (t.place, t.year, t.indicator, t.elliptic) == ("郴州", None, "", True)
    t = read_turn("和海安比呢?", gaz)
    assert (t.place, t.indicator, t.compare) == ("海安", "", True)
    t = read_turn("去年呢", gaz)
    assert (t.place, t.relative_year, t.indicator) == (None, -1, "")
    t = read_turn("败诉率呢？", gaz)
    assert (t.place, t.indicator, t.elliptic) == (None, "败诉率", True)


@pytest.mark.parametrize("previous, turn, expected", [
    # a new place: the question before, at that place (its year dropped: 郴州 has no 2023 report)
    ([Q], "那郴州呢？", "郴州行政复议纠错率是多少"),
    ([Q], "岳阳县的呢", "岳阳县行政复议纠错率是多少"),
    # a new place that has a report of the year asked keeps the year
    (["郴州2024年行政复议纠错率是多少"], "邵阳呢", "邵阳2024年行政复议纠错率是多少"),
    # a new year, replacing the year before or put after the place
    ([Q], "2022年呢？", "云溪市2022年行政复议纠错率是多少"),
    (["云溪市行政复议纠错率是多少"], "2022年呢？", "云溪市2022年行政复议纠错率是多少"),
    ([Q], "去年呢？", "云溪市2022年行政复议纠错率是多少"),
    # a new indicator at the place and year before
    ([Q], "败诉率呢？", "云溪市2023年败诉率是多少"),
    ([Q], "那行政机关负责人出庭应诉率呢", "云溪市2023年行政机关负责人出庭应诉率是多少"),
    ([Q], "审结了多少件呢", "云溪市2023年审结了多少件"),
    # a comparison with the place before
    ([Q], "和郴州比呢？", "比较云溪市和郴州的行政复议纠错率"),  # no 2023 report of 郴州: the latest of each
    (["郴州2024年行政复议纠错率是多少"], "和邵阳比呢？", "比较郴州和邵阳2024年的行政复议纠错率"),
    (["云溪市行政复议纠错率是多少"], "跟海安相比呢", "比较云溪市和海安的行政复议纠错率"),
    # a place no report covers is still carried (and the service says it has no report of it)
    ([Q], "长沙呢", "长沙行政复议纠错率是多少"),
    # the state runs through the whole conversation
    ([Q, "败诉率呢"], "那郴州呢", "郴州败诉率是多少"),
    ([Q, "那郴州呢", "2024年呢"], "败诉率呢", "郴州2024年败诉率是多少"),
])
def test_follow_ups_take_what_they_lack_from_the_turns_before(gaz, previous, turn, expected):
    r = resolve(previous, turn, gaz)
    assert r.question == expected
    assert r.followup and r.original == turn


@pytest.mark.parametrize("previous, turn", [
    ([], "那郴州呢？"),  # nothing before: asked as it is
    ([Q], "海安2023年受理了多少件行政复议申请"),  # a place and what is asked: stands on its own
    ([Q], "郴州行政复议纠错率是多少"),
    ([Q], "全市持证执法人员有多少人"),  # a whole question without the marks of a follow-up
    (["郴州"], "2022年呢"),  # the turn before asked nothing to carry over
])
def test_questions_that_stand_on_their_own_ignore_history(gaz, previous, turn):
    r = resolve(previous, turn, gaz)
    assert r.question == turn and not r.followup


def test_relative_year_counts_from_the_answering_report_when_the_question_named_none(gaz):
    asked = []

    def year_of(q: str) -> int | None:
        asked.append(q)
        return 2023

    r = resolve(["云溪市行政复议纠错率是多少"], "去年呢", gaz, year_of=year_of)
    assert r.question == "云溪市2022年行政复议纠错率是多少" and asked == ["云溪市行政复议纠错率是多少"]
    # without it, nothing to count from: the question before is asked again
    assert resolve(["云溪市行政复议纠错率是多少"], "去年呢", gaz).question == "云溪市行政复议纠错率是多少"


def test_label_says_which_question_was_answered(gaz):
    r = resolve([Q], "败诉率呢？", gaz)
    assert r.label() == "云溪市2023年败诉率"
    r = resolve(["云溪行政复议纠错率是多少"], "那郴州呢", gaz)
    assert r.label("郴州市", 2024) == "郴州市2024年行政复议纠错率"  # the answer's report fills in region and year
    assert resolve([Q], "和郴州比呢", gaz).label() == "比较云溪市和郴州的行政复议纠错率"


def test_resolve_turn_on_an_empty_state_is_the_turn(gaz):
    r = resolve_turn("  败诉率呢  ", ConversationState(), gaz)
    assert r.question == "败诉率呢" and not r.followup
