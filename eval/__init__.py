"""The evaluation tools: ``qa eval`` (run.py and its modules), the comparison eval (compare.py), retrieval/,
bench/, same_answers.py, fit_scorer.py, readme_figures.py. Shared here: the repository root and the error the
eval's steps raise."""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(os.path.abspath(__file__)).parents[1]


class EvalError(ValueError):
    """A question set, corpus or index the eval cannot use (a one-line message, no traceback)."""
