"""Sanity checks for the evaluation question set eval/questions.jsonl."""

import json
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
QUESTIONS = ROOT / "eval" / "questions.jsonl"
SEEDS = ROOT / "seeds"

# answer types (issue 9); "named" and "open" are the original set's coarser labels
ANSWER_TYPES = {"count", "rate", "money", "date", "duration", "ordinal", "person", "role", "body", "document",
                "honour", "name", "list", "place"}
TYPES = ANSWER_TYPES | {"named", "open", "unanswerable"}
FIELDS = {"id", "question", "answers", "doc_id", "evidence", "type", "paraphrase", "no_place"}
OPTIONAL = {"tags"}
# the hard questions (ids h…, tags ["hard", <kind>]) and the least each kind must have
HARD_KINDS = {"everyday": 20, "distractor": 20, "answer-type": 15, "absent": 20}
SENTENCE_END = "。；！？"


def _load():
    rows = []
    with QUESTIONS.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                rows.append(json.loads(line))
    return rows


ROWS = _load()
SEED_IDS = sorted(p.stem for p in SEEDS.glob("*.txt"))
SEED_TEXT = {d: (SEEDS / f"{d}.txt").read_text(encoding="utf-8") for d in SEED_IDS}
ANSWERABLE = [r for r in ROWS if r["type"] != "unanswerable"]
HARD = [r for r in ROWS if "hard" in r.get("tags", [])]


def test_enough_questions():
    assert len(ROWS) >= 100


def test_ids_unique():
    ids = [r["id"] for r in ROWS]
    dup = [i for i, c in Counter(ids).items() if c > 1]
    assert not dup, dup


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r["id"])
def test_schema(row):
    assert FIELDS <= set(row) <= FIELDS | OPTIONAL, set(row) ^ FIELDS
    tags = row.get("tags", [])
    assert isinstance(tags, list) and all(isinstance(t, str) and t for t in tags)
    assert row["type"] in TYPES
    assert isinstance(row["question"], str) and row["question"].strip()
    assert isinstance(row["answers"], list)
    assert isinstance(row["paraphrase"], bool)
    assert isinstance(row["no_place"], bool)
    if row["type"] == "unanswerable":
        assert row["answers"] == []
        assert row["evidence"] == ""
        assert row["doc_id"] == ""
    else:
        assert 1 <= len(row["answers"]) <= 2
        assert all(isinstance(a, str) and a for a in row["answers"])
        assert row["doc_id"] in SEED_TEXT


def test_every_report_covered():
    covered = {r["doc_id"] for r in ANSWERABLE}
    assert set(SEED_IDS) <= covered, set(SEED_IDS) - covered


@pytest.mark.parametrize("row", ANSWERABLE, ids=lambda r: r["id"])
def test_answer_in_evidence(row):
    for a in row["answers"]:
        assert a in row["evidence"], (a, row["evidence"])


@pytest.mark.parametrize("row", ANSWERABLE, ids=lambda r: r["id"])
def test_evidence_verbatim_in_seed(row):
    ev = row["evidence"]
    assert "\n" not in ev
    assert ev in SEED_TEXT[row["doc_id"]]
    # the evidence is a whole sentence: it must not contain an inner sentence end
    assert not any(c in ev[:-1] for c in SENTENCE_END), ev
    # ... and it starts and ends at a sentence boundary somewhere in the report
    assert any(
        _bounded(line, ev) for line in SEED_TEXT[row["doc_id"]].split("\n")
    ), ev


def _bounded(line, ev):
    start = line.find(ev)
    while start != -1:
        before = line[:start].rstrip()
        after = line[start + len(ev):].strip()
        if (not before or before[-1] in SENTENCE_END) and (
            ev[-1] in SENTENCE_END or not after
        ):
            return True
        start = line.find(ev, start + 1)
    return False


def test_counts():
    assert sum(r["paraphrase"] for r in ROWS) >= 20
    assert sum(r["no_place"] for r in ROWS) >= 10
    assert sum(r["type"] == "unanswerable" for r in ROWS) >= 10


def test_hard_set():
    assert len(HARD) >= 70
    assert all(r["id"].startswith("h") for r in HARD)
    kinds = Counter(t for r in HARD for t in r["tags"] if t != "hard")
    assert set(kinds) <= set(HARD_KINDS), kinds
    for kind, least in HARD_KINDS.items():
        assert kinds[kind] >= least, (kind, kinds[kind])
    for r in HARD:
        assert len(r["tags"]) == 2, r["id"]
        absent = "absent" in r["tags"]
        assert absent == (r["type"] == "unanswerable"), r["id"]
        if not absent:
            assert r["type"] in ANSWER_TYPES, r["id"]
        if "everyday" in r["tags"]:
            assert r["paraphrase"], r["id"]
    # every seed report has hard questions, answerable and not
    assert {r["doc_id"] for r in HARD if r["answers"]} == set(SEED_IDS)
