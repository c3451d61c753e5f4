"""A word mistyped by a pinyin keyboard is read as the reports' word of the same sound; a question typed right, or a
word the reports' text does not say twice, is left alone (qa/question/typos.py)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from qa.question.typos import TypoFixer

TEXT = "青禾县行政复议纠错率为12.5%。全年受理行政复议申请80件,审结行政复议案件76件。法律援助案件300件,法律援助中心1个,援助申请2件。"
VOCAB = {"青禾县", "行政", "复议", "纠错率", "全年", "受理", "申请", "审结", "案件", "法律援助", "援助", "中心"}


@pytest.mark.parametrize("typed, read", [
    ("青禾县行政复意纠错率是多少", "青禾县行政复议纠错率是多少"),
    ("青禾县受理行政复议申清多少件", "青禾县受理行政复议申请多少件"),
    ("青禾县法律援主案件多少件", "青禾县法律援助案件多少件"),
])
def test_a_slip_of_the_same_sound_is_read_as_the_reports_word(typed, read):
    assert TypoFixer(VOCAB, TEXT).fix(typed) == read


@pytest.mark.parametrize("q", [
    "青禾县行政复议纠错率是多少",  # typed right
    "青禾县哪些人用过法律援助",  # 人用 is 人 + 用 (frequent words of their own), not 任用
    "青禾县行政复议纠错率为多少",
])
def test_a_question_typed_right_is_left_alone(q):
    assert TypoFixer(VOCAB | {"任用"}, TEXT + "任用干部。任用干部。").fix(q) == q


def test_a_word_the_reports_say_once_corrects_nothing():
    assert TypoFixer({"复议"}, "行政复议").fix("青禾县行政复意") == "青禾县行政复意"


def test_no_seed_eval_question_is_changed(seed_qa):
    """Every question of the seed eval set is typed right: none is rewritten over the real seed index."""
    path = Path(__file__).resolve().parents[2] / "eval" / "questions.jsonl"
    questions = [json.loads(line)["question"] for line in path.read_text(encoding="utf-8").splitlines() if line]
    changed = [(q, seed_qa.typos.fix(q)) for q in questions if seed_qa.typos.fix(q) != q]
    assert not changed
