#!/usr/bin/env python3
"""Check eval/typed/questions.jsonl (stdlib only): the checks of eval/labelled_check.py, warning on
facts already asked by eval/questions.jsonl or eval/fresh/questions.jsonl.

Usage: python3 eval/typed/check.py [path/to/questions.jsonl]
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, ROOT)

from eval.labelled_check import main  # noqa: E402

OLDS = [os.path.join(ROOT, "eval", "questions.jsonl"), os.path.join(ROOT, "eval", "fresh", "questions.jsonl")]

if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "questions.jsonl"), OLDS))
