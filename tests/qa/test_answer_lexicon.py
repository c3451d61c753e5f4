"""The answer extractors and the question reader keep their words in qa/lexicon: no Chinese word in a string of
their code (docstrings and comments aside), every group of their grouped word files is read by the module it names,
and the unit table of the figures gives each unit a family or a kind."""
from __future__ import annotations

import ast
import re
from importlib import resources
from pathlib import Path

import pytest

from qa.answer import quantity
from qa.lexicon import table

ANSWER = Path(__file__).resolve().parents[2] / "qa" / "answer"
_HAN = re.compile(r"[\u4e00-\u9fff]")
QUESTION = ANSWER.parent / "question"
# grouped word files -> the module that reads them
READERS = {"slot_words.tsv": "slot.py", "quantity_words.tsv": "quantity.py", "list_words.tsv": "listing.py",
           "person_words.tsv": "person.py", "extract_words.tsv": "extractor.py"}


def _docstrings(tree: ast.AST) -> set[int]:
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                out.add(id(first.value))
    return out


@pytest.mark.parametrize("path", sorted([*ANSWER.glob("*.py"), *QUESTION.glob("*.py")]),
                         ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_chinese_words_in_code(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = _docstrings(tree)
    found = [(n.lineno, n.value) for n in ast.walk(tree)
             if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docs and _HAN.search(n.value)]
    assert not found, f"{path.name}: Chinese words belong in qa/lexicon/: {found}"


@pytest.mark.parametrize("name", sorted(READERS))
def test_every_group_is_read(name):
    source = (ANSWER / READERS[name]).read_text(encoding="utf-8")
    unread = [r["group"] for r in table(name)
              if f'"{r["group"]}"' not in source and f"'{r['group']}'" not in source]
    assert not unread, f"{name}: groups {READERS[name]} never reads: {unread}"


def test_quantity_units_file():
    text = resources.files("qa.lexicon").joinpath("quantity_units.tsv").read_text(encoding="utf-8")
    assert text.startswith("#")
    rows = table("quantity_units.tsv")
    assert set(rows[0]) == {"unit", "family", "kind"}
    assert len({r["unit"] for r in rows}) == len(rows), "a unit listed twice"
    for r in rows:
        assert r["family"] != "-" or r["kind"] != "-", r
    assert quantity.UNIT_FAMILY["名"] == quantity.UNIT_FAMILY["人"]
    assert quantity.coarse("万元") == quantity.coarse("元") != quantity.coarse("件")
