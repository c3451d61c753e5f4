"""Seed parity across formats: each seed report written out as a saved web page, a PDF and a Word .docx (real
files, built in the test) answers the seed eval within 0.01 of the plain-text reports (exact match and F1).

Slow: three seed indexes (vectors of unchanged passages are reused from the text index) and three eval runs.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "index"))

import formats_files as ff  # noqa: E402

pytestmark = pytest.mark.slow
TOLERANCE = 0.01
BUILDERS = {"html": lambda t: ff.to_html(t, published=None), "pdf": ff.to_pdf, "docx": ff.to_docx}


def _figures(qa, threshold) -> dict[str, float]:
    from eval.run import default_set, evaluate, load_questions

    res = evaluate(qa, load_questions(default_set()), threshold=threshold, modes=("hybrid",), progress=False)
    return {k: res.answers[k] for k in ("exact_match", "f1")}


@pytest.fixture(scope="module")
def text_figures(seed_index_dir, encoder):
    from eval.run import load_open_qa

    return _figures(*load_open_qa(seed_index_dir, encoder))


@pytest.mark.parametrize("fmt", sorted(BUILDERS))
def test_seed_eval_same_from_converted_reports(fmt, seeds_dir, seed_index_dir, encoder, tmp_path, text_figures):
    from eval.run import load_open_qa
    from index.ingest import load_folder
    from index.store import build_index, load_index

    for src in sorted(seeds_dir.glob("*.txt")):
        (tmp_path / "reports").mkdir(exist_ok=True)
        (tmp_path / "reports" / f"{src.stem}.{fmt}").write_bytes(BUILDERS[fmt](src.read_text(encoding="utf-8")))
    docs = load_folder(tmp_path / "reports")
    build_index(docs, encoder, tmp_path / "index", previous=load_index(seed_index_dir))
    got = _figures(*load_open_qa(tmp_path / "index", encoder))
    print(f"\nseed eval, {fmt} vs text: " + ", ".join(f"{k} {got[k]:.4f} vs {text_figures[k]:.4f}" for k in got))
    for k, v in got.items():
        assert abs(v - text_figures[k]) <= TOLERANCE, (fmt, k, v, text_figures[k])
