"""Eval fixtures: the real engine over the indexes ``qa eval`` builds (cached in var/eval-index/, as ``make eval``
does), and each full evaluation run ONCE per session (the dev set's ~300 questions take a minute or two)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / "var" / "eval-index"
DEV = Path(os.path.normpath(ROOT / ".." / "shared" / "dev"))  # CI has it; absent elsewhere: the dev gate skips


def _index(corpus, encoder) -> Path:
    from eval.run import eval_index

    return eval_index(ROOT / "seeds", corpus, encoder, CACHE, progress=False, log=lambda msg: None)


@pytest.fixture(scope="session")
def open_seed_qa(encoder):
    """``(qa, threshold)``: the engine over the seed reports with its threshold at 0, and the threshold in use."""
    from eval.run import load_open_qa

    return load_open_qa(_index(None, encoder), encoder)


@pytest.fixture(scope="session")
def seed_run(open_seed_qa):
    """The seed set (eval/questions.jsonl), all three retrievers, as `make eval` runs it."""
    from eval.run import default_set, evaluate, load_questions

    qa, threshold = open_seed_qa
    return evaluate(qa, load_questions(default_set()), threshold=threshold, progress=False)


@pytest.fixture(scope="session")
def dev_run(encoder):
    """The development set (../shared/dev) beside the seeds, hybrid only, as `make eval-dev` runs it."""
    if not (DEV / "questions.jsonl").is_file():
        pytest.skip(f"no development set at {DEV}")
    from eval.run import evaluate, load_open_qa, load_questions

    qa, threshold = load_open_qa(_index(DEV / "reports", encoder), encoder)
    return evaluate(qa, load_questions(DEV / "questions.jsonl"), threshold=threshold, modes=("hybrid",),
                    progress=False)
