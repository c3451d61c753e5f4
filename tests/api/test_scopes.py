"""Scopes and metadata conditions (api/scopes.py) over the five seed reports' real metadata.

The seeds: 郴州市 (city, 湖南省, 2024), 海安市 (county, 江苏省 南通市, 2023, published 2024-02-02), 开封市示范区
(zone, 河南省 开封市, 2024), 岳阳县 (county, 湖南省 岳阳市, 2021, published 2022-03-25), 邵阳市司法局 (city,
湖南省, department 邵阳市司法局, 2024, published 2025-01-16).
"""
from __future__ import annotations

import pytest

from api.scopes import Doc, ScopeError, filter_docs, parse_scope_id, scope_docs


@pytest.fixture(scope="module")
def docs(seed_docs) -> list[Doc]:
    return [Doc(d.doc_id, d.meta) for d in seed_docs]


@pytest.fixture(scope="module")
def by_region(docs) -> dict[str, str]:
    return {(d.meta.department or d.meta.region): d.doc_id for d in docs}


def regions(docs: list[Doc], ids: set[str] | None) -> set[str]:
    return {(d.meta.department or d.meta.region) for d in docs if ids is None or d.doc_id in ids}


def test_seed_metadata_is_what_these_tests_assume(docs):
    seen = {(d.meta.department or d.meta.region, d.meta.level, d.meta.year) for d in docs}
    assert seen == {("郴州市", "city", 2024), ("海安市", "county", 2023), ("开封市示范区", "zone", 2024),
                    ("岳阳县", "county", 2021), ("邵阳市司法局", "city", 2024)}


@pytest.mark.parametrize("kid, expected", [
    ("all", None), ("", None), ("*", None),
    ("region:湖南", {"郴州市", "岳阳县", "邵阳市司法局"}),  # a province: its cities and counties
    ("region:湖南省;year:2024", {"郴州市", "邵阳市司法局"}),
    ("region=郴州", {"郴州市"}),  # a short form
    ("level:county", {"海安市", "岳阳县"}),
    ("year:2021|2023", {"海安市", "岳阳县"}),
    ("department:司法局", {"邵阳市司法局"}),
    ("region:江苏, level:county", {"海安市"}),
])
def test_scope_ids(docs, kid, expected):
    ids = scope_docs(docs, kid)
    assert (ids if ids is None else regions(docs, ids)) == expected


@pytest.mark.parametrize("kid", ["nonsense", "region:", "colour:red", "year:twenty", "level:planet"])
def test_malformed_scope_ids_are_refused(kid):
    with pytest.raises(ScopeError, match="knowledge_id"):
        parse_scope_id(kid)


def test_a_scope_no_report_is_in_is_refused(docs):
    with pytest.raises(ScopeError, match="no report"):
        scope_docs(docs, "region:江苏;year:2024")


# every comparison operator of Dify's External Knowledge API documentation, on a field it fits
OPERATOR_CASES = [
    ("region", "contains", "湖南", {"郴州市", "岳阳县", "邵阳市司法局"}),  # the region or a parent
    ("region", "not contains", "湖南", {"海安市", "开封市示范区"}),
    ("region", "start with", "开封", {"开封市示范区"}),
    ("region", "end with", "县", {"岳阳县"}),
    ("region", "is", "海安", {"海安市"}),
    ("region", "is not", "海安市", {"郴州市", "开封市示范区", "岳阳县", "邵阳市司法局"}),
    ("region", "in", ["郴州", "岳阳县"], {"郴州市", "岳阳县"}),
    ("region", "not in", ["湖南"], {"海安市", "开封市示范区"}),
    ("department", "empty", None, {"郴州市", "海安市", "开封市示范区", "岳阳县"}),
    ("department", "not empty", None, {"邵阳市司法局"}),
    ("year", "=", 2024, {"郴州市", "开封市示范区", "邵阳市司法局"}),
    ("year", "≠", 2024, {"海安市", "岳阳县"}),
    ("year", ">", 2021, {"郴州市", "海安市", "开封市示范区", "邵阳市司法局"}),
    ("year", "<", 2024, {"海安市", "岳阳县"}),
    ("year", "≥", 2023, {"郴州市", "海安市", "开封市示范区", "邵阳市司法局"}),
    ("year", "≤", 2023, {"海安市", "岳阳县"}),
    ("year", "before", "2023-06-01", {"岳阳县"}),
    ("year", "after", "2023", {"郴州市", "开封市示范区", "邵阳市司法局"}),
    ("published", "before", "2024-06-01", {"海安市", "岳阳县"}),
    ("published", "after", "2024-06-01", {"邵阳市司法局"}),
    ("level", "is", "county", {"海安市", "岳阳县"}),
    ("level", "in", ["city", "zone"], {"郴州市", "开封市示范区", "邵阳市司法局"}),
]


@pytest.mark.parametrize("name, op, value, expected", OPERATOR_CASES)
def test_every_documented_operator(docs, name, op, value, expected):
    ids, notes = filter_docs(docs, "and", [{"name": name, "comparison_operator": op, "value": value}])
    assert notes == []
    assert regions(docs, ids) == expected


def test_and_or_and_ignored_conditions(docs):
    both = [{"name": "region", "comparison_operator": "contains", "value": "湖南"},
            {"name": "year", "comparison_operator": "=", "value": 2024}]
    ids, _ = filter_docs(docs, "and", both)
    assert regions(docs, ids) == {"郴州市", "邵阳市司法局"}
    ids, _ = filter_docs(docs, "or", both)
    assert regions(docs, ids) == {"郴州市", "岳阳县", "邵阳市司法局", "开封市示范区"}
    ignored = [{"name": "category", "comparison_operator": "contains", "value": "AI"},
               {"name": "region", "comparison_operator": ">", "value": "郴州"},
               {"name": "year", "comparison_operator": "contains", "value": "2024"}]
    ids, notes = filter_docs(docs, "and", ignored)
    assert ids is None and len(notes) == 3
    assert "unknown metadata field 'category'" in notes[0] and "'>' does not fit" in notes[1]
    # an ignored condition leaves the others applied
    ids, notes = filter_docs(docs, "and", ignored[:1] + both[:1])
    assert regions(docs, ids) == {"郴州市", "岳阳县", "邵阳市司法局"} and len(notes) == 1


def test_names_as_a_list_as_the_older_docs_show(docs):
    """Dify's older documentation gives ``name`` as an array of names: the condition holds on any of them."""
    ids, notes = filter_docs(docs, "and", [{"name": ["region", "department"], "comparison_operator": "contains",
                                            "value": "司法局"}])
    assert notes == [] and regions(docs, ids) == {"邵阳市司法局"}
