"""The question rule corpus (tests/qa/corpus/questions/): every named question rule has an example that it, and no
rule before it, decides — and every example still reads as it says.

One file per answer type (``count.jsonl`` holds the questions that want a count), one example a line::

    {"question": …, "type": the answer type, "rule": the type rule (qa/lexicon/type_rules.tsv) that decides it,
     "unit" / "noun" / "items" / "counted": what classify() reads besides (optional),
     "unit_rule": the unit hint (qa/lexicon/q_unit_hints.tsv) that gives its unit (optional), "why": …}

Examples use made-up places and figures (青禾县, 石门县), never a report's text. A new rule fails here until it has an
example; a rule moved up the list that takes another rule's example fails here too.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from qa.answer.params import PARAMS
from qa.answer.types import AnswerType, classify
from qa.lexicon import patterns
from qa.question.rules import QUESTION_WORDS, first_rule, question_pattern, type_rules, unit_hint_rule, unit_hints

CORPUS = Path(__file__).resolve().parent / "corpus" / "questions"
_ASKED = ("unit", "noun", "items", "counted")


def _examples() -> list[dict]:
    rows = []
    for f in sorted(CORPUS.glob("*.jsonl")):
        for n, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                rows.append({**json.loads(line), "where": f"{f.name}:{n}", "file_type": f.stem})
    return rows


EXAMPLES = _examples()


@pytest.mark.parametrize("ex", EXAMPLES, ids=[x["where"] for x in EXAMPLES])
def test_example_is_decided_by_its_rule(ex):
    assert ex["file_type"] == ex["type"], f"{ex['where']}: a {ex['type']} example belongs in {ex['type']}.jsonl"
    assert first_rule(ex["question"]).name == ex["rule"], ex["why"]
    asked = classify(ex["question"])
    assert asked.type == AnswerType(ex["type"]), ex["why"]
    for key in _ASKED:
        if key in ex:
            assert getattr(asked, key) == ex[key], f"{key}: {ex['why']}"
    if "unit_rule" in ex:
        hint = unit_hint_rule(ex["question"])
        assert hint is not None and hint.name == ex["unit_rule"], ex["why"]


def test_every_type_rule_has_an_example():
    named = {x["rule"] for x in EXAMPLES}
    missing = [r.name for r in type_rules() if r.name not in named]
    assert not missing, f"type rules with no example in {CORPUS}: {missing}"
    unknown = named - {r.name for r in type_rules()}
    assert not unknown, f"examples name rules that do not exist: {unknown}"


def test_every_unit_hint_has_an_example():
    named = {x["unit_rule"] for x in EXAMPLES if "unit_rule" in x}
    missing = [h.name for h in unit_hints() if h.name not in named]
    assert not missing, f"unit hints with no example in {CORPUS}: {missing}"


def test_every_rule_says_why_and_names_a_type():
    for r in type_rules():
        assert r.why.strip(), r.name
        AnswerType(r.type)
    assert not type_rules()[-1].when, "the last type rule must apply to every question"
    assert all(x["why"].strip() for x in EXAMPLES)


def test_rules_name_known_patterns_and_every_pattern_compiles():
    known = set(patterns(QUESTION_WORDS))
    for r in type_rules():
        assert set(r.when + r.unless) <= known, r.name
    for h in unit_hints():
        assert set(h.when) <= known, h.name
        assert isinstance(getattr(PARAMS, h.strength), float), f"{h.name}: {h.strength} is no weight of Params"
    for name in known:
        question_pattern(name)
