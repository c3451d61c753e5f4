"""Every named shape rule (qa/answer/shapes.py RULES) has examples in tests/qa/corpus/shapes.jsonl, and each example
behaves as it says: the rule named decides, with the verdict (and, where given, the fit) stated. Examples are
made up (青禾县, 石门县), never copied from a report."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from qa.answer.shapes import RULES, shape
from qa.answer.types import classify

CORPUS = Path(__file__).parent / "corpus" / "shapes.jsonl"
EXAMPLES = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
RULE_NAMES = {r.name for rules in RULES.values() for r in rules}


def test_every_rule_has_an_example():
    missing = RULE_NAMES - {x["rule"] for x in EXAMPLES}
    assert not missing, f"shape rules without an example in {CORPUS.name}: {sorted(missing)}"


def test_every_rule_says_why():
    for rules in RULES.values():
        for r in rules:
            assert r.why.strip(), r.name


def test_examples_name_known_rules():
    unknown = {x["rule"] for x in EXAMPLES} - RULE_NAMES
    assert not unknown, f"examples of rules that do not exist: {sorted(unknown)}"


@pytest.mark.parametrize("x", EXAMPLES, ids=[f'{x["rule"]}:{x["span"]}' for x in EXAMPLES])
def test_example_behaves_as_stated(x):
    got = shape(x["span"], classify(x["question"]))
    assert got.rule == x["rule"], (x, got)
    assert got.ok is x["ok"], (x, got)
    if "fit" in x:
        assert got.fit == pytest.approx(x["fit"]), (x, got)
