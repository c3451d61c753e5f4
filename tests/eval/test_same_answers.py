"""eval.same_answers: two revisions' seed answers, question by question (real worktrees, real index builds)."""
from __future__ import annotations

import json
import subprocess

import pytest

from eval import same_answers

pytestmark = pytest.mark.slow


def test_one_commit_twice_answers_the_same(capsys):
    # two worktrees of one commit, each building its own index with its own code: same answers, exit 0
    assert same_answers.main(["HEAD", "HEAD"]) == 0
    out = capsys.readouterr().out
    assert "differ: 0 of " in out and "answerable EM" in out
    worktrees = subprocess.run(["git", "-C", str(same_answers.REPO), "worktree", "list"], capture_output=True,
                               text=True, check=True).stdout
    assert "qa-same-" not in worktrees  # the worktrees are removed


def test_figures_count_answers_against_the_gold():
    gold = {x["id"]: x for x in map(json.loads, same_answers.QUESTIONS.open(encoding="utf-8"))}
    answerable = next(i for i, x in gold.items() if x["answers"])
    right = {answerable: {"answer": gold[answerable]["answers"][0]}}
    wrong = {answerable: {"answer": "另一个答案"}}
    assert "EM 1.0000" in same_answers.figures(right)
    assert "EM 0.0000" in same_answers.figures(wrong)
