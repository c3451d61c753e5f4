"""The quality gate: the eval over the seed index must meet the thresholds in eval/thresholds.py."""
import json

import pytest

from eval.metrics import char_f1, exact_match, ndcg_at, normalize, recall_at
from eval.run import EvalError, load_questions, run_eval
from eval.thresholds import MIN_CITATION_ACCURACY, MIN_EXACT_MATCH, MIN_HYBRID_RECALL_AT_5


def test_metrics():
    assert normalize("《某某办法》 18.5%") == "某某办法185"
    assert exact_match("18.5%", ["18.5%"]) == 1 and exact_match(None, []) == 1 and exact_match("x", []) == 0
    assert exact_match(None, ["18.5%"]) == 0
    assert char_f1("纠错率为18.5%", ["18.5%"]) == pytest.approx(2 * (3 / 7) / (3 / 7 + 1))  # 纠错率为185 vs 185
    assert recall_at([1, 3, None, 6], 5) == 0.5
    assert ndcg_at([[1, 0], [0, 1]], 10) == pytest.approx((1 + 1 / 1.5849625) / 2, rel=1e-4)


def test_gate_on_seed_index(seed_index_dir, encoder, tmp_path):
    from qa.engine import QA

    qa = QA.load(seed_index_dir, encoder)
    summary = run_eval(qa, None, tmp_path, progress=False)
    res = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert (tmp_path / "report.md").read_text(encoding="utf-8").startswith("# Evaluation")
    assert (tmp_path / "recall.png").stat().st_size > 1000
    assert res["n"] >= 100
    assert res["retrieval"]["hybrid"]["recall@5"] >= MIN_HYBRID_RECALL_AT_5, summary
    assert res["answers"]["exact_match"] >= MIN_EXACT_MATCH, summary
    assert res["answers"]["citation_accuracy"] >= MIN_CITATION_ACCURACY and res["citations_wrong"] == 0, summary
    assert all(res["gate"].values())


def test_bad_question_set_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1}\n', encoding="utf-8")
    with pytest.raises(EvalError, match="bad.jsonl:1"):
        load_questions(bad)
    with pytest.raises(EvalError, match="not found"):
        load_questions(tmp_path / "missing.jsonl")
