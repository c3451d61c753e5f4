"""The grouped word files of qa/lexicon (``group<TAB>words<TAB>why``): each says what it holds, every group has
words and a reason, and the reader keeps the file's order (the order of the regex alternations built from it)."""
from __future__ import annotations

from importlib import resources

import pytest

from qa.lexicon import alternation, groups, table

GROUPED = ["span_words.tsv", "date_words.tsv", "ordinal_words.tsv", "open_words.tsv", "registry_words.tsv",
           "shape_words.tsv", "slot_words.tsv", "quantity_words.tsv", "list_words.tsv", "person_words.tsv",
           "extract_words.tsv"]


@pytest.mark.parametrize("name", GROUPED)
def test_grouped_file_is_documented(name):
    text = resources.files("qa.lexicon").joinpath(name).read_text(encoding="utf-8")
    assert text.startswith("#"), f"{name} must start with # lines saying what it holds"
    rows = table(name)
    assert rows and set(rows[0]) == {"group", "words", "why"}
    assert len({r["group"] for r in rows}) == len(rows), f"{name}: a group named twice"
    for r in rows:
        assert r["words"].split() and r["why"].strip(), (name, r)


def test_groups_keep_the_file_order():
    unit = groups("ordinal_words.tsv")["unit"]
    assert unit.index("号") < unit.index("号令")  # 第118号令: unit 号, then the noun 令
    assert alternation(("号", "a.b")) == r"号|a\.b"
