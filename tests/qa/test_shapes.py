"""Answer shapes are hard constraints (qa/answer/shapes.py): on sentences and questions written for the test, each
type refuses a span of the wrong shape and accepts one of the right shape."""
from __future__ import annotations

import pytest

from qa.answer.shapes import item_count, shape, unit_fit
from qa.answer.types import classify
from qa.lexicon import table, unit_family, units, words


@pytest.mark.parametrize("question, span, ok", [
    # a measure word said outright: a headcount is never answered by events, batches or sessions
    ("青禾县2023年有多少人参加法治考试", "7批", False),
    ("青禾县2023年有多少人参加法治考试", "1260人", True),
    ("青禾县2023年法治讲座共有多少人次参加", "6场", False),
    ("青禾县2023年法治讲座共有多少人次参加", "3200人次", True),
    ("青禾县2023年办理行政复议案件多少件", "48起", True),
    ("青禾县2023年开展了几场普法活动", "没有数字", False),
    # a role ends in a role word (or is a person's name, as Baidu LAC reads it)
    ("青禾县法治建设领导小组组长由谁担任", "王建国", True),  # a name, graded low
    ("青禾县法治建设领导小组组长由谁担任", "文明", False),  # two characters, but no name: a fragment
    ("青禾县法治建设领导小组组长由谁担任", "县委书记、县长", True),
    ("青禾县法治建设领导小组组长由谁担任", "两个科室和司法所各1名工作人员的配备情况", False),
    ("青禾县法治建设领导小组组长由谁担任", "建立健全法治建设工作机制", False),
    # a body is an organisation's name
    ("青禾县2023年成立了什么机构负责复议", "指标体系", False),
    ("青禾县的法治工作由哪个部门牵头", "县司法局", True),
    ("青禾县2023年度法治政府建设报告报给哪个机关", "县人大常委会", True),
    # a date has a year, month or day
    ("青禾县复议委员会是什么时候成立的", "5月9日", True),
    ("青禾县复议委员会是什么时候成立的", "复议委员会", False),
])
def test_shape(question, span, ok):
    got = shape(span, classify(question))
    assert got.ok is ok, (question, span, got)


def test_a_name_for_a_role_is_graded_below_a_role():
    asked = classify("青禾县法治建设领导小组组长由谁担任")
    assert shape("王建国", asked).fit < shape("县委书记", asked).fit


def test_unit_fit_grades_family_and_other():
    asked = classify("青禾县2023年有多少名执法人员参加培训")
    assert unit_fit("56名", asked)[0] == 1.0
    assert unit_fit("56人", asked)[0] == 0.75  # the same family (人 / 名)
    assert unit_fit("3期", asked)[0] == 0.0


def test_units_file_has_a_family_and_kind_for_every_unit():
    rows = table("units.tsv")
    assert len(rows) == len(units()) >= 50
    for r in rows:
        assert r["family"] and r["kind"], r
    assert unit_family("卷") == unit_family("件") and unit_family("批次") == unit_family("批")


def test_word_lists_are_sorted_longest_first():
    for name in ("role_heads.txt", "org_ends.txt", "greetings.txt"):
        ws = words(name)
        assert ws and all(len(a) >= len(b) for a, b in zip(ws, ws[1:])), name


@pytest.mark.parametrize("text, n", [
    ("甲、乙和丙", 3),
    ("“甲”“乙”", 2),
    ("“山和水”行动", 1),  # a 和 inside a quoted name joins no items
    ("《青禾县甲和乙办法》《青禾县丙规定》", 2),
])
def test_item_count_reads_joins_outside_names_only(text, n):
    assert item_count(text) == n
